"""The two protocols the pipeline talks to: a mailbox to read and a way to send.

Adapters hold no business rules; they fetch bytes, move messages they are told
to move, and hand bytes to a server or a folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
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
    def send(self, mails: list[Outgoing]) -> list[SendResult]:
        """Hand mails over; one result per mail, never raises for a single mail."""
        ...
