"""What a case is (messages plus expected outcome), the registry, and lookups in the contract's lists."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path



def _find_contract() -> Path:
    """The contract lives in shared/contract of the first folder above build/ that holds one."""
    for up in Path(__file__).resolve().parents:
        if (up / "shared" / "contract" / "invitees.csv").is_file():
            return up / "shared" / "contract"
    raise SystemExit("shared/contract not found above build/")


CONTRACT = _find_contract()


@dataclass
class Case:
    n: int
    slug: str
    category: str
    what: str
    messages: list[bytes]
    attendees: list[dict] | None
    replies: list[dict] | None
    review: bool | None

    @property
    def folder(self) -> str:
        return f"{self.n:03d}-{self.slug}"

    def expected(self) -> dict:
        return {"description": self.what,
                "expect": {"attendees": self.attendees, "replies": self.replies, "review": self.review}}


REGISTRY: list = []


def case(fn):
    REGISTRY.append(fn)
    return fn


def _load() -> dict[str, dict]:
    with open(CONTRACT / "invitees.csv", encoding="utf-8", newline="") as f:
        return {r["name"]: r for r in csv.DictReader(f)}


INVITEES = _load()


def person(name: str) -> tuple[str, str]:
    r = INVITEES[name]
    return r["name"], r["email"]


def secretariat(name: str) -> str:
    return INVITEES[name]["secretary_email"]


def att(name: str, status: str = "registered", sessions=(), *, email: bool = False, role: bool = False,
        municipality: str | None = "", email_value: str | None = None, role_value: str | None = None) -> dict:
    r = INVITEES.get(name)
    out: dict = {"name": name}
    out["municipality"] = (r["municipality"] if r else None) if municipality == "" else municipality
    out["status"] = status
    out["sessions"] = sorted(sessions)
    if email or email_value:
        out["email"] = email_value or r["email"]
    if role or role_value:
        out["role"] = role_value or r["role"]
    return out


def reply(to: str, kind: str = "confirmation") -> dict:
    return {"to": to, "kind": kind}
