"""Staff actions on review items, each recorded with who and when.

Staff never touch the database by hand: they list and read review items and
resolve them (assign a municipality or an organisation, set who comes to
what, send the standard confirmation, answer in their own words, close with a
note). The command line and the desk
call the same functions here, and every change to an attendee goes through
mailbot.changes.apply_change: the rules mail follows (no two sessions in one
time slot, no seat beyond capacity) hold whoever asks.

What became of a review item is read back from what was stored at the time
(the message's outcome, the replies queued, the history, the staff actions),
never decided again now: a decision made again against today's registry says
"unchanged" about a first registration.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from markupsafe import escape
from sqlalchemy import or_
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from mailbot import db, store
from mailbot.changes import Refused, StaffRequest, apply_change, queue_replies
from mailbot.core.decide import _person_context
from mailbot.core.mailfacts import read_mail
from mailbot.core.mailparse import parse
from mailbot.core.municipality import by_domain
from mailbot.core.staff_change import invitee_for, with_invitee
from mailbot.core.types import Attendee, Change, Decision, Knowledge, Mail, Reply
from mailbot.errors import MailbotError
from mailbot.service import Bot


class StaffError(MailbotError):
    """A staff command that cannot be carried out; the message is Dutch, for the staff member."""


class RepeatRefused(StaffError):
    """A confirmation would repeat one sent before, and staff did not say to send it anyway."""


DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
BUSY_TRIES = 3  # a write SQLite refused because the runner wrote first is tried again
REPLY_LIMIT = 4000  # characters: a short answer of one's own, not a letter
FRESH = ("new", "changed", "declined", "cancelled")  # a mail about such a change repeats nothing
WHAT = {"new": "nieuw aangemeld", "changed": "sessies gewijzigd", "unchanged": "niets gewijzigd",
        "details": "gegevens aangepast", "declined": "afgemeld", "cancelled": "aanmelding ingetrokken"}
KIND_NL = {"confirmation": "bevestiging", "acknowledgement": "ontvangstbevestiging",
           "clarification": "vraag om verduidelijking", "reminder": "herinnering", "digest": "dagoverzicht",
           "reply": "antwoord van een medewerker", "invitation": "uitnodiging"}
SEND_STATUS = {"queued": "in de wachtrij, nog niet verstuurd", "sent": "verstuurd", "failed": "mislukt"}
OUTCOME = {"recorded": "Verwerkt en vastgelegd", "review": "Ter controle gezet",
           "ignored": "Genegeerd (automatisch bericht)", "skipped": "Overgeslagen (ouder dan de startdatum)",
           "error": "Kon niet worden gelezen", "duplicate": "Al eerder verwerkt"}
ACTIONS_NL = {"register": "aanmelding", "decline": "afmelding", "cancel": "intrekking", "change": "wijziging"}
RULES = {"unknown-sender": "onbekende afzender", "unverified-sender": "afzender niet geverifieerd",
         "question": "bevat een vraag", "tentative": "voorlopig antwoord", "slot-conflict": "twee sessies tegelijk",
         "waiting-list": "wachtlijst", "remark": "opmerking", "too-long": "lang bericht",
         "not-understood": "niet begrepen", "identity-refused": "afzender mag dit niet wijzigen",
         "reply-to-limited": "antwoordlimiet bereikt", "calendar-reply": "agenda-antwoord",
         "calendar-unknown": "agenda-antwoord zonder status", "no-sender": "geen afzender",
         "thanks-after-confirmation": "bedankje na bevestiging", "echo-of-own-mail": "eigen mail terug",
         "review-bulk-mail": "massamail", "review-auth-fail": "afzender niet geverifieerd",
         "ignore-auto-reply": "afwezigheidsbericht", "ignore-bounce": "onbestelbaar",
         "ignore-receipt": "leesbevestiging", "ignore-own-mail": "eigen mail", "staff-confirm": "bevestiging"}
ACTION_LABELS = {"attendee-change": "deelnemer gewijzigd", "attendee-register": "deelnemer aangemeld",
                 "attendee-cancel": "aanmelding ingetrokken", "attendee-decline": "afgemeld",
                 "confirm": "bevestiging verstuurd", "reply": "antwoord verstuurd", "close": "afgehandeld",
                 "resolve": "afgehandeld"}
CLASS_NL = {"human": "bericht van een persoon", "auto-reply": "automatisch antwoord (afwezig)",
            "bounce": "onbestelbaar-melding", "receipt": "leesbevestiging", "loop": "onze eigen mail, teruggekomen",
            "bulk": "massamail of nieuwsbrief", "auth-fail": "afzender niet geverifieerd"}
SENDER_HOW = {"invitee-address": "adres van een genodigde", "secretariat-address": "adres van een secretariaat",
              "personal-reply-address": "persoonlijk antwoordadres", "domain": "domein van de gemeente",
              "subdomain": "subdomein van de gemeente", "text": "genoemd in de tekst", "none": "niet herkend"}
CUES = {"register": "aanmelding", "decline": "afmelding", "cancel": "intrekking", "change": "wijziging",
        "thanks": "bedankje", "question": "vraag", "tentative": "voorlopig"}


@dataclass(frozen=True)
class Done:
    """What a staff action did, and what the staff member should know about it, in Dutch."""

    lines: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def zone(knowledge: Knowledge) -> ZoneInfo:
    return ZoneInfo(knowledge.event.timezone)


def local_time(value: datetime | None, tz: ZoneInfo) -> str:
    """'do 16 nov 09.00': staff read the event's local time; the store keeps UTC."""
    if value is None:
        return ""
    v = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(tz)
    return f"{DAYS[v.weekday()]} {v.day} {MONTHS[v.month - 1]} {v:%H.%M}"


