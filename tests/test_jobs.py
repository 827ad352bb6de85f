"""Scheduled reminders through the command line, with a frozen clock.

`mailbot --now T run` runs one scheduler tick (poll, then whatever the agenda
says is due) and exits, so a day of scheduling is a few commands. What a user
notices: the week-47 reminders (2017-11-20 09:00) go out at 09:00 and not at
08:59; every registered attendee gets one "your registration" reminder, every
invitee nobody answered for gets one "please answer" reminder, never someone
who declined or whose address bounced; restarting after sending sends nothing
again; a bot that was down two hours catches up once; a bot first started the
next day sends no stale reminder.

Counting is done on `export --format json` (outbox kinds and recipients).
Starting state (ingested once, copied per scenario): corpus 019 (the Alkmaar
secretariat registers mayor Esther Scholten), 024 (Dirk van Beek declines),
028 (Jeroen Smits registers, then cancels), 058 (a bounce for
s.oosterhuis@almere.nl) and 055 (an out-of-office).

The commands run in this process through click's test runner (the same
command functions, without paying the interpreter start for each of them);
the brand-new installation runs the installed `mailbot` in a subprocess, in
the background while the others run.
"""

from __future__ import annotations

import collections
import csv
import email
import json
import shutil
import subprocess
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailbot.cli import cli

REPO = Path(__file__).resolve().parent.parent
MAILBOT = REPO / ".venv" / "bin" / "mailbot"
CONFIG = REPO / "config.toml"
CORPUS = REPO / "tests" / "corpus"
INGEST_NOW = "2017-11-16T09:00:00+01:00"

ESTHER = "e.scholten@alkmaar.nl"  # registered by bestuurssecretariaat@alkmaar.nl (019)
DIRK = "d.vanbeek@almelo.nl"  # declined (024)
JEROEN = "j.smits@alkmaar.nl"  # registered, then cancelled (028)
BOUNCED = "s.oosterhuis@almere.nl"  # bounce (058)
REGISTERED_SUBJECT = "Uw aanmelding"  # templates/reminder_registered.subject.txt
UNANSWERED_SUBJECT = "Herinnering"  # templates/reminder_unanswered.subject.txt


def argv(storage: Path, args: tuple[str, ...], now: str | None) -> list[str]:
    return ["--config", str(CONFIG), "--storage", str(storage), *(["--now", now] if now else []), *args]


def mailbot(storage: Path, *args: str, now: str | None = None) -> str:
    """`mailbot --config C --storage S [--now T] ARGS`; asserts exit 0, returns stdout."""
    result = CliRunner().invoke(cli, argv(storage, args, now), catch_exceptions=False)
    assert result.exit_code == 0, f"{' '.join(args)} -> {result.exit_code}\n{result.output}"
    return result.stdout


def export(storage: Path) -> dict:
    return json.loads(mailbot(storage, "export", "--format", "json"))


def reminders(state: dict) -> list[tuple[str, str]]:
    """(person addressed, subject) of every reminder in the outbox: the first recipient;
    the others are the secretariat in copy (see copies)."""
    return [(o["to"][0].lower(), o["subject"]) for o in state["outbox"] if o["kind"] == "reminder"]


def copies(state: dict) -> list[tuple[str, str]]:
    """(person addressed, secretariat in copy) of every reminder that copies one."""
    return [(o["to"][0].lower(), cc.lower()) for o in state["outbox"] if o["kind"] == "reminder"
            for cc in o["to"][1:]]


def invitee_addresses() -> set[str]:
    with open(REPO / "rules" / "invitees.csv", encoding="utf-8", newline="") as f:
        return {row["email"].strip().lower() for row in csv.DictReader(f)}


