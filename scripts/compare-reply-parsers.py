#!/usr/bin/env python3
"""Compare mailbot's own quote stripping with mail-parser-reply on the corpus.

For every corpus reply, both parsers cut the new text from the extracted
body; we count (a) how often the quoted invitation leaks into the new text
(its tell-tale lines) and (b) how often the new text still holds every
session the labels say was chosen (by the same session matcher). Run with
mail-parser-reply installed: `pip install mail-parser-reply`.
"""

from __future__ import annotations

import email
import json
import sys
from email import policy
from pathlib import Path

from mailparser_reply import EmailReplyParser

from mailbot.config import load
from mailbot.core.quotes import split_reply
from mailbot.core.sessions import find_mentions
from mailbot.core.text import extract

ROOT = Path(__file__).resolve().parents[1]
TELLTALES = ("Graag nodigen wij u uit", "Aan de burgemeesters en wethouders", "Sessies die op hetzelfde tijdstip",
             "Wij hebben u genoteerd voor")


def ours(text: str) -> str:
    return split_reply(text).new


def theirs(text: str) -> str:
    return EmailReplyParser(languages=["nl", "en", "de"]).parse_reply(text=text) or ""


def main() -> int:
    cfg = load(ROOT / "config.toml")
    cases = sorted((ROOT / "tests" / "corpus").iterdir())
    score = {"ours": [0, 0], "mail-parser-reply": [0, 0]}
    total = 0
    for case in cases:
        exp = json.loads((case / "expected.json").read_text())["expect"]
        wanted = {s for a in (exp.get("attendees") or []) for s in a["sessions"]}
        msgs = sorted(case.glob("*.eml"))
        if len(msgs) != 1 or not exp.get("attendees"):
            continue
        raw = msgs[0].read_bytes()
        text = extract(email.message_from_bytes(raw, policy=policy.default)).text
        total += 1
        for name, fn in (("ours", ours), ("mail-parser-reply", theirs)):
            new = fn(text)
            leak = any(t in new for t in TELLTALES)
            found = {m.session for m in find_mentions(new, cfg.event) if not m.negated}
            score[name][0] += leak
            score[name][1] += wanted <= found
    print(f"{total} single-message registration cases")
    print(f"{'parser':<20} {'invitation leaked':>18} {'chosen sessions kept':>21}")
    for name, (leaks, kept) in score.items():
        print(f"{name:<20} {leaks:>18} {kept:>21}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
