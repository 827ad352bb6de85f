"""The agenda: what scheduled work is due at a moment, and who a reminder goes to.

Pure functions (mailbot.core.agenda), so each case is one call. What a user
notices: the week-47 reminder goes out at 09:00 and not at 08:59; a bot that
was down a couple of hours still sends it; one that was down longer than the
catch-up window does not send a stale reminder; nothing is sent twice; staff
get one digest a day; reminders never reach someone who said no, nor an
address that bounced.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mailbot.core.agenda import Reminder, due, recipients
from mailbot.core.types import Attendee, Invitee, Registry

TZ = "Europe/Amsterdam"
AMS = ZoneInfo(TZ)
CATCH_UP = timedelta(hours=12)  # the shipped [schedule] catch_up_hours
AT = datetime(2017, 11, 20, 9, 0, tzinfo=AMS)  # the shipped [[reminders]] at
UNANSWERED = Reminder("week47-unanswered", AT, "unanswered", "reminder_unanswered")
REGISTERED = Reminder("week47-registered", AT, "registered", "reminder_registered")
REMINDERS = (UNANSWERED, REGISTERED)
DIGEST_AT = time(8, 0)  # the shipped [staff] digest_time


def at(day: int, hh: int, mm: int = 0, month: int = 11) -> datetime:
    return datetime(2017, month, day, hh, mm, tzinfo=AMS)


def reminders_due(now: datetime, done: frozenset[tuple[str, str]] = frozenset(),
                  catch_up: timedelta = CATCH_UP) -> list[str]:
    return [d.slot for d in due(now, reminders=REMINDERS, digest_time=None, timezone=TZ, done=done,
                                catch_up=catch_up) if d.job == "reminder"]


def digests_due(now: datetime, done: frozenset[tuple[str, str]] = frozenset(),
                catch_up: timedelta = CATCH_UP) -> list[str]:
    found = due(now, reminders=(), digest_time=DIGEST_AT, timezone=TZ, done=done, catch_up=catch_up)
    assert all(d.job == "digest" for d in found)
    return [d.slot for d in found]


# --- reminders ----------------------------------------------------------------


def test_reminder_is_due_at_its_time_and_not_a_minute_before():
    assert reminders_due(at(20, 8, 59)) == []
    assert sorted(reminders_due(at(20, 9, 0))) == ["week47-registered", "week47-unanswered"]


def test_reminder_time_is_local_time_whatever_zone_now_is_given_in():
    """09:00 in Amsterdam in November is 08:00 UTC; a clock in UTC sees the same moment."""
    utc = ZoneInfo("UTC")
    assert reminders_due(datetime(2017, 11, 20, 7, 59, tzinfo=utc)) == []
    assert len(reminders_due(datetime(2017, 11, 20, 8, 0, tzinfo=utc))) == 2


def test_reminder_missed_by_two_hours_is_still_due_within_catch_up():
    assert sorted(reminders_due(at(20, 11, 0))) == ["week47-registered", "week47-unanswered"]


def test_reminder_is_not_due_after_the_catch_up_window():
    assert len(reminders_due(at(20, 21, 0))) == 2  # exactly 12 hours late: still in the window
    assert reminders_due(at(20, 21, 1)) == []
    assert reminders_due(at(21, 9, 0)) == []  # a bot first started the next day sends no stale reminder


def test_reminder_already_done_is_not_due_again():
    done = frozenset({("reminder", "week47-unanswered")})
    assert reminders_due(at(20, 9, 5), done) == ["week47-registered"]
    done |= {("reminder", "week47-registered")}
    assert reminders_due(at(20, 9, 5), done) == []
    assert reminders_due(at(20, 14, 0), done) == []


def test_a_digest_slot_with_the_reminders_id_does_not_count_as_the_reminder_done():
    done = frozenset({("digest", "week47-unanswered")})
    assert "week47-unanswered" in reminders_due(at(20, 9, 0), done)


def test_due_jobs_come_oldest_first():
    found = due(at(20, 10, 0), reminders=REMINDERS, digest_time=DIGEST_AT, timezone=TZ,
                done=frozenset(), catch_up=CATCH_UP)
    assert [d.job for d in found] == ["digest", "reminder", "reminder"]
    assert [d.at for d in found] == sorted(d.at for d in found)


# --- the daily digest ---------------------------------------------------------------


def test_digest_is_due_once_per_day_at_digest_time():
    assert digests_due(at(20, 7, 59)) == []
    assert digests_due(at(20, 8, 0)) == ["2017-11-20"]
    assert digests_due(at(20, 8, 1), frozenset({("digest", "2017-11-20")})) == []
    assert digests_due(at(20, 19, 0), frozenset({("digest", "2017-11-20")})) == []
    assert digests_due(at(21, 8, 0), frozenset({("digest", "2017-11-20")})) == ["2017-11-21"]


def test_digest_missed_for_a_few_hours_is_sent_late_once():
    assert digests_due(at(20, 13, 30)) == ["2017-11-20"]
    assert digests_due(at(20, 13, 31), frozenset({("digest", "2017-11-20")})) == []


def test_missed_yesterday_digest_and_todays_give_one_digest_as_todays():
    """With a catch-up window longer than a day both slots fall inside it: staff get one digest."""
    long = timedelta(hours=36)
    assert digests_due(at(21, 9, 0), catch_up=long) == ["2017-11-21"]


def test_after_todays_digest_yesterdays_missed_one_is_not_sent_afterwards():
    long = timedelta(hours=36)
    assert digests_due(at(21, 9, 1), frozenset({("digest", "2017-11-21")}), catch_up=long) == []


def test_no_digest_when_no_digest_time_is_configured():
    found = due(at(20, 8, 0), reminders=(), digest_time=None, timezone=TZ, done=frozenset(), catch_up=CATCH_UP)
    assert found == []


# --- who a reminder goes to ------------------------------------------------------

ESTHER = Invitee("Esther Scholten", "burgemeester", "alkmaar", "e.scholten@alkmaar.nl",
                 "bestuurssecretariaat@alkmaar.nl")
JEROEN = Invitee("Jeroen Smits", "wethouder", "alkmaar", "j.smits@alkmaar.nl", "bestuurssecretariaat@alkmaar.nl")
PIETER = Invitee("Pieter de Jong", "wethouder", "alkmaar", "pieter.dejong@gmail.com",
                 "bestuurssecretariaat@alkmaar.nl")
DIRK = Invitee("Dirk van Beek", "wethouder", "almelo", "d.vanbeek@almelo.nl", "bestuurssecretariaat@almelo.nl")
LINDA = Invitee("Linda Kok", "wethouder", "almelo", "l.kok@almelo.nl", "bestuurssecretariaat@almelo.nl")
STEFAN = Invitee("Stefan Oosterhuis", "wethouder", "almere", "s.oosterhuis@almere.nl",
                 "bestuurssecretariaat@almere.nl")
INGE = Invitee("Inge Yilmaz", "burgemeester", "almere", "i.yilmaz@almere.nl", "bestuurssecretariaat@almere.nl")
INVITEES = (ESTHER, JEROEN, PIETER, DIRK, LINDA, STEFAN, INGE)


def attendee(inv: Invitee | None, status: str, *, name: str | None = None, email: str | None = None,
             by: str | None = None, sessions: tuple[str, ...] = ()) -> Attendee:
    own = email if email is not None else (inv.email if inv else None)
    key = inv.email if inv else f"name:{(name or '').lower()}"
    return Attendee(key=key, name=name or (inv.name if inv else ""), role=inv.role if inv else None,
                    email=own, municipality=inv.municipality if inv else None, status=status,
                    sessions=frozenset(sessions), registered_by=by or own,
                    addresses=frozenset(a for a in (own, by) if a))


REGISTRY = Registry((
    # the Alkmaar secretariat registered the mayor
    attendee(ESTHER, "registered", by="bestuurssecretariaat@alkmaar.nl", sessions=("algemeen-bestuur", "financien")),
    attendee(JEROEN, "cancelled"),  # registered, then withdrew
    attendee(DIRK, "declined"),  # said no
    attendee(LINDA, "registered", sessions=("statushouders",)),  # registered herself
    # a colleague the Almere secretariat registered by name only: no address of her own
    attendee(None, "registered", name="Fleur Hendriks", email="", by="bestuurssecretariaat@almere.nl"),
))
BOUNCED = frozenset({"s.oosterhuis@almere.nl"})


def test_unanswered_reminder_goes_only_to_invitees_nobody_answered_for():
    got = recipients("unanswered", REGISTRY, INVITEES, BOUNCED)
    assert sorted(r.to for r in got) == [("i.yilmaz@almere.nl",), ("pieter.dejong@gmail.com",)]
    assert {r.name for r in got} == {"Pieter de Jong", "Inge Yilmaz"}


@pytest.mark.parametrize("who", [ESTHER, JEROEN, DIRK, LINDA, STEFAN],
                         ids=["registered-by-secretariat", "cancelled", "declined", "registered-herself",
                              "bounced"])
def test_unanswered_reminder_skips(who):
    got = recipients("unanswered", REGISTRY, INVITEES, BOUNCED)
    assert who.email not in {a for r in got for a in r.to}


def test_unanswered_reminder_with_nobody_answered_goes_to_every_invitee_but_bounced():
    got = recipients("unanswered", Registry(), INVITEES, BOUNCED)
    assert sorted(a for r in got for a in r.to) == sorted(i.email for i in INVITEES if i.email not in BOUNCED)


def test_registered_reminder_goes_to_each_registered_attendee_once():
    got = recipients("registered", REGISTRY, INVITEES, BOUNCED)
    assert sorted((r.name, r.to) for r in got) == [
        ("Esther Scholten", ("e.scholten@alkmaar.nl",)),
        ("Fleur Hendriks", ("bestuurssecretariaat@almere.nl",)),  # no own address: whoever registered her
        ("Linda Kok", ("l.kok@almelo.nl",)),
    ]
    assert all(r.attendee is not None and r.attendee.status == "registered" for r in got)


def test_registered_reminder_never_to_declined_or_cancelled():
    got = recipients("registered", REGISTRY, INVITEES, BOUNCED)
    names = {r.name for r in got}
    assert "Dirk van Beek" not in names and "Jeroen Smits" not in names


def test_registered_reminder_avoids_a_bounced_own_address():
    bounced = BOUNCED | {"e.scholten@alkmaar.nl"}
    got = {r.name: r.to for r in recipients("registered", REGISTRY, INVITEES, bounced)}
    assert got["Esther Scholten"] == ("bestuurssecretariaat@alkmaar.nl",)
    bounced |= {"bestuurssecretariaat@alkmaar.nl", "bestuurssecretariaat@almere.nl"}
    got = {r.name: r.to for r in recipients("registered", REGISTRY, INVITEES, bounced)}
    assert set(got) == {"Linda Kok"}


def test_unknown_audience_is_refused():
    with pytest.raises(ValueError):
        recipients("everyone", REGISTRY, INVITEES, BOUNCED)
