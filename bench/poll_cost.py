"""Poll cost: what a poll that finds nothing new costs, with 1,000 and 50,000
handled messages behind it.

Two shapes of "nothing new", per size N:

* empty-inbox (the usual one): N handled messages were moved to Verwerkt, the
  INBOX is empty, the bot's last_uid is the INBOX's top UID;
* inbox-history: N messages older than process_since stay in the INBOX (the
  bot records those as skipped and never moves them), last_uid at the top.

The mailbox is filled with MULTIAPPEND and the bot's state is written
directly (mailbox_state.last_uid at the top, N inbound_message rows and N sent
outbox rows), instead of handling N messages first; a first poll checks that
nothing is found. Then, in-process with a Bot built once (no interpreter
start-up): polls as `run` makes them, over the IMAP connection it keeps
between polls (the figure with the target), counting IMAP commands and bytes;
cold polls that connect, log in and select each time; and `mailbot poll
--once` as a subprocess.

    .venv/bin/python bench/poll_cost.py                       # 1,000 and 50,000
    .venv/bin/python bench/poll_cost.py --sizes 1000,5000 --polls 20 --cli-runs 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

TARGET_MS = 20.0
OLD = datetime(2017, 10, 2, 10, 0, tzinfo=h.CET)  # before process_since (2017-11-01)


def _messages(n: int, seed: int, *, old: bool) -> list[tuple[bytes, datetime]]:
    """n replies: 500 generated ones repeated with fresh Message-IDs (the content of
    handled mail does not matter to a poll that finds nothing new)."""
    base = h.replies(min(n, 500), seed, attachment_every=0)
    out = []
    for i in range(n):
        r = base[i % len(base)]
        raw = r.raw if i < len(base) else r.raw.replace(r.message_id.encode(), f"<bench-{i}@poll.cost>".encode(), 1)
        date = OLD + timedelta(minutes=i % 40000) if old else r.date
        out.append((raw, date))
    return out


def _prepare(srv: h.Servers, inst: h.Installation, n: int, shape: str, seed: int) -> float:
    """Fill the mailbox and the bot's state for `shape`; returns the fill time."""
    t0 = time.perf_counter()
    h.fill(srv, "INBOX", _messages(n, seed, old=shape == "inbox-history"))
    client = srv.imap(timeout=600)
    try:
        if shape == "empty-inbox":
            client.create_folder("Verwerkt")
            client.select_folder("INBOX")
            uids = sorted(client.search("ALL"))
            for i in range(0, len(uids), 1000):  # as the bot acknowledges: flag, then MOVE
                client.add_flags(uids[i:i + 1000], [b"\\Seen"])
                client.move(uids[i:i + 1000], "Verwerkt")
        info = client.select_folder("INBOX", readonly=True)
        uidvalidity, top = int(info[b"UIDVALIDITY"]), int(info[b"UIDNEXT"]) - 1
    finally:
        client.logout()
    _write_state(inst, n, uidvalidity, top)
    return time.perf_counter() - t0


