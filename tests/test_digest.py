"""The daily digest for staff, built from a registry made of corpus replies.

What staff notice: the head count per session in the digest is the one the
export gives; every item waiting for review is listed with its reason; the
bounced address and the out-of-office are mentioned; the candidate members
(Assen, Hilversum) are listed; the digest mail sent to the staff address
carries an attendee list that opens in Excel and name cards that open as a
PDF, one card per registered attendee; the HTML draws the head count as a bar
chart of table cells (which Outlook renders) and has no script.

Registry: corpus 019, 020, 021 (secretariats register 1, 2 and 3 people),
024 (a decline), 042 (a VNG speaker, non-member: review), 049 (a question:
review), 058 (a bounce) and 055 (an out-of-office), ingested in one command.
The commands run in this process through click's test runner.
"""

from __future__ import annotations

import collections
import email
import io
import json
import re
from datetime import datetime
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from mailbot import config
from mailbot.cli import cli
from mailbot.reports.digest import render_digest
from mailbot.service import open_bot

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config.toml"
CORPUS = REPO / "tests" / "corpus"
CASES = ("019", "020", "021", "024", "042", "049", "058", "055")
INGEST_NOW = "2017-11-16T09:00:00+01:00"
DIGEST_NOW = "2017-11-17T08:00:00+01:00"
STAFF = "staf@g32.nl"
BOUNCED = "s.oosterhuis@almere.nl"  # 058
AWAY = "s.vandenberg@apeldoorn.nl"  # 055: "afwezig tot ..."


def mailbot(storage: Path, *args: str, now: str | None = None) -> str:
    argv = ["--config", str(CONFIG), "--storage", str(storage), *(["--now", now] if now else []), *args]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, f"{' '.join(args)} -> {result.exit_code}\n{result.output}"
    return result.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    storage = tmp_path_factory.mktemp("digest") / "storage"
    mailbot(storage, "ingest", *(str(next(CORPUS.glob(f"{c}-*")) / "1.eml") for c in CASES), now=INGEST_NOW)
    state = json.loads(mailbot(storage, "export", "--format", "json"))
    text = mailbot(storage, "digest", "--print", now=DIGEST_NOW)
    after_print = json.loads(mailbot(storage, "export", "--format", "json"))
    bot = open_bot(config.load(CONFIG, storage=storage))
    with Session(bot.engine) as s:
        subject, plain, html = render_digest(bot, s, datetime.fromisoformat(DIGEST_NOW))
    bot.engine.dispose()
    return {"storage": storage, "state": state, "text": text, "rendered": (subject, plain, html),
            "after_print": after_print}


@pytest.fixture(scope="module")
def sent(world) -> dict:
    """`digest --send`: the one new outbox row and the .eml written for it."""
    before = {p.name for p in (world["storage"] / "outbox").glob("*.eml")}
    out = mailbot(world["storage"], "digest", "--send", now=DIGEST_NOW)
    state = json.loads(mailbot(world["storage"], "export", "--format", "json"))
    new = sorted(p for p in (world["storage"] / "outbox").glob("*.eml") if p.name not in before)
    return {"stdout": out, "state": state, "files": new,
            "mails": [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in new]}


def registered(state: dict) -> list[dict]:
    return [a for a in state["attendees"] if a["status"] == "registered"]


def export_counts(state: dict) -> dict[str, int]:
    """Registered attendees per session title, from the export."""
    bot_cfg = config.load(CONFIG)
    titles = {s.id: s.title for s in bot_cfg.knowledge.event.sessions}
    counts = dict.fromkeys(titles.values(), 0)
    for a in registered(state):
        for sid in a["sessions"]:
            counts[titles[sid]] += 1
    return counts


def text_counts(text: str) -> dict[str, int]:
    """'HH.MM  Title  N' lines of the text digest's head count."""
    block = text.split("Aantallen per sessie", 1)[1].split("\n\n", 1)[0]
    counts = {}
    for line in block.splitlines():
        m = re.match(r"^\d\d[.:]\d\d\s+(?:\d+\.\s+)?(.+?)\s+(\d+)(?:\s*/\s*\d+)?\s*$", line)
        if m:
            counts[m.group(1)] = int(m.group(2))
    return counts


