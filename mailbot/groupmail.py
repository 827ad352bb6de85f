"""One mail from the desk to a group: who gets it, what it says, and queueing it once.

The pure part (audiences, recipients, rendering, the send's identity) takes
plain data; `preview` and `send` are the thin shell over the store. The desk
never sends: it queues in the outbox and the runner sends like every other
mail, with its limits and retries. A send is identified by a hash of
(audience, subject, text) and each mail by "group:<hash>:<address>" in the
outbox's unique dedupe column, so sending the same mail again, by a double
click or a colleague, queues nothing twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from mailbot import db, store
from mailbot.core import agenda
from mailbot.core.types import Invitee, Knowledge, Registry
from mailbot.jobs import bounced
from mailbot.mail.compose import NEUTRAL, build, facts, render, salutation

KIND = "group"
ACTION = "group-mail"
REGISTERED = "registered"
UNANSWERED = "unanswered"
SESSION_PREFIX = "session:"
SUBJECT_MAX = 200
TEXT_MAX = 10_000
TRIES = 3  # a send that lost a race is tried again: the retry finds what the other one queued


class Invalid(ValueError):
    """A form that cannot be sent; the message is Dutch, for staff."""


@dataclass(frozen=True)
class Recipient:
    """One mail: to one address, with the secretariat(s) copied, for the people it greets."""

    to: str
    cc: tuple[str, ...]
    names: tuple[str, ...]
    roles: tuple[str | None, ...] = ()  # the function of each person greeted, as known


@dataclass(frozen=True)
class Draft:
    audience: str
    subject: str
    text: str

    @property
    def send_id(self) -> str:
        """Same audience, subject and text: the same send, however often it is submitted."""
        blob = json.dumps([self.audience, self.subject, self.text], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]

    def dedupe(self, recipient: Recipient) -> str:
        return f"group:{self.send_id}:{recipient.to}"


@dataclass(frozen=True)
class Plan:
    """What a send would do now: every recipient, and how many already had this mail."""

    draft: Draft
    recipients: tuple[Recipient, ...]
    already: int


@dataclass(frozen=True)
class Sent:
    queued: int
    already: int


@dataclass(frozen=True)
class Past:
    """An earlier group mail, from the staff record."""

    at: datetime
    actor: str
    audience: str
    subject: str
    count: int


# --- pure -----------------------------------------------------------------


def audiences(knowledge: Knowledge) -> list[tuple[str, str]]:
    """(value, Dutch label) of every audience, in the order the form offers them."""
    out = [(REGISTERED, "Alle aangemelde deelnemers"), (UNANSWERED, "Wie nog niet heeft geantwoord")]
    for s in sorted(knowledge.event.sessions, key=lambda x: x.number):
        out.append((SESSION_PREFIX + s.id, f"Aangemeld voor sessie {s.number} ({s.start:%H.%M}): {s.title}"))
    return out


def audience_label(audience: str, knowledge: Knowledge) -> str:
    return dict(audiences(knowledge)).get(audience, audience)


def clean_draft(audience: str, subject: str, text: str, knowledge: Knowledge) -> Draft:
    """The form as a Draft: one-line subject, text with plain line ends; Invalid when unusable."""
    if audience not in dict(audiences(knowledge)):
        raise Invalid("Kies aan wie de mail gaat.")
    subject = " ".join(subject.split())
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    if not subject:
        raise Invalid("Vul een onderwerp in.")
    if not text:
        raise Invalid("Vul de tekst van de mail in.")
    if len(subject) > SUBJECT_MAX:
        raise Invalid(f"Het onderwerp is te lang (ten hoogste {SUBJECT_MAX} tekens).")
    if len(text) > TEXT_MAX:
        raise Invalid(f"De tekst is te lang (ten hoogste {TEXT_MAX} tekens).")
    return Draft(audience, subject, text)


def recipients(audience: str, registry: Registry, invitees: tuple[Invitee, ...],
               gone: frozenset[str], registered: list | None = None) -> list[Recipient]:
    """Who gets the mail, one entry per address; declined, cancelled and bounced never.

    Registered people and the unanswered are chosen exactly as the reminders
    choose them (agenda.recipients). A secretariat the invitee list names is
    copied unless it is the address written to or bounced. People who share
    an address (a secretariat that registered colleagues without their own)
    get one mail there, which greets them all. `registered`: the reminders' registered
    audience when the caller has it already (counting every session's audience).
    """
    bounced_lower = frozenset(a.lower() for a in gone)
    if audience.startswith(SESSION_PREFIX):
        session_id = audience.removeprefix(SESSION_PREFIX)
        everyone = registered if registered is not None else agenda.recipients(REGISTERED, registry, invitees, gone)
        chosen = [r for r in everyone
                  if r.attendee is not None and session_id in r.attendee.sessions]
    else:
        chosen = agenda.recipients(audience, registry, invitees, gone)
    secretariat = {i.email.lower(): i.secretary_email.lower() for i in invitees if i.secretary_email}
    by_address: dict[str, tuple[list[str], list[str], list[str | None]]] = {}
    for r in chosen:
        to = r.to[0].lower()
        if to in bounced_lower:
            continue
        names, cc, roles = by_address.setdefault(to, ([], [], []))
        if r.name and r.name not in names:
            names.append(r.name)
            person = r.attendee or r.invitee
            roles.append(person.role if person is not None else None)
        for own in _own_addresses(r, secretariat):
            sec = secretariat[own]
            if sec and sec != to and sec not in bounced_lower and sec not in cc:
                cc.append(sec)
    return [Recipient(to, tuple(cc), tuple(names), tuple(roles)) for to, (names, cc, roles) in by_address.items()]


def _own_addresses(r: agenda.Recipient, listed: dict[str, str]) -> list[str]:
    """The person's own address(es) that the invitee list names a secretariat for: own
    address first, then the linked ones in order (a set lookup, not a scan of each list)."""
    if r.invitee is not None:
        own = r.invitee.email.lower()
        return [own] if own in listed else []
    a = r.attendee
    if a is None:
        return []
    first = [a.email.lower()] if a.email and a.email.lower() in listed else []
    linked = sorted(x for x in {x.lower() for x in a.addresses} & listed.keys() if x not in first)
    return first + linked


def paragraphs(text: str) -> list[list[str]]:
    """The staff text as paragraphs of lines (blank lines part paragraphs), for the HTML part."""
    out: list[list[str]] = []
    for block in text.split("\n\n"):
        lines = block.strip("\n").split("\n")
        if any(line.strip() for line in lines):
            out.append(lines)
    return out


def render_mail(draft: Draft, recipient: Recipient, knowledge: Knowledge) -> tuple[str, str, str]:
    """(subject, text, html): the greeting, the staff text as text (escaped in HTML), our footer."""
    # one person: the Dutch form of address by function and surname (compose.salutation);
    # several people at one address, or nobody named: the neutral form
    one = len(recipient.names) == 1
    greeting = salutation(recipient.names[0], recipient.roles[0] if recipient.roles else None) if one else NEUTRAL
    ctx = {**facts(knowledge), "greeting": greeting, "subject": draft.subject, "text": draft.text,
           "paragraphs": paragraphs(draft.text)}
    return render("group", ctx)


def compose(draft: Draft, recipient: Recipient, knowledge: Knowledge, now: datetime) -> EmailMessage:
    subject, text, html = render_mail(draft, recipient, knowledge)
    msg = build(kind=KIND, to=(recipient.to,), subject=subject, text=text, html=html,
                knowledge=knowledge, now=now)
    if recipient.cc:
        msg["Cc"] = ", ".join(recipient.cc)
    return msg


# --- the shell over the store -----------------------------------------------


def audience_now(s: Session, knowledge: Knowledge, audience: str) -> list[Recipient]:
    return recipients(audience, store.registry(s), knowledge.invitees, bounced(s))


def audience_counts(s: Session, knowledge: Knowledge) -> dict[str, int]:
    """How many mails each audience would get now (for the form's choices).

    A mail goes to each distinct address not bounced (see `recipients`), so a count is
    the number of such addresses; every session is counted in one pass over the
    registered audience instead of building each session's recipients."""
    reg, gone = store.registry_for_counting(s), bounced(s)
    bounced_lower = frozenset(a.lower() for a in gone)
    registered = agenda.recipients(REGISTERED, reg, knowledge.invitees, gone)
    everyone: set[str] = set()
    by_session: dict[str, set[str]] = {}
    for r in registered:
        to = r.to[0].lower()
        if to in bounced_lower:
            continue
        everyone.add(to)
        for sid in r.attendee.sessions if r.attendee is not None else ():
            by_session.setdefault(sid, set()).add(to)
    counts = {REGISTERED: len(everyone),
              UNANSWERED: len(recipients(UNANSWERED, reg, knowledge.invitees, gone))}
    for value, _ in audiences(knowledge):
        if value.startswith(SESSION_PREFIX):
            counts[value] = len(by_session.get(value.removeprefix(SESSION_PREFIX), ()))
    return counts


def _already(s: Session, draft: Draft, recs: list[Recipient]) -> set[str]:
    keys = [draft.dedupe(r) for r in recs]
    found: set[str] = set()
    for i in range(0, len(keys), store.IN_CHUNK):
        found.update(s.exec(select(db.Outbox.dedupe).where(
            db.Outbox.dedupe.in_(keys[i:i + store.IN_CHUNK]))).all())  # type: ignore[union-attr,arg-type]
    return found


def preview(s: Session, knowledge: Knowledge, draft: Draft) -> Plan:
    """What `send` would do now; queues nothing."""
    recs = audience_now(s, knowledge, draft.audience)
    return Plan(draft, tuple(recs), len(_already(s, draft, recs)))


def send(engine, knowledge: Knowledge, draft: Draft, *, actor: str, now: datetime) -> Sent:
    """Queue one mail per recipient who has not had this one yet, and record who sent it.

    Two desks sending the same mail at once: the loser's insert hits the unique
    dedupe column (or, on SQLite, finds the store written since it read), and
    its retry finds everything queued.
    """
    for attempt in range(TRIES):
        try:
            with Session(engine) as s, s.begin():
                return _queue(s, knowledge, draft, actor=actor, now=now)
        except (IntegrityError, OperationalError) as e:
            retry = isinstance(e, IntegrityError) or "locked" in str(e)
            if not retry or attempt == TRIES - 1:
                raise
    raise AssertionError("unreachable")


def _queue(s: Session, knowledge: Knowledge, draft: Draft, *, actor: str, now: datetime) -> Sent:
    recs = audience_now(s, knowledge, draft.audience)
    done = _already(s, draft, recs)
    queued = 0
    for r in recs:
        key = draft.dedupe(r)
        if key in done:
            continue
        msg = compose(draft, r, knowledge, now)
        store.enqueue(s, db.Outbox(message_id=msg["Message-ID"], kind=KIND, to=json.dumps([r.to, *r.cc]),
                                   subject=draft.subject, dedupe=key, raw=bytes(msg), created_at=now))
        queued += 1
    if queued:
        detail = {"audience": draft.audience, "label": audience_label(draft.audience, knowledge),
                  "subject": draft.subject, "count": queued, "already": len(done), "send_id": draft.send_id}
        s.add(db.StaffAction(actor=actor, action=ACTION, detail=json.dumps(detail, ensure_ascii=False), at=now))
    s.flush()
    return Sent(queued, len(done))


def history(s: Session, limit: int = 50) -> list[Past]:
    """Earlier group mails, newest first."""
    rows = s.exec(select(db.StaffAction).where(db.StaffAction.action == ACTION)
                  .order_by(db.StaffAction.at.desc(), db.StaffAction.id.desc())  # type: ignore[attr-defined,union-attr]
                  .limit(limit)).all()
    out = []
    for row in rows:
        d = json.loads(row.detail or "{}")
        out.append(Past(row.at, row.actor, d.get("label", d.get("audience", "")), d.get("subject", ""),
                        int(d.get("count", 0))))
    return out
