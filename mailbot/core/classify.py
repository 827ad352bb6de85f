"""Tell mail written by a person from mail written by a machine, before anything reads it.

Everything that reaches info@G32.nl goes through the registration pipeline, but
only mail a person wrote may register, decline or change anything: out-of-office
replies quote the invitation with every session name, bounces return our own
confirmations, read receipts and newsletters say "aanmelden" and "afmelden", and
our own mail can come back to us. Getting this wrong costs either a phantom
registration or, worse, a real one silently dropped, so the checks are an explicit,
ordered list of small named rules (in the style of Mailman's chains): each looks
at one kind of evidence, the first that fires decides, and `explain` can show
every rule that would have fired. Headers are read defensively from the raw
header list, because real-world mail is often malformed and this function must
never raise. The module is pure: it only looks at the message and its arguments.
"""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from functools import cached_property

from flufl.bounce import all_failures

from mailbot.core.mailfacts import clean

_FLUFL_DETECTORS: list | None
try:  # flufl.bounce's detector list lets us skip one detector that crashes and see which one fired.
    from flufl.bounce._scan import _DETECTORS as _FLUFL_DETECTORS
except Exception:  # pragma: no cover - a future flufl.bounce may move it
    _FLUFL_DETECTORS = None

KINDS = ("human", "auto-reply", "bounce", "receipt", "bulk", "loop", "auth-fail")

# --- phrase lists (matched without case or accents) --------------------------------------

# Subject prefixes of delivery reports (non-delivery, delay). Matched at the start of the subject.
BOUNCE_SUBJECT_PREFIXES: tuple[str, ...] = (
    "undeliverable",
    "undelivered mail",
    "undeliverable mail",
    "onbestelbaar",
    "niet bezorgd",
    "niet afgeleverd",
    "kan niet worden bezorgd",
    "bezorging mislukt",
    "delivery status notification",
    "delivery notification",
    "delivery report",
    "delivery failure",
    "delivery has failed",
    "delivery problem",
    "failed delivery",
    "failure delivery",
    "failure notice",
    "permanent delivery failure",
    "non-delivery",
    "nondelivery",
    "non delivery",
    "mail delivery failed",
    "mail delivery failure",
    "mail delivery problem",
    "mail delivery warning",
    "mail delivery system",
    "mail could not be delivered",
    "mail system error",
    "returned mail",
    "delayed mail",
    "message delayed",
    "unzustellbar",
    "nicht zustellbar",
    "zustellung fehlgeschlagen",
    "non remis",
    "non distribuable",
    "warning: message has not yet been delivered",
    "warning: could not send message",
)

# Words that make a subject "delivery-ish": enough together with a null Return-Path.
DELIVERY_SUBJECT_WORDS: tuple[str, ...] = (
    "deliver",
    "undeliver",
    "delivery",
    "bezorg",
    "afgeleverd",
    "onbestelbaar",
    "zustell",
    "failure",
    "failed",
    "returned",
    "bounce",
    "delayed",
    "vertraagd",
    "not delivered",
    "non remis",
    "mail error",
    "error",
    "rejected",
    "blocked",
    "user unknown",
    "unknown user",
    "mailbox full",
    "mailbox is full",
)

# Phrases that open the text of a delivery report; evidence only with an automatic sender.
BOUNCE_BODY_PHRASES: tuple[str, ...] = (
    "could not be delivered",
    "cannot be delivered",
    "can't be delivered",
    "couldn't be delivered",
    "was not delivered",
    "were not delivered",
    "undeliverable",
    "delivery has failed",
    "delivery failed",
    "delivery to the following",
    "permanent error",
    "permanent fatal error",
    "user unknown",
    "unknown user",
    "no such user",
    "mailbox unavailable",
    "mailbox is full",
    "mailbox full",
    "kon niet worden bezorgd",
    "kan niet worden bezorgd",
    "niet worden afgeleverd",
    "niet afgeleverd",
    "konnte nicht zugestellt werden",
    "nicht zugestellt",
    "n'a pas pu etre delivre",
    "non remis",
)

# Subject prefixes of a message a person forwarded (a forwarded bounce is a person's mail).
FORWARD_SUBJECT_PREFIXES: tuple[str, ...] = ("fw", "fwd", "wg", "tr", "doorgestuurd", "forward")

# Local parts of senders that never read replies (a weak sign of machine mail).
NO_REPLY_LOCALPARTS: tuple[str, ...] = (
    "no-reply",
    "noreply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
)

# Local parts and display names of the senders of delivery reports.
DAEMON_LOCALPARTS: tuple[str, ...] = (
    "mailer-daemon",
    "mailerdaemon",
    "mail-daemon",
    "maildaemon",
    "postmaster",
    "post_master",
    "mdaemon",
)
DAEMON_DISPLAY_NAMES: tuple[str, ...] = (
    "mail delivery subsystem",
    "mail delivery system",
    "mail delivery service",
    "mailer-daemon",
    "mailer daemon",
)