def test_the_registry_is_what_the_corpus_says(world):
    names = sorted(a["name"] for a in registered(world["state"]))
    assert names == sorted(["Esther Scholten", "Inge Ruiters", "Noor Hoekstra", "Carla de Graaf",
                            "Thijs Terpstra", "Niels de Bruijn", "Marjolein Hofstede"])


def test_head_count_per_session_equals_the_export(world):
    expected = export_counts(world["state"])
    assert text_counts(world["text"]) == expected
    assert text_counts(world["rendered"][1]) == expected
    assert expected["Netwerkborrel"] == 4 and expected["Algemeen Bestuur"] == 3  # not all zero


def test_total_registered_and_declined(world):
    assert re.search(r"Aangemeld:\s*7\b", world["text"])
    assert re.search(r"Afgemeld of ingetrokken:\s*1\b", world["text"])


def test_review_items_appear_with_their_reason(world):
    review = world["state"]["review"]
    assert {r["from"] for r in review} >= {"marjolein.hofstede@vng.nl", "t.willems@zoetermeer.nl"}
    html = world["rendered"][2]
    for r in review:
        assert r["reason"] in world["text"], r
        assert r["from"] in world["text"], r
        assert r["reason"] in html or r["reason"].replace("'", "&#39;") in html, r


def test_bounced_address_and_out_of_office_appear(world):
    for body in (world["text"], world["rendered"][2]):
        assert BOUNCED in body
        assert AWAY in body
        assert re.search(re.escape(AWAY) + r".{0,10}afwezig", body)


def test_candidate_members_are_listed(world):
    for body in (world["text"], world["rendered"][2]):
        assert "Assen" in body and "Hilversum" in body
        assert re.search(r"Kandidaat-lid Assen: 0 aangemeld", body)


def test_digest_send_queues_one_mail_to_staff(sent):
    digests = [o for o in sent["state"]["outbox"] if o["kind"] == "digest"]
    assert len(digests) == 1
    assert [a.lower() for a in digests[0]["to"]] == [STAFF]
    assert len(sent["mails"]) == 1
    assert STAFF in str(sent["mails"][0]["To"]).lower()
    assert sent["mails"][0]["X-Mailbot-Kind"] == "digest"


def attachment(sent: dict, name: str) -> bytes:
    (msg,) = sent["mails"]
    found = [p.get_payload(decode=True) for p in msg.iter_attachments() if p.get_filename() == name]
    assert len(found) == 1, [p.get_filename() for p in msg.iter_attachments()]
    return found[0]


def test_attendee_list_attachment_opens_in_excel(sent):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(attachment(sent, "deelnemers.xlsx")), read_only=True)
    ws = wb[wb.sheetnames[0]]
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], [r for r in rows[1:] if any(r)]
    name_col, status_col = header.index("Naam"), header.index("Status")
    state = sent["state"]
    assert sorted(r[name_col] for r in body) == sorted(a["name"] for a in state["attendees"])
    assert sorted(r[name_col] for r in body if r[status_col] == "aangemeld") == \
        sorted(a["name"] for a in registered(state))
    assert len(wb.sheetnames) > 1  # a sheet per session as well


def test_name_cards_attachment_has_a_card_for_every_registered_attendee(sent):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(attachment(sent, "naamkaartjes.pdf")))
    people = registered(sent["state"])
    assert len(reader.pages) == len(people)  # one folded A4 card per page (reports/namecards.py)
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for a in people:
        assert a["name"] in text, a["name"]


def bar_widths(html: str, titles: list[str]) -> dict[str, int]:
    """Session title -> width of the coloured bar cell after it, before the next title (0: none)."""
    chart = html.split("Aantallen per sessie", 1)[1]
    where = sorted((chart.index(f">{t}<"), t) for t in titles)
    widths = {}
    for (pos, title), (end, _) in zip(where, [*where[1:], (len(chart), "")], strict=True):
        bar = re.search(r"<td\b[^>]*\bwidth=\"(\d+)\"[^>]*\bbgcolor=\"#[0-9a-fA-F]{6}\"", chart[pos:end])
        widths[title] = int(bar.group(1)) if bar else 0
    return widths


def test_html_draws_the_head_count_as_a_table_bar_chart_without_script(sent):
    (msg,) = sent["mails"]
    html = msg.get_body(("html",)).get_content()
    assert "<script" not in html.lower()
    counts = export_counts(sent["state"])
    widths = bar_widths(html, list(counts))
    assert set(widths) == set(counts), "a row per session"
    for title, n in counts.items():
        assert (widths[title] > 0) == (n > 0), (title, n, widths[title])
    # more registrations, a longer bar
    for a in counts:
        for b in counts:
            if counts[a] > counts[b]:
                assert widths[a] > widths[b], (a, b, widths)


