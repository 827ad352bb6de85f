"""Deelnemers: the list with its filters, phone registrations, changes and cancellations at the desk.

Each change follows the rules mail follows (a slot clash or a full session is
refused with a Dutch sentence, nothing written), mails through the outbox only
when the tick is set, and is recorded with who did it and when.
"""

from __future__ import annotations

import email
import html
import json
import re
from dataclasses import replace
from email import policy

from deskkit import ROOT
from sqlmodel import func, select

from mailbot import db

CORPUS = ROOT / "tests" / "corpus"
PIETER = "pieter.dejong@gmail.com"  # corpus 002: Alkmaar, Financiën and the borrel, by mail
GERDA = "g.degraaf@almelo.nl"  # invitee, burgemeester of Almelo
ALMELO_SEC = "bestuurssecretariaat@almelo.nl"


def phone(desk, client=None, follow: bool = True, **fields):
    """A phone registration as the form sends it."""
    data = {"naam": "", "functie": "", "email": "", "gemeente": "", "organisatie": "", "opmerkingen": "",
            **fields}
    return desk.post("/deelnemers/nieuw", data, client=client, follow=follow)


def text_of(response) -> str:
    """The page as a reader sees it: tags out, entities decoded, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def attendee(desk, key: str) -> db.Attendee:
    with desk.session() as s:
        return s.exec(select(db.Attendee).where(db.Attendee.key == key)).one()


def outbox(desk) -> list[db.Outbox]:
    with desk.session() as s:
        return list(s.exec(select(db.Outbox).order_by(db.Outbox.id)).all())


def count(desk, table) -> int:
    with desk.session() as s:
        return s.exec(select(func.count()).select_from(table)).one()


def version_on(page) -> str:
    return re.search(r'name="versie" value="(\d+)"', page.text).group(1)


def ingest_pieter(desk) -> db.Attendee:
    desk.ingest((CORPUS / "002-gmail-personal-address-short-names" / "1.eml").read_bytes())
    return attendee(desk, PIETER)


def fill(desk) -> dict[str, int]:
    """Pieter by mail (Alkmaar), Karin Bos by phone (VNG), Gerda by phone and then cancelled (Almelo)."""
    pieter = ingest_pieter(desk)
    phone(desk, naam="Karin Bos", organisatie="VNG", functie="beleidsadviseur", sessies=["statushouders"],
          opmerkingen="vegetarisch")
    phone(desk, email=GERDA, sessies=["financien"])
    gerda = attendee(desk, GERDA)
    desk.post(f"/deelnemers/{gerda.id}/afmelden", {"versie": str(gerda.version)})
    return {"pieter": pieter.id, "karin": attendee(desk, "staff:karin bos").id, "gerda": gerda.id}


def listed_names(response) -> list[str]:
    return re.findall(r'<a href="/deelnemers/\d+">([^<]+)</a>', response.text)


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_everyone_with_where_sessions_status_and_how_they_came_in(desk) -> None:
    ids = fill(desk)
    r = desk.client.get("/deelnemers")
    assert r.status_code == 200
    page = text_of(r)
    assert "3 deelnemers" in page
    assert sorted(listed_names(r)) == ["Gerda de Graaf", "Karin Bos", "Pieter de Jong"]
    assert f'href="/deelnemers/{ids["pieter"]}"' in r.text
    pieter_row = re.search(r"Pieter de Jong.*?</tr>", r.text, re.S).group(0)
    row = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", pieter_row)).split())
    assert "Alkmaar" in row and "wethouder" in row and "aangemeld" in row and f"per mail van {PIETER}" in row
    assert row.index("4. Themagroep Financiën") < row.index("12. Netwerkborrel")  # programme order
    karin_row = " ".join(re.sub(r"<[^>]+>", " ", re.search(r"Karin Bos.*?</tr>", r.text, re.S).group(0)).split())
    assert "VNG" in karin_row and "beleidsadviseur" in karin_row and "vegetarisch" in karin_row
    assert "aan de balie door anna" in karin_row
    assert "ingetrokken" in re.search(r"Gerda de Graaf.*?</tr>", r.text, re.S).group(0)


def test_each_filter_narrows_the_list_and_says_how_many(desk) -> None:
    fill(desk)
    c = desk.client
    by_session = c.get("/deelnemers", params={"sessie": "financien"})
    assert listed_names(by_session) == ["Pieter de Jong"]
    assert "1 deelnemer van 3" in text_of(by_session)
    assert 'value="financien" selected' in by_session.text
    assert listed_names(c.get("/deelnemers", params={"gemeente": "almelo"})) == ["Gerda de Graaf"]
    assert listed_names(c.get("/deelnemers", params={"status": "cancelled"})) == ["Gerda de Graaf"]
    assert sorted(listed_names(c.get("/deelnemers", params={"status": "registered"}))) == [
        "Karin Bos", "Pieter de Jong"]
    both = c.get("/deelnemers", params={"sessie": "statushouders", "gemeente": "alkmaar"})
    assert listed_names(both) == [] and "0 deelnemers van 3" in text_of(both)


def test_the_list_is_a_get_form_with_selects(desk) -> None:
    r = desk.client.get("/deelnemers")
    form = re.search(r'<form method="get" action="/deelnemers".*?</form>', r.text, re.S).group(0)
    for name in ("sessie", "gemeente", "status"):
        assert f'<select name="{name}">' in form
    assert "Themagroep Financiën" in form and "Alkmaar" in form and "ingetrokken" in form


# --- a phone registration ------------------------------------------------------------------


def test_a_phone_registration_with_the_tick_queues_exactly_one_confirmation(desk) -> None:
    r = phone(desk, naam="Karin Bos", email="k.bos@vng.nl", organisatie="VNG", sessies=["financien"], mail="1",
              follow=False)
    assert r.status_code == 303
    row = attendee(desk, "k.bos@vng.nl")
    assert r.headers["location"] == f"/deelnemers/{row.id}"
    (out,) = outbox(desk)
    assert (out.kind, json.loads(out.to), out.status) == ("confirmation", ["k.bos@vng.nl"], "queued")
    msg = email.message_from_bytes(out.raw, policy=policy.default)
    (cal,) = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert cal.get_param("charset") == "utf-8"
    shown = text_of(desk.client.get(r.headers["location"]))
    assert "Opgeslagen." in shown and "k.bos@vng.nl" in shown


def test_a_phone_registration_without_the_tick_mails_nobody(desk) -> None:
    r = phone(desk, naam="Karin Bos", email="k.bos@vng.nl", organisatie="VNG", sessies=["financien"])
    assert r.status_code == 200 and "Opgeslagen." in text_of(r)
    assert "geen mail verstuurd" in text_of(r)
    assert outbox(desk) == []
    assert attendee(desk, "k.bos@vng.nl").status == "registered"


def test_an_invitee_by_phone_gets_the_invitee_details_and_the_secretariat_is_copied(desk) -> None:
    r = phone(desk, email=GERDA, sessies=["financien", "netwerkborrel"], mail="1")
    row = attendee(desk, GERDA)
    assert (row.name, row.role, row.municipality) == ("Gerda de Graaf", "burgemeester", "almelo")
    (out,) = outbox(desk)
    assert json.loads(out.to) == [GERDA, ALMELO_SEC]
    assert ALMELO_SEC in text_of(r)


def test_the_same_person_twice_is_refused_with_a_link_to_the_first(desk) -> None:
    first = ingest_pieter(desk)
    r = phone(desk, naam="Pieter de Jong", email="Pieter.deJong@gmail.com", sessies=["statushouders"], mail="1")
    assert r.status_code == 422
    assert "staat al in de deelnemerslijst" in text_of(r)
    assert f'href="/deelnemers/{first.id}"' in r.text
    assert count(desk, db.Attendee) == 1 and len(outbox(desk)) == 1  # only the mail's own confirmation


def test_a_slot_clash_is_refused_and_nothing_is_written(desk) -> None:
    r = phone(desk, naam="Karin Bos", email="k.bos@vng.nl", sessies=["wal-en-schip", "jeugd-onderwijs-arbeidsmarkt"],
              mail="1", opmerkingen="rolstoel")
    assert r.status_code == 422
    shown = text_of(r)
    assert "hetzelfde tijdvak" in shown
    assert "1. Themasessie Mensen tussen wal en schip" in shown
    assert "2. Themasessie Jeugd en aansluiting onderwijs-arbeidsmarkt" in shown
    assert 'name="naam" value="Karin Bos"' in r.text and "rolstoel</textarea>" in r.text  # kept to correct
    assert count(desk, db.Attendee) == 0 and outbox(desk) == [] and count(desk, db.StaffAction) == 0


def test_a_full_session_is_refused(desk) -> None:
    k = desk.bot.knowledge
    sessions = tuple(replace(s, capacity=1) if s.id == "statushouders" else s for s in k.event.sessions)
    desk.bot.knowledge = replace(k, event=replace(k.event, sessions=sessions))
    phone(desk, naam="Karin Bos", organisatie="VNG", sessies=["statushouders"])
    r = phone(desk, naam="Jan Veen", organisatie="BZK", sessies=["statushouders"], mail="1")
    assert r.status_code == 422
    assert "6. Doorstart themagroep Statushouders" in text_of(r) and "is vol (1 plaatsen)" in text_of(r)
    assert count(desk, db.Attendee) == 1


def test_the_new_form_has_the_fields_the_browser_test_uses(desk) -> None:
    r = desk.client.get("/deelnemers/nieuw")
    assert r.status_code == 200
    for name in ("naam", "functie", "email", "organisatie", "opmerkingen"):
        assert f'name="{name}"' in r.text
    assert '<select name="gemeente">' in r.text
    assert 'name="sessies" value="financien"' in r.text and 'name="mail" value="1"' in r.text
    assert re.search(r'<button type="submit">Opslaan</button>', r.text)
    assert 'action="/deelnemers/nieuw"' in r.text


# --- one attendee: history, change, cancel ---------------------------------------------------


def test_history_shows_the_mail_and_the_staff_member_newest_first(desk) -> None:
    pieter = ingest_pieter(desk)
    desk.now[0] = desk.now[0].replace(hour=14)
    page = desk.client.get(f"/deelnemers/{pieter.id}")
    desk.post(f"/deelnemers/{pieter.id}", {
        "naam": "Pieter de Jong", "functie": "wethouder", "email": PIETER, "gemeente": "alkmaar",
        "organisatie": "", "sessies": ["statushouders", "netwerkborrel"], "opmerkingen": "",
        "versie": version_on(page)}, client=desk.login("bert"))
    shown = text_of(desk.client.get(f"/deelnemers/{pieter.id}"))
    history = shown[shown.index("Geschiedenis Wanneer"):]
    assert history.index("bert (balie)") < history.index("mail van pieter.dejong@gmail.com")
    assert "ma 20 nov 15.00 sessies gewijzigd 6. Doorstart themagroep Statushouders" in history  # local time
    assert "Re: Uitnodiging G32 netwerkdag 30 november" in history
    assert "aangemeld 4. Themagroep Financiën" in history


def test_a_change_is_recorded_with_who_and_when(desk) -> None:
    pieter = ingest_pieter(desk)
    page = desk.client.get(f"/deelnemers/{pieter.id}")
    r = desk.post(f"/deelnemers/{pieter.id}", {
        "naam": "Pieter de Jong", "functie": "wethouder", "email": PIETER, "gemeente": "alkmaar",
        "organisatie": "", "sessies": ["financien", "netwerkborrel"], "opmerkingen": "vegetarisch\nkomt later",
        "versie": version_on(page)}, follow=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/deelnemers/{pieter.id}")
    assert "Opgeslagen." in text_of(desk.client.get(r.headers["location"]))
    with desk.session() as s:
        h = s.exec(select(db.History).order_by(db.History.id.desc())).first()
        act = s.exec(select(db.StaffAction)).one()
    assert (h.what, h.actor, h.at.replace(tzinfo=desk.now[0].tzinfo)) == ("details", "anna", desk.now[0])
    assert (act.actor, act.action, act.at.replace(tzinfo=desk.now[0].tzinfo)) == (
        "anna", "attendee-change", desk.now[0])
    assert json.loads(attendee(desk, PIETER).remarks) == ["vegetarisch", "komt later"]
    assert len(outbox(desk)) == 1  # the mail's confirmation only: no tick, no mail


def test_a_refused_change_shows_the_form_as_typed(desk) -> None:
    pieter = ingest_pieter(desk)
    page = desk.client.get(f"/deelnemers/{pieter.id}")
    r = desk.post(f"/deelnemers/{pieter.id}", {
        "naam": "P. de Jong", "functie": "wethouder", "email": PIETER, "gemeente": "alkmaar", "organisatie": "",
        "sessies": ["ondernemerschap", "financien"], "opmerkingen": "", "versie": version_on(page)})
    assert r.status_code == 422 and "hetzelfde tijdvak" in text_of(r)
    assert 'name="naam" value="P. de Jong"' in r.text
    assert 'value="ondernemerschap" checked' in r.text
    assert attendee(desk, PIETER).name == "Pieter de Jong"


def test_of_two_staff_members_editing_at_once_the_second_is_refused(desk) -> None:
    pieter = ingest_pieter(desk)
    anna, bert = desk.client, desk.login("bert")
    form_anna = anna.get(f"/deelnemers/{pieter.id}")
    form_bert = bert.get(f"/deelnemers/{pieter.id}")
    base = {"naam": "Pieter de Jong", "functie": "wethouder", "email": PIETER, "gemeente": "alkmaar",
            "organisatie": ""}
    first = desk.post(f"/deelnemers/{pieter.id}", {**base, "sessies": ["statushouders"], "opmerkingen": "",
                                                   "versie": version_on(form_anna)}, client=anna)
    assert first.status_code == 200 and "Opgeslagen." in text_of(first)
    second = desk.post(f"/deelnemers/{pieter.id}", {**base, "sessies": ["financien"], "opmerkingen": "glutenvrij",
                                                    "versie": version_on(form_bert)}, client=bert)
    assert second.status_code == 409
    assert "Iemand anders heeft deze deelnemer net gewijzigd" in text_of(second)
    with desk.session() as s:
        seats = s.exec(select(db.AttendeeSession.session_id).where(
            db.AttendeeSession.attendee_id == pieter.id)).all()
    assert seats == ["statushouders"] and json.loads(attendee(desk, PIETER).remarks) == []


def test_cancel_with_the_tick_queues_the_acknowledgement(desk) -> None:
    pieter = ingest_pieter(desk)
    page = desk.client.get(f"/deelnemers/{pieter.id}")
    r = desk.post(f"/deelnemers/{pieter.id}/afmelden", {"versie": version_on(page), "mail": "1"})
    assert r.status_code == 200 and "Afgemeld." in text_of(r)
    assert attendee(desk, PIETER).status == "cancelled"
    ack = outbox(desk)[-1]
    assert (ack.kind, json.loads(ack.to)) == ("acknowledgement", [PIETER])
    assert "ingetrokken" in text_of(desk.client.get("/deelnemers", params={"status": "cancelled"}))


def test_cancel_without_the_tick_mails_nobody(desk) -> None:
    pieter = ingest_pieter(desk)
    page = desk.client.get(f"/deelnemers/{pieter.id}")
    r = desk.post(f"/deelnemers/{pieter.id}/afmelden", {"versie": version_on(page)})
    assert r.status_code == 200 and "geen mail verstuurd" in text_of(r)
    assert attendee(desk, PIETER).status == "cancelled"
    assert [o.kind for o in outbox(desk)] == ["confirmation"]  # the mail's own, from before


def test_an_unknown_attendee_is_not_found(desk) -> None:
    assert desk.client.get("/deelnemers/999").status_code == 404
