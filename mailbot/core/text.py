"""Turn any parsed email into one readable body text, without ever raising.

Registrations arrive from every mail client the G32 cities use: Outlook (plain,
HTML-only, or wrapped in winmail.dat), Lotus Notes, GroupWise, Apple Mail,
phones, calendar buttons. Their bodies come in any charset (often a wrong or
missing one), any transfer encoding and any MIME nesting. Everything after this
module only wants to read text, so `extract` reduces a message to the text a
person would see, keeps the structure that later steps need (quoted parts stay
recognisable: HTML blockquotes become "> " lines and Outlook reply dividers
become a divider line; table rows stay one line each with " | " between cells),
pulls out a calendar reply (ACCEPTED/DECLINED/TENTATIVE) when there is one, and
lists what it could not read as `problems` instead of failing: a mail the bot
cannot read must still reach a human, never crash the pipeline. The module is
pure (no files, clock, environment or network); it uses the standard library,
inscriptis (with its own lxml parser) for HTML, tnefparse for winmail.dat and
icalendar for calendar replies.
"""

from __future__ import annotations

import base64
import codecs
import email.header
import email.parser
import email.policy
import html as htmllib
import quopri
import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import icalendar
import lxml.html
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.html_engine import Inscriptis
from inscriptis.model.config import ParserConfig
from tnefparse.tnef import TNEF

__all__ = [
    "CalendarReply",
    "Extracted",
    "DIVIDER_LINE",
    "STRIKE",
    "decode_bytes",
    "decode_header_text",
    "extract",
    "html_to_text",
]

#: What HTML strikethrough becomes around the struck text ("~~Financiën~~").
STRIKE = "~~"
_STRUCK_HTML = re.compile(rb"<(?:s|strike|del)[\s>]|line-through", re.I)

#: The line an HTML reply divider (Outlook's border-top div, <hr>, ...) becomes.
#: It is what Outlook itself writes above "From:" in its plain-text replies.
DIVIDER_LINE = "_" * 32

MAX_DEPTH = 50  # MIME nesting deeper than this is not read (mail bombs, loops)

_BQ_START = "\ue000"  # private-use sentinels that survive the HTML renderer
_BQ_END = "\ue001"
_DIVIDER = "\ue002"
_SENTINELS = _BQ_START + _BQ_END + _DIVIDER

_WESTERN_8BIT = frozenset({"ascii", "iso8859-1", "cp1252", "iso8859-15"})

# Charset labels that real mail uses but Python does not know (or knows as
# something narrower than what the sender meant).
_CHARSET_ALIASES = {
    "unicode-1-1-utf-8": "utf-8",
    "utf8": "utf-8",
    "x-unknown": "",
    "unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "windows-874": "cp874",
    "ansi_x3.4-1968": "us-ascii",
    "iso-8859-1-windows-3.1-latin-1": "cp1252",
}

# Codecs that also read what senders label with the narrower name.
_SUPERSETS = {
    "iso2022_jp": ("iso2022_jp_2", "iso2022_jp_ext", "iso2022_jp_2004"),
    "shift_jis": ("cp932", "shift_jis_2004"),
    "euc_jp": ("cp932", "euc_jis_2004"),
    "big5": ("big5hkscs", "cp950"),
    "euc_kr": ("cp949",),
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f]")
_BLANK_RUN = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class CalendarReply:
    """An iCalendar answer (Outlook/Google "Accept"/"Decline" buttons).

    `partstat` is the upper-case PARTSTAT of the answering attendee
    ("ACCEPTED", "DECLINED", "TENTATIVE", ...; "" when absent); `method` is
    the calendar's METHOD ("REPLY" for an answer). Callers must check both.
    """

    method: str
    partstat: str
    comment: str = ""
    summary: str = ""
    attendee: str = ""


@dataclass(frozen=True)
class Extracted:
    """The readable body of a message and what was noticed on the way.

    `source` tells where `text` came from: "plain", "html", "tnef",
    "calendar" (only a calendar comment) or "none" (nothing readable).
    """

    text: str
    source: str
    calendar: CalendarReply | None = None
    attachments: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass
class _Body:
    kind: str  # "plain" | "html" | "tnef" | "calendar"
    text: str


@dataclass
class _Walk:
    problems: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    calendar: CalendarReply | None = None
    counter: int = 0
    depth_reported: bool = False

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)


# ---------------------------------------------------------------------------
# public API