def open_items(bot: Bot) -> list[db.ReviewItem]:
    with Session(bot.engine) as s:
        return list(s.exec(select(db.ReviewItem).where(db.ReviewItem.resolved_at.is_(None))  # type: ignore[union-attr]
                           .order_by(db.ReviewItem.id)).all())


def closed_items(bot: Bot) -> list[db.ReviewItem]:
    """Handled items, the latest first: staff look back at what colleagues did."""
    with Session(bot.engine) as s:
        return list(s.exec(select(db.ReviewItem).where(db.ReviewItem.resolved_at.is_not(None))  # type: ignore[union-attr]
                           .order_by(db.ReviewItem.resolved_at.desc(), db.ReviewItem.id.desc())).all())  # type: ignore[union-attr]


def item(s: Session, review_id: int) -> db.ReviewItem:
    row = s.get(db.ReviewItem, review_id)
    if row is None:
        raise StaffError(f"Er is geen controle-item {review_id}.")
    return row


def raw_message(bot: Bot, review_id: int) -> bytes | None:
    with Session(bot.engine) as s:
        r = item(s, review_id)
        if not r.message_id:
            return None
        m = store.handled(s, r.message_id)
        return m.raw if m else None


def _attendees_of(s: Session, message_id: str | None) -> list[db.Attendee]:
    if not message_id:
        return []
    ids = {h.attendee_id for h in s.exec(select(db.History).where(db.History.message_id == message_id)).all()}
    return [a for a in (s.get(db.Attendee, i) for i in sorted(ids)) if a is not None]


