"""IMAP IDLE (RFC 2177): be told about new mail instead of asking.

A watcher thread keeps its own connection in IDLE on the inbox and calls
`on_new` when the server reports new messages; the caller then runs the
ordinary poll. IDLE is re-issued before 29 minutes (servers may drop idle
clients after 30). Any error closes the connection and reconnects with
capped exponential backoff and jitter; the thread ends only when stopped.

A server that restarts ends the connection (with or without a BYE), and
imapclient's idle_check() hides that: it swallows the EOF and returns an
empty list at once, again and again. So a wake-up that brings no line well
before the check's timeout, or a BYE, makes the watcher leave IDLE: DONE and
the NOOP after it raise on a closed connection (then: backoff, reconnect) and
succeed on a live one (then: back to IDLE, after a short pause so that a
connection that keeps waking up silently costs nothing either).
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
import time
from collections.abc import Callable

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailbot.config import ImapSettings
from mailbot.core.retry import backoff_seconds
from mailbot.mail.imap import login

log = logging.getLogger("mailbot")
REISSUE_SECONDS = 28 * 60
CHECK_SECONDS = 5.0  # how often the thread looks at its stop flag while idling
# idle_check() returning nothing sooner than this did not time out: the socket was readable
# but gave no line (imapclient returns [] on EOF), or it was a TLS record without data
SILENT_WAKE_SECONDS = CHECK_SECONDS / 2
SILENT_PAUSE_SECONDS = 1.0  # after a silent wake-up on a live connection, before IDLE again
RETRY_BASE, RETRY_CAP = 2.0, 300.0  # seconds: reconnect backoff (backoff_seconds), never under 1 s


class IdleWatcher(threading.Thread):
    def __init__(self, settings: ImapSettings, on_new: Callable[[], None]) -> None:
        super().__init__(name="imap-idle", daemon=True)
        self.s = settings
        self.on_new = on_new
        self.stopping = threading.Event()
        self.supported: bool | None = None  # None until the first connection says
        self.failures = 0

    def stop(self) -> None:
        self.stopping.set()

    def _connect(self) -> IMAPClient:
        s = self.s
        ctx = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        client = IMAPClient(s.host, port=s.port, ssl=s.tls == "ssl", ssl_context=ctx if s.tls != "plain" else None,
                            timeout=s.timeout)
        if s.tls == "starttls":
            client.starttls(ctx)
        login(client, s)
        client.select_folder(s.folder, readonly=True)
        return client

    def run(self) -> None:
        while not self.stopping.is_set():
            client = None
            try:
                client = self._connect()
                self.supported = b"IDLE" in client.capabilities()
                if not self.supported:
                    log.info("IMAP server has no IDLE; polling only")
                    return
                if self.failures:
                    log.info("IDLE connection back after %d failed attempts", self.failures)
                self.failures = 0
                self._idle(client)
            except (TimeoutError, IMAPClientError, OSError, ssl.SSLError) as e:
                self.failures += 1
                wait = max(1.0, backoff_seconds(self.failures + 1, base=RETRY_BASE, cap=RETRY_CAP,
                                                draw=random.random()))
                log.warning("IDLE connection lost (%s); reconnecting in %.0f s", e, wait)
                self.stopping.wait(wait)
            finally:
                if client is not None:
                    try:
                        client.logout()
                    except (TimeoutError, IMAPClientError, OSError):
                        pass

    def _idle(self, client: IMAPClient) -> None:
        """IDLE until stopped, calling `on_new` for new mail; raises when the connection ends."""
        self.on_new()  # mail that arrived while we were not idling
        while not self.stopping.is_set():
            if _news(client.noop()[1]):  # mail that arrived while the poll ran
                self.on_new()
                continue
            client.idle()
            try:
                woke = self._wait(client)
            finally:
                _text, late = client.idle_done()  # raises on a connection the server ended
            if woke == "news" or _news(late):
                self.on_new()
            elif woke == "silent":
                self.stopping.wait(SILENT_PAUSE_SECONDS)

    def _wait(self, client: IMAPClient) -> str:
        """Wait in IDLE; why it is time to leave: "news", "silent" (a wake-up without news or
        with BYE: the connection may have ended, DONE will tell), or "due" (stop asked, renewal)."""
        started = time.monotonic()
        while not self.stopping.is_set() and time.monotonic() - started < REISSUE_SECONDS:
            asked = time.monotonic()
            responses = client.idle_check(timeout=CHECK_SECONDS)
            if _news(responses):
                return "news"
            if _bye(responses) or (not responses and time.monotonic() - asked < SILENT_WAKE_SECONDS):
                return "silent"
        return "due"


def _news(responses: list) -> bool:
    """Whether untagged responses report new mail."""
    return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def _bye(responses: list) -> bool:
    """Whether the server said it is closing the connection."""
    return any(r and r[0] == b"BYE" for r in responses)
