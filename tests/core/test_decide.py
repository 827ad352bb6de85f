"""decide.py: what one reading changes, whom to answer, what staff must see."""

from __future__ import annotations

import itertools
from dataclasses import replace
from email.message import EmailMessage
from functools import cache
from pathlib import Path

import pytest

from mailbot.config import load, load_invitees
from mailbot.core.classify import Classification
from mailbot.core.decide import IGNORED, TRANSITIONS, TransitionError, decide, transition
from mailbot.core.types import Attendee, Decision, Knowledge, Registry
from mailbot.core.understand import Reading, understand

ROOT = Path(__file__).resolve().parents[2]
_ids = itertools.count(1)

ESTHER = "Esther Scholten <e.scholten@alkmaar.nl>"
ESTHER_ADDR = "e.scholten@alkmaar.nl"
SMITS = "Jeroen Smits <j.smits@alkmaar.nl>"
SECRETARIAT = "Bestuurssecretariaat <bestuurssecretariaat@alkmaar.nl>"
SEC_ADDR = "bestuurssecretariaat@alkmaar.nl"


@cache
def knowledge() -> Knowledge:
    cfg = load(ROOT / "config.toml")
    return replace(cfg.knowledge, invitees=load_invitees(ROOT / "rules" / "invitees.csv"))


def reading(frm: str, body: str, *, reply_to: str | None = None,
            headers: tuple[tuple[str, str], ...] = ()) -> Reading:
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = "info@G32.nl"
    msg["Subject"] = "RE: Uitnodiging G32 netwerkdag"
    msg["Date"] = "Mon, 13 Nov 2017 10:00:00 +0100"
    msg["Message-ID"] = f"<decide-{next(_ids)}@example.nl>"
    if reply_to:
        msg["Reply-To"] = reply_to
    for k, v in headers:
        msg[k] = v
    msg.set_content(body)
    return understand(msg, bytes(msg), knowledge())


def apply(registry: Registry, d: Decision) -> Registry:
    """What the shell does with a decision's changes (store.apply, in memory)."""
    rows = {a.key: a for a in registry.attendees}
    for c in d.changes:
        rows[c.attendee.key] = c.attendee
    return Registry(tuple(rows.values()))


class Conversation:
    """Messages decided one after another against a growing registry."""

    def __init__(self) -> None:
        self.registry = Registry()

    def send(self, frm: str, body: str, **kw) -> Decision:
        d = decide(self.registry, reading(frm, body, **kw), knowledge())
        self.registry = apply(self.registry, d)
        return d

    def person(self, name: str) -> Attendee:
        hits = [a for a in self.registry.attendees if a.name == name]
        assert len(hits) == 1, [a.name for a in self.registry.attendees]
        return hits[0]


def replies(d: Decision) -> list[tuple[str, tuple[str, ...]]]:
    return [(r.kind, r.to) for r in d.replies]


# --- the transition table -------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "action", "after"),
    [
        (None, "register", "registered"),
        (None, "decline", "declined"),
        ("registered", "register", "registered"),
        ("registered", "change", "registered"),
        ("registered", "cancel", "cancelled"),
        ("declined", "register", "registered"),
        ("declined", "decline", "declined"),
        ("cancelled", "register", "registered"),
        ("cancelled", "cancel", "cancelled"),
    ],
)
def test_allowed_transitions(before: str | None, action: str, after: str) -> None:
    assert transition(before, action) == after


@pytest.mark.parametrize(
    ("before", "action"),
    [
        (None, "cancel"),  # never registered: that is a decline (rule 17)
        (None, "change"),
        ("registered", "decline"),  # registered: that is a cancellation
        ("declined", "cancel"),
        ("declined", "change"),
        ("cancelled", "decline"),
        ("cancelled", "change"),
        ("unknown", "register"),
    ],
)
def test_forbidden_transitions(before: str | None, action: str) -> None:
    with pytest.raises(TransitionError):
        transition(before, action)


def test_every_status_reached_is_a_known_status() -> None:
    statuses = {"registered", "declined", "cancelled"}
    assert set(TRANSITIONS) == statuses | {None}
    assert {after for moves in TRANSITIONS.values() for after in moves.values()} == statuses


# --- registering ------------------------------------------------------------------


def test_register_with_sessions() -> None:
    c = Conversation()
    d = c.send(ESTHER, "Graag meld ik mij aan voor Financiën en het AB.")
    assert d.outcome == "recorded" and d.review == ()
    assert replies(d) == [("confirmation", (ESTHER_ADDR,))]
    (ch,) = d.changes
    assert ch.what == "new"
    a = ch.attendee
    assert (a.name, a.role, a.email, a.municipality, a.status) == (
        "Esther Scholten", "burgemeester", ESTHER_ADDR, "alkmaar", "registered")
    assert a.sessions == {"financien", "algemeen-bestuur"}
    assert a.registered_by == ESTHER_ADDR and not a.needs_review
    assert ESTHER_ADDR in a.addresses and SEC_ADDR in a.addresses  # the secretariat may answer for her


