"""XOAUTH2: tokens come from the configured endpoint, are refreshed before expiry, and log in to SMTP."""

from __future__ import annotations

import base64

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from oauthkit import OAuthServer

from mailbot.config import SmtpSettings
from mailbot.mail.base import Outgoing
from mailbot.mail.oauth import OAuth2Settings, TokenSource
from mailbot.mail.smtp import SmtpSender


@pytest.fixture
def tokens():
    server = OAuthServer()
    yield server
    server.close()


def settings(url: str, **kw) -> OAuth2Settings:
    return OAuth2Settings(provider="generic", client_id="mailbot", client_secret_env="TEST_OAUTH_SECRET",
                          refresh_token_env=kw.get("refresh"), scope="mail", token_endpoint=url)


def test_client_credentials_token_is_cached_and_refreshed_before_expiry(tokens, monkeypatch):
    monkeypatch.setenv("TEST_OAUTH_SECRET", "s3cret")
    now = [0.0]
    src = TokenSource(settings(tokens.url), clock=lambda: now[0])
    assert src.token() == "tok-1"
    now[0] = 3000.0
    assert src.token() == "tok-1"  # still valid, not near expiry
    now[0] = 3400.0  # within the refresh margin before 3600
    assert src.token() == "tok-2"
    assert tokens.requests[0]["grant_type"] == "client_credentials"
    assert tokens.requests[0]["client_secret"] == "s3cret"


def test_refresh_token_flow(tokens, monkeypatch):
    monkeypatch.setenv("TEST_OAUTH_SECRET", "s3cret")
    monkeypatch.setenv("TEST_REFRESH", "r-123")
    TokenSource(settings(tokens.url, refresh="TEST_REFRESH")).token()
    assert tokens.requests[0]["grant_type"] == "refresh_token"
    assert tokens.requests[0]["refresh_token"] == "r-123"


class XOAuthHandler:
    """SMTP handler accepting AUTH XOAUTH2 with the expected bearer token only."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.messages: list[bytes] = []
        self.seen: list[str] = []

    async def auth_XOAUTH2(self, server, args):  # noqa: N802 (aiosmtpd looks the name up)
        blob = args[1] if len(args) > 1 else (await server.challenge_auth("", encode_to_b64=False)).decode()
        decoded = base64.b64decode(blob).decode()
        self.seen.append(decoded)
        fields = dict(p.split("=", 1) for p in decoded.split("\x01") if "=" in p)
        ok = fields.get("auth") == f"Bearer {self.token}" and fields.get("user") == "info@G32.nl"
        return AuthResult(success=ok, handled=False)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def xoauth_smtp(tmp_path):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    import ssl

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    handler = XOAuthHandler("tok-1")
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ctl = Controller(handler, hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
                     auth_require_tls=True, auth_required=True, auth_exclude_mechanism=["LOGIN", "PLAIN"])
    ctl.start()
    yield ctl, handler, ca_file
    ctl.stop()


def smtp_settings(ctl, ca_file, token_url: str) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=ctl.port, tls="starttls", user="info@G32.nl", password_env=None,
                        timeout=10, ca_file=ca_file, oauth2=settings(token_url))


def test_smtp_xoauth2_login_sends(xoauth_smtp, tokens, monkeypatch):
    ctl, handler, ca_file = xoauth_smtp
    monkeypatch.setenv("TEST_OAUTH_SECRET", "s3cret")
    s = smtp_settings(ctl, ca_file, tokens.url)
    raw = b"From: info@G32.nl\r\nTo: x@zwolle.nl\r\nSubject: t\r\nMessage-ID: <o1@g32.nl>\r\n\r\nhallo\r\n"
    [result] = SmtpSender(s, "info@G32.nl").send([Outgoing(1, "<o1@g32.nl>", ("x@zwolle.nl",), raw)])
    assert result.ok, result.error
    assert handler.seen and "auth=Bearer tok-1" in handler.seen[0]
    assert len(handler.messages) == 1


def test_smtp_xoauth2_wrong_token_is_refused(xoauth_smtp, tokens, monkeypatch):
    ctl, handler, ca_file = xoauth_smtp
    handler.token = "something-else"
    monkeypatch.setenv("TEST_OAUTH_SECRET", "s3cret")
    s = smtp_settings(ctl, ca_file, tokens.url)
    raw = b"From: info@G32.nl\r\nTo: x@zwolle.nl\r\nSubject: t\r\nMessage-ID: <o2@g32.nl>\r\n\r\nhallo\r\n"
    [result] = SmtpSender(s, "info@G32.nl").send([Outgoing(1, "<o2@g32.nl>", ("x@zwolle.nl",), raw)])
    assert not result.ok
    assert handler.messages == []
