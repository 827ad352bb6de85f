"""Handling a backlog as a batch changes nothing but speed: reader processes
(mailbot.readers), the registry held in memory (store.BatchRegistry) and the
rows written together (store.Appends).

What a user notices: a large backlog is caught up on two cores, and every
message is decided, answered and recorded exactly as one read after the
other, each in its own transaction, would be; if a reader process dies, the
batch is still handled in full, each message once.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import time
from datetime import datetime
from pathlib import Path

from mailbot import config, readers
from mailbot.mail.base import Fetched
from mailbot.service import MEMORY_REGISTRY_FROM, export, open_bot, process, process_batch

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus"
NOW = datetime.fromisoformat("2017-11-16T09:00:00+01:00")


def _backlog() -> list[Fetched]:
    """Every corpus message, case after case, each case in its own order."""
    out = []
    for case in sorted(CORPUS.glob("[0-9]*-*")):
        for f in sorted(case.glob("*.eml"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0)):
            out.append(Fetched(raw=f.read_bytes(), ref=f"{case.name}/{f.name}"))
    return out


def _bot(storage: Path, workers: int):
    cfg = config.load(REPO / "config.toml", storage=storage)
    return open_bot(dataclasses.replace(cfg, reading_workers=workers))


def _comparable(state: dict) -> dict:
    return {"attendees": state["attendees"],
            "outbox": sorted((tuple(o["to"]), o["kind"], o["in_reply_to"] or "") for o in state["outbox"]),
            "review": sorted((r["message_id"] or "", r["reason"]) for r in state["review"])}


def _run(storage: Path, workers: int, before=None) -> tuple[list, dict]:
    bot = _bot(storage, workers)
    try:
        if before is not None:
            before(bot)
        results = process_batch(bot, _backlog(), now=NOW, source="backlog")
        return [(r.message_id, r.outcome, r.replies) for r in results], _comparable(export(bot))
    finally:
        bot.readers.close()
        bot.engine.dispose()


def test_reader_processes_decide_exactly_as_in_process(tmp_path):
    batch = _backlog()
    assert len(batch) >= readers.MIN_BATCH

    alone = _run(tmp_path / "alone", workers=0)
    parallel = _run(tmp_path / "parallel", workers=2)

    assert parallel == alone
    outcomes = {outcome for _mid, outcome, _n in alone[0]}
    assert "recorded" in outcomes and sum(n for *_, n in alone[0]) > 30  # a real backlog, really answered


def test_a_reader_process_killed_mid_batch_loses_nothing(tmp_path, caplog):
    reference = _run(tmp_path / "reference", workers=0)

    def kill_readers(bot) -> None:
        pool = bot.readers._executor()
        pool.submit(os.getpid).result(timeout=60)  # the worker is up
        for p in list(pool._processes.values()):
            os.kill(p.pid, signal.SIGKILL)
        time.sleep(0.2)

    survived = _run(tmp_path / "killed", workers=1, before=kill_readers)

    assert survived == reference
    assert "reader processes failed" in caplog.text  # read here instead, not silently skipped


def test_a_batch_decides_exactly_as_one_message_at_a_time(tmp_path):
    batch = _backlog()
    assert len(batch) >= MEMORY_REGISTRY_FROM

    together = _run(tmp_path / "batch", workers=0)

    bot = _bot(tmp_path / "one-by-one", workers=0)
    try:
        results = [process(bot, f.raw, now=NOW, source="backlog") for f in batch]
        alone = ([(r.message_id, r.outcome, r.replies) for r in results], _comparable(export(bot)))
    finally:
        bot.engine.dispose()

    assert together == alone


_BOT_WITH_READERS = """
import dataclasses, sys, time
from pathlib import Path
from mailbot import config
from mailbot.service import open_bot
repo, storage = Path(sys.argv[1]), Path(sys.argv[2])
bot = open_bot(dataclasses.replace(config.load(repo / "config.toml", storage=storage), reading_workers=1))
raws = [p.read_bytes() for p in sorted((repo / "tests" / "corpus").rglob("*.eml"))][:32]
assert len(list(bot.readers.prepare_all([(r, True) for r in raws]))) == len(raws)
print(" ".join(str(pid) for pid in bot.readers._pool._processes), flush=True)
time.sleep(600)
"""


def _gone(pid: int) -> bool:
    """Exited: no /proc entry, or a zombie nobody has reaped yet."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return True


def test_reader_processes_do_not_outlive_a_killed_bot(tmp_path):
    """kill -9 (or the OOM killer) gives the bot no chance to stop its readers; they must not
    linger, holding memory, after it."""
    import subprocess
    import sys

    bot = subprocess.Popen([sys.executable, "-c", _BOT_WITH_READERS, str(REPO), str(tmp_path)],
                           stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        pids = [int(x) for x in bot.stdout.readline().split()]
        assert pids, "the bot started no reader process"
        assert not any(_gone(p) for p in pids)
    finally:
        bot.kill()
        bot.wait(timeout=30)
    deadline = time.monotonic() + 10 * readers.PARENT_CHECK + 5
    while not all(_gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [p for p in pids if not _gone(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert not left, f"reader processes still running after their bot was killed: {left}"
