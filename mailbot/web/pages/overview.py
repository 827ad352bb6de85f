"""Overzicht: the state of registration at a glance, for the office's first look of the day."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.routing import Route

from mailbot import db
from mailbot.core import agenda
from mailbot.core.types import Attendee, Registry
from mailbot.jobs import bounced, done_slots
from mailbot.reports.tables import HeadCount, municipality_names, ordered_sessions
from mailbot.web.common import bot, now, page

RECENT_SHOWN = 50  # the latest changes listed; the counts cover every change of the day

WHAT = {"new": "nieuw aangemeld", "changed": "gewijzigd", "declined": "afgemeld", "cancelled": "ingetrokken",
        "details": "gegevens aangepast"}


def next_jobs(b, at: datetime, done: frozenset[tuple[str, str]]) -> list[tuple[str, datetime]]:
    """The next reminder(s) and the next digest not yet sent, as (label, UTC time)."""
    cfg = b.config
    zone = ZoneInfo(cfg.event.timezone)
    out: list[tuple[str, datetime]] = []
    pending = sorted((r for r in cfg.reminders if ("reminder", r.id) not in done and r.at > at), key=lambda r: r.at)
    if pending:
        first = pending[0].at
        for r in (x for x in pending if x.at == first):
            label = "Herinnering aan wie nog niet antwoordde" if r.audience == "unanswered" else \
                "Herinnering aan aangemelde deelnemers"
            out.append((label, r.at))
    if cfg.digest_to:
        day = at.astimezone(zone).date()
        for offset in range(0, 3):
            d = day + timedelta(days=offset)
            when = datetime.combine(d, cfg.digest_time, tzinfo=zone)
            if when > at and ("digest", d.isoformat()) not in done:
                out.append(("Dagoverzicht aan " + ", ".join(cfg.digest_to), when))
                break
    return out


async def overview(request: Request):
    b = bot(request)
    k = b.knowledge
    at = now(request)
    with Session(b.engine) as s:
        # what this page needs of the registry: who answered (keys, addresses, status) and seats
        # per session, counted by the database instead of loading every attendee in full
        people = s.exec(select(db.Attendee.key, db.Attendee.email, db.Attendee.status)).all()
        reg = Registry(tuple(Attendee(key, "", None, email, None, status) for key, email, status in people))
        link = db.AttendeeSession
        seats = dict(s.exec(select(link.session_id, func.count()).join(db.Attendee)
                            .where(db.Attendee.status == "registered", link.waitlisted.is_(False))  # type: ignore[attr-defined]
                            .group_by(link.session_id)).all())
        review_open = s.exec(select(func.count()).select_from(db.ReviewItem)
                             .where(db.ReviewItem.resolved_at.is_(None))).one()  # type: ignore[union-attr]
        since = at - timedelta(hours=24)
        what_counts = dict(s.exec(select(db.History.what, func.count()).where(db.History.at > since)
                                  .group_by(db.History.what)).all())
        recent = s.exec(select(db.History, db.Attendee).join(db.Attendee)
                        .where(db.History.at > since).order_by(db.History.at.desc())  # type: ignore[attr-defined]
                        .limit(RECENT_SHOWN)).all()
        done = done_slots(s)
        gone = bounced(s)
    counts = tuple(HeadCount(x, seats.get(x.id, 0)) for x in ordered_sessions(k))
    widest = max([c.capacity or c.registered for c in counts] + [1])
    by_status = Counter(a.status for a in reg.attendees)
    names = municipality_names(k)
    secretariat = {i.email: i.secretary_email for i in k.invitees}
    unanswered = [(r.invitee, secretariat.get(r.invitee.email) or "")
                  for r in agenda.recipients("unanswered", reg, k.invitees, gone) if r.invitee]
    changes = [(h, a, WHAT.get(h.what, h.what)) for h, a in recent]
    change_counts = {WHAT.get(w, w): n for w, n in sorted(what_counts.items(), key=lambda x: -x[1])}
    return page(request, "overview.html", counts=counts, widest=widest, by_status=by_status,
                total=len(reg.attendees), review_open=int(review_open), changes=changes,
                change_counts=change_counts, changes_total=sum(what_counts.values()), jobs=next_jobs(b, at, done),
                unanswered=unanswered, names=names)


ROUTES = [Route("/", overview, methods=["GET"])]
