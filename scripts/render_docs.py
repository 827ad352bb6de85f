#!/usr/bin/env python3
"""Regenerate the pictures of what staff read and print, under docs/.

    .venv/bin/python scripts/render_docs.py

Builds a fresh store in a temporary folder: every message of the 60 cases in
tests/corpus handled at its own Date (oldest first, as the mailbox would have
delivered them), then the week-47 reminders on Monday 20 November 2017 09:00.
From that store it writes

- docs/digest.html: the staff digest as it would go out at 09.30 that Monday;
- docs/printouts/<pdf>-<page>.png: the first two pages of every PDF the project
  makes (the name cards, and the presence list and per-session lists of
  mailbot/reports/printouts.py when that module is there), drawn by pdftoppm
  from Debian's poppler-utils (installed with apt-get when missing, as the
  Makefile's scripts do for Dovecot).

Nothing depends on the clock or on random values, so running it again on the
same code gives the same files; stale PNGs in docs/printouts are removed first.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from email import policy
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CONFIG = REPO / "config.toml"
CORPUS = REPO / "tests" / "corpus"
DOCS = REPO / "docs"
PRINTOUTS = DOCS / "printouts"
TZ = ZoneInfo("Europe/Amsterdam")
REMINDERS_AT = datetime(2017, 11, 20, 9, 0, tzinfo=TZ)
DIGEST_AT = datetime(2017, 11, 20, 9, 30, tzinfo=TZ)
PAGES = 2
DPI = 80  # an A4 page is 661 x 935 pixels: readable on screen, small in the repository


def corpus_messages() -> list[tuple[datetime, str, bytes]]:
    """(Date, name, raw) of every corpus message, in the order they were sent."""
    out = []
    for case in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for eml in sorted(case.glob("*.eml"), key=lambda p: int(p.stem)):
            raw = eml.read_bytes()
            sent = parsedate_to_datetime(str(email.message_from_bytes(raw, policy=policy.default)["Date"]))
            out.append((sent, f"{case.name}/{eml.name}", raw))
    return sorted(out, key=lambda m: (m[0], m[1]))


def build_store(storage: Path):
    """A bot whose store holds the corpus, handled at its dates, and the reminders."""
    from mailbot import config, jobs
    from mailbot.service import flush_outbox, make_sender, open_bot, process

    cfg = config.load(CONFIG, storage=storage)
    bot = open_bot(cfg)
    sender = make_sender(cfg)
    messages = corpus_messages()
    for sent, name, raw in messages:
        process(bot, raw, now=sent, source=f"file:{name}")
        flush_outbox(bot, sender, now=sent)
    done = jobs.send_due_reminders(bot, now=REMINDERS_AT)
    print(f"store: {len(messages)} corpus messages; reminders: "
          + ", ".join(f"{r.slot} {r.queued}" for r in done))
    return bot


def write_digest(bot) -> Path:
    from sqlmodel import Session

    from mailbot.reports.digest import render_digest

    with Session(bot.engine) as s:
        _subject, _text, html = render_digest(bot, s, DIGEST_AT)
    path = DOCS / "digest.html"
    path.write_text(html, encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)}")
    return path


def pdf_makers() -> dict[str, Callable]:
    """Every PDF the project makes, by the file name it gets here."""
    from mailbot.reports import namecards

    makers: dict[str, Callable] = {"naamkaartjes": namecards.namecards_pdf}
    try:
        from mailbot.reports import printouts
    except ImportError:
        print("mailbot/reports/printouts.py is not there: presence and session lists skipped")
        return makers
    makers["presentielijst"] = printouts.presence_pdf
    makers["sessielijsten"] = printouts.sessions_pdf
    return makers


def ensure_pdftoppm() -> str:
    """pdftoppm, from Debian's poppler-utils; installed with apt-get when missing."""
    found = shutil.which("pdftoppm")
    if found:
        return found
    print("pdftoppm missing: apt-get install poppler-utils")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "poppler-utils"]
    if subprocess.run(install, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True)
        result = subprocess.run(install, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"render_docs: apt-get install poppler-utils failed:\n{result.stderr[-2000:]}")
    found = shutil.which("pdftoppm")
    if not found:
        sys.exit("render_docs: pdftoppm still not found after installing poppler-utils")
    return found


def page_count(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def write_pages(pdftoppm: str, name: str, pdf: bytes, work: Path) -> list[Path]:
    """<name>-1.png, <name>-2.png: one pdftoppm call per page, so names never depend on padding."""
    source = work / f"{name}.pdf"
    source.write_bytes(pdf)
    out = []
    for page in range(1, min(PAGES, page_count(pdf)) + 1):
        target = PRINTOUTS / f"{name}-{page}"
        subprocess.run([pdftoppm, "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                        str(source), str(target)], check=True)
        out.append(target.with_suffix(".png"))
    return out


def write_printouts(bot, work: Path) -> list[Path]:
    from sqlmodel import Session

    from mailbot import store

    pdftoppm = ensure_pdftoppm()
    with Session(bot.engine) as s:
        registry = store.registry(s)
    PRINTOUTS.mkdir(parents=True, exist_ok=True)
    for stale in PRINTOUTS.glob("*.png"):
        stale.unlink()
    written = []
    for name, make in pdf_makers().items():
        for path in write_pages(pdftoppm, name, make(registry, bot.knowledge), work):
            print(f"wrote {path.relative_to(REPO)}")
            written.append(path)
    return written


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mailbot-docs-") as tmp:
        work = Path(tmp)
        bot = build_store(work / "storage")
        try:
            write_digest(bot)
            write_printouts(bot, work)
        finally:
            bot.readers.close()
            bot.engine.dispose()


if __name__ == "__main__":
    main()
