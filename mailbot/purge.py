"""Deleting personal data after the event (AVG/GDPR), shown first and guarded.

Staff see what a purge would delete, with counts, before anything goes; a
cut-off before the event has ended (the end of the event day, local time) is
refused unless forced, because purging then deletes live registrations. What
stays: each handled message's Message-ID (so a purged message is never
answered again), staff accounts, and the purge's own record (counts, no names).

`plan` only counts; `carry_out` deletes in one transaction, then removes the
file outbox's mail files whose rows are gone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, select

from mailbot import db
from mailbot.core.types import Event
from mailbot.errors import MailbotError
from mailbot.service import Bot
from mailbot.wording import day_words, local_words

# a job_run row: the invitee list was purged, so a restart does not load invitees.csv again
PURGED_INVITEES = ("purge", "invitees")

# what is counted and deleted, in the order staff read it, with the words they read
LABELS = {
    "attendees": "aanmeldingen (personen)",
    "choices": "sessiekeuzes",
    "history": "regels wijzigingsgeschiedenis",
    "messages": "ontvangen berichten (inhoud, afzender en onderwerp; het bericht-ID blijft)",
    "outbox": "verstuurde of wachtende mails",
    "recipients": "ontvangers van die mails",
    "files": "mailbestanden in de outbox-map",
    "maildir": "berichten in de ingebouwde mailbox (ook de map Verwerkt)",
    "invitees": "genodigden (de uitnodigingslijst)",
    "invitations": "uitnodigingen",
    "staff_details": "toelichtingen bij handelingen van medewerkers",
    "review": "controlepunten",
    "notes": "notities over automatische mail (onbestelbaar, afwezig)",
    "logins": "inlogpogingen",
}


class PurgeRefused(MailbotError):
    """A purge that would delete registrations of an event still to come."""


@dataclass(frozen=True)
class Plan:
    """What a purge with this cut-off deletes; counts only, nothing is touched yet."""

    before: datetime
    counts: dict[str, int]
    files: tuple[Path, ...] = ()
    maildir: tuple[Path, ...] = ()  # the embedded mailbox's messages (the server's own folders: by hand)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def event_end(event: Event) -> datetime:
    """The end of the event day in the event's time zone: from then on nothing is live."""
    return datetime.combine(event.day + timedelta(days=1), time(0), ZoneInfo(event.timezone))


def default_cutoff(event: Event, retention_days: int) -> datetime:
    return datetime.combine(event.day, time(0), ZoneInfo(event.timezone)) + timedelta(days=retention_days)


def refusal(before: datetime, now: datetime, end: datetime) -> str | None:
    """Why a purge must not run yet, in the words staff read; None when it may."""
    last_day = day_words((end - timedelta(days=1)).date())
    if now < end:
        return (f"het evenement is nog niet voorbij (het duurt tot en met {last_day}); opschonen nu "
                "verwijdert aanmeldingen die nog gelden. Gebruik --force als dat echt de bedoeling is.")
    if before < end:
        return (f"gegevens van vóór {local_words(before)} gevraagd, maar het evenement duurt tot en met "
                f"{last_day}. Kies {day_words(end.date())} of later, of gebruik --force.")
    return None


def describe(plan: Plan) -> list[str]:
    """The lines staff read before saying yes: one per kind of data, with its count."""
    width = max(len(str(n)) for n in plan.counts.values()) if plan.counts else 1
    return [f"  {plan.counts[key]:>{width}}  {label}" for key, label in LABELS.items() if key in plan.counts]


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _count(s: Session, table, *where) -> int:
    return int(s.exec(select(func.count()).select_from(table).where(*where)).one())


def _old_attendee_ids(s: Session, before: datetime) -> list[int]:
    return [a for a in s.exec(select(db.Attendee.id).where(db.Attendee.updated_at < before)).all() if a]


def _personal_message(before: datetime):
    M = db.InboundMessage
    return (M.received_at < before,  # type: ignore[operator]
            or_(M.raw.is_not(None), M.from_addr != "", M.subject != ""))  # type: ignore[union-attr]


def _mail_files(outbox: Path, kept_ids: set[int]) -> tuple[Path, ...]:
    """Mail files in the file outbox (previews in dry-run/ too) whose outbox row does not stay."""
    if not outbox.is_dir():
        return ()
    keep = {f"{i:06d}.eml" for i in kept_ids}
    return tuple(sorted(p for p in outbox.rglob("*") if p.is_file() and p.suffix in (".eml", ".tmp")
                        and not (p.parent == outbox and p.name in keep)))


