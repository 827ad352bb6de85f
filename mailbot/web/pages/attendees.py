"""Deelnemers: everyone recorded, and the office's own registrations, changes and cancellations.

Changes go through mailbot.changes (the rules mail follows, the same record
the command line writes); this module turns forms into StaffRequests and
decisions into Dutch notices.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select as sa_select
from sqlmodel import Session, select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Route

from mailbot import db, store
from mailbot.changes import AlreadyRecorded, Refused, StaffRequest, StaleEdit, apply_change
from mailbot.core.staff_change import with_invitee
from mailbot.core.types import Attendee, Knowledge
from mailbot.core.types import Session as EventSession
from mailbot.reports.tables import fold, municipality_names
from mailbot.web.common import STATUS, back, bot, flash, now, page, user

WHAT = {"new": "aangemeld", "changed": "sessies gewijzigd", "details": "gegevens aangepast",
        "declined": "afgemeld (verhinderd)", "cancelled": "aanmelding ingetrokken", "unchanged": "niets gewijzigd"}
MAIL_KIND = {"confirmation": "de bevestiging (met agenda-item)", "acknowledgement": "de bevestiging van de afmelding"}


@dataclass(frozen=True)
class Listed:
    """One line of the attendee list, read straight from the columns (no ORM objects: the
    list shows every attendee, and building thousands of them costs more than the page)."""

    id: int
    name: str
    role: str | None
    municipality: str | None
    status: str
    registered_by: str | None
    needs_review: bool
    remarks: tuple[str, ...]
    via: str
    arrived_at: datetime | None
    where: str  # municipality name, or the organisation
    sessions: tuple[EventSession, ...]
    waitlist: tuple[EventSession, ...]


@dataclass(frozen=True)
class Filters:
    session: str = ""
    municipality: str = ""
    status: str = ""

    @property
    def any(self) -> bool:
        return bool(self.session or self.municipality or self.status)

    def keeps(self, x: Listed) -> bool:
        return ((not self.session or any(s.id == self.session for s in x.sessions))
                and (not self.municipality or x.municipality == self.municipality)
                and (not self.status or x.status == self.status))


def how(via: str, registered_by: str | None) -> str:
    """'per mail van x@y.nl' or 'aan de balie door anna': who registered someone, and how."""
    by = registered_by or ""
    if via == "mail":
        return f"per mail van {by}" if by else "per mail"
    by = by.removeprefix("balie: ")  # core.staff_change writes "balie: NAME"
    return f"aan de balie door {by}" if by else "aan de balie"


def programme(ids, knowledge: Knowledge) -> tuple[EventSession, ...]:
    """Sessions in programme order (start time, then the invitation's number)."""
    known = [s for s in knowledge.event.sessions if s.id in ids]
    return tuple(sorted(known, key=lambda s: (s.start, s.number)))


def where(a: Attendee, names: dict[str, str]) -> str:
    if a.municipality:
        return names.get(a.municipality, a.municipality)
    return a.organisation or ""


def read_filters(request: Request, knowledge: Knowledge) -> Filters:
    """The query's filters; a value the desk does not know is ignored rather than listing nobody."""
    q = request.query_params
    sid = q.get("sessie", "")
    slug = q.get("gemeente", "")
    status = q.get("status", "")
    return Filters(sid if sid in knowledge.event.session_ids else "",
                   slug if slug in {m.slug for m in knowledge.municipalities} else "",
                   status if status in STATUS else "")


def everyone(s: Session, knowledge: Knowledge) -> list[Listed]:
    """Every attendee as a list line: two queries, whatever the number of attendees."""
    a, link = db.Attendee.__table__, db.AttendeeSession.__table__  # type: ignore[attr-defined]
    seats: dict[int, list[str]] = {}
    waiting: dict[int, list[str]] = {}
    for attendee_id, session_id, waitlisted in s.connection().execute(
            sa_select(link.c.attendee_id, link.c.session_id, link.c.waitlisted)):
        (waiting if waitlisted else seats).setdefault(attendee_id, []).append(session_id)
    names = municipality_names(knowledge)
    order = {x.id: (x.start, x.number) for x in knowledge.event.sessions}
    by_id = {x.id: x for x in knowledge.event.sessions}

    known: dict[frozenset[str], tuple[EventSession, ...]] = {}  # most people share a few choices

    def sessions(ids: list[str]) -> tuple[EventSession, ...]:
        chosen = frozenset(ids)
        if chosen not in known:
            known[chosen] = tuple(by_id[i] for i in sorted((i for i in chosen if i in by_id), key=order.__getitem__))
        return known[chosen]

    out = []
    for r in s.connection().execute(sa_select(
            a.c.id, a.c.name, a.c.role, a.c.municipality, a.c.organisation, a.c.status, a.c.registered_by,
            a.c.needs_review, a.c.remarks, a.c.registered_via, a.c.arrived_at)):
        place = names.get(r.municipality, r.municipality) if r.municipality else (r.organisation or "")
        out.append(Listed(r.id, r.name, r.role, r.municipality, r.status, r.registered_by, bool(r.needs_review),
                          tuple(json.loads(r.remarks)) if r.remarks not in ("", "[]") else (), r.registered_via, r.arrived_at, place,
                          sessions(seats.get(r.id, [])), sessions(waiting.get(r.id, []))))
    return out


async def attendee_list(request: Request):
    b = bot(request)
    k = b.knowledge
    filters = read_filters(request, k)
    with Session(b.engine) as s:
        everybody = everyone(s, k)
    listed = sorted((x for x in everybody if filters.keeps(x)),
                    key=lambda x: (not x.where, fold(x.where), fold(x.name), x.id))
    present = {x.municipality for x in everybody if x.municipality}
    municipalities = sorted((m for m in k.municipalities if m.status == "member" or m.slug in present),
                            key=lambda m: fold(m.name))
    return page(request, "attendees.html", listed=listed, total=len(everybody), filters=filters,
                sessions=programme(k.event.session_ids, k), municipalities=municipalities,
                statuses=STATUS, how=how, counts=Counter(x.status for x in listed))


# --- one attendee ------------------------------------------------------------------------


def row_or_404(s: Session, attendee_id: int) -> db.Attendee:
    row = s.get(db.Attendee, attendee_id)
    if row is None:
        raise HTTPException(404, "Deze deelnemer bestaat niet.")
    return row


def history(s: Session, row: db.Attendee, knowledge: Knowledge) -> list[dict]:
    """The attendee's changes, newest first, each with the staff member or the mail behind it."""
    items = s.exec(select(db.History).where(db.History.attendee_id == row.id)
                   .order_by(db.History.at.desc(), db.History.id.desc())).all()  # type: ignore[attr-defined,union-attr]
    ids = [h.message_id for h in items if h.message_id]
    mails = {m.message_id: m for m in s.exec(select(db.InboundMessage).where(
        db.InboundMessage.message_id.in_(ids))).all()} if ids else {}  # type: ignore[attr-defined]
    out = []
    for h in items:
        mail = mails.get(h.message_id or "")
        out.append({"at": h.at, "what": WHAT.get(h.what, h.what), "actor": h.actor,
                    "from": mail.from_addr if mail else (h.message_id or ""),
                    "subject": mail.subject if mail else "",
                    "sessions": programme(json.loads(h.sessions or "[]"), knowledge)})
    return out


def slots(knowledge: Knowledge) -> list[tuple[str, list[EventSession]]]:
    """Sessions grouped by the time they start: one may be chosen per group."""
    ordered = programme(knowledge.event.session_ids, knowledge)
    return [(start.strftime("%H.%M"), list(group)) for start, group in groupby(ordered, key=lambda s: s.start)]


def seats(s: Session, knowledge: Knowledge) -> dict[str, int]:
    """Seats taken in the sessions that have a capacity (the only ones where it matters)."""
    view = store.registry_view(s)
    return {x.id: view.seats_taken(x.id) for x in knowledge.event.sessions if x.capacity is not None}


def form_of(a: Attendee) -> dict:
    """The edit form filled with what is recorded."""
    return {"naam": a.name, "functie": a.role or "", "email": a.email or "", "gemeente": a.municipality or "",
            "organisatie": a.organisation or "", "sessies": set(a.sessions),
            "opmerkingen": "\n".join(a.remarks), "mail": False}


def form_entered(form: FormData) -> dict:
    """The form as the staff member filled it in, to show again when a save is refused."""
    return {"naam": str(form.get("naam", "")), "functie": str(form.get("functie", "")),
            "email": str(form.get("email", "")), "gemeente": str(form.get("gemeente", "")),
            "organisatie": str(form.get("organisatie", "")),
            "sessies": {str(x) for x in form.getlist("sessies")},
            "opmerkingen": str(form.get("opmerkingen", "")), "mail": form.get("mail") == "1"}


def request_of(entered: dict, *, action: str, actor: str, key: str | None) -> StaffRequest:
    return StaffRequest(
        action=action, actor=actor, key=key, name=entered["naam"].strip(),
        role=entered["functie"].strip(), email=entered["email"].strip(),
        municipality=entered["gemeente"].strip(), organisation=entered["organisatie"].strip(),
        sessions=frozenset(entered["sessies"]),
        remarks=tuple(x.strip() for x in entered["opmerkingen"].splitlines() if x.strip()),
        notify=entered["mail"])


def form_context(s: Session, knowledge: Knowledge, current: str | None = None) -> dict:
    """What the attendee form needs besides the values: the choices."""
    municipalities = sorted((m for m in knowledge.municipalities if m.status == "member" or m.slug == current),
                            key=lambda m: fold(m.name))
    return {"municipalities": municipalities, "slots": slots(knowledge), "seats": seats(s, knowledge)}


def mail_notice(mailed: list[str], replies: tuple, wanted: bool) -> str:
    if mailed:
        kind = MAIL_KIND.get(replies[0].kind, "een mail")
        return f"Er staat {kind} klaar voor {', '.join(mailed)}; het programma verstuurt die."
    if wanted:
        return "Er is geen mail verstuurd: er is geen e-mailadres, of deze wijziging vraagt geen mail."
    return "Er is geen mail verstuurd."


def detail_response(request: Request, attendee_id: int, *, status_code: int = 200,
                    entered: dict | None = None, message: str = ""):
    b = bot(request)
    k = b.knowledge
    with Session(b.engine) as s:
        row = row_or_404(s, attendee_id)
        a = store.registry_view(s).find(row.key)
        assert a is not None
        ctx = form_context(s, k, a.municipality)
        events = history(s, row, k)
    return page(request, "attendee.html", status_code=status_code, row=row, a=a,
                where=where(a, municipality_names(k)), sessions=programme(a.sessions, k),
                waitlist=programme(a.waitlist, k), history=events, form=entered or form_of(a),
                message=message, how=how, **ctx)


async def attendee_detail(request: Request):
    return detail_response(request, request.path_params["id"])


def form_version(form: FormData) -> int | None:
    try:
        return int(str(form.get("versie", "")))
    except ValueError:
        return None


async def attendee_save(request: Request):
    attendee_id = request.path_params["id"]
    form = await request.form()
    entered = form_entered(form)
    b = bot(request)
    with Session(b.engine) as s:
        key = row_or_404(s, attendee_id).key
    req = request_of(entered, action="change", actor=user(request), key=key)
    try:
        decision, mailed = apply_change(b, req, now=now(request), version=form_version(form))
    except StaleEdit as e:
        return detail_response(request, attendee_id, status_code=409, message=str(e))
    except Refused as e:
        return detail_response(request, attendee_id, status_code=422, entered=entered, message=str(e))
    flash(request, "Opgeslagen. " + mail_notice(mailed, decision.replies, req.notify))
    return back(f"/deelnemers/{attendee_id}")


async def attendee_cancel(request: Request):
    attendee_id = request.path_params["id"]
    form = await request.form()
    b = bot(request)
    with Session(b.engine) as s:
        key = row_or_404(s, attendee_id).key
    req = StaffRequest(action="cancel", actor=user(request), key=key, notify=form.get("mail") == "1")
    try:
        decision, mailed = apply_change(b, req, now=now(request), version=form_version(form))
    except StaleEdit as e:
        return detail_response(request, attendee_id, status_code=409, message=str(e))
    except Refused as e:
        return detail_response(request, attendee_id, status_code=422, message=str(e))
    flash(request, "Afgemeld. " + mail_notice(mailed, decision.replies, req.notify))
    return back(f"/deelnemers/{attendee_id}")


# --- a new attendee (a phone registration) ---------------------------------------------------


def new_form_response(request: Request, entered: dict, *, status_code: int = 200, message: str = "",
                      existing_id: int | None = None):
    b = bot(request)
    with Session(b.engine) as s:
        ctx = form_context(s, b.knowledge, entered["gemeente"] or None)
    return page(request, "attendee_form.html", status_code=status_code, form=entered, message=message,
                existing_id=existing_id, **ctx)


EMPTY = {"naam": "", "functie": "", "email": "", "gemeente": "", "organisatie": "", "sessies": set(),
         "opmerkingen": "", "mail": False}


async def attendee_new_form(request: Request):
    return new_form_response(request, dict(EMPTY))


async def attendee_new_save(request: Request):
    form = await request.form()
    entered = form_entered(form)
    b = bot(request)
    req = with_invitee(request_of(entered, action="register", actor=user(request), key=None), b.knowledge)
    try:
        decision, mailed = apply_change(b, req, now=now(request), via="staff")
    except AlreadyRecorded as e:
        with Session(b.engine) as s:
            found = s.exec(select(db.Attendee.id).where(db.Attendee.key == e.key)).first()
        return new_form_response(request, entered, status_code=422, message=str(e), existing_id=found)
    except Refused as e:
        return new_form_response(request, entered, status_code=422, message=str(e))
    with Session(b.engine) as s:
        new_id = s.exec(select(db.Attendee.id).where(db.Attendee.key == decision.changes[0].attendee.key)).one()
    flash(request, "Opgeslagen. " + mail_notice(mailed, decision.replies, req.notify))
    return back(f"/deelnemers/{new_id}")


ROUTES = [
    Route("/deelnemers", attendee_list, methods=["GET"]),
    Route("/deelnemers/nieuw", attendee_new_form, methods=["GET"]),
    Route("/deelnemers/nieuw", attendee_new_save, methods=["POST"]),
    Route("/deelnemers/{id:int}", attendee_detail, methods=["GET"]),
    Route("/deelnemers/{id:int}", attendee_save, methods=["POST"]),
    Route("/deelnemers/{id:int}/afmelden", attendee_cancel, methods=["POST"]),
]
