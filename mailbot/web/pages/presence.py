"""Aanwezig: on the day itself, staff at the door tick who arrived, on a tablet.

Two people may tick at once (two doors, two tablets). Each tick is one
conditional UPDATE that only sets the arrival when none is recorded, so the
first tick wins and the second is told who ticked and when, instead of
overwriting it; undoing works the same way. Each tick and undo is recorded as a
staff action in the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

from mailbot import db
from mailbot.reports.tables import fold, municipality_names
from mailbot.web.common import back, bot, flash, now, page, tz, user
from mailbot.web.common import local as local_text

TICK, UNDO = "aanwezig", "ongedaan"


@dataclass(frozen=True)
class Person:
    """A registered attendee as the door list shows them."""

    id: int
    name: str
    role: str | None
    where: str  # municipality name, or organisation, or ""
    arrived_at: datetime | None  # UTC
    arrived_by: str | None

    @property
    def search_text(self) -> str:
        return fold(f"{self.name} {self.where}")


@dataclass(frozen=True)
class Outcome:
    """What a tick or undo did: `done` False when someone else got there first."""

    done: bool
    name: str
    arrived_at: datetime | None = None
    arrived_by: str | None = None
    found: bool = True  # False: no such registered attendee


def as_utc(value: datetime | None) -> datetime | None:
    """An aware UTC time; a naive one (read back without the column type) is UTC."""
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def stored(at: datetime) -> datetime:
    """The moment as the store keeps it: aware, in UTC (a naive clock is taken as UTC)."""
    return as_utc(at) or at


def door_list(s: Session, names: dict[str, str]) -> list[Person]:
    """Registered attendees by municipality (or organisation) then name; no place last."""
    found = s.exec(select(db.Attendee).where(db.Attendee.status == "registered")).all()
    people = [Person(a.id or 0, a.name, a.role,
                     names.get(a.municipality, a.municipality) if a.municipality else (a.organisation or ""),
                     as_utc(a.arrived_at), a.arrived_by) for a in found]
    return sorted(people, key=lambda p: (not p.where, fold(p.where), fold(p.name), p.id))


def matches(person: Person, query: str) -> bool:
    q = fold(query)
    return all(word in person.search_text for word in q.split())


def _record(s: Session, action: str, row: db.Attendee, actor: str, at: datetime) -> None:
    s.add(db.StaffAction(actor=actor, action=action, at=at, detail=json.dumps(
        {"attendee": row.name, "key": row.key}, ensure_ascii=False)))


def mark_arrived(engine, attendee_id: int, *, actor: str, at: datetime) -> Outcome:
    """Tick one registered attendee present; the first tick wins (see the module docstring)."""
    when = stored(at)
    with Session(engine) as s, s.begin():  # the UPDATE first: it takes the write lock at once
        changed = s.exec(update(db.Attendee)  # type: ignore[call-overload]
                         .where(col(db.Attendee.id) == attendee_id, col(db.Attendee.status) == "registered",
                                col(db.Attendee.arrived_at).is_(None))
                         .values(arrived_at=when, arrived_by=actor)).rowcount
        row = s.get(db.Attendee, attendee_id)
        if row is None or row.status != "registered":
            return Outcome(False, row.name if row else "", found=False)
        if changed:
            _record(s, "arrival", row, actor, when)
            return Outcome(True, row.name, as_utc(when), actor)
        return Outcome(False, row.name, as_utc(row.arrived_at), row.arrived_by)


def undo_arrival(engine, attendee_id: int, *, actor: str, at: datetime) -> Outcome:
    """Take a tick back (a wrong person ticked); only one undo of a tick does anything."""
    with Session(engine) as s, s.begin():  # the UPDATE first: it takes the write lock at once
        changed = s.exec(update(db.Attendee)  # type: ignore[call-overload]
                         .where(col(db.Attendee.id) == attendee_id, col(db.Attendee.arrived_at).is_not(None))
                         .values(arrived_at=None, arrived_by=None)).rowcount
        row = s.get(db.Attendee, attendee_id)
        if row is None:
            return Outcome(False, "", found=False)
        if changed:
            _record(s, "arrival-undo", row, actor, stored(at))
            return Outcome(True, row.name)
        return Outcome(False, row.name)


def clock_time(at: datetime | None, zone: ZoneInfo, today: datetime) -> str:
    """'09.12' today, 'do 30 nov 09.12' on another day (local time)."""
    if at is None:
        return ""
    local = at.astimezone(zone)
    if local.date() == today.astimezone(zone).date():
        return f"{local:%H.%M}"
    return local_text(at, zone)


def message(action: str, o: Outcome, zone: ZoneInfo, today: datetime) -> tuple[str, str]:
    """(kind, Dutch notice) after a tick or undo."""
    if not o.found:
        return "error", "Deze deelnemer staat niet (meer) op de lijst van aangemelden."
    when = clock_time(o.arrived_at, zone, today)
    if action == TICK:
        if o.done:
            return "ok", f"{o.name} is aanwezig ({when})."
        return "ok", f"{o.name} was al als aanwezig afgevinkt door {o.arrived_by or 'onbekend'} om {when}."
    if o.done:
        return "ok", f"Aanwezigheid van {o.name} is ongedaan gemaakt."
    return "ok", f"{o.name} stond al niet als aanwezig genoteerd."


def list_url(query: str, attendee_id: int | None = None) -> str:
    url = "/aanwezig" + (f"?{urlencode({'q': query})}" if query else "")
    return url + (f"#a{attendee_id}" if attendee_id else "")


async def presence(request: Request):
    b = bot(request)
    query = request.query_params.get("q", "").strip()
    zone = tz(request)
    today = now(request)

    def read() -> list[Person]:
        with Session(b.engine) as s:
            return door_list(s, municipality_names(b.knowledge))

    people = await run_in_threadpool(read)
    shown = [p for p in people if matches(p, query)] if query else people
    arrived = sum(1 for p in people if p.arrived_at)
    return page(request, "presence.html", people=shown, query=query, total=len(people), arrived=arrived,
                when=lambda p: clock_time(p.arrived_at, zone, today))


async def tick(request: Request):
    attendee_id = int(request.path_params["id"])
    form = await request.form()
    action = str(form.get("actie", TICK))
    query = str(form.get("q", "")).strip()
    b, actor, at = bot(request), user(request), now(request)
    do = undo_arrival if action == UNDO else mark_arrived
    outcome = await run_in_threadpool(lambda: do(b.engine, attendee_id, actor=actor, at=at))
    kind, text = message(UNDO if action == UNDO else TICK, outcome, tz(request), at)
    flash(request, text, kind)
    return back(list_url(query, attendee_id if outcome.found else None))


ROUTES = [
    Route("/aanwezig", presence, methods=["GET"]),
    Route("/aanwezig/{id:int}", tick, methods=["POST"]),
]
