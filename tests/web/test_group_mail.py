"""Mail aan een groep: choose who, write, see it as they will, send it once through the outbox."""

from __future__ import annotations

import email
import json
import re
from email import policy

import pytest
from deskkit import ROOT
from sqlmodel import select

from mailbot import db

CORPUS = ROOT / "tests" / "corpus"
# Saskia registers herself; Alkmaar's secretariat registers its mayor; Dirk declines;
# Jeroen registers and cancels; a confirmation to Stefan Oosterhuis bounces.
CASES = ("001-outlook-full-titles-quoted-invitation", "019-secretariat-registers-mayor-logo-disclaimer",
         "024-decline-invitee", "028-register-then-cancel", "058-bounce-delivery-status")
SASKIA = ("s.degroot@zwolle.nl", "bestuurssecretariaat@zwolle.nl")
ESTHER = ("e.scholten@alkmaar.nl", "bestuurssecretariaat@alkmaar.nl")
DECLINED, CANCELLED, BOUNCED = "d.vanbeek@almelo.nl", "j.smits@alkmaar.nl", "s.oosterhuis@almere.nl"
FORM = {"groep": "registered", "onderwerp": "Zaalwijziging netwerkdag",
        "tekst": "De <b>sessie</b> is verplaatst naar zaal 2.14.\r\n\r\nTot donderdag."}


@pytest.fixture
def filled(desk):
    for case in CASES:
        for path in sorted((CORPUS / case).glob("*.eml")):
            desk.ingest(path.read_bytes())
    return desk


def group_mails(desk) -> list[email.message.EmailMessage]:
    with desk.session() as s:
        rows = s.exec(select(db.Outbox).where(db.Outbox.kind == "group").order_by(db.Outbox.id)).all()
    return [email.message_from_bytes(r.raw, policy=policy.default) for r in rows]


def options(html: str) -> dict[str, str]:
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html))


