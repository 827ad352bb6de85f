"""The header facts of one message, decoded defensively once.

Malformed headers are common in the wild (bad encodings, broken address
lists); every accessor here degrades to an empty value instead of raising, so
a bad header sends the message to review rather than crashing the run.
"""

from __future__ import annotations

import hashlib
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

from mailbot.core.types import Mail

_MSGID = re.compile(r"<[^<>\s]+>")
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def clean(text: str) -> str:
    """Header text every later step can store and encode: a NUL or a lone surrogate (what
    the parser makes of bytes that are not valid UTF-8, or of an encoded word that decodes
    to one) becomes U+FFFD here, once, before anything reads it."""
    return _UNSAFE.sub("\ufffd", text) if _UNSAFE.search(text) else text


def header(msg: EmailMessage, name: str) -> str:
    """A header as text ('' when absent or unreadable)."""
    try:
        value = msg.get(name)
    except Exception:  # the policy parser raises on some malformed headers
        value = None
    if value is None:
        for k, v in getattr(msg, "_headers", []):
            if k.lower() == name.lower():
                value = v
                break
    if value is None:
        return ""
    try:
        return clean(str(value).strip())
    except Exception:
        return ""


def addresses(msg: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs of an address header."""
    out: list[tuple[str, str]] = []
    try:
        value = msg.get(name)
        groups = getattr(value, "addresses", None) if value is not None else None
        if groups is not None:
            for a in groups:
                if isinstance(a, Address) and a.addr_spec and "@" in a.addr_spec:
                    out.append((clean(a.display_name or ""), clean(a.addr_spec.lower())))
            return out
    except Exception:
        pass
    raw = header(msg, name)
    for disp, addr in getaddresses([raw]):
        if "@" in addr:
            out.append((disp, addr.lower()))
    return out


def message_id(msg: EmailMessage, raw: bytes) -> str:
    """The Message-ID, or a stable stand-in made from the bytes when there is none."""
    m = _MSGID.search(header(msg, "Message-ID"))
    if m:
        return m.group()
    return f"<sha256-{hashlib.sha256(raw).hexdigest()[:32]}@mailbot.invalid>"


def read_mail(msg: EmailMessage, raw: bytes) -> Mail:
    frm = addresses(msg, "From")
    try:
        sent = parsedate_to_datetime(header(msg, "Date")) if header(msg, "Date") else None
    except (TypeError, ValueError, IndexError):
        sent = None
    irt = _MSGID.search(header(msg, "In-Reply-To"))
    return Mail(
        message_id=message_id(msg, raw),
        from_addr=frm[0][1] if frm else "",
        from_name=frm[0][0] if frm else "",
        reply_to=tuple(a for _, a in addresses(msg, "Reply-To")),
        to=tuple(a for _, a in addresses(msg, "To")),
        cc=tuple(a for _, a in addresses(msg, "Cc")),
        subject=" ".join(header(msg, "Subject").split()),
        date=sent,
        in_reply_to=irt.group() if irt else None,
        references=tuple(_MSGID.findall(header(msg, "References"))),
    )
