"""understand.py: one message read into who it is from, who it is about, what each wants."""

from __future__ import annotations

import itertools
from dataclasses import replace
from email.message import EmailMessage
from functools import cache
from pathlib import Path

import pytest

from mailbot.config import load, load_invitees
from mailbot.core.types import Knowledge
from mailbot.core.understand import Reading, sender_name, understand, units

ROOT = Path(__file__).resolve().parents[2]
_ids = itertools.count(1)

ESTHER = "Esther Scholten <e.scholten@alkmaar.nl>"  # burgemeester of Alkmaar
SECRETARIAT = "Bestuurssecretariaat Alkmaar <bestuurssecretariaat@alkmaar.nl>"

INVITATION = """Op 2 nov. 2017 om 09:30 schreef G32 <info@G32.nl>:
> Graag nodigen wij u uit voor de G32 netwerkdag.
> 11.15 - 12.15 uur   Themagroep Financiën
> 14.00 - 15.30 uur   Themagroep Veiligheid / platform stedelijke veiligheid
> 15.30 - 16.00 uur   Algemeen Bestuur
> 16.00 - 17.00 uur   Netwerkborrel
> Burgemeester Kuipers en wethouder Smits openen de dag.
"""


@cache
def knowledge() -> Knowledge:
    cfg = load(ROOT / "config.toml")
    return replace(cfg.knowledge, invitees=load_invitees(ROOT / "rules" / "invitees.csv"))


def message(frm: str, body: str, *, subject: str = "RE: Uitnodiging G32 netwerkdag 30 november",
            reply_to: str | None = None, headers: tuple[tuple[str, str], ...] = ()) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = "info@G32.nl"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 13 Nov 2017 10:00:00 +0100"
    msg["Message-ID"] = f"<understand-{next(_ids)}@example.nl>"
    if reply_to:
        msg["Reply-To"] = reply_to
    for k, v in headers:
        msg[k] = v
    msg.set_content(body)
    return msg


def read(frm: str, body: str, **kw) -> Reading:
    msg = message(frm, body, **kw)
    return understand(msg, bytes(msg), knowledge())


def who(r: Reading) -> dict[str, list[str]]:
    """Person name -> sessions chosen, for compact assertions."""
    return {p.name: sorted(p.chosen) for p in r.people}


# --- the sender ------------------------------------------------------------------


def test_invitee_registers_herself() -> None:
    r = read(ESTHER, "Graag meld ik mij aan voor Financiën en het AB.\n\nMet vriendelijke groet,\nEsther Scholten")
    assert r.classification.kind == "human"
    assert r.sender.how == "invitee-address" and r.sender.municipality == "alkmaar"
    (p,) = r.people
    assert (p.key, p.name, p.role, p.email, p.municipality) == (
        "e.scholten@alkmaar.nl", "Esther Scholten", "burgemeester", "e.scholten@alkmaar.nl", "alkmaar")
    assert p.is_sender and p.on_invitee_list
    assert p.chosen == {"financien", "algemeen-bestuur"}
    assert p.cues.has("register")


def test_quoted_invitation_adds_no_sessions_and_no_people() -> None:
    r = read(ESTHER, "Ik kom graag naar het AB.\n\n" + INVITATION)
    assert who(r) == {"Esther Scholten": ["algemeen-bestuur"]}
    assert "Netwerkborrel" not in r.new_text


def test_day_only_registration_has_no_sessions() -> None:
    r = read(ESTHER, "Ik ben erbij!\n\n" + INVITATION)
    assert who(r) == {"Esther Scholten": []}
    assert r.people[0].cues.has("register")


def test_signature_portfolios_are_not_sessions() -> None:
    body = ("Ik kom naar de sessie over mensen tussen wal en schip.\n\n"
            "Met vriendelijke groet,\n\nJeroen Bakker\nwethouder Financiën, Ondernemerschap en Veiligheid\n"
            "Gemeente Maastricht\n")
    r = read("Jeroen Bakker <j.bakker@maastricht.nl>", body)
    assert who(r) == {"Jeroen Bakker": ["wal-en-schip"]}


def test_unknown_sender_name_from_display_name() -> None:
    r = read('"Aydın, R. (Ruben) - DGBW" <ruben.aydin@minbzk.nl>', "Ik kom graag naar de Fysieke Pijler en de borrel.")
    (p,) = r.people
    assert p.name == "Ruben Aydın" and p.municipality is None and not p.on_invitee_list
    assert p.key == "addr:ruben.aydin@minbzk.nl"
    assert r.sender.municipality is None and not r.sender.trusted


def test_unknown_sender_name_from_signature_when_display_name_is_an_office() -> None:
    r = read("Info <info@bureau.example>", "Ik kom naar veiligheid.\n\nGroet,\nKlaas Vaak\n")
    assert [p.name for p in r.people] == ["Klaas Vaak"]