def resolve(bot: Bot, review_id: int, *, actor: str, now: datetime, municipality: str | None = None,
            organisation: str | None = None, attendee: str | None = None,
            sessions: tuple[str, ...] | None = None, confirm: bool = False, note: str = "",
            close: bool = True, repeat_ok: bool = True) -> Done:
    """Carry out what staff decided on a review item, all or nothing.

    Every change to an attendee is decided by apply_change, as on the Deelnemers
    page: a slot clash or a full session is refused with the Dutch reason and
    nothing is written. A confirmation that would only repeat an earlier one
    for the same person is a warning, or refused when `repeat_ok` is False (the
    desk asks for a tick first).
    """
    k = bot.knowledge
    slug = municipality_value(municipality, k)

    def work(s: Session) -> Done:
        lines: list[str] = []
        warnings: list[str] = []
        r = item(s, review_id)
        mail = _mail_of(s, r)
        people = _attendees_of(s, r.message_id)
        before = {a.key: _core(s, a.key) for a in people}
        whats: dict[str, str] = {}
        for req in _requests(s, k, actor, people, mail, slug, organisation, attendee, sessions):
            if req.key and req.key not in before:
                before[req.key] = _core(s, req.key)
            decision, _ = apply_change(bot, req, now=now, review_id=review_id, mail=mail, s=s)
            change = decision.changes[0]
            whats[change.attendee.key] = change.what
            lines.append(change_line(change, before.get(change.attendee.key), k))
        if (slug is not None or organisation is not None) and not people and not whats:
            warnings.append("Bij dit bericht is niemand vastgelegd; er is geen gemeente of organisatie toegekend.")
        if confirm:
            line, repeated = _confirm(s, bot, r, mail, whats, before, now=now, actor=actor, repeat_ok=repeat_ok)
            lines.append(line)
            warnings.extend(repeated)
        if close:
            lines.append(_close(s, r, actor=actor, now=now, note=note))
        return Done(tuple(lines), tuple(warnings))

    try:
        return _in_transaction(bot, work)
    except Refused as e:
        raise StaffError(str(e)) from None


def reply(bot: Bot, review_id: int, text: str, *, actor: str, now: datetime, close: bool = False) -> Done:
    """Answer the sender in the staff member's own words, threaded under their message.

    The mail goes through the outbox like every other mail (the runner sends it).
    """
    body = text.strip()
    if not body:
        raise StaffError("Schrijf eerst een antwoord.")
    if len(body) > REPLY_LIMIT:
        raise StaffError(f"Het antwoord is te lang (meer dan {REPLY_LIMIT} tekens); houd het kort.")

    def work(s: Session) -> Done:
        r = item(s, review_id)
        mail = _mail_of(s, r)
        if mail is None or not mail.reply_addresses:
            raise StaffError("Dit bericht heeft geen afzender om te antwoorden.")
        out = staff_reply_mail(body, mail, bot.knowledge, now)
        to = list(mail.reply_addresses)
        store.enqueue(s, db.Outbox(message_id=out["Message-ID"], kind="reply", to=json.dumps(to),
                                   subject=out["Subject"], in_reply_to=mail.message_id,
                                   source_message_id=mail.message_id, raw=bytes(out), created_at=now))
        s.add(db.StaffAction(review_id=review_id, actor=actor, action="reply",
                             detail=f"antwoord aan {', '.join(to)}: {body.splitlines()[0][:120]}", at=now))
        lines = [f"Antwoord in de wachtrij gezet voor {', '.join(to)}."]
        if close:
            lines.append(_close(s, r, actor=actor, now=now, note=""))
        return Done(tuple(lines))

    return _in_transaction(bot, work)


def _in_transaction(bot: Bot, work: Callable[[Session], Done]) -> Done:
    """`work` in one transaction. On SQLite a write is refused at once when the runner wrote
    since this transaction read; all of it is rolled back, so it is simply tried again."""
    for attempt in range(BUSY_TRIES):
        try:
            with Session(bot.engine) as s, s.begin():
                return work(s)
        except OperationalError as e:
            if "locked" not in str(e) or attempt == BUSY_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def staff_reply_mail(text: str, mail: Mail, knowledge: Knowledge, now: datetime):
    """The staff member's text with our usual closing, as an answer to `mail` ("Re: ...")."""
    from mailbot.mail import compose

    subject = (mail.subject or "").strip() or knowledge.event.name
    if not subject.lower().startswith(("re:", "antw:")):
        subject = f"Re: {subject}"
    facts = compose.facts(knowledge)
    footer_text = compose._ENV.get_template("_footer.txt").render(facts)
    footer_html = compose._ENV.get_template("_footer.html").render(facts)
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    html = "".join("<p>" + "<br>".join(str(escape(line)) for line in p.split("\n")) + "</p>" for p in paragraphs)
    return compose.build(kind="reply", to=mail.reply_addresses, subject=subject,
                         text=f"{text}\n\n{footer_text}", html=f"<html><body>{html}{footer_html}</body></html>",
                         knowledge=knowledge, now=now, reply_to=mail)