def test_register_without_sessions() -> None:
    d = Conversation().send(ESTHER, "Ik ben erbij!")
    (ch,) = d.changes
    assert ch.attendee.status == "registered" and ch.attendee.sessions == frozenset()
    assert replies(d) == [("confirmation", (ESTHER_ADDR,))]


def test_secretariat_registers_two_people_one_reply() -> None:
    d = Conversation().send(SECRETARIAT, "Burgemeester Scholten komt naar het AB. Wethouder Smits komt naar de borrel.")
    assert {(c.attendee.name, tuple(sorted(c.attendee.sessions))) for c in d.changes} == {
        ("Esther Scholten", ("algemeen-bestuur",)), ("Jeroen Smits", ("netwerkborrel",))}
    assert all(c.attendee.registered_by == SEC_ADDR for c in d.changes)
    assert replies(d) == [("confirmation", (SEC_ADDR,))]
    assert d.review == ()


def test_replies_go_to_reply_to() -> None:
    d = Conversation().send(ESTHER, "Ik kom naar het AB.", reply_to=SECRETARIAT)
    assert replies(d) == [("confirmation", (SEC_ADDR,))]


# --- slot conflicts ------------------------------------------------------------------


def test_slot_conflict_asks_and_records_neither() -> None:
    d = Conversation().send(ESTHER, "Ik kom naar Financiën, Statushouders en het AB.")
    (ch,) = d.changes
    assert ch.attendee.sessions == {"algemeen-bestuur"}
    assert replies(d) == [("clarification", (ESTHER_ADDR,))]
    assert "slot-conflict" in d.rules
    assert d.review == ()  # a clarification is not by itself a review (rule 23)
    conflicts = d.replies[0].context["conflicts"]
    assert conflicts == {"Esther Scholten": [("financien", "statushouders")]}


def test_slot_conflict_only() -> None:
    d = Conversation().send(ESTHER, "Ik kom naar wal en schip en naar de sessie met Ton Heerts.")
    (ch,) = d.changes
    assert ch.attendee.status == "registered" and ch.attendee.sessions == frozenset()
    assert replies(d) == [("clarification", (ESTHER_ADDR,))]


def test_a_new_session_replaces_the_one_in_its_slot() -> None:
    c = Conversation()
    c.send(ESTHER, "Ik kom naar Financiën en het AB.")
    d = c.send(ESTHER, "Ik wil toch liever naar Statushouders.")
    assert c.person("Esther Scholten").sessions == {"statushouders", "algemeen-bestuur"}
    assert replies(d) == [("confirmation", (ESTHER_ADDR,))]


# --- declining and cancelling -------------------------------------------------------


def test_decline_without_registration_is_declined() -> None:
    d = Conversation().send(ESTHER, "Helaas ben ik verhinderd.")
    (ch,) = d.changes
    assert (ch.what, ch.attendee.status, ch.attendee.sessions) == ("declined", "declined", frozenset())
    assert replies(d) == [("acknowledgement", (ESTHER_ADDR,))]
    assert d.rules == ("decline-declined",)


def test_afmelden_without_registration_is_declined() -> None:
    d = Conversation().send(SECRETARIAT, "Hierbij meld ik burgemeester Scholten af voor de netwerkdag.")
    (ch,) = d.changes
    assert ch.attendee.name == "Esther Scholten" and ch.attendee.status == "declined"
    assert replies(d) == [("acknowledgement", (SEC_ADDR,))]


def test_cancel_after_registration() -> None:
    c = Conversation()
    first = c.send(ESTHER, "Ik kom naar het AB.")
    second = c.send(ESTHER, "Ik trek mijn aanmelding in, ik kom toch niet.")
    assert replies(first) == [("confirmation", (ESTHER_ADDR,))]
    # the invitee list's secretariat is copied on a cancellation (issue 13, item 11)
    assert replies(second) == [("acknowledgement", (ESTHER_ADDR, SEC_ADDR))]
    a = c.person("Esther Scholten")
    assert a.status == "cancelled" and a.sessions == frozenset()
    assert second.rules == ("cancel-cancelled",)


def test_invitee_cancels_what_her_secretariat_registered() -> None:
    c = Conversation()
    c.send(SECRETARIAT, "Namens burgemeester Scholten meld ik aan voor het AB.")
    d = c.send(ESTHER, "Ik moet helaas afzeggen.")
    assert len(c.registry.attendees) == 1
    a = c.person("Esther Scholten")
    assert a.status == "cancelled" and a.registered_by == SEC_ADDR
    assert replies(d) == [("acknowledgement", (ESTHER_ADDR, SEC_ADDR))]  # the secretariat in copy


