"""A small, hand-made event and registry for the report tests (imported as reports_sample)."""

from __future__ import annotations

from datetime import date, datetime, time

from mailbot.core.types import Attendee, Event, Knowledge, Lexicon, Municipality, Registry, Session

HYPERLINK = '=HYPERLINK("http://evil.example/x","klik")'
LONG_NAME = "Maximiliaan Alexander Theodorus van Oldenbarnevelt-Zuylenstein tot Nijevelt"


def sample_knowledge() -> Knowledge:
    sessions = (
        Session("wal-en-schip", "Themasessie Mensen tussen wal en schip", time(10), time(11), capacity=2),
        Session("financien", "Themagroep Financiën", time(11, 15), time(12, 15), capacity=1),
        Session("veiligheid", "Themagroep Veiligheid / platform stedelijke veiligheid", time(14),
                time(15, 30)),
        Session("netwerkborrel", "Netwerkborrel", time(16), time(17)),
    )
    event = Event("G32 netwerkdag", date(2017, 11, 30), "Europe/Amsterdam",
                  "stadhuis Lelystad, Stadhuisplein 2", "info@G32.nl", "G32",
                  datetime(2017, 11, 20, 9), sessions)
    municipalities = (
        Municipality("zwolle", "Zwolle", "member", ("zwolle.nl",)),
        Municipality("almere", "Almere", "member", ("almere.nl",)),
        Municipality("sittard-geleen", "Sittard-Geleen", "member", ("sittard-geleen.nl",)),
    )
    return Knowledge(event, municipalities, (), Lexicon(), frozenset({"info@g32.nl"}), frozenset())


def person(key: str, name: str, role: str | None, municipality: str | None, status: str = "registered",
           sessions: tuple[str, ...] = (), **kw) -> Attendee:
    return Attendee(key, name, role, f"{key}@example.nl", municipality, status, frozenset(sessions),
                    **kw)


def sample_registry() -> Registry:
    return Registry((
        person("chloe", "Chloë Mulder", "wethouder", "zwolle", sessions=("netwerkborrel", "financien")),
        person("ruben", "Ruben Aydın", "burgemeester", "almere", sessions=("wal-en-schip",),
               registered_by="secretariaat@almere.nl"),
        person("evil", HYPERLINK, "wethouder", "almere", sessions=("financien",), needs_review=True),
        person("long", LONG_NAME, "raadslid", "sittard-geleen", sessions=("netwerkborrel",)),
        person("piet", "Piet Jansen", "wethouder", "zwolle", status="declined"),
        person("jan", "Jan Bakker", "wethouder", "zwolle", status="cancelled", sessions=("financien",)),
        person("anna", "Anna de Vries", "directeur, VNG", None, sessions=("netwerkborrel",)),
    ))
