"""The desk under test (shared by tests/web): a bot on a fresh store, the app, and logged-in clients.

`desk.client` is logged in as "anna"; `desk.post(path, data)` adds the CSRF
token the way a browser's form does. `desk.ingest(raw)` handles a mail the
way `mailbot ingest` does, to fill the store.
"""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from mailbot import db, service
from mailbot.web.auth import add_account

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = secrets.token_urlsafe(18)  # made per run: no password is kept in the repository
NOW = datetime(2017, 11, 20, 10, 0, tzinfo=UTC)

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)


def _client(app):
    from starlette.testclient import TestClient

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TestClient(app, base_url="http://testserver")


@dataclass
class Desk:
    bot: service.Bot
    app: object
    now: list[datetime] = field(default_factory=lambda: [NOW])
    clients: dict = field(default_factory=dict)

    @property
    def client(self):
        return self.login("anna")

    def anonymous(self):
        return _client(self.app)

    def login(self, name: str = "anna"):
        if name not in self.clients:
            with Session(self.bot.engine) as s, s.begin():
                if s.exec(select(db.StaffAccount).where(db.StaffAccount.name == name)).first() is None:
                    add_account(s, name, PASSWORD, now=self.now[0])
            c = _client(self.app)
            c.get("/login")
            r = c.post("/login", data={"naam": name, "wachtwoord": PASSWORD, "csrftoken": c.cookies["csrftoken"]},
                       follow_redirects=False)
            assert r.status_code == 303, r.text
            self.clients[name] = c
        return self.clients[name]

    def post(self, path: str, data: dict | None = None, *, client=None, follow: bool = True, **kw):
        c = client or self.client
        return c.post(path, data={**(data or {}), "csrftoken": c.cookies["csrftoken"]},
                      follow_redirects=follow, **kw)

    def ingest(self, raw: bytes) -> service.Result:
        return service.process(self.bot, raw, now=self.now[0])

    def session(self) -> Session:
        return Session(self.bot.engine)


