"""Decide what a change made by staff (at the desk or on the command line) does.

Staff follow the rules mail follows: the same conversation table, no two
sessions in one time slot, no seat beyond a session's capacity. Where mail
asks back (a clash) or puts someone on the waiting list (a full session),
staff are in front of a screen: the change is refused with a Dutch sentence
that says why, and nothing is written. The replies are the ones mail gets
(confirmation, acknowledgement), only when staff ask for them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from mailbot.core.decide import _conflicts, _full, _person_context, transition
from mailbot.core.types import Attendee, Change, Decision, Knowledge, Registry, Reply

ACTIONS = ("register", "change", "cancel", "decline")


class Refused(ValueError):
    """The change breaks a rule; the message is Dutch and meant for the staff member."""


@dataclass(frozen=True)
class StaffRequest:
    """One staff change. `key` names an existing attendee; None adds a new one.

    None for sessions, remarks or a person field keeps what is recorded.
    """

    action: str  # register | change | cancel | decline
    actor: str
    key: str | None = None
    name: str | None = None
    role: str | None = None
    email: str | None = None
    municipality: str | None = None
    organisation: str | None = None
    sessions: frozenset[str] | None = None
    remarks: tuple[str, ...] | None = None
    notify: bool = False  # send the usual mail
    extra_addresses: tuple[str, ...] = field(default=())  # a secretariat to copy


def new_key(name: str, email: str | None, taken: set[str] | frozenset[str]) -> str:
    """A stable key for someone staff add: their address, else their name (numbered if taken)."""
    base = (email or "").strip().lower() or "staff:" + " ".join(name.lower().split())
    key, n = base, 2
    while key in taken:
        key, n = f"{base}#{n}", n + 1
    return key


def session_label(session_id: str, knowledge: Knowledge) -> str:
    s = knowledge.event.session(session_id)
    return f"{s.number}. {s.title} ({s.start.strftime('%H.%M')})"


def decide_staff(registry: Registry, req: StaffRequest, knowledge: Knowledge) -> Decision:
    """The decision for one staff change; raises Refused with the reason in Dutch."""
    if req.action not in ACTIONS:
        raise Refused(f"Onbekende handeling: {req.action}.")
    existing = registry.find(req.key) if req.key else None
    if req.key and existing is None:
        raise Refused("Deze deelnemer bestaat niet (meer); ververs de pagina.")
    name = (req.name if req.name is not None else existing.name if existing else "").strip()
    if not name:
        raise Refused("Vul een naam in.")
    action = req.action
    status_before = existing.status if existing else None
    if action == "change" and status_before != "registered":
        action = "register"
    if action == "cancel" and status_before is None:
        action = "decline"
    try:
        status = transition(status_before, action)
    except ValueError:
        raise Refused("Deze wijziging past niet bij de huidige status van de deelnemer.") from None

    wanted = frozenset(req.sessions) if req.sessions is not None else (
        existing.sessions if existing and existing.status == "registered" else frozenset())
    unknown = sorted(wanted - knowledge.event.session_ids)
    if unknown:
        raise Refused(f"Onbekende sessie: {unknown[0]}.")
    sessions: frozenset[str] = frozenset()
    waitlist: frozenset[str] = frozenset()
    if status == "registered":
        if not wanted:
            raise Refused("Kies ten minste één sessie, of meld de deelnemer af.")
        clash = _conflicts(wanted, knowledge)
        if clash:
            ids = next(iter(clash.values()))
            raise Refused("Deze sessies vallen in hetzelfde tijdvak: "
                          + " en ".join(session_label(i, knowledge) for i in ids) + ". Kies er één.")
        held = existing.sessions if existing and existing.status == "registered" else frozenset()
        full = _full(wanted - held, registry, knowledge, Counter())
        if full:
            sid = sorted(full)[0]
            cap = knowledge.event.session(sid).capacity
            raise Refused(f"Sessie {session_label(sid, knowledge)} is vol ({cap} plaatsen).")
        sessions = wanted
        waitlist = (existing.waitlist - sessions) if existing else frozenset()

    email = (req.email if req.email is not None else existing.email if existing else None) or None
    addresses = set(existing.addresses) if existing else set()
    addresses |= {a.lower() for a in (email, *req.extra_addresses) if a}
    remarks = req.remarks if req.remarks is not None else (existing.remarks if existing else ())
    new = Attendee(
        key=existing.key if existing else new_key(name, email, {a.key for a in registry.attendees}),
        name=name,
        role=(req.role if req.role is not None else existing.role if existing else None) or None,
        email=email.lower() if email else None,
        municipality=(req.municipality if req.municipality is not None
                      else existing.municipality if existing else None) or None,
        status=status,
        sessions=sessions,
        registered_by=existing.registered_by if existing else f"balie: {req.actor}",
        needs_review=False,  # staff looked at it
        addresses=frozenset(addresses),
        waitlist=waitlist,
        remarks=tuple(remarks) if status == "registered" else (),
        organisation=(req.organisation if req.organisation is not None
                      else existing.organisation if existing else None) or None,
    )
    if existing and replace(existing, needs_review=False) == new:
        what = "unchanged"
    elif existing and (existing.status, existing.sessions) == (status, sessions):
        what = "details"  # name, role, remarks or organisation: recorded, no mail needed
    elif status == "registered":
        what = "changed" if existing and existing.status == "registered" else "new"
    else:
        what = status
    change = Change(new, what)
    rules = [f"staff-{action}-{what}"]
    replies = _replies(change, req) if req.notify else ()
    return Decision("recorded", (change,), replies, (), tuple(rules))


def _replies(change: Change, req: StaffRequest) -> tuple[Reply, ...]:
    a = change.attendee
    to = tuple(dict.fromkeys(x for x in (a.email, *req.extra_addresses) if x))
    if not to:
        return ()
    ctx = {"people": [_person_context(change)], "conflicts": {}, "subject": ""}
    if a.status == "registered" and change.what in ("new", "changed"):
        return (Reply("confirmation", to, "confirmation", ctx),)
    if change.what in ("declined", "cancelled"):
        return (Reply("acknowledgement", to, "acknowledgement", ctx),)
    return ()