def extract(msg: Message) -> Extracted:
    """Reduce a parsed message (policy.default) to its readable body text.

    Prefers text/plain, falls back to HTML (converted), winmail.dat bodies and
    finally a calendar comment. Attached messages (message/rfc822) and files
    are listed in `attachments`, never read as body. Never raises.
    """
    walk = _Walk()
    try:
        bodies = _visit(msg, 0, walk)
    except Exception as exc:  # pragma: no cover - last line of defence
        walk.problem(f"internal error: message could not be read ({type(exc).__name__})")
        bodies = []
    try:
        texts = [b for b in bodies if b.text.strip()]
        if texts:
            source = texts[0].kind
            text = "\n\n".join(b.text.strip("\n") for b in texts)
        elif walk.calendar is not None and walk.calendar.comment.strip():
            source, text = "calendar", walk.calendar.comment
        else:
            source, text = "none", ""
        text = _tidy(text)
        if not text.strip() and source != "none":
            source = "none"
        return Extracted(
            text=text,
            source=source,
            calendar=walk.calendar,
            attachments=tuple(walk.attachments),
            problems=tuple(walk.problems),
        )
    except Exception as exc:  # pragma: no cover - last line of defence
        return Extracted(
            text="", source="none", calendar=None, attachments=tuple(walk.attachments),
            problems=tuple(walk.problems) + (f"internal error: body could not be assembled ({type(exc).__name__})",),
        )


def decode_header_text(value: Any) -> str:
    """Decode a header value of any shape to clean, unfolded text; never raises.

    Handles str (also with undecoded =?...?= words or raw 8-bit bytes smuggled
    in as surrogates), email.header.Header objects, bytes and None.
    """
    try:
        if value is None:
            return ""
        if isinstance(value, bytes):
            text = decode_bytes(value, None)[0]
        elif isinstance(value, email.header.Header):
            text = _decode_encoded_words(value.encode())
        else:
            text = str(value)
            if _has_surrogates(text):
                raw = text.encode("utf-8", "surrogateescape")
                text = decode_bytes(raw, None)[0]
            if "=?" in text and "?=" in text:
                text = _decode_encoded_words(text)
        text = re.sub(r"\r?\n[ \t]+", " ", text)
        text = text.replace("\r", " ").replace("\n", " ")
        text = _CONTROL.sub("", text)
        return text.strip()
    except Exception:
        try:
            return str(value).encode("utf-8", "replace").decode("utf-8", "replace").strip()
        except Exception:
            return ""


def decode_bytes(data: bytes, declared: str | None, where: str = "") -> tuple[str, str | None]:
    """Decode body bytes: declared charset, then utf-8, cp1252, latin-1.

    Returns the text and a problem description (None when the declared charset
    worked). `where` names the part in that description ("part 2").
    """
    where = f" in {where}" if where else ""
    name = _normalise_charset(declared)
    label = (declared or "").strip().strip("\"'")
    known = _text_codec(name) if name else None
    has_8bit = any(b > 0x7F for b in data)

    if known is not None and not has_8bit and known not in ("utf-16", "utf-32", "utf-7") \
            and not known.startswith(("utf-16", "utf-32", "cp037", "cp500", "cp1140")):
        try:
            return data.decode(known), None
        except (UnicodeDecodeError, LookupError):
            pass

    if known in _WESTERN_8BIT and has_8bit:
        if _valid_utf8(data):
            return data.decode("utf-8"), f"declared charset {label} but content is utf-8{where}; decoded as utf-8"
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        if known == "ascii":
            return text, f"8-bit data in a {label} part{where}; decoded as cp1252"
        return text, None

    if known is not None:
        for codec in (known,) + _SUPERSETS.get(known, ()):
            try:
                return data.decode(codec), None
            except Exception:  # UnicodeDecodeError, and other errors some codecs raise on garbage
                continue
    for fallback in ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        if not has_8bit and known is None and not label:
            return text, None
        if known is None and label:
            why = f"unknown charset {label!r}{where}"
        elif known is None:
            why = f"undeclared charset{where}"
        else:
            why = f"wrong charset {label}{where}"
        return text, f"{why}; decoded as {fallback}"
    return data.decode("latin-1", "replace"), f"undecodable text{where}"  # pragma: no cover