def test_register_again_after_cancelling() -> None:
    c = Conversation()
    c.send(ESTHER, "Ik kom naar het AB.")
    c.send(ESTHER, "Ik kom toch niet.")
    d = c.send(ESTHER, "Het gaat toch lukken: ik kom naar de borrel.")
    a = c.person("Esther Scholten")
    assert a.status == "registered" and a.sessions == {"netwerkborrel"}
    assert replies(d) == [("confirmation", (ESTHER_ADDR,))]


# --- changes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "after"),
    [
        ("In plaats van Financiën wil ik graag naar Statushouders.", {"statushouders", "algemeen-bestuur"}),
        ("Ik wil ook graag naar de borrel.", {"financien", "algemeen-bestuur", "netwerkborrel"}),
        ("Het AB laat ik schieten.", {"financien"}),
        ("De borrel laat ik schieten, maar ik sluit graag aan bij de Fysieke Pijler.",
         {"financien", "algemeen-bestuur", "fysieke-pijler"}),
        ("Niet meer naar Financiën graag.", {"algemeen-bestuur"}),
    ],
)
def test_change_adjusts_the_set_and_confirms(change: str, after: set[str]) -> None:
    c = Conversation()
    c.send(ESTHER, "Ik kom naar Financiën en het AB.")
    d = c.send(ESTHER, change)
    assert c.person("Esther Scholten").sessions == after
    assert replies(d) == [("confirmation", (ESTHER_ADDR,))]
    assert d.changes[0].what == "changed"


def test_secretariat_adds_a_session() -> None:
    c = Conversation()
    c.send(SECRETARIAT, "Namens burgemeester Scholten meld ik aan voor het AB.")
    d = c.send(SECRETARIAT, "Burgemeester Scholten komt ook graag naar de borrel.")
    assert c.person("Esther Scholten").sessions == {"algemeen-bestuur", "netwerkborrel"}
    assert replies(d) == [("confirmation", (SEC_ADDR,))]


def test_repeating_a_registration_changes_nothing_and_is_confirmed_as_it_stands() -> None:
    """They wrote to us and expect an answer (issue 13, item 13)."""
    c = Conversation()
    c.send(ESTHER, "Ik kom naar het AB.")
    d = c.send(ESTHER, "Ik kom naar het AB.")
    assert [ch.what for ch in d.changes] == ["unchanged"]
    assert replies(d) == [("confirmation", (ESTHER_ADDR,))]


# --- thanks, questions, tentative -----------------------------------------------


@pytest.mark.parametrize("thanks", ["Dank voor de bevestiging!", "Klopt, dank u wel.", "Top, bedankt."])
def test_thanks_after_confirmation_is_ignored(thanks: str) -> None:
    c = Conversation()
    c.send(ESTHER, "Ik kom naar het AB.")
    before = c.registry
    d = c.send(ESTHER, thanks)
    assert d.outcome == "ignored" and d.replies == () and d.review == () and d.changes == ()
    assert c.registry == before


def test_thanks_from_someone_never_registered_goes_to_review() -> None:
    d = Conversation().send(ESTHER, "Bedankt!")
    assert d.outcome == "review" and d.replies == () and "not-understood" in d.rules


def test_question_only_goes_to_review_without_reply() -> None:
    d = Conversation().send(ESTHER, "Is er parkeergelegenheid bij het stadhuis?")
    assert d.outcome == "review" and d.changes == () and d.replies == ()
    assert "question" in d.rules


def test_question_naming_a_session_registers_nobody() -> None:
    d = Conversation().send(ESTHER, "Kan ik iemand meenemen naar de borrel?")
    assert d.changes == () and d.replies == () and d.outcome == "review"


def test_registration_with_a_question_is_confirmed_and_reviewed() -> None:
    d = Conversation().send(ESTHER, "Ik kom naar het AB. Is er parkeergelegenheid?")
    assert [c.attendee.sessions for c in d.changes] == [{"algemeen-bestuur"}]
    assert replies(d) == [("confirmation", (ESTHER_ADDR,))]
    assert d.outcome == "review" and "question" in d.rules


def test_tentative_answer_is_reviewed() -> None:
    d = Conversation().send(ESTHER, "Ik kom onder voorbehoud naar het AB.")
    assert d.outcome == "review" and "tentative" in d.rules
    assert all(c.attendee.needs_review for c in d.changes)


def test_unclear_mail_goes_to_review() -> None:
    d = Conversation().send(ESTHER, "Zie bijlage.")
    assert d.outcome == "review" and d.changes == () and d.replies == ()
    assert "not-understood" in d.rules


