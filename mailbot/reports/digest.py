"""The daily digest for staff: what changed, the head count, what waits for staff.

One digest a day, whoever triggers it (the scheduler or `digest --send`): both
claim the day's slot in job_run in the transaction that queues the mail, and
"new" and "changed" always run from the previous digest's ran_at, so nothing
is listed twice and nothing is lost between a digest sent by hand and the next
scheduled one.

The office reads the digest instead of the command line, so it carries what
they act on: the text of questions, clash questions nobody answered, who has
not answered and which secretariat to call, bounced addresses and absences
with a name and a date in words. Pure functions below turn rows into plain
data; `context` is the thin shell that reads the database. Rendered from the
`digest` templates (text and HTML; the HTML draws the head count as a bar chart
made of table cells, which Outlook renders) with the attendee list (xlsx) and
the name cards (pdf) attached.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from mailbot import db, store
from mailbot.core import agenda
from mailbot.core.types import Attendee, Invitee, Knowledge
from mailbot.mail.compose import DAYS, MONTHS, build, dutch_date, facts, hhmm, render
from mailbot.reports import tables
from mailbot.service import Bot

BAR_WIDTH = 200  # pixels for the largest session
TEXT_LIMIT = 700  # characters of a question shown; the rest is in `review show`
REGISTERED = ("new", "changed")
CATEGORIES = ("new", "changed", "declined", "cancelled")
NO_PLACE = "geen G32-gemeente"
AUDIENCE_TEXT = {"unanswered": "genodigden van wie nog geen antwoord was",
                 "registered": "aangemelde deelnemers"}


# --- the functional core: plain data in, plain data out --------------------------------


@dataclass(frozen=True)
class Step:
    """One history row: what happened and the sessions after it."""

    what: str
    sessions: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """Where one person's changes in the period end, told once."""

    category: str  # new | changed | declined | cancelled
    sessions: tuple[str, ...]  # after the last change
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    had: tuple[str, ...] = ()  # the sessions given up, for a cancellation
    within: bool = False  # registered and withdrawn within the period


def outcome(before: Step | None, steps: Sequence[Step]) -> Outcome | None:
    """Someone who registered and cancelled on one day appears once, with the outcome;
    a change is told as what was added and what fell away since the previous digest."""
    steps = [x for x in steps if x.what in CATEGORIES]
    if not steps:
        return None
    last = steps[-1]
    was_registered = before is not None and before.what in REGISTERED
    if last.what in REGISTERED:
        if not was_registered:
            return Outcome("new", last.sessions)
        assert before is not None
        return Outcome("changed", last.sessions,
                       added=tuple(x for x in last.sessions if x not in before.sessions),
                       removed=tuple(x for x in before.sessions if x not in last.sessions))
    held = [x.sessions for x in ([before] if was_registered and before else []) + list(steps)
            if x.what in REGISTERED]
    return Outcome(last.what, (), had=held[-1] if held else (),
                   within=last.what == "cancelled" and any(x.what in REGISTERED for x in steps[:-1])
                   and not was_registered)


def in_programme_order(session_ids: Iterable[str], knowledge: Knowledge) -> list[str]:
    """'4. Themagroep Financiën' labels by session number, as the invitation lists them."""
    known = {s.id: s for s in knowledge.event.sessions}
    ids = sorted(set(session_ids), key=lambda x: (known[x].number, x) if x in known else (10**6, x))
    return [f"{known[x].number}. {known[x].title}" if x in known else x for x in ids]


def return_day(until: date) -> date:
    """The working day someone is back from the date an out-of-office gave.

    Only the date is kept (not the words around it), so the weekday decides: a Monday is
    the day back ("until Monday 6 November", "terug op maandag"); any other day is the
    last day away ("tot en met vrijdag 24 november"), and they are back the next working day.
    """
    if until.weekday() == 0:
        return until
    day = until + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def day_in_words(d: date) -> str:
    """'maandag 27 november': the year is this autumn's, saying it adds nothing."""
    return f"{DAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]}"


def clash_groups(chosen: Iterable[str], knowledge: Knowledge) -> list[str]:
    """Sessions chosen in one time slot: '11.15: 4. Themagroep Financiën of 6. Doorstart ...'."""
    known = {s.id: s for s in knowledge.event.sessions}
    by_start: dict = {}
    for sid in chosen:
        if sid in known:
            by_start.setdefault(known[sid].start, []).append(sid)
    return [f"{hhmm(start)}: {' of '.join(in_programme_order(ids, knowledge))}"
            for start, ids in sorted(by_start.items()) if len(ids) > 1]