def html_to_text(html: str) -> str:
    """Render HTML as plain text that keeps quoting, dividers and table rows.

    Lines inside <blockquote> get "> " per level; Outlook/OWA reply dividers
    (border-top header divs, divRplyFwdMsg, appendonsend, <hr>) become
    DIVIDER_LINE; table cells are joined with " | ". Never raises.
    """
    try:
        rendered = _render_html(html)
    except Exception:
        rendered = _crude_html_to_text(html)
    return _tidy(rendered)


# ---------------------------------------------------------------------------
# MIME walk


def _visit(part: Message, depth: int, walk: _Walk) -> list[_Body]:
    """Read one part; a part that breaks the reader is reported and skipped."""
    try:
        return _visit_part(part, depth, walk)
    except RecursionError:
        walk.problem("MIME structure too deep to read")
        return []
    except Exception as exc:
        walk.problem(f"internal error reading part {walk.counter} ({type(exc).__name__})")
        return []


def _visit_part(part: Message, depth: int, walk: _Walk) -> list[_Body]:
    """Bodies of one part and its children; attachments and the calendar go into `walk`."""
    walk.counter += 1
    index = walk.counter
    where = f"part {index}"
    if depth > MAX_DEPTH:
        if not walk.depth_reported:
            walk.problem(f"MIME nesting deeper than {MAX_DEPTH} levels; the rest was not read")
            walk.depth_reported = True
        return []
    ctype = _content_type(part, walk, where)
    maintype, _, subtype = ctype.partition("/")
    disposition = _safe(lambda: part.get_content_disposition(), None)
    filename = decode_header_text(_safe(lambda: part.get_filename(), None) or "")

    if maintype == "multipart":
        payload = _safe(lambda: part.get_payload(), None)
        if not isinstance(payload, list):
            reparsed = _reparse_multipart(part, subtype)
            if reparsed is not None and depth < MAX_DEPTH:
                walk.problem(f"multipart with a missing or wrong boundary in {where}; read with the boundary found")
                return _visit(reparsed, depth + 1, walk)
            walk.problem(f"multipart without parts in {where}; read as text")
            return _text_part(part, "plain", walk, where)
        children = [c for c in payload if isinstance(c, Message)]
        if subtype == "alternative":
            return _alternative(children, depth, walk)
        if subtype == "encrypted":
            walk.problem(f"encrypted content in {where} cannot be read")
            walk.attachments.append(ctype)
            return []
        bodies: list[_Body] = []
        for child in children:
            bodies.extend(_visit(child, depth + 1, walk))
        return bodies

    if maintype == "message":
        subject = ""
        payload = _safe(lambda: part.get_payload(), None)
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            subject = decode_header_text(_safe(lambda: payload[0].get("subject"), ""))
        walk.attachments.append(f"{ctype}: {subject}" if subject else ctype)
        return []

    if ctype == "text/calendar":
        walk.attachments.append(_describe(filename, ctype))
        _calendar_part(part, walk, where)
        return []

    if ctype in ("application/ms-tnef", "application/vnd.ms-tnef") or filename.lower() == "winmail.dat":
        walk.attachments.append(_describe(filename or "winmail.dat", ctype))
        return _tnef_part(part, walk, where)

    if ctype in ("text/plain", "text/html") and disposition != "attachment":
        return _text_part(part, subtype, walk, where)

    walk.attachments.append(_describe(filename, ctype))
    return []


def _reparse_multipart(part: Message, subtype: str) -> Message | None:
    """A multipart whose declared boundary is missing or wrong, read with the one in its body."""
    raw = _safe(lambda: part.get_payload(), None)
    if not isinstance(raw, str):
        return None
    m = re.search(r"^--([^\s-][^\s]{0,69}|-[^\s]{1,69})[ \t]*\r?$", raw, re.M)
    if not m:
        return None
    boundary = m.group(1)
    if boundary.endswith("--"):
        boundary = boundary[:-2]
    declared = _safe(lambda: part.get_param("boundary"), None)
    if not boundary or boundary == declared:
        return None
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'
    data = head.encode("ascii", "replace") + raw.encode("utf-8", "surrogateescape")
    msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(data)
    children = _safe(lambda: msg.get_payload(), None)
    if not isinstance(children, list) or not children:
        return None
    return msg


