"""`purge`: every piece of personal data goes, staff see what first, and never before the event ends.

What staff notice: the command lists what it will delete with counts and asks
(--yes for scripts); afterwards nothing personal is left: not in the database
(attendees, history, mail texts and senders, outbox, invitees, invitations,
staff notes, review items, mail notes, login attempts) and not as mail files
in the outbox folder; a message handled before is still never handled again,
staff accounts stay. Run before the event has ended (or with a cut-off before
its end) it refuses, unless --force.

Starting state (ingested once, copied per test): corpus 042 (VNG speaker,
confirmed), 043 (Platform31, confirmed), 049 (a question) and 055 (an
out-of-office: a mail note), the invitation previews of `invite --dry-run`,
a staff account, a failed login and a staff action with a note.
"""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, func, select

from mailbot import config, db
from mailbot.cli import cli
from mailbot.service import open_bot

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config.toml"
CORPUS = REPO / "tests" / "corpus"
INGEST_NOW = "2017-11-16T09:00:00+01:00"
AFTER = "2018-03-01T10:00:00+01:00"  # well after the event of 30 November 2017
NINE_DAYS_BEFORE = "2017-11-21T10:00:00+01:00"
PERSONAL = (db.Attendee, db.AttendeeSession, db.History, db.Outbox, db.OutboxRecipient, db.Invitee,
            db.Invitation, db.ReviewItem, db.MailNote, db.LoginAttempt)


def corpus_file(case: str) -> Path:
    return next(CORPUS.glob(f"{case}-*")) / "1.eml"


def run(storage: Path, *args: str, now: str = AFTER, input: str | None = None):
    argv = ["--config", str(CONFIG), "--storage", str(storage), "--now", now, *args]
    return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)


def counts(storage: Path) -> dict[str, int]:
    bot = open_bot(config.load(CONFIG, storage=storage))  # as every command opens it
    try:
        with Session(bot.engine) as s:
            return {t.__tablename__: int(s.exec(select(func.count()).select_from(t)).one()) for t in PERSONAL}
    finally:
        bot.engine.dispose()


def rows(storage: Path, table) -> list:
    bot = open_bot(config.load(CONFIG, storage=storage))
    try:
        with Session(bot.engine) as s:
            return list(s.exec(select(table)).all())
    finally:
        bot.engine.dispose()


def mail_files(storage: Path) -> list[Path]:
    return sorted(p for p in (storage / "outbox").rglob("*.eml"))


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    storage = tmp_path_factory.mktemp("purge-base") / "storage"
    assert run(storage, "ingest", *(str(corpus_file(c)) for c in ("042", "043", "049", "055")),
               now=INGEST_NOW).exit_code == 0
    assert run(storage, "invite", "--dry-run", now=INGEST_NOW).exit_code == 0
    bot = open_bot(config.load(CONFIG, storage=storage))
    at = datetime.fromisoformat("2017-11-17T10:00:00+01:00")
    with Session(bot.engine) as s, s.begin():
        s.add(db.StaffAccount(name="anna", password_hash="x", created_at=at))
        s.add(db.LoginAttempt(name="anna", client="192.0.2.7", ok=False, at=at))
        s.add(db.StaffAction(actor="anna", action="resolve", detail="gebeld met mevrouw Hofstede, 06-12345678",
                             at=at))
        s.add(db.Invitation(email="m.hofstede@vng.nl", token="abc", created_at=at))
    bot.engine.dispose()
    return storage


@pytest.fixture
def storage(base, tmp_path) -> Path:
    target = tmp_path / "storage"
    shutil.copytree(base, target)
    return target


def test_the_starting_state_holds_personal_data_everywhere(storage):
    before = counts(storage)
    assert all(before[t.__tablename__] > 0 for t in PERSONAL), before
    assert mail_files(storage) and any(p.parent.name == "dry-run" for p in mail_files(storage))


