"""Backlog: N replies waiting in Dovecot, one `mailbot poll --once`, end to end.

Times the real command in a subprocess (interpreter start-up, IMAP fetch,
understanding, recording, every confirmation delivered to the SMTP server,
MOVE to Verwerkt) and, in the same run on the same messages, a plain
imapclient fetch of the INBOX as the bot fetches it (the ceiling: what the
mail server and the protocol cost alone). Replies delivered are counted at
the SMTP server by In-Reply-To.

    .venv/bin/python bench/backlog.py              # 500 replies
    .venv/bin/python bench/backlog.py --n 5000     # the issue's size
    .venv/bin/python bench/backlog.py --n 500 --profile /tmp/backlog.html   # pyinstrument
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

TARGET = 300.0  # messages per second, end to end


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=500, help="replies in the backlog (default 500; the issue: 5000)")
    ap.add_argument("--seed", type=int, default=32)
    ap.add_argument("--profile", type=Path, default=None,
                    help="run the poll under pyinstrument and write its report here (.html or .txt)")
    ap.add_argument("--py-spy", type=Path, default=None, dest="py_spy",
                    help="run the poll under py-spy (200 Hz, low overhead) and write collapsed stacks here")
    args = ap.parse_args(argv)

    print(f"backlog: {args.n} replies, {h.load()}", flush=True)
    with h.start_servers() as srv:
        made = h.replies(args.n, args.seed)
        t0 = time.perf_counter()
        h.fill(srv, "INBOX", ((r.raw, r.date) for r in made))
        size = sum(len(r.raw) for r in made)
        print(f"  filled INBOX: {args.n} messages, {size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s",
              flush=True)

        count, fetched, ceiling = h.plain_fetch(srv)
        print(f"  ceiling (imapclient fetch only): {count} messages, {fetched / 1e6:.1f} MB in {ceiling:.2f} s "
              f"= {count / ceiling:.0f} msg/s  [{h.load()}]", flush=True)

        inst = h.install(srv, srv.workdir / "bot")
        with h.CpuMeter(srv) as meter:
            if args.profile is not None:
                run = _profiled(inst, args.profile)
            elif args.py_spy is not None:
                run = _profiled(inst, args.py_spy, spy=True)
            else:
                run = inst.run("poll", "--once")
        cpu = {**run.cpu, "smtp": meter.harness, "dovecot": meter.dovecot}
        answered = {r.message_id for r in made if r.answered}
        got = h.delivered(srv, {r.message_id for r in made})
        rate = args.n / run.seconds
        summary = (run.stdout.strip().splitlines() or [""])[-1]
        print(f"  mailbot poll --once: {run.seconds:.2f} s = {rate:.1f} msg/s  [{h.load()}]")
        print(f"    {summary}")
        print(f"    replies delivered at the SMTP server: {len(got)} (expected {len(answered)}); "
              f"peak RSS {run.maxrss_kb / 1024:.0f} MB (with reader processes {run.tree_rss_kb / 1024:.0f} MB)")
        if run.cpu:
            per = {k: 1000 * v / args.n for k, v in cpu.items()}
            print(f"    CPU per message: bot {per['bot']:.2f} ms + readers {per['readers']:.2f} + SMTP sink "
                  f"{per['smtp']:.2f} + Dovecot {per['dovecot']:.2f} = {sum(per.values()):.2f} ms "
                  f"({sum(cpu.values()) / run.seconds:.2f} of {os.cpu_count()} cores busy); at {TARGET:.0f} msg/s "
                  f"the machine has {1000 * (os.cpu_count() or 1) / TARGET:.2f} ms a message")
        print(f"  ratio ceiling/bot: {run.seconds / ceiling:.1f}x slower than the fetch alone; "
              f"target >= {TARGET:.0f} msg/s end to end: {'met' if rate >= TARGET else 'NOT met'}")
        if len(got) != len(answered):
            irt = {_irt(m) for m in got}
            kinds = {r.message_id: r.kind for r in made}
            missing = sorted(answered - irt)
            extra = sorted(irt - answered)
            print(f"  note: {len(missing)} expected replies did not arrive "
                  f"({', '.join(f'{kinds[m]} {m}' for m in missing[:5])}); {len(extra)} unexpected "
                  f"({', '.join(f'{kinds[m]} {m}' for m in extra[:5])})", file=sys.stderr)
        h.result("backlog", n=args.n, seconds=round(run.seconds, 2), msg_per_s=round(rate, 1),
                 ceiling_seconds=round(ceiling, 2), ceiling_msg_per_s=round(count / ceiling, 1),
                 ratio=round(run.seconds / ceiling, 1), delivered=len(got), expected=len(answered),
                 outcome=_counts(summary), maxrss_mb=round(run.maxrss_kb / 1024, 1),
                 cpu_ms_per_msg={k: round(1000 * v / args.n, 2) for k, v in cpu.items()} if run.cpu else {},
                 cores=os.cpu_count())
    return 0


def _irt(m) -> str:
    import email
    from email import policy

    head = m.data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    return str(email.message_from_bytes(head, policy=policy.default)["In-Reply-To"]).strip()


def _counts(summary: str) -> dict[str, int]:
    return {k: int(v) for v, k in re.findall(r"(\d+) (\w+)", summary.partition("(")[2])}


def _profiled(inst: h.Installation, out: Path, spy: bool = False) -> h.Run:
    """The same command under pyinstrument or py-spy (wall-clock samples; the report goes to `out`)."""
    tool = h.REPO / ".venv" / "bin" / ("py-spy" if spy else "pyinstrument")
    if not tool.exists():
        raise SystemExit(f"{tool.name} is not installed: .venv/bin/pip install {tool.name}")
    full = inst.args("poll", "--once")
    if spy:
        cmd = [str(tool), "record", "--idle", "-r", "200", "-f", "raw", "-o", str(out), "--", *full]
    else:
        renderer = "html" if out.suffix == ".html" else "text"
        cmd = [str(tool), "-r", renderer, "-o", str(out), *full]
    import subprocess

    started = time.perf_counter()
    proc = subprocess.run(cmd, env=inst.full_env(), cwd=h.REPO, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"profiled poll failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    print(f"  profile written to {out} (timings include the profiler's overhead)")
    return h.Run(tuple(full), 0, proc.stdout, proc.stderr, elapsed, 0)


if __name__ == "__main__":
    sys.exit(main())
