"""Prove the real-server fixtures (tests/servers.py, tests/conftest.py) work."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import ssl
from email.message import EmailMessage

import aiosmtplib
import pytest

pytestmark = pytest.mark.servers

RAW = (
    b"From: Alice <alice@example.org>\r\n"
    b"To: bot@example.org\r\n"
    b"Subject: Aanmelding netwerkdag\r\n"
    b"Message-ID: <t1@example.org>\r\n"
    b"\r\n"
    b"Ik kom graag.\r\n"
)


def _mail(subject: str = "hello") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "bot@example.org"
    msg["To"] = "alice@example.org"
    msg["Subject"] = subject
    msg.set_content("body text\n")
    return msg


# ---------------------------------------------------------------- IMAP


def test_imap_capabilities(imap_mailbox):
    client = imap_mailbox.connect()
    try:
        caps = set(client.capabilities())
    finally:
        client.logout()
    assert {b"IDLE", b"MOVE", b"CONDSTORE", b"UIDPLUS"} <= caps


def test_imap_append_and_fetch(imap_mailbox):
    assert imap_mailbox.list_folder("INBOX") == []
    uid = imap_mailbox.append("INBOX", RAW)
    assert uid == 1
    assert imap_mailbox.list_folder("INBOX") == [RAW]

    client = imap_mailbox.connect()
    try:
        client.select_folder("INBOX")
        data = client.fetch([uid], ["ENVELOPE", "BODY.PEEK[]", "MODSEQ"])
        assert data[uid][b"BODY[]"] == RAW
        assert data[uid][b"ENVELOPE"].subject == b"Aanmelding netwerkdag"
        assert data[uid][b"MODSEQ"][0] >= 1
        client.create_folder("Verwerkt")
        client.move([uid], "Verwerkt")
    finally:
        client.logout()
    assert imap_mailbox.list_folder("INBOX") == []
    assert imap_mailbox.list_folder("Verwerkt") == [RAW]


def test_imap_mailboxes_are_isolated(imap_mailbox, dovecot):
    imap_mailbox.create_folder("Archief/2024")
    assert "Archief/2024" in imap_mailbox.list_folders()
    other = dovecot.add_user()
    assert dovecot.list_folders(user=other) == ["INBOX"]
    assert dovecot.list_folder("INBOX", user=other) == []
    imap_mailbox.clear()
    assert imap_mailbox.list_folders() == ["INBOX"]


def test_imap_implicit_tls(imap_mailbox):
    client = imap_mailbox.connect(tls=True)
    try:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        client.logout()


def test_imap_wrong_password_rejected(dovecot):
    from imapclient.exceptions import LoginError

    client = dovecot.connect(login=False)
    try:
        with pytest.raises(LoginError):
            client.login(dovecot.user, "wrong")
    finally:
        client.shutdown()


def test_dovecot_restart_same_port_keeps_mail(imap_mailbox, dovecot):
    imap_mailbox.append("INBOX", RAW)
    port, ssl_port = dovecot.port, dovecot.ssl_port
    dovecot.stop()
    assert not dovecot.running
    with pytest.raises(OSError):
        imap_mailbox.connect()
    dovecot.start()
    assert (dovecot.port, dovecot.ssl_port) == (port, ssl_port)
    assert imap_mailbox.list_folder("INBOX") == [RAW]


def test_dovecot_kill_and_start(imap_mailbox, dovecot):
    imap_mailbox.append("INBOX", RAW)
    client = imap_mailbox.connect()
    client.select_folder("INBOX")
    dovecot.stop(graceful=False)  # like a crash: open sessions die at once
    with pytest.raises((OSError, imaplib.IMAP4.abort)):
        client.noop()
    with contextlib.suppress(Exception):
        client.shutdown()
    dovecot.start()
    assert imap_mailbox.list_folder("INBOX") == [RAW]


# ---------------------------------------------------------------- SMTP


async def _send(server, msg: EmailMessage, *, auth: bool = True, **kw):
    ctx = ssl.create_default_context(cafile=str(server.ca_file))
    async with aiosmtplib.SMTP(
        hostname=server.host, port=server.port, start_tls=True, tls_context=ctx, timeout=10
    ) as client:
        if auth:
            await client.login(server.user, server.password)
        return await client.send_message(msg, **kw)


def test_smtp_starttls_auth_send(smtp):
    errors, _ = asyncio.run(_send(smtp, _mail("via aiosmtplib")))
    assert errors == {}
    [received] = smtp.wait_for_messages(1)
    assert received.mail_from == "bot@example.org"
    assert received.rcpt_tos == ["alice@example.org"]
    assert received.auth_user == "bot"
    assert received.message["Subject"] == "via aiosmtplib"
    assert b"body text" in received.data


def test_smtp_without_auth_refused(smtp):
    with pytest.raises(aiosmtplib.SMTPSenderRefused) as info:
        asyncio.run(_send(smtp, _mail(), auth=False))
    assert info.value.code == 530
    assert smtp.messages == []


def test_smtp_bad_password_refused(smtp):
    async def run():
        ctx = ssl.create_default_context(cafile=str(smtp.ca_file))
        async with aiosmtplib.SMTP(
            hostname=smtp.host, port=smtp.port, start_tls=True, tls_context=ctx, timeout=10
        ) as client:
            await client.login(smtp.user, "wrong")

    with pytest.raises(aiosmtplib.SMTPAuthenticationError):
        asyncio.run(run())
    assert smtp.auth_failures >= 1


def test_smtp_auth_needs_starttls(smtp):
    async def run():
        async with aiosmtplib.SMTP(
            hostname=smtp.host, port=smtp.port, start_tls=False, timeout=10
        ) as client:
            await client.login(smtp.user, smtp.password)

    with pytest.raises(aiosmtplib.SMTPException):
        asyncio.run(run())


def test_smtp_failure_injection(smtp):
    smtp.fail_next(code=550, n=1)
    with pytest.raises(aiosmtplib.SMTPDataError) as info:
        asyncio.run(_send(smtp, _mail("first")))
    assert info.value.code == 550
    asyncio.run(_send(smtp, _mail("second")))  # only the next one failed
    assert [m.message["Subject"] for m in smtp.messages] == ["second"]

    smtp.fail_with(451, stage="rcpt")
    for _ in range(2):
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as rinfo:
            asyncio.run(_send(smtp, _mail("temp")))
        assert rinfo.value.recipients[0].code == 451
    smtp.reset_failures()
    asyncio.run(_send(smtp, _mail("third")))
    assert [m.message["Subject"] for m in smtp.messages] == ["second", "third"]


def test_smtp_restart_same_port(smtp):
    port = smtp.port
    smtp.stop()
    with pytest.raises((OSError, aiosmtplib.SMTPConnectError)):
        asyncio.run(_send(smtp, _mail()))
    smtp.start()
    assert smtp.port == port
    asyncio.run(_send(smtp, _mail("after restart")))
    assert smtp.wait_for_messages(1)[0].message["Subject"] == "after restart"