def recipients(html: str) -> list[list[str]]:
    table = html.split("<h2>Ontvangers", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_form_counts_every_audience(filled):
    html = filled.client.get("/groepsmail").text
    opts = options(html)
    unanswered = len(filled.bot.knowledge.invitees) - 5  # four answered, one bounced
    assert opts["registered"].endswith("(2)")
    assert opts["unanswered"].endswith(f"({unanswered})")
    assert opts["session:financien"].endswith("(1)") and "Financiën" in opts["session:financien"]
    assert opts["session:netwerkborrel"].endswith("(0)")
    assert "Nog geen mail aan een groep verstuurd" in html


def test_preview_shows_the_mail_the_count_and_who_gets_it_and_queues_nothing(filled):
    r = filled.post("/groepsmail/voorbeeld", FORM)
    assert r.status_code == 200
    assert "Deze mail gaat naar 2 personen" in r.text
    rows = recipients(r.text)
    assert rows == [["Saskia de Groot", *SASKIA], ["Esther Scholten", *ESTHER]]
    assert DECLINED not in r.text and CANCELLED not in r.text
    preview = r.text.split('<pre class="groupmail-text">', 1)[1].split("</pre>", 1)[0]
    assert preview.startswith("Geachte wethouder De Groot,")
    assert "De &lt;b&gt;sessie&lt;/b&gt; is verplaatst" in preview and "Met vriendelijke groet" in preview
    assert ">Versturen</button>" in r.text
    assert group_mails(filled) == []


def test_a_session_audience_and_the_unanswered_skip_bounced_addresses(filled):
    r = filled.post("/groepsmail/voorbeeld", {**FORM, "groep": "session:financien"})
    assert "Deze mail gaat naar 1 persoon" in r.text and recipients(r.text) == [["Esther Scholten", *ESTHER]]
    r = filled.post("/groepsmail/voorbeeld", {**FORM, "groep": "unanswered"})
    listed = {row[1] for row in recipients(r.text)}
    assert len(listed) == len(filled.bot.knowledge.invitees) - 5
    assert BOUNCED not in listed and SASKIA[0] not in listed and DECLINED not in listed
    invitee = filled.bot.knowledge.invitees[-1]
    assert [invitee.name, invitee.email, invitee.secretary_email] in recipients(r.text)


def test_sending_queues_one_mail_per_recipient_to_them_with_their_secretariat_copied(filled):
    filled.post("/groepsmail/voorbeeld", FORM)
    r = filled.post("/groepsmail/versturen", FORM)
    assert r.status_code == 200 and "de mail staat klaar voor 2 personen" in r.text
    mails = group_mails(filled)
    assert [(m["To"], m["Cc"]) for m in mails] == [SASKIA, ESTHER]
    for m in mails:
        assert m["Subject"] == "Zaalwijziging netwerkdag" and m["Auto-Submitted"] == "auto-generated"
        text = m.get_body(("plain",)).get_content()
        html = m.get_body(("html",)).get_content()
        assert "De <b>sessie</b> is verplaatst naar zaal 2.14." in text and "Tot donderdag." in text
        assert "De &lt;b&gt;sessie&lt;/b&gt; is verplaatst" in html and "<b>" not in html
    assert mails[1].get_body(("plain",)).get_content().startswith("Geachte burgemeester Scholten,")
    with filled.session() as s:
        rows = s.exec(select(db.Outbox).where(db.Outbox.kind == "group")).all()
    assert all(r.status == "queued" for r in rows)  # the runner sends it, not the desk
    assert [json.loads(r.to) for r in rows] == [list(SASKIA), list(ESTHER)]


def test_sending_the_same_mail_again_queues_nothing_and_says_so(filled):
    filled.post("/groepsmail/versturen", FORM)
    r = filled.post("/groepsmail/versturen", FORM)  # a double click, or a reload of the form
    assert "al eerder verstuurd aan 2 personen" in r.text and "niets opnieuw verstuurd" in r.text
    bert = filled.login("bert")
    r = filled.post("/groepsmail/versturen", FORM, client=bert)
    assert "al eerder verstuurd aan 2 personen" in r.text
    r = filled.post("/groepsmail/voorbeeld", FORM, client=bert)
    assert "Al eerder verstuurd aan 2 personen" in r.text
    assert len(group_mails(filled)) == 2
    other = filled.post("/groepsmail/versturen", {**FORM, "tekst": "Een andere tekst."})
    assert "de mail staat klaar voor 2 personen" in other.text and len(group_mails(filled)) == 4


def test_the_send_is_recorded_with_who_and_listed_on_the_page(filled):
    filled.post("/groepsmail/versturen", {**FORM, "groep": "session:financien"})
    with filled.session() as s:
        actions = s.exec(select(db.StaffAction).where(db.StaffAction.action == "group-mail")).all()
    assert [(a.actor, json.loads(a.detail)["count"], json.loads(a.detail)["subject"]) for a in actions] == [
        ("anna", 1, "Zaalwijziging netwerkdag")]
    assert json.loads(actions[0].detail)["audience"] == "session:financien"
    html = filled.client.get("/groepsmail").text
    earlier = html.split("<h2>Eerder verstuurd</h2>", 1)[1]
    assert "ma 20 nov 11.00" in earlier and "anna" in earlier and "1 persoon" in earlier
    assert "Zaalwijziging netwerkdag" in earlier and "Financiën" in earlier


@pytest.mark.parametrize("change, message", [
    ({"onderwerp": ""}, "Vul een onderwerp in."),
    ({"tekst": "  "}, "Vul de tekst van de mail in."),
    ({"groep": ""}, "Kies aan wie de mail gaat."),
])
def test_an_incomplete_form_is_refused_and_nothing_is_queued(filled, change, message):
    for path in ("/groepsmail/voorbeeld", "/groepsmail/versturen"):
        r = filled.post(path, {**FORM, **change})
        assert r.status_code == 422 and message in r.text
    assert group_mails(filled) == []


def test_an_empty_group_sends_nothing(filled):
    r = filled.post("/groepsmail/voorbeeld", {**FORM, "groep": "session:netwerkborrel"})
    assert "Niemand in deze groep" in r.text and ">Versturen</button>" not in r.text
    r = filled.post("/groepsmail/versturen", {**FORM, "groep": "session:netwerkborrel"})
    assert "er is niets verstuurd" in r.text and group_mails(filled) == []


def test_sending_needs_the_forms_csrf_token(filled):
    r = filled.client.post("/groepsmail/versturen", data={**FORM, "csrftoken": "vervalst"})
    assert r.status_code == 403 and group_mails(filled) == []
