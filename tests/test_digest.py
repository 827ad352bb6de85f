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
        assert re.search(re.escape(AWAY) + r".{0,10}afwezig tot", body)


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