def clashes_in(text: str, knowledge: Knowledge) -> list[tuple[str | None, tuple[str, ...]]]:
    """The clashes a clarification asked about, read back from its text: a line naming two
    or more sessions ("4. Themagroep Financiën of 6. ...") that start together, with the
    name on the line above it ("Bas Postma:") when there is one."""
    by_label = {f"{s.number}. {s.title}": s for s in knowledge.event.sessions}
    pattern = re.compile("|".join(re.escape(x) for x in sorted(by_label, key=len, reverse=True)))
    out: list[tuple[str | None, tuple[str, ...]]] = []
    name: str | None = None
    for line in text.splitlines():
        found = [by_label[m.group()] for m in pattern.finditer(line)]
        if len(found) >= 2 and len({s.start for s in found}) == 1:
            out.append((name, tuple(s.id for s in found)))
        elif line.strip().endswith(":") and not found:
            name = line.strip()[:-1].strip() or None
    return out


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    """The message's own words, blank runs folded, cut at a word near `limit`."""
    lines = [tables.clean(x).rstrip() for x in text.strip().splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    out = "\n".join(kept).strip()
    if len(out) <= limit:
        return out
    return out[:limit].rsplit(" ", 1)[0].rstrip() + " …"


def non_responder_groups(people: Sequence[Invitee], names: dict[str, str]) -> list[dict]:
    """Invitees nobody answered for, per municipality and secretariat: whom staff call."""
    groups: dict[tuple[str, str], list[str]] = {}
    for i in people:
        where = names.get(i.municipality or "", "") or NO_PLACE
        label = f"{i.name} ({i.role})" if i.role else i.name
        groups.setdefault((where, i.secretary_email or ""), []).append(label)
    return [{"where": where, "secretariat": sec or None, "people": ", ".join(people)}
            for (where, sec), people in sorted(groups.items(), key=lambda kv: (place_key(kv[0][0]), kv[0][1]))]


def place_key(name: str) -> tuple[bool, str]:
    """Sort "'s-Hertogenbosch" under H, as a Dutch list does; people of no place last."""
    folded = tables.fold(name)
    return name == NO_PLACE, folded[3:] if folded.startswith(("'s-", "'t-")) else folded


# --- the shell: read the store, hand plain data to the templates ------------------------


@dataclass(frozen=True)
class Person:
    """Who an address belongs to, as the digest names them."""

    name: str
    where: str | None
    secretariat: str | None


def digest_slot(bot: Bot, now: datetime) -> str:
    """The day a digest belongs to: the local date, as the scheduler's slot."""
    return now.astimezone(bot_tz(bot)).date().isoformat()


def previous_digest(s: Session, now: datetime) -> db.JobRun | None:
    return s.exec(select(db.JobRun).where(db.JobRun.job == "digest", db.JobRun.ran_at < now)
                  .order_by(db.JobRun.ran_at.desc())).first()  # type: ignore[attr-defined]


def sent_today(bot: Bot, s: Session, now: datetime) -> db.JobRun | None:
    """Today's digest slot, when a digest already claimed it."""
    return s.exec(select(db.JobRun).where(db.JobRun.job == "digest",
                                          db.JobRun.slot == digest_slot(bot, now))).first()


def local_time(bot: Bot, at: datetime) -> str:
    """'maandag 20 november 2017 09.00' in the event's time zone."""
    local = _aware(at).astimezone(bot_tz(bot))
    return f"{dutch_date(local.date())} {hhmm(local)}"


def _aware(at: datetime) -> datetime:
    """SQLite hands datetimes back naive; the bot stores them as given (UTC or local-aware)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def context(bot: Bot, s: Session, now: datetime) -> dict:
    """Everything the digest shows, as plain data."""
    k = bot.knowledge
    last = previous_digest(s, now)
    since = last.ran_at if last else None
    reg = store.registry(s)
    names = tables.municipality_names(k)
    rows = {r.id: r for r in s.exec(select(db.Attendee)).all()}
    counts = tables.head_counts(reg, k)
    biggest = max([c.registered for c in counts] + [c.capacity or 0 for c in counts] + [1])
    head = [{"title": c.session.title, "number": c.session.number, "start": hhmm(c.session.start),
             "registered": c.registered, "capacity": c.capacity, "over": c.over,
             "bar": _bar(c.registered, biggest), "rest": BAR_WIDTH - _bar(c.registered, biggest)}
            for c in sorted(counts, key=lambda c: c.session.number)]
    registered_in = {a.municipality for a in reg.attendees if a.status == "registered"}
    members = [m for m in k.municipalities if m.status == "member"]
    candidates = [{"name": m.name, "registered": sum(1 for a in reg.attendees if a.status == "registered"
                                                       and a.municipality == m.slug)}
                  for m in k.municipalities if m.status == "candidate"]
    people = _people_index(reg.attendees, k.invitees, names)
    registered = [r for r in rows.values() if r.status == "registered"]
    unanswered = [r.invitee for r in agenda.recipients("unanswered", reg, k.invitees, frozenset())
                  if r.invitee is not None]
    return {
        "waiting": waiting_context(bot, s, now),
        **facts(k),
        "today": dutch_date(now.astimezone(bot_tz(bot)).date()),
        "since": local_time(bot, since) if since else None,
        "changes": changes_context(s, k, rows, names, since),
        "total": sum(1 for a in reg.attendees if a.status == "registered"),
        "declined_total": sum(1 for a in reg.attendees if a.status in ("declined", "cancelled")),
        "arrived": sum(1 for r in registered if r.arrived_at is not None),
        "arrivals": any(r.arrived_at is not None for r in rows.values()),
        "head": head,
        "review": review_context(bot, s),
        "clashes": clash_context(bot, s, rows, names),
        "reminders": reminder_context(bot, s, last),
        "unanswered_total": len(unanswered),
        "unanswered": non_responder_groups(unanswered, names),
        # remarks of everyone still coming: diet, access, timing, company
        "remarks": [{"name": a.name, "remark": r} for a in reg.attendees if a.status == "registered"
                    for r in a.remarks],
        "missing": [m.name for m in members if m.slug not in registered_in],
        "candidates": candidates,
        **notes_context(bot, s, people, now),
    }


def _bar(n: int, biggest: int) -> int:
    return max(2, round(BAR_WIDTH * n / biggest)) if n else 0


def where(municipality: str | None, organisation: str | None, names: dict[str, str]) -> str:
    """The municipality, else the organisation of a non-member."""
    return names.get(municipality or "", "") or organisation or NO_PLACE


def changes_context(s: Session, k: Knowledge, rows: dict, names: dict[str, str],
                    since: datetime | None) -> dict[str, list[dict]]:
    """Each person once per category, in the order their first change came in."""
    before: dict[int, Step] = {}
    period: dict[int, list[Step]] = {}
    for h in s.exec(select(db.History).order_by(db.History.at, db.History.id)).all():
        step = Step(h.what, tuple(json.loads(h.sessions or "[]")))
        if since is not None and h.at <= since:
            before[h.attendee_id] = step
        else:
            period.setdefault(h.attendee_id, []).append(step)
    out: dict[str, list[dict]] = {c: [] for c in CATEGORIES}
    for attendee_id, steps in period.items():
        a = rows.get(attendee_id)
        o = outcome(before.get(attendee_id), steps)
        if a is None or o is None:
            continue
        out[o.category].append({"sort": (place_key(where(a.municipality, a.organisation, names)),
                                         tables.fold(a.name)),
            "name": a.name, "municipality": where(a.municipality, a.organisation, names),
            "sessions": ", ".join(in_programme_order(o.sessions, k)) or "geen sessie gekozen",
            "added": ", ".join(in_programme_order(o.added, k)),
            "removed": ", ".join(in_programme_order(o.removed, k)),
            "had": ", ".join(in_programme_order(o.had, k)), "within": o.within})
    return {c: sorted(entries, key=lambda e: e["sort"]) for c, entries in out.items()}


def review_context(bot: Bot, s: Session) -> list[dict]:
    """Open review items; a question's own words come along, once per message."""
    from mailbot.core.prepare import prepare

    items = s.exec(select(db.ReviewItem).where(db.ReviewItem.resolved_at.is_(None))  # type: ignore[union-attr]
                   .order_by(db.ReviewItem.id)).all()
    shown: set[str] = set()
    out = []
    for r in items:
        text = None
        if r.message_id and r.message_id not in shown:
            m = store.handled(s, r.message_id)
            if m is not None and m.raw:
                p = prepare(m.raw, bot.knowledge)
                if p.reading is not None and _worth_reading(s, p.reading, r.message_id):
                    text = shorten(p.reading.new_text) or None
            if text:
                shown.add(r.message_id)
        out.append({"id": r.id, "reason": r.reason, "summary": tables.clean(r.summary), "from": r.from_addr,
                    "at": local_time(bot, r.created_at), "text": text})
    return out


def _worth_reading(s: Session, reading, message_id: str) -> bool:
    """A person asked something, answered with a condition, or wrote what the bot did not act on."""
    if reading.classification.kind != "human":
        return False
    if reading.cues.has("question") or reading.cues.has("tentative"):
        return True
    return s.exec(select(db.History).where(db.History.message_id == message_id)).first() is None


def clash_context(bot: Bot, s: Session, rows: dict, names: dict[str, str]) -> list[dict]:
    """Clarifications asked and not answered since: the person has not written again and
    staff have not changed their registration."""
    out = []
    asked = s.exec(select(db.Outbox).where(db.Outbox.kind == "clarification")
                   .order_by(db.Outbox.created_at, db.Outbox.id)).all()  # type: ignore[arg-type]
    for q in asked:
        to = [x.lower() for x in json.loads(q.to or "[]")]
        history = s.exec(select(db.History).where(db.History.message_id == q.source_message_id)).all() \
            if q.source_message_id else []
        people = [rows[h.attendee_id] for h in history if h.attendee_id in rows]
        addresses = set(to) | {x for p in people for x in json.loads(p.addresses or "[]")}
        if _answered(s, addresses, {p.id for p in people}, q.created_at):
            continue
        groups: list[dict] = []
        for name, ids in clashes_in(_plain_text(q.raw), bot.knowledge):
            row = next((r for r in people if r.name == name), people[0] if len(people) == 1 else None)
            groups.append({"name": name or (row.name if row else None), "clash": "; ".join(clash_groups(ids, bot.knowledge)),
                           "where": where(row.municipality, row.organisation, names) if row else None})
        out.append({"to": ", ".join(to), "at": local_time(bot, q.created_at), "people": groups})
    return out


def _answered(s: Session, addresses: set[str], attendee_ids: set, after: datetime) -> bool:
    wrote = s.exec(select(db.InboundMessage).where(db.InboundMessage.received_at > after)).all()
    if any(m.from_addr.lower() in addresses for m in wrote):
        return True
    return bool(attendee_ids) and s.exec(select(db.History).where(
        db.History.attendee_id.in_(attendee_ids), db.History.at > after)).first() is not None  # type: ignore[union-attr]


def reminder_context(bot: Bot, s: Session, last: db.JobRun | None) -> list[dict]:
    """The reminders that went out since the previous digest, and to how many. Jobs of one
    tick share its time, and the digest (08:00) runs before the reminders (09:00) a late
    tick also sends: the order they were claimed in tells which came after it."""
    audiences = {r.id: r.audience for r in bot.config.reminders}
    q = select(db.JobRun).where(db.JobRun.job == "reminder").order_by(db.JobRun.ran_at, db.JobRun.id)
    if last is not None:
        q = q.where(db.JobRun.id > last.id)
    out = []
    for run in s.exec(q).all():
        mails = s.exec(select(db.Outbox).where(db.Outbox.kind == "reminder",
                                               db.Outbox.dedupe.startswith(f"reminder:{run.slot}:"))  # type: ignore[union-attr]
                       ).all()
        out.append({"at": local_time(bot, run.ran_at), "count": len(mails),
                    "audience": AUDIENCE_TEXT.get(audiences.get(run.slot, ""), "adressen")})
    return out


def _people_index(attendees: Sequence[Attendee], invitees: Sequence[Invitee],
                  names: dict[str, str]) -> dict[str, Person]:
    """Address -> the person it belongs to: attendees first, then the invitee list."""
    index: dict[str, Person] = {}
    secretariat = {i.email: i.secretary_email for i in invitees}
    for i in invitees:
        index.setdefault(i.email.lower(), Person(i.name, where(i.municipality, None, names), i.secretary_email))
    for a in attendees:
        sec = secretariat.get(a.email or "") or (a.registered_by if a.registered_by != a.email else None)
        person = Person(a.name, where(a.municipality, a.organisation, names), sec)
        for address in {*(a.addresses or ()), *([a.email] if a.email else [])}:
            index[address.lower()] = person
    return index


def notes_context(bot: Bot, s: Session, people: dict[str, Person], now: datetime) -> dict:
    """Bounced addresses with what to do, absences with the day the person is back."""
    today = now.astimezone(bot_tz(bot)).date()
    bounced: dict[str, dict] = {}
    away = []
    for n in s.exec(select(db.MailNote).order_by(db.MailNote.at, db.MailNote.id)).all():
        who = people.get(n.address.lower())
        if n.kind == "bounce":
            bounced[n.address.lower()] = {"address": n.address, "name": who.name if who else None,
                                          "where": who.where if who else None,
                                          "secretariat": who.secretariat if who else None}
        elif n.kind == "away":
            away.append({"address": n.address, "name": who.name if who else None,
                         "where": who.where if who else None, **_back(n, today)})
    return {"bounced": list(bounced.values()), "away": away}


def _back(note: db.MailNote, today: date) -> dict:
    """'terug op maandag 13 november' when the date can be read, else the words as written."""
    try:
        until = date.fromisoformat(note.detail)
    except ValueError:
        return {"back": None, "until": note.detail or None, "returned": False}
    back = return_day(until)
    return {"back": day_in_words(back), "until": None, "returned": back <= today}


def _plain_text(raw: bytes) -> str:
    """The text part of a mail we composed."""
    from mailbot.core.mailparse import parse

    body = parse(raw).get_body(("plain",))
    return body.get_content() if body is not None else ""


def waiting_context(bot: Bot, s: Session, now: datetime) -> dict | None:
    """Outgoing mail queued too long or failing again and again (operations.waiting_mail):
    how many, and the oldest; None when there is none."""
    from mailbot.operations import waiting_mail

    minutes = bot.config.outbox_stale_minutes
    w = waiting_mail(s, now=now, stale_minutes=minutes)
    if not w.count or w.oldest_since is None:
        return None
    since = w.oldest_since.astimezone(bot_tz(bot))
    return {"count": w.count, "minutes": minutes, "to": w.oldest_to, "subject": w.oldest_subject,
            "since": f"{dutch_date(since.date())} {hhmm(since)}", "error": w.last_error}


def bot_tz(bot: Bot) -> ZoneInfo:
    return ZoneInfo(bot.knowledge.event.timezone)


def attachments(bot: Bot, s: Session) -> tuple:
    from mailbot.reports import exports, namecards
    from mailbot.reports.commands import arrivals

    reg = store.registry(s)
    xlsx = exports.to_xlsx(reg, bot.knowledge, arrivals=arrivals(s))  # who came, on the day itself
    parts: tuple = (("deelnemers.xlsx", "application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     xlsx),)
    if any(a.status == "registered" for a in reg.attendees):
        parts += (("naamkaartjes.pdf", "application", "pdf", namecards.namecards_pdf(reg, bot.knowledge)),)
    return parts


def render_digest(bot: Bot, s: Session, now: datetime) -> tuple[str, str, str]:
    return render("digest", context(bot, s, now))


def queue_digest(bot: Bot, s: Session, now: datetime) -> int:
    """Queue the digest to the staff addresses inside the caller's transaction."""
    to = tuple(bot.config.digest_to)
    if not to:
        return 0
    subject, text, html = render_digest(bot, s, now)
    msg = build(kind="digest", to=to, subject=subject, text=text, html=html, knowledge=bot.knowledge,
                now=now, attachments=attachments(bot, s))
    store.enqueue(s, db.Outbox(message_id=msg["Message-ID"], kind="digest", to=json.dumps(list(to)),
                               subject=subject, raw=bytes(msg), created_at=now))
    return 1


def send_today(bot: Bot, s: Session, now: datetime) -> int | None:
    """Claim today's slot and queue the digest, as the scheduler does (one a day, whoever
    asks); None when today's digest went out already."""
    from mailbot.jobs import _claim

    if not _claim(s, "digest", digest_slot(bot, now), now):
        return None
    return queue_digest(bot, s, now)