def test_printing_the_digest_sends_nothing(world):
    assert world["after_print"]["outbox"] == world["state"]["outbox"]
    assert not any(o["kind"] == "digest" for o in world["after_print"]["outbox"])


# --- a week at the office: one digest a day, and what staff read in it -------------------
#
# Thursday 16 Nov 09:00 the replies above plus 028 (registers, then cancels), 030/1 (Linda
# Kok registers), 035 (Bas Postma names two 11.15 sessions: a clarification) come in; the
# first digest is printed at 10:00. Friday 07:00 staff send the digest by hand; the 09:00
# `run` must send none. Friday 10:00 Linda Kok swaps a session (030/2), Assen registers
# (040) and Bas Postma answers the clarification. Monday 20 Nov 09:00 `run` sends the
# reminders; on Tuesday the digest tells they went out.

OFFICE_CASES = (*CASES, "028", "030", "035")
THURSDAY = "2017-11-16T09:00:00+01:00"
BY_HAND = "2017-11-17T07:00:00+01:00"
LATER = "2017-11-17T10:00:00+01:00"


def case_files(case: str, *numbers: int) -> list[str]:
    folder = next(CORPUS.glob(f"{case}-*"))
    return [str(folder / f"{n}.eml") for n in numbers or sorted(int(p.stem) for p in folder.glob("*.eml"))]


def attempt(storage: Path, *args: str, now: str) -> tuple[int, str, str]:
    """A command that may be refused: exit code, stdout and stderr."""
    argv = ["--config", str(CONFIG), "--storage", str(storage), "--now", now, *args]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def answer_to_the_clarification(tmp: Path) -> Path:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Bas Postma <b.postma@tilburg.nl>"
    msg["To"] = "G32 <info@G32.nl>"
    msg["Subject"] = "RE: Uw aanmelding voor de G32 netwerkdag"
    msg["Date"] = "Fri, 17 Nov 2017 09:40:00 +0100"
    msg["Message-ID"] = "<answer-postma-1@tilburg.nl>"
    msg.set_content("Dan kies ik voor de themagroep Financiën.\n\nMet vriendelijke groet,\n\nBas Postma\n")
    path = tmp / "answer.eml"
    path.write_bytes(bytes(msg))
    return path


def set_rows(storage: Path, change) -> None:
    """What the desk and the reader record (organisation, arrival), written directly."""
    from sqlmodel import select

    from mailbot import db

    bot = open_bot(config.load(CONFIG, storage=storage))
    with Session(bot.engine) as s, s.begin():
        for row in s.exec(select(db.Attendee)).all():
            change(row)
            s.add(row)
    bot.engine.dispose()


def digests(storage: Path) -> int:
    return sum(1 for o in json.loads(mailbot(storage, "export", "--format", "json"))["outbox"]
               if o["kind"] == "digest")


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("office")
    storage = tmp / "storage"
    files = [f for c in OFFICE_CASES for f in (case_files(c, 1) if c == "030" else case_files(c))]
    mailbot(storage, "ingest", *files, now=THURSDAY)
    set_rows(storage, lambda r: setattr(r, "organisation", "VNG") if r.name == "Marjolein Hofstede" else None)
    out: dict = {"storage": storage}
    out["first"] = mailbot(storage, "digest", "--print", now="2017-11-16T10:00:00+01:00")
    out["by_hand"] = attempt(storage, "digest", "--send", now=BY_HAND)
    out["after_send"] = digests(storage)
    mailbot(storage, "run", now="2017-11-17T09:00:00+01:00")
    out["after_run"] = digests(storage)
    mailbot(storage, "ingest", *case_files("030", 2), *case_files("040"), str(answer_to_the_clarification(tmp)),
            now=LATER)
    out["second_send"] = attempt(storage, "digest", "--send", now="2017-11-17T11:00:00+01:00")
    out["after_second_send"] = digests(storage)
    out["saturday"] = mailbot(storage, "digest", "--print", now="2017-11-18T08:00:00+01:00")
    mailbot(storage, "run", now="2017-11-20T09:00:00+01:00")
    out["tuesday"] = mailbot(storage, "digest", "--print", now="2017-11-21T07:00:00+01:00")
    set_rows(storage, lambda r: setattr(r, "arrived_at", datetime.fromisoformat("2017-11-30T09:10:00+01:00"))
             if r.name == "Esther Scholten" else None)
    out["day_itself"] = mailbot(storage, "digest", "--print", now="2017-11-30T10:00:00+01:00")
    out["state"] = json.loads(mailbot(storage, "export", "--format", "json"))
    return out


