"""`run` keeps its IMAP connection between polls (mailbot.scheduler._poll_kept).

What a user notices: a bot that polls every minute costs the mail server two
cheap commands per poll instead of a login; and when the server drops that
connection (restart, idle timeout), the next poll reconnects at once and
still answers the mail that came meanwhile, exactly once.

Runs in this process against the session's real Dovecot and SMTP server.
"""

from __future__ import annotations

import imaplib
import os
from collections import Counter
from datetime import datetime

import botrun
import pytest
from imapclient import IMAPClient

from mailbot import config, scheduler
from mailbot.service import open_bot

NOW = datetime.fromisoformat(botrun.NOW)


@pytest.fixture
def kept_bot(tmp_path, imap_mailbox, smtp, monkeypatch):
    installed = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)
    for name, value in installed.env.items():
        monkeypatch.setenv(name, value)
    bot = open_bot(config.load(installed.config, storage=installed.storage))
    yield bot
    scheduler._drop_mailbox()
    bot.engine.dispose()


@pytest.fixture
def imap_commands(monkeypatch) -> Counter:
    """IMAP commands this process sends (imaplib's and imapclient's own writers)."""
    sent: Counter = Counter()
    orig_command, orig_raw = imaplib.IMAP4._command, IMAPClient._raw_command

    def command(self, name, *args):
        sent[str(name).upper()] += 1
        return orig_command(self, name, *args)

    def raw(self, name, args, uid=True):
        sent[("UID " if uid and self.use_uid else "") + (name.decode() if isinstance(name, bytes) else name).upper()] += 1
        return orig_raw(self, name, args, uid)

    monkeypatch.setattr(imaplib.IMAP4, "_command", command)
    monkeypatch.setattr(IMAPClient, "_raw_command", raw)
    return sent


def test_idle_polls_reuse_one_connection(kept_bot, imap_mailbox, smtp, imap_commands):
    assert scheduler._poll_kept(kept_bot, NOW) == []
    first = scheduler._RUNNING["mailbox"]
    imap_commands.clear()

    for _ in range(3):
        assert scheduler._poll_kept(kept_bot, NOW) == []

    assert scheduler._RUNNING["mailbox"] is first
    assert "LOGIN" not in imap_commands and "SELECT" not in imap_commands, imap_commands
    assert imap_commands == Counter({"NOOP": 3, "UID SEARCH": 3}), imap_commands

    imap_mailbox.append("INBOX", botrun.corpus("019"))
    results = scheduler._poll_kept(kept_bot, NOW)
    assert [r.outcome for r in results] == ["recorded"]
    assert len(smtp.messages) == 1


def test_dropped_connection_is_replaced_in_the_same_poll(kept_bot, imap_mailbox, smtp):
    scheduler._poll_kept(kept_bot, NOW)
    kept = scheduler._RUNNING["mailbox"]
    kept.client.socket().shutdown(2)  # as a server restart or idle timeout leaves it
    imap_mailbox.append("INBOX", botrun.corpus("024"))

    results = scheduler._poll_kept(kept_bot, NOW)

    assert [r.outcome for r in results] == ["recorded"]
    assert scheduler._RUNNING["mailbox"] is not kept
    assert [m.message["In-Reply-To"] for m in smtp.messages] == [botrun.header(botrun.corpus("024"), "Message-ID")]
    assert imap_mailbox.list_folder("INBOX") == []
    assert scheduler._poll_kept(kept_bot, NOW) == []  # the new connection is kept in turn
    assert len(smtp.messages) == 1


def test_maildir_bot_keeps_nothing(tmp_path, monkeypatch):
    bot = open_bot(config.load(botrun.Bot.make(tmp_path).config, storage=tmp_path / "storage"))
    try:
        assert scheduler._poll_kept(bot, NOW) == []
        assert "mailbox" not in scheduler._RUNNING
    finally:
        bot.engine.dispose()
    assert os.path.isdir(tmp_path / "storage")


def test_mail_arriving_during_a_poll_is_read_in_the_same_poll(imap_mailbox, monkeypatch):
    """A poll reads until a search finds nothing new, so a reply that lands while the
    previous one is being handled does not wait for the next wake-up."""
    from mailbot.config import ImapSettings
    from mailbot.mail.imap import ImapMailbox

    monkeypatch.setenv("MAILBOT_TEST_IMAP_PW", imap_mailbox.password)
    settings = ImapSettings(host=imap_mailbox.host, port=imap_mailbox.port, tls="starttls",
                            user=imap_mailbox.user, password_env="MAILBOT_TEST_IMAP_PW",
                            ca_file=imap_mailbox.ca_file, timeout=10)
    imap_mailbox.append("INBOX", botrun.corpus("019"))
    box = ImapMailbox(settings)
    try:
        box.resume(None, 0)
        seen = []
        for batch in box.batches():
            seen.append([botrun.header(f.raw, "Message-ID") for f in batch])
            if len(seen) == 1:
                imap_mailbox.append("INBOX", botrun.corpus("024"))  # arrives while the first is handled
            box.acknowledge(batch)
    finally:
        box.close()
    assert seen == [[botrun.header(botrun.corpus("019"), "Message-ID")],
                    [botrun.header(botrun.corpus("024"), "Message-ID")]]
    assert imap_mailbox.list_folder("INBOX") == []
