"""Aanwezig at the HTTP level: tick who arrived at the door, two tablets at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from test_downloads import PEOPLE, add

from mailbot import db
from mailbot.web.pages.presence import mark_arrived

DOOR = datetime(2017, 11, 30, 8, 47, tzinfo=UTC)  # 09.47 in Lelystad, on the day


@pytest.fixture
def door(desk):
    desk.now[0] = DOOR
    desk.ids = {p[0]: add(desk, *p) for p in PEOPLE}
    desk.ids["Chloë Mulder"] = add(desk, "Chloë Mulder", None, None, ("netwerkborrel",), organisation="VNG")
    add(desk, "Piet Afgemeld", "wethouder", "leiden", status="declined")
    return desk


def tick(desk, name: str, action: str = "aanwezig", *, client=None, q: str = "", follow: bool = True):
    return desk.post(f"/aanwezig/{desk.ids[name]}", {"actie": action, "q": q}, client=client, follow=follow)


def arrival(desk, name: str) -> tuple[datetime | None, str | None]:
    with desk.session() as s:
        row = s.get(db.Attendee, desk.ids[name])
        return row.arrived_at, row.arrived_by


def actions(desk, action: str) -> list[db.StaffAction]:
    with desk.session() as s:
        return list(s.exec(select(db.StaffAction).where(db.StaffAction.action == action)).all())


def listed(html: str) -> list[str]:
    """Names on the door list, in page order."""
    import re

    return re.findall(r'<span class="door-name">([^<]+)</span>', html)


def test_registered_people_by_municipality_then_name_with_counts(door):
    r = door.client.get("/aanwezig")
    assert r.status_code == 200
    assert "0 van 7</strong> aanwezig" in r.text
    # Alkmaar, Apeldoorn, Leiden, then VNG (organisation); the declined are not listed
    assert listed(r.text) == [p[0] for p in PEOPLE] + ["Chloë Mulder"]
    assert r.text.count(">Aanwezig</button>") == 7


def test_search_by_name_or_municipality_ignores_case_and_accents(door):
    assert listed(door.client.get("/aanwezig?q=LEIDEN").text) == ["Carla de Graaf", "Niels de Bruijn",
                                                                  "Thijs Terpstra"]
    assert listed(door.client.get("/aanwezig?q=chloe").text) == ["Chloë Mulder"]
    assert listed(door.client.get("/aanwezig?q=noor apeldoorn").text) == ["Noor Hoekstra"]
    assert "Niemand gevonden" in door.client.get("/aanwezig?q=xyz").text


def test_tick_returns_to_the_same_place_in_the_list(door):
    r = tick(door, "Niels de Bruijn", q="leiden", follow=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/aanwezig?q=leiden#a{door.ids['Niels de Bruijn']}"
    page = door.client.get(r.headers["location"]).text
    assert "Niels de Bruijn is aanwezig (09.47)." in page
    assert "1 van 7</strong> aanwezig" in page
    assert "aanwezig sinds 09.47 (anna)" in page and "Ongedaan maken" in page
    assert arrival(door, "Niels de Bruijn") == (DOOR, "anna")
    [act] = actions(door, "arrival")
    assert act.actor == "anna" and "Niels de Bruijn" in act.detail


def test_second_tick_by_someone_else_says_who_was_first(door):
    tick(door, "Noor Hoekstra")
    door.now[0] = DOOR.replace(minute=52)
    r = tick(door, "Noor Hoekstra", client=door.login("bert"))
    assert r.status_code == 200
    assert "Noor Hoekstra was al als aanwezig afgevinkt door anna om 09.47." in r.text
    assert 'class="notice ok"' in r.text  # a notice, not an error
    assert arrival(door, "Noor Hoekstra") == (DOOR, "anna")  # the first tick stands
    assert len(actions(door, "arrival")) == 1
    assert "1 van 7</strong> aanwezig" in r.text


def test_undo_a_tick(door):
    tick(door, "Inge Ruiters")
    r = tick(door, "Inge Ruiters", "ongedaan", client=door.login("bert"))
    assert "Aanwezigheid van Inge Ruiters is ongedaan gemaakt." in r.text
    assert "0 van 7</strong> aanwezig" in r.text
    assert arrival(door, "Inge Ruiters") == (None, None)
    [undo] = actions(door, "arrival-undo")
    assert undo.actor == "bert"
    again = tick(door, "Inge Ruiters", "ongedaan")
    assert "Inge Ruiters stond al niet als aanwezig genoteerd." in again.text
    assert len(actions(door, "arrival-undo")) == 1


def test_someone_not_registered_cannot_be_ticked(door):
    with door.session() as s:
        piet = s.exec(select(db.Attendee.id).where(db.Attendee.name == "Piet Afgemeld")).one()
    r = door.post(f"/aanwezig/{piet}", {"actie": "aanwezig"})
    assert "staat niet (meer) op de lijst van aangemelden" in r.text
    assert door.post("/aanwezig/99999", {"actie": "aanwezig"}).status_code == 200
    assert actions(door, "arrival") == []


def test_two_tablets_ticking_the_same_person_at_once_give_one_arrival(door):
    clients = [door.login("anna"), door.login("bert")]
    start = threading.Barrier(len(clients))
    pages: list[str] = []

    def at_the_door(client) -> None:
        start.wait()
        pages.append(tick(door, "Thijs Terpstra", client=client).text)

    threads = [threading.Thread(target=at_the_door, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(pages) == 2
    assert sum("Thijs Terpstra is aanwezig" in p for p in pages) == 1
    assert sum("Thijs Terpstra was al als aanwezig afgevinkt door" in p for p in pages) == 1
    assert len(actions(door, "arrival")) == 1
    at, by = arrival(door, "Thijs Terpstra")
    assert at == DOOR and by in ("anna", "bert")


def test_many_concurrent_ticks_one_winner(door):
    """The store's conditional update, under more pressure than two tablets."""
    n = 8
    start = threading.Barrier(n)
    outcomes = []

    def run(i: int) -> None:
        start.wait()
        outcomes.append(mark_arrived(door.bot.engine, door.ids["Carla de Graaf"], actor=f"balie{i}", at=DOOR))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o.done]
    assert len(outcomes) == n and len(winners) == 1
    assert {o.arrived_by for o in outcomes} == {winners[0].arrived_by}
    assert len(actions(door, "arrival")) == 1
