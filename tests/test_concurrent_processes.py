"""Processes sharing one SQLite store: `mailbot run` may be polling when staff run
`mailbot poll --once`, `ingest` or `status` by hand on the same storage, and a
service manager may start both at once on a new one.

Both flush the outbox: without a lock across processes both would select
the same queued mail and send it. Both migrate a new store: without a lock
the second would create the tables again and fail.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import os
import subprocess
from datetime import datetime

import botrun

from mailbot import config, db, store
from mailbot.service import open_bot

N = 400  # queued mails: enough that two flushes started together overlap


def _queue(bot: botrun.Bot, n: int) -> list[str]:
    """n confirmations queued in the bot's outbox, as handling replies leaves them."""
    now = datetime.fromisoformat(botrun.NOW)
    cfg = config.load(bot.config, storage=bot.storage)
    service_bot = open_bot(dataclasses.replace(cfg, reading_workers=0))
    ids = [f"<send-lock-{i}@g32.nl>" for i in range(n)]
    try:
        from sqlmodel import Session

        with Session(service_bot.engine) as s, s.begin():
            for i, mid in enumerate(ids):
                to = f"wethouder{i}@example.nl"
                raw = (f"From: G32 <info@G32.nl>\r\nTo: {to}\r\nSubject: Bevestiging {i}\r\n"
                       f"Message-ID: {mid}\r\nDate: Thu, 16 Nov 2017 09:00:00 +0100\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n\r\nU bent aangemeld.\r\n").encode()
                store.enqueue(s, db.Outbox(message_id=mid, kind="confirmation", to=json.dumps([to]),
                                           subject=f"Bevestiging {i}", raw=raw, status="queued", created_at=now))
    finally:
        service_bot.readers.close()
        service_bot.engine.dispose()
    return ids


def test_two_processes_flushing_one_sqlite_outbox_send_each_mail_once(tmp_path, smtp):
    bot = botrun.Bot.make(tmp_path, smtp=smtp)
    bot.run("export", "--format", "json")  # creates and migrates the store
    ids = _queue(bot, N)
    cmd = [str(botrun.MAILBOT), "--config", str(bot.config), "--storage", str(bot.storage),
           "--now", bot.now, "poll", "--once"]
    env = {**os.environ, **bot.env}
    procs = [subprocess.Popen(cmd, env=env, cwd=botrun.REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    outs = [p.communicate(timeout=botrun.TIMEOUT * 2) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode(errors="replace")[-3000:]

    got = collections.Counter(botrun.header(m.data, "Message-ID") for m in smtp.messages)
    twice = {mid: n for mid, n in got.items() if n > 1}
    assert not twice, f"{len(twice)} mails sent more than once, e.g. {sorted(twice)[:3]}"
    assert set(got) == set(ids), f"{len(set(ids) - set(got))} mails never sent"
    state = bot.export()
    assert [o["status"] for o in state["outbox"]] == ["sent"] * N


def test_processes_starting_together_on_a_new_store_all_open_it(tmp_path):
    bot = botrun.Bot.make(tmp_path)
    cmd = [str(botrun.MAILBOT), "--config", str(bot.config), "--storage", str(bot.storage),
           "--now", bot.now, "export", "--format", "json"]
    procs = [subprocess.Popen(cmd, cwd=botrun.REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outs = [p.communicate(timeout=botrun.TIMEOUT * 2) for p in procs]
    failed = [err for p, (_out, err) in zip(procs, outs, strict=True) if p.returncode != 0]
    assert not failed, failed[0][-2000:]
    assert all(json.loads(out)["attendees"] == [] for out, _err in outs)