def municipality_value(value: str | None, knowledge: Knowledge) -> str | None:
    """A municipality as staff type it (slug or name; 'none' for a non-member) -> slug, '' or None."""
    if value is None:
        return None
    wanted = value.strip().lower()
    if wanted in ("", "none", "geen"):
        return ""
    for m in knowledge.municipalities:
        if wanted in (m.slug, m.name.lower()):
            return m.slug
    raise StaffError(f"Onbekende gemeente: {value}. Gebruik de korte naam uit de gemeentelijst, "
                     "of 'none' voor wie niet bij een G32-gemeente hoort.")


def _core(s: Session, key: str) -> Attendee | None:
    return store.registry_view(s).find(key)


def _mail_of(s: Session, r: db.ReviewItem) -> Mail | None:
    """The message of the item as the pipeline read it; a bare one when its text is no longer kept."""
    if not r.message_id:
        return None
    m = store.handled(s, r.message_id)
    if m is not None and m.raw:
        return read_mail(parse(m.raw), m.raw)
    return Mail(message_id=r.message_id, from_addr=r.from_addr, from_name="", reply_to=(), to=(), cc=(),
                subject=m.subject if m else "", date=None, in_reply_to=None, references=())


def _requests(s: Session, k: Knowledge, actor: str, people: list[db.Attendee], mail: Mail | None,
              slug: str | None, organisation: str | None, attendee: str | None,
              sessions: tuple[str, ...] | None) -> list[StaffRequest]:
    """One change per person: the one whose sessions staff set (someone new when the message
    recorded nobody), and every person of the message for a municipality or organisation."""
    out: list[StaffRequest] = []
    target_key = None
    if sessions is not None or attendee is not None:
        chosen = frozenset(sessions) if sessions is not None else None
        target = _pick(s, attendee, people, mail)
        if target is None:
            out.append(_newcomer(actor, attendee, mail, chosen, slug, organisation, k))
        else:
            target_key = target.key
            out.append(StaffRequest("change", actor, key=target.key, sessions=chosen, municipality=slug,
                                    organisation=organisation))
    if slug is not None or organisation is not None:
        out += [StaffRequest("change", actor, key=a.key, municipality=slug, organisation=organisation)
                for a in people if a.key != target_key]
    return out


def _pick(s: Session, name: str | None, people: list[db.Attendee], mail: Mail | None) -> db.Attendee | None:
    """The attendee staff mean: named (by name or key), the one the message recorded, or the
    sender when recorded through another message; None for someone new."""
    if name:
        wanted = name.strip().lower()

        def matching(rows) -> list[db.Attendee]:
            return [a for a in rows if wanted in (a.key.lower(), a.name.lower())]

        found = matching(people) or matching(s.exec(select(db.Attendee)).all())
        if len(found) > 1:
            raise StaffError(f"Er zijn {len(found)} deelnemers met de naam {name}; geef hun sleutel.")
        return found[0] if found else None
    if len(people) == 1:
        return people[0]
    if people:
        raise StaffError("Dit bericht gaat over " + ", ".join(a.name for a in people)
                         + "; zeg om wie het gaat (--attendee NAAM).")
    sender = mail.from_addr.lower() if mail else ""
    own = list(s.exec(select(db.Attendee).where(db.Attendee.email == sender)).all()) if sender else []
    return own[0] if len(own) == 1 else None


