"""The attendee tables behind every staff report, built from a Registry and the Knowledge.

Pure functions over frozen values: no database, no files. The exports module
renders these rows; the name cards use the same ordering (municipality, then name).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import time

from mailbot.core.types import Attendee, Knowledge, Registry, Session
from mailbot.mail.compose import hhmm

STATUS_LABELS = {"registered": "aangemeld", "declined": "afgemeld", "cancelled": "ingetrokken"}

# (key, Dutch header) of every column of the full attendee table, in order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Naam"),
    ("role", "Functie"),
    ("municipality", "Gemeente"),
    ("email", "E-mail"),
    ("status", "Status"),
    ("sessions", "Sessies"),
    ("registered_by", "Aangemeld door"),
    ("needs_review", "Controleren"),
    ("remarks", "Opmerkingen"),
)
# A per-session list holds registered attendees only: status and sessions add nothing.
SESSION_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    c for c in COLUMNS if c[0] not in ("status", "sessions"))

# Characters that make a spreadsheet read a cell as a formula (or hide one).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# C0/C1 controls except \t and \n, and the bidi overrides that can disguise text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class SessionRef:
    """A chosen session as shown in a report; unknown ids (config changed) keep their id."""

    id: str
    title: str
    start: time | None = None
    end: time | None = None

    @property
    def times(self) -> str:
        return f"{hhmm(self.start)}–{hhmm(self.end)}" if self.start and self.end else ""

    @property
    def label(self) -> str:
        """'11.15–12.15 Themagroep Financiën'."""
        return f"{self.times} {self.title}" if self.times else self.title


@dataclass(frozen=True)
class Row:
    """One attendee as a report line."""

    key: str
    name: str
    role: str | None
    municipality: str | None  # slug
    municipality_name: str | None
    email: str | None
    status: str
    sessions: tuple[SessionRef, ...]
    registered_by: str | None
    needs_review: bool
    remarks: tuple[str, ...] = ()
    organisation: str | None = None  # a non-member's organisation; shown where a municipality would be

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def cell(self, key: str, *, session_sep: str = "; ") -> str:
        """The display text of one column (Dutch labels, '' for nothing)."""
        if key == "municipality":
            return self.municipality_name or self.organisation or ""
        if key == "status":
            return self.status_label
        if key == "sessions":
            return session_sep.join(s.label for s in self.sessions)
        if key == "needs_review":
            return "ja" if self.needs_review else ""
        if key == "remarks":
            return session_sep.join(self.remarks)
        value = getattr(self, key)
        return "" if value is None else str(value)

    def cells(self, columns: tuple[tuple[str, str], ...] = COLUMNS, *,
              session_sep: str = "; ") -> tuple[str, ...]:
        return tuple(self.cell(k, session_sep=session_sep) for k, _ in columns)

    def as_dict(self) -> dict:
        """The row for JSON: raw values (ids, slugs, status codes) plus display names."""
        return {
            "name": self.name, "role": self.role, "municipality": self.municipality,
            "municipality_name": self.municipality_name, "email": self.email, "status": self.status,
            "sessions": [{"id": s.id, "title": s.title, "start": hhmm(s.start) if s.start else None,
                          "end": hhmm(s.end) if s.end else None} for s in self.sessions],
            "registered_by": self.registered_by, "needs_review": self.needs_review,
            "remarks": list(self.remarks), "organisation": self.organisation,
        }


@dataclass(frozen=True)
class HeadCount:
    """Registered attendees of a session against its capacity (None: unlimited)."""

    session: Session
    registered: int

    @property
    def capacity(self) -> int | None:
        return self.session.capacity

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.registered

    @property
    def over(self) -> bool:
        return self.capacity is not None and self.registered > self.capacity


@dataclass(frozen=True)
class SessionList:
    session: Session
    rows: tuple[Row, ...]  # registered attendees who chose the session

    @property
    def count(self) -> HeadCount:
        return HeadCount(self.session, len(self.rows))


@functools.lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """A sort key for names: case- and accent-insensitive ('Ö' sorts with 'O').
    Remembered: the same names and places are sorted again for every list."""
    if text.isascii():
        return text.casefold().strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def municipality_names(knowledge: Knowledge) -> dict[str, str]:
    return {m.slug: m.name for m in knowledge.municipalities}


def ordered_sessions(knowledge: Knowledge) -> tuple[Session, ...]:
    """Sessions by start time, ties in config order."""
    return tuple(sorted(knowledge.event.sessions, key=lambda s: s.start))


def session_ref(knowledge: Knowledge, session_id: str) -> SessionRef:
    try:
        s = knowledge.event.session(session_id)
    except KeyError:
        return SessionRef(session_id, session_id)
    return SessionRef(s.id, s.title, s.start, s.end)


def row(attendee: Attendee, knowledge: Knowledge) -> Row:
    names = municipality_names(knowledge)
    refs = sorted((session_ref(knowledge, sid) for sid in attendee.sessions),
                  key=lambda r: (r.start is None, r.start or time(0), fold(r.title)))
    muni = attendee.municipality
    return Row(
        key=attendee.key, name=attendee.name, role=attendee.role, municipality=muni,
        municipality_name=names.get(muni, muni) if muni else None, email=attendee.email,
        status=attendee.status, sessions=tuple(refs), registered_by=attendee.registered_by,
        needs_review=attendee.needs_review, remarks=attendee.remarks, organisation=attendee.organisation,
    )


def sort_key(r: Row) -> tuple:
    """Municipality name (people without one last), then name."""
    where = r.municipality_name or r.organisation
    return (where is None, fold(where or ""), fold(r.name), r.key)


def rows(registry: Registry, knowledge: Knowledge, *, session_id: str | None = None,
         statuses: frozenset[str] | None = None) -> tuple[Row, ...]:
    """Attendee rows sorted by municipality then name.

    `session_id` keeps only registered attendees who chose that session
    (a per-session list); `statuses` keeps only those statuses.
    """
    out = []
    for a in registry.attendees:
        if session_id is not None and (a.status != "registered" or session_id not in a.sessions):
            continue
        if statuses is not None and a.status not in statuses:
            continue
        out.append(row(a, knowledge))
    return tuple(sorted(out, key=sort_key))


def session_lists(registry: Registry, knowledge: Knowledge) -> tuple[SessionList, ...]:
    """Every configured session with its registered attendees, in programme order."""
    everyone = rows(registry, knowledge, statuses=frozenset({"registered"}))  # sorted once
    by_session: dict[str, list[Row]] = {}
    for r in everyone:
        for ref in r.sessions:
            by_session.setdefault(ref.id, []).append(r)
    return tuple(SessionList(s, tuple(by_session.get(s.id, ()))) for s in ordered_sessions(knowledge))


def head_counts(registry: Registry, knowledge: Knowledge) -> tuple[HeadCount, ...]:
    """Registered attendees per session (declined and cancelled do not count) vs capacity,
    in programme order; counted directly, without building the lists."""
    taken: dict[str, int] = {}
    for a in registry.attendees:
        if a.status == "registered":
            for sid in a.sessions:
                taken[sid] = taken.get(sid, 0) + 1
    return tuple(HeadCount(s, taken.get(s.id, 0)) for s in ordered_sessions(knowledge))


def neutralise(text: str) -> str:
    """Make a cell inert in a spreadsheet: text that would start a formula gets a leading '."""
    return "'" + text if text.lstrip(" ").startswith(FORMULA_PREFIXES) else text


def clean(text: str) -> str:
    """Text safe for a terminal, a workbook or a PDF: NFC, no control characters.

    Names come from email and may carry escape sequences; tab and CR become spaces.
    """
    text = unicodedata.normalize("NFC", text).replace("\t", " ").replace("\r", " ")
    return _CONTROL.sub("", text)
