"""The confirmation as it leaves the bot: what a recipient's mail client shows.

What a user notices: a Dutch subject and names with accents arrive readable;
the reply sits in the thread of their message and is marked as automatic; it
has a plain-text and an HTML version; the agenda item (.ics) opens in their
calendar at the right local time; the mail survives any SMTP server (CRLF,
no line over 998 octets); and nothing in a name or subject can add a header.

Built the way service._process builds it: compose_reply, then the .ics from
calendar.ics attached, then bytes(); read back with the stdlib parser.
"""

from __future__ import annotations

import copy
import email
import pickle
from dataclasses import replace
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mailbot import config
from mailbot.core.types import Attendee, Knowledge, Mail, Reply
from mailbot.mail.calendar import filename, ics
from mailbot.mail.compose import build, compose_reply

REPO = Path(__file__).resolve().parent.parent
AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2017, 11, 16, 9, 0, tzinfo=AMS)
NAME = "Ayşe Öztürk-Çelik"


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory) -> Knowledge:
    return config.load(REPO / "config.toml", storage=tmp_path_factory.mktemp("compose")).knowledge


def attendee(knowledge: Knowledge, *, name: str = NAME, key: str = "inv:ayse") -> Attendee:
    financien = next(s.id for s in knowledge.event.sessions if "Financi" in s.title)
    return Attendee(key=key, name=name, role="wethouder", email="a.ozturk@alkmaar.nl", municipality=None,
                    status="registered", sessions=frozenset({financien}))


def original(references: tuple[str, ...] = ("<first@alkmaar.nl>",)) -> Mail:
    return Mail(message_id="<vraag-42@alkmaar.nl>", from_addr="a.ozturk@alkmaar.nl", from_name=NAME, reply_to=(),
                to=("info@G32.nl",), cc=(), subject="Aanmelding netwerkdag – Öztürk", date=NOW,
                in_reply_to=references[-1] if references else None, references=references)


def confirmation(knowledge: Knowledge, who: Attendee, mail: Mail, *, cancel: bool = False) -> bytes:
    """The bytes service._process queues for one confirmation with its agenda item."""
    person = {"name": who.name, "role": who.role, "municipality": who.municipality, "status": who.status,
              "sessions": sorted(who.sessions), "waitlist": [], "what": "new"}
    out = compose_reply(Reply("confirmation", mail.reply_addresses, "confirmation",
                              {"people": [person], "conflicts": {}}), mail, knowledge, NOW)
    out.add_attachment(ics(who, knowledge, sequence=2, now=NOW, cancel=cancel), maintype="text",
                       subtype="calendar", filename=filename(who),
                       params={"method": "CANCEL" if cancel else "REQUEST"})
    assert isinstance(out, EmailMessage)
    assert out["Message-ID"] and "Bevestiging" in out["Subject"]  # what the callers read back
    return bytes(out)


