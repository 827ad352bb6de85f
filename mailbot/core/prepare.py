"""Everything about one raw message that needs no registry: parse, facts, reading.

This is the CPU-heavy half of handling a message and depends only on the
bytes and the knowledge, so a backlog can run it on other cores
(mailbot.readers) while the shell decides and records in order. It never
raises: what went wrong is carried as text for staff review.
"""

from __future__ import annotations

import email.message
import traceback
from dataclasses import dataclass

from mailbot.core.mailfacts import message_id, read_mail
from mailbot.core.mailparse import parse
from mailbot.core.types import Knowledge, Mail
from mailbot.core.understand import Reading, understand


@dataclass(frozen=True)
class Prepared:
    message_id: str
    mail: Mail | None = None
    reading: Reading | None = None  # None when not asked for, or on error
    error: str | None = None  # "ValueError: ...", for the review item
    trace: str | None = None  # the traceback, for the log


def prepare(raw: bytes, knowledge: Knowledge, *, read: bool = True) -> Prepared:
    """Parse `raw` and take its facts; with `read`, understand it too (skipped for mail the
    bot will not answer: too old, too large)."""
    try:
        msg = parse(raw)
        mid = message_id(msg, raw)
    except Exception as e:  # the parser itself failed: keep the bytes for staff
        return Prepared(message_id(email.message.EmailMessage(), raw), error="ValueError: message could not be parsed",
                        trace=f"{type(e).__name__}: {e}")
    mail = None
    try:
        mail = read_mail(msg, raw)
        return Prepared(mid, mail, understand(msg, raw, knowledge) if read else None)
    except Exception as e:  # a bug or hostile input: to review, never a crash
        return Prepared(mid, mail, error=f"{type(e).__name__}: {e}", trace=traceback.format_exc())