def _alternative(children: list[Message], depth: int, walk: _Walk) -> list[_Body]:
    """Pick one rendering: plain text when it says anything, else HTML, ...

    HTML alternatives are rendered only when no plain text says anything:
    rendering HTML is the most expensive step of reading a message. Every
    other alternative is still visited (a text/calendar part must be seen).
    """
    html = [i for i, child in enumerate(children) if _safe_type(child) == "text/html"]
    struck = [i for i in html if _has_strike(children[i])]
    if struck:
        # plain text loses strikethrough, and struck items read as chosen: the HTML says more
        bodies = _visit(children[struck[0]], depth + 1, walk)
        if any(b.text.strip() for b in bodies):
            for i, child in enumerate(children):
                if i not in html:
                    _visit(child, depth + 1, walk)  # a calendar part must still be seen
            return bodies
    visited = {i: _visit(child, depth + 1, walk) for i, child in enumerate(children) if i not in html}
    if not any(bodies and bodies[0].kind == "plain" and any(b.text.strip() for b in bodies)
               for bodies in visited.values()):
        visited.update({i: _visit(children[i], depth + 1, walk) for i in html})
    options = [visited[i] for i in sorted(visited)]
    for kind in ("plain", "html", "tnef", "calendar"):
        for bodies in options:
            if bodies and bodies[0].kind == kind and any(b.text.strip() for b in bodies):
                return bodies
    for bodies in options:
        if any(b.text.strip() for b in bodies):
            return bodies
    return []


def _has_strike(part: Message) -> bool:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # unreadable: the normal walk reports it
        return False
    return isinstance(data, bytes) and bool(_STRUCK_HTML.search(data))


def _safe_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:  # a header the parser cannot read: let _visit deal with it
        return ""


def _text_part(part: Message, subtype: str, walk: _Walk, where: str) -> list[_Body]:
    """A text/plain or text/html part as body text (charset fallbacks, format=flowed)."""
    data = _payload_bytes(part, walk, where)
    declared = _charset(part)
    if subtype == "html" and not declared:
        m = _META_CHARSET.search(data[:4096])
        if m:
            declared = m.group(1).decode("ascii", "replace")
    text, problem = decode_bytes(data, declared, where)
    if problem:
        walk.problem(problem)
    text = _normalise_newlines(text)
    if subtype == "html":
        return [_Body("html", html_to_text(text))]
    if _looks_like_html(text):
        walk.problem(f"text/plain {where} holds HTML; rendered as HTML")
        return [_Body("html", html_to_text(text))]
    fmt = (_safe(lambda: part.get_param("format"), None) or "")
    if isinstance(fmt, str) and fmt.strip().lower() == "flowed":
        delsp = _safe(lambda: part.get_param("delsp"), None) or ""
        text = unflow(text, delsp=isinstance(delsp, str) and delsp.strip().lower() == "yes")
    return [_Body("plain", _clean_text(text))]


def _payload_bytes(part: Message, walk: _Walk, where: str) -> bytes:
    """The part's content with the transfer encoding undone, as far as possible."""
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        walk.problem(f"transfer encoding of {where} could not be decoded ({type(exc).__name__})")
        data = None
    if data is None:
        raw = _safe(lambda: part.get_payload(), "")
        if isinstance(raw, str):
            data = raw.encode("utf-8", "surrogateescape")
        elif isinstance(raw, bytes):
            data = raw
        else:
            data = b""
    if not isinstance(data, bytes):
        data = bytes(str(data), "utf-8", "replace")
    cte = str(_safe(lambda: part.get("content-transfer-encoding", ""), "") or "").strip().lower()
    if cte not in ("base64", "quoted-printable") and ("quoted" in cte or "base64" in cte):
        walk.problem(f"sloppy transfer encoding {cte!r} in {where}; decoded as {'base64' if 'base64' in cte else 'quoted-printable'}")
        try:
            if "base64" in cte:
                data = base64.b64decode(re.sub(rb"[^A-Za-z0-9+/]", b"", data) + b"===", validate=False)
            else:
                data = quopri.decodestring(data)
        except Exception:
            pass
        return data
    defects = _safe(lambda: list(part.defects), [])
    if any("base64" in type(d).__name__.lower() or "padding" in type(d).__name__.lower() for d in defects):
        walk.problem(f"damaged base64 in {where}; decoded as far as possible")
    if cte and cte not in ("7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode",
                           "uuencode", "x-uue", "uue"):
        walk.problem(f"unknown transfer encoding {cte!r} in {where}; read as is")
    return data


