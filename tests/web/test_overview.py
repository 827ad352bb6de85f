"""Overzicht: the head count, what changed, what waits and who has not answered."""

from __future__ import annotations

import re
from datetime import timedelta

from deskkit import ROOT

CASE = ROOT / "tests" / "corpus" / "001-outlook-full-titles-quoted-invitation" / "1.eml"


def _rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_head_count_per_session_in_programme_order(desk):
    desk.ingest(CASE.read_bytes())
    html = desk.client.get("/").text
    rows = _rows(html)
    numbers = [int(r[0]) for r in rows]
    assert numbers == sorted(numbers) == list(range(1, len(desk.bot.knowledge.event.sessions) + 1))
    counted = {r[2]: r[3] for r in rows}
    assert counted["Themasessie Regionale samenwerking"].startswith("1")
    assert counted["Themagroep Financiën"].startswith("0")


def test_counts_changes_and_unanswered(desk):
    invitees = desk.bot.knowledge.invitees
    html = desk.client.get("/").text
    assert f"Nog geen antwoord ({len(invitees)})" in html
    desk.ingest(CASE.read_bytes())
    html = desk.client.get("/").text
    assert f"Nog geen antwoord ({len(invitees) - 1})" in html
    assert "Saskia de Groot" in html.split("Sinds gisteren", 1)[1].split("Nog geen antwoord", 1)[0]
    assert "1 nieuw aangemeld" in html
    # an invitee who has not answered is listed with their secretariat, as mail links
    sec = next(i for i in invitees if i.secretary_email and i.email != "s.degroot@zwolle.nl")
    assert f'href="mailto:{sec.secretary_email}"' in html


def test_changes_older_than_a_day_are_not_listed(desk):
    desk.ingest(CASE.read_bytes())
    desk.now[0] = desk.now[0] + timedelta(hours=25)
    html = desk.client.get("/").text
    assert "Geen wijzigingen in de afgelopen 24 uur" in html


def test_next_reminder_and_digest_in_local_time(desk):
    # 20 Nov 2017 10:00 UTC is 11:00 in Lelystad: the 09:00 reminders are past, the next digest is tomorrow 08:00
    html = desk.client.get("/").text
    planned = html.split("<h2>Gepland</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Dagoverzicht" in planned and "di 21 nov 08.00" in planned
    assert "Herinnering" not in planned
    desk.now[0] = desk.now[0] - timedelta(days=3)
    planned = desk.client.get("/").text.split("<h2>Gepland</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Herinnering aan wie nog niet antwoordde: ma 20 nov 09.00" in planned
