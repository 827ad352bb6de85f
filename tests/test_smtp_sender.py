"""Sending over SMTP against a real aiosmtpd server (STARTTLS and AUTH required).

What a user notices: answers really go out over an authenticated, verified
TLS connection; a mail the server refuses for good (5xx) is marked failed and
put before staff instead of retried forever; a temporary refusal (4xx) or a
server that is down loses nothing: the answer stays queued and goes out on a
later run.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import botrun
import pytest
import servers

from mailbot.config import SmtpSettings
from mailbot.mail.base import Outgoing
from mailbot.mail.smtp import SmtpSender

RCPT = "bestuurssecretariaat@alkmaar.nl"


def _settings(smtp: servers.SmtpServer, **kw) -> SmtpSettings:
    values = dict(
        host=smtp.host,
        port=smtp.port,
        tls="starttls",
        user=smtp.user,
        password_env=botrun.SMTP_PW_ENV,
        timeout=10,
        ca_file=smtp.ca_file,
    )
    return SmtpSettings(**{**values, **kw})


def _mail(n: int = 1) -> Outgoing:
    msg = EmailMessage()
    msg["From"] = "G32 <info@G32.nl>"
    msg["To"] = RCPT
    msg["Subject"] = f"Bevestiging {n}"
    msg["Message-ID"] = make_msgid(domain="g32.nl")
    msg.set_content("Uw aanmelding is ontvangen.\n")
    return Outgoing(n, msg["Message-ID"], (RCPT,), bytes(msg))


@pytest.fixture
def sender(smtp, monkeypatch) -> SmtpSender:
    monkeypatch.setenv(botrun.SMTP_PW_ENV, smtp.password)
    return SmtpSender(_settings(smtp), "info@G32.nl")


def test_delivers_over_starttls_with_auth(sender, smtp):
    """Two mails on one authenticated STARTTLS session (the server accepts
    nothing else) arrive with the right envelope, byte for byte."""
    mails = [_mail(1), _mail(2)]
    results = sender.send(mails)
    assert [(r.id, r.ok) for r in results] == [(1, True), (2, True)]
    assert [(m.mail_from, m.rcpt_tos, m.auth_user) for m in smtp.messages] == [
        ("info@G32.nl", [RCPT], smtp.user)
    ] * 2
    assert [m.message["Message-ID"] for m in smtp.messages] == [m.message_id for m in mails]


def test_untrusted_certificate_is_not_used(smtp, monkeypatch):
    """Without the test CA the server's certificate is not trusted: nothing is
    sent (and the password is never offered), the mail stays for a retry."""
    monkeypatch.setenv(botrun.SMTP_PW_ENV, smtp.password)
    results = SmtpSender(_settings(smtp, ca_file=None), "info@G32.nl").send([_mail()])
    assert [(r.ok, r.permanent) for r in results] == [(False, False)]
    assert smtp.messages == [] and smtp.auth_failures == 0


def test_wrong_password_keeps_mail_for_retry(smtp, monkeypatch):
    """A refused login is the operator's mistake, not the recipient's: the mail
    is not marked permanently failed (it must still go out once fixed)."""
    monkeypatch.setenv(botrun.SMTP_PW_ENV, smtp.password + "-wrong")
    results = SmtpSender(_settings(smtp), "info@G32.nl").send([_mail(1), _mail(2)])
    assert [(r.ok, r.permanent) for r in results] == [(False, False)] * 2
    assert "535" in (results[0].error or "")
    assert smtp.messages == []


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_5xx_is_permanent_and_4xx_temporary(sender, smtp, stage):
    """550 at RCPT or DATA: that mail failed for good; 451: try again later;
    the rest of the batch still goes out on the same connection."""
    smtp.fail_next(550, 1, stage)
    smtp.fail_next(451, 1, stage)
    results = sender.send([_mail(1), _mail(2), _mail(3)])
    assert [(r.id, r.ok, r.permanent) for r in results] == [
        (1, False, True),
        (2, False, False),
        (3, True, False),
    ]
    assert "550" in (results[0].error or "") and "451" in (results[1].error or "")
    assert len(smtp.messages) == 1


def test_server_down_is_temporary_not_an_exception(sender, smtp):
    """SMTP server stopped: every mail comes back not sent, not permanent, and
    send() returns instead of raising."""
    smtp.stop()
    try:
        results = sender.send([_mail(1), _mail(2)])
    finally:
        smtp.start()
    assert [(r.id, r.ok, r.permanent) for r in results] == [(1, False, False), (2, False, False)]
    assert smtp.messages == []


def _ingest_019(bot: botrun.Bot, tmp_path) -> str:
    raw = botrun.corpus("019")
    path = tmp_path / "019.eml"
    path.write_bytes(raw)
    bot.ingest(path)
    return botrun.header(raw, "Message-ID")


def test_permanent_refusal_marks_outbox_failed_and_asks_staff(tmp_path, smtp):
    """`ingest` while the server answers 550: the registration is recorded, the
    confirmation is marked failed (not retried) and staff get a review item
    for that message."""
    smtp.fail_with(550, "rcpt")
    bot = botrun.Bot.make(tmp_path, smtp=smtp)
    mid = _ingest_019(bot, tmp_path)

    state = bot.export()
    assert [a["name"] for a in state["attendees"]] == ["Esther Scholten"]
    assert [(o["to"], o["status"]) for o in state["outbox"]] == [([RCPT], "failed")]
    assert [r["message_id"] for r in state["review"]] == [mid]
    assert state["review"][0]["reason"]
    assert smtp.messages == []


def test_temporary_refusal_stays_queued_until_a_later_run(tmp_path, imap_mailbox, smtp):
    """`ingest` while the server answers 451: the confirmation stays queued
    with no review item; once the server accepts again, the next
    `poll --once` (empty INBOX) sends it, once."""
    smtp.fail_with(451, "data")
    bot = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)
    mid = _ingest_019(bot, tmp_path)
    state = bot.export()
    assert [o["status"] for o in state["outbox"]] == ["queued"]
    assert state["review"] == [] and smtp.messages == []

    smtp.reset_failures()
    bot.poll()
    assert [(m.rcpt_tos, m.message["In-Reply-To"]) for m in smtp.messages] == [([RCPT], mid)]
    assert [o["status"] for o in bot.export()["outbox"]] == ["sent"]


def test_server_down_then_up_drains_the_outbox(tmp_path, imap_mailbox, smtp):
    """`ingest` while the SMTP server is down exits normally with the
    confirmation queued; after the server is back, the next `poll --once`
    (empty INBOX) sends it."""
    bot = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)
    smtp.stop()
    try:
        mid = _ingest_019(bot, tmp_path)
    finally:
        smtp.start()
    state = bot.export()
    assert [o["status"] for o in state["outbox"]] == ["queued"]
    assert state["review"] == []

    bot.poll()
    assert [(m.rcpt_tos, m.message["In-Reply-To"]) for m in smtp.messages] == [([RCPT], mid)]
    assert [o["status"] for o in bot.export()["outbox"]] == ["sent"]


def test_refused_smtp_login_is_a_loud_error_and_keeps_the_reply(tmp_path, imap_mailbox, smtp):
    """A wrong SMTP password is a configuration problem: `ingest` records the
    registration, keeps the reply queued, and exits non-zero with one clear
    line (no traceback, no password); fixed, the next poll sends it."""
    bot = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)
    src = tmp_path / "019.eml"
    src.write_bytes(botrun.corpus("019"))
    run = bot.ingest(src, check=False, env={botrun.SMTP_PW_ENV: "wrong-password"})
    assert run.returncode == 5, str(run)
    errors = [ln for ln in run.stderr.splitlines() if ln.startswith("mailbot:")]
    assert len(errors) == 1 and "SMTP login refused" in errors[0]
    assert "Traceback" not in run.stderr and "wrong-password" not in run.stderr
    state = bot.export()
    assert [a["name"] for a in state["attendees"]] == ["Esther Scholten"]
    assert [o["status"] for o in state["outbox"]] == ["queued"]
    bot.poll()
    assert len(smtp.messages) == 1
