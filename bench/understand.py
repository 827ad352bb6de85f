"""Throughput of the pure core: understand + decide over the corpus messages.

    .venv/bin/python bench/understand.py [--messages N] [--corpus DIR] [--profile]

Loads every .eml of the corpus cases, repeats them to at least N messages
(default 3000), and runs in this one process what the pipeline runs per
message: parse, understand (extract, split_reply, classify, the rest) and
decide against an empty Registry. Prints messages per second and the split
per stage; no assertions (the target on a 2-core machine is >= 300/s).
--profile runs the same loop under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import re
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbot.config import load, load_invitees  # noqa: E402
from mailbot.core import understand as understand_mod  # noqa: E402
from mailbot.core.decide import decide  # noqa: E402
from mailbot.core.mailparse import parse as parse_mail  # noqa: E402
from mailbot.core.types import Knowledge, Registry  # noqa: E402

STAGES = ("parse", "extract", "split_reply", "classify", "understand rest", "decide")


def corpus_messages(corpus: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted(corpus.glob("*/*.eml"))]


def knowledge() -> Knowledge:
    cfg = load(ROOT / "config.toml")
    return replace(cfg.knowledge, invitees=load_invitees(ROOT / "rules" / "invitees.csv"))


def parse(raw: bytes) -> email.message.EmailMessage:
    return parse_mail(raw)


def unique(raw: bytes, n: int) -> bytes:
    """The message with a Message-ID of its own for repetition `n`."""
    return re.sub(rb"(?im)^(message-id:\s*<)", lambda m: m.group(1) + b"r%d." % n, raw, count=1)


def run(raws: list[bytes], k: Knowledge) -> None:
    empty = Registry()
    for raw in raws:
        msg = parse(raw)
        decide(empty, understand_mod.understand(msg, raw, k), k)


def staged(raws: list[bytes], k: Knowledge) -> dict[str, float]:
    """Seconds per stage: the understand module's helpers wrapped with timers."""
    spent: dict[str, float] = defaultdict(float)
    wrapped = {"extract": understand_mod.extract, "split_reply": understand_mod.split_reply,
               "classify": understand_mod.classify}

    def timed(name, fn):
        def inner(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[name] += time.perf_counter() - t
        return inner

    for name, fn in wrapped.items():
        setattr(understand_mod, name, timed(name, fn))
    try:
        empty = Registry()
        for raw in raws:
            t0 = time.perf_counter()
            msg = parse(raw)
            t1 = time.perf_counter()
            reading = understand_mod.understand(msg, raw, k)
            t2 = time.perf_counter()
            decide(empty, reading, k)
            t3 = time.perf_counter()
            spent["parse"] += t1 - t0
            spent["understand"] += t2 - t1
            spent["decide"] += t3 - t2
    finally:
        for name, fn in wrapped.items():
            setattr(understand_mod, name, fn)
    spent["understand rest"] = spent.pop("understand") - sum(spent[n] for n in wrapped)
    return dict(spent)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=3000, help="at least this many messages (default 3000)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "tests" / "corpus")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of the loop instead")
    args = ap.parse_args()

    base = corpus_messages(args.corpus)
    if not base:
        print(f"no .eml files under {args.corpus}", file=sys.stderr)
        return 2
    # each repetition gets its own Message-ID, as real mail has: the parsed-header cache
    # (core.mailparse) then helps only where real replies share values (Content-Type, ...)
    rounds = -(-args.messages // len(base))
    raws = [unique(raw, n) for n in range(rounds) for raw in base]
    k = knowledge()
    run(base, k)  # warm up: caches, lazy imports

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(run, raws, k)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        return 0

    t, cpu = time.perf_counter(), time.process_time()
    run(raws, k)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    n = len(raws)
    print(f"{n} messages ({len(base)} corpus messages x {n // len(base)}) in {wall:.2f} s")
    print(f"{n / wall:.0f} messages/s understood and decided (parse included)")
    print(f"{n / cpu:.0f} messages per CPU-second (steadier when other work shares the machine)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    spent = staged(raws, k)
    total = sum(spent.values())
    print(f"\n{'stage':<16}{'ms/msg':>9}{'share':>8}")
    for name in STAGES:
        s = spent.get(name, 0.0)
        print(f"{name:<16}{1000 * s / n:>9.3f}{100 * s / total:>7.1f}%")
    print(f"{'total':<16}{1000 * total / n:>9.3f}{100.0:>7.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