# --- senders outside the network ----------------------------------------------------


def test_non_member_registration_is_recorded_confirmed_and_reviewed() -> None:
    d = Conversation().send("Marjolein Hofstede <marjolein.hofstede@vng.nl>",
                            "Ik kom graag naar Financiën en de borrel.")
    (ch,) = d.changes
    a = ch.attendee
    assert (a.name, a.municipality, a.status) == ("Marjolein Hofstede", None, "registered")
    assert a.needs_review
    assert replies(d) == [("confirmation", ("marjolein.hofstede@vng.nl",))]
    assert d.outcome == "review" and "unknown-sender" in d.rules


def test_unknown_sender_with_municipality_in_signature() -> None:
    d = Conversation().send("Jan Peeters <jan.peeters@gmail.com>",
                            "Ik kom naar de borrel.\n\nGroet,\nJan Peeters\nwethouder gemeente Venlo\n")
    (ch,) = d.changes
    assert ch.attendee.municipality == "venlo" and ch.attendee.needs_review
    assert replies(d) == [("confirmation", ("jan.peeters@gmail.com",))]


def test_unlisted_person_named_by_a_member_is_reviewed() -> None:
    d = Conversation().send(SECRETARIAT, "Wethouder Jan Peeters komt naar de borrel.")
    (ch,) = d.changes
    assert ch.attendee.name == "Jan Peeters" and ch.attendee.municipality == "alkmaar"
    assert replies(d) == [("confirmation", (SEC_ADDR,))]
    assert [r.summary for r in d.review] == ["Jan Peeters"]


# --- automatic mail -------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(IGNORED))
def test_automatic_kinds_change_nothing(kind: str) -> None:
    base = reading(ESTHER, "Ik kom naar het AB.")
    r = replace(base, classification=Classification(kind, "test", "test-rule"))
    d = decide(Registry(), r, knowledge())
    assert d.changes == () and d.replies == ()
    to_staff = kind in ("bulk", "auth-fail")
    assert d.outcome == ("review" if to_staff else "ignored")
    assert bool(d.review) is to_staff


@pytest.mark.parametrize(
    ("frm", "headers", "outcome"),
    [
        (ESTHER, (("Auto-Submitted", "auto-replied"),), "ignored"),
        ("G32 <info@G32.nl>", (), "ignored"),
        (ESTHER, (("Authentication-Results", "mx1.g32.nl; dmarc=fail header.from=alkmaar.nl"),), "review"),
        ("Nieuws <nieuws@vendor.example>",
         (("Precedence", "bulk"), ("List-Unsubscribe", "<mailto:u@vendor.example>")), "review"),
    ],
)
def test_automatic_mail_end_to_end(frm: str, headers: tuple, outcome: str) -> None:
    d = Conversation().send(frm, "Ik kom naar het AB en de borrel.", headers=headers)
    assert d.outcome == outcome and d.changes == () and d.replies == ()


# --- one reply per message: clarification > confirmation > acknowledgement ----------


def test_decline_and_registration_in_one_message_confirm_once() -> None:
    d = Conversation().send(SECRETARIAT, "Burgemeester Scholten is helaas verhinderd. "
                                         "In haar plaats komt wethouder Smits naar het AB.")
    assert {(c.attendee.name, c.attendee.status) for c in d.changes} == {
        ("Esther Scholten", "declined"), ("Jeroen Smits", "registered")}
    assert replies(d) == [("confirmation", (SEC_ADDR,))]


def test_conflict_beats_confirmation_and_acknowledgement() -> None:
    d = Conversation().send(SECRETARIAT, "Burgemeester Scholten is helaas verhinderd. "
                                         "Wethouder Smits komt naar Financiën en Statushouders en het AB.")
    assert {c.attendee.status for c in d.changes} == {"declined", "registered"}
    assert replies(d) == [("clarification", (SEC_ADDR,))]


def test_two_declines_one_acknowledgement() -> None:
    d = Conversation().send(SECRETARIAT, "Burgemeester Scholten en wethouder Smits melden zich af.")
    assert {(c.attendee.name, c.attendee.status) for c in d.changes} == {
        ("Esther Scholten", "declined"), ("Jeroen Smits", "declined")}
    assert replies(d) == [("acknowledgement", (SEC_ADDR,))]


# --- purity ---------------------------------------------------------------------------


def test_decide_is_a_function_of_its_inputs() -> None:
    r = reading(SECRETARIAT, "Burgemeester Scholten komt naar het AB. Wethouder Smits komt naar de borrel.")
    registry = Registry()
    first, second = decide(registry, r, knowledge()), decide(registry, r, knowledge())
    assert first == second
    assert registry == Registry()