# Subject prefixes of read receipts (Outlook, Thunderbird, Notes, in NL/EN/DE).
RECEIPT_SUBJECT_PREFIXES: tuple[str, ...] = (
    "gelezen",
    "niet gelezen",
    "read",
    "not read",
    "gelesen",
    "ungelesen",
    "nicht gelesen",
    "lu",
    "return receipt",
    "read receipt",
    "leesbevestiging",
    "lesebestatigung",
)

# Unambiguous auto-reply phrases: enough anywhere in the subject before its first colon.
AUTO_REPLY_SUBJECT_PHRASES: tuple[str, ...] = (
    "automatisch antwoord",
    "automatische reactie",
    "automatisch bericht",
    "automatic reply",
    "automatic response",
    "autoreply",
    "auto-reply",
    "auto reply",
    "autorespons",
    "auto-response",
    "auto response",
    "abwesenheitsnotiz",
    "automatische antwort",
    "reponse automatique",
    "respuesta automatica",
    "risposta automatica",
    "resposta automatica",
    "automatisk svar",
    "autosvar",
    "automaattinen vastaus",
    "automatyczna odpowiedz",
    "automaticka odpoved",
    "automatikus valasz",
    "automatiska atbilde",
    "自動応答",
    "自动回复",
)

# Ambiguous words ("Afwezig" is also how a person declines): only as a prefix followed by a colon.
AUTO_REPLY_SUBJECT_COLON_PREFIXES: tuple[str, ...] = (
    "afwezig",
    "afwezigheid",
    "afwezigheidsmelding",
    "niet aanwezig",
    "out of office",
    "out of the office",
    "abwesend",
    "abwesenheit",
    "absence",
)

# Out-of-office phrases in a body: corroborate a weak header (never enough on their own).
OUT_OF_OFFICE_BODY_PHRASES: tuple[str, ...] = (
    "out of the office",
    "out of office",
    "ben ik afwezig",
    "ik ben afwezig",
    "ben ik niet aanwezig",
    "ik ben niet aanwezig",
    "ben ik niet bereikbaar",
    "niet op kantoor",
    "afwezig tot",
    "afwezig van",
    "bin ich nicht im buro",
    "bin ich abwesend",
    "abwesend",
    "on leave",
    "on vacation",
    "on holiday",
    "away from the office",
    "limited access to my e-mail",
    "limited access to my email",
    "beperkt toegang tot mijn e-mail",
    "beperkt toegang tot mijn mail",
)

BULK_PRECEDENCE: tuple[str, ...] = ("bulk", "junk", "list")

# fmt: off
_MONTHS: dict[str, int] = {
    # Dutch
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mrt": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "okt": 10, "nov": 11, "dec": 12,
    # English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "mar": 3, "oct": 10,
    # German (accents stripped)
    "januar": 1, "februar": 2, "marz": 3, "mai": 5, "dezember": 12, "dez": 12,
}
# fmt: on
_WEEKDAYS = (
    "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    "ma|di|wo|do|vr|za|zo|mon|tue|wed|thu|fri|sat|sun"
)
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_RE = (
    rf"(?:(?:{_WEEKDAYS})\.?,?\s+(?:de\s+|the\s+|den\s+)?)?"
    rf"(?:(?P<d1>\d{{1,2}})(?:e|ste|de|st|nd|rd|th)?\.?\s+(?P<m1>{_MONTH_RE})\b\.?(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<m2>{_MONTH_RE})\b\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<d3>[0-3]?\d)[-/.](?P<m3>0?[1-9]|1[0-2])(?:[-/.](?P<y3>\d{{4}}|\d{{2}}))?(?![\d:]))"
)
# "tot en met vrijdag 10 november", "until Monday 6 November", "bis zum 10. November", ...
_AWAY_UNTIL_RES: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\b(?:tot\s+en\s+met|t/m|tot\s+op|tot|until|till|through|bis\s+einschliesslich"
        r"|bis\s+zum|bis\s+am|bis)\s+(?:(?:en\s+met|en|met|op|on|the|zum|am|dem)\s+)*" + _DATE_RE,
    ),
    re.compile(
        r"\b(?:terug\s+op|terug\s+vanaf|weer\s+aanwezig\s+op|weer\s+aanwezig\s+vanaf"
        r"|weer\s+bereikbaar\s+op|weer\s+bereikbaar\s+vanaf|weer\s+op\s+kantoor\s+op"
        r"|returning\s+on|returning|return\s+on|back\s+on|back\s+in\s+the\s+office\s+on"
        r"|back\s+in\s+office\s+on|back\s+at\s+work\s+on|back\s+in\s+the\s+office"
        r"|zuruck\s+am|wieder\s+am|wieder\s+ab)\s+(?:(?:on|the|op|am|dem)\s+)*" + _DATE_RE,
    ),
    re.compile(
        r"\b(?:vanaf|per|op|ab|am)\s+(?:dem\s+|den\s+)?"
        + _DATE_RE
        + r"\s+(?:\w+\s+){0,2}(?:weer|wieder)\b"
    ),
)

_EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$")
_MSGID_DOMAIN_RE = re.compile(r"<[^<>@\s]*@([^<>\s]+)>")
_COMMENT_RE = re.compile(r"\([^()]*\)")


# --- the values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    """What kind of mail a message is, why, and what the evidence says."""

    kind: str  # one of KINDS
    reason: str  # short English reason naming the evidence
    rule: str  # kebab-case name of the rule that fired
    # bounces: the addresses that failed permanently, lower-cased
    failed_addresses: tuple[str, ...] = ()
    away_until: str | None = None  # out-of-office: ISO date when parseable, else the text
    # human mail the trusted receiving server could not verify (spf and dkim failed, no
    # dmarc pass): it may register, but never change what is recorded (docs/reliability.md)
    unverified: str | None = None

    @property
    def is_automatic(self) -> bool:
        """True for everything a machine wrote (no registration may come from it)."""
        return self.kind != "human"


@dataclass(frozen=True)
class Rule:
    """One named check; `check` returns a Classification when it fires, else None."""

    name: str
    description: str
    check: Callable[[Message, ClassifyContext], Classification | None]


# --- defensive access to the message --------------------------------------------------------


_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile("[\udc80-\udcff]")


def _fold(text: str) -> str:
    """Lower-case, strip accents and collapse whitespace, for phrase matching."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACES.sub(" ", text.casefold()).strip()


def _undo_surrogates(text: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: decode them as UTF-8, else cp1252."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _decode_header_value(value: object) -> str:
    """Decode a raw header value (RFC 2047 words, raw 8-bit) to text; never raises."""
    try:
        text = _undo_surrogates(str(value))
    except Exception:
        return ""
    text = re.sub(r"\r?\n[ \t]*|\r[ \t]*", " ", text).strip()
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except Exception:
            pass
    return text


def _raw_items(msg: Message) -> list[tuple[str, object]]:
    """The top-level header list without parsing it (parsing may raise on broken headers)."""
    try:
        return list(msg.raw_items())  # type: ignore[attr-defined]
    except Exception:
        try:
            return list(getattr(msg, "_headers", []))
        except Exception:
            return []


def _param(header_value: str, name: str) -> str:
    """A parameter of a structured header such as Content-Type, by regex."""
    m = re.search(rf"(?:^|;)\s*{re.escape(name)}\s*=\s*(\"[^\"]*\"|[^;\s]+)", header_value, re.I)
    return m.group(1).strip('"').strip().lower() if m else ""


def _content_type(value: str) -> str:
    m = re.match(r"\s*([\w.+-]+/[\w.+-]+)", value)
    return m.group(1).lower() if m else ""


def _part_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        for k, v in _raw_items(part):
            if str(k).lower() == "content-type":
                return _content_type(_decode_header_value(v)) or "text/plain"
        return "text/plain"


def _top_parts(msg: Message) -> Iterator[Message]:
    """Every MIME part, not descending into attached messages (message/rfc822)."""
    stack = [msg]
    seen = 0
    while stack and seen < 500:
        part = stack.pop(0)
        seen += 1
        yield part
        try:
            if part.is_multipart() and _part_type(part) not in ("message/rfc822",):
                payload = part.get_payload()
                if isinstance(payload, list):
                    stack[0:0] = [p for p in payload if isinstance(p, Message)]
        except Exception:
            continue


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        try:
            raw = part.get_payload()
            return raw if isinstance(raw, str) else ""
        except Exception:
            return ""
    try:
        charset = part.get_content_charset() or "utf-8"
    except Exception:
        charset = "utf-8"
    try:
        return payload.decode(charset, "replace")
    except (LookupError, TypeError):
        return payload.decode("cp1252", "replace")


def _html_to_text(text: str) -> str:
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return html.unescape(text)


def _salvage_headerless(msg: Message) -> Message:
    """A message with no headers whose body starts with a header block (leading blank lines in a
    saved file) is parsed again from that body; anything else is returned unchanged."""
    try:
        if _raw_items(msg) or msg.is_multipart():
            return msg
        payload = msg.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return msg
        body = payload.lstrip()
        if not re.match(rb"[!-9;-~]+:[ \t]*\S", body[:200]):
            return msg
        policy = getattr(msg, "policy", None)
        reparsed = message_from_bytes(body, policy=policy) if policy else message_from_bytes(body)
        return reparsed if _raw_items(reparsed) else msg
    except Exception:
        return msg


def _email_address(text: str) -> str:
    text = text.strip().strip("<>").strip().lower()
    return text if _EMAIL_RE.match(text) else ""


# --- the context: options plus features computed once, lazily --------------------------------


class ClassifyContext:
    """The options of one classify() call plus the message's features, each computed once."""

    def __init__(
        self,
        msg: Message,
        own_addresses: frozenset[str],
        trusted_authserv_ids: frozenset[str],
        own_message_id_domains: frozenset[str],
    ) -> None:
        self.msg = _salvage_headerless(msg)
        self.own_addresses = frozenset(a.strip().lower() for a in own_addresses)
        self.trusted_authserv_ids = frozenset(a.strip().lower() for a in trusted_authserv_ids)
        self.own_message_id_domains = frozenset(
            d.strip().lower().lstrip("@") for d in own_message_id_domains
        )

    @cached_property
    def headers(self) -> list[tuple[str, str]]:
        """Top-level headers as (lower-case name, decoded value)."""
        out = []
        for name, value in _raw_items(self.msg):
            try:
                out.append((str(name).strip().lower(), clean(_decode_header_value(value))))
            except Exception:
                continue
        return out

    def all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k == name]

    def first(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    @cached_property
    def subject(self) -> str:
        return self.first("subject") or ""

    @cached_property
    def subject_folded(self) -> str:
        return _fold(self.subject)

    @cached_property
    def from_addresses(self) -> tuple[tuple[str, str], ...]:
        """(display name, lower-case address) pairs of From."""
        values = self.all("from")
        try:
            pairs = getaddresses(values)
        except Exception:
            pairs = []
        out = [(n or "", a.strip().lower()) for n, a in pairs if a]
        if not out:  # getaddresses gave up: fall back to anything that looks like an address
            for v in values:
                out += [("", a.lower()) for a in re.findall(r"[\w.+'-]+@[\w.-]+\w", v)]
        return tuple(out)

    @cached_property
    def return_path_null(self) -> bool:
        """True when the envelope sender was null (Return-Path: <>), as for notifications."""
        values = self.all("return-path")
        return bool(values) and re.sub(r"\s+", "", values[0]) in ("<>", "")

    @cached_property
    def from_empty(self) -> bool:
        """True when From is present but carries no address (From: "System" <>)."""
        values = self.all("from")
        return bool(values) and not self.from_addresses

    @cached_property
    def from_no_reply(self) -> bool:
        return any(
            addr.split("@", 1)[0] in NO_REPLY_LOCALPARTS for _name, addr in self.from_addresses
        )

    @cached_property
    def forwarded(self) -> bool:
        """True when the subject says a person forwarded something (Fw:, Fwd:, WG:, ...)."""
        return bool(re.match(rf"(?:{'|'.join(FORWARD_SUBJECT_PREFIXES)})\s*:", self.subject_folded))

    @cached_property
    def delivery_subject(self) -> str | None:
        """The delivery word in a subject that is not a person's forward, if any."""
        if self.forwarded:
            return None
        return next((w for w in DELIVERY_SUBJECT_WORDS if w in self.subject_folded), None)

    @cached_property
    def automatic_sender(self) -> str | None:
        """Weak evidence that a machine sent the message: null sender, empty From, no-reply."""
        if self.return_path_null:
            return "Return-Path <>"
        if self.from_empty:
            return "From without an address"
        if self.from_no_reply:
            return "From a no-reply address"
        if self.auto_submitted:
            return f"Auto-Submitted: {self.auto_submitted}"
        return None

    @cached_property
    def content_type_value(self) -> str:
        return self.first("content-type") or ""

    @cached_property
    def content_type(self) -> str:
        return _content_type(self.content_type_value)

    @cached_property
    def report_type(self) -> str:
        return _param(self.content_type_value, "report-type")

    @cached_property
    def part_types(self) -> tuple[str, ...]:
        return tuple(_part_type(p) for p in _top_parts(self.msg))

    @cached_property
    def body_text(self) -> str:
        """The first readable text of the message (plain preferred, else HTML as text)."""
        html_text = None
        for part in _top_parts(self.msg):
            ctype = _part_type(part)
            try:
                disposition = (part.get("content-disposition") or "").lower()
            except Exception:
                disposition = ""
            if "attachment" in disposition:
                continue
            if ctype == "text/plain":
                return _part_text(part)[:20000]
            if ctype == "text/html" and html_text is None:
                html_text = _html_to_text(_part_text(part)[:60000])
        return (html_text or "")[:20000]

    @cached_property
    def body_folded(self) -> str:
        return _fold(self.body_text)

    @cached_property
    def message_date(self) -> date | None:
        value = self.first("date")
        if not value:
            return None
        try:
            return parsedate_to_datetime(value).date()
        except Exception:
            return None

    @cached_property
    def away_until(self) -> str | None:
        """Until when an out-of-office message says its writer is away (subject, then body)."""
        return away_until(self.subject + "\n" + self.body_text, self.message_date)

    @cached_property
    def referenced_domains(self) -> tuple[str, ...]:
        """Domains of the Message-IDs in In-Reply-To and References."""
        text = " ".join(self.all("in-reply-to") + self.all("references"))
        return tuple(d.lower().rstrip(".") for d in _MSGID_DOMAIN_RE.findall(text))

    @cached_property
    def auto_submitted(self) -> str | None:
        """The Auto-Submitted value (without comments) when it marks automatic mail."""
        for value in self.all("auto-submitted"):
            token = _COMMENT_RE.sub("", value).strip().lower()
            if token and token != "no":
                return token
        return None

    @cached_property
    def bounce_scan(self) -> tuple[frozenset[str], frozenset[str], str]:
        """flufl.bounce's (temporary, permanent, detector name); empty when nothing found."""
        return _flufl_scan(self.msg)


def _addresses(raw: frozenset[bytes] | set[bytes]) -> frozenset[str]:
    out = set()
    for item in raw:
        try:
            text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        except Exception:
            continue
        addr = _email_address(text)
        if addr:
            out.add(addr)
    return frozenset(out)


def _flufl_scan(msg: Message) -> tuple[frozenset[str], frozenset[str], str]:
    """Run flufl.bounce's detectors, skipping one that crashes, and say which one fired."""
    if _FLUFL_DETECTORS is None:  # pragma: no cover
        try:
            temporary, permanent = all_failures(msg)
        except Exception:
            return frozenset(), frozenset(), ""
        return _addresses(temporary), _addresses(permanent), "flufl"
    for detector in _FLUFL_DETECTORS:
        try:
            temporary, permanent = detector().process(msg)
        except Exception:
            continue
        if temporary or permanent:
            temp, perm = _addresses(temporary), _addresses(permanent)
            if temp or perm:
                return temp, perm, detector.__name__
    return frozenset(), frozenset(), ""


# flufl.bounce detectors that read a machine-made header (X-Failed-Recipients, a fixed sender) and
# so are evidence on their own. The others guess from body text, and the DSN detector also finds
# delivery reports inside attached messages (a person forwarding a bounce): those need a second
# sign. A DSN at the top level is caught earlier by the delivery-report rule.
_STRUCTURAL_DETECTORS = frozenset({"Exim", "Sina"})


def _starts_with_phrase(text: str, phrases: tuple[str, ...]) -> str | None:
    for phrase in phrases:
        if text.startswith(phrase) and (
            len(text) == len(phrase) or not text[len(phrase)].isalnum()
        ):
            return phrase
    return None


# --- the rules --------------------------------------------------------------------------------


def _trusted_results(ctx: ClassifyContext) -> Iterator[tuple[str, str]]:
    """(server, results without comments) of each Authentication-Results header that a
    server the config trusts wrote; any other such header is a claim, not evidence."""
    for value in ctx.all("authentication-results"):
        authserv_id = value.split(";", 1)[0].strip().split()
        if authserv_id and authserv_id[0].lower() in ctx.trusted_authserv_ids:
            yield authserv_id[0], _COMMENT_RE.sub(" ", value.split(";", 1)[1] if ";" in value else "")


def _check_auth_fail(msg: Message, ctx: ClassifyContext) -> Classification | None:
    for server, results in _trusted_results(ctx):
        if re.search(r"(?:^|[;\s])dmarc\s*=\s*fail\b", results, re.I):
            return Classification("auth-fail", f"Authentication-Results from {server}: dmarc=fail", "auth-fail")
    return None


def _check_own_address(msg: Message, ctx: ClassifyContext) -> Classification | None:
    for _name, addr in ctx.from_addresses:
        local, _, domain = addr.partition("@")
        if addr in ctx.own_addresses or f"{local.split('+')[0]}@{domain}" in ctx.own_addresses:
            return Classification("loop", f"From is our own address {addr}", "own-address")
    return None


_FINAL_RECIPIENT_RE = re.compile(
    r"^\s*final-recipient\s*:\s*rfc822\s*;\s*<?([^\s<>;]+@[^\s<>;]+?)>?\s*$", re.I | re.M
)


def _text_report_failures(text: str) -> frozenset[str]:
    """Failed recipients of a DSN pasted into the notification text (no message/delivery-status
    part, so flufl.bounce misses it): Final-Recipient lines when the text says Action: failed."""
    if not re.search(r"^\s*action\s*:\s*failed", text, re.I | re.M):
        return frozenset()
    return frozenset(a for a in map(_email_address, _FINAL_RECIPIENT_RE.findall(text)) if a)


def _bounce(ctx: ClassifyContext, evidence: str, rule: str) -> Classification:
    temporary, permanent, _detector = ctx.bounce_scan
    if not temporary and not permanent:
        permanent = _text_report_failures(ctx.body_text)
    permanent = permanent - ctx.own_addresses  # a report about our own address is no invitee's
    reason = evidence
    if not permanent and temporary:
        reason += " (delivery delayed, not failed)"
    return Classification("bounce", reason, rule, failed_addresses=tuple(sorted(permanent)))


def _check_delivery_report(msg: Message, ctx: ClassifyContext) -> Classification | None:
    if ctx.content_type == "multipart/report" and ctx.report_type in (
        "delivery-status",
        "delivery-status-notification",
    ):
        return _bounce(
            ctx, "Content-Type multipart/report; report-type=delivery-status", "delivery-report"
        )
    if any(
        t in ("message/delivery-status", "message/global-delivery-status") for t in ctx.part_types
    ):
        return _bounce(ctx, "a message/delivery-status part", "delivery-report")
    if ctx.first("x-failed-recipients"):
        return _bounce(ctx, "X-Failed-Recipients header", "delivery-report")
    return None


def _check_daemon_sender(msg: Message, ctx: ClassifyContext) -> Classification | None:
    for name, addr in ctx.from_addresses:
        local = addr.split("@", 1)[0]
        if local in DAEMON_LOCALPARTS:
            return _bounce(ctx, f"From {addr}", "daemon-sender")
        if _fold(name) in DAEMON_DISPLAY_NAMES:
            return _bounce(ctx, f'From "{name}"', "daemon-sender")
    return None


def _check_bounce_subject(msg: Message, ctx: ClassifyContext) -> Classification | None:
    subject = ctx.subject_folded
    subject = re.sub(r"^(?:\[[^\]]*\]\s*|\*+\s*)+", "", subject)
    phrase = _starts_with_phrase(subject, BOUNCE_SUBJECT_PREFIXES)
    if phrase:
        return _bounce(ctx, f'Subject starts with "{phrase}"', "bounce-subject")
    if ctx.return_path_null and ctx.delivery_subject:
        return _bounce(
            ctx, f'Return-Path <> and "{ctx.delivery_subject}" in the subject', "bounce-subject"
        )
    return None


def _check_bounce_scan(msg: Message, ctx: ClassifyContext) -> Classification | None:
    # flufl.bounce's full scan reads every body line of every part: half the cost of reading a
    # message. Its structural detectors need X-Failed-Recipients or a MAILER-DAEMON sender, and
    # the text-guessing ones count only with a second sign; without any of these it cannot fire.
    if not (ctx.automatic_sender or ctx.delivery_subject or ctx.first("x-failed-recipients")
            or any("mailer-daemon" in addr for _name, addr in ctx.from_addresses)):
        return None
    temporary, permanent, detector = ctx.bounce_scan
    if not detector:
        return None
    reason = f"flufl.bounce {detector} detector found failed recipients"
    if detector in _STRUCTURAL_DETECTORS:
        return _bounce(ctx, reason, "bounce-scan")
    # The other detectors guess from body text: only with a second sign.
    if ctx.automatic_sender:
        return _bounce(ctx, f"{reason}, {ctx.automatic_sender}", "bounce-scan")
    if ctx.delivery_subject:
        return _bounce(ctx, f'{reason}, "{ctx.delivery_subject}" in the subject', "bounce-scan")
    return None


def _check_bounce_text(msg: Message, ctx: ClassifyContext) -> Classification | None:
    sender = ctx.automatic_sender
    if not sender:
        return None
    opening = ctx.body_folded[:1500]
    phrase = next((p for p in BOUNCE_BODY_PHRASES if p in opening), None)
    if phrase:
        return _bounce(ctx, f'{sender} and the text says "{phrase}"', "bounce-text")
    return None


def _check_receipt(msg: Message, ctx: ClassifyContext) -> Classification | None:
    if ctx.content_type == "multipart/report" and ctx.report_type == "disposition-notification":
        return Classification(
            "receipt",
            "Content-Type multipart/report; report-type=disposition-notification",
            "read-receipt",
        )
    if "message/disposition-notification" in ctx.part_types:
        return Classification("receipt", "a message/disposition-notification part", "read-receipt")
    subject = ctx.subject_folded
    for phrase in RECEIPT_SUBJECT_PREFIXES:
        if re.match(rf"{re.escape(phrase)}\s*:", subject) or (
            phrase in ("return receipt", "read receipt", "leesbevestiging")
            and subject.startswith(phrase)
        ):
            return Classification("receipt", f'Subject starts with "{phrase}:"', "receipt-subject")
    return None


def _auto_header_evidence(ctx: ClassifyContext) -> str | None:
    """The header that marks a message as an automatic reply (RFC 3834 and vendor headers)."""
    if ctx.auto_submitted:
        return f"Auto-Submitted: {ctx.auto_submitted}"
    for header in ("x-autoreply", "x-autorespond"):
        value = ctx.first(header)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return (
                f"{'X-Autoreply' if header == 'x-autoreply' else 'X-Autorespond'}: {value.strip()}"
            )
    for value in ctx.all("precedence"):
        if value.strip().lower() in ("auto_reply", "auto-reply", "autoreply"):
            return f"Precedence: {value.strip()}"
    for value in ctx.all("x-apple-action"):
        if value.strip().lower() == "vacation":
            return "X-Apple-Action: VACATION"
    return None


def _check_reply_to_own_mail(msg: Message, ctx: ClassifyContext) -> Classification | None:
    if not ctx.own_message_id_domains:
        return None
    evidence = _auto_header_evidence(ctx)
    if not evidence:
        return None
    for domain in ctx.referenced_domains:
        if domain in ctx.own_message_id_domains or any(
            domain.endswith("." + own) for own in ctx.own_message_id_domains
        ):
            return Classification(
                "loop",
                f"{evidence} answering our own message (Message-ID @{domain})",
                "auto-reply-to-own-mail",
                away_until=ctx.away_until,
            )
    return None


def _auto_reply(ctx: ClassifyContext, reason: str, rule: str) -> Classification:
    return Classification("auto-reply", reason, rule, away_until=ctx.away_until)


def _check_auto_reply_header(msg: Message, ctx: ClassifyContext) -> Classification | None:
    evidence = _auto_header_evidence(ctx)
    return _auto_reply(ctx, evidence, "auto-reply-header") if evidence else None


def _subject_auto_reply_phrase(subject: str) -> str | None:
    head = subject.split(":", 1)[0]
    for phrase in AUTO_REPLY_SUBJECT_PHRASES:
        if phrase in head:
            return phrase
    for phrase in AUTO_REPLY_SUBJECT_COLON_PREFIXES:
        if re.match(rf"{re.escape(phrase)}(?:\s+auto\s*-?\s*reply)?\s*:", subject):
            return phrase
    return None


def _check_auto_reply_subject(msg: Message, ctx: ClassifyContext) -> Classification | None:
    phrase = _subject_auto_reply_phrase(ctx.subject_folded)
    if phrase:
        return _auto_reply(ctx, f'Subject says "{phrase}"', "auto-reply-subject")
    return None


def _check_exchange_auto_reply(msg: Message, ctx: ClassifyContext) -> Classification | None:
    value = ctx.first("x-auto-response-suppress")
    if value is None:
        return None
    # Exchange puts this header on its out-of-office replies, but also on much other mail
    # (our own outgoing mail, calendar and application mail): only with corroboration.
    corroboration = None
    if ctx.return_path_null:
        corroboration = "Return-Path <>"
    elif ctx.first("x-ms-exchange-generated-message-source"):
        corroboration = "X-MS-Exchange-Generated-Message-Source"
    else:
        opening = ctx.body_folded[:600]
        phrase = next((p for p in OUT_OF_OFFICE_BODY_PHRASES if p in opening), None)
        if phrase:
            corroboration = f'body says "{phrase}"'
    if corroboration:
        return _auto_reply(
            ctx,
            f"X-Auto-Response-Suppress: {value.strip()} and {corroboration}",
            "exchange-auto-reply",
        )
    return None


def _check_bulk(msg: Message, ctx: ClassifyContext) -> Classification | None:
    for value in ctx.all("precedence"):
        if value.strip().lower() in BULK_PRECEDENCE:
            return Classification("bulk", f"Precedence: {value.strip()}", "bulk-mail")
    for header, label in (("list-id", "List-Id"), ("list-unsubscribe", "List-Unsubscribe")):
        if ctx.first(header) is not None:
            return Classification("bulk", f"{label} header", "bulk-mail")
    return None


def _check_null_sender(msg: Message, ctx: ClassifyContext) -> Classification | None:
    if ctx.return_path_null:
        return _auto_reply(
            ctx, "Return-Path <> (null envelope sender: a notification)", "null-sender"
        )
    return None


def _check_human(msg: Message, ctx: ClassifyContext) -> Classification | None:
    return Classification("human", "no sign of automatic mail", "human")


RULES: tuple[Rule, ...] = (
    Rule("auth-fail", "a trusted Authentication-Results header says dmarc=fail", _check_auth_fail),
    Rule("own-address", "From is one of our own addresses (a mail loop)", _check_own_address),
    Rule(
        "delivery-report",
        "a DSN: multipart/report delivery-status or X-Failed-Recipients",
        _check_delivery_report,
    ),
    Rule(
        "daemon-sender",
        "From MAILER-DAEMON, postmaster or Mail Delivery System",
        _check_daemon_sender,
    ),
    Rule(
        "bounce-subject",
        "an NDR subject, or Return-Path <> with a delivery subject",
        _check_bounce_subject,
    ),
    Rule(
        "read-receipt",
        "an MDN (multipart/report disposition-notification) or a read subject",
        _check_receipt,
    ),
    Rule(
        "bounce-scan",
        "flufl.bounce finds failed recipients (heuristics need corroboration)",
        _check_bounce_scan,
    ),
    Rule(
        "bounce-text",
        "a delivery-failure text from an automatic sender (null sender, no-reply)",
        _check_bounce_text,
    ),
    Rule(
        "auto-reply-to-own-mail",
        "an automatic reply whose In-Reply-To/References point at our own Message-IDs",
        _check_reply_to_own_mail,
    ),
    Rule(
        "auto-reply-header",
        "Auto-Submitted, X-Autoreply, X-Autorespond or Precedence auto_reply",
        _check_auto_reply_header,
    ),
    Rule(
        "exchange-auto-reply",
        "X-Auto-Response-Suppress with corroborating evidence",
        _check_exchange_auto_reply,
    ),
    Rule(
        "auto-reply-subject",
        "an out-of-office subject (Automatisch antwoord, Afwezig:, ...)",
        _check_auto_reply_subject,
    ),
    Rule("bulk-mail", "Precedence bulk/junk/list, List-Id or List-Unsubscribe", _check_bulk),
    Rule(
        "null-sender",
        "Return-Path <>: only notifications use a null envelope sender",
        _check_null_sender,
    ),
    Rule("human", "nothing automatic found: a person wrote it", _check_human),
)


# --- away_until -----------------------------------------------------------------------------


def _iso(match: re.Match[str], sent: date | None) -> str | None:
    """The ISO date of a date match, the year taken from the text or the message's Date."""
    g = match.groupdict()
    try:
        if g.get("d1"):
            day, month, year = int(g["d1"]), _MONTHS[g["m1"]], g.get("y1")
        elif g.get("d2"):
            day, month, year = int(g["d2"]), _MONTHS[g["m2"]], g.get("y2")
        elif g.get("d3"):
            day, month, year = int(g["d3"]), int(g["m3"]), g.get("y3")
        else:
            return None
        if year:
            y = int(year)
            y = y + 2000 if y < 100 else y
            return date(y, month, day).isoformat()
        if sent is None:
            return None
        result = date(sent.year, month, day)
        if (sent - result).days > 31:  # "until 3 January" written in December
            result = date(sent.year + 1, month, day)
        return result.isoformat()
    except (KeyError, ValueError, TypeError):
        return None


def away_until(text: str, sent: date | None = None) -> str | None:
    """Best effort: until when an out-of-office message says its writer is away.

    Returns an ISO date when the date can be read (the year from the text, else from `sent`),
    else the words that name the date, else None.
    """
    try:
        folded = _fold(text[:5000])
        best: re.Match[str] | None = None
        for pattern in _AWAY_UNTIL_RES:
            m = pattern.search(folded)
            if m and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            return None
        return _iso(best, sent) or _date_words(best)
    except Exception:
        return None


def _date_words(match: re.Match[str]) -> str:
    g = match.groupdict()
    start = min(match.start(k) for k in g if g[k] is not None)
    end = max(match.end(k) for k in g if g[k] is not None)
    return match.string[start:end]


# --- entry points ---------------------------------------------------------------------------


def _context(msg, own_addresses, trusted_authserv_ids, own_message_id_domains) -> ClassifyContext:
    return ClassifyContext(
        msg,
        frozenset(own_addresses or ()),
        frozenset(trusted_authserv_ids or ()),
        frozenset(own_message_id_domains or ()),
    )


def classify(
    msg: Message,
    *,
    own_addresses: frozenset[str],
    trusted_authserv_ids: frozenset[str],
    own_message_id_domains: frozenset[str] = frozenset(),
) -> Classification:
    """Classify one message by the first rule in RULES that fires; never raises."""
    try:
        ctx = _context(msg, own_addresses, trusted_authserv_ids, own_message_id_domains)
    except Exception:
        return Classification("human", "message could not be inspected", "human")
    for rule in RULES:
        try:
            result = rule.check(ctx.msg, ctx)
        except Exception:
            continue
        if result is not None:
            return _with_trust(result, ctx)
    return _with_trust(Classification("human", "no sign of automatic mail", "human"), ctx)


def _with_trust(result: Classification, ctx: ClassifyContext) -> Classification:
    if result.kind != "human":
        return result
    try:
        unverified = _unverified(ctx)
    except Exception:
        return result
    return dataclasses.replace(result, unverified=unverified) if unverified else result


def _unverified(ctx: ClassifyContext) -> str | None:
    """Trust policy for human mail, read from the trusted server's Authentication-Results:
    dmarc=fail is refused outright (the auth-fail rule); dmarc=pass is genuine; otherwise
    spf=fail together with a dkim that did not pass (fail, none or absent) is unverified."""
    for server, results in _trusted_results(ctx):
        verdict = {m.group(1): m.group(2) for m in re.finditer(r"\b(spf|dkim|dmarc)\s*=\s*(\w+)", results.lower())}
        if verdict.get("dmarc") == "pass" or verdict.get("dkim") == "pass":
            return None
        if verdict.get("spf") in ("fail", "softfail"):
            return (f"Authentication-Results from {server}: spf={verdict['spf']}, "
                    f"dkim={verdict.get('dkim', 'none')}, dmarc={verdict.get('dmarc', 'none')}")
    return None


def classify_all(
    msg: Message,
    *,
    own_addresses: frozenset[str],
    trusted_authserv_ids: frozenset[str],
    own_message_id_domains: frozenset[str] = frozenset(),
) -> list[Classification]:
    """Every rule that fires, in rule order (the first is what classify() returns)."""
    try:
        ctx = _context(msg, own_addresses, trusted_authserv_ids, own_message_id_domains)
    except Exception:
        return [Classification("human", "message could not be inspected", "human")]
    hits: list[Classification] = []
    for rule in RULES:
        try:
            result = rule.check(ctx.msg, ctx)
        except Exception:
            continue
        if result is not None and (result.kind != "human" or not hits):
            hits.append(result)
    return hits