def _newcomer(actor: str, name: str | None, mail: Mail | None, sessions: frozenset[str] | None,
              slug: str | None, organisation: str | None, k: Knowledge) -> StaffRequest:
    """Someone the message did not record (it asked a question, say): the sender as the invitee
    list or the From line knows them, unless staff name someone else."""
    if mail is None and not name:
        raise StaffError("Geef de naam van de deelnemer (--attendee NAAM).")
    sender = (mail.from_addr if mail else "").lower()
    own_name = sender_name(mail, k) if mail else ""
    given = (name or "").strip() or own_name
    is_sender = bool(sender) and given.lower() in {own_name.lower(), (mail.from_name if mail else "").strip().lower()}
    req = StaffRequest("register", actor, name=given, email=sender if is_sender else None,
                       municipality=slug if slug is not None else (
                           by_domain(sender, k.municipalities)[0] if is_sender else None),
                       organisation=organisation, sessions=sessions or frozenset(),
                       extra_addresses=() if is_sender or not sender else (sender,))
    return with_invitee(req, k) if is_sender else req


def sender_name(mail: Mail, k: Knowledge) -> str:
    """How the sender is named: as on the invitee list, else as their From line says."""
    inv = invitee_for(mail.from_addr, k)
    return inv.name if inv else (mail.from_name.strip() or mail.from_addr)


def newcomer_name(bot: Bot, review_id: int) -> str:
    """The name the desk suggests for someone new: the sender's."""
    with Session(bot.engine) as s:
        mail = _mail_of(s, item(s, review_id))
    return sender_name(mail, bot.knowledge) if mail else ""


def message_people(bot: Bot, review_id: int) -> list[tuple[Attendee, list[db.Outbox]]]:
    """The people the item's message recorded, each with the confirmations they had before."""
    with Session(bot.engine) as s:
        r = item(s, review_id)
        view = store.registry_view(s)
        return [(a, earlier_confirmations(s, row)) for row in _attendees_of(s, r.message_id)
                if (a := view.find(row.key)) is not None]


def _confirm(s: Session, bot: Bot, r: db.ReviewItem, mail: Mail | None, whats: dict[str, str],
             before: dict[str, Attendee | None], *, now: datetime, actor: str,
             repeat_ok: bool) -> tuple[str, list[str]]:
    """Queue the standard mail to the sender for everyone the message is about."""
    if mail is None or not mail.reply_addresses:
        raise StaffError("Het oorspronkelijke bericht is niet bewaard; stuur de bevestiging vanuit Deelnemers.")
    view = store.registry_view(s)
    pairs = [(row, a) for row in _attendees_of(s, r.message_id) if (a := view.find(row.key)) is not None]
    if not pairs:
        raise StaffError("Bij dit bericht is niemand vastgelegd; leg eerst de sessies vast.")
    tz = zone(bot.knowledge)
    repeats = [repeat_line(a, earlier, tz) for row, a in pairs
               if whats.get(a.key) not in FRESH and (earlier := earlier_confirmations(s, row))]
    if repeats and not repeat_ok:
        raise RepeatRefused(" ".join(repeats) + " Vink 'Toch opnieuw versturen' aan om haar nog eens te sturen.")
    people = [a for _, a in pairs]
    decision, calendar = confirmation(people, whats, before, mail.reply_addresses)
    appends = store.Appends()
    queue_replies(s, bot, decision, now=now, appends=appends, mail=mail, calendar=calendar)
    appends.write(s)
    kind = KIND_NL[decision.replies[0].kind]
    to = ", ".join(mail.reply_addresses)
    names = ", ".join(a.name for a in people)
    s.add(db.StaffAction(review_id=r.id, actor=actor, action="confirm", detail=f"{kind} aan {to} ({names})",
                         at=now))
    return f"{kind.capitalize()} in de wachtrij gezet voor {to} ({names}).", [f"Let op: {x}" for x in repeats]


