"""Sending over SMTP with aiosmtplib: TLS, authentication, one connection per batch.

A 5xx answer to one mail is permanent (the mail is marked failed and staff
review it); anything else (4xx, refused connection, timeout) is temporary and
retried. A session that cannot be set up (greeting, STARTTLS, login refused)
is temporary even with a 5xx: no mail is at fault, and each must still go out
once the server or the password is fixed.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import Callable

import aiosmtplib

from mailbot.config import SmtpSettings
from mailbot.errors import ConfigError
from mailbot.mail.base import Outgoing, SendResult


def tls_context(ca_file) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    return ctx


class SmtpSender:
    def __init__(self, settings: SmtpSettings, envelope_from: str) -> None:
        self.s = settings
        self.envelope_from = envelope_from
        self.login_refused: str | None = None  # set when the server refused our credentials
        self.password = None
        if settings.password_env:
            self.password = os.environ.get(settings.password_env)
            if self.password is None:
                raise ConfigError(f"smtp.password_env: environment variable {settings.password_env} is not set")

    def send(self, mails: list[Outgoing], on_result: Callable[[SendResult], None] | None = None) -> list[SendResult]:
        """Send over one connection; `on_result` hears each outcome the moment the server gives it."""
        if not mails:
            return []
        return asyncio.run(self._send(mails, on_result))

    async def _send(self, mails: list[Outgoing],
                    on_result: Callable[[SendResult], None] | None) -> list[SendResult]:
        s = self.s
        out: list[SendResult] = []

        def emit(result: SendResult) -> None:
            out.append(result)
            if on_result is not None:
                on_result(result)

        client = aiosmtplib.SMTP(
            hostname=s.host, port=s.port, timeout=s.timeout,
            use_tls=s.tls == "ssl", start_tls=True if s.tls == "starttls" else False,
            tls_context=tls_context(s.ca_file) if s.tls != "plain" else None,
        )
        try:
            await client.connect()
            if s.user and s.oauth2 is not None:
                from mailbot.mail.oauth import token_source

                await client.auth_xoauth2(s.user, token_source(s.oauth2).token())
            elif s.user:
                await client.login(s.user, self.password or "")
        except aiosmtplib.SMTPResponseException as e:
            client.close()
            if isinstance(e, aiosmtplib.SMTPAuthenticationError) or e.code in (530, 534, 535):
                self.login_refused = f"SMTP login refused for {s.user} at {s.host} ({e.code})"
            for m in mails:
                emit(SendResult(m.id, False, False, f"SMTP {e.code} {e.message}"))
            return out
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as e:
            for m in mails:
                emit(SendResult(m.id, False, False, f"SMTP connection failed: {e}"))
            return out
        try:
            for m in mails:
                try:
                    errors, _ = await client.sendmail(self.envelope_from, list(m.to), m.raw)
                    if errors and len(errors) == len(m.to):
                        code = min(c for c, _ in errors.values())
                        emit(SendResult(m.id, False, code >= 500, f"rejected: {errors}"))
                    else:
                        emit(SendResult(m.id, True))
                except aiosmtplib.SMTPRecipientsRefused as e:
                    codes = [r.code for r in e.recipients]
                    emit(SendResult(m.id, False, all(c >= 500 for c in codes), f"recipients refused: {e}"))
                except aiosmtplib.SMTPResponseException as e:
                    emit(SendResult(m.id, False, e.code >= 500, f"SMTP {e.code} {e.message}"))
                except (TimeoutError, aiosmtplib.SMTPException, OSError) as e:
                    emit(SendResult(m.id, False, False, f"SMTP error: {e}"))
                    break
        finally:
            try:
                await client.quit()
            except (TimeoutError, aiosmtplib.SMTPException, OSError):
                client.close()
        done = {r.id for r in out}
        for m in mails:
            if m.id not in done:
                emit(SendResult(m.id, False, False, "not sent: connection lost"))
        return out
