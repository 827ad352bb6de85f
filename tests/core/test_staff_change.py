"""core.staff_change: a change made by staff follows the rules mail follows, and says why not."""

from __future__ import annotations

from dataclasses import replace

import pytest
from shipped import knowledge

from mailbot.core.staff_change import (
    AlreadyRecorded,
    Refused,
    StaffRequest,
    decide_staff,
    new_key,
    with_invitee,
)
from mailbot.core.types import Attendee, Decision, Knowledge, Registry

ESTHER = "e.scholten@alkmaar.nl"  # invitee, burgemeester of Alkmaar
ALKMAAR_SEC = "bestuurssecretariaat@alkmaar.nl"


def apply(registry: Registry, d: Decision) -> Registry:
    rows = {a.key: a for a in registry.attendees}
    for c in d.changes:
        rows[c.attendee.key] = c.attendee
    return Registry(tuple(rows.values()))


def register(registry: Registry, k: Knowledge = None, **kw) -> Registry:  # type: ignore[assignment]
    k = k or knowledge()
    req = StaffRequest(action="register", actor="anna", **kw)
    return apply(registry, decide_staff(registry, req, k))


def with_capacity(session_id: str, capacity: int) -> Knowledge:
    k = knowledge()
    sessions = tuple(replace(s, capacity=capacity) if s.id == session_id else s for s in k.event.sessions)
    return replace(k, event=replace(k.event, sessions=sessions))


def test_phone_registration_of_an_invitee_fills_in_the_invitee_and_mails_the_secretariat() -> None:
    req = with_invitee(StaffRequest(action="register", actor="anna", email="E.Scholten@alkmaar.nl",
                                    name="", sessions=frozenset({"financien"}), notify=True), knowledge())
    d = decide_staff(Registry(), req, knowledge())
    (change,) = d.changes
    a = change.attendee
    assert (a.key, a.name, a.role, a.municipality, a.email) == (
        ESTHER, "Esther Scholten", "burgemeester", "alkmaar", ESTHER)
    assert (change.what, a.status, a.sessions, a.registered_by) == (
        "new", "registered", frozenset({"financien"}), "balie: anna")
    assert ALKMAAR_SEC in a.addresses
    (reply,) = d.replies
    assert (reply.kind, reply.to) == ("confirmation", (ESTHER, ALKMAAR_SEC))


def test_what_staff_typed_wins_over_the_invitee_list() -> None:
    req = with_invitee(StaffRequest(action="register", actor="anna", email=ESTHER, name="E. Scholten",
                                    role="loco-burgemeester"), knowledge())
    assert (req.name, req.role, req.municipality) == ("E. Scholten", "loco-burgemeester", "alkmaar")
    stranger = StaffRequest(action="register", actor="anna", email="iemand@example.org", name="Iemand")
    assert with_invitee(stranger, knowledge()) == stranger


def test_someone_not_invited_can_be_added_with_an_organisation() -> None:
    d = decide_staff(Registry(), StaffRequest(action="register", actor="anna", name="Karin Bos",
                                              organisation="VNG", sessions=frozenset({"netwerkborrel"})),
                     knowledge())
    a = d.changes[0].attendee
    assert (a.organisation, a.municipality, a.email, a.status) == ("VNG", None, None, "registered")
    assert a.key == "staff:karin bos"
    assert d.replies == ()  # nobody to mail, and nobody asked


def test_no_mail_unless_asked() -> None:
    d = decide_staff(Registry(), StaffRequest(action="register", actor="anna", email=ESTHER, name="Esther",
                                              sessions=frozenset({"financien"})), knowledge())
    assert d.replies == ()


def test_a_slot_clash_is_refused_naming_both_sessions() -> None:
    req = StaffRequest(action="register", actor="anna", name="Esther", email=ESTHER,
                       sessions=frozenset({"wal-en-schip", "jeugd-onderwijs-arbeidsmarkt"}))
    with pytest.raises(Refused) as e:
        decide_staff(Registry(), req, knowledge())
    text = str(e.value)
    assert "hetzelfde tijdvak" in text
    assert "1. Themasessie Mensen tussen wal en schip (10.00)" in text
    assert "2. Themasessie Jeugd en aansluiting onderwijs-arbeidsmarkt (10.00)" in text


def test_a_full_session_is_refused_but_a_seat_already_held_is_kept() -> None:
    k = with_capacity("financien", 1)
    reg = register(Registry(), k, name="Esther", email=ESTHER, sessions=frozenset({"financien"}))
    with pytest.raises(Refused, match=r"Themagroep Financiën .* is vol \(1 plaatsen\)"):
        register(reg, k, name="Jeroen", email="j.smits@alkmaar.nl", sessions=frozenset({"financien"}))
    # Esther keeps her seat while she adds the borrel
    d = decide_staff(reg, StaffRequest(action="change", actor="anna", key=ESTHER,
                                       sessions=frozenset({"financien", "netwerkborrel"})), k)
    assert d.changes[0].attendee.sessions == {"financien", "netwerkborrel"}


def test_a_second_registration_of_the_same_address_points_to_the_first() -> None:
    reg = register(Registry(), name="Esther", email=ESTHER, sessions=frozenset({"financien"}))
    with pytest.raises(AlreadyRecorded) as e:
        register(reg, name="Esther Scholten", email=ESTHER.upper(), sessions=frozenset({"netwerkborrel"}))
    assert e.value.key == ESTHER
    assert "Esther" in str(e.value) and "staat al" in str(e.value)


