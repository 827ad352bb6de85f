"""Optional capacity per session: a full session puts the person on its waiting list, and says so."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from mailbot.config import load
from mailbot.core.mailparse import parse
from mailbot.service import export, flush_outbox, make_sender, open_bot, process

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2017, 11, 16, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def config_with_capacity(tmp_path: Path, capacity: int) -> Path:
    text = (ROOT / "config.toml").read_text()
    text = text.replace('id = "financien"\n', f'id = "financien"\ncapacity = {capacity}\n', 1)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "rules").symlink_to(ROOT / "rules")
    path = tmp_path / "etc" / "config.toml"
    path.write_text(text)
    return path


def reply(sender: str, n: int, body: str) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "info@G32.nl"
    m["Subject"] = "Aanmelding netwerkdag"
    m["Message-ID"] = f"<wait-{n}@example.nl>"
    m["Date"] = "Mon, 06 Nov 2017 10:00:00 +0100"
    m.set_content(body)
    return bytes(m)


def run(tmp_path: Path, capacity: int, *mails: bytes) -> tuple[dict, list]:
    bot = open_bot(load(config_with_capacity(tmp_path, capacity), storage=tmp_path / "st"))
    for raw in mails:
        process(bot, raw, now=NOW)
    flush_outbox(bot, make_sender(bot.config), now=NOW)
    outbox = sorted((tmp_path / "st" / "outbox").glob("*.eml"))
    return export(bot), [parse(p.read_bytes()) for p in outbox]


def test_second_registration_for_a_full_session_is_waitlisted_and_told(tmp_path):
    state, mails = run(
        tmp_path, 1,
        reply("Saskia de Groot <s.degroot@zwolle.nl>", 1, "Graag meld ik mij aan voor de themagroep Financiën en het AB."),
        reply("Olga Jacobs <o.jacobs@dordrecht.nl>", 2, "Ik meld mij aan voor financien en de borrel."),
    )
    people = {a["name"]: a for a in state["attendees"]}
    assert people["Saskia de Groot"]["sessions"] == ["algemeen-bestuur", "financien"]
    assert people["Saskia de Groot"]["waitlist"] == []
    assert people["Olga Jacobs"]["sessions"] == ["netwerkborrel"]
    assert people["Olga Jacobs"]["waitlist"] == ["financien"]
    second = mails[1].get_body(("plain",)).get_content()
    assert "op de wachtlijst: 4. Themagroep Financiën" in second
    assert "wachtlijst" not in mails[0].get_body(("plain",)).get_content()


def test_without_capacity_nobody_waits(tmp_path):
    state, _ = run(
        tmp_path, 2,
        reply("Saskia de Groot <s.degroot@zwolle.nl>", 1, "Graag meld ik mij aan voor de themagroep Financiën."),
        reply("Olga Jacobs <o.jacobs@dordrecht.nl>", 2, "Ik meld mij aan voor financien."),
    )
    assert all(a["waitlist"] == [] and a["sessions"] == ["financien"] for a in state["attendees"])


def test_seats_given_earlier_in_the_same_message_count(tmp_path):
    state, _ = run(
        tmp_path, 1,
        reply("Bestuurssecretariaat Leiden <bestuurssecretariaat@leiden.nl>", 1,
              "Burgemeester Carla de Graaf neemt deel aan de themagroep Financiën.\n"
              "Wethouder Thijs Terpstra neemt deel aan de themagroep Financiën."),
    )
    people = {a["name"]: (a["sessions"], a["waitlist"]) for a in state["attendees"]}
    assert people == {"Carla de Graaf": (["financien"], []), "Thijs Terpstra": ([], ["financien"])}
