"""Turn a decided Reply into a well-formed Dutch email.

Words live in the Jinja2 templates under mailbot/templates (a subject, a text
and an HTML body per kind); this module only supplies facts and headers:
threading (In-Reply-To, References) and the RFC 3834 markers that keep
auto-responders from answering us.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from mailbot.core.types import Knowledge, Mail, Reply

# CRLF, and no folding that would RFC 2047-encode long Message-ID lists.
OUTGOING = policy.SMTP.clone(max_line_length=998)
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


def dutch_date(d) -> str:
    return f"{DAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"


def hhmm(t) -> str:
    return t.strftime("%H.%M")


def facts(knowledge: Knowledge) -> dict:
    ev = knowledge.event
    return {"event": ev.name, "date": dutch_date(ev.day), "venue": ev.venue, "address": ev.address,
            "signature": f"{ev.sender_name or ev.name}-stedennetwerk" if ev.sender_name else ev.name}


def people_context(people: list[dict], knowledge: Knowledge) -> list[dict]:
    names = {m.slug: m.name for m in knowledge.municipalities}
    out = []
    for p in people:
        out.append({**p, "municipality_name": names.get(p.get("municipality") or ""),
                    "status_text": STATUS_TEXT.get(p["status"], ""),
                    "sessions": _session_rows(p["sessions"], knowledge),
                    "waitlist": _session_rows(p.get("waitlist", ()), knowledge)})
    return out


def _session_rows(ids, knowledge: Knowledge) -> list[dict]:
    sessions = sorted((knowledge.event.session(s) for s in ids), key=lambda s: (s.start, s.title))
    return [{"title": s.title, "start": hhmm(s.start), "end": hhmm(s.end)} for s in sessions]


def render(template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of a named template."""
    subject = _ENV.get_template(f"{template}.subject.txt").render(context).strip()
    text = _ENV.get_template(f"{template}.txt").render(context)
    html = _ENV.get_template(f"{template}.html").render(context)
    return " ".join(subject.split()), text, html


def build(*, kind: str, to: tuple[str, ...], subject: str, text: str, html: str, knowledge: Knowledge,
          now: datetime, reply_to: Mail | None = None, attachments: tuple = ()) -> EmailMessage:
    """A complete message with our headers; threading headers when it answers `reply_to`."""
    ev = knowledge.event
    msg = EmailMessage(policy=OUTGOING)
    msg["From"] = formataddr((ev.sender_name, ev.address))
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=ev.address.rpartition("@")[2].lower())
    if reply_to is not None and reply_to.message_id:
        msg["In-Reply-To"] = reply_to.message_id
        msg["References"] = " ".join((*reply_to.references[-10:], reply_to.message_id))
    msg["Auto-Submitted"] = "auto-replied" if reply_to is not None else "auto-generated"
    msg["X-Auto-Response-Suppress"] = "OOF, DR, RN, NRN, AutoReply"
    msg["Content-Language"] = "nl-NL"
    msg["X-Mailbot-Kind"] = kind
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    for filename, maintype, subtype, data in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def compose_reply(reply: Reply, mail: Mail, knowledge: Knowledge, now: datetime) -> EmailMessage:
    people = people_context(reply.context.get("people", []), knowledge)
    sessions = {s.id: s for s in knowledge.event.sessions}
    conflicts = [
        {"name": name, "groups": [[{"title": sessions[s].title, "start": hhmm(sessions[s].start),
                                    "end": hhmm(sessions[s].end)} for s in group] for group in groups]}
        for name, groups in reply.context.get("conflicts", {}).items()
    ]
    ctx = {**facts(knowledge), "people": people, "conflicts": conflicts,
           "original_subject": mail.subject, "kind": reply.kind}
    subject, text, html = render(reply.template, ctx)
    return build(kind=reply.kind, to=reply.to, subject=subject, text=text, html=html,
                 knowledge=knowledge, now=now, reply_to=mail)
