"""Scheduled work as run-once entry points: reminders and the daily digest.

Each takes `now`; the scheduler only calls them, and so do the CLI and the
tests. A job's slot (a reminder id, a digest day) is recorded in the same
transaction that queues its mail, so a restart, a second instance or a
catch-up run never sends it twice.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesHeaderParser

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from mailbot import db, store
from mailbot.core import agenda
from mailbot.core.types import Invitee
from mailbot.mail.compose import (
    NEUTRAL,
    build,
    dutch_date,
    facts,
    hhmm,
    open_question,
    people_context,
    render,
    salutation,
)
from mailbot.service import Bot, flush_outbox, make_sender

log = logging.getLogger("mailbot")


@dataclass(frozen=True)
class JobResult:
    job: str
    slot: str
    queued: int


def done_slots(s: Session) -> frozenset[tuple[str, str]]:
    return frozenset((r.job, r.slot) for r in s.exec(select(db.JobRun)).all())


def bounced(s: Session) -> frozenset[str]:
    return frozenset(r.address for r in s.exec(select(db.MailNote).where(db.MailNote.kind == "bounce")).all())


def all_sessions(bot: Bot) -> list[dict]:
    """Every session in the invitation's order, with the number replies may use."""
    return [{"id": x.id, "number": x.number, "title": x.title, "start": hhmm(x.start), "end": hhmm(x.end)}
            for x in sorted(bot.knowledge.event.sessions, key=lambda x: x.number)]


def _claim(s: Session, job: str, slot: str, now: datetime, detail: str = "") -> bool:
    """Record that a job slot runs now; False when it already ran (or runs elsewhere)."""
    if s.exec(select(db.JobRun).where(db.JobRun.job == job, db.JobRun.slot == slot)).first():
        return False
    s.add(db.JobRun(job=job, slot=slot, ran_at=now, detail=detail))
    try:
        s.flush()
    except IntegrityError:
        return False
    return True


WROTE_TEMPLATE = "reminder_written"  # an invitee who wrote but has nothing recorded
BOARD_SESSION = "algemeen-bestuur"  # its documents are in iBabs for the members only
HUMAN_KINDS = ("human", "old", "too-large")  # mail a person wrote (not an automatic reply)


def written(s: Session) -> frozenset[str]:
    """Addresses that wrote to us themselves: their questions, doubts and answered mail are on record."""
    rows = s.exec(select(db.InboundMessage.from_addr).where(
        db.InboundMessage.kind.in_(HUMAN_KINDS))).all()  # type: ignore[attr-defined]
    return frozenset(a.lower() for a in rows if a)


def open_questions(s: Session) -> dict[str, list[list[str]]]:
    """Slot clashes asked about and still open: attendee key -> the session ids of each slot.

    A question is open while the attendee's latest recorded change came with a
    message we answered by asking it: any later change, by mail or by staff,
    settled or replaced it.
    """
    asked: dict[str, tuple[set[str | None], list[list[str]]]] = {}
    parser = BytesHeaderParser(policy=policy.default)
    for row in s.exec(select(db.Outbox).where(db.Outbox.kind == "clarification").order_by(db.Outbox.id)).all():
        header = parser.parsebytes(row.raw).get("X-Mailbot-Open-Question")
        for key, groups in open_question(str(header) if header else None).items():
            mids = asked.get(key, (set(), []))[0]
            asked[key] = (mids | {row.source_message_id}, groups)
    if not asked:
        return {}
    ids = {r.id: r.key for r in s.exec(select(db.Attendee).where(
        db.Attendee.key.in_(list(asked)))).all()}  # type: ignore[attr-defined]
    latest: dict[str, str | None] = {}
    for h in s.exec(select(db.History).where(db.History.attendee_id.in_(list(ids)))  # type: ignore[attr-defined]
                    .order_by(db.History.id)).all():
        latest[ids[h.attendee_id]] = h.message_id
    return {key: groups for key, (mids, groups) in asked.items() if key in latest and latest[key] in mids}