def expected_unanswered() -> set[str]:
    return invitee_addresses() - {ESTHER, DIRK, JEROEN, BOUNCED}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A brand-new installation (no database, no Maildir, nobody registered): the installed
    `mailbot run --now 2017-11-20T09:00` in a subprocess, started first and run meanwhile."""
    storage = tmp_path_factory.mktemp("jobs-fresh") / "storage"
    proc = subprocess.Popen([str(MAILBOT), *argv(storage, ("run",), "2017-11-20T09:00")], cwd=REPO,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield storage, proc
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


@pytest.fixture(scope="module")
def base(fresh, tmp_path_factory) -> Path:
    storage = tmp_path_factory.mktemp("jobs-base") / "storage"
    files = [str(next(CORPUS.glob(f"{c}-*")) / n) for c, n in (
        ("019", "1.eml"), ("024", "1.eml"), ("028", "1.eml"), ("028", "2.eml"), ("058", "1.eml"), ("055", "1.eml"))]
    mailbot(storage, "ingest", *files, now=INGEST_NOW)
    return storage


def copy_of(base: Path, tmp_path_factory, name: str) -> Path:
    target = tmp_path_factory.mktemp(name) / "storage"
    shutil.copytree(base, target)
    return target


@pytest.fixture(scope="module")
def week47(base, tmp_path_factory) -> dict:
    """One bot through Monday morning: a tick at 08:59, at 09:00, and a restart at 09:05."""
    storage = copy_of(base, tmp_path_factory, "jobs-week47")
    states = {"before": export(storage), "storage": storage}
    for label, now in (("08:59", "2017-11-20T08:59"), ("09:00", "2017-11-20T09:00"),
                       ("09:05", "2017-11-20T09:05")):
        mailbot(storage, "run", now=now)
        states[label] = export(storage)
    return states


def registered_addresses(state: dict) -> list[str]:
    return sorted((a["email"] or a["registered_by"]).lower() for a in state["attendees"]
                  if a["status"] == "registered")


def test_starting_state_is_what_the_corpus_says(week47):
    people = {a["name"]: a["status"] for a in week47["before"]["attendees"]}
    assert people == {"Esther Scholten": "registered", "Dirk van Beek": "declined",
                      "Jeroen Smits": "cancelled"}
    assert reminders(week47["before"]) == []


def test_no_reminder_a_minute_before_its_time(week47):
    assert reminders(week47["08:59"]) == []


def test_at_nine_each_registered_attendee_gets_one_registration_reminder(week47):
    state = week47["09:00"]
    got = sorted(to for to, subject in reminders(state) if subject.startswith(REGISTERED_SUBJECT))
    assert got == registered_addresses(state) == [ESTHER]


def test_registration_reminder_lists_what_was_recorded(week47):
    """The reminder Esther gets names her sessions, so she can check them before week 47."""
    found = []
    for path in sorted((week47["storage"] / "outbox").glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if msg["X-Mailbot-Kind"] == "reminder" and ESTHER in str(msg["To"]).lower():
            found.append(msg.get_body(("plain",)).get_content())
    assert len(found) == 1
    assert "Algemeen Bestuur" in found[0] and "Financiën" in found[0]


def test_at_nine_every_unanswered_invitee_gets_one_reminder(week47):
    got = [to for to, subject in reminders(week47["09:00"]) if subject.startswith(UNANSWERED_SUBJECT)]
    assert collections.Counter(got).most_common(1)[0][1] == 1, "someone got the reminder twice"
    assert set(got) == expected_unanswered()


def test_reminders_never_go_to_who_declined_or_cancelled_who_answered_or_a_bounced_address(week47):
    everyone = collections.Counter(to for to, _ in reminders(week47["09:00"]))
    assert DIRK not in everyone
    assert JEROEN not in everyone
    assert BOUNCED not in everyone
    assert everyone[ESTHER] == 1  # the registration reminder only, no "please answer"
    assert "bestuurssecretariaat@alkmaar.nl" not in everyone  # addressed to the mayor, not to her office
    assert sum(everyone.values()) == len(expected_unanswered()) + 1


def test_reminders_copy_the_secretariat(week47):
    """Esther was registered by her secretariat (019): it is copied on her reminder, and every
    invitee's listed secretariat on theirs; never the bounced or declined."""
    cc = dict(copies(week47["09:00"]))
    assert cc[ESTHER] == "bestuurssecretariaat@alkmaar.nl"
    assert cc["pieter.dejong@gmail.com"] == "bestuurssecretariaat@alkmaar.nl"
    assert DIRK not in cc and BOUNCED not in cc


def test_restart_after_sending_sends_nothing_more(week47):
    assert reminders(week47["09:05"]) == reminders(week47["09:00"])
    assert len(week47["09:05"]["outbox"]) == len(week47["09:00"]["outbox"])


def test_the_daily_digest_goes_out_once(week47):
    """The 08:00 digest is sent by the 08:59 tick (late, within catch-up) and not again."""
    digests = [o for o in week47["09:05"]["outbox"] if o["kind"] == "digest"]
    assert len(digests) == 1 and digests[0]["to"] == ["staf@g32.nl"]
    assert [o for o in week47["08:59"]["outbox"] if o["kind"] == "digest"] == digests


def test_a_bot_started_two_hours_late_sends_each_reminder_once(base, tmp_path_factory):
    storage = copy_of(base, tmp_path_factory, "jobs-late")
    mailbot(storage, "run", now="2017-11-20T11:00")
    got = collections.Counter(to for to, _ in reminders(export(storage)))
    assert set(got.values()) == {1}
    assert set(got) == expected_unanswered() | {ESTHER}


def test_a_bot_first_started_the_next_day_sends_no_stale_reminder(base, tmp_path_factory):
    storage = copy_of(base, tmp_path_factory, "jobs-nextday")
    mailbot(storage, "run", now="2017-11-21T09:00")
    assert reminders(export(storage)) == []


def test_a_new_installation_with_nobody_registered_yet_sends_the_reminders(fresh):
    """Its first `run` creates the embedded Maildir and polls it; the 08:00 digest has no name
    cards to attach yet, which must stop neither the digest nor the reminders after it."""
    storage, proc = fresh
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    state = export(storage)
    got = collections.Counter(to for to, _ in reminders(state))
    assert set(got) == invitee_addresses() and set(got.values()) == {1}
    assert [o["kind"] for o in state["outbox"]].count("digest") == 1
