"""A large message rebuilt from the parts the bot reads, without its attachments.

A reply carrying a 10 MB attachment is almost all bytes the bot never looks at.
For such mail the IMAP source fetches BODYSTRUCTURE first; `plan` walks it
(imapclient's BodyData) and names the sections worth fetching: the message
header and the readable parts, each with its MIME header. `rebuild` joins what
the server sent into a well-formed RFC 5322 message with the original headers
and boundaries; every part left out becomes a small text/plain attachment
naming its file, type and size, so staff reading the stored message see what
was there. Pure: no I/O.
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import MIMEPart
from email.parser import BytesHeaderParser
from email.utils import collapse_rfc2231_value, decode_params, unquote

# What core/text.py and core/classify.py read: body text, calendar answers, Outlook's winmail.dat
# and the machine-readable parts of delivery and read reports.
READ = frozenset({
    "text/plain", "text/html", "text/calendar", "application/ms-tnef", "application/vnd.ms-tnef",
    "message/delivery-status", "message/global-delivery-status", "message/disposition-notification",
    "message/global-disposition-notification", "text/rfc822-headers",
})
BODY_TEXT = frozenset({"text/plain", "text/html"})  # read as body only when not an attached file
MAX_DEPTH = 50  # deeper nesting is not planned (as core/text.py reads no deeper)

_POLICY = email.policy.SMTP  # CRLF line ends, as the server sends the fetched sections
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class Unreadable(ValueError):
    """A BODYSTRUCTURE or fetched sections this module cannot turn into a message."""


@dataclass(frozen=True)
class Leaf:
    number: str  # IMAP part number ("1", "2.3")
    ctype: str
    size: int  # octets of the (transfer-encoded) content, as the server counts them
    keep: bool
    filename: str = ""
    subject: str = ""  # of an attached message


@dataclass(frozen=True)
class Multi:
    number: str  # "" for the message's own body
    parts: tuple[Leaf | Multi, ...]


@dataclass(frozen=True)
class Plan:
    body: Leaf | Multi
    sections: tuple[str, ...]  # to fetch as BODY.PEEK[section], the message header first
    size: int  # content octets of the parts kept

    @property
    def items(self) -> list[str]:
        return [f"BODY.PEEK[{s}]" for s in self.sections]


def plan(structure) -> Plan:
    """What to fetch of a message with this BODYSTRUCTURE; Unreadable when it makes no sense."""
    try:
        body = _node(structure, "", 0)
    except (TypeError, ValueError, LookupError, AttributeError) as e:  # Unreadable is a ValueError
        raise Unreadable(f"BODYSTRUCTURE not understood: {e!r}") from None
    sections = ["HEADER"]
    _sections(body, sections, top=True)
    return Plan(body, tuple(sections), sum(leaf.size for leaf in _leaves(body) if leaf.keep))


def rebuild(plan: Plan, fetched: Mapping[bytes, object]) -> bytes:
    """The message from one FETCH response for `plan.items` (imapclient's dict for one UID, keys
    upper-cased as imapclient gives them)."""
    head = _head(_section(fetched, "HEADER"))
    body = plan.body
    if isinstance(body, Multi):
        return _multipart(body, head, fetched)
    if body.keep:
        return head + _section(fetched, body.number)
    return _strip_content(head) + placeholder(body)


def placeholder(leaf: Leaf) -> bytes:
    """A text/plain attachment standing in for a part that was not fetched (headers and body)."""
    lines = ["Deze bijlage is niet van de mailserver opgehaald:",
             "de bot leest alleen de tekst van een bericht.",
             "Het volledige bericht staat nog op de mailserver.", ""]
    if leaf.filename:
        lines.append(f"Bestand:   {leaf.filename}")
    if leaf.subject:
        lines.append(f"Onderwerp: {leaf.subject}")
    lines += [f"Type:      {leaf.ctype}", f"Grootte:   {leaf.size} bytes (gecodeerd)", f"Deel:      {leaf.number}"]
    part = MIMEPart(policy=_POLICY)
    name = leaf.filename or leaf.subject or f"deel-{leaf.number}"
    part.set_content("\n".join(lines) + "\n", disposition="attachment", filename=f"{name} (niet opgehaald).txt")
    return bytes(part)


# --------------------------------------------------------------------------
# BODYSTRUCTURE


def _is_multi(bs) -> bool:
    return isinstance(bs[0], list)  # imapclient's BodyData.is_multipart, also for nested parts


def _node(bs, number: str, depth: int) -> Leaf | Multi:
    if depth > MAX_DEPTH:
        raise Unreadable(f"MIME nesting deeper than {MAX_DEPTH} levels")
    if not _is_multi(bs):
        return _leaf(bs, number or "1")  # the body of a single-part message is part 1
    children = bs[0]
    if not children:
        raise Unreadable(f"multipart without parts at {number or 'the top'}")
    prefix = f"{number}." if number else ""
    return Multi(number, tuple(_node(child, f"{prefix}{i}", depth + 1) for i, child in enumerate(children, 1)))


def _leaf(bs, number: str) -> Leaf:
    """One single part: body-type-basic, -text or -msg of RFC 3501 (with extension data or not)."""
    maintype, subtype = _text(bs[0]).lower(), _text(bs[1]).lower()
    if not maintype or not subtype:  # a server bug: the text might be anywhere
        raise Unreadable(f"part {number} has no type")
    ctype = f"{maintype}/{subtype}"
    size = bs[6]
    if not isinstance(size, int) or size < 0:
        raise Unreadable(f"part {number} has no size")
    # extension data follows the type's own fields: text has a line count, message/rfc822 an
    # envelope, a body and a line count
    at = 9 if ctype.startswith("text/") else 11 if ctype == "message/rfc822" else 8
    disposition, dparams = "", {}
    ext = bs[at] if len(bs) > at else None
    if isinstance(ext, tuple) and len(ext) == 2 and isinstance(ext[0], bytes) and isinstance(ext[1], tuple | None):
        disposition, dparams = _text(ext[0]).lower(), _params(ext[1])
    elif isinstance(ext, bytes):  # Exchange sends a bare "inline" or "attachment"
        disposition = _text(ext).lower()
    filename = dparams.get("filename") or _params(bs[2]).get("name") or ""
    subject = ""
    if ctype == "message/rfc822" and len(bs) > 7 and isinstance(bs[7], tuple) and len(bs[7]) > 1:
        subject = _clean(_text(bs[7][1]))
    keep = (ctype in READ and (ctype not in BODY_TEXT or disposition != "attachment")
            or filename.lower() == "winmail.dat")
    return Leaf(number, ctype, size, keep, filename, subject)


def _params(raw) -> dict[str, str]:
    """A body parameter list (flat name, value, ...) as decoded text (RFC 2231, encoded words)."""
    if not raw:
        return {}
    pairs = [(_text(raw[i]).lower(), _text(raw[i + 1])) for i in range(0, len(raw) - 1, 2)]
    out = {}
    for name, value in decode_params([("", "")] + pairs)[1:]:
        if isinstance(value, tuple):  # name*=charset'lang'text: unquoted before decoding, as Message.get_param
            value = (value[0], value[1], unquote(value[2]))
        out[name] = _clean(collapse_rfc2231_value(value))  # an unknown charset: read as Latin-1
    return out


def _text(value) -> str:
    """A BODYSTRUCTURE string (bytes, perhaps raw 8-bit) as text."""
    if value is None:
        return ""
    if not isinstance(value, bytes):
        raise Unreadable(f"a string was expected, not {value!r}")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("cp1252", "replace")


def _clean(text: str) -> str:
    """A name fit for one line: encoded words decoded, control characters gone, at most 200 characters."""
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except (LookupError, UnicodeError, ValueError):
            pass
    return _CONTROL.sub(" ", text).strip()[:200]


def _sections(node: Leaf | Multi, out: list[str], *, top: bool = False) -> None:
    """The sections of `node` after the message header: a part's MIME header, then its content."""
    if isinstance(node, Multi):
        if not top:
            out.append(f"{node.number}.MIME")  # holds the boundary
        for part in node.parts:
            _sections(part, out)
    elif node.keep:
        out.extend([node.number] if top else [f"{node.number}.MIME", node.number])


