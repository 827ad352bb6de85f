"""Crash consistency: the bot SIGKILLed at a named point of `poll --once`
(MAILBOT_FAILPOINT), then restarted normally.

What a user notices: a power cut never loses a registration and never makes
the bot answer the same mail twice.
"""

from __future__ import annotations

import signal

import botrun

CASE = "019"  # the secretariat registers the mayor: one confirmation to the secretariat
TO = "bestuurssecretariaat@alkmaar.nl"


def _setup(tmp_path, imap_mailbox, smtp):
    raw = botrun.corpus(CASE)
    imap_mailbox.append("INBOX", raw)
    return raw, botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)


def _killed(bot: botrun.Bot, point: str) -> None:
    run = bot.poll(failpoint=point, check=False)
    assert run.returncode == -signal.SIGKILL, run


def _handled_once(raw, bot, imap_mailbox, smtp) -> None:
    """One attendee, one confirmation at the SMTP server, mail in Verwerkt."""
    assert [m.rcpt_tos for m in smtp.messages] == [[TO]]
    assert smtp.messages[0].message["In-Reply-To"] == botrun.header(raw, "Message-ID")
    state = bot.export()
    assert [(a["name"], a["status"]) for a in state["attendees"]] == [
        ("Esther Scholten", "registered")
    ]
    assert [(o["to"], o["status"]) for o in state["outbox"]] == [([TO], "sent")]
    assert imap_mailbox.list_folder("INBOX") == []
    assert botrun.message_ids(imap_mailbox.list_folder("Verwerkt")) == [
        botrun.header(raw, "Message-ID")
    ]


def test_killed_after_record_sends_the_reply_once_on_restart(tmp_path, imap_mailbox, smtp):
    """Killed after the decision is committed but before sending: nothing has
    gone out and the mail is still in INBOX; the next poll sends the queued
    confirmation exactly once and moves the mail."""
    raw, bot = _setup(tmp_path, imap_mailbox, smtp)
    _killed(bot, "after-record")
    assert smtp.messages == []
    assert len(imap_mailbox.list_folder("INBOX")) == 1

    bot.poll()
    _handled_once(raw, bot, imap_mailbox, smtp)


def test_killed_after_send_does_not_record_or_answer_twice(tmp_path, imap_mailbox, smtp):
    """Killed after sending but before the mail was moved: the restart sees the
    same mail again in INBOX, but records no second attendee, sends no second
    confirmation, and moves it to Verwerkt."""
    raw, bot = _setup(tmp_path, imap_mailbox, smtp)
    _killed(bot, "after-send")
    assert [m.rcpt_tos for m in smtp.messages] == [[TO]]
    assert len(imap_mailbox.list_folder("INBOX")) == 1

    run = bot.poll()
    assert "1 duplicate" in run.stdout, run
    _handled_once(raw, bot, imap_mailbox, smtp)


def test_killed_after_acknowledge_loses_and_repeats_nothing(tmp_path, imap_mailbox, smtp):
    """Killed after the mail was moved but before the poll position was saved:
    the restart finds nothing new and sends nothing more."""
    raw, bot = _setup(tmp_path, imap_mailbox, smtp)
    _killed(bot, "after-acknowledge")

    run = bot.poll()
    assert "no new mail" in run.stdout, run
    _handled_once(raw, bot, imap_mailbox, smtp)
