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
from mailbot.core.types import Attendee, Change, Decision, Invitee, Knowledge, Registry, Reply

ACTIONS = ("register", "change", "cancel", "decline")


class Refused(ValueError):
    """The change breaks a rule; the message is Dutch and meant for the staff member."""


class AlreadyRecorded(Refused):
    """A new registration for someone who is recorded already: staff should open that one.

    `key` names the attendee found, so the desk can link to it.
    """

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


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


def invitee_for(email: str | None, knowledge: Knowledge) -> Invitee | None:
    """The invitee whose own address this is (case does not matter)."""
    wanted = (email or "").strip().lower()
    if not wanted:
        return None
    return next((i for i in knowledge.invitees if i.email.lower() == wanted), None)


def with_invitee(req: StaffRequest, knowledge: Knowledge) -> StaffRequest:
    """A phone registration of an invitee: what staff left empty comes from the invitee list,
    and the invitee's secretariat is copied on the mail, as it would be for their reply."""
    inv = invitee_for(req.email, knowledge)
    if inv is None:
        return req
    extra = req.extra_addresses
    if inv.secretary_email and inv.secretary_email.lower() not in {a.lower() for a in extra}:
        extra = (*extra, inv.secretary_email.lower())
    return replace(req, name=req.name or inv.name, role=req.role or inv.role,
                   municipality=req.municipality or (None if req.organisation else inv.municipality),
                   extra_addresses=extra)


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
    email = _email(req, existing)
    if email and (existing is None or email != existing.email):
        _not_recorded_yet(registry, email, existing.key if existing else None)
    municipality = _field(req.municipality, existing.municipality if existing else None)
    if municipality and municipality not in {m.slug for m in knowledge.municipalities}:
        raise Refused(f"Onbekende gemeente: {municipality}.")
    status_before = existing.status if existing else None
    action = _action(req.action, status_before, req.sessions)
    try:
        status = transition(status_before, action)
    except ValueError:
        raise Refused(_no_transition(status_before, action)) from None

    wanted = frozenset(req.sessions) if req.sessions is not None else (
        existing.sessions if existing and existing.status == "registered" else frozenset())
    sessions: frozenset[str] = frozenset()
    waitlist: frozenset[str] = frozenset()
    if status == "registered":
        sessions = _seats(wanted, existing, registry, knowledge)
        waitlist = (existing.waitlist - sessions) if existing else frozenset()

    addresses = set(existing.addresses) if existing else set()
    addresses |= {a.strip().lower() for a in (email, *req.extra_addresses) if a and a.strip()}
    remarks = req.remarks if req.remarks is not None else (existing.remarks if existing else ())
    new = Attendee(
        key=existing.key if existing else new_key(name, email, {a.key for a in registry.attendees}),
        name=name,
        role=_field(req.role, existing.role if existing else None),
        email=email,
        municipality=municipality,
        status=status,
        sessions=sessions,
        registered_by=existing.registered_by if existing else f"balie: {req.actor}",
        needs_review=False,  # staff looked at it
        addresses=frozenset(addresses),
        waitlist=waitlist,
        remarks=tuple(r.strip() for r in remarks if r.strip()) if status == "registered" else (),
        organisation=_field(req.organisation, existing.organisation if existing else None),
    )
    change = Change(new, _what(existing, new))
    held = existing.sessions if existing and existing.status == "registered" else None
    replies = _replies(change, req, held) if req.notify else ()
    return Decision("recorded", (change,), replies, (), (f"staff-{action}-{change.what}",))


def _field(given: str | None, recorded: str | None) -> str | None:
    """None keeps what is recorded; an empty text clears it."""
    value = given if given is not None else recorded
    return (value or "").strip() or None


def _email(req: StaffRequest, existing: Attendee | None) -> str | None:
    email = _field(req.email, existing.email if existing else None)
    if email is None:
        return None
    email = email.lower()
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or any(c.isspace() for c in email):
        raise Refused(f"Het e-mailadres {email} lijkt niet te kloppen.")
    return email


