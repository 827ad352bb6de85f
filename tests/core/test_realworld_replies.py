"""split_reply (after extract for full messages) over the real-world human replies.

Every `human-reply` row of shared/fixtures/realworld/index.csv (see its SOURCES.md): reply
bodies without headers from reply-parser projects (.txt read as text, .html rendered with
html_to_text) and complete messages from mail-parser test suites (read with extract). Where
the source project ships the expected reply text next to a message (talon's
`*_reply_text.txt` beside `*.eml`), new + signature must equal it up to whitespace; otherwise
the new text must be non-empty, free of ">" lines and of reply-header lines.
"""

from __future__ import annotations

import csv
import email
import email.policy
import re
from pathlib import Path

import pytest

from mailbot.core.quotes import split_reply
from mailbot.core.text import extract, html_to_text

REALWORLD = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "realworld"

if not (REALWORLD / "index.csv").is_file():
    pytest.skip(f"real-world fixtures not found at {REALWORLD} (shared/ is not laid out beside the repo)",
                allow_module_level=True)

# SOURCES.md: in these sources .txt/.html files are message bodies without headers.
BODY_ONLY_SOURCES = {"github-email_reply_parser", "zapier-email-reply-parser", "mail-parser-reply",
                     "email_reply_trimmer", "quotequail"}

# Messages with no text body at all (only attachments): nothing to split.
NO_BODY = {
    "zammad/mail028.box": "job application: two PDF attachments, no text part",
    "flanker/outlook-express.eml": "the whole message is one application/octet-stream attachment",
    "mikel-mail/attachment_with_quoted_filename.eml": "only a JPEG attachment",
}

# Bodies in which, by design, nothing is new text.
NO_NEW_BY_DESIGN = {
    "email_reply_trimmer/quote_only.txt": "the body is a single quoted line",
    "email_reply_trimmer/embedded_email_german_3.txt":
        "the whole reply is 'Gruß Discourse': a closing formula starts the signature (rule 16 trap guard)",
}

ATTRIBUTION = re.compile(
    r"^\W{0,4}(on|op|am|le|el|il|em|den)\s.{0,250}\b(wrote|schreef|geschreven|schrieb|a écrit|escribió|"
    r"escreveu|ha scritto|skrev)\b.{0,120}[:：]\s*$", re.I)
FORWARD_MARKER = re.compile(
    r"^\s*\**-{2,}\s*(original message|oorspronkelijk bericht|forwarded message|doorgestuurd bericht|"
    r"ursprüngliche nachricht|mensaje original|oprindelig meddelelse)\s*-{2,}", re.I)
FROM_LABEL = re.compile(r"^\s*\*?(from|van|von|de|da|fra|från|od)\*?\s*:", re.I)
SENT_LABEL = re.compile(r"^\s*\*?(sent|verzonden|gesendet|date|datum|data|sendt|skickat|enviado|wysłano|"
                        r"to|aan|an|til|till|para|subject|onderwerp|betreff|emne|ämne|asunto|temat)\*?\s*:", re.I)


def _rows() -> list[str]:
    with (REALWORLD / "index.csv").open(encoding="utf-8") as fh:
        return [row["path"] for row in csv.DictReader(fh) if row["category"] == "human-reply"]


ROWS = _rows()


def _is_body_only(rel: str) -> bool:
    source, name = rel.split("/", 1)
    if source in BODY_ONLY_SOURCES:
        return name.endswith((".txt", ".html"))
    return source == "talon" and (name.startswith("html-") or name.endswith((".html", "_reply_text.txt")))


def body_text(rel: str) -> str:
    raw = (REALWORLD / rel).read_bytes()
    if _is_body_only(rel):
        text = raw.decode("utf-8", "replace")
        return html_to_text(text) if rel.endswith(".html") else text
    return extract(email.message_from_bytes(raw, policy=email.policy.default)).text


def expected_reply(rel: str) -> str | None:
    """The reply text the source project expects for this message, if it ships one."""
    path = REALWORLD / rel
    if path.suffix != ".eml":
        return None
    candidate = path.with_name(path.stem + "_reply_text.txt")
    return candidate.read_text(encoding="utf-8") if candidate.is_file() else None


def _squash(text: str) -> str:
    return " ".join(text.split())


def header_lines(text: str) -> list[str]:
    lines = text.splitlines()
    found = [line for line in lines if ATTRIBUTION.match(line) or FORWARD_MARKER.match(line)]
    for i, line in enumerate(lines[:-1]):
        if FROM_LABEL.match(line) and SENT_LABEL.match(lines[i + 1]):
            found.append(line)
    return found


def test_fixture_index_has_human_replies():
    assert len(ROWS) >= 150


@pytest.mark.parametrize("rel", ROWS)
def test_real_world_reply(rel: str):
    text = body_text(rel)
    parts = split_reply(text)
    if rel in NO_BODY:
        msg = email.message_from_bytes((REALWORLD / rel).read_bytes(), policy=email.policy.default)
        assert extract(msg).source == "none"
        assert parts.new == ""
        return
    if rel in NO_NEW_BY_DESIGN:
        assert parts.new == ""
        assert parts.quoted or parts.signature
        return
    assert parts.new.strip(), f"no new text in {rel}"
    assert not any(line.lstrip().startswith(">") for line in parts.new.splitlines())
    assert header_lines(parts.new) == []
    expected = expected_reply(rel)
    if expected is not None:
        got = parts.new + "\n\n" + parts.signature
        assert _squash(got) == _squash(expected)
        assert parts.quoted.strip()


def test_expected_replies_are_found():
    """The expectation files are discovered (talon ships two)."""
    assert sum(expected_reply(rel) is not None for rel in ROWS) >= 2


def _all_messages() -> list[str]:
    with (REALWORLD / "index.csv").open(encoding="utf-8") as fh:
        return [row["path"] for row in csv.DictReader(fh) if not _is_body_only(row["path"])]


@pytest.mark.parametrize("rel", _all_messages())
def test_every_real_world_message_is_readable(rel: str):
    """Bounces, spam, malformed MIME: extract and split_reply stay on their feet."""
    msg = email.message_from_bytes((REALWORLD / rel).read_bytes(), policy=email.policy.default)
    extracted = extract(msg)
    assert isinstance(extracted.text, str)
    assert not any("internal error" in p for p in extracted.problems), extracted.problems
    split_reply(extracted.text)
