"""What an invitee reads: every mail fits the person it goes to.

What a user notices: the reminder never claims we did not hear from someone
who wrote to us; reminders and cancellations reach the secretariat that
registered the person; the iBabs line goes only to members who attend the
Algemeen Bestuur; writing again gets an answer, a change says what changed,
counts are said as numbers, and an open question is asked again; mails open
with a proper Dutch form of address and are signed by a person with a phone
number.

Runs the real pipeline (service.process, the one `ingest` uses) and the
scheduler's reminder job on corpus messages and a few written here, against a
real SQLite database in tmp_path; mails are read back with the stdlib parser.
"""

from __future__ import annotations

import email
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from mailbot import config, db, jobs
from mailbot.errors import ConfigError
from mailbot.mail.compose import salutation, surname
from mailbot.service import open_bot, process

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus"
AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2017, 11, 16, 9, 0, tzinfo=AMS)
WEEK47 = datetime(2017, 11, 20, 9, 0, tzinfo=AMS)
NOT_HEARD = "geen aanmelding of afmelding"


def case_files(case: str) -> list[Path]:
    (folder,) = CORPUS.glob(f"{case}-*")
    return sorted(folder.glob("*.eml"), key=lambda p: int(p.stem))


def written_mail(sender: str, name: str, body: str, n: int, subject: str = "Netwerkdag 30 november") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>"
    msg["To"] = "info@G32.nl"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2017, 11, 14, 10, n % 60, tzinfo=AMS))
    msg["Message-ID"] = f"<content-test-{n}@{sender.partition('@')[2]}>"
    msg.set_content(body)
    return bytes(msg)


# Mail written here: a tentative answer, a question, and two repeats of what was recorded.
TENTATIVE = ("g.degraaf@almelo.nl", "Gerda de Graaf",
             "Goedemorgen,\n\nIk twijfel nog of ik kan komen; ik laat het u volgende week weten.\n\n"
             "Met vriendelijke groet,\nGerda de Graaf")