def _charset(part: Message) -> str | None:
    cs = _safe(lambda: part.get_content_charset(), None)
    if cs:
        return str(cs)
    raw = _safe(lambda: part.get_param("charset"), None)
    if isinstance(raw, tuple):  # RFC 2231 (charset, language, value)
        raw = raw[2] if len(raw) == 3 else None
    return str(raw) if raw else None


def _content_type(part: Message, walk: _Walk, where: str) -> str:
    try:
        ctype = part.get_content_type()
    except Exception:
        walk.problem(f"unreadable Content-Type in {where}; read as text/plain")
        return "text/plain"
    ctype = (ctype or "text/plain").lower()
    if "/" not in ctype:
        return "text/plain"
    return ctype


def _describe(filename: str, ctype: str) -> str:
    return f"{filename} ({ctype})" if filename else ctype


# ---------------------------------------------------------------------------
# calendar replies


def _calendar_part(part: Message, walk: _Walk, where: str) -> None:
    data = _payload_bytes(part, walk, where)
    text, problem = decode_bytes(data, _charset(part) or "utf-8", where)
    if problem:
        walk.problem(problem)
    reply = None
    try:
        reply = _parse_ical(text)
    except Exception:
        walk.problem(f"calendar in {where} could not be parsed; read line by line")
    if reply is None:
        reply = _parse_ical_lines(text)
    if reply is not None and walk.calendar is None:
        walk.calendar = reply


def _parse_ical(text: str) -> CalendarReply | None:
    cal = icalendar.Calendar.from_ical(text)
    method = str(cal.get("METHOD", "") or "").strip().upper()
    for comp in cal.walk("VEVENT"):
        attendees = comp.get("ATTENDEE")
        if attendees is None:
            attendees = []
        elif not isinstance(attendees, list):
            attendees = [attendees]
        partstat, who = "", ""
        for att in attendees:
            params = getattr(att, "params", {}) or {}
            ps = str(params.get("PARTSTAT", "") or "").strip().upper()
            if ps:
                partstat, who = ps, str(att)
                break
        if not who and attendees:
            who = str(attendees[0])
        comment = comp.get("COMMENT", "")
        if isinstance(comment, list):
            comment = "\n".join(str(c) for c in comment)
        return CalendarReply(
            method=method,
            partstat=partstat,
            comment=str(comment or "").strip(),
            summary=str(comp.get("SUMMARY", "") or "").strip(),
            attendee=re.sub(r"^mailto:", "", who, flags=re.I).strip(),
        )
    if method:
        return CalendarReply(method=method, partstat="")
    return None


def _parse_ical_lines(text: str) -> CalendarReply | None:
    """Tolerant fallback for calendars that icalendar rejects."""
    lines = re.sub(r"\r?\n[ \t]", "", text).splitlines()
    values: dict[str, str] = {}
    partstat, who = "", ""
    for line in lines:
        name, _, value = line.partition(":")
        key = name.split(";")[0].strip().upper()
        if key == "ATTENDEE" and not partstat:
            m = re.search(r";PARTSTAT=([A-Za-z-]+)", name, re.I)
            if m:
                partstat, who = m.group(1).upper(), re.sub(r"^mailto:", "", value, flags=re.I).strip()
        elif key in ("METHOD", "SUMMARY", "COMMENT") and key not in values:
            values[key] = value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").strip()
    if not values and not partstat:
        return None
    return CalendarReply(
        method=values.get("METHOD", "").upper(),
        partstat=partstat,
        comment=values.get("COMMENT", ""),
        summary=values.get("SUMMARY", ""),
        attendee=who,
    )


# ---------------------------------------------------------------------------
# winmail.dat


def _tnef_part(part: Message, walk: _Walk, where: str) -> list[_Body]:
    """Body of a winmail.dat: plain, else HTML, else the compressed RTF body."""
    data = _payload_bytes(part, walk, where)
    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception as exc:
        walk.problem(f"winmail.dat in {where} could not be read ({type(exc).__name__})")
        return []
    for att in _safe(lambda: list(tnef.attachments), []):
        name = _safe(att.long_filename, "") or _safe(lambda a=att: a.name, "")
        if isinstance(name, bytes):
            name = decode_bytes(name, None)[0]
        walk.attachments.append(f"{str(name).strip(chr(0))} (in winmail.dat)")
    body = _safe(lambda: tnef.body, None)
    html = _safe(lambda: tnef.htmlbody, None)
    if body:
        text = body if isinstance(body, str) else decode_bytes(body, None, where)[0]
        if text.strip():
            return [_Body("tnef", _clean_text(_normalise_newlines(text.rstrip("\x00"))))]
    if html:
        text = html if isinstance(html, str) else decode_bytes(html, None, where)[0]
        if text.strip():
            return [_Body("tnef", html_to_text(_normalise_newlines(text.rstrip("\x00"))))]
    rtf = _safe(lambda: tnef._rtfbody, None)
    if rtf:
        text = _rtf_body(rtf)
        if text.strip():
            return [_Body("tnef", text)]
    walk.problem(f"winmail.dat in {where} has no readable body")
    return []


