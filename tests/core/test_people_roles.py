"""people.py and understand.py on who is registered: roles, colleagues, pronouns, job titles."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

import pytest
from shipped import knowledge

from mailbot.core.people import NamedPerson, job_title, role_predicates, same_name, sender_role
from mailbot.core.understand import understand

_ids = itertools.count(1)


@pytest.mark.parametrize("text, role", [
    ("Sinds kort ben ik raadslid in Tilburg.", "raadslid"),
    ("Ik ben de nieuwe griffier van Breda.", "griffier"),
    ("Als gemeentesecretaris wil ik graag komen.", "gemeentesecretaris"),
])
def test_a_role_said_of_the_writer(text: str, role: str) -> None:
    assert list(role_predicates(text, knowledge().lexicon).values()) == [role]


@pytest.mark.parametrize("signature, role", [
    ("Kees Blom\nWethouder Economie en Cultuur\nGemeente Breda", "wethouder"),
    ("A. de Wit\ngriffier", "griffier"),
    ("Met vriendelijke groet,\nB. Bos\nGemeentesecretaris", "gemeentesecretaris"),
    ("Tim Ruis\nBeleidsmedewerker", None),
])
def test_sender_role_from_the_signature(signature: str, role: str | None) -> None:
    assert sender_role("Ik kom graag.", signature, knowledge().lexicon) == role


def test_job_titles_are_no_people() -> None:
    text = "Met Els Kok (directeur Stedelijke Vernieuwing bij het ministerie) als spreker."
    start = text.index("directeur")
    p = NamedPerson("Stedelijke Vernieuwing", "directeur", start, None, "directeur Stedelijke Vernieuwing")
    assert job_title(text, p)
    text = "Wethouder Pieterse komt ook."
    assert not job_title(text, NamedPerson("Pieterse", "wethouder", 0, None, "Wethouder Pieterse"))


def test_same_name_is_the_full_name_only() -> None:
    inv = knowledge().invitees[0]
    assert same_name(inv.name.upper(), knowledge().invitees) == inv
    assert same_name(inv.name.split()[-1], knowledge().invitees) is None


def _read(frm: str, body: str):
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = "info@G32.nl"
    msg["Subject"] = "Netwerkdag"
    msg["Date"] = "Mon, 13 Nov 2017 10:00:00 +0100"
    msg["Message-ID"] = f"<roles-{next(_ids)}@example.nl>"
    msg.set_content(body)
    return understand(msg, bytes(msg), knowledge())


def _tilburg():
    k = knowledge()
    mayor = next(i for i in k.invitees if i.municipality == "tilburg" and i.role == "burgemeester")
    alderman = next(i for i in k.invitees if i.municipality == "tilburg" and i.role == "wethouder")
    return mayor, alderman


def test_a_colleague_registers_someone_else_and_pronouns_never_point_at_the_writer() -> None:
    mayor, alderman = _tilburg()
    r = _read(f"{alderman.name} <{alderman.email}>",
              f"Burgemeester {mayor.name} vroeg mij hem aan te melden. Hij wil graag naar de themagroep "
              "Veiligheid.\n\nVoor mijzelf volgt een aparte mail.\n")
    chosen = {p.name: set(p.chosen) for p in r.people}
    assert chosen.get(mayor.name) == {"veiligheid"}
    assert not chosen.get(alderman.name)


def test_the_writer_coming_too_is_said_in_the_first_person() -> None:
    mayor, alderman = _tilburg()
    r = _read(f"{alderman.name} <{alderman.email}>",
              f"Burgemeester {mayor.name} en ik komen allebei naar de netwerkborrel.\n")
    assert {p.name for p in r.people if "netwerkborrel" in p.chosen} == {mayor.name, alderman.name}


def test_a_writer_not_on_the_list_keeps_the_role_they_state_and_no_portfolio_person() -> None:
    r = _read("Anna Smit <anna.smit71@gmail.com>",
              "Sinds deze maand ben ik wethouder Wonen en Zorg in de gemeente Tilburg. Graag meld ik mij aan "
              "voor de Sociale Pijler.\n\nAnna Smit\n")
    [p] = r.people
    assert (p.name, p.role, p.municipality, p.is_sender) == ("Anna Smit", "wethouder", "tilburg", True)
    assert p.chosen == {"sociale-pijler"}


def test_a_portfolio_in_the_signature_chooses_no_session() -> None:
    r = _read("Kees Blom <kees.blom@breda.nl>", "Ik kom graag naar de borrel.\n\nMet vriendelijke groet,\n\nKees Blom\nWethouder Financien\n")
    [p] = r.people
    assert p.chosen == {"netwerkborrel"} and p.role == "wethouder"
