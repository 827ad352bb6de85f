"""Memory: peak RSS of `mailbot poll --once`, and how many bytes it fetched.

Two runs, each a fresh bot (own storage) on the same Dovecot account:

1. backlog: N ordinary replies (as bench/backlog.py);
2. large: M registrations carrying a 10 MB attachment (about 13.7 MB on the
   wire, above the default [limits] max_message_bytes = 10,000,000). Mail over
   1 MB is read part by part (BODYSTRUCTURE, the header, the text parts), so
   these are recorded and answered like any reply while their attachments
   stay on the server: fetched MB should be a sliver of mailbox MB.

Peak RSS is the child's VmHWM (/proc/<pid>/status, sampled every 10 ms; its
ru_maxrss would include this harness's own size, inherited through fork); beside it,
the peak of the bot's and its reader processes' resident memory together
(sampled from /proc, so a slight underestimate of a short peak). Bytes fetched are what
Dovecot sent to the bot's sessions (its "Logged out ... out=" and
"body_bytes=" figures).

    .venv/bin/python bench/memory.py                  # N=1000, M=20
    .venv/bin/python bench/memory.py --n 5000 --large 200   # the issue's sizes
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

TARGET_MB = 250
ATTACHMENT = 10_000_000


def _poll(srv: h.Servers, inst: h.Installation) -> tuple[h.Run, dict[str, int]]:
    before = len(srv.logout_lines())
    run = inst.run("poll", "--once")
    # the bot's session logs out before the process exits; its line is written at once
    return run, h.dovecot_bytes(srv.logout_lines()[before:])


def _line(label: str, run: h.Run, sent: dict[str, int], msgs: int, size: int) -> dict:
    rss = run.maxrss_kb / 1024
    tree = run.tree_rss_kb / 1024
    out = sent.get("out", 0)
    body = sent.get("body_bytes", 0)
    summary = (run.stdout.strip().splitlines() or [""])[-1]
    print(f"  {label:28s} peak RSS {rss:6.0f} MB (with reader processes {tree:.0f} MB); fetched {out / 1e6:8.1f} MB (bodies {body / 1e6:.1f} MB) "
          f"of {size / 1e6:.1f} MB in {msgs} messages; {run.seconds:.1f} s; {summary}  [{h.load()}]", flush=True)
    return {"case": label, "maxrss_mb": round(rss, 1), "tree_rss_mb": round(tree, 1), "fetched_mb": round(out / 1e6, 2),
            "body_mb": round(body / 1e6, 2), "mailbox_mb": round(size / 1e6, 2), "messages": msgs,
            "seconds": round(run.seconds, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="ordinary replies (default 1000; the issue: 5000)")
    ap.add_argument("--large", type=int, default=20, help="replies with a 10 MB attachment (default 20; issue: 200)")
    ap.add_argument("--seed", type=int, default=32)
    args = ap.parse_args(argv)

    print(f"memory: backlog of {args.n}, {args.large} replies with a 10 MB attachment, {h.load()}", flush=True)
    rows = []
    with h.start_servers() as srv:
        if args.n:
            made = h.replies(args.n, args.seed)
            h.fill(srv, "INBOX", ((r.raw, r.date) for r in made))
            inst = h.install(srv, srv.workdir / "backlog")
            run, sent = _poll(srv, inst)
            rows.append(_line(f"backlog {args.n}", run, sent, args.n, sum(len(r.raw) for r in made)))

        if args.large:
            factory = h.ReplyFactory(args.seed + 1, attachment_every=0)
            blob = random.Random(args.seed).randbytes(ATTACHMENT)
            big = [factory.make("register", attachment=blob) for _ in range(args.large)]
            size = sum(len(r.raw) for r in big)
            h.fill(srv, "INBOX", ((r.raw, r.date) for r in big), chunk_count=10)
            inst = h.install(srv, srv.workdir / "large")
            run, sent = _poll(srv, inst)
            rows.append(_line(f"{args.large} x 10 MB attachment", run, sent, args.large, size))

    worst = max(r["maxrss_mb"] for r in rows)
    worst_tree = max(r["tree_rss_mb"] for r in rows)
    print(f"  target < {TARGET_MB} MB peak RSS: {'met' if worst < TARGET_MB else 'NOT met'} (worst {worst:.0f} MB; "
          f"with reader processes {worst_tree:.0f} MB: {'met' if worst_tree < TARGET_MB else 'NOT met'})")
    h.result("memory", cases=rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