SAME_AGAIN = ("l.kok@almelo.nl", "Linda Kok",
              "Beste,\n\nIk meld mij aan voor de Themagroep Veiligheid.\n\nGroet,\nLinda Kok")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One store: corpus cases and the mail above, then the week-47 reminders.

    019 secretariat registers mayor Esther Scholten (Alkmaar, AB); 029 a secretariat
    registers Bas van Wijk, who cancels himself; 030 Linda Kok registers, then swaps;
    035 Bas Postma names two 11.15 sessions (a clarification, left unanswered);
    040 candidate member Assen registers its mayor for the AB; 042 a VNG speaker;
    049 Thijs Willems only asks about parking.
    """
    storage = tmp_path_factory.mktemp("content")
    bot = open_bot(config.load(REPO / "config.toml", storage=storage))
    sources: dict[str, str] = {}
    for case in ("019", "029", "030", "035", "040", "042", "049"):
        for f in case_files(case):
            sources[process(bot, f.read_bytes(), now=NOW, source=f"file:{f.name}").message_id] = case
    for n, (sender, name, body) in enumerate((TENTATIVE, SAME_AGAIN), start=1):
        sources[process(bot, written_mail(sender, name, body, n), now=NOW, source="file").message_id] = name
    jobs.run_due(bot, now=WEEK47, jobs=("reminder",))
    out: dict[str, list[EmailMessage]] = {}
    with Session(bot.engine) as s:
        for row in s.exec(select(db.Outbox).order_by(db.Outbox.id)).all():
            msg = email.message_from_bytes(row.raw, policy=policy.default)
            key = sources.get(row.source_message_id or "", "reminder")
            out.setdefault(key, []).append(msg)
    return {"mails": out, "knowledge": bot.knowledge}


def text(msg: EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()


def addresses(msg: EmailMessage, header: str) -> list[str]:
    return [a.addr_spec.lower() for a in msg[header].addresses] if msg[header] else []


def reminder_to(world, address: str) -> EmailMessage:
    found = [m for m in world["mails"]["reminder"] if addresses(m, "To") == [address]]
    assert len(found) == 1, f"{len(found)} reminders to {address}"
    return found[0]


# --- 1: reminders fit the person ------------------------------------------------


@pytest.mark.parametrize("address", ["t.willems@zoetermeer.nl", "g.degraaf@almelo.nl"])
def test_someone_who_wrote_never_hears_we_did_not_hear_from_them(world, address):
    """Thijs Willems asked a question (049), Gerda de Graaf wrote she is in doubt."""
    body = text(reminder_to(world, address))
    assert NOT_HEARD not in body
    assert "Dank voor uw eerdere bericht" in body
    assert "Komt u?" in body


def test_someone_who_never_wrote_still_gets_the_plain_reminder(world):
    body = text(reminder_to(world, "d.vanbeek@almelo.nl"))
    assert NOT_HEARD in body


# --- 10: form of address and signer -----------------------------------------------


@pytest.mark.parametrize("name, role, sex, expected", [
    ("Lars Vos", "burgemeester", None, "Geachte burgemeester Vos"),
    ("Esther Scholten", None, "v", "Geachte mevrouw Scholten"),
    ("Lars Vos", "burgemeester", "m", "Geachte heer Vos"),
    ("Pieter de Jong", "wethouder", None, "Geachte wethouder De Jong"),
    ("Stefan van den Berg", "wethouder", None, "Geachte wethouder Van den Berg"),
    ("Thijs Willems", None, None, "Geachte heer/mevrouw Willems"),
    ("Ayşe Öztürk-Çelik", "beleidsadviseur", None, "Geachte heer/mevrouw Öztürk-Çelik"),
    ("", None, None, "Geachte heer, mevrouw"),
])
def test_dutch_forms_of_address(name, role, sex, expected):
    assert salutation(name, role, sex) == expected


def test_an_exchange_display_name_gives_the_surname():
    assert surname("Beek, Dirk van") == "Van Beek"


def test_mails_open_with_the_form_of_address_for_the_reader(world):
    mails = world["mails"]
    assert text(mails["030"][0]).startswith("Geachte wethouder Kok,")
    assert text(mails["035"][0]).startswith("Geachte burgemeester Postma,")
    # a secretariat is not addressed as the mayor it writes for
    assert text(mails["019"][0]).startswith("Geachte heer, mevrouw,")
    assert text(reminder_to(world, "d.vanbeek@almelo.nl")).startswith("Geachte wethouder Van Beek,")
    assert text(reminder_to(world, "e.scholten@alkmaar.nl")).startswith("Geachte burgemeester Scholten,")
    for msgs in mails.values():
        for m in msgs:
            first = text(m).splitlines()[0]
            assert first.startswith("Geachte ") and "Thijs Willems" not in first


def test_every_mail_is_signed_by_the_configured_person_with_a_phone_number(world):
    signer = world["knowledge"].event.signer
    assert signer.name and signer.phone
    for msgs in world["mails"].values():
        for m in msgs:
            body = text(m)
            closing = body[body.index("Met vriendelijke groet"):]
            assert signer.name in closing and signer.function in closing and signer.phone in closing
            assert signer.name in m.get_body(("html",)).get_content()


def test_a_signer_phone_that_cannot_be_dialled_is_a_one_line_config_error(tmp_path):
    cfg = (REPO / "config.toml").read_text(encoding="utf-8")
    bad = tmp_path / "config.toml"
    bad.write_text(cfg.replace('phone = "06 12345678"', 'phone = "bel ons"').replace(
        'rules = "rules"', f'rules = "{REPO / "rules"}"').replace(
        'invitees = "rules/invitees.csv"', f'invitees = "{REPO / "rules" / "invitees.csv"}"'), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        config.load(bad, storage=tmp_path / "storage")
    assert "signer.phone" in str(e.value) and "\n" not in str(e.value)


# --- 11: the secretariat is copied ----------------------------------------------------


def test_a_cancellation_is_copied_to_the_secretariat_that_registered_the_person(world):
    confirmation, acknowledgement = world["mails"]["029"]
    assert acknowledgement["X-Mailbot-Kind"] == "acknowledgement"
    assert addresses(acknowledgement, "To") == ["b.vanwijk@schiedam.nl"]
    assert addresses(acknowledgement, "Cc") == ["bestuurssecretariaat@schiedam.nl"]


def test_week47_reminders_copy_the_secretariat(world):
    registered = reminder_to(world, "e.scholten@alkmaar.nl")  # registered by the secretariat (019)
    assert addresses(registered, "Cc") == ["bestuurssecretariaat@alkmaar.nl"]
    unanswered = reminder_to(world, "d.vanbeek@almelo.nl")  # from the invitee list
    assert addresses(unanswered, "Cc") == ["bestuurssecretariaat@almelo.nl"]


# --- 12: the iBabs line --------------------------------------------------------------

IBABS = "iBabs"


def test_the_board_documents_line_goes_to_members_attending_the_board(world):
    assert IBABS in text(reminder_to(world, "e.scholten@alkmaar.nl"))  # Alkmaar, member, AB


@pytest.mark.parametrize("address, who", [
    ("l.kok@almelo.nl", "member, not at the AB"),
    ("h.terpstra@assen.nl", "candidate member at the AB: the board decides on Assen"),
    ("marjolein.hofstede@vng.nl", "VNG, not a member"),
])
def test_the_board_documents_line_is_not_sent_to_others(world, address, who):
    assert IBABS not in text(reminder_to(world, address)), who


# --- 13: answers that say what happened ------------------------------------------------


def test_writing_again_what_is_recorded_gets_the_registration_as_it_stands(world):
    (reply,) = world["mails"]["Linda Kok"]
    assert reply["X-Mailbot-Kind"] == "confirmation"
    body = text(reply)
    assert "niets gewijzigd" in body
    assert "Statushouders" in body and "Veiligheid" in body  # what is recorded after 030


def test_a_change_confirmation_says_what_changed(world):
    first, change = world["mails"]["030"]
    assert "toegevoegd" not in text(first)
    body = " ".join(text(change).split())
    assert "toegevoegd: 6. Doorstart themagroep Statushouders" in body
    assert "vervallen: 4. Themagroep Financiën" in body
    assert "wijziging" in change["Subject"].lower()


def test_counts_are_said_as_numbers(world):
    (clarification,) = world["mails"]["035"]
    body = text(clarification)
    assert "twee sessies" in body
    assert "een paar" not in body.lower() and "meer dan één sessie" not in body


def test_a_reminder_repeats_an_open_question(world):
    body = " ".join(text(reminder_to(world, "b.postma@tilburg.nl")).split())
    assert "om 11.15 uur twee sessies: 4. Themagroep Financiën of 6. Doorstart themagroep Statushouders" in body
    assert "Welke sessie kiest u?" in body


def test_a_reminder_asks_nothing_once_nothing_is_open(world):
    assert "Welke sessie kiest u?" not in text(reminder_to(world, "l.kok@almelo.nl"))


def test_the_invitation_opens_with_the_form_of_address(world):
    """invite.py gives the invitee's name; the function comes from the invitee list."""
    from mailbot.mail.compose import facts, render

    ctx = {**facts(world["knowledge"]), "name": "Pieter de Jong", "all_sessions": [], "documents_date": ""}
    _, body, html = render("invitation", ctx)
    assert body.startswith("Geachte wethouder De Jong,")
    assert "Geachte wethouder De Jong," in html