def received(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def test_a_dutch_subject_with_accents_arrives_readable(knowledge):
    subject = "Bevestiging aanmelding – Financiën, café ’t Hoekje"
    raw = bytes(build(kind="confirmation", to=("a@b.nl",), subject=subject, text="Tekst\n", html="<p>Tekst</p>\n",
                      knowledge=knowledge, now=NOW))
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii(), "non-ASCII in headers must be RFC 2047 encoded"
    assert b"=?utf-8?" in head
    assert received(raw)["Subject"] == subject


def test_sender_name_with_accents_arrives_readable(knowledge):
    k = replace(knowledge, event=replace(knowledge.event, sender_name="Stedennetwerk G32 – Amsterdam é"))
    msg = received(bytes(build(kind="digest", to=("staf@G32.nl",), subject="Overzicht", text="x\n", html="<p>x</p>\n",
                               knowledge=k, now=NOW)))
    assert msg["From"].addresses[0].display_name == "Stedennetwerk G32 – Amsterdam é"
    assert msg["From"].addresses[0].addr_spec == "info@G32.nl"


def test_the_reply_sits_in_the_thread_and_is_marked_automatic(knowledge):
    msg = received(confirmation(knowledge, attendee(knowledge), original(("<first@alkmaar.nl>", "<second@G32.nl>"))))
    assert msg["In-Reply-To"] == "<vraag-42@alkmaar.nl>"
    assert msg["References"].split() == ["<first@alkmaar.nl>", "<second@G32.nl>", "<vraag-42@alkmaar.nl>"]
    assert msg["Auto-Submitted"] == "auto-replied"
    assert "AutoReply" in msg["X-Auto-Response-Suppress"]
    assert msg["To"].addresses[0].addr_spec == "a.ozturk@alkmaar.nl"
    assert msg["Date"].datetime == NOW
    assert msg["Message-ID"].endswith("@g32.nl>")
    assert msg["Content-Language"] == "nl-NL"  # spell checkers and screen readers read it as Dutch


def test_plain_text_and_html_versions_with_the_name_intact(knowledge):
    msg = received(confirmation(knowledge, attendee(knowledge), original()))
    assert msg.get_content_type() == "multipart/mixed"
    alternative = msg.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html = alternative.get_payload()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert NAME in plain.get_content() and "Financiën" in plain.get_content()
    assert NAME in html.get_content()
    assert msg.get_body(("plain",)).get_content() == plain.get_content()


def test_the_agenda_item_opens_at_local_time_with_its_timezone(knowledge):
    who = attendee(knowledge)
    msg = received(confirmation(knowledge, who, original()))
    (part,) = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == filename(who)
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert str(cal["METHOD"]) == "REQUEST"
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Amsterdam"
    (ev,) = cal.walk("VEVENT")
    for prop in ("DTSTART", "DTEND"):
        assert ev[prop].params["TZID"] == "Europe/Amsterdam"
    assert ev.decoded("DTSTART") == datetime(2017, 11, 30, 11, 15, tzinfo=AMS)
    assert ev.decoded("DTEND") == datetime(2017, 11, 30, 12, 15, tzinfo=AMS)
    assert ev.decoded("DTSTAMP") == NOW
    assert int(ev["SEQUENCE"]) == 2
    assert str(ev["UID"]).endswith("@g32.nl")
    assert str(ev["SUMMARY"]) == knowledge.event.name
    assert str(ev["LOCATION"]) == knowledge.event.venue
    assert "Financiën" in str(ev["DESCRIPTION"])
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert str(ev["ORGANIZER"]) == "mailto:info@G32.nl" and ev["ORGANIZER"].params["CN"] == "G32"
    assert str(ev["ATTENDEE"]) == "mailto:a.ozturk@alkmaar.nl"
    assert ev["ATTENDEE"].params["CN"] == NAME and ev["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"


def test_a_cancellation_removes_the_same_agenda_item(knowledge):
    who = attendee(knowledge)
    first, cancelled = (received(confirmation(knowledge, who, original(), cancel=c)) for c in (False, True))

    def event(msg):
        (part,) = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
        cal = Calendar.from_ical(part.get_payload(decode=True))
        return part, cal, cal.walk("VEVENT")[0]

    part, cal, ev = event(cancelled)
    assert part.get_param("method") == "CANCEL" and str(cal["METHOD"]) == "CANCEL"
    assert str(ev["STATUS"]) == "CANCELLED" and ev["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    assert str(ev["UID"]) == str(event(first)[2]["UID"])
    assert cal.walk("VTIMEZONE")


def test_every_line_ends_in_crlf_and_stays_under_998_octets(knowledge):
    long_thread = tuple(f"<bericht-{i}-{'x' * 60}@alkmaar.nl>" for i in range(30))
    raw = confirmation(knowledge, attendee(knowledge, name="Jan " + "van " * 120 + "Dijk"), original(long_thread))
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    msg = received(raw)
    assert msg["References"].split()[-1] == "<vraag-42@alkmaar.nl>"
    assert len(msg["References"].split()) == 11  # the last ten of the thread and the message answered


def test_a_name_or_subject_cannot_add_a_header(knowledge):
    for subject in ("Aanmelding\r\nBcc: evil@attacker.example", "Aanmelding\nBcc: evil@attacker.example"):
        with pytest.raises(ValueError):
            build(kind="confirmation", to=("a@b.nl",), subject=subject, text="x\n", html="<p>x</p>\n",
                  knowledge=knowledge, now=NOW)
    raw = confirmation(knowledge, attendee(knowledge, name="Evil\r\nBcc: evil@attacker.example"), original())
    assert b"\r\nBcc:" not in raw.split(b"\r\n\r\n", 1)[0]
    assert "bcc" not in {k.lower() for k in received(raw).keys()}


def test_messages_do_not_leak_into_each_other(knowledge):
    """Parsed headers are shared between messages internally; each mail keeps its own
    content, Message-ID and MIME boundaries."""
    one = compose_reply(Reply("confirmation", ("een@alkmaar.nl",), "confirmation", {"people": [], "conflicts": {}}),
                        original(), knowledge, NOW)
    before = bytes(one)
    other = confirmation(knowledge, attendee(knowledge, name="Piet Één", key="inv:piet"), original())
    assert bytes(one) == before
    a, b = received(before), received(other)
    assert a["Message-ID"] != b["Message-ID"]
    assert a.get_boundary() != b.get_payload()[0].get_boundary()
    assert "Piet" not in before.decode("utf-8")


def test_a_composed_message_can_be_copied_or_pickled_unchanged(knowledge):
    """As before the header caches: a message handed to another process sends the same bytes."""
    out = compose_reply(Reply("confirmation", ("een@alkmaar.nl",), "confirmation", {"people": [], "conflicts": {}}),
                        original(), knowledge, NOW)
    raw = bytes(out)
    assert bytes(pickle.loads(pickle.dumps(out))) == raw
    assert bytes(copy.deepcopy(out)) == raw


def test_a_secretariat_in_copy_is_in_cc_and_a_staff_change_addresses_the_person(knowledge):
    """A cancellation made by staff (no message answered) goes to the person, copying the
    secretariat; it opens with the person's form of address, not "Geachte heer, mevrouw"."""
    person = {"name": "Pieter de Jong", "role": "wethouder", "municipality": "alkmaar", "status": "cancelled",
              "sessions": [], "waitlist": [], "what": "cancelled"}
    out = compose_reply(Reply("acknowledgement", ("pieter.dejong@gmail.com", "bestuurssecretariaat@alkmaar.nl"),
                              "acknowledgement", {"people": [person], "conflicts": {},
                                                  "cc": ["bestuurssecretariaat@alkmaar.nl"]}), None, knowledge, NOW)
    msg = received(bytes(out))
    assert [a.addr_spec for a in msg["To"].addresses] == ["pieter.dejong@gmail.com"]
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["bestuurssecretariaat@alkmaar.nl"]
    assert msg.get_body(("plain",)).get_content().startswith("Geachte wethouder De Jong,")
    assert msg["In-Reply-To"] is None