def section(text: str, title: str) -> str:
    """The lines under a heading of the text digest, up to the next blank line."""
    assert title in text, (title, text)
    return text.split(title, 1)[1].split("\n\n", 1)[0]


def test_a_digest_sent_by_hand_is_the_days_digest(office):
    code, stdout, _ = office["by_hand"]
    assert code == 0 and "staf@g32.nl" in stdout
    assert office["after_send"] == 1
    assert office["after_run"] == 1, "the scheduled 08:00 digest went out again after the one sent by hand"


def test_a_second_digest_the_same_day_is_refused_and_says_why(office):
    code, _, stderr = office["second_send"]
    assert code == 1
    assert "al verstuurd" in stderr and "07.00" in stderr  # when, in local time
    assert office["after_second_send"] == 1


def test_the_first_digest_covers_everything_so_far(office):
    first = office["first"]
    assert "eerste overzicht" in first
    new = section(first, "Nieuw aangemeld:")
    for name in ("Esther Scholten", "Linda Kok", "Bas Postma", "Marjolein Hofstede"):
        assert name in new, name


def test_new_and_changed_run_from_the_digest_sent_by_hand(office):
    saturday = office["saturday"]
    assert "Wijzigingen sinds het vorige overzicht (vrijdag 17 november 2017 07.00)" in saturday
    new = section(saturday, "Nieuw aangemeld:")
    assert "Hans Terpstra" in new  # Assen, Friday 10:00
    assert "Esther Scholten" not in saturday.split("Aantallen per sessie")[0], "listed again as new"
    assert "Linda Kok" not in new


def test_sessions_are_listed_in_programme_order(office):
    line = next(x for x in section(office["first"], "Nieuw aangemeld:").splitlines() if "Esther Scholten" in x)
    assert line.index("Financiën") < line.index("Algemeen Bestuur"), line  # session 4 before session 11


def test_registered_and_cancelled_in_one_period_appears_once_with_the_outcome(office):
    changes = office["first"].split("Aantallen per sessie")[0]
    assert changes.count("Jeroen Smits") == 1, changes
    assert "Jeroen Smits" in section(office["first"], "Aanmelding ingetrokken:")


def test_changed_says_what_was_added_and_what_fell_away(office):
    line = next(x for x in section(office["saturday"], "Gewijzigd:").splitlines() if "Linda Kok" in x)
    assert "toegevoegd: 6. Doorstart themagroep Statushouders; vervallen: 4. Themagroep Financiën" in line, line


def test_the_question_itself_is_shown(office):
    review = section(office["first"], "Ter controle")
    assert "parkeergelegenheid" in review  # 049's own words, not just its subject
    assert "donderdag 16 november 2017 09.00" in review  # received, local time


def test_open_clash_questions_are_listed_until_answered(office):
    clashes = section(office["first"], "Nog geen keuze tussen sessies op hetzelfde tijdstip")
    line = next(x for x in clashes.splitlines() if "Bas Postma" in x)
    assert "Financiën" in line and "Statushouders" in line and "11.15" in line
    assert "Bas Postma" not in office["saturday"].split("Nog geen antwoord")[0].split("Ter controle")[1]


def test_non_responders_are_counted_and_named_with_their_secretariat(office):
    m = re.search(r"Nog geen antwoord van (\d+) genodigden:\n((?:- .*\n)+)", office["first"])
    assert m, office["first"]
    lines = m.group(2).splitlines()
    named = sum(len(x.split(": ", 1)[1].split("), ")) for x in lines)
    assert int(m.group(1)) == named
    zwolle = next(x for x in lines if x.startswith("- Zwolle"))
    assert "Lars Vos" in zwolle and "bestuurssecretariaat@zwolle.nl" in zwolle
    assert "Esther Scholten" not in m.group(2)


