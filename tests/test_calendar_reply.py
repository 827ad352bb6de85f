"""Calendar answers (iMIP METHOD:REPLY, as Outlook sends them) count by PARTSTAT (contract rule 25)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot.config import load
from mailbot.service import export, flush_outbox, make_sender, open_bot, process

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2017, 11, 16, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
SUBJECT = {"ACCEPTED": "Geaccepteerd", "DECLINED": "Geweigerd", "TENTATIVE": "Voorlopig"}


def imip_reply(partstat: str, comment: str = "") -> bytes:
    m = EmailMessage()
    m["From"] = "Saskia de Groot <s.degroot@zwolle.nl>"
    m["To"] = "info@G32.nl"
    m["Subject"] = f"{SUBJECT[partstat]}: G32 netwerkdag"
    m["Message-ID"] = f"<imip-{partstat}@zwolle.nl>"
    m["Date"] = "Mon, 06 Nov 2017 10:00:00 +0100"
    m.set_content(comment)
    ics = ("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n"
           f"BEGIN:VEVENT\r\nATTENDEE;PARTSTAT={partstat}:mailto:s.degroot@zwolle.nl\r\nCOMMENT:{comment}\r\n"
           "SUMMARY:G32 netwerkdag\r\nUID:abc@g32.nl\r\nDTSTART:20171130T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    m.add_alternative(ics.encode(), maintype="text", subtype="calendar", params={"method": "REPLY"})
    return bytes(m)


@pytest.fixture
def bot(tmp_path):
    return open_bot(load(ROOT / "config.toml", storage=tmp_path))


def ingest(bot, raw: bytes) -> dict:
    process(bot, raw, now=NOW)
    flush_outbox(bot, make_sender(bot.config), now=NOW)
    return export(bot)


def test_accepted_registers_with_sessions_only_from_the_comment(bot):
    state = ingest(bot, imip_reply("ACCEPTED", "Ik kom naar financien en de borrel"))
    assert [(a["name"], a["status"], a["sessions"]) for a in state["attendees"]] == [
        ("Saskia de Groot", "registered", ["financien", "netwerkborrel"])]
    assert [(o["kind"], o["to"]) for o in state["outbox"]] == [("confirmation", ["s.degroot@zwolle.nl"])]
    assert state["review"] == []


def test_accepted_without_comment_registers_for_the_day(bot):
    state = ingest(bot, imip_reply("ACCEPTED"))
    assert [(a["status"], a["sessions"]) for a in state["attendees"]] == [("registered", [])]


def test_declined_declines_and_is_acknowledged(bot):
    state = ingest(bot, imip_reply("DECLINED"))
    assert [(a["status"], a["sessions"]) for a in state["attendees"]] == [("declined", [])]
    assert [o["kind"] for o in state["outbox"]] == ["acknowledgement"]


def test_tentative_goes_to_staff_and_is_not_confirmed(bot):
    state = ingest(bot, imip_reply("TENTATIVE"))
    assert state["review"] and "Voorlopig" in state["review"][0]["reason"]
    assert [o["kind"] for o in state["outbox"]] == []