def confirmation(people: list[Attendee], whats: dict[str, str], before: dict[str, Attendee | None],
                 to: tuple[str, ...]) -> tuple[Decision, Decision]:
    """The standard mail for the people of a message, saying what staff changed, and the changes
    whose calendar items go with it: a registration confirmed again still carries its item."""
    what = {a.key: whats.get(a.key, "unchanged") for a in people}
    context = [person_context(a, what[a.key], before.get(a.key)) for a in people]
    kind = "confirmation" if any(a.status == "registered" for a in people) else "acknowledgement"
    mail = Decision("recorded", tuple(Change(a, what[a.key]) for a in people),
                    (Reply(kind, tuple(to), kind, {"people": context, "conflicts": {}, "subject": ""}),),
                    (), ("staff-confirm",))
    calendar = tuple(Change(a, what[a.key] if what[a.key] in ("new", "changed", "cancelled") else "changed")
                     for a in people if a.status == "registered" or what[a.key] == "cancelled")
    return mail, Decision("recorded", calendar)


def person_context(a: Attendee, what: str, before: Attendee | None) -> dict:
    """The mail's view of one person, with the sessions staff added and dropped."""
    held = before.sessions if before is not None and before.status == "registered" else frozenset()
    moved = what == "changed"
    return {**_person_context(Change(a, what)), "organisation": a.organisation,
            "added": sorted(a.sessions - held) if moved else [],
            "dropped": sorted(held - a.sessions) if moved else []}


def earlier_confirmations(s: Session, row: db.Attendee) -> list[db.Outbox]:
    """Confirmations queued or sent before for this person: for a message that recorded them, or
    to their own address."""
    mids = {h.message_id for h in s.exec(select(db.History).where(db.History.attendee_id == row.id)).all()
            if h.message_id}
    conditions = []
    if mids:
        conditions.append(db.Outbox.source_message_id.in_(sorted(mids)))  # type: ignore[union-attr]
    if row.email:
        to_them = select(db.OutboxRecipient.outbox_message_id).where(
            db.OutboxRecipient.address == row.email.lower())
        conditions.append(db.Outbox.message_id.in_(to_them))  # type: ignore[attr-defined]
    if not conditions:
        return []
    return list(s.exec(select(db.Outbox).where(db.Outbox.kind == "confirmation", or_(*conditions))
                       .order_by(db.Outbox.created_at, db.Outbox.id)).all())


def repeat_line(a: Attendee, earlier: list[db.Outbox], tz: ZoneInfo) -> str:
    last = earlier[-1]
    return (f"{a.name} kreeg al een bevestiging ({local_time(last.created_at, tz)}, "
            f"{SEND_STATUS.get(last.status, last.status)}); deze bevestiging herhaalt die.")


def _close(s: Session, r: db.ReviewItem, *, actor: str, now: datetime, note: str) -> str:
    note = note.strip()
    r.resolved_at, r.resolved_by = now, actor
    if note:
        r.note = note
    s.add(r)
    s.add(db.StaffAction(review_id=r.id, actor=actor, action="close", detail=note, at=now))
    return "Afgehandeld" + (f", met de notitie: {note}" if note else "") + "."


def change_line(change: Change, before: Attendee | None, k: Knowledge) -> str:
    """One Dutch line for a change staff made: who, what, and the sessions it touched."""
    a = change.attendee
    head = f"{a.name}: {WHAT.get(change.what, change.what)}"
    if change.what in ("new", "changed"):
        head += f" (nu {session_list(sorted(a.sessions), k) or 'zonder sessies'})"
    parts = [head]
    if before is not None and change.what == "changed":
        added, dropped = sorted(a.sessions - before.sessions), sorted(before.sessions - a.sessions)
        if added:
            parts.append("toegevoegd: " + session_list(added, k))
        if dropped:
            parts.append("vervallen: " + session_list(dropped, k))
    if before is None or (before.municipality, before.organisation) != (a.municipality, a.organisation):
        parts.append(f"gemeente {municipality_name(a.municipality, k)}"
                     + (f", organisatie {a.organisation}" if a.organisation else ""))
    return "; ".join(parts) + "."


# --- what happened, read back from the store ---------------------------------


