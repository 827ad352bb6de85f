"""`mailbot review` on the command line, as the office uses it (issue 13, items 3, 4 and 5).

What staff notice: setting sessions on a review item follows the rules mail
follows (two sessions in one time slot are refused in Dutch and nothing
changes); `--confirm` sends the standard confirmation with its calendar
update and says what changed; confirming again warns that it repeats an
earlier one; `--organisation` records a non-member's organisation; `review
show` tells what happened then (the bot's outcome, the replies that really
went out or none, what staff did, who, when, the note) in local time, and
`review list` shows local times too.

Starting state (ingested once, copied per test) at Thursday 16 November 09.00
local time: corpus 042 (a VNG speaker, recorded and confirmed, review), 043
(a Platform31 staff member, recorded for "Mensen tussen wal en schip" and
confirmed, review), 048 (an unknown private address, recorded, review) and
049 (an invitee asks about parking: two review items, no reply). Staff act on
Friday 17 November 10.30 local time.
"""

from __future__ import annotations

import email
import json
import shutil
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from mailbot import config, db
from mailbot.cli import cli
from mailbot.service import open_bot

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config.toml"
CORPUS = REPO / "tests" / "corpus"
INGEST_NOW = "2017-11-16T09:00:00+01:00"
STAFF_NOW = "2017-11-17T10:30:00+01:00"
STAFF_LOCAL = "vr 17 nov 10.30"
RECEIVED_LOCAL = "do 16 nov 09.00"
PLATFORM31 = "k.verbeek@platform31.nl"  # 043
UNKNOWN = "jpeeters1958@planet.nl"  # 048
QUESTION = "t.willems@zoetermeer.nl"  # 049


def corpus_file(case: str) -> Path:
    return next(CORPUS.glob(f"{case}-*")) / "1.eml"


def run(storage: Path, *args: str, now: str | None = STAFF_NOW):
    argv = ["--config", str(CONFIG), "--storage", str(storage), *(["--now", now] if now else []), *args]
    return CliRunner().invoke(cli, argv)


def ok(storage: Path, *args: str, now: str | None = STAFF_NOW) -> str:
    result = run(storage, *args, now=now)
    assert result.exit_code == 0, f"{' '.join(args)} -> {result.exit_code}\n{result.output}"
    return result.stdout


def export(storage: Path) -> dict:
    return json.loads(ok(storage, "export", "--format", "json"))


def review_id(storage: Path, sender: str, reason_part: str = "") -> int:
    ids = [r["id"] for r in export(storage)["review"] if r["from"] == sender and reason_part in r["reason"]]
    assert ids, (sender, reason_part)
    return ids[0]


def outbox_files(storage: Path) -> set[str]:
    return {p.name for p in (storage / "outbox").glob("*.eml")}


def new_mail(storage: Path, before: set[str]) -> email.message.EmailMessage:
    (name,) = sorted(outbox_files(storage) - before)
    return email.message_from_bytes((storage / "outbox" / name).read_bytes(), policy=policy.default)


def rows(storage: Path, table):
    bot = open_bot(config.load(CONFIG, storage=storage))
    try:
        with Session(bot.engine) as s:
            return list(s.exec(select(table)).all())
    finally:
        bot.readers.close()
        bot.engine.dispose()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    storage = tmp_path_factory.mktemp("review-cli") / "storage"
    ok(storage, "ingest", *(str(corpus_file(c)) for c in ("042", "043", "048", "049")), now=INGEST_NOW)
    return storage


@pytest.fixture
def storage(base, tmp_path) -> Path:
    target = tmp_path / "storage"
    shutil.copytree(base, target)
    return target


def test_two_sessions_in_one_time_slot_are_refused_in_dutch_and_nothing_changes(storage):
    rid = review_id(storage, PLATFORM31)
    before = export(storage)
    result = run(storage, "review", "resolve", str(rid), "--sessions", "financien,statushouders", "--confirm",
                 "--by", "anna")
    assert result.exit_code != 0
    assert "hetzelfde tijdvak" in result.output and "Financiën" in result.output
    assert "Traceback" not in result.output
    assert export(storage) == before  # registry, outbox and review list as they were
    assert [a for a in rows(storage, db.StaffAction) if a.review_id == rid] == []


