"""Calendar attachments (.ics) for confirmations, so the day lands in the agenda.

One VEVENT per attendee spans their chosen sessions (or the whole programme
when they chose none). Its UID is derived from the attendee, so every later
confirmation updates the same agenda item (higher SEQUENCE) and a
cancellation removes it (METHOD:CANCEL).
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from mailbot.core.types import Attendee, Knowledge


def uid(attendee_key: str, knowledge: Knowledge) -> str:
    digest = hashlib.sha256(attendee_key.encode()).hexdigest()[:24]
    return f"{digest}@{knowledge.event.address.rpartition('@')[2].lower()}"


def ics(attendee: Attendee, knowledge: Knowledge, *, sequence: int, now: datetime, cancel: bool = False) -> bytes:
    """The .ics for one attendee: REQUEST with their sessions, or CANCEL."""
    from zoneinfo import ZoneInfo

    ev = knowledge.event
    tz = ZoneInfo(ev.timezone)
    chosen = sorted((ev.session(s) for s in attendee.sessions), key=lambda s: s.start) or list(ev.sessions)
    start = datetime.combine(ev.day, min(s.start for s in chosen), tz)
    end = datetime.combine(ev.day, max(s.end for s in chosen), tz)
    e = Event()
    e.add("uid", uid(attendee.key, knowledge))
    e.add("sequence", sequence)
    e.add("dtstamp", now)
    e.add("dtstart", start)
    e.add("dtend", end)
    lines = [f"{s.start:%H.%M}-{s.end:%H.%M} {s.title}" for s in sorted(
        (ev.session(x) for x in attendee.sessions), key=lambda s: s.start)]
    if cancel:
        e.add("description", "Aanmelding ingetrokken.")
    else:
        e.add("description", "\n".join(lines) if lines else "Aanwezig op de dag; geen sessies gekozen.")
    e.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if attendee.email:
        who = vCalAddress(f"mailto:{attendee.email}")
        who.params["cn"] = vText(attendee.name)
        who.params["partstat"] = vText("DECLINED" if cancel else "ACCEPTED")
        e.add("attendee", who)
    tzid = e["DTSTART"].params.get("TZID")  # None for UTC, written with Z
    before, after = _frame(tzid, "CANCEL" if cancel else "REQUEST", ev.name, ev.venue, ev.address,
                           ev.sender_name or ev.name)
    own = e.to_ical().removeprefix(b"BEGIN:VEVENT\r\n").removesuffix(b"END:VEVENT\r\n")
    return before + own + after


@functools.lru_cache(maxsize=16)
def _frame(tzid: str | None, method: str, summary: str, location: str, address: str,
           organizer: str) -> tuple[bytes, bytes]:
    """What every attendee's calendar shares, serialized once, split where their own properties go.

    That is the calendar with its VTIMEZONE (~10 ms for icalendar to compute
    and write) and the event's summary, location and organizer.
    """
    cal = Calendar()
    cal.add("prodid", "-//mailbot//G32 netwerkdag//NL")
    cal.add("version", "2.0")
    cal.add("method", method)
    if tzid:  # only a zone the times name, as add_missing_timezones did
        cal.add_component(Timezone.from_tzid(tzid))
    e = Event()
    e.add("summary", summary)
    e.add("location", location)
    who = vCalAddress(f"mailto:{address}")
    who.params["cn"] = vText(organizer)
    e.add("organizer", who)
    cal.add_component(e)
    before, end, after = cal.to_ical().rpartition(b"END:VEVENT\r\n")
    return before, end + after


def filename(attendee: Attendee) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in attendee.name.lower()).strip("-")
    return f"g32-netwerkdag-{safe or 'deelnemer'}.ics"