def test_signature_names_the_municipality_and_the_invitee() -> None:
    body = "Ik kom naar veiligheid.\n\nGroet,\nPieter Huisman\nwethouder gemeente Deventer\n"
    r = read("Pieter Huisman <pieterhuisman@live.nl>", body)
    assert r.sender.how == "text" and r.sender.municipality == "deventer"
    (p,) = r.people
    assert p.on_invitee_list and p.email == "p.huisman@deventer.nl" and p.chosen == {"veiligheid"}


def test_reply_to_is_where_answers_go() -> None:
    r = read(ESTHER, "Ik kom naar het AB.", reply_to=SECRETARIAT)
    assert r.mail.reply_addresses == ("bestuurssecretariaat@alkmaar.nl",)
    assert read(ESTHER, "Ik kom naar het AB.").mail.reply_addresses == ("e.scholten@alkmaar.nl",)


# --- other people named ---------------------------------------------------------


def test_secretariat_registers_the_mayor_not_itself() -> None:
    r = read(SECRETARIAT, "Namens burgemeester Scholten meld ik aan voor het AB en Financiën.")
    assert who(r) == {"Esther Scholten": ["algemeen-bestuur", "financien"]}
    (p,) = r.people
    assert not p.is_sender and p.on_invitee_list and p.role == "burgemeester"


def test_secretariat_two_people_in_separate_sentences() -> None:
    r = read(SECRETARIAT, "Burgemeester Scholten komt naar het AB. Wethouder Smits komt naar de borrel.")
    assert who(r) == {"Esther Scholten": ["algemeen-bestuur"], "Jeroen Smits": ["netwerkborrel"]}


def test_pronoun_points_back_to_the_last_person() -> None:
    r = read(SECRETARIAT, "Burgemeester Scholten komt naar het AB. Zij neemt ook deel aan Financiën.")
    assert who(r) == {"Esther Scholten": ["algemeen-bestuur", "financien"]}


@pytest.mark.parametrize(
    ("frm", "body", "expected"),
    [
        # each person gets what is said from their name up to the next person
        (ESTHER, "Ik kom naar het AB en wethouder Smits komt naar de borrel.",
         {"Esther Scholten": ["algemeen-bestuur"], "Jeroen Smits": ["netwerkborrel"]}),
        (SECRETARIAT, "Burgemeester Scholten komt naar het AB en wethouder Smits naar de borrel.",
         {"Esther Scholten": ["algemeen-bestuur"], "Jeroen Smits": ["netwerkborrel"]}),
        # a shared predicate counts for both
        (SECRETARIAT, "Burgemeester Scholten en wethouder Smits komen naar de borrel.",
         {"Esther Scholten": ["netwerkborrel"], "Jeroen Smits": ["netwerkborrel"]}),
        (ESTHER, "Wethouder Smits en ik komen naar de borrel.",
         {"Jeroen Smits": ["netwerkborrel"], "Esther Scholten": ["netwerkborrel"]}),
        # "... ook" shares what came before
        (SECRETARIAT, "Burgemeester Scholten komt naar het AB, wethouder Smits ook.",
         {"Esther Scholten": ["algemeen-bestuur"], "Jeroen Smits": ["algemeen-bestuur"]}),
        # what stands before the first name counts for everyone
        (SECRETARIAT, "Voor het AB meld ik burgemeester Scholten en wethouder Smits aan.",
         {"Esther Scholten": ["algemeen-bestuur"], "Jeroen Smits": ["algemeen-bestuur"]}),
    ],
)
def test_one_sentence_several_people(frm: str, body: str, expected: dict) -> None:
    assert who(read(frm, body)) == expected


def test_one_sentence_register_and_decline() -> None:
    r = read(SECRETARIAT, "Burgemeester Scholten komt naar het AB en wethouder Smits is verhinderd.")
    by = {p.name: p for p in r.people}
    assert by["Esther Scholten"].chosen == {"algemeen-bestuur"}
    assert by["Jeroen Smits"].chosen == frozenset() and by["Jeroen Smits"].cues.has("decline")
    assert not by["Esther Scholten"].cues.has("decline")


def test_sender_is_dropped_when_only_others_are_named() -> None:
    r = read(ESTHER, "Wethouder Smits komt naar de borrel.")
    assert who(r) == {"Jeroen Smits": ["netwerkborrel"]}


def test_unknown_person_named_by_a_member_secretariat() -> None:
    r = read(SECRETARIAT, "Wethouder Jan Peeters komt naar de borrel.")
    (p,) = r.people
    assert (p.name, p.role, p.municipality, p.on_invitee_list, p.email) == (
        "Jan Peeters", "wethouder", "alkmaar", False, None)
    assert p.key == "name:jan peeters|alkmaar"


def test_greeting_does_not_name_an_attendee() -> None:
    r = read("Secretariaat <bestuurssecretariaat@haarlem.nl>",
             "Geachte heer Crone,\n\nBurgemeester Kuipers komt graag naar het AB.")
    assert who(r) == {"Marieke Kuipers": ["algemeen-bestuur"]}


# --- negation, inline answers, cues -------------------------------------------


