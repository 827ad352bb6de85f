"""Staff accounts and logging in: argon2 password hashes and a limit on failed tries.

Failed logins are counted per name and per client over a window; past the
limit a login is refused even with the right password until the window has
moved on, so guessing a password from one place or for one name stays slow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Session, select

from mailbot import db
from mailbot.errors import MailbotError

WINDOW = timedelta(minutes=15)
MAX_FAILED_PER_NAME = 5
MAX_FAILED_PER_CLIENT = 20
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# verified against when the name is unknown, so a wrong name costs as long as a wrong password
_DUMMY = _hasher.hash("not a password of anyone")


class AccountError(MailbotError):
    """A staff account that cannot be made or changed (name taken, password too short)."""


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: str = ""  # Dutch, for the login page


def add_account(s: Session, name: str, password: str, *, now: datetime, replace: bool = False) -> None:
    name = name.strip()
    if not name or len(name) > 60 or any(c.isspace() for c in name):
        raise AccountError("naam: één woord zonder spaties, hoogstens 60 tekens")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"wachtwoord: minstens {MIN_PASSWORD} tekens")
    row = s.exec(select(db.StaffAccount).where(db.StaffAccount.name == name)).first()
    if row is not None and not replace:
        raise AccountError(f"er is al een account {name!r} (gebruik --reset om het wachtwoord te vervangen)")
    if row is None:
        row = db.StaffAccount(name=name, password_hash="", created_at=now)
    row.password_hash = _hasher.hash(password)
    row.disabled = False
    s.add(row)


def active(s: Session, name: str | None) -> bool:
    if not name:
        return False
    row = s.exec(select(db.StaffAccount).where(db.StaffAccount.name == name)).first()
    return row is not None and not row.disabled


def login(s: Session, name: str, password: str, *, client: str, now: datetime) -> LoginResult:
    """Check a login and record the try (the caller commits)."""
    name = name.strip()[:60]
    since = now - WINDOW
    failed_name = s.exec(select(func.count()).select_from(db.LoginAttempt).where(
        db.LoginAttempt.name == name, db.LoginAttempt.ok.is_(False), db.LoginAttempt.at > since)).one()  # type: ignore[attr-defined]
    failed_client = s.exec(select(func.count()).select_from(db.LoginAttempt).where(
        db.LoginAttempt.client == client, db.LoginAttempt.ok.is_(False), db.LoginAttempt.at > since)).one()  # type: ignore[attr-defined]
    if failed_name >= MAX_FAILED_PER_NAME or failed_client >= MAX_FAILED_PER_CLIENT:
        s.add(db.LoginAttempt(name=name, client=client, ok=False, at=now))
        minutes = int(WINDOW.total_seconds() // 60)
        return LoginResult(False, f"Te veel mislukte pogingen. Probeer het over {minutes} minuten opnieuw.")
    row = s.exec(select(db.StaffAccount).where(db.StaffAccount.name == name)).first()
    ok = False
    try:
        ok = _hasher.verify(row.password_hash if row else _DUMMY, password) and row is not None and not row.disabled
    except (VerificationError, InvalidHashError):
        ok = False
    s.add(db.LoginAttempt(name=name, client=client, ok=ok, at=now))
    if ok and row is not None and _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
        s.add(row)
    return LoginResult(ok, "" if ok else "Naam of wachtwoord onjuist.")