def _maildir_files(bot: Bot, before: datetime) -> tuple[Path, ...]:
    """Messages in the embedded Maildir (inbox and the processed folder) that arrived before the
    cut-off: the raw mail is personal data too. A real IMAP mailbox is the server's to empty."""
    root = bot.config.maildir
    if bot.config.imap is not None or not root.is_dir():
        return ()
    limit = before.timestamp()
    return tuple(sorted(p for sub in ("cur", "new", "tmp") for folder in (root, *root.glob(".*"))
                        for p in (folder / sub).glob("*") if p.is_file() and p.stat().st_mtime < limit))


def plan(bot: Bot, before: datetime) -> Plan:
    """Count what a purge with this cut-off would delete."""
    cut = _utc(before)
    with Session(bot.engine) as s:
        ids = _old_attendee_ids(s, cut)
        in_ids = db.AttendeeSession.attendee_id.in_(ids)  # type: ignore[attr-defined]
        counts = {
            "attendees": len(ids),
            "choices": _count(s, db.AttendeeSession, in_ids),
            "history": _count(s, db.History, db.History.attendee_id.in_(ids)),  # type: ignore[attr-defined]
            "messages": _count(s, db.InboundMessage, *_personal_message(cut)),
            "outbox": _count(s, db.Outbox, db.Outbox.created_at < cut),
            "recipients": _count(s, db.OutboxRecipient, db.OutboxRecipient.created_at < cut),
            "invitees": _count(s, db.Invitee),
            "invitations": _count(s, db.Invitation, db.Invitation.created_at < cut),
            "staff_details": _count(s, db.StaffAction, db.StaffAction.at < cut, db.StaffAction.detail != ""),
            "review": _count(s, db.ReviewItem, db.ReviewItem.created_at < cut),
            "notes": _count(s, db.MailNote, db.MailNote.at < cut),
            "logins": _count(s, db.LoginAttempt, db.LoginAttempt.at < cut),
        }
        kept = {i for i in s.exec(select(db.Outbox.id).where(db.Outbox.created_at >= cut)).all() if i}
    files = _mail_files(bot.config.outbox, kept)
    counts["files"] = len(files)
    maildir = _maildir_files(bot, cut)
    counts["maildir"] = len(maildir)
    return Plan(before, counts, files, maildir)


def _delete(s: Session, table, *where) -> None:
    for row in s.exec(select(table).where(*where)).all():
        s.delete(row)
    s.flush()  # children before the rows their foreign keys point at


def carry_out(bot: Bot, p: Plan, *, actor: str, now: datetime) -> dict[str, int]:
    """Delete what the plan counted (the rows as they are now); returns the counts recorded."""
    cut = _utc(p.before)
    with Session(bot.engine) as s, s.begin():
        ids = _old_attendee_ids(s, cut)
        _delete(s, db.AttendeeSession, db.AttendeeSession.attendee_id.in_(ids))  # type: ignore[attr-defined]
        _delete(s, db.History, db.History.attendee_id.in_(ids))  # type: ignore[attr-defined]
        _delete(s, db.Attendee, db.Attendee.id.in_(ids))  # type: ignore[union-attr]
        for m in s.exec(select(db.InboundMessage).where(*_personal_message(cut))).all():
            m.raw, m.from_addr, m.subject = None, "", ""  # the Message-ID stays: never handled twice
            s.add(m)
        _delete(s, db.OutboxRecipient, db.OutboxRecipient.created_at < cut)
        _delete(s, db.Outbox, db.Outbox.created_at < cut)
        _delete(s, db.Invitation, db.Invitation.created_at < cut)
        _delete(s, db.Invitee)
        for a in s.exec(select(db.StaffAction).where(db.StaffAction.at < cut, db.StaffAction.detail != "")).all():
            a.detail = ""
            s.add(a)
        _delete(s, db.ReviewItem, db.ReviewItem.created_at < cut)
        _delete(s, db.MailNote, db.MailNote.at < cut)
        _delete(s, db.LoginAttempt, db.LoginAttempt.at < cut)
        job, slot = PURGED_INVITEES
        if not s.exec(select(db.JobRun).where(db.JobRun.job == job, db.JobRun.slot == slot)).first():
            s.add(db.JobRun(job=job, slot=slot, ran_at=now))
        s.add(db.StaffAction(actor=actor, action="purge",
                             detail=json.dumps({"before": p.before.isoformat(), **p.counts}), at=now))
    for f in (*p.files, *p.maildir):
        f.unlink(missing_ok=True)
    return dict(p.counts)


def invitees_purged(s: Session) -> bool:
    """Whether a purge removed the invitee list: then it is not loaded again at start."""
    job, slot = PURGED_INVITEES
    return s.exec(select(db.JobRun).where(db.JobRun.job == job, db.JobRun.slot == slot)).first() is not None