def _rtf_body(compressed: bytes) -> str:
    """Text of a compressed RTF body (MS-OXRTFCP), HTML de-encapsulated."""
    try:
        rtf = _lzfu_decompress(compressed)
        return _rtf_to_text(rtf.decode("latin-1"))
    except Exception:
        return ""


_LZFU_PREBUF = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss "
    b"\\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier"
    b"{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)


def _lzfu_decompress(data: bytes) -> bytes:
    """Decompress an Outlook compressed-RTF stream ("LZFu"; "MELA" is stored as is)."""
    if len(data) < 16:
        return b""
    comp_type = data[8:12]
    if comp_type == b"MELA":  # stored uncompressed
        size = int.from_bytes(data[4:8], "little")
        return data[16:16 + size]
    if comp_type != b"LZFu":
        return b""
    raw_size = int.from_bytes(data[4:8], "little")
    buf = bytearray(4096)
    buf[: len(_LZFU_PREBUF)] = _LZFU_PREBUF
    write = len(_LZFU_PREBUF)
    out = bytearray()
    pos = 16
    end = len(data)
    while pos < end and len(out) < raw_size:
        flags = data[pos]
        pos += 1
        for bit in range(8):
            if pos >= end or len(out) >= raw_size:
                break
            if flags & (1 << bit):
                if pos + 1 >= end:
                    return bytes(out)
                ref = (data[pos] << 8) | data[pos + 1]
                pos += 2
                offset, length = ref >> 4, (ref & 0xF) + 2
                if offset == write:
                    return bytes(out)
                for i in range(length):
                    c = buf[(offset + i) % 4096]
                    out.append(c)
                    buf[write] = c
                    write = (write + 1) % 4096
            else:
                c = data[pos]
                pos += 1
                out.append(c)
                buf[write] = c
                write = (write + 1) % 4096
    return bytes(out)


