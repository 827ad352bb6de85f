"""Run every benchmark and end with one summary table (`make bench` runs it with
--full, `make bench-quick` without).

Each benchmark runs in its own process with its output shown as it comes;
its last ``RESULT {json}`` line feeds the table. bench/understand.py (the
core's throughput, another benchmark's) is run too when present, and its
"N messages/s" line is taken.

    .venv/bin/python bench/summary.py            # quick sizes (a few minutes)
    .venv/bin/python bench/summary.py --full     # the issue's sizes (about 15 minutes)
    .venv/bin/python bench/summary.py --only backlog,poll_cost
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

BENCH = Path(__file__).resolve().parent
QUICK = {
    "backlog": ["--n", "500"],
    "poll_cost": ["--sizes", "1000,50000", "--polls", "20", "--cli-runs", "2"],
    "latency": ["--n", "100"],
    "memory": ["--n", "1000", "--large", "5"],
    "understand": ["--messages", "600"],
    "desk": ["--quick"],
}
FULL = {
    "backlog": ["--n", "5000"],
    "poll_cost": ["--sizes", "1000,50000", "--polls", "200", "--cli-runs", "3"],
    "latency": ["--n", "200"],
    "memory": ["--n", "5000", "--large", "200"],
    "understand": ["--messages", "3000"],
    "desk": [],
}


def run(name: str, args: list[str]) -> tuple[dict | None, str, float]:
    """Run bench/<name>.py, echoing its output; returns (RESULT json, output, seconds)."""
    print(f"== bench/{name}.py {' '.join(args)}", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(BENCH / f"{name}.py"), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=h.REPO)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if not line.startswith("RESULT "):
            print(line, end="", flush=True)
    proc.wait()
    seconds = time.perf_counter() - started
    out = "".join(lines)
    found = [ln for ln in lines if ln.startswith("RESULT ")]
    if proc.returncode != 0:
        print(f"   bench/{name}.py exited {proc.returncode}", flush=True)
    return (json.loads(found[-1][len("RESULT "):]) if found else None), out, seconds


def table(results: dict[str, tuple[dict | None, str, float]]) -> list[tuple[str, str, str, str]]:
    """(figure, value, target, load) rows."""
    rows: list[tuple[str, str, str, str]] = []

    def ld(r: dict | None) -> str:
        return f"{r['load']:.2f}" if r and "load" in r else "-"

    if "backlog" in results:
        r = results["backlog"][0]
        if r:
            rows.append((f"backlog {r['n']}: poll --once end to end", f"{r['seconds']:.1f} s = {r['msg_per_s']:.1f} msg/s",
                         ">= 300 msg/s", ld(r)))
            rows.append(("  ceiling: imapclient fetch alone", f"{r['ceiling_seconds']:.2f} s = "
                         f"{r['ceiling_msg_per_s']:.0f} msg/s (bot {r['ratio']:.0f}x slower)", "-", ld(r)))
            rows.append(("  replies delivered at SMTP", f"{r['delivered']} of {r['expected']} expected", "all", ld(r)))
            cpu = r.get("cpu_ms_per_msg")
            if cpu:
                budget = 1000 * (r.get("cores") or 1) / 300
                rows.append(("  CPU a message: bot + readers + SMTP + Dovecot",
                             f"{cpu['bot']:.1f} + {cpu['readers']:.1f} + {cpu['smtp']:.1f} + {cpu['dovecot']:.1f} "
                             f"= {sum(cpu.values()):.1f} ms", f"<= {budget:.1f} ms", ld(r)))
    if "poll_cost" in results:
        r = results["poll_cost"][0]
        if r:
            for c in r["cases"]:
                rows.append((f"no-new-mail poll, {c['shape']} N={c['n']}",
                             f"{c['median_ms']:.1f} ms ({c['commands']} IMAP cmds); cold "
                             f"{c['cold_ms']:.0f} ms; CLI {c['cli_ms']:.0f} ms", "< 20 ms", ld(r)))
            for shape in dict.fromkeys(c["shape"] for c in r["cases"]):
                mine = [c for c in r["cases"] if c["shape"] == shape]
                if len(mine) >= 2:
                    rows.append((f"  {shape}: N={mine[-1]['n']} vs N={mine[0]['n']}",
                                 f"{mine[-1]['median_ms'] / mine[0]['median_ms']:.2f}x", "<= 1.5x", ld(r)))
    if "latency" in results:
        r = results["latency"][0]
        if r:
            rows.append((f"IDLE latency, {r['n']} replies (p50 / p95 / max)",
                         f"{r['p50_s']:.2f} / {r['p95_s']:.2f} / {r['max_s']:.2f} s"
                         + (f", {r['unanswered']} unanswered" if r["unanswered"] else ""),
                         "p50 < 0.5 s, p95 < 1.5 s", ld(r)))
            if "push_p50_s" in r:
                rows.append(("  server push alone (bare IDLE client, p50 / p95)",
                             f"{r['push_p50_s']:.2f} / {r['push_p95_s']:.2f} s; bot's share at p50 "
                             f"{r['p50_s'] - r['push_p50_s']:.2f} s", "-", ld(r)))
    if "memory" in results:
        r = results["memory"][0]
        if r:
            for c in r["cases"]:
                rows.append((f"peak RSS, {c['case']}", f"{c['maxrss_mb']:.0f} MB (with readers "
                             f"{c.get('tree_rss_mb', c['maxrss_mb']):.0f} MB); fetched {c['fetched_mb']:.1f} of "
                             f"{c['mailbox_mb']:.1f} MB", "< 250 MB", ld(r)))
    if "understand" in results:
        _, out, _ = results["understand"]
        m = re.search(r"^(\d+) messages/s understood", out, re.M)
        rows.append(("core: understand + decide (bench/understand.py)",
                     f"{m.group(1)} msg/s" if m else "no figure", ">= 300 msg/s", "-"))
    if "desk" in results:
        r = results["desk"][0]
        if r:
            for p in r["pages"]:
                codes = "" if set(p["status"]) == {"200"} else f"; HTTP {','.join(sorted(p['status']))}"
                rows.append((f"desk page {p['page']} (p50 / p95 / max)",
                             f"{p['p50_ms']:.0f} / {p['p95_ms']:.0f} / {p['max_ms']:.0f} ms (desk CPU "
                             f"{p['cpu_ms']:.0f} ms){codes}", "p95 < 200 ms", ld(r)))
            for d in r["downloads"]:
                rows.append((f"desk download {d['page']} (p50 / max)",
                             f"{d['p50_ms'] / 1000:.2f} / {d['max_ms'] / 1000:.2f} s",
                             "< 1 s" if d.get("attendee_list") else "-", ld(r)))
            rows.append((f"  desk beside `run` ({r['attendees']} attendees, {r['messages']} messages)",
                         f"run handled {r['run_handled']} ({r['run_msg_per_s']:.0f} msg/s), mail waiting during "
                         f"{100 * r['busy_share']:.0f}% of requests", "-", ld(r)))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="the issue's sizes (5,000 backlog, 200 latency, ...)")
    ap.add_argument("--only", default=None, help="comma-separated benchmarks to run")
    args = ap.parse_args(argv)
    plan = FULL if args.full else QUICK
    names = [n for n in plan if (BENCH / f"{n}.py").exists()]
    if args.only:
        names = [n for n in names if n in args.only.split(",")]

    started = time.perf_counter()
    results = {name: run(name, plan[name]) for name in names}
    rows = table(results)
    w = [max(len(r[i]) for r in rows + [("figure", "value", "target", "load")]) for i in range(4)]
    print(f"\n== summary ({'issue sizes' if args.full else 'quick sizes'}; {h.cpu_model()}, {h.load()}; "
          f"{time.perf_counter() - started:.0f} s)")
    print("| " + " | ".join(t.ljust(w[i]) for i, t in enumerate(("figure", "value", "target", "load"))) + " |")
    print("|" + "|".join("-" * (x + 2) for x in w) + "|")
    for row in rows:
        print("| " + " | ".join(t.ljust(w[i]) for i, t in enumerate(row)) + " |")
    failed = [n for n in names if results[n][0] is None and n != "understand"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
