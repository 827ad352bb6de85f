"""classify() over the real-world fixtures (shared/fixtures/realworld, see its SOURCES.md).

Bounces, auto-replies and read receipts collected from public test suites must be recognised as
automatic mail; malformed and other messages must never make classify() raise. Bodies without
headers (the reply-parser fixtures) are not messages and are skipped.
"""

from __future__ import annotations

import csv
import email
import email.policy
import re
from functools import cache
from pathlib import Path

import pytest

from mailbot.core.classify import Classification, classify

REALWORLD = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "realworld"

if not (REALWORLD / "index.csv").is_file():
    pytest.skip(f"real-world fixtures not found at {REALWORLD}", allow_module_level=True)

OWN = frozenset({"info@g32.nl"})
TRUSTED = frozenset({"mx1.g32.nl"})
AUTOMATIC = {"auto-reply", "bounce", "receipt", "loop"}

# SOURCES.md: these sources hold reply bodies without headers in their .txt/.html files.
BODY_ONLY_SOURCES = {
    "github-email_reply_parser",
    "zapier-email-reply-parser",
    "mail-parser-reply",
    "email_reply_trimmer",
    "quotequail",
}

ROWS = list(csv.DictReader((REALWORLD / "index.csv").open(encoding="utf-8")))


def body_only(path: str) -> bool:
    source, _, name = path.partition("/")
    if source in BODY_ONLY_SOURCES and name.endswith((".txt", ".html")):
        return True
    return source == "talon" and name.startswith("html-")


@cache
def classified(path: str) -> Classification:
    raw = (REALWORLD / path).read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return classify(msg, own_addresses=OWN, trusted_authserv_ids=TRUSTED)


def rows(*categories: str, full_messages_only: bool = True) -> list:
    chosen = [
        r
        for r in ROWS
        if r["category"] in categories and not (full_messages_only and body_only(r["path"]))
    ]
    return [pytest.param(r["path"], id=r["path"]) for r in chosen]


@pytest.mark.parametrize(
    "path", rows("bounce", "auto-reply", "read-receipt", "malformed", "other", "human-reply")
)
def test_never_raises(path: str) -> None:
    assert classified(path).kind in {
        "human",
        "auto-reply",
        "bounce",
        "receipt",
        "bulk",
        "loop",
        "auth-fail",
    }


def _structural_bounce(path: str) -> bool:
    """A delivery report by its own structure: a DSN content type or a daemon sender."""
    head = (REALWORLD / path).read_bytes().split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    head = re.sub(rb"\r?\n[ \t]+", b" ", head).lower()
    return bool(
        re.search(
            rb"^content-type:\s*multipart/report;.*report-type=\"?delivery-status", head, re.M
        )
        or re.search(rb"^from:.*\b(mailer-daemon|postmaster)@", head, re.M)
    )


@pytest.mark.parametrize("path", [p for p in rows("bounce") if _structural_bounce(p.values[0])])
def test_structural_bounces_are_bounces(path: str) -> None:
    assert classified(path).kind == "bounce", classified(path)


def test_bounces_are_recognised() -> None:
    """Nearly every bounce is a bounce; the few that are not are listed (see the report)."""
    paths = [p.values[0] for p in rows("bounce")]
    misses = {p: classified(p) for p in paths if classified(p).kind != "bounce"}
    share = 1 - len(misses) / len(paths)
    listing = "\n".join(f"{p}: {c.kind} ({c.reason})" for p, c in sorted(misses.items()))
    assert share >= 0.99, f"only {share:.1%} of {len(paths)} bounces recognised:\n{listing}"
    # Those not recognised carry no sign of machine mail at all; none may look like a receipt,
    # a loop or an auth failure.
    assert all(c.kind in {"human", "auto-reply", "bulk"} for c in misses.values()), listing


@pytest.mark.parametrize("path", rows("auto-reply"))
def test_auto_replies_are_automatic(path: str) -> None:
    assert classified(path).kind in AUTOMATIC, classified(path)


@pytest.mark.parametrize("path", rows("read-receipt"))
def test_read_receipts(path: str) -> None:
    assert classified(path).kind == "receipt", classified(path)


@pytest.mark.parametrize("path", rows("human-reply"))
def test_full_human_messages_are_not_taken_for_machine_mail(path: str) -> None:
    # Mailing-list replies may be "bulk"; none may be a bounce, auto-reply, receipt or loop.
    assert classified(path).kind in {"human", "bulk"}, classified(path)
