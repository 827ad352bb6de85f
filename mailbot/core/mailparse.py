"""Parse raw mail with the stdlib email package, policy.default semantics, faster.

The email package parses a header again on every access: one message asks
for its Content-Type a dozen times (feedparser, text extraction, classify),
and header parsing was most of the cost of reading a message. Parsed header
objects are immutable strings, so this policy memoises them by (name, raw
value) in a bounded table shared across messages (most values repeat:
"text/plain; charset=utf-8"). Behaviour is exactly policy.default's.
"""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import EmailPolicy

CACHE_LIMIT = 2000  # entries; parsed headers are large (~15 kB each), most values never repeat


class CachingPolicy(EmailPolicy):
    """policy.default, with parsed headers remembered (cleared when the table is full)."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):  # already a header object
            return value
        key = (name.lower(), value)
        hit = _CACHE.get(key)
        if hit is None:
            hit = super().header_fetch_parse(name, value)
            if len(_CACHE) >= CACHE_LIMIT:
                _CACHE.clear()
            _CACHE[key] = hit
        return hit


_CACHE: dict[tuple[str, str], object] = {}
POLICY = CachingPolicy()


def parse(raw: bytes) -> EmailMessage:
    """A message object for raw RFC 5322 bytes (never raises on malformed mail itself)."""
    return email.message_from_bytes(raw, policy=POLICY)  # type: ignore[arg-type, return-value]
