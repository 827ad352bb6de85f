"""Latency: `mailbot run` woken by IMAP IDLE, from APPEND to the confirmation at the SMTP server.

The bot runs as an operator runs it (`mailbot run`, real clock, no --now)
with poll_interval = 300 s, so only IDLE triggers polls. Replies are APPENDed
one at a time at random intervals (0.1-1.0 s); each latency is the time from
the APPEND command to the arrival of the answer (matched by In-Reply-To) at
the SMTP server. A warm-up reply, answered before the clock starts, makes
sure the IDLE watcher is connected. Before the bot starts, a bare imapclient
IDLE on another folder measures the server's own push delay (Dovecot holds
change notifications back for 500 ms: NOTIFY_DELAY_MSECS in
src/lib-storage/index/index-mailbox-check.c), so the bot's share shows apart.

    .venv/bin/python bench/latency.py            # 100 replies
    .venv/bin/python bench/latency.py --n 200    # the issue's size
"""

from __future__ import annotations

import argparse
import contextlib
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
import faultkit  # noqa: E402  (tests/faultkit.py, on the path through _harness)

TARGET_P50, TARGET_P95 = 0.5, 1.5


def _wait_for(srv: h.Servers, ids: set[str], timeout: float) -> dict[str, float]:
    """Arrival time (time.time()) of the answer to each of `ids`, as far as they arrive."""
    deadline = time.monotonic() + timeout
    while True:
        got = {_irt(m): m.received_at for m in h.delivered(srv, ids)}
        if len(got) >= len(ids) or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def _irt(m) -> str:
    import email
    from email import policy

    head = m.data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    return str(email.message_from_bytes(head, policy=policy.default)["In-Reply-To"]).strip()


def _idle_floor(srv: h.Servers, n: int, rng: random.Random) -> list[float]:
    """APPEND -> EXISTS seen by a bare imapclient IDLE on another folder: what the server's
    push costs before any bot does anything (Dovecot delays change notifications)."""
    import threading

    watcher, writer = srv.imap(), srv.imap()
    writer.create_folder("Probe")
    watcher.select_folder("Probe", readonly=True)
    seen: dict[int, float] = {}
    stop = threading.Event()

    def watch() -> None:
        watcher.idle()
        while not stop.is_set():
            for resp in watcher.idle_check(timeout=0.2):
                if len(resp) > 1 and resp[1] == b"EXISTS":
                    seen.setdefault(int(resp[0]), time.time())
        watcher.idle_done()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    time.sleep(0.3)
    sent = {}
    for i in range(1, n + 1):
        time.sleep(rng.uniform(0.3, 0.8))
        sent[i] = time.time()
        writer.append("Probe", b"From: a@b.nl\r\nSubject: probe\r\n\r\nprobe\r\n")
    time.sleep(1.5)
    stop.set()
    thread.join(5)
    for c in (watcher, writer):
        with contextlib.suppress(Exception):
            c.logout()
    return [seen[i] - sent[i] for i in sent if i in seen]


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100, help="replies to append (default 100; the issue: 200)")
    ap.add_argument("--min-gap", type=float, default=0.1)
    ap.add_argument("--max-gap", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=32)
    ap.add_argument("--log", type=Path, default=None, help="keep the bot's log (stderr) in this file")
    args = ap.parse_args(argv)

    print(f"latency: {args.n} replies, one every {args.min_gap}-{args.max_gap} s, {h.load()}", flush=True)
    factory = h.ReplyFactory(args.seed, attachment_every=0)
    made: list[h.Reply] = []
    while len(made) < args.n + 1:
        r = factory.make()
        if r.answered:
            made.append(r)
    warmup, made = made[0], made[1:]
    rng = random.Random(args.seed)

    with h.start_servers() as srv:
        floor = _idle_floor(srv, 20, random.Random(args.seed))
        print(f"  server push alone (APPEND -> EXISTS at a bare IDLE client, {len(floor)} probes): "
              f"p50 {h.percentile(floor, 50):.3f} s, p95 {h.percentile(floor, 95):.3f} s", flush=True)
        inst = h.install(srv, srv.workdir / "bot", poll_interval=300)
        log_path = args.log or srv.workdir / "run.log"
        log = log_path.open("wb")
        started = time.perf_counter()
        proc = inst.popen("run", now=None, stdout=log, stderr=subprocess.STDOUT)
        sent: dict[str, float] = {}
        try:
            client = srv.imap()
            t0 = time.time()
            client.append("INBOX", warmup.raw)
            first = _wait_for(srv, {warmup.message_id}, timeout=120)
            if not first:
                log.flush()
                raise SystemExit("the bot never answered the warm-up reply; its log:\n" + _tail(log_path))
            print(f"  bot up and answering after {time.perf_counter() - started:.1f} s "
                  f"(warm-up answered in {first[warmup.message_id] - t0:.2f} s)  [{h.load()}]", flush=True)
            for r in made:
                time.sleep(rng.uniform(args.min_gap, args.max_gap))
                sent[r.message_id] = time.time()
                client.append("INBOX", r.raw)
            arrived = _wait_for(srv, set(sent), timeout=60)
            with contextlib.suppress(Exception):
                client.logout()
        finally:
            faultkit.terminate(proc, 20)
            log.close()
        lat = [arrived[m] - sent[m] for m in sent if m in arrived]
        for m in sorted((m for m in sent if m in arrived), key=lambda m: sent[m] - arrived[m])[:3]:
            print(f"  slowest: {m} appended {time.strftime('%H:%M:%S', time.localtime(sent[m]))}"
                  f".{int(sent[m] % 1 * 1000):03d}, answered after {arrived[m] - sent[m]:.3f} s")
        missing = len(sent) - len(lat)
        p50, p95 = h.percentile(lat, 50), h.percentile(lat, 95)
        worst = max(lat) if lat else float("nan")
        print(f"  APPEND -> answer at SMTP: p50 {p50:.3f} s, p95 {p95:.3f} s, max {worst:.3f} s "
              f"over {len(lat)} replies; {missing} unanswered  [{h.load()}]")
        print(f"  target p50 < {TARGET_P50} s: {'met' if p50 < TARGET_P50 else 'NOT met'}; "
              f"p95 < {TARGET_P95} s: {'met' if p95 < TARGET_P95 else 'NOT met'}")
        if missing:
            print(f"  WARNING: {missing} replies unanswered after 60 s; the bot's log:\n"
                  + _tail(log_path), file=sys.stderr)
        f50 = h.percentile(floor, 50)
        print(f"  the bot's own share at p50 (beyond the server's push): {p50 - f50:.3f} s")
        h.result("latency", n=len(sent), p50_s=round(p50, 3), p95_s=round(p95, 3), max_s=round(worst, 3),
                 unanswered=missing, push_p50_s=round(f50, 3), push_p95_s=round(h.percentile(floor, 95), 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