@dataclass(frozen=True)
class Record:
    """What became of a review item and its message, as stored at the time."""

    item: db.ReviewItem
    message: db.InboundMessage | None
    changes: tuple[tuple[db.History, str], ...]  # each history row with the attendee's name
    replies: tuple[db.Outbox, ...]
    actions: tuple[db.StaffAction, ...]


def record(bot: Bot, review_id: int) -> Record:
    with Session(bot.engine) as s:
        r = item(s, review_id)
        mid = r.message_id
        message = store.handled(s, mid) if mid else None
        changes = s.exec(select(db.History, db.Attendee.name).join(db.Attendee)
                         .where(db.History.message_id == mid)
                         .order_by(db.History.at, db.History.id)).all() if mid else []
        replies = s.exec(select(db.Outbox).where(db.Outbox.source_message_id == mid)
                         .order_by(db.Outbox.created_at, db.Outbox.id)).all() if mid else []
        actions = s.exec(select(db.StaffAction).where(db.StaffAction.review_id == review_id)
                         .order_by(db.StaffAction.at, db.StaffAction.id)).all()
        return Record(r, message, tuple((h, name) for h, name in changes), tuple(replies), tuple(actions))


def outcome_text(message: db.InboundMessage | None) -> str:
    if message is None:
        return "Het bericht is niet (meer) bewaard."
    rules = rules_text(message.rules)
    return OUTCOME.get(message.outcome, message.outcome) + (f" ({rules})" if rules else "")


def rules_text(rules: str) -> str:
    """The rules that fired, in words staff know."""
    try:
        names = json.loads(rules or "[]")
    except ValueError:
        return ""
    return ", ".join(dict.fromkeys(rule_text(n) for n in names))


def rule_text(rule: str) -> str:
    if rule in RULES:
        return RULES[rule]
    action, _, what = rule.removeprefix("staff-").partition("-")
    if action in ACTIONS_NL and what in WHAT:
        return f"{ACTIONS_NL[action]}: {WHAT[what]}" + (" (door een medewerker)" if rule.startswith("staff-") else "")
    return rule


def history_text(h: db.History, name: str, k: Knowledge, tz: ZoneInfo) -> str:
    try:
        ids = json.loads(h.sessions or "[]")
    except ValueError:
        ids = []
    who = f"door {h.actor}" if h.actor else "door de bot"
    what = WHAT.get(h.what, h.what)
    sessions = f"; sessies: {session_list(ids, k)}" if ids else ""
    return f"{local_time(h.at, tz)}  {name}: {what}{sessions} ({who})"


def reply_text(o: db.Outbox, tz: ZoneInfo) -> str:
    try:
        to = ", ".join(json.loads(o.to))
    except ValueError:
        to = o.to
    status = SEND_STATUS.get(o.status, o.status)
    when = f" {local_time(o.sent_at, tz)}" if o.status == "sent" and o.sent_at else ""
    return f"{local_time(o.created_at, tz)}  {KIND_NL.get(o.kind, o.kind)} aan {to}: {status}{when}"


def action_text(a: db.StaffAction, k: Knowledge) -> str:
    """A staff action in words: what was done and to whom (apply_change keeps its detail as JSON)."""
    label = ACTION_LABELS.get(a.action, a.action)
    try:
        detail = json.loads(a.detail) if a.detail.startswith("{") else None
    except ValueError:
        detail = None
    if isinstance(detail, dict) and "attendee" in detail:
        what = WHAT.get(detail.get("what", ""), detail.get("what", ""))
        sessions = session_list(detail.get("sessions", []), k)
        text = f"{detail['attendee']}: {what}" + (f"; sessies {sessions}" if sessions else "")
        mailed = detail.get("mailed") or []
        return f"{label}: {text}" + (f"; mail aan {', '.join(mailed)}" if mailed else "")
    return f"{label}: {a.detail}" if a.detail else label


