"""Decide what one reading changes, whom to answer and what staff must see.

One pure function from (registry, reading) to a Decision. The conversation
per attendee is a table of allowed transitions; the rules that fired are
named in the decision so `explain` and the digest can say why. Where the
reading is uncertain the decision asks (clarification) or hands to staff
(review), never guesses.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from mailbot.core import identity
from mailbot.core.echo import is_echo, known_words
from mailbot.core.fold import words
from mailbot.core.types import (
    Attendee,
    Change,
    Decision,
    Invitee,
    Knowledge,
    Note,
    Registry,
    Reply,
    ReviewItem,
)
from mailbot.core.understand import FORWARD_ONLY, TOO_LONG, PersonReading, Reading

# status before -> action -> status after; anything else is a bug.
TRANSITIONS: dict[str | None, dict[str, str]] = {
    None: {"register": "registered", "decline": "declined"},
    "registered": {"register": "registered", "change": "registered", "cancel": "cancelled"},
    "declined": {"register": "registered", "decline": "declined"},
    "cancelled": {"register": "registered", "cancel": "cancelled"},
}

# What each automatic kind of mail means for staff (review) and the rule name.
IGNORED = {
    "auto-reply": (False, "ignore-auto-reply"),
    "bounce": (False, "ignore-bounce"),
    "receipt": (False, "ignore-receipt"),
    "loop": (False, "ignore-own-mail"),
    "bulk": (True, "review-bulk-mail"),
    "auth-fail": (True, "review-auth-fail"),
}
REVIEW_TEXT = {
    "bulk": "Massamail of nieuwsbrief; niet verwerkt.",
    "auth-fail": "Afzender niet geverifieerd (DMARC mislukt); niet verwerkt.",
}


# Addresses that never get an automatic answer: nobody reads them, or answering loops.
NO_REPLY = re.compile(r"^(no-?reply|do-?not-?reply|noreply|postmaster|mailer-daemon|bounces?)([+.\-_@]|$)", re.I)


class TransitionError(ValueError):
    """A decision tried a move the conversation table does not allow."""


def transition(status: str | None, action: str) -> str:
    try:
        return TRANSITIONS[status][action]
    except KeyError:
        raise TransitionError(f"cannot {action} from {status}") from None


def _existing(registry: Registry, p: PersonReading, reading: Reading) -> Attendee | None:
    found = registry.find(p.key)
    if found:
        return found
    if p.email:
        hits = registry.find_by_address(p.email)
        if len(hits) == 1:
            return hits[0]
    if p.is_sender:
        # the sender's own registration, not the people a secretariat registered
        own = tuple(a for a in registry.find_by_address(reading.mail.from_addr)
                    if a.registered_by != reading.mail.from_addr or a.email == reading.mail.from_addr)
        if len(own) == 1:
            return own[0]
    return None


def _refused(p: PersonReading, existing: Attendee | None, invitee: Invitee | None, action: str,
             reading: Reading, knowledge: Knowledge, registry: Registry) -> str | None:
    """Why this sender may not do `action` for this person, or None when it may.

    Identity before change: an existing registration, or an invitee's decline,
    is only touched from an address with authority (identity.authority). A
    lookalike of a member domain touches no invitee at all. New registrations
    of people without a registration yet stay open to unknown senders
    (contract rule 21; staff review them).
    """
    address = reading.mail.from_addr
    if existing is None and invitee is None:
        if reading.sender.trusted:
            return None
        # an unknown address never starts a second attendee for a registered invitee it names
        twin = [a for a in registry.attendees if a.email and a.status == "registered"
                and _same_person_named(p.name, a.name)
                and next((i for i in knowledge.invitees if i.email == a.email), None) is not None]
        if not twin:
            return None
        return f"{identity.refusal(address, knowledge)}; de naam lijkt op genodigde {twin[0].name}"

    unverified = reading.classification.unverified
    if unverified and (existing is not None or action in ("decline", "cancel")):
        return "afzender niet geverifieerd door onze mailserver (spf en dkim mislukt, geen dmarc-pass)"
    if identity.authority(address, existing, invitee, knowledge) is not None:
        return None
    s = reading.sender
    if invitee is not None and s.invitee == invitee and s.how == "personal-reply-address":
        return None  # answered through the invitee's personal reply address
    look = identity.lookalike(address, knowledge.municipalities)
    if existing is None and action == "register" and look is None:
        return None
    return identity.refusal(address, knowledge)


def _remarks(existing: Attendee | None, p: PersonReading, status: str) -> tuple[str, ...]:
    """The attendee's remarks after this message: earlier ones kept, new ones added; none once they
    no longer come (a diet for someone who declined needs nobody's attention)."""
    if status != "registered":
        return ()
    kept = existing.remarks if existing and existing.status == "registered" else ()
    return kept + tuple(r for r in p.remarks if r not in kept)


def _same_person_named(written: str, listed: str) -> bool:
    """The written name is the listed one in full, or only its surname (with initials)."""
    w = [x for x in words(written) if len(x) > 1]
    full = list(words(listed))
    return bool(w) and (w == full or w == full[1:])


def _conflicts(sessions: frozenset[str], knowledge: Knowledge) -> dict[str, tuple[str, ...]]:
    by_slot: dict[str, list[str]] = {}
    for sid in sorted(sessions):
        by_slot.setdefault(knowledge.event.session(sid).start.strftime("%H:%M"), []).append(sid)
    return {slot: tuple(ids) for slot, ids in by_slot.items() if len(ids) > 1}


def _full(wanted: frozenset[str], registry: Registry, knowledge: Knowledge,
          seated: Counter[str]) -> frozenset[str]:
    """The wanted sessions that have no seat left: first come, first served."""
    full = set()
    for sid in wanted:
        capacity = knowledge.event.session(sid).capacity
        if capacity is not None and registry.seats_taken(sid) + seated[sid] >= capacity:
            full.add(sid)
    return frozenset(full)


def _action(p: PersonReading, existing: Attendee | None, reading: Reading) -> str | None:
    cues = p.cues
    status = existing.status if existing else None
    if p.chosen or (p.dropped and status == "registered"):
        if status == "registered":
            return "change"
        if reading.cues.has("question") and not reading.cues.has("register"):
            return None  # "kan ik iemand meenemen naar ...?" names a session but registers nobody
        return "register"
    if cues.has("cancel") or cues.has("decline"):
        return "cancel" if status in ("registered", "cancelled") else "decline"
    if cues.has("register") and not cues.has("question"):
        return "register"
    return None


def decide(registry: Registry, reading: Reading, knowledge: Knowledge) -> Decision:
    cls = reading.classification
    if cls.kind in IGNORED:
        to_staff, rule = IGNORED[cls.kind]
        items = (ReviewItem(REVIEW_TEXT[cls.kind], cls.reason),) if to_staff else ()
        notes = tuple(Note(a, "bounce", cls.reason) for a in cls.failed_addresses)
        if cls.kind == "auto-reply" and cls.away_until and reading.mail.from_addr:
            notes += (Note(reading.mail.from_addr, "away", cls.away_until),)
        return Decision("review" if to_staff else "ignored", review=items, rules=(rule, cls.rule), notes=notes)

    if not reading.mail.from_addr:
        # nobody to register as the writer and nobody to answer: junk or a broken message
        return Decision("review", review=(ReviewItem("Bericht onleesbaar: geen afzender gevonden.",
                                                     reading.mail.subject),), rules=("no-sender",))
    if reading.calendar:
        return _decide_calendar(registry, reading, knowledge)
    if is_echo(reading.new_text, known_words(knowledge), knowledge.own_text):
        # our own clarification or confirmation sent back with nothing added: answering
        # would ask again, and an auto-responder would answer that (a loop)
        return Decision("ignored", rules=("echo-of-own-mail",))

    rules: list[str] = []
    review: list[ReviewItem] = []
    changes: list[Change] = []
    conflicts: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {}  # key -> (name, slot -> sessions)
    before: dict[str, frozenset[str]] = {}  # key -> the sessions held before this message
    seated: Counter[str] = Counter()  # seats given to earlier people in this same message
    tentative = reading.cues.has("tentative")
    sender = reading.sender
    refused: list[str] = []  # people this address may not act for
    targets, fan_out = identity.reply_targets(reading.mail, knowledge)
    for p in reading.people:
        existing = _existing(registry, p, reading)
        action = _action(p, existing, reading)
        if action is None:
            continue
        if tentative and action in ("register", "change") and not p.chosen and not existing:
            continue  # "ik twijfel nog": nothing to record, staff answer
        invitee = next((i for i in knowledge.invitees if i.email == p.email), None)
        why_not = _refused(p, existing, invitee, action, reading, knowledge, registry)
        if why_not is not None:
            refused.append(p.name)
            rules.append("identity-refused")
            review.append(ReviewItem(f"Niet verwerkt: {why_not}; de registratie blijft zoals ze was.",
                                     f"{reading.mail.from_addr}: {action} {p.name}"))
            continue
        status = transition(existing.status if existing else None, action)
        sessions: frozenset[str] = frozenset()
        if status == "registered":
            base = existing.sessions if existing and existing.status == "registered" else frozenset()
            base = base - p.dropped
            slot = {s.id: s.start for s in knowledge.event.sessions}
            base = frozenset(x for x in base if x in p.chosen or all(slot[x] != slot[c] for c in p.chosen))
            sessions = base | p.chosen
            clash = _conflicts(sessions, knowledge)
            if clash:
                conflicts[existing.key if existing else p.key] = (existing.name if existing else p.name, clash)
                sessions = sessions - {s for ids in clash.values() for s in ids}
                rules.append("slot-conflict")
            held = existing.sessions if existing and existing.status == "registered" else frozenset()
            waitlist = _full(sessions - held, registry, knowledge, seated)
            if waitlist:
                sessions = sessions - waitlist
                rules.append("waiting-list")
            seated.update(sessions - held)
        else:
            waitlist = frozenset()
        needs_review = not sender.trusted or tentative or (existing.needs_review if existing else False)
        addresses = {reading.mail.from_addr, *targets}
        if p.email:
            addresses.add(p.email)
        if invitee and invitee.secretary_email:
            addresses.add(invitee.secretary_email)
        if existing:
            addresses |= existing.addresses
        new = Attendee(
            key=existing.key if existing else p.key,
            name=existing.name if existing else p.name,
            role=(existing.role if existing else None) or p.role,
            email=(existing.email if existing else None) or p.email,
            municipality=existing.municipality if existing else p.municipality,
            status=status,
            sessions=sessions if status == "registered" else frozenset(),
            registered_by=reading.mail.from_addr if not existing else existing.registered_by,
            needs_review=needs_review,
            addresses=frozenset(a for a in addresses if a),
            waitlist=waitlist,
            remarks=_remarks(existing, p, status),
            organisation=(existing.organisation if existing else None) or (
                None if (existing.municipality if existing else p.municipality) else p.organisation),
        )
        for remark in (r for r in new.remarks if not existing or r not in existing.remarks):
            rules.append("remark")
            review.append(ReviewItem(f"Opmerking bij {new.name}: {remark}", reading.mail.subject))
        if existing and (new.status, new.sessions, new.waitlist) == (
                existing.status, existing.sessions, existing.waitlist):
            what = "unchanged"
        elif status == "registered":
            what = "changed" if existing and existing.status == "registered" else "new"
        else:
            what = status
        rules.append(f"{action}-{what}")
        before[new.key] = existing.sessions if existing and existing.status == "registered" else frozenset()
        changes.append(Change(replace(new, needs_review=needs_review), what))
        if not p.on_invitee_list and not p.is_sender and sender.trusted:
            review.append(ReviewItem("Naam niet gevonden in de uitnodigingslijst.", p.name))

    recorded = [c for c in changes if c.what != "unchanged"]
    if recorded and reading.classification.unverified:
        rules.append("unverified-sender")
        review.append(ReviewItem("Afzender niet geverifieerd door onze mailserver (spf en dkim mislukt); "
                                 "controleer de aanmelding.", reading.classification.unverified))
    if recorded and not sender.trusted:
        rules.append("unknown-sender")
        review.append(ReviewItem(
            "Afzender hoort niet bij een G32-gemeente; controleer de aanmelding.",
            f"{reading.mail.from_addr}: {', '.join(c.attendee.name for c in recorded)}"))
    if TOO_LONG in reading.problems:
        rules.append("too-long")
        review.append(ReviewItem("Bericht erg lang; alleen het begin is gelezen.", reading.mail.subject))
    if reading.cues.has("question"):
        rules.append("question")
        review.append(ReviewItem("Vraag van de afzender; beantwoord deze zelf.", reading.mail.subject))
    if tentative:
        rules.append("tentative")
        review.append(ReviewItem("Voorlopig of voorwaardelijk antwoord.", reading.mail.subject))
    if fan_out and not refused:
        rules.append("reply-to-limited")
        review.append(ReviewItem(fan_out, reading.mail.subject))
    if not changes and not reading.cues.has("question") and not tentative and not refused:
        if reading.cues.has("thanks") and registry.find_by_address(reading.mail.from_addr):
            return Decision("ignored", rules=("thanks-after-confirmation",))
        rules.append("not-understood")
        if FORWARD_ONLY in reading.problems:
            reason = "Doorgestuurd bericht zonder eigen tekst; niets verwerkt."
        else:
            reason = "Bericht niet begrepen als aanmelding, afmelding of wijziging."
        review.append(ReviewItem(reason, reading.mail.subject))

    # nothing goes to an address that tried to act for someone it may not speak for
    replies = () if refused else _replies(reading, changes, conflicts, targets, before, knowledge)
    outcome = "review" if review else ("recorded" if changes else "ignored")
    return Decision(outcome, tuple(changes), replies, tuple(review), tuple(rules))


def _replies(reading: Reading, changes: list[Change], conflicts: dict, targets: tuple[str, ...],
             before: dict[str, frozenset[str]] | None = None,
             knowledge: Knowledge | None = None) -> tuple[Reply, ...]:
    """One reply per message (contract rule 18): ask, else confirm, else acknowledge.

    `targets` are the addresses identity.reply_targets allows (Reply-To within limits).
    Someone who names again what is recorded wrote to us and expects an answer: they get
    the registration as it stands. A cancellation is copied to the secretariat that
    registered the person, which keeps its own list of who goes.
    """
    to = tuple(a for a in targets if not NO_REPLY.match(a))
    if not to:
        return ()
    before = before or {}
    people = [_person_context(c, before.get(c.attendee.key)) for c in changes]
    ctx = {"people": people,
           "conflicts": {name: list(clash.values()) for name, clash in conflicts.values()},
           "open_questions": {key: [list(ids) for ids in clash.values()] for key, (_n, clash) in conflicts.items()},
           "subject": reading.mail.subject, "addressee": _addressee(reading, changes)}
    if conflicts:
        return (Reply("clarification", to, "clarification", ctx),)
    if any(c.attendee.status == "registered" and c.what in ("new", "changed") for c in changes):
        return (Reply("confirmation", to, "confirmation", ctx),)
    if reading.cues.has("thanks") and all(c.what == "unchanged" for c in changes):
        return ()  # "dank, fijn dat de borrel erbij staat": a thank-you is not answered (rule 14)
    if any(c.attendee.status == "registered" and c.what == "unchanged" for c in changes):
        return (Reply("confirmation", to, "confirmation", ctx),)
    if any(c.what in ("declined", "cancelled") for c in changes):
        cc = _secretariats([c.attendee for c in changes if c.what == "cancelled"], to, knowledge)
        return (Reply("acknowledgement", to + cc, "acknowledgement", {**ctx, "cc": list(cc)}),)
    return ()


def _secretariats(people: list[Attendee], to: tuple[str, ...], knowledge: Knowledge | None) -> tuple[str, ...]:
    """Who registered these people for them (or their listed secretariat), not already answered."""
    out: list[str] = []
    for a in people:
        by = a.registered_by if a.registered_by and "@" in a.registered_by else None
        if by is None or by.lower() == (a.email or "").lower():
            invitee = next((i for i in knowledge.invitees if a.email and i.email.lower() == a.email.lower()),
                           None) if knowledge else None
            by = invitee.secretary_email if invitee else None
        if by and by.lower() not in {x.lower() for x in (*to, *out)} and not NO_REPLY.match(by):
            out.append(by.lower())
    return tuple(out)


# Words in a From name that make it an office, not a person to address by name.
_OFFICE_WORDS = re.compile(r"secretar|\b(gemeente|griffie|griffier|bureau|team|afdeling|bestuur|bestuurs\w*|"
                           r"kabinet|office|info|postbus|receptie|staf|namens|agenda|mailbox)\b|netwerk|g32|@|\d",
                           re.I)


def _addressee(reading: Reading, changes: list[Change]) -> dict | None:
    """Whom the reply addresses by name: the person who wrote for themselves, an invitee
    writing for someone else, or the person named in the From header; None (a
    neutral opening) for an office such as a secretariat."""
    sender = reading.mail.from_addr.lower()
    own = [c.attendee for c in changes if (c.attendee.email or "").lower() == sender]
    if len(own) == 1:
        return {"name": own[0].name, "role": own[0].role}
    invitee = reading.sender.invitee
    if invitee is not None and invitee.email.lower() == sender:
        return {"name": invitee.name, "role": invitee.role}
    name = " ".join(reading.mail.from_name.replace('"', " ").split())
    if len(name.replace(",", " ").split()) >= 2 and not _OFFICE_WORDS.search(name):
        return {"name": name, "role": None}
    return None


def _person_context(c: Change, before: frozenset[str] | None = None) -> dict:
    """What a mail says about one person; for a change, what was added and what dropped."""
    a = c.attendee
    out = {"name": a.name, "role": a.role, "municipality": a.municipality, "status": a.status,
           "sessions": sorted(a.sessions), "waitlist": sorted(a.waitlist), "what": c.what,
           "remarks": list(a.remarks)}
    if c.what == "changed" and before is not None:
        out["added"] = sorted(a.sessions - before)
        out["dropped"] = sorted(before - a.sessions)
    return out


def _decide_calendar(registry: Registry, reading: Reading, knowledge: Knowledge) -> Decision:
    """A calendar answer (iMIP REPLY) counts by its PARTSTAT (contract rule 25)."""
    from mailbot.core.intent import Cues

    word = {"ACCEPTED": "register", "DECLINED": "decline", "TENTATIVE": "tentative"}.get(reading.calendar or "")
    if word is None:
        return Decision("review", review=(ReviewItem("Agenda-antwoord zonder duidelijke status.",
                                                     reading.mail.subject),), rules=("calendar-unknown",))
    people = reading.people or ()
    if not people:
        from mailbot.core.understand import PersonReading

        s = reading.sender
        inv = s.invitee
        people = (PersonReading(inv.email if inv else f"addr:{reading.mail.from_addr}",
                                inv.name if inv else reading.mail.from_name or reading.mail.from_addr,
                                inv.role if inv else None, inv.email if inv else reading.mail.from_addr,
                                s.municipality, inv is not None, True, Cues({}), ()),)
    p0 = people[0]
    forced = replace(p0, cues=p0.cues.merged(Cues({word: ("PARTSTAT",)})))
    if word == "decline":
        forced = replace(forced, mentions=())
    new_reading = replace(reading, calendar=None, people=(forced, *people[1:]),
                          cues=reading.cues.merged(Cues({word: ("PARTSTAT",)})))
    d = decide(registry, new_reading, knowledge)
    return replace(d, rules=("calendar-reply", *d.rules))
