"""OAuth2 access tokens for XOAUTH2 logins (Microsoft 365, Gmail, any OAuth2 server).

Microsoft 365 uses msal (client-credentials or refresh-token flow); Gmail and
other servers use the standard token endpoint directly. Tokens are cached in
memory and refreshed a few minutes before they expire, so a long-running
`mailbot run` never logs in with a stale token. Secrets come from the
environment variables the config names.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from mailbot.errors import ConfigError, MailboxError

REFRESH_MARGIN = 300  # seconds before expiry at which a token is renewed


@dataclass(frozen=True)
class OAuth2Settings:
    provider: str  # microsoft | google | generic
    client_id: str
    client_secret_env: str | None
    refresh_token_env: str | None  # None: client-credentials flow
    scope: str
    token_endpoint: str | None = None  # generic/google; for microsoft the authority's /token
    authority: str | None = None  # microsoft: https://login.microsoftonline.com/<tenant>
    timeout: float = 30.0


class TokenSource:
    """Hands out a valid access token, fetching a new one shortly before expiry."""

    def __init__(self, settings: OAuth2Settings, *, clock=time.monotonic) -> None:
        self.s = settings
        self.clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    def _env(self, name: str | None, what: str) -> str | None:
        if name is None:
            return None
        value = os.environ.get(name)
        if value is None:
            raise ConfigError(f"oauth2.{what}: environment variable {name} is not set")
        return value

    def token(self) -> str:
        with self._lock:
            if self._token is None or self.clock() >= self._expires - REFRESH_MARGIN:
                token, lifetime = self._fetch()
                self._token, self._expires = token, self.clock() + lifetime
            return self._token

    def _fetch(self) -> tuple[str, float]:
        if self.s.provider == "microsoft":
            return self._msal()
        return self._http()

    def _http(self) -> tuple[str, float]:
        if not self.s.token_endpoint:
            raise ConfigError("oauth2.token_endpoint: needed for this provider")
        secret = self._env(self.s.client_secret_env, "client_secret_env")
        refresh = self._env(self.s.refresh_token_env, "refresh_token_env")
        form = {"client_id": self.s.client_id, "scope": self.s.scope}
        if secret:
            form["client_secret"] = secret
        if refresh:
            form.update(grant_type="refresh_token", refresh_token=refresh)
        else:
            form["grant_type"] = "client_credentials"
        req = urllib.request.Request(self.s.token_endpoint, data=urllib.parse.urlencode(form).encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=self.s.timeout) as resp:  # noqa: S310 (configured URL)
                body = json.loads(resp.read().decode())
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise MailboxError(f"OAuth2 token request to {self.s.token_endpoint} failed: {e}") from None
        if "access_token" not in body:
            raise MailboxError(f"OAuth2 token endpoint refused: {body.get('error', 'no access_token')}")
        return body["access_token"], float(body.get("expires_in", 3600))

    def _msal(self) -> tuple[str, float]:
        import msal

        secret = self._env(self.s.client_secret_env, "client_secret_env")
        app = msal.ConfidentialClientApplication(self.s.client_id, client_credential=secret,
                                                 authority=self.s.authority, timeout=self.s.timeout)
        refresh = self._env(self.s.refresh_token_env, "refresh_token_env")
        scopes = self.s.scope.split()
        result = (app.acquire_token_by_refresh_token(refresh, scopes=scopes) if refresh
                  else app.acquire_token_for_client(scopes=scopes))
        if "access_token" not in result:
            raise MailboxError(f"Microsoft token request refused: {result.get('error_description') or result.get('error')}")
        return result["access_token"], float(result.get("expires_in", 3600))


_SOURCES: dict[OAuth2Settings, TokenSource] = {}


def token_source(settings: OAuth2Settings) -> TokenSource:
    """One cached token source per configuration, shared by every login in the process."""
    if settings not in _SOURCES:
        _SOURCES[settings] = TokenSource(settings)
    return _SOURCES[settings]