def _leaves(node: Leaf | Multi):
    if isinstance(node, Leaf):
        yield node
    else:
        for part in node.parts:
            yield from _leaves(part)


# --------------------------------------------------------------------------
# rebuilding


def _section(fetched: Mapping[bytes, object], section: str) -> bytes:
    key = f"BODY[{section}]".encode()
    if key not in fetched:
        raise Unreadable(f"the server sent no {key.decode()}")
    value = fetched[key]
    return value if isinstance(value, bytes) else b""  # NIL: an empty part


def _head(raw: bytes) -> bytes:
    """A header block ending in exactly one empty line."""
    raw = raw.rstrip(b"\r\n")
    return raw + b"\r\n\r\n" if raw else b"\r\n"


def _multipart(node: Multi, head: bytes, fetched: Mapping[bytes, object]) -> bytes:
    """A multipart with its own header, delimited by the boundary a parser finds in that header."""
    try:
        boundary = BytesHeaderParser(policy=email.policy.default).parsebytes(head).get_boundary()
    except Exception as e:  # the header parser raises on some malformed values
        raise Unreadable(f"no boundary in part {node.number or 'the top'}: {type(e).__name__}") from None
    if not boundary:
        raise Unreadable(f"no boundary in part {node.number or 'the top'}")
    delimiter = b"--" + boundary.encode("utf-8", "surrogateescape")
    out = [head]
    for part in node.parts:
        out += [delimiter, b"\r\n", _part(part, fetched), b"\r\n"]
    out += [delimiter, b"--\r\n"]
    return b"".join(out)


def _part(node: Leaf | Multi, fetched: Mapping[bytes, object]) -> bytes:
    if isinstance(node, Multi):
        return _multipart(node, _head(_section(fetched, f"{node.number}.MIME")), fetched)
    if not node.keep:
        return placeholder(node)
    return _head(_section(fetched, f"{node.number}.MIME")) + _section(fetched, node.number)


def _strip_content(head: bytes) -> bytes:
    """A message header without its Content-* fields (folded lines included), for a placeholder body."""
    lines = re.split(rb"\r?\n", head.rstrip(b"\r\n")) if head.strip() else []
    out: list[bytes] = []
    dropping = False
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                out.append(line)
            continue
        dropping = line.split(b":", 1)[0].strip().lower().startswith(b"content-")
        if not dropping:
            out.append(line)
    return b"".join(line + b"\r\n" for line in out)
