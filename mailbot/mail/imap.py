"""A real mailbox over IMAP with imapclient.

Only UID ranges are used to find new mail (Exchange Online has no CONDSTORE):
`UID n:*` from the highest UID handled, in chunks of at most 1,000 UIDs
(servers reject longer lists). After the pipeline has committed a batch, its
messages are flagged \\Seen and moved to the processed folder (MOVE where the
server has it, else COPY + delete + expunge). A UIDVALIDITY change starts
over from UID 1; Message-IDs then prevent double handling.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Iterator
from datetime import date

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError, ProtocolError

from mailbot.config import ImapSettings
from mailbot.errors import ConfigError, MailboxError
from mailbot.mail import partial
from mailbot.mail.base import Fetched, too_old

log = logging.getLogger("mailbot")

MAX_UIDS = 1000
# Bytes of messages (whole, or their readable parts) fetched into one batch. A batch is held in
# memory until it has been handled, answered and acknowledged, so large mail comes in smaller batches.
MAX_BATCH_BYTES = 20_000_000
# Mail larger than this is read part by part (BODYSTRUCTURE first) so its attachments are never
# fetched; smaller mail costs less fetched whole in one command.
PARTIAL_ABOVE = 1_000_000


def _by_bytes(chunk: list[int], cost: dict[int, int]) -> Iterator[list[int]]:
    """`chunk` cut into runs whose bytes to fetch (`cost`; others count 0: header only) stay
    within MAX_BATCH_BYTES; a message costing more than that on its own is a batch of one."""
    part: list[int] = []
    total = 0
    for uid in chunk:
        n = cost.get(uid, 0)
        if part and total + n > MAX_BATCH_BYTES:
            yield part
            part, total = [], 0
        part.append(uid)
        total += n
    if part:
        yield part


def _aware(d):
    """INTERNALDATE comes back naive in local time; give it a zone so it compares."""
    return d.astimezone() if d is not None and d.tzinfo is None else d


def _rebuilt(uid: int, plan: partial.Plan, item: dict) -> bytes | None:
    """The message rebuilt from its fetched parts; None (header only, to review) when it cannot be."""
    try:
        return partial.rebuild(plan, item)
    except partial.Unreadable as e:
        log.warning("IMAP UID %s cannot be rebuilt from its parts (%s); only its header is read", uid, e)
        return None


def login(client: IMAPClient, settings: ImapSettings) -> None:
    """Password (from the environment) or XOAUTH2 with a fresh token."""
    if settings.oauth2 is not None:
        from mailbot.mail.oauth import token_source

        client.oauth2_login(settings.user, token_source(settings.oauth2).token())
        return
    password = os.environ.get(settings.password_env or "")
    if password is None:
        raise ConfigError(f"imap.password_env: environment variable {settings.password_env} is not set")
    client.login(settings.user, password)


def _ssl_context(settings: ImapSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)


class ImapMailbox:
    def __init__(self, settings: ImapSettings, *, since: date | None = None,
                 max_bytes: int = 10_000_000, read_only: bool = False) -> None:
        """`read_only`: select the folder read-only and never move or flag (for rebuild)."""
        self.s = settings
        self.since = since
        self.max_bytes = max_bytes
        self.read_only = read_only
        self.source = f"imap:{settings.user}@{settings.host}/{settings.folder}"
        self.uidvalidity: int | None = None
        self.last_uid = 0
        try:
            self.client = IMAPClient(settings.host, port=settings.port, ssl=settings.tls == "ssl",
                                     ssl_context=_ssl_context(settings) if settings.tls != "plain" else None,
                                     timeout=settings.timeout)
            if settings.tls == "starttls":
                self.client.starttls(_ssl_context(settings))
            login(self.client, settings)
            self.caps = set(self.client.capabilities())
            if not self.client.folder_exists(settings.processed_folder):
                self.client.create_folder(settings.processed_folder)
            info = self.client.select_folder(settings.folder, readonly=read_only)
            self.server_uidvalidity = int(info.get(b"UIDVALIDITY", 0))
        except LoginError:
            raise MailboxError(f"IMAP login refused for {settings.user} at {settings.host}") from None
        except (TimeoutError, IMAPClientError, OSError, ssl.SSLError) as e:
            raise MailboxError(f"cannot reach IMAP server {settings.host}:{settings.port}: {e}") from None

    def resume(self, uidvalidity: int | None, last_uid: int) -> None:
        """Continue after `last_uid`, unless the folder's UIDVALIDITY has changed."""
        if uidvalidity == self.server_uidvalidity:
            self.last_uid = last_uid
        else:
            self.last_uid = 0
        self.uidvalidity = self.server_uidvalidity

    @property
    def position(self) -> tuple[int | None, int]:
        return self.uidvalidity, self.last_uid

    def batches(self) -> Iterator[list[Fetched]]:
        """New mail in batches, until a search finds nothing new: mail that arrives while
        a batch is being handled is read in the same poll, not left for the next wake-up."""
        while True:
            start = self.last_uid
            uids = self._new_uids()
            if not uids:
                return
            yield from self._batches(uids)
            if self.read_only or self.last_uid == start:
                return  # nothing acknowledged (rebuild reads, never moves): searching again finds the same

    def _new_uids(self) -> list[int]:
        try:
            return sorted(u for u in self.client.search(["UID", f"{self.last_uid + 1}:*"]) if u > self.last_uid)
        except (TimeoutError, IMAPClientError, OSError) as e:
            raise MailboxError(f"IMAP search failed: {e}") from None

    def _batches(self, uids: list[int]) -> Iterator[list[Fetched]]:
        size = min(self.s.batch_size, MAX_UIDS)
        for i in range(0, len(uids), size):
            chunk = uids[i:i + size]
            sizes, recent, plans = self._meta(chunk)
            # what reading a message costs: its readable parts, else all of it; above max_bytes
            # only its header is fetched (to review as too large)
            cost = {u: plans[u].size if u in plans else sizes.get(u, 0) for u in recent}
            cost = {u: n for u, n in cost.items() if n <= self.max_bytes}
            for part in _by_bytes(chunk, cost):
                yield self._fetch(part, sizes, recent, cost, plans)

    def _meta(self, chunk: list[int]) -> tuple[dict[int, int], set[int], dict[int, partial.Plan]]:
        """Sizes of the messages in `chunk`, which of them are recent enough to handle, and what to
        fetch of those larger than PARTIAL_ABOVE (none for one whose structure makes no sense:
        that one is fetched as before, whole or only its header)."""
        try:
            meta = self.client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE", "BODY.PEEK[HEADER.FIELDS (DATE)]"])
        except (TimeoutError, IMAPClientError, OSError) as e:
            raise MailboxError(f"IMAP fetch failed: {e}") from None
        sizes = {u: int(v.get(b"RFC822.SIZE", 0)) for u, v in meta.items()}
        recent = {u for u, v in meta.items()
                  if not too_old(v.get(b"BODY[HEADER.FIELDS (DATE)]") or b"", _aware(v.get(b"INTERNALDATE")),
                                 self.since)}
        large = [u for u in chunk if u in recent and sizes.get(u, 0) > PARTIAL_ABOVE]
        structures = {}
        if large:
            try:
                structures = self.client.fetch(large, ["BODYSTRUCTURE"])
            except (ProtocolError, TypeError, IndexError) as e:  # imapclient could not parse the answer
                log.warning("IMAP BODYSTRUCTURE of UIDs %s not understood (%s); fetched as before", large, e)
            except (TimeoutError, IMAPClientError, OSError) as e:
                raise MailboxError(f"IMAP fetch failed: {e}") from None
        plans = {}
        for uid, item in structures.items():
            try:
                plans[uid] = partial.plan(item.get(b"BODYSTRUCTURE"))
            except partial.Unreadable as e:
                log.warning("IMAP UID %s: %s; fetched as before", uid, e)
        return sizes, recent, plans

    def _fetch(self, chunk: list[int], sizes: dict[int, int], recent: set[int], cost: dict[int, int],
               plans: dict[int, partial.Plan]) -> list[Fetched]:
        """The messages in `chunk`: those in `cost` whole or (in `plans`) rebuilt from their
        readable parts, the others only their header."""
        new = [u for u in chunk if u in cost and u not in plans]
        by_sections: dict[tuple[str, ...], list[int]] = {}
        for u in chunk:
            if u in cost and u in plans:
                by_sections.setdefault(plans[u].sections, []).append(u)
        heads = [u for u in chunk if u not in cost]
        try:
            data = self.client.fetch(new, ["BODY.PEEK[]", "INTERNALDATE"]) if new else {}
            parts = {}
            for uids in by_sections.values():  # one command for messages of the same shape
                try:
                    parts.update(self.client.fetch(uids, [*plans[uids[0]].items, "INTERNALDATE"]))
                except IMAPClientAbortError:
                    raise
                except IMAPClientError as e:  # NO/BAD to these sections: never a poll that fails forever
                    log.warning("IMAP server refused the parts of UIDs %s (%s); only their headers are read",
                                uids, e)
                    heads += uids
            head = self.client.fetch(heads, ["BODY.PEEK[HEADER]", "INTERNALDATE"]) if heads else {}
        except (TimeoutError, IMAPClientError, OSError) as e:
            raise MailboxError(f"IMAP fetch failed: {e}") from None
        out = []
        for uid in chunk:
            item = data.get(uid) or parts.get(uid) or head.get(uid)
            if item is None:
                continue  # expunged meanwhile
            raw = _rebuilt(uid, plans[uid], item) if uid in parts else item.get(b"BODY[]")
            read = uid in data or raw is not None  # else only the header: to review as too large
            raw = raw or item.get(b"BODY[HEADER]") or b""
            out.append(Fetched(raw=raw, ref=str(uid), uid=uid, uidvalidity=self.uidvalidity,
                               received=_aware(item.get(b"INTERNALDATE")), too_old=uid not in recent,
                               oversized=uid in recent and not read, size=sizes.get(uid, len(raw))))
        return out

    def acknowledge(self, batch: list[Fetched]) -> None:
        if self.read_only:
            return
        uids = [f.uid for f in batch if f.uid is not None and not f.too_old]
        try:
            if uids:
                self.client.add_flags(uids, [b"\\Seen"])
                if b"MOVE" in self.caps:
                    self.client.move(uids, self.s.processed_folder)
                else:
                    self.client.copy(uids, self.s.processed_folder)
                    self.client.delete_messages(uids)
                    if b"UIDPLUS" in self.caps:
                        self.client.uid_expunge(uids)
                    else:
                        self.client.expunge()
        except (TimeoutError, IMAPClientError, OSError) as e:
            raise MailboxError(f"IMAP acknowledge failed: {e}") from None
        handled = [f.uid for f in batch if f.uid is not None]
        if handled:
            self.last_uid = max(self.last_uid, *handled)

    def refresh(self) -> None:
        """Let a connection kept open between polls see what arrived since (NOOP).

        A connection the server has dropped fails here, so the caller can
        reconnect before it relies on it.
        """
        try:
            self.client.noop()
        except (TimeoutError, IMAPClientError, OSError) as e:
            raise MailboxError(f"IMAP connection lost: {e}") from None

    def close(self) -> None:
        try:
            self.client.logout()
        except (TimeoutError, IMAPClientError, OSError):
            try:
                self.client.shutdown()
            except OSError:
                pass
