"""Calendar attachments on confirmations: the day lands in the attendee's agenda.

What a user notices: the confirmation carries an invitation (.ics) their mail
client can add, spanning exactly their first session's start to their last
session's end on 30 November in Amsterdam time; a later change updates the
same agenda item instead of adding a second one; a cancellation removes it.

Runs the real pipeline (service.process, the one `ingest` and polling use)
on corpus messages against a real SQLite database in tmp_path.
"""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from mailbot import config, db
from mailbot.service import open_bot, process

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus"
AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2017, 11, 16, 9, 0, tzinfo=AMS)  # every corpus message is older


def case_files(case: str) -> list[Path]:
    (folder,) = CORPUS.glob(f"{case}-*")
    return sorted(folder.glob("*.eml"), key=lambda p: int(p.stem))


@pytest.fixture(scope="module")
def replies(tmp_path_factory) -> dict[str, list[dict]]:
    """Corpus cases ingested into one database; per case, the replies in order:
    {"kind", "to", "mail", "calendars": [(content-type params, parsed Calendar)]}."""
    storage = tmp_path_factory.mktemp("calendar")
    bot = open_bot(config.load(REPO / "config.toml", storage=storage))
    sources: dict[str, str] = {}
    for case in ("019", "021", "024", "028", "030", "035", "037"):
        for f in case_files(case):
            raw = f.read_bytes()
            result = process(bot, raw, now=NOW, source=f"file:{f.name}")
            assert result.outcome == "recorded", (case, f.name, result)
            sources[result.message_id] = case
    out: dict[str, list[dict]] = {c: [] for c in set(sources.values())}
    with Session(bot.engine) as s:
        for row in s.exec(select(db.Outbox).order_by(db.Outbox.id)).all():
            msg = email.message_from_bytes(row.raw, policy=policy.default)
            cals, raws = [], []
            for part in msg.walk():
                if part.get_content_type() == "text/calendar":
                    payload = part.get_payload(decode=True)
                    cals.append((dict(part.get_params() or []), Calendar.from_ical(payload),
                                 part.get_filename()))
                    raws.append(payload)
            out[sources[row.source_message_id]].append(
                {"kind": row.kind, "to": row.to, "mail": msg, "calendars": cals, "raw_calendars": raws})
    return out


def only_event(cal: Calendar):
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1, cal.to_ical()
    return events[0]


def the_calendar(reply: dict):
    assert len(reply["calendars"]) == 1, f"{reply['kind']} to {reply['to']}: {len(reply['calendars'])} calendars"
    params, cal, name = reply["calendars"][0]
    return params, cal, only_event(cal), name


def test_confirmation_carries_an_agenda_item_spanning_the_chosen_sessions(replies):
    """Esther Scholten (019): Financiën 11:15 and Algemeen Bestuur until 16:00."""
    (reply,) = replies["019"]
    assert reply["kind"] == "confirmation"
    params, cal, ev, name = the_calendar(reply)
    assert str(cal["METHOD"]) == "REQUEST"
    assert params.get("method", "").upper() == "REQUEST"  # Outlook reads the method from Content-Type
    assert name and name.endswith(".ics")
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    assert start == datetime(2017, 11, 30, 11, 15, tzinfo=AMS)
    assert end == datetime(2017, 11, 30, 16, 0, tzinfo=AMS)
    assert start.isoformat() == "2017-11-30T11:15:00+01:00"
    assert end.isoformat() == "2017-11-30T16:00:00+01:00"
    assert "Lelystad" in str(ev["LOCATION"])
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert "mailto:e.scholten@alkmaar.nl" in str(ev["ATTENDEE"]).lower()


def test_change_updates_the_same_agenda_item_with_a_higher_sequence(replies):
    """Linda Kok (030) swaps Financiën for Statushouders: two confirmations, one agenda item."""
    first, second = replies["030"]
    assert (first["kind"], second["kind"]) == ("confirmation", "confirmation")
    _, cal1, ev1, _ = the_calendar(first)
    _, cal2, ev2, _ = the_calendar(second)
    assert str(cal1["METHOD"]) == str(cal2["METHOD"]) == "REQUEST"
    assert str(ev2["UID"]) == str(ev1["UID"])
    assert int(ev2["SEQUENCE"]) > int(ev1["SEQUENCE"])
    # the new set (Statushouders 11:15, Veiligheid until 15:30)
    assert ev2.decoded("DTSTART") == datetime(2017, 11, 30, 11, 15, tzinfo=AMS)
    assert ev2.decoded("DTEND") == datetime(2017, 11, 30, 15, 30, tzinfo=AMS)
    assert "Statushouders" in str(ev2["DESCRIPTION"]) and "Financi" not in str(ev2["DESCRIPTION"])