def _not_recorded_yet(registry: Registry, email: str, own_key: str | None) -> None:
    """Someone else recorded with this own address would make a second registration of one person."""
    same = [a for a in (*registry.find_by_address(email), registry.find(email))
            if a is not None and a.key != own_key and (a.email == email or a.key == email)]
    if same:
        a = same[0]
        raise AlreadyRecorded(f"{a.name} ({email}) staat al in de deelnemerslijst. Open die deelnemer en "
                              "wijzig de aanmelding daar.", a.key)


def _action(action: str, status: str | None, sessions: frozenset[str] | None) -> str:
    """The staff member's intent mapped onto the conversation table: a change with sessions
    registers someone who is not registered; without sessions it keeps their status."""
    if action == "change" and status in ("declined", "cancelled") and not sessions:
        return "decline" if status == "declined" else "cancel"
    if action == "change" and status != "registered":
        return "register"
    if action == "cancel" and status in (None, "declined"):
        return "decline"
    if action == "decline" and status in ("registered", "cancelled"):
        return "cancel"
    return action


def _no_transition(status: str | None, action: str) -> str:
    if action == "decline" and status is None:
        return "Deze deelnemer staat nog niet geregistreerd."
    return "Deze wijziging past niet bij de huidige status van de deelnemer."


def _seats(wanted: frozenset[str], existing: Attendee | None, registry: Registry,
           knowledge: Knowledge) -> frozenset[str]:
    """The sessions a registration takes, or Refused: unknown, none, a clash, or full."""
    unknown = sorted(wanted - knowledge.event.session_ids)
    if unknown:
        raise Refused(f"Onbekende sessie: {unknown[0]}.")
    if not wanted:
        raise Refused("Kies ten minste één sessie, of meld de deelnemer af.")
    clash = _conflicts(wanted, knowledge)
    if clash:
        ids = sorted(next(iter(clash.values())), key=lambda i: knowledge.event.session(i).number)
        raise Refused("Deze sessies vallen in hetzelfde tijdvak: "
                      + " en ".join(session_label(i, knowledge) for i in ids) + ". Kies er één.")
    held = existing.sessions if existing and existing.status == "registered" else frozenset()
    full = _full(wanted - held, registry, knowledge, Counter())
    if full:
        sid = min(full, key=lambda i: knowledge.event.session(i).number)
        cap = knowledge.event.session(sid).capacity
        raise Refused(f"Sessie {session_label(sid, knowledge)} is vol ({cap} plaatsen). "
                      "Kies een andere sessie.")
    return wanted


def _what(existing: Attendee | None, new: Attendee) -> str:
    """new | changed | details | unchanged | declined | cancelled, for history and mail."""
    if existing and replace(existing, needs_review=False) == new:
        return "unchanged"
    if existing and (existing.status, existing.sessions) == (new.status, new.sessions):
        return "details"  # name, role, remarks or organisation: recorded, no mail needed
    if new.status == "registered":
        return "changed" if existing and existing.status == "registered" else "new"
    return new.status


def _replies(change: Change, req: StaffRequest, before: frozenset[str] | None) -> tuple[Reply, ...]:
    """The mail the same change by mail would get; a secretariat given is copied (Cc)."""
    a = change.attendee
    to = tuple(dict.fromkeys(x.strip().lower() for x in (a.email, *req.extra_addresses) if x and x.strip()))
    if not to:
        return ()
    cc = [x for x in to if x != a.email] if a.email else []
    ctx = {"people": [_person_context(change, before)], "conflicts": {}, "subject": ""}
    if cc:
        ctx["cc"] = cc
    if a.status == "registered" and change.what in ("new", "changed"):
        return (Reply("confirmation", to, "confirmation", ctx),)
    if change.what in ("declined", "cancelled"):
        return (Reply("acknowledgement", to, "acknowledgement", ctx),)
    return ()
