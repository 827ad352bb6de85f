"""XOAUTH2 against a real Dovecot whose oauth2 passdb checks tokens at a loopback endpoint."""

from __future__ import annotations

import pytest
import servers
from oauthkit import OAuthServer

from mailbot.config import ImapSettings
from mailbot.errors import MailboxError
from mailbot.mail.imap import ImapMailbox
from mailbot.mail.oauth import OAuth2Settings

pytestmark = pytest.mark.servers


@pytest.fixture
def oauth_dovecot():
    auth = OAuthServer(token="tok-good", valid="tok-good", username=servers.DEFAULT_USER)
    workdir = servers.make_workdir("mailbot-oauth-")
    dv = servers.DovecotServer(workdir)
    ext = workdir / "dovecot-oauth2.conf.ext"
    ext.write_text(f"introspection_mode = post\nintrospection_url = {auth.base}/introspect\n"
                   "username_attribute = username\nactive_attribute = active\nactive_value = true\n")
    ext.chmod(0o644)
    conf = dv.conf_path.read_text().replace("auth_mechanisms = plain login",
                                            "auth_mechanisms = plain login xoauth2 oauthbearer")
    conf = conf.replace("passdb {", f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                                     f"  args = {ext}\n}}\npassdb {{", 1)
    dv.conf_path.write_text(conf)
    dv.start()
    yield dv, auth
    dv.stop(graceful=False)
    auth.close()


def imap_settings(dv, auth, client_id: str = "mailbot") -> ImapSettings:
    return ImapSettings(host=dv.host, port=dv.port, tls="starttls", user=dv.user, password_env=None,
                        ca_file=dv.ca_file, timeout=10,
                        oauth2=OAuth2Settings(provider="generic", client_id=client_id, client_secret_env="T_SECRET",
                                              refresh_token_env=None, scope="imap", token_endpoint=f"{auth.base}/token"))


def test_imap_xoauth2_login_reads_the_mailbox(oauth_dovecot, monkeypatch):
    dv, auth = oauth_dovecot
    monkeypatch.setenv("T_SECRET", "s")
    dv.append("INBOX", b"From: a@zwolle.nl\r\nSubject: x\r\nMessage-ID: <ox1@zwolle.nl>\r\n\r\nhallo\r\n")
    box = ImapMailbox(imap_settings(dv, auth))
    try:
        box.resume(None, 0)
        fetched = [f for batch in box.batches() for f in batch]
    finally:
        box.close()
    assert [b"<ox1@zwolle.nl>" in f.raw for f in fetched] == [True]
    assert auth.introspected and auth.introspected[-1] == "tok-good"


def test_imap_xoauth2_bad_token_is_a_clear_login_error(oauth_dovecot, monkeypatch):
    dv, auth = oauth_dovecot
    monkeypatch.setenv("T_SECRET", "s")
    settings = imap_settings(dv, auth, client_id="other")  # a separate token cache entry
    bad = OAuthServer(token="tok-bad", valid="tok-good", username=servers.DEFAULT_USER)
    try:
        from dataclasses import replace

        settings = replace(settings, oauth2=replace(settings.oauth2, token_endpoint=f"{bad.base}/token"))
        with pytest.raises(MailboxError, match="login refused"):
            ImapMailbox(settings)
    finally:
        bad.close()