def test_a_shared_secretariat_address_is_not_a_second_registration() -> None:
    reg = register(Registry(), name="Esther", email=ESTHER, sessions=frozenset({"financien"}),
                   extra_addresses=(ALKMAAR_SEC,))
    reg = register(reg, name="Jeroen Smits", email="j.smits@alkmaar.nl", sessions=frozenset({"financien"}),
                   extra_addresses=(ALKMAAR_SEC,))
    assert len(reg.attendees) == 2


def test_changing_remarks_only_records_details_and_sends_nothing() -> None:
    reg = register(Registry(), name="Esther", email=ESTHER, sessions=frozenset({"financien"}))
    d = decide_staff(reg, StaffRequest(action="change", actor="bert", key=ESTHER, remarks=("vegetarisch",),
                                       notify=True), knowledge())
    c = d.changes[0]
    assert (c.what, c.attendee.remarks, c.attendee.sessions) == ("details", ("vegetarisch",), {"financien"})
    assert d.replies == ()


def test_changing_sessions_confirms_again() -> None:
    reg = register(Registry(), name="Esther", email=ESTHER, sessions=frozenset({"financien"}))
    d = decide_staff(reg, StaffRequest(action="change", actor="bert", key=ESTHER,
                                       sessions=frozenset({"statushouders"}), notify=True), knowledge())
    assert d.changes[0].what == "changed" and d.changes[0].attendee.sessions == {"statushouders"}
    assert [r.kind for r in d.replies] == ["confirmation"]
    assert d.changes[0].attendee.registered_by == "balie: anna"  # who registered stays


def test_cancel_frees_the_seats_and_acknowledges_when_asked() -> None:
    reg = register(Registry(), name="Esther", email=ESTHER, sessions=frozenset({"financien"}),
                   remarks=("rolstoel",))
    d = decide_staff(reg, StaffRequest(action="cancel", actor="anna", key=ESTHER, notify=True), knowledge())
    a = d.changes[0].attendee
    assert (d.changes[0].what, a.status, a.sessions, a.remarks) == ("cancelled", "cancelled", frozenset(), ())
    assert [(r.kind, r.to) for r in d.replies] == [("acknowledgement", (ESTHER,))]
    quiet = decide_staff(reg, StaffRequest(action="cancel", actor="anna", key=ESTHER), knowledge())
    assert quiet.replies == ()


def test_a_declined_attendee_edited_without_sessions_stays_declined() -> None:
    reg = apply(Registry(), decide_staff(Registry(), StaffRequest(action="decline", actor="anna", name="Esther",
                                                                  email=ESTHER), knowledge()))
    assert reg.find(ESTHER).status == "declined"
    d = decide_staff(reg, StaffRequest(action="change", actor="anna", key=ESTHER, name="Esther Scholten",
                                       sessions=frozenset()), knowledge())
    assert (d.changes[0].attendee.status, d.changes[0].attendee.name) == ("declined", "Esther Scholten")
    d = decide_staff(reg, StaffRequest(action="change", actor="anna", key=ESTHER,
                                       sessions=frozenset({"financien"})), knowledge())
    assert (d.changes[0].what, d.changes[0].attendee.status) == ("new", "registered")


def test_cancelling_someone_who_declined_changes_nothing() -> None:
    reg = apply(Registry(), decide_staff(Registry(), StaffRequest(action="decline", actor="anna", name="Esther",
                                                                  email=ESTHER), knowledge()))
    d = decide_staff(reg, StaffRequest(action="cancel", actor="anna", key=ESTHER, notify=True), knowledge())
    assert (d.changes[0].attendee.status, d.changes[0].what, d.replies) == ("declined", "unchanged", ())


@pytest.mark.parametrize(("kw", "message"), [
    ({"name": " "}, "Vul een naam in"),
    ({"email": "geen adres"}, "lijkt niet te kloppen"),
    ({"municipality": "atlantis"}, "Onbekende gemeente"),
    ({"sessions": frozenset({"yoga"})}, "Onbekende sessie"),
    ({"sessions": frozenset()}, "ten minste één sessie"),
    ({"key": "niemand@example.org"}, "bestaat niet"),
    ({"action": "delete"}, "Onbekende handeling"),
])
def test_what_cannot_be_recorded_is_refused_in_dutch(kw, message) -> None:
    base = {"action": "register", "actor": "anna", "name": "Esther", "email": ESTHER,
            "sessions": frozenset({"financien"})}
    with pytest.raises(Refused, match=message):
        decide_staff(Registry(), StaffRequest(**{**base, **kw}), knowledge())


def test_new_keys_never_collide() -> None:
    assert new_key("Karin Bos", None, {"staff:karin bos"}) == "staff:karin bos#2"
    assert new_key("X", "A@B.nl", set()) == "a@b.nl"


def test_staff_clear_the_review_mark() -> None:
    flagged = Attendee(ESTHER, "Esther", None, ESTHER, "alkmaar", "registered", frozenset({"financien"}),
                       ESTHER, needs_review=True, addresses=frozenset({ESTHER}))
    d = decide_staff(Registry((flagged,)), StaffRequest(action="change", actor="anna", key=ESTHER), knowledge())
    assert (d.changes[0].what, d.changes[0].attendee.needs_review) == ("unchanged", False)