def test_purge_after_the_event_leaves_nothing_personal(storage):
    handled = {m.message_id for m in rows(storage, db.InboundMessage)}
    result = run(storage, "purge", "--before", "2018-01-01", "--yes", "--by", "anna")
    assert result.exit_code == 0, result.output
    assert all(n == 0 for n in counts(storage).values()), counts(storage)
    assert mail_files(storage) == []
    messages = rows(storage, db.InboundMessage)
    assert {m.message_id for m in messages} == handled  # kept: never handled twice
    assert all(m.raw is None and m.from_addr == "" and m.subject == "" for m in messages)
    actions = rows(storage, db.StaffAction)
    assert "06-12345678" not in " ".join(a.detail for a in actions)
    assert [a.actor for a in actions if a.action == "purge"] == ["anna"]
    assert [a.name for a in rows(storage, db.StaffAccount)] == ["anna"]

    again = run(storage, "ingest", str(corpus_file("042")))  # the same message delivered again
    assert again.exit_code == 0
    assert counts(storage)["attendee"] == 0 and counts(storage)["outbox"] == 0


def test_purge_shows_what_it_deletes_with_counts_and_asks_first(storage):
    result = run(storage, "purge", "--before", "2018-01-01", input="nee\n")
    assert result.exit_code == 1
    out = result.output
    assert "vóór maandag 1 januari 2018" in out
    assert any(line.split()[:1] == ["2"] and "aanmeldingen" in line for line in out.splitlines()), out
    assert any("mailbestanden in de outbox-map" in line for line in out.splitlines()), out
    assert "definitief verwijderen?" in out and "Niets verwijderd." in out
    assert counts(storage)["attendee"] == 2 and mail_files(storage)

    yes = run(storage, "purge", "--before", "2018-01-01", input="ja\n")
    assert yes.exit_code == 0, yes.output
    assert counts(storage)["attendee"] == 0


def refused(storage: Path, capsys, monkeypatch, *args: str, now: str) -> str:
    """Run through the console script's entry point: the one line and the exit code staff see."""
    from mailbot.cli import main

    monkeypatch.setattr(sys, "argv", ["mailbot", "--config", str(CONFIG), "--storage", str(storage),
                                      "--now", now, "purge", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    out, err = capsys.readouterr()
    assert exit_.value.code == 1, (out, err)
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("mailbot: opschonen geweigerd"), err
    return lines[0]


def test_purge_before_the_event_has_ended_is_refused(storage, capsys, monkeypatch):
    line = refused(storage, capsys, monkeypatch, "--before", "2018-01-01", "--yes", now=NINE_DAYS_BEFORE)
    assert "nog niet voorbij" in line and "--force" in line
    assert counts(storage)["attendee"] == 2 and mail_files(storage)


def test_purge_with_the_default_cutoff_is_refused_before_the_event(storage, capsys, monkeypatch):
    refused(storage, capsys, monkeypatch, "--yes", now=NINE_DAYS_BEFORE)
    assert counts(storage)["attendee"] == 2


def test_a_cutoff_before_the_end_of_the_event_day_is_refused(storage, capsys, monkeypatch):
    line = refused(storage, capsys, monkeypatch, "--before", "2017-11-30", "--yes", now=AFTER)
    assert "donderdag 30 november 2017" in line and "vrijdag 1 december 2017" in line
    assert counts(storage)["attendee"] == 2


def test_force_purges_before_the_event_all_the_same(storage):
    result = run(storage, "purge", "--before", "2017-11-20", "--yes", "--force", now=NINE_DAYS_BEFORE)
    assert result.exit_code == 0, result.output
    assert counts(storage)["attendee"] == 0


def test_purge_empties_the_embedded_mailbox_too(storage):
    """The raw mail in the embedded Maildir (the processed folder included) is personal data too."""
    import os

    new = storage / "maildir" / "new"
    new.mkdir(parents=True, exist_ok=True)
    target = new / "1511342400.M1P1.demo"
    target.write_bytes(corpus_file("042").read_bytes().replace(b"Message-ID: <", b"Message-ID: <again-"))
    assert run(storage, "poll", "--once", now=INGEST_NOW).exit_code == 0
    kept = [p for p in (storage / "maildir").rglob("*") if p.is_file() and p.parent.name in ("cur", "new")]
    assert kept, "the polled message is in the processed folder"
    arrived = datetime.fromisoformat(INGEST_NOW).timestamp()
    for p in kept:
        os.utime(p, (arrived, arrived))
    result = run(storage, "purge", "--before", "2018-01-01", "--yes")
    assert result.exit_code == 0, result.output
    assert "berichten in de ingebouwde mailbox" in result.output
    assert not [p for p in (storage / "maildir").rglob("*") if p.is_file() and p.parent.name in ("cur", "new")]
