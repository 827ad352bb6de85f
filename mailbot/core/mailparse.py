"""Parse raw mail with the stdlib email package, policy.default semantics, faster.

The email package parses a header again on every access: one message asks
for its Content-Type a dozen times (feedparser, text extraction, classify),
and header parsing was most of the cost of reading a message. Parsed header
objects are immutable strings, so `MemoHeaders` memoises them by (name, raw
value) in a bounded table shared across messages (most values repeat:
"text/plain; charset=utf-8"). Behaviour is exactly policy.default's. The
outgoing side (mailbot.mail.compose) uses the same factory.
"""

from __future__ import annotations

import email
import functools
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy

CACHE_LIMIT = 2000  # entries; parsed headers are large (~15 kB each), most values never repeat


class _Header(BaseHeader):
    """Remembers its folded form: a shared header object is written in message after message.

    Folding depends only on the policy's linesep, max_line_length and utf8;
    those are the key, as the generator clones the policy for every part.
    """

    _folded: tuple = ((), "")

    def fold(self, *, policy) -> str:
        key = (policy.linesep, policy.max_line_length, policy.utf8)
        used, text = self._folded
        if used != key:
            text = super().fold(policy=policy)
            self._folded = (key, text)
        return text


class MemoHeaders(HeaderRegistry):
    """The stdlib header factory, memoised (least recently used entries go first).

    The stock one creates a class and runs the RFC 5322 parser for every
    header set or read (~0.1 ms each), yet the result depends only on
    (name, value). Header objects are immutable, so messages can share them.
    """

    def __init__(self, maxsize: int = CACHE_LIMIT) -> None:
        super().__init__(base_class=_Header)
        self.maxsize = maxsize
        self._classes: dict[str, type] = {}
        self._parsed = functools.lru_cache(maxsize=maxsize)(super().__call__)

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]

    def __call__(self, name: str, value) -> BaseHeader:
        if isinstance(value, str):  # equal datetimes, say, may still print differently
            return self._parsed(name, value)
        return super().__call__(name, value)

    def __reduce__(self):
        return type(self), (self.maxsize,)  # the caches are no state: a message pickles as before


POLICY = EmailPolicy(header_factory=MemoHeaders())


def parse(raw: bytes) -> EmailMessage:
    """A message object for raw RFC 5322 bytes (never raises on malformed mail itself)."""
    return email.message_from_bytes(raw, policy=POLICY)  # type: ignore[arg-type, return-value]