_RTF_TOKEN = re.compile(r"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.S)
_RTF_SKIP = frozenset({
    "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header", "footer",
    "listtable", "listoverridetable", "rsidtbl", "generator", "xmlnstbl", "themedata",
    "datastore", "latentstyles", "mmathPr", "pgdsctbl",
})


def _rtf_to_text(rtf: str) -> str:
    """Small RTF reader: plain text, or the HTML encapsulated by Outlook."""
    from_html = "\\fromhtml" in rtf[:400]
    out: list[str] = []
    stack: list[tuple[bool, bool, int]] = []
    skip, htmlrtf, uc = False, False, 1
    pending_skip = 0
    star = False
    ansi = "cp1252"
    for m in _RTF_TOKEN.finditer(rtf):
        word, arg, hexbyte, sym, brace, plain = m.groups()
        if brace == "{":
            stack.append((skip, htmlrtf, uc))
            star = False
            continue
        if brace == "}":
            if stack:
                skip, htmlrtf, uc = stack.pop()
            continue
        if word:
            if word in _RTF_SKIP or (star and word not in ("htmltag", "mhtmltag")):
                skip = True
            star = False
            if word == "htmlrtf":
                htmlrtf = arg != "0"
            elif word == "ansicpg" and arg:
                ansi = f"cp{arg}"
            elif word == "uc" and arg:
                uc = int(arg)
            elif skip or (htmlrtf and from_html):
                continue
            elif word in ("par", "line") and not from_html:
                out.append("\n")
            elif word == "tab":
                out.append("\t")
            elif word == "u" and arg:
                code = int(arg)
                out.append(chr(code + 65536 if code < 0 else code))
                pending_skip = uc
            continue
        if sym:
            if sym == "*":
                star = True
            elif not skip and not (htmlrtf and from_html):
                if sym in "\\{}":
                    out.append(sym)
                elif sym == "~":
                    out.append("\u00a0")
            continue
        if hexbyte:
            if pending_skip:
                pending_skip -= 1
                continue
            if not skip and not (htmlrtf and from_html):
                try:
                    out.append(bytes([int(hexbyte, 16)]).decode(ansi, "replace"))
                except LookupError:
                    out.append(bytes([int(hexbyte, 16)]).decode("cp1252", "replace"))
            continue
        if plain:
            if pending_skip:
                drop = min(pending_skip, len(plain))
                plain = plain[drop:]
                pending_skip -= drop
            if not skip and not (htmlrtf and from_html):
                out.append(plain)
    text = "".join(out)
    if from_html:
        return html_to_text(text)
    return _tidy(text)


# ---------------------------------------------------------------------------
# HTML


def _render_html(html: str) -> str:
    html = _CONTROL.sub("", html.replace(_BQ_START, "").replace(_BQ_END, "").replace(_DIVIDER, ""))
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        return ""
    try:
        tree = lxml.html.document_fromstring(html)
    except Exception:
        tree = lxml.html.document_fromstring("<pre>" + _escape(html) + "</pre>")
    _mark_structure(tree)
    css = dict(CSS_PROFILES["strict"])
    config = ParserConfig(css=css, table_cell_separator=" | ")
    rendered = Inscriptis(tree, config).get_text()
    return _apply_sentinels(rendered)


def _mark_structure(tree: Any) -> None:
    """Insert sentinel blocks for blockquotes and reply dividers."""
    for bad in list(tree.iter("head", "style", "script", "title", "xml")):
        _drop(bad)
    for para in list(tree.iter("p")):
        # Outlook/Word paragraphs have no margins (blank lines are explicit
        # <p>&nbsp;</p>); rendering them as blocks keeps signatures compact.
        if "mso" in (para.get("class") or "").lower():
            para.tag = "div"
            if not (para.text_content() or "").replace("\u00a0", " ").strip():
                for child in list(para):
                    para.remove(child)
                para.text = None
                para.append(para.makeelement("br", {}))
    for el in list(tree.iter()):
        if isinstance(el.tag, str) and _is_struck(el) and not any(_is_struck(a) for a in el.iterancestors()):
            # struck-through text is withdrawn, not chosen: keep it visible as ~~...~~
            el.text = STRIKE + (el.text or "")
            end = el.makeelement("span", {})
            end.text = STRIKE
            el.append(end)
    for bq in list(tree.iter("blockquote")):
        if _is_indent(bq):
            bq.tag = "div"  # Gmail's "indent" button: the sender's own text, not a quote
            continue
        start = bq.makeelement("div", {})
        start.text = _BQ_START
        start.tail = bq.text
        bq.text = None
        bq.insert(0, start)
        end = bq.makeelement("div", {})
        end.text = _BQ_END
        bq.append(end)
    for el in list(tree.iter()):
        if not isinstance(el.tag, str):
            continue
        if _is_divider(el):
            marker = el.makeelement("div", {})
            marker.text = _DIVIDER
            parent = el.getparent()
            if parent is None:
                continue
            if el.tag == "hr":
                marker.tail = el.tail
                parent.replace(el, marker)
            else:
                el.addprevious(marker)


_HEADERISH = re.compile(r"^\W{0,3}[^\W\d_][^\n:]{0,24}\s?:", re.U)


def _is_struck(el: Any) -> bool:
    """<s>, <strike>, <del> or a line-through style: text the writer crossed out."""
    if not isinstance(el.tag, str):
        return False
    if el.tag.lower() in ("s", "strike", "del"):
        return True
    return "line-through" in (el.get("style") or "").lower()


def _is_indent(bq: Any) -> bool:
    """A blockquote used for indenting (Gmail: style "margin:0 0 0 40px;border:none")."""
    style = (bq.get("style") or "").lower().replace(" ", "")
    if (bq.get("type") or "").lower() == "cite" or "quote" in (bq.get("class") or "").lower():
        return False
    return "border:none" in style


def _is_divider(el: Any) -> bool:
    tag = el.tag.lower()
    if tag == "hr":
        return True
    ident = (el.get("id") or "").lower()
    if ident in ("divrplyfwdmsg", "appendonsend", "olk_src_body_section") or ident.startswith("divrpf"):
        return True
    classes = (el.get("class") or "").lower().split()
    if "outlookmessageheader" in classes:
        return True
    if tag in ("div", "p"):
        style = (el.get("style") or "").lower().replace(" ", "")
        if "border-top:solid" in style or ("border-top:" in style and "border:none" in style):
            text = (el.text_content() or "").strip()
            return bool(_HEADERISH.match(text))
    return False


def _drop(el: Any) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _apply_sentinels(rendered: str) -> str:
    """Turn the sentinels into "> " prefixes and divider lines."""
    out: list[str] = []
    depth = 0
    for line in rendered.split("\n"):
        if any(s in line for s in _SENTINELS):
            starts, ends, dividers = line.count(_BQ_START), line.count(_BQ_END), line.count(_DIVIDER)
            rest = re.sub(f"[{_SENTINELS}]", "", line)
            depth += starts
            last = next((x for x in reversed(out) if x.strip(" >")), "")
            if dividers and not last.endswith(DIVIDER_LINE):
                out.append(_quote_prefix(depth) + DIVIDER_LINE)
            if rest.strip(" |\t"):
                out.append(_quote_prefix(depth) + rest.rstrip())
            depth = max(0, depth - ends)
            continue
        line = line.rstrip()
        if not line.strip(" |\t"):
            line = ""  # empty table row (cell margins)
        if depth:
            out.append(_quote_prefix(depth) + line if line.strip() else ">" * depth)
        else:
            out.append(line)
    return "\n".join(out)


def _quote_prefix(depth: int) -> str:
    return ">" * depth + " " if depth else ""


def _crude_html_to_text(html: str) -> str:
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", html)
    text = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</tr\s*>|</li\s*>|</h\d\s*>", "\n", text)
    text = re.sub(r"(?i)<hr\b[^>]*>", "\n" + DIVIDER_LINE + "\n", text)
    text = re.sub(r"(?i)</t[dh]\s*>", " | ", text)
    text = re.sub(r"(?s)<[^>]*>", "", text)
    return htmllib.unescape(text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<html", "<!doctype html")) and "</" in text[-400:].lower()


# ---------------------------------------------------------------------------
# plain text helpers


def unflow(text: str, delsp: bool = False) -> str:
    """Undo RFC 3676 format=flowed soft line breaks (quote depth aware)."""
    out: list[str] = []
    para: list[str] | None = None
    para_depth = 0

    def flush() -> None:
        nonlocal para
        if para is not None:
            joined = "".join(para)
            out.append((">" * para_depth + " " + joined) if para_depth else joined)
            if para_depth and not joined:
                out[-1] = ">" * para_depth
        para = None

    for raw in text.split("\n"):
        m = re.match(r"^>+", raw)
        depth = len(m.group()) if m else 0
        content = raw[depth:]
        if content.startswith(" "):
            content = content[1:]
        if content.rstrip() == "--" and content.startswith("-- "):
            flush()
            out.append((">" * depth + " -- ") if depth else "-- ")
            continue
        flowed = content.endswith(" ")
        if flowed and delsp:
            content = content[:-1]
        if para is not None and depth == para_depth:
            para.append(content)
        else:
            flush()
            para, para_depth = [content], depth
        if not flowed:
            flush()
    flush()
    return "\n".join(out)


def _normalise_newlines(text: str) -> str:
    """CRLF and bare CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _clean_text(text: str) -> str:
    return _CONTROL.sub("", text)


def _tidy(text: str) -> str:
    """Uniform final text: LF lines without trailing blanks, no invisible characters, no blank runs."""
    text = _normalise_newlines(text)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = re.sub(f"[{_SENTINELS}]", "", text)
    lines = [line if line == "-- " else line.rstrip() for line in text.split("\n")]  # keep "-- "
    text = "\n".join(lines)
    text = _BLANK_RUN.sub("\n\n", text)
    return text.strip("\n")


def _normalise_charset(declared: str | None) -> str:
    if not declared:
        return ""
    name = str(declared).strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    return name


def _text_codec(name: str) -> str | None:
    try:
        info = codecs.lookup(name)
    except (LookupError, TypeError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _decode_encoded_words(text: str) -> str:
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except Exception:
        pass
    parts = []
    for chunk, charset in email.header.decode_header(text):
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, charset)[0])
        else:
            parts.append(chunk)
    return "".join(parts)


def _safe(fn: Any, default: Any) -> Any:
    """fn(), or default when the email library trips over a malformed header or part."""
    try:
        return fn()
    except Exception:
        return default