def _write_state(inst: h.Installation, n: int, uidvalidity: int, top: int) -> None:
    """The bot's memory of N handled messages, and where it stopped."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from mailbot import db, store

    bot = inst.bot()
    cfg = bot.config.imap
    source = f"imap:{cfg.user}@{cfg.host}/{cfg.folder}"
    now = datetime(2017, 11, 15, 12, 0, tzinfo=h.CET)
    with bot.engine.begin() as conn:
        conn.execute(insert(db.InboundMessage), [
            {"message_id": f"<handled-{i}@poll.cost>", "source": source, "uidvalidity": uidvalidity, "uid": i + 1,
             "size": 12000, "received_at": now, "from_addr": f"p{i}@zwolle.nl", "subject": "RE: Uitnodiging",
             "outcome": "recorded", "kind": "human", "rules": "[]"} for i in range(n)])
        conn.execute(insert(db.Outbox), [
            {"message_id": f"<reply-{i}@g32.nl>", "kind": "confirmation", "to": f'["p{i}@zwolle.nl"]',
             "subject": "Bevestiging", "in_reply_to": f"<handled-{i}@poll.cost>",
             "source_message_id": f"<handled-{i}@poll.cost>", "raw": b"x" * 2000, "status": "sent",
             "attempts": 1, "created_at": now, "sent_at": now} for i in range(n)])
    with Session(bot.engine) as s, s.begin():
        st = store.mailbox_state(s, source)
        st.uidvalidity, st.last_uid = uidvalidity, top
        s.add(st)
    bot.engine.dispose()


def _in_process(inst: h.Installation, polls: int) -> dict:
    """Polls as `run` makes them (the IMAP connection kept between polls: NOOP, UID SEARCH), and,
    for comparison, cold polls that connect, log in and select each time (as `poll --once`)."""
    from mailbot import scheduler
    from mailbot.service import poll_once

    bot = inst.bot()
    now = datetime.fromisoformat(h.NOW)
    counter = h.ImapCounter()
    found = scheduler._poll_kept(bot, now)  # opens the kept connection; also warms caches
    times, cold = [], []
    per_poll = None
    with counter.installed():
        for _ in range(polls):
            counter.reset()
            t0 = time.perf_counter()
            found += scheduler._poll_kept(bot, now)
            times.append((time.perf_counter() - t0) * 1000)
            per_poll = dict(counter.commands), counter.bytes_read
        for _ in range(max(3, polls // 3)):
            counter.reset()
            t0 = time.perf_counter()
            found += poll_once(bot, now=now)
            cold.append((time.perf_counter() - t0) * 1000)
            cold_commands = sum(counter.commands.values())
    scheduler._drop_mailbox()
    bot.engine.dispose()
    assert per_poll is not None
    return {"found": len(found), "median_ms": statistics.median(times), "p95_ms": h.percentile(times, 95),
            "min_ms": min(times), "commands": sum(per_poll[0].values()), "command_names": per_poll[0],
            "bytes_read": per_poll[1], "cold_ms": statistics.median(cold), "cold_commands": cold_commands}


def _cli(inst: h.Installation, runs: int) -> float:
    times = [inst.run("poll", "--once").seconds * 1000 for _ in range(runs)]
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,50000", help="handled messages per case (default 1000,50000)")
    ap.add_argument("--shapes", default="empty-inbox,inbox-history")
    ap.add_argument("--polls", type=int, default=200, help="in-process polls per case (median reported)")
    ap.add_argument("--cli-runs", type=int, default=3, help="`mailbot poll --once` runs per case")
    ap.add_argument("--seed", type=int, default=32)
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    shapes = args.shapes.split(",")

    print(f"poll cost: nothing new, sizes {sizes}, {h.load()}", flush=True)
    rows = []
    for shape in shapes:
        for n in sizes:
            with h.start_servers() as srv:
                inst = h.install(srv, srv.workdir / "bot")
                fill = _prepare(srv, inst, n, shape, args.seed)
                r = _in_process(inst, args.polls)
                cli_ms = _cli(inst, args.cli_runs) if args.cli_runs else float("nan")
                r.update(shape=shape, n=n, cli_ms=cli_ms)
                rows.append(r)
                names = ", ".join(f"{k} {v}" if v > 1 else k for k, v in sorted(r["command_names"].items()))
                print(f"  {shape:13s} N={n:6d}: poll (kept connection) median {r['median_ms']:.1f} ms "
                      f"(p95 {r['p95_ms']:.1f}, min {r['min_ms']:.1f}); {r['commands']} IMAP commands ({names}), "
                      f"{r['bytes_read']} bytes read; cold poll {r['cold_ms']:.1f} ms ({r['cold_commands']} "
                      f"commands); CLI poll --once {cli_ms:.0f} ms; "
                      f"fill {fill:.0f} s  [{h.load()}]", flush=True)
                if r["found"]:
                    print(f"  WARNING: the polls found {r['found']} messages; the state was not at the top",
                          file=sys.stderr)
    for shape in shapes:
        mine = [r for r in rows if r["shape"] == shape]
        if len(mine) >= 2:
            small, big = mine[0], mine[-1]
            ratio = big["median_ms"] / small["median_ms"]
            print(f"  {shape}: N={big['n']} / N={small['n']} = {ratio:.2f}x (target <= 1.5x); "
                  f"target < {TARGET_MS:.0f} ms: {'met' if max(r['median_ms'] for r in mine) < TARGET_MS else 'NOT met'}")
    h.result("poll_cost", cases=[{k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()
                                  if k != "command_names"} for r in rows])
    return 0


if __name__ == "__main__":
    sys.exit(main())
