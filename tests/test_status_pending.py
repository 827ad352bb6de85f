"""`mailbot status` and the digest on what does not move: replies that are not sent,
and mail older than process_since that stays in the inbox.

A wrong SMTP port does not stop a poll (delivery is retried), so the replies
pile up in the outbox; `status` reports what waits longer than `[outbox]
stale_after_minutes` or keeps failing, exits 1 for it, and the staff digest
names it in Dutch. Mail older than process_since is recorded as skipped and
left unread in the inbox; `status` counts it, from what the last poll saw.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import botrun
import pytest
import servers
from click.testing import CliRunner
from sqlmodel import Session

from mailbot import config, db, operations, store
from mailbot.cli import cli
from mailbot.errors import ConfigError
from mailbot.mail.maildir import deliver
from mailbot.reports.digest import render_digest
from mailbot.service import open_bot

NOW = datetime.fromisoformat(botrun.NOW)
OLD_DATE = "Mon, 16 Oct 2017 10:00:00 +0200"  # before the shipped process_since (2017-11-01)


def _fields(run: botrun.Run) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in run.stdout.splitlines())}


def _at(minutes: int) -> str:
    return (NOW + timedelta(minutes=minutes)).isoformat()


# --- the setting ---------------------------------------------------------------------


def test_stale_after_minutes_defaults_to_thirty(tmp_path):
    assert config.load(botrun.SHIPPED_CONFIG).outbox_stale_minutes == 30
    text = botrun.SHIPPED_CONFIG.read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if not line.startswith("stale_after_minutes")]
    path = botrun.write_config(tmp_path / "etc", "\n".join(lines))
    assert config.load(path).outbox_stale_minutes == 30


def test_stale_after_minutes_is_validated(tmp_path):
    text = botrun.SHIPPED_CONFIG.read_text(encoding="utf-8")
    path = botrun.write_config(tmp_path / "etc", text.replace("stale_after_minutes = 30", "stale_after_minutes = 0"))
    with pytest.raises(ConfigError) as e:
        config.load(path)
    assert "outbox.stale_after_minutes" in str(e.value)


# --- replies that are not sent -------------------------------------------------------


@pytest.fixture
def dead_smtp_bot(tmp_path, smtp) -> botrun.Bot:
    """A Maildir bot sending to an SMTP port where nothing listens, with one reply to send."""
    dead = SimpleNamespace(host=smtp.host, port=servers.free_port(), ca_file=smtp.ca_file, user=smtp.user,
                           password=smtp.password)
    bot = botrun.Bot.make(tmp_path, smtp=dead)
    deliver(bot.storage / "maildir", botrun.corpus("019"))
    return bot


def test_status_reports_replies_that_keep_failing(dead_smtp_bot):
    bot = dead_smtp_bot
    assert "1 recorded" in bot.poll().stdout  # delivery is retried: the poll itself succeeds
    first = bot.run("status")  # one failed attempt, just now: not yet a problem
    assert _fields(first)["wachtende mail"] == "0" and _fields(first)["status"] == "ok", first

    bot.poll()  # the second attempt fails too
    run = bot.run("status", check=False)
    assert run.returncode == 1, run
    fields = _fields(run)
    assert fields["wachtrij uitgaand"] == "1"
    assert fields["wachtende mail"].startswith("1 "), run
    assert "SMTP connection failed" in fields["wachtende mail"], run
    assert fields["status"].startswith("MAIL WACHT"), run


def test_status_reports_replies_waiting_longer_than_the_setting(dead_smtp_bot):
    bot = dead_smtp_bot
    bot.poll()
    later = botrun.Bot(bot.config, bot.storage, bot.env, _at(31))
    run = later.run("status", check=False)
    assert run.returncode == 1, run
    fields = _fields(run)
    # the poll is 31 minutes old (stale too); the waiting reply is named all the same
    assert fields["wachtende mail"].startswith("1 langer dan 30 minuten in de wachtrij"), run
    assert "MAIL WACHT" in fields["status"], run


@pytest.fixture
def quiet_bot(tmp_path):
    """A Maildir bot with a recent poll and one reply queued at NOW that nobody sent."""
    cfg = config.load(botrun.write_config(tmp_path / "etc", botrun.SHIPPED_CONFIG.read_text(encoding="utf-8")),
                      storage=tmp_path / "storage")
    bot = open_bot(cfg)
    with Session(bot.engine) as s, s.begin():
        store.enqueue(s, db.Outbox(message_id="<r1@g32.nl>", kind="confirmation",
                                   to=json.dumps(["j.jansen@almere.nl"]),
                                   subject="Bevestiging aanmelding G32 netwerkdag", raw=b"x", created_at=NOW))
        st = store.mailbox_state(s, "maildir")
        st.last_poll_at = NOW + timedelta(minutes=30)
        s.add(st)
    yield bot
    bot.engine.dispose()


def test_waiting_is_measured_against_stale_after_minutes(quiet_bot):
    before = operations.status(quiet_bot, now=NOW + timedelta(minutes=29))
    assert before.healthy and before.waiting.count == 0 and before.queued == 1
    after = operations.status(quiet_bot, now=NOW + timedelta(minutes=31))
    assert not after.stale and not after.healthy
    assert after.waiting.count == 1 and after.waiting.oldest_to == "j.jansen@almere.nl"
    assert after.waiting.oldest_since == NOW and after.waiting.last_error is None


def test_status_command_exits_1_for_waiting_mail(quiet_bot, tmp_path):
    args = ["--config", str(tmp_path / "etc" / "config.toml"), "--storage", str(tmp_path / "storage"),
            "--now", _at(31), "status"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "MAIL WACHT (1 uitgaand langer dan 30 minuten in de wachtrij of herhaaldelijk mislukt)" in result.stdout, result.stdout
    assert "j.jansen@almere.nl" in result.stdout


def test_digest_names_the_waiting_mail_in_dutch(quiet_bot):
    with Session(quiet_bot.engine) as s:
        _subject, text, html = render_digest(quiet_bot, s, NOW + timedelta(minutes=31))
        _s, quiet_text, quiet_html = render_digest(quiet_bot, s, NOW + timedelta(minutes=29))
    assert "Nog niet verzonden: 1 bericht (langer dan 30 minuten in de wachtrij of herhaaldelijk mislukt)." in text
    assert "j.jansen@almere.nl" in text and "Bevestiging aanmelding G32 netwerkdag" in text
    assert "donderdag 16 november 2017 09.00" in text  # when the oldest was queued, local time
    assert "Nog niet verzonden" in html and "j.jansen@almere.nl" in html
    assert "Nog niet verzonden" not in quiet_text and "Nog niet verzonden" not in quiet_html


# --- mail older than process_since ----------------------------------------------------


def _old(case: str) -> bytes:
    return botrun.replace_header(botrun.corpus(case), "Date", OLD_DATE)


def test_status_counts_old_mail_left_in_the_maildir(tmp_path: Path):
    bot = botrun.Bot.make(tmp_path)
    assert _fields(bot.run("status", check=False))["oude mail"].startswith("onbekend")
    maildir = bot.storage / "maildir"
    old_keys = [deliver(maildir, _old("019")), deliver(maildir, _old("024"))]
    deliver(maildir, botrun.corpus("020"))
    bot.poll()
    fields = _fields(bot.run("status"))
    assert fields["oude mail"].startswith("2 ouder dan process_since (2017-11-01)"), fields
    assert len(list((maildir / "new").iterdir()) + list((maildir / "cur").iterdir())) == 2  # left there

    bot.poll()  # seen again, counted once
    assert _fields(bot.run("status"))["oude mail"].startswith("2 "), fields

    import mailbox

    mailbox.Maildir(str(maildir)).remove(old_keys[0])  # staff moved one away
    bot.poll()
    assert _fields(bot.run("status"))["oude mail"].startswith("1 ")


def test_status_counts_old_mail_left_in_the_imap_inbox(tmp_path: Path, imap_mailbox, smtp):
    bot = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)
    imap_mailbox.append("INBOX", _old("019"))
    imap_mailbox.append("INBOX", _old("024"))
    imap_mailbox.append("INBOX", botrun.corpus("020"))
    bot.poll()
    assert _fields(bot.run("status"))["oude mail"].startswith("2 "), "after the first poll"

    imap_mailbox.append("INBOX", _old("028"))
    bot.poll()  # this poll reads only the new UID; the two before are still in the inbox
    assert _fields(bot.run("status"))["oude mail"].startswith("3 ")
    assert len(imap_mailbox.list_folder("INBOX")) == 3
    bot.poll()
    assert _fields(bot.run("status"))["oude mail"].startswith("3 ")