def _reminder_person(a, knowledge, questions: dict[str, list[list[str]]]) -> dict:
    """What a reminder says about one registered person: sessions, an open question, the documents."""
    members = {m.slug for m in knowledge.municipalities if m.status == "member"}
    return {"name": a.name, "role": a.role, "municipality": a.municipality, "status": a.status,
            "sessions": sorted(a.sessions), "waitlist": sorted(a.waitlist), "what": "",
            "question": questions.get(a.key, []),
            "board_documents": a.municipality in members and BOARD_SESSION in a.sessions}


def queue_reminder(bot: Bot, s: Session, reminder: agenda.Reminder, now: datetime) -> int:
    """Queue one reminder's mails inside the caller's transaction; returns how many.

    Each goes to the person (or whoever registered them) with their secretariat in copy;
    the opening addresses the person by name and function where the mail is theirs.
    """
    reg = store.registry(s)
    base = {**facts(bot.knowledge), "all_sessions": all_sessions(bot),
            "documents_date": dutch_date(bot.knowledge.event.documents_deadline)}
    questions = open_questions(s) if reminder.audience == "registered" else {}
    n = 0
    for r in agenda.recipients(reminder.audience, reg, bot.knowledge.invitees, bounced(s), written(s)):
        dedupe = f"reminder:{reminder.id}:{r.to[0]}"
        if s.exec(select(db.Outbox).where(db.Outbox.dedupe == dedupe)).first():
            continue
        people, who = [], r.invitee
        if r.attendee is not None:
            a = r.attendee
            people = people_context([_reminder_person(a, bot.knowledge, questions)], bot.knowledge)
            own = bool(a.email) and r.to[0].lower() == (a.email or "").lower()
            who = Invitee(a.name, a.role, a.municipality, a.email or "") if own else None
        ctx = {**base, "name": r.name, "people": people,
               "salutation": salutation(who.name, who.role) if who else NEUTRAL}
        subject, text, html = render(WROTE_TEMPLATE if r.wrote else reminder.template, ctx)
        msg = build(kind="reminder", to=r.to, cc=r.cc, subject=subject, text=text, html=html,
                    knowledge=bot.knowledge, now=now)
        store.enqueue(s, db.Outbox(message_id=msg["Message-ID"], kind="reminder",
                                   to=json.dumps([*r.to, *r.cc]), subject=subject, dedupe=dedupe,
                                   raw=bytes(msg), created_at=now))
        n += 1
    return n


def send_due_reminders(bot: Bot, *, now: datetime) -> list[JobResult]:
    return [r for r in run_due(bot, now=now, jobs=("reminder",))]


def run_due(bot: Bot, *, now: datetime, jobs: tuple[str, ...] = ("reminder", "digest")) -> list[JobResult]:
    """Run every due job once: queue its mail and record its slot together, then send."""
    cfg = bot.config
    with Session(bot.engine) as s:
        done = done_slots(s)
    due = agenda.due(now, reminders=cfg.reminders if "reminder" in jobs else (),
                     digest_time=cfg.digest_time if "digest" in jobs and cfg.digest_to else None,
                     timezone=cfg.event.timezone, done=done, catch_up=timedelta(hours=cfg.catch_up_hours))
    results = []
    for d in due:
        with Session(bot.engine) as s, s.begin():
            if not _claim(s, d.job, d.slot, now):
                continue
            if d.job == "reminder" and d.reminder is not None:
                n = queue_reminder(bot, s, d.reminder, now)
            else:
                from mailbot.reports.digest import queue_digest

                n = queue_digest(bot, s, now)
            results.append(JobResult(d.job, d.slot, n))
            log.info("%s %s: %d mails queued", d.job, d.slot, n)
    if results:
        flush_outbox(bot, make_sender(cfg), now=now)
    return results