def test_the_reminders_that_went_out_are_reported_with_how_many(office):
    sent = collections.Counter(o["subject"] for o in office["state"]["outbox"] if o["kind"] == "reminder")
    total = sum(sent.values())
    lines = section(office["tuesday"], "Herinneringen:").splitlines()
    counts = [int(re.search(r"verstuurd aan (\d+)", x).group(1)) for x in lines if "verstuurd aan" in x]
    assert total > 0 and sum(counts) == total, (lines, total)
    assert all("maandag 20 november 2017 09.00" in x for x in lines if x.strip())
    assert "Herinneringen:" not in office["saturday"]


def test_out_of_office_names_the_person_and_the_day_back_in_words(office):
    line = next(x for x in section(office["first"], "Afwezigheidsberichten:").splitlines() if AWAY in x)
    assert "Stefan van den Berg" in line
    assert "terug op maandag 13 november" in line  # "tot en met vrijdag 10 november"


def test_a_bounced_address_names_the_person_and_what_to_do(office):
    line = next(x for x in section(office["first"], "Onbestelbare adressen").splitlines() if BOUNCED in x)
    assert "Stefan Oosterhuis" in line
    assert "controleer het adres; bel het secretariaat" in line and "bestuurssecretariaat@almere.nl" in line


def test_arrivals_are_counted_once_anyone_is_ticked_present(office):
    assert "Aanwezig:" not in office["first"]
    registered_now = sum(1 for a in office["state"]["attendees"] if a["status"] == "registered")
    assert f"Aanwezig: 1 van {registered_now}." in office["day_itself"]


def test_a_non_members_organisation_is_shown_where_a_municipality_is(office):
    line = next(x for x in section(office["first"], "Nieuw aangemeld:").splitlines() if "Marjolein Hofstede" in x)
    assert "(VNG)" in line and "geen G32-gemeente" not in line


def test_the_html_digest_carries_the_same_news(office):
    bot = open_bot(config.load(CONFIG, storage=office["storage"]))
    with Session(bot.engine) as s:
        _subject, _text, html = render_digest(bot, s, datetime.fromisoformat("2017-11-21T07:00:00+01:00"))
    bot.engine.dispose()
    assert "Herinneringen" in html and "Nog geen antwoord van" in html
    assert "terug op maandag 13 november" in html and "controleer het adres; bel het secretariaat" in html


def test_the_day_back_is_the_next_working_day_after_the_last_day_away():
    from datetime import date

    from mailbot.reports.digest import day_in_words, return_day

    assert day_in_words(return_day(date(2017, 11, 24))) == "maandag 27 november"  # t/m vrijdag 24
    assert day_in_words(return_day(date(2017, 11, 21))) == "woensdag 22 november"  # t/m dinsdag 21
    assert day_in_words(return_day(date(2017, 11, 6))) == "maandag 6 november"  # "until Monday 6 November"


def test_attendee_list_attachment_shows_who_came(tmp_path):
    """On the day itself the digest's attendee list says who was ticked present at the door."""
    from datetime import UTC, datetime

    from openpyxl import load_workbook
    from sqlmodel import Session, select

    from mailbot import config, db
    from mailbot.changes import StaffRequest, apply_change
    from mailbot.reports.digest import attachments
    from mailbot.service import open_bot

    bot = open_bot(config.load(Path(__file__).resolve().parent.parent / "config.toml", storage=tmp_path / "s"))
    try:
        at = datetime(2017, 11, 30, 8, 47, tzinfo=UTC)
        for name, email in (("Kees Arend", "k.arend@almere.nl"), ("Mila Thuis", "m.thuis@almere.nl")):
            apply_change(bot, StaffRequest("register", "anna", name=name, email=email, municipality="almere",
                                           sessions=frozenset({"algemeen-bestuur"})), now=at)
        with Session(bot.engine) as s, s.begin():
            row = s.exec(select(db.Attendee).where(db.Attendee.name == "Kees Arend")).one()
            row.arrived_at, row.arrived_by = at, "anna"
        with Session(bot.engine) as s:
            (xlsx,) = [p[3] for p in attachments(bot, s) if p[0] == "deelnemers.xlsx"]
        ws = load_workbook(io.BytesIO(xlsx), read_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        came = rows[0].index("Aanwezig")
        by_name = {r[0]: r[came] for r in rows[1:] if r and r[0]}
        assert by_name["Kees Arend"] and "09.47" in str(by_name["Kees Arend"])
        assert not by_name["Mila Thuis"]
    finally:
        bot.readers.close()
