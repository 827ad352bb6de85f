"""A non-member's organisation is recorded, so name cards, exports and the digest can show
"VNG" or "Platform31" where a member's municipality would stand (issue 13, item 5)."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

import pytest
from shipped import knowledge

from mailbot.core.decide import decide
from mailbot.core.types import Attendee, Decision, Registry
from mailbot.core.understand import understand

_ids = itertools.count(1)


def send(registry: Registry, frm: str, body: str) -> Decision:
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = "info@G32.nl"
    msg["Subject"] = "Aanmelding G32 netwerkdag"
    msg["Date"] = "Mon, 13 Nov 2017 10:00:00 +0100"
    msg["Message-ID"] = f"<organisation-{next(_ids)}@example.nl>"
    msg.set_content(body)
    return decide(registry, understand(msg, bytes(msg), knowledge()), knowledge())


def recorded(d: Decision) -> dict[str, Attendee]:
    return {c.attendee.name: c.attendee for c in d.changes}


def signed(*lines: str) -> str:
    return ("Graag meld ik mij aan voor de Netwerkborrel.\n\nMet vriendelijke groet,\n\n"
            + "\n".join(lines) + "\n")


@pytest.mark.parametrize(("lines", "expected"), [
    (("Marjolein Hofstede", "Senior adviseur Financiën", "Vereniging van Nederlandse Gemeenten"),
     "Vereniging van Nederlandse Gemeenten"),
    (("Marjolein Hofstede", "Senior adviseur, VNG"), "VNG"),
    (("Marjolein Hofstede", "VNG | Team Financiën"), "VNG"),
    (("Koen Verbeek", "Projectleider | Platform31"), "Platform31"),
    (("Koen Verbeek", "Platform31 - kennis voor stedelijke vernieuwing"), "Platform31"),
    (("Iris Koster", "Secretariaat bestuur MBO Raad"), "MBO Raad"),
    (("Iris Koster", "MBO-raad"), "MBO-raad"),
    (("Ruben Aydin", "Senior beleidsmedewerker", "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"),
     "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"),
    (("Ruben Aydin", "Directie Woningmarkt, ministerie van BZK"), "Ministerie van BZK"),
    (("Joris Wolters", "Directeur Sociaal Domein", "Gemeente Amsterdam"), "Amsterdam"),
    (("Joris Wolters", "gemeente Rotterdam, cluster Maatschappelijke Ontwikkeling"), "Rotterdam"),
])
def test_the_signature_names_the_organisation_in_any_form(lines: tuple[str, ...], expected: str) -> None:
    d = send(Registry(), f"{lines[0]} <{lines[0].split()[0].lower()}@example.org>", signed(*lines))
    (person,) = d.changes
    assert person.attendee.municipality is None
    assert person.attendee.organisation == expected


@pytest.mark.parametrize(("body", "expected"), [
    ("Namens de VNG verzorg ik de toelichting in de Themagroep Financiën.", "VNG"),
    ("Vanuit Platform31 woon ik graag de sessie Mensen tussen wal en schip bij.", "Platform31"),
    ("Namens het ministerie van BZK ben ik aanwezig bij de Fysieke Pijler.", "Ministerie van BZK"),
])
def test_the_writer_says_whom_they_speak_for(body: str, expected: str) -> None:
    d = send(Registry(), "Anne Bos <anne.bos@gmail.com>", body + "\n\nGroet,\nAnne Bos\n")
    assert recorded(d)["Anne Bos"].organisation == expected


@pytest.mark.parametrize(("address", "expected"), [
    ("m.hofstede@vng.nl", "VNG"), ("ruben.aydin@minbzk.nl", "BZK"), ("secretariaat@mboraad.nl", "MBO Raad"),
    ("j.wolters@amsterdam.nl", "Amsterdam"),
])
def test_without_a_signature_the_mail_domain_tells(address: str, expected: str) -> None:
    d = send(Registry(), f"Anne Bos <{address}>", "Ik kom graag naar de netwerkborrel.\n")
    assert recorded(d)["Anne Bos"].organisation == expected


def test_a_session_named_after_an_organisation_is_no_employer() -> None:
    d = send(Registry(), "Anne Bos <anne.bos@gmail.com>",
             "Graag kom ik naar de toelichting van de VNG in de Themagroep Financiën.\n\nGroet,\nAnne Bos\n")
    assert recorded(d)["Anne Bos"].organisation is None


def test_a_member_keeps_the_municipality_and_gets_no_organisation() -> None:
    d = send(Registry(), "Lars Vos <l.vos@zwolle.nl>",
             signed("Lars Vos", "Burgemeester van Zwolle", "Lid VNG-commissie Bestuur, VNG"))
    person = recorded(d)["Lars Vos"]
    assert (person.municipality, person.organisation) == ("zwolle", None)


def test_a_partner_secretariat_registers_its_chair_under_its_organisation() -> None:
    d = send(Registry(), "Secretariaat MBO Raad <secretariaat@mboraad.nl>",
             "Graag bevestig ik namens Ton Heerts, voorzitter van de MBO Raad, zijn aanwezigheid bij de "
             "Themasessie Jeugd en aansluiting onderwijs-arbeidsmarkt.\n\nMet vriendelijke groet,\n\n"
             "Iris Koster\nSecretariaat bestuur MBO Raad\n")
    assert recorded(d)["Ton Heerts"].organisation == "MBO Raad"


def test_an_organisation_already_recorded_is_kept() -> None:
    first = send(Registry(), "Koen Verbeek <koen@example.org>", signed("Koen Verbeek", "Projectleider | Platform31"))
    registry = Registry(tuple(c.attendee for c in first.changes))
    later = send(registry, "Koen Verbeek <koen@example.org>",
                 "Ik kom ook naar het Algemeen Bestuur.\n\nMet vriendelijke groet,\n\nKoen Verbeek\nVNG\n")
    assert recorded(later)["Koen Verbeek"].organisation == "Platform31"
