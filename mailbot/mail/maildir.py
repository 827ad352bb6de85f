"""The embedded mailbox: a local Maildir, read with Python's mailbox module.

New mail is whatever sits in the inbox (new/ and cur/); handled mail is moved
to a Maildir++ sub-folder, just as IMAP moves it to the processed folder.
"""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from mailbot.errors import MailboxError
from mailbot.mail.base import Fetched, too_old

BATCH = 200


class MaildirMailbox:
    def __init__(self, path: Path, *, processed: str = "Verwerkt", since: date | None = None,
                 max_bytes: int = 10_000_000, read_processed: bool = False) -> None:
        """`read_processed`: read the processed folder instead, read-only (for rebuild)."""
        self.path = path
        self.max_bytes = max_bytes
        self.read_only = read_processed
        self.source = "maildir:processed" if read_processed else "maildir"
        self.since = since
        try:
            # every directory made here with exist_ok: two processes opening a new Maildir at once
            # (`run` and a command by hand) must not trip over each other's mkdir
            _make_maildir(path)
            _make_maildir(path / f".{processed}")
            self.box = mailbox.Maildir(str(path), create=True)
            self.done = self.box.add_folder(processed)  # only marks it a folder once it exists
            self.root = self.box
            if read_processed:
                self.box = self.done
        except OSError as e:
            raise MailboxError(f"cannot open Maildir {path}: {e.strerror}") from None

    def resume(self, uidvalidity: int | None, last_uid: int) -> None:
        """A Maildir has no UIDs: what is in the inbox is new."""

    @property
    def position(self) -> tuple[int | None, int]:
        return None, 0

    def batches(self) -> Iterator[list[Fetched]]:
        keys = sorted(self.box.keys(), key=self._arrival)
        for i in range(0, len(keys), BATCH):
            out = []
            for key in keys[i:i + BATCH]:
                try:
                    size = self._size(key)
                    raw = self.box.get_bytes(key) if size <= self.max_bytes else self._header(key)
                except (KeyError, OSError):
                    continue  # removed meanwhile
                received = datetime.fromtimestamp(self._arrival(key), UTC)
                out.append(Fetched(raw=raw, ref=key, received=received, too_old=self._too_old(raw, received),
                                   oversized=size > self.max_bytes, size=size))
            yield out

    def _size(self, key: str) -> int:
        return os.path.getsize(os.path.join(self.box._path, self.box._lookup(key)))  # type: ignore[attr-defined]

    def _header(self, key: str) -> bytes:
        """Only the header block of a message too large to read whole."""
        f = self.box.get_file(key)
        try:
            lines = []
            for line in f:
                if line in (b"\n", b"\r\n"):
                    break
                lines.append(line)
            return b"".join(lines) + b"\r\n"
        finally:
            f.close()

    def _arrival(self, key: str) -> float:
        try:
            return self.box.get_message(key).get_date()
        except (KeyError, OSError):
            return 0.0

    def _too_old(self, raw: bytes, received: datetime) -> bool:
        return too_old(raw, received, self.since)

    def acknowledge(self, batch: list[Fetched]) -> None:
        if self.read_only:
            return
        for f in batch:
            if f.too_old:
                continue  # old mail stays where it is
            try:
                src = os.path.join(self.box._path, self.box._lookup(f.ref))  # type: ignore[attr-defined]
            except KeyError:
                continue  # gone already
            try:
                os.rename(src, _seen_in(self.done._path, src))  # type: ignore[attr-defined]
            except FileNotFoundError:
                continue  # another process moved it a moment ago
            except OSError as e:
                raise MailboxError(f"cannot move {f.ref} to the processed folder: {e.strerror}") from None

    def close(self) -> None:
        self.root.close()


def _seen_in(folder: str, src: str) -> str:
    """Where a message file goes in `folder`: its cur/, its unique name kept, flagged seen.
    One rename, so two processes acknowledging the same message move it once (a copy and a
    delete would leave one copy each), and a crash leaves it in one place or the other."""
    unique, _, info = os.path.basename(src).partition(":")
    flags = info[2:] if info.startswith("2,") else ""
    return os.path.join(folder, "cur", f"{unique}:2,{''.join(sorted(set(flags) | {'S'}))}")


def _make_maildir(path: Path) -> None:
    """Create path/{tmp,new,cur} and any missing parents.

    mailbox.Maildir(create=True) makes the three sub-directories only when
    `path` itself does not exist yet, and never makes missing parents.
    """
    for sub in ("tmp", "new", "cur"):
        (path / sub).mkdir(mode=0o700, parents=True, exist_ok=True)


def deliver(path: Path, raw: bytes) -> str:
    """Put a message in the Maildir inbox (the demo and tests use this)."""
    _make_maildir(path)
    box = mailbox.Maildir(str(path), create=True)
    try:
        return box.add(mailbox.MaildirMessage(raw))
    finally:
        box.close()
