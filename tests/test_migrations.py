"""A store is built all or nothing: a kill during the very first start never leaves
one that later commands cannot open, and a half-made store an older version left
behind is repaired on the next start."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import botrun
import pytest

INGEST_CASE = "019"


def _fresh_bot(tmp_path: Path) -> botrun.Bot:
    return botrun.Bot.make(tmp_path)


def _db(bot: botrun.Bot) -> Path:
    return bot.storage / "mailbot.sqlite3"


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _works_afterwards(bot: botrun.Bot, tmp_path: Path) -> None:
    """Every later command opens the store, and a reply is recorded as usual."""
    eml = tmp_path / "reply.eml"
    eml.write_bytes(botrun.corpus(INGEST_CASE))
    run = bot.ingest(eml)
    assert "Traceback" not in run.stderr
    state = bot.export()
    assert [a["municipality"] for a in state["attendees"]] == ["alkmaar"]
    assert "alembic_version" in _tables(_db(bot))


def test_a_kill_inside_the_first_migration_leaves_nothing_half_made(tmp_path):
    bot = _fresh_bot(tmp_path)
    killed = bot.run("export", "--format", "json", failpoint="during-migration", check=False)
    assert killed.returncode == -signal.SIGKILL, str(killed)
    # the kill came after the first revision's tables were created, before the commit:
    # none of them may be left behind
    assert not {"attendee", "inbound_message", "outbox"} & _tables(_db(bot))
    _works_afterwards(bot, tmp_path)


def test_a_half_made_store_of_an_older_version_is_repaired(tmp_path):
    # what the old, non-transactional migration left after a kill: some tables, no version
    bot = _fresh_bot(tmp_path)
    bot.storage.mkdir(parents=True)
    with sqlite3.connect(_db(bot)) as conn:
        conn.execute("CREATE TABLE attendee (id INTEGER PRIMARY KEY, key VARCHAR NOT NULL)")
        conn.execute("CREATE TABLE inbound_message (id INTEGER PRIMARY KEY, message_id VARCHAR)")
        conn.execute("CREATE TABLE _alembic_tmp_outbox (id INTEGER PRIMARY KEY)")
    _works_afterwards(bot, tmp_path)
    assert "_alembic_tmp_outbox" not in _tables(_db(bot))


def test_a_store_with_data_but_no_version_is_refused_in_one_line(tmp_path):
    bot = _fresh_bot(tmp_path)
    bot.storage.mkdir(parents=True)
    with sqlite3.connect(_db(bot)) as conn:
        conn.execute("CREATE TABLE attendee (id INTEGER PRIMARY KEY, key VARCHAR NOT NULL)")
        conn.execute("INSERT INTO attendee (key) VALUES ('someone')")
    run = bot.run("export", "--format", "json", check=False)
    assert run.returncode == 3, str(run)
    message = run.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "attendee" in message and "Traceback" not in message
    with sqlite3.connect(_db(bot)) as conn:  # refused, not "repaired" away
        assert conn.execute("SELECT count(*) FROM attendee").fetchone() == (1,)


def test_a_storage_error_is_one_line(tmp_path):
    bot = _fresh_bot(tmp_path)
    bot.storage.mkdir(parents=True)
    _db(bot).write_bytes(b"this is not a database" * 100)
    run = bot.run("export", "--format", "json", check=False)
    assert run.returncode == 3, str(run)
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "SELECT" not in run.stderr and "Traceback" not in run.stderr


@pytest.mark.slow
def test_kills_at_random_moments_of_the_first_start_never_break_the_store(tmp_path):
    rng = random.Random(20171130)
    broken = []
    for attempt in range(12):
        bot = _fresh_bot(tmp_path / f"try{attempt}")
        proc = botrun.start_cli(["--config", str(bot.config), "--storage", str(bot.storage),
                                 "--now", bot.now, "poll", "--once"], env=bot.env)
        deadline = time.monotonic() + 30
        while not _db(bot).exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)  # polling for the file is the condition we wait on
        time.sleep(rng.uniform(0, 0.06))  # then kill somewhere inside the setup
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        after = bot.run("export", "--format", "json", check=False)
        if after.returncode != 0:
            broken.append(str(after))
    assert not broken, broken[0]