def test_negation_in_a_reading() -> None:
    r = read(ESTHER, "Ik meld mij aan. 's Middags niet naar veiligheid, wel naar de fysieke pijler.")
    (p,) = r.people
    assert p.chosen == {"fysieke-pijler"} and p.dropped == {"veiligheid"}


def test_inline_answers_between_quoted_lines() -> None:
    body = ("Ik kom graag. Mijn keuzes staan hieronder.\n\n"
            "Op 2 nov. 2017 schreef G32 <info@G32.nl>:\n"
            "> 10.00 - 11.00 uur   Themasessie Mensen tussen wal en schip\n\n"
            "Ja, deze graag.\n\n"
            "> 11.15 - 12.15 uur   Themagroep Financiën\n"
            "> 16.00 - 17.00 uur   Netwerkborrel\n\n"
            "En natuurlijk de borrel.\n\n"
            "> Aanmelden via info@G32.nl\n")
    r = read(ESTHER, body)
    assert who(r) == {"Esther Scholten": ["netwerkborrel", "wal-en-schip"]}


def test_message_cues_are_the_union_of_all_units() -> None:
    r = read(ESTHER, "Ik kom naar het AB. Is er parkeergelegenheid?")
    assert r.cues.has("register") and r.cues.has("question")


# --- automatic mail is not read for people --------------------------------------


@pytest.mark.parametrize(
    ("frm", "headers", "kind"),
    [
        (ESTHER, (("Auto-Submitted", "auto-replied"),), "auto-reply"),
        ("Nieuws <nieuws@vendor.example>", (("Precedence", "bulk"), ("List-Unsubscribe", "<mailto:u@vendor.example>")),
         "bulk"),
        (ESTHER, (("Authentication-Results", "mx1.g32.nl; dmarc=fail header.from=alkmaar.nl"),), "auth-fail"),
        ("G32 <info@G32.nl>", (), "loop"),
    ],
)
def test_automatic_mail_has_no_people(frm: str, headers: tuple, kind: str) -> None:
    r = read(frm, "Ik kom naar het AB en de borrel.", headers=headers)
    assert r.classification.kind == kind
    assert r.people == ()


def test_untrusted_authentication_results_are_ignored() -> None:
    r = read(ESTHER, "Ik kom naar het AB.",
             headers=(("Authentication-Results", "evil.example; dmarc=fail header.from=alkmaar.nl"),))
    assert r.classification.kind == "human" and who(r) == {"Esther Scholten": ["algemeen-bestuur"]}


def test_calendar_reply() -> None:
    ics = ("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:test\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
           "UID:g32-netwerkdag@g32.nl\r\nDTSTART:20171130T090000Z\r\n"
           "ATTENDEE;PARTSTAT=ACCEPTED:mailto:e.scholten@alkmaar.nl\r\n"
           "COMMENT:Graag ook de borrel\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    msg = message(ESTHER, "Geaccepteerd: G32 netwerkdag")
    msg.add_alternative(ics, subtype="calendar", params={"method": "REPLY"})
    r = understand(msg, bytes(msg), knowledge())
    assert r.calendar == "ACCEPTED"
    assert who(r) == {"Esther Scholten": ["netwerkborrel"]}  # the comment names it


# --- units and names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik kom. Zij ook!", ["Ik kom.", "Zij ook!"]),
        ("AB\nborrel", ["AB", "borrel"]),
        ("dhr. J. Bos komt naar het AB.", ["dhr. J. Bos komt naar het AB."]),  # no split after initials
        ("Om 13.00 uur de sessie.", ["Om 13.00 uur de sessie."]),  # nor inside a time
        ("Komt u? Graag.", ["Komt u?", "Graag."]),
        ("\n\n  \n", []),
    ],
)
def test_units(text: str, expected: list[str]) -> None:
    assert units(text) == expected


def test_sender_name_prefers_a_person_display_name() -> None:
    r = read('"Beek, Dirk van" <d.vanbeek@almelo.nl>', "Helaas verhinderd.")
    assert sender_name(r.mail, "", knowledge()) == "Dirk van Beek"
    office = read("Bestuurssecretariaat <bestuurssecretariaat@almelo.nl>", "x")
    assert sender_name(office.mail, "Groet,\nAnne de Wit\n", knowledge()) == "Anne de Wit"
    assert sender_name(office.mail, "", knowledge()) == "Bestuurssecretariaat"


def test_an_abbreviation_ends_no_sentence_but_a_number_at_a_sentence_end_does():
    from mailbot.core.understand import units

    assert units("Ik kom voor nr. 1, 7 en 8 uit de brief. De borrel niet.") == [
        "Ik kom voor nr. 1, 7 en 8 uit de brief.", "De borrel niet."]
    assert units("Hij kiest 7 en 10. Bij het AB is hij er niet.") == [
        "Hij kiest 7 en 10", "Bij het AB is hij er niet."]
    assert units("1. Themasessie\n2. Borrel") == ["1. Themasessie", "2. Borrel"]
