"""remarks.py: needs staff must act on, found by kind; coming for part of the day is none."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

import pytest
from shipped import knowledge

from mailbot.core.decide import decide
from mailbot.core.remarks import find_remarks, timing
from mailbot.core.types import Registry
from mailbot.core.understand import understand

_ids = itertools.count(1)


@pytest.mark.parametrize("sentence, kinds", [
    ("Voor de lunch graag rekening houden met een glutenvrij dieet.", {"dieet"}),
    ("Onze wethouder eet veganistisch.", {"dieet"}),
    ("Hij heeft een notenallergie.", {"dieet"}),
    ("Mevrouw komt met de rollator; is er een lift naar de zaal?", {"toegang"}),
    ("Hij is slechthorend, is er een ringleiding?", {"toegang"}),
    ("Zijn beleidsadviseur komt ook mee.", {"begeleiding"}),
    ("De burgemeester wordt vergezeld door haar assistente.", {"begeleiding"}),
    ("Door een raadsvergadering schuift zij pas rond 11.00 uur aan.", {"tijd"}),
    ("Ik moet helaas vroegtijdig vertrekken.", {"tijd"}),
    ("Om 14.30 uur moet hij weg voor een ander overleg.", {"tijd"}),
    ("Wethouder eet vegetarisch en zit in een rolstoel.", {"dieet", "toegang"}),
])
def test_each_kind_of_remark(sentence: str, kinds: set[str]) -> None:
    assert {r.kind for r in find_remarks(sentence)} == kinds
    assert all(r.text == sentence for r in find_remarks(sentence))


@pytest.mark.parametrize("sentence", [
    "Ik ben er alleen in de middag.",
    "Zij komt pas na de lunch, voor de pijlers en het AB.",
    "Welke sessies hij kiest laten wij later weten.",
    "Zoals eerder gemeld gaat de burgemeester naar het AB.",
    "Graag meld ik mij aan voor de Fysieke Pijler en de borrel.",
    "Ik geef mij later op voor de themagroepen.",
])
def test_no_remark(sentence: str) -> None:
    assert find_remarks(sentence) == ()


def test_timing_tells_late_from_early() -> None:
    assert timing("Ik kom een half uur later binnen.") == "later"
    assert timing("Wij moeten eerder weg.") == "eerder"
    assert timing("Alleen het ochtendprogramma.") is None


EMPTY = Registry()


def _decide(frm: str, body: str, registry: Registry = EMPTY):
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = "info@G32.nl"
    msg["Subject"] = "Aanmelding netwerkdag"
    msg["Date"] = "Mon, 13 Nov 2017 10:00:00 +0100"
    msg["Message-ID"] = f"<remarks-{next(_ids)}@example.nl>"
    msg.set_content(body)
    return decide(registry, understand(msg, bytes(msg), knowledge()), knowledge())


def test_a_remark_goes_with_its_attendee_to_staff_and_into_the_confirmation() -> None:
    k = knowledge()
    sec = next(i for i in k.invitees if i.municipality == "tilburg" and i.role == "wethouder")
    d = _decide(f"Secretariaat <{sec.secretary_email}>",
                f"Wethouder {sec.name} komt naar de themagroep Financien. Hij eet halal.\n\nGroet\n")
    [change] = d.changes
    assert change.attendee.name == sec.name and change.attendee.status == "registered"
    assert [r.split(":")[0] for r in change.attendee.remarks] == ["dieetwens"]
    assert any(r.reason.startswith(f"Opmerking bij {sec.name}: dieetwens") for r in d.review)
    [reply] = d.replies
    assert reply.kind == "confirmation" and reply.context["people"][0]["remarks"] == list(change.attendee.remarks)


def test_a_remark_is_not_asked_again_and_ends_with_a_withdrawal() -> None:
    k = knowledge()
    who = next(i for i in k.invitees if i.municipality == "tilburg" and i.role == "wethouder")
    first = _decide(f"{who.name} <{who.email}>", "Ik kom graag naar de borrel. Ik kom in een rolstoel.\n")
    reg = Registry(tuple(c.attendee for c in first.changes))
    again = _decide(f"{who.name} <{who.email}>", "Graag ook de themagroep Financien.\n", reg)
    assert again.changes[0].attendee.remarks == first.changes[0].attendee.remarks
    assert not any(r.reason.startswith("Opmerking") for r in again.review)
    gone = _decide(f"{who.name} <{who.email}>", "Ik trek mijn aanmelding in.\n", reg)
    assert gone.changes[0].attendee.status == "cancelled" and gone.changes[0].attendee.remarks == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "De laatste twee onderdelen van het programma neem ik ook mee.",
        "Die sessie neem ik er dan nog mee.",
    ],
)
def test_taking_part_of_the_programme_along_is_no_company(sentence: str) -> None:
    assert "begeleiding" not in {r.kind for r in find_remarks(sentence)}


def test_taking_a_person_along_is_still_company() -> None:
    assert "begeleiding" in {r.kind for r in find_remarks("Ik neem mijn beleidsmedewerker mee.")}