def test_confirm_queues_the_confirmation_with_its_calendar_update_and_says_what_changed(storage):
    rid = review_id(storage, PLATFORM31)
    before = outbox_files(storage)
    out = ok(storage, "review", "resolve", str(rid), "--sessions", "financien,netwerkborrel", "--confirm",
             "--by", "anna")
    assert "Let op" not in out  # a confirmation of a change repeats nothing
    msg = new_mail(storage, before)
    assert PLATFORM31 in str(msg["To"]).lower()
    assert msg["X-Mailbot-Kind"] == "confirmation"
    calendars = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert len(calendars) == 1
    ics = calendars[0].get_content()
    assert "BEGIN:VEVENT" in ics and "Financi" in ics
    body = msg.get_body(("plain",)).get_content()
    (dropped,) = [x for x in body.splitlines() if "vervallen" in x]
    assert "wal en schip" in dropped.split("vervallen", 1)[1]


def test_a_second_confirm_warns_that_it_repeats_an_earlier_one(storage):
    rid = review_id(storage, PLATFORM31)
    ok(storage, "review", "resolve", str(rid), "--sessions", "financien,netwerkborrel", "--confirm", "--by", "anna")
    before = outbox_files(storage)
    out = ok(storage, "review", "resolve", str(rid), "--confirm", "--by", "bert",
             now="2017-11-17T11:00:00+01:00")
    warning = [x for x in out.splitlines() if x.startswith("Let op")]
    assert len(warning) == 1
    assert "Koen Verbeek" in warning[0] and "al een bevestiging" in warning[0] and STAFF_LOCAL in warning[0]
    msg = new_mail(storage, before)  # it is sent all the same, with the agenda item
    assert any(p.get_content_type() == "text/calendar" for p in msg.walk())


def test_organisation_is_recorded_for_a_non_member(storage):
    rid = review_id(storage, UNKNOWN)
    ok(storage, "review", "resolve", str(rid), "--municipality", "none", "--organisation", "Stichting Wijkkracht",
       "--by", "anna")
    (jan,) = [a for a in rows(storage, db.Attendee) if a.email == UNKNOWN]
    assert jan.organisation == "Stichting Wijkkracht" and jan.municipality is None and not jan.needs_review


def test_sessions_for_a_question_register_the_invitee_who_asked(storage):
    rid = review_id(storage, QUESTION, "Vraag")
    before = outbox_files(storage)
    ok(storage, "review", "resolve", str(rid), "--sessions", "financien", "--confirm", "--by", "anna")
    (thijs,) = [a for a in export(storage)["attendees"] if a["email"] == QUESTION]
    assert thijs["name"] == "Thijs Willems" and thijs["municipality"] == "zoetermeer"
    assert thijs["sessions"] == ["financien"] and thijs["status"] == "registered"
    msg = new_mail(storage, before)
    assert QUESTION in str(msg["To"]).lower()
    original = email.message_from_bytes(corpus_file("049").read_bytes(), policy=policy.default)
    assert str(msg["In-Reply-To"]).strip() == str(original["Message-ID"]).strip()


def test_review_show_tells_what_happened_then_who_did_what_and_the_note(storage):
    rid = review_id(storage, PLATFORM31)
    ok(storage, "review", "resolve", str(rid), "--sessions", "financien,netwerkborrel", "--confirm", "--by", "bob",
       "--note", "Gebeld: komt voor Financiën.")
    out = ok(storage, "review", "show", str(rid))
    done = out.split("Wat de bot deed", 1)[1].split("Door medewerkers", 1)[0]
    assert "nieuw aangemeld" in done and "ongewijzigd" not in done and "unchanged" not in out
    assert RECEIVED_LOCAL in done  # the bot's own confirmation, when it went out
    assert "verstuurd" in done
    staff_part = out.split("Door medewerkers", 1)[1]
    assert "bob" in staff_part and STAFF_LOCAL in staff_part
    assert "Gebeld: komt voor Financiën." in out
    assert f"Afgehandeld: {STAFF_LOCAL} door bob" in out
    assert f"Ontvangen:  {RECEIVED_LOCAL}" in out


def test_review_show_says_no_reply_was_sent_when_none_was(storage):
    rid = review_id(storage, QUESTION, "Vraag")
    out = ok(storage, "review", "show", str(rid))
    assert "geen antwoord verstuurd" in out
    assert "parkeergelegenheid" in out.split("Wat de bot las", 1)[1]  # what the bot read, still shown


def test_review_list_shows_local_times(storage):
    out = ok(storage, "review", "list")
    lines = [x for x in out.splitlines() if PLATFORM31 in x]
    assert len(lines) == 1 and RECEIVED_LOCAL in lines[0]
    assert "08:00" not in out  # not UTC


def test_unknown_municipality_is_refused_in_dutch(storage):
    rid = review_id(storage, UNKNOWN)
    result = run(storage, "review", "resolve", str(rid), "--municipality", "atlantis", "--by", "anna")
    assert result.exit_code != 0 and "Onbekende gemeente" in result.output