def record_lines(rec: Record, k: Knowledge) -> list[str]:
    """`review show`: the item and what was done then, when and by whom, in Dutch."""
    tz = zone(k)
    r, m = rec.item, rec.message
    lines = [f"Controle-item {r.id}: {r.reason}"]
    if r.summary:
        lines.append(f"  {r.summary}")
    lines += [f"Van:        {r.from_addr}",
              f"Onderwerp:  {m.subject if m else ''}",
              f"Ontvangen:  {local_time(m.received_at if m else r.created_at, tz)}",
              f"Bericht:    {r.message_id or '-'}",
              "", "Wat de bot deed:", f"  {outcome_text(m)}"]
    bot_changes = [(h, n) for h, n in rec.changes if not h.actor]
    lines += [f"  {history_text(h, n, k, tz)}" for h, n in bot_changes] or ["  niets vastgelegd"]
    lines += ["", "Antwoorden op dit bericht:"]
    lines += [f"  {reply_text(o, tz)}" for o in rec.replies] or ["  geen antwoord verstuurd"]
    lines += ["", "Door medewerkers:"]
    lines += [f"  {local_time(a.at, tz)}  {a.actor}: {action_text(a, k)}" for a in rec.actions] or ["  nog niets"]
    staff_changes = [(h, n) for h, n in rec.changes if h.actor]
    if staff_changes:
        lines += ["", "Gewijzigd door medewerkers:"]
        lines += [f"  {history_text(h, n, k, tz)}" for h, n in staff_changes]
    lines.append("")
    if r.resolved_at:
        lines.append(f"Afgehandeld: {local_time(r.resolved_at, tz)} door {r.resolved_by}")
    else:
        lines.append("Status:     open")
    lines.append(f"Notitie:    {r.note}" if r.note else "Notitie:    geen")
    return lines


def reading_lines(e: dict, k: Knowledge) -> list[str]:
    """What the bot read in the message (explain.explain_message), without deciding again."""
    from mailbot.explain import HOW

    kind = e["classification"]["kind"]
    sender = e["sender"]
    place = municipality_name(sender["municipality"], k) if sender["municipality"] else "onbekend"
    lines = [f"Soort bericht: {CLASS_NL.get(kind, kind)}",
             f"Afzender: gemeente {place} ({SENDER_HOW.get(sender['how'], sender['how'])})"
             + (f", genodigde {sender['invitee']}" if sender["invitee"] else ""),
             "", "Nieuwe tekst:", *("  | " + ln for ln in e["new_text"].splitlines()), ""]
    if e["cues"]:
        lines.append("Signalen: " + "; ".join(f"{CUES.get(c, c)} ({c}): {', '.join(v)}"
                                              for c, v in e["cues"].items()))
    for p in e["people"]:
        lines.append(f"Persoon: {p['name']} ({p['role'] or 'functie onbekend'}, "
                     f"{municipality_name(p['municipality'], k) if p['municipality'] else 'geen gemeente'})"
                     + (", de afzender" if p["is_sender"] else "")
                     + ("" if p["on_invitee_list"] else ", niet op de genodigdenlijst"))
        for remark in p.get("remarks", ()):
            lines.append(f"  opmerking: {remark}")
        for s in p["sessions"]:
            how = HOW.get(s["how"], s["how"])
            dropped = (f", valt af door '{s['cue']}'" if s.get("cue") else ", valt af") if s["negated"] else ""
            lines.append(f"  sessie {session_list([s['session']], k) or s['session']}: '{s['matched']}' ({how}{dropped})")
    for problem in e["problems"]:
        lines.append(f"Let op: {problem}")
    return lines


def session_list(ids, k: Knowledge) -> str:
    known = [k.event.session(i) for i in ids if i in k.event.session_ids]
    return ", ".join(f"{s.number}. {s.title}" for s in sorted(known, key=lambda s: s.number))


def municipality_name(slug: str | None, k: Knowledge) -> str:
    if not slug:
        return "geen"
    return next((m.name for m in k.municipalities if m.slug == slug), slug)