def test_cancellation_removes_the_agenda_item(replies):
    """Jeroen Smits (028) registers, then withdraws: the acknowledgement cancels the same item."""
    confirmation, acknowledgement = replies["028"]
    assert (confirmation["kind"], acknowledgement["kind"]) == ("confirmation", "acknowledgement")
    _, _, ev1, _ = the_calendar(confirmation)
    params, cal, ev2, _ = the_calendar(acknowledgement)
    assert str(cal["METHOD"]) == "CANCEL"
    assert params.get("method", "").upper() == "CANCEL"
    assert str(ev2["STATUS"]) == "CANCELLED"
    assert str(ev2["UID"]) == str(ev1["UID"])
    assert int(ev2["SEQUENCE"]) > int(ev1["SEQUENCE"])


def test_each_attendee_has_an_own_agenda_item(replies):
    uids = {str(the_calendar(replies[c][0])[2]["UID"]) for c in ("019", "028", "030")}
    assert len(uids) == 3


def test_a_decline_without_earlier_registration_sends_no_calendar(replies):
    """Dirk van Beek (024) never had an agenda item: nothing to cancel."""
    (reply,) = replies["024"]
    assert reply["kind"] == "acknowledgement"
    assert reply["calendars"] == []


def test_every_agenda_item_carries_the_time_zone_its_times_refer_to(replies):
    """Calendar clients place DTSTART;TZID=... by the VTIMEZONE in the same file."""
    for case in ("019", "028", "030"):
        for reply in replies[case]:
            _, cal, ev, _ = the_calendar(reply)
            (tz,) = cal.walk("VTIMEZONE")
            assert str(tz["TZID"]) == ev["DTSTART"].params["TZID"] == ev["DTEND"].params["TZID"] == "Europe/Amsterdam"
            local = ev["DTSTART"].dt.replace(tzinfo=tz.to_tz(lookup_tzid=False))  # read by the VTIMEZONE alone
            assert local.utcoffset() == ev.decoded("DTSTART").utcoffset() == timedelta(hours=1)


def calendar_replies(replies):
    return [r for case in replies.values() for r in case if r["calendars"]]


def test_every_calendar_part_declares_its_charset(replies):
    """"Financiën" must not arrive as "FinanciÃ«n": the part says it is UTF-8."""
    found = calendar_replies(replies)
    assert found
    for reply in found:
        for part in reply["mail"].walk():
            if part.get_content_type() == "text/calendar":
                assert part.get_content_charset() == "utf-8", part["Content-Type"]
    (reply,) = replies["019"]
    part = next(p for p in reply["mail"].walk() if p.get_content_type() == "text/calendar")
    assert "Financiën" in part.get_content()


def test_a_secretariat_registering_three_people_gets_one_item_per_person_naming_that_person(replies):
    """Leiden (021) registers the mayor and two aldermen: three items, each with its own attendee."""
    (reply,) = replies["021"]
    assert reply["kind"] == "confirmation"
    named = []
    for _params, cal, _name in reply["calendars"]:
        (ev,) = cal.walk("VEVENT")
        attendees = ev.get("ATTENDEE")
        assert not isinstance(attendees, list), "one attendee per item"
        named.append((str(attendees).lower(), str(attendees.params["CN"])))
    assert sorted(named) == [("mailto:c.degraaf@leiden.nl", "Carla de Graaf"),
                             ("mailto:n.debruijn@leiden.nl", "Niels de Bruijn"),
                             ("mailto:t.terpstra@leiden.nl", "Thijs Terpstra")]
    uids = {str(cal.walk("VEVENT")[0]["UID"]) for _p, cal, _n in reply["calendars"]}
    assert len(uids) == 3


@pytest.mark.parametrize("case", ["035", "037"])
def test_a_clarification_carries_no_agenda_item(replies, case):
    """Until the question is answered nothing is settled: no item, not even an all-day "aanwezig"."""
    (reply,) = replies[case]
    assert reply["kind"] == "clarification"
    assert reply["calendars"] == []


def test_a_real_calendar_library_imports_every_item(replies):
    """vobject (the parser behind caldav and Radicale) reads each part as the event it is."""
    import vobject

    for reply in calendar_replies(replies):
        for raw, (_params, cal, _name) in zip(reply["raw_calendars"], reply["calendars"], strict=True):
            parsed = vobject.readOne(raw.decode("utf-8"))
            assert parsed.method.value == str(cal["METHOD"])
            (event,) = parsed.vevent_list
            assert event.dtstart.value == cal.walk("VEVENT")[0].decoded("DTSTART")
            assert event.dtstart.value.utcoffset().total_seconds() == 3600
            assert event.uid.value == str(cal.walk("VEVENT")[0]["UID"])
            assert event.summary.value == "G32 netwerkdag"
    (reply,) = replies["019"]
    event = vobject.readOne(reply["raw_calendars"][0].decode("utf-8")).vevent
    assert "Financiën" in event.description.value
    assert event.attendee.value.lower() == "mailto:e.scholten@alkmaar.nl"
