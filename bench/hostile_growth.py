"""Reading cost of hostile text as it grows: CPU and peak memory per message size.

    .venv/bin/python bench/hostile_growth.py [--sizes 5000,10000,20000,80000,1000000,5000000]

Each row is one message whose new text is one pattern repeated to the size:
a session name over and over ("borrel borrel ..."), spaces, "a. " (a sentence per
three bytes), and a realistic sentence repeated. Reading must be linear up to the
cap on new text (core.understand.MAX_NEW_TEXT) and flat beyond it. Prints CPU
seconds, microseconds per input byte and peak memory (tracemalloc) as a multiple of
the input; no assertions (figures, not tests).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbot.config import load  # noqa: E402
from mailbot.core.prepare import prepare  # noqa: E402

PATTERNS = {
    "session name": "borrel ",
    "spaces": " ",
    "tiny sentences": "a. ",
    "real sentence": "Ik kom graag naar de sessie over wal en schip, niet naar het AB. ",
}


def message(body: str) -> bytes:
    head = ("From: Lars Vos <l.vos@zwolle.nl>\r\nTo: info@G32.nl\r\nSubject: aanmelding\r\n"
            "Message-ID: <bench@zwolle.nl>\r\nDate: Mon, 06 Nov 2017 10:00:00 +0100\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n")
    return (head + body).encode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5000,10000,20000,80000,1000000,5000000")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    knowledge = load(ROOT / "config.toml").knowledge
    prepare(message("Ik kom graag."), knowledge)  # warm the caches (term table, lexicon)
    print(f"{'pattern':16s} {'bytes':>9s} {'cpu s':>8s} {'us/byte':>8s} {'peak mem':>10s}")
    for name, unit in PATTERNS.items():
        for size in sizes:
            raw = message(unit * max(1, size // len(unit)))
            tracemalloc.start()
            t0 = time.process_time()
            prepare(raw, knowledge)
            cpu = time.process_time() - t0
            _cur, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"{name:16s} {len(raw):>9d} {cpu:>8.3f} {cpu * 1e6 / len(raw):>8.2f} {peak / len(raw):>9.1f}x",
                  flush=True)


if __name__ == "__main__":
    main()
