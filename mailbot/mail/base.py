"""The two protocols the pipeline talks to: a mailbox to read and a way to send.

Adapters hold no business rules; they fetch bytes, move messages they are told
to move, and hand bytes to a server or a folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol


@dataclass(frozen=True)
class Fetched:
    """One message as the mailbox gave it, with what it takes to acknowledge it."""

    raw: bytes
    ref: str  # UID (IMAP) or key (Maildir)
    uid: int | None = None
    uidvalidity: int | None = None
    received: datetime | None = None
    too_old: bool = False  # arrived before process_since: record, never answer
    oversized: bool = False  # larger than max_message_bytes: only the header was fetched
    size: int = 0


def date_header(raw: bytes) -> datetime | None:
    """The Date header of raw message bytes (only the header block is looked at)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        if line[:5].lower() == b"date:":
            try:
                d = parsedate_to_datetime(line[5:].decode("ascii", "replace").strip())
                return d if d.tzinfo else d.replace(tzinfo=UTC)
            except (TypeError, ValueError, IndexError):
                return None
    return None


def too_old(raw_header: bytes, received: datetime | None, since: date | None) -> bool:
    """Mail written before `process_since` (by its Date header, else its arrival) is never answered.

    Both mailbox sources use this one rule, so a message is judged the same
    whether it is read from IMAP or from the Maildir.
    """
    if since is None:
        return False
    when = date_header(raw_header) or received
    return when is not None and when.date() < since


class Mailbox(Protocol):
    source: str

    def batches(self) -> Iterator[list[Fetched]]:
        """New messages, in arrival order, in batches."""
        ...

    def acknowledge(self, batch: list[Fetched]) -> None:
        """Mark handled messages on the server (seen, moved to the processed folder)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Outgoing:
    id: int
    message_id: str
    to: tuple[str, ...]
    raw: bytes


@dataclass(frozen=True)
class SendResult:
    id: int
    ok: bool
    permanent: bool = False
    error: str | None = None


class Sender(Protocol):
    def send(self, mails: list[Outgoing], on_result: Callable[[SendResult], None] | None = None) -> list[SendResult]:
        """Hand mails over; one result per mail, never raises for a single mail.

        `on_result` is called with each result as soon as it is known, so the
        caller can record a mail as sent before the next one goes out.
        """
        ...
