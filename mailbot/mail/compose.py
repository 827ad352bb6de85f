"""Turn a decided Reply into a well-formed Dutch email.

Words live in the Jinja2 templates under mailbot/templates (a subject, a text
and an HTML body per kind); this module only supplies facts and headers:
threading (In-Reply-To, References) and the RFC 3834 markers that keep
auto-responders from answering us.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from mailbot.core.mailparse import MemoHeaders
from mailbot.core.types import Knowledge, Mail, Reply


class _Outgoing(EmailMessage):
    """An EmailMessage that chooses its multipart boundaries itself.

    Left to the generator, each boundary costs a regular expression compiled
    to check the parts (~0.2 ms). Ours start with "=_", which neither
    quoted-printable nor base64 can produce, and carry 128 random bits.
    """

    def make_alternative(self, boundary: str | None = None) -> None:
        super().make_alternative(boundary or f"=_{secrets.token_hex(16)}")

    def make_mixed(self, boundary: str | None = None) -> None:
        # the stdlib moves every Content-* header into the inner part; the language stays on top
        language = self.get("Content-Language")
        super().make_mixed(boundary or f"=_{secrets.token_hex(16)}")
        if language is not None:
            for part in self.iter_parts():
                del part["Content-Language"]
            self["Content-Language"] = language


# CRLF, and no folding that would RFC 2047-encode long Message-ID lists.
OUTGOING = policy.SMTP.clone(max_line_length=998, header_factory=MemoHeaders(maxsize=256))
DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")
STATUS_TEXT = {"declined": "afgemeld (verhinderd)", "cancelled": "aanmelding ingetrokken"}

_ENV = Environment(
    loader=PackageLoader("mailbot", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


# Functions by which Dutch office mail addresses a person ("Geachte burgemeester Vos").
ADDRESSED_BY_FUNCTION = {
    "burgemeester": "burgemeester", "wethouder": "wethouder", "gemeentesecretaris": "gemeentesecretaris",
    "griffier": "griffier", "voorzitter": "voorzitter", "minister": "minister",
    "staatssecretaris": "staatssecretaris", "gedeputeerde": "gedeputeerde",
    "commissaris van de koning": "commissaris",
}
# Words that start a Dutch (or Belgian, German, French) surname: "de Jong", "van den Berg".
PARTICLES = frozenset({"de", "den", "der", "van", "von", "ter", "ten", "te", "het", "'t", "in", "op", "la", "le",
                       "du", "da", "di", "d'", "'s", "vande", "vander", "uit", "zu", "del", "dos"})
NUMBERS = ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf")
NEUTRAL = "Geachte heer, mevrouw"


def surname(name: str) -> str:
    """The surname as it follows a form of address, its first particle capitalised ("De Jong").

    The first word is a given name or initials; the surname starts at the first particle
    after it, else it is the last word ("Anne Marie Vos" -> "Vos"). "Beek, Dirk van" (how
    Exchange lists people) is read as "Dirk van Beek".
    """
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    words = name.split()
    if len(words) < 2:
        return name.strip()
    start = next((i for i in range(1, len(words) - 1) if words[i].lower() in PARTICLES), len(words) - 1)
    rest = " ".join(words[start:])
    return rest[:1].upper() + rest[1:]


def salutation(name: str | None, role: str | None = None, sex: str | None = None) -> str:
    """The opening line of a mail to one person, without the comma.

    Dutch office mail addresses by sex and surname ("Geachte heer Vos", "Geachte
    mevrouw Scholten"). Neither the invitee list nor a reply tells us anyone's sex,
    and guessing it from a first name offends the people it gets wrong, while the
    full name ("Geachte Thijs Willems") reads as a mail merge. So: `sex` ("m" or "v")
    when a source ever gives it; else the function, the protocol form for mayors and
    aldermen ("Geachte burgemeester Vos", "Geachte wethouder De Jong"); else
    "Geachte heer/mevrouw Willems"; without a name, "Geachte heer, mevrouw".
    """
    if not name or not name.strip():
        return NEUTRAL
    sur = surname(name)
    if sex in ("m", "v"):
        return f"Geachte {'heer' if sex == 'm' else 'mevrouw'} {sur}"
    function = ADDRESSED_BY_FUNCTION.get((role or "").strip().lower())
    if function == "commissaris":
        return "Geachte commissaris"
    if function:
        return f"Geachte {function} {sur}"
    return f"Geachte heer/mevrouw {sur}"


def counted(n: int, one: str, many: str) -> str:
    """"twee sessies", "één sessie", "14 sessies": the number said, never "een paar"."""
    word = NUMBERS[n] if 0 <= n < len(NUMBERS) else str(n)
    return f"{word} {one if n == 1 else many}"


def dutch_date(d) -> str:
    return f"{DAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"


def hhmm(t) -> str:
    return t.strftime("%H.%M")


def facts(knowledge: Knowledge) -> dict:
    ev = knowledge.event
    return {"event": ev.name, "date": dutch_date(ev.day), "venue": ev.venue, "address": ev.address,
            "signature": f"{ev.sender_name or ev.name}-stedennetwerk" if ev.sender_name else ev.name,
            "signer": {"name": ev.signer.name, "function": ev.signer.function, "phone": ev.signer.phone},
            "salutation": NEUTRAL,
            "roles_by_name": {i.name: i.role for i in knowledge.invitees}}


def people_context(people: list[dict], knowledge: Knowledge) -> list[dict]:
    names = {m.slug: m.name for m in knowledge.municipalities}
    out = []
    for p in people:
        out.append({**p, "municipality_name": names.get(p.get("municipality") or ""),
                    "status_text": STATUS_TEXT.get(p["status"], ""),
                    "sessions": _session_rows(p["sessions"], knowledge),
                    "waitlist": _session_rows(p.get("waitlist", ()), knowledge),
                    "added": _session_rows(p.get("added", ()), knowledge),
                    "dropped": _session_rows(p.get("dropped", ()), knowledge),
                    "question": question_rows(p.get("question", ()), knowledge)})
    return out


def question_rows(groups, knowledge: Knowledge) -> list[dict]:
    """An open slot clash, per time slot: the sessions named for it, to ask which one."""
    out = []
    for group in groups:
        rows = _session_rows(group, knowledge)
        out.append({"start": rows[0]["start"], "sessions": rows, "count": counted(len(rows), "sessie", "sessies")})
    return out


def _session_rows(ids, knowledge: Knowledge) -> list[dict]:
    sessions = sorted((knowledge.event.session(s) for s in ids), key=lambda s: (s.start, s.number))
    return [{"number": s.number, "title": s.title, "start": hhmm(s.start), "end": hhmm(s.end)} for s in sessions]


_ENV.globals.update(address_form=salutation, counted=counted)


def render(template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of a named template."""
    subject = _ENV.get_template(f"{template}.subject.txt").render(context).strip()
    text = _ENV.get_template(f"{template}.txt").render(context)
    html = _ENV.get_template(f"{template}.html").render(context)
    return " ".join(subject.split()), text, html


def _put(msg: EmailMessage, name: str, value: str) -> None:
    """Set a header we write; printable ASCII is stored as its wire text.

    Parsing it now and folding it back in bytes(msg) would cost ~0.1 ms to
    give the same text (a line over the limit is still folded). Other values
    take the policy's way: RFC 2047 for non-ASCII, CR and LF refused.
    """
    if value.isascii() and value.isprintable():
        msg.set_raw(name, value)
    else:
        msg[name] = value


def build(*, kind: str, to: tuple[str, ...], subject: str, text: str, html: str, knowledge: Knowledge,
          now: datetime, reply_to: Mail | None = None, attachments: tuple = (),
          cc: tuple[str, ...] = ()) -> EmailMessage:
    """A complete message with our headers; threading headers when it answers `reply_to`."""
    ev = knowledge.event
    msg = _Outgoing(policy=OUTGOING)
    _put(msg, "From", formataddr((ev.sender_name, ev.address)))
    _put(msg, "To", ", ".join(to))
    if cc:
        _put(msg, "Cc", ", ".join(cc))
    _put(msg, "Subject", subject)
    _put(msg, "Date", format_datetime(now))
    _put(msg, "Message-ID", make_msgid(domain=ev.address.rpartition("@")[2].lower()))
    if reply_to is not None and reply_to.message_id:
        _put(msg, "In-Reply-To", reply_to.message_id)
        _put(msg, "References", " ".join((*reply_to.references[-10:], reply_to.message_id)))
    _put(msg, "Auto-Submitted", "auto-replied" if reply_to is not None else "auto-generated")
    _put(msg, "X-Auto-Response-Suppress", "OOF, DR, RN, NRN, AutoReply")
    _put(msg, "X-Mailbot-Kind", kind)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    _put(msg, "Content-Language", "nl-NL")  # after the body: set_content drops Content-* headers
    for filename, maintype, subtype, data in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def compose_reply(reply: Reply, mail: Mail | None, knowledge: Knowledge, now: datetime) -> EmailMessage:
    """The mail for a decided reply; `mail` is the message answered (None for a change made by staff).

    Addresses in the context's "cc" (a secretariat kept informed) are copied, the rest
    are the recipients. The slot clashes a clarification asks about travel in a header
    (attendee key -> the sessions of each slot), so a reminder can repeat the question.
    """
    people = people_context(reply.context.get("people", []), knowledge)
    sessions = {s.id: s for s in knowledge.event.sessions}
    conflicts = [
        {"name": name, "groups": [[{"number": sessions[s].number, "title": sessions[s].title,
                                    "start": hhmm(sessions[s].start),
                                    "end": hhmm(sessions[s].end)} for s in group] for group in groups]}
        for name, groups in reply.context.get("conflicts", {}).items()
    ]
    ctx = {**facts(knowledge), "people": people, "conflicts": conflicts,
           "original_subject": mail.subject if mail else "", "kind": reply.kind,
           "salutation": _reply_salutation(reply.context),
           "any_changed": any(p.get("what") == "changed" for p in people),
           "nothing_changed": bool(people) and all(p.get("what") == "unchanged" for p in people)}
    subject, text, html = render(reply.template, ctx)
    cc = tuple(a for a in reply.context.get("cc", ()) if a in reply.to)
    msg = build(kind=reply.kind, to=tuple(a for a in reply.to if a not in cc) or reply.to, subject=subject,
                text=text, html=html, knowledge=knowledge, now=now, reply_to=mail, cc=cc)
    questions = reply.context.get("open_questions")
    if reply.kind == "clarification" and questions:
        _put(msg, "X-Mailbot-Open-Question", json.dumps(questions, sort_keys=True, separators=(",", ":")))
    return msg


def _reply_salutation(context: dict) -> str:
    """Whom a reply addresses: the "addressee" the decision named (None: nobody by name, as
    for a secretariat); without one (a change made by staff) the one person it is about."""
    if "addressee" in context:
        who = context["addressee"]
        return salutation(who["name"], who.get("role")) if who else NEUTRAL
    people = context.get("people", [])
    if len(people) == 1:
        return salutation(people[0].get("name"), people[0].get("role"))
    return NEUTRAL


def open_question(raw_headers: str | None) -> dict[str, list[list[str]]]:
    """The slot clashes a clarification asked (see compose_reply); {} when none or unreadable."""
    if not raw_headers:
        return {}
    try:
        value = json.loads(raw_headers)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
