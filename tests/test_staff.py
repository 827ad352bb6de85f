"""Staff commands: the review list, resolving an item, and purging personal data.

What staff notice: `review list` shows what waits for them and why;
resolving an item closes it and records who did it and when; setting
sessions on a resolve changes what the export shows and, with --confirm,
sends the sender the standard confirmation; a mistyped id gives one clear
line and a non-zero exit; `review show` shows how the bot read the message;
after the event, `purge` removes the personal data and raw mail, yet a
message handled before is still never answered again.

Starting state (ingested once, copied per test): corpus 042 (a VNG speaker,
non-member: review), 043 (a Platform31 staff member registers for Mensen
tussen wal en schip: review) and 049 (a question about parking: review).
Commands run in this process: through click's test runner, or through the
console script's entry point where its exit code and error line are the point.
"""

from __future__ import annotations

import email
import json
import re
import shutil
import sys
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from mailbot import config, db
from mailbot.cli import cli
from mailbot.service import open_bot

REPO = Path(__file__).resolve().parent.parent
MAILBOT = REPO / ".venv" / "bin" / "mailbot"
CONFIG = REPO / "config.toml"
CORPUS = REPO / "tests" / "corpus"
INGEST_NOW = "2017-11-16T09:00:00+01:00"
STAFF_NOW = "2017-11-17T10:30:00+01:00"
VNG = "marjolein.hofstede@vng.nl"  # 042
PLATFORM31 = "k.verbeek@platform31.nl"  # 043
QUESTION = "t.willems@zoetermeer.nl"  # 049


def corpus_file(case: str) -> Path:
    return next(CORPUS.glob(f"{case}-*")) / "1.eml"


def mailbot(storage: Path, *args: str, now: str | None = None):
    argv = ["--config", str(CONFIG), "--storage", str(storage), *(["--now", now] if now else []), *args]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, f"{' '.join(args)} -> {result.exit_code}\n{result.output}"
    return result


def export(storage: Path) -> dict:
    return json.loads(mailbot(storage, "export", "--format", "json").stdout)


def review_id(state: dict, sender: str, reason_part: str = "") -> int:
    ids = [r["id"] for r in state["review"] if r["from"] == sender and reason_part in r["reason"]]
    assert ids, (sender, reason_part, state["review"])
    return ids[0]


def staff_actions(storage: Path) -> list[db.StaffAction]:
    bot = open_bot(config.load(CONFIG, storage=storage))
    try:
        with Session(bot.engine) as s:
            return list(s.exec(select(db.StaffAction).order_by(db.StaffAction.id)).all())
    finally:
        bot.engine.dispose()


def utc(d: datetime) -> datetime:
    return d.replace(tzinfo=UTC) if d.tzinfo is None else d.astimezone(UTC)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    storage = tmp_path_factory.mktemp("staff-base") / "storage"
    mailbot(storage, "ingest", *(str(corpus_file(c)) for c in ("042", "043", "049")), now=INGEST_NOW)
    return storage


@pytest.fixture
def storage(base, tmp_path) -> Path:
    target = tmp_path / "storage"
    shutil.copytree(base, target)
    return target


def test_review_list_shows_open_items_with_their_reasons(storage):
    state = export(storage)
    out = mailbot(storage, "review", "list").stdout
    lines = out.splitlines()
    assert lines[-1].strip() == f"{len(state['review'])} open"
    assert {r["from"] for r in state["review"]} == {VNG, PLATFORM31, QUESTION}
    for r in state["review"]:
        line = next((x for x in lines if re.match(rf"\s*{r['id']}\s", x)), None)
        assert line is not None, (r, out)
        assert r["from"] in line and r["reason"] in line
    assert any("G32-gemeente" in x and VNG in x for x in lines)  # non-member
    assert any("Vraag" in x and QUESTION in x for x in lines)  # the question


def test_resolve_closes_the_item_and_records_who_and_when(storage):
    rid = review_id(export(storage), VNG)
    out = mailbot(storage, "review", "resolve", str(rid), "--municipality", "none", "--by", "anna",
                  now=STAFF_NOW).stdout
    assert "handled" in out or "afgehandeld" in out.lower()
    listing = mailbot(storage, "review", "list").stdout
    assert not any(re.match(rf"\s*{rid}\s", x) for x in listing.splitlines()), listing
    state = export(storage)
    assert rid not in {r["id"] for r in state["review"]}
    (marjolein,) = [a for a in state["attendees"] if a["email"] == VNG]
    assert marjolein["municipality"] is None and marjolein["needs_review"] is False
    actions = [a for a in staff_actions(storage) if a.review_id == rid]
    assert [a.action for a in actions][-1] == "close"  # each step recorded, the closing last
    assert {a.actor for a in actions} == {"anna"}
    assert {utc(a.at) for a in actions} == {utc(datetime.fromisoformat(STAFF_NOW))}


def test_resolve_with_sessions_and_confirm_sets_them_and_confirms_to_the_sender(storage):
    state = export(storage)
    rid = review_id(state, PLATFORM31)
    (koen,) = [a for a in state["attendees"] if a["email"] == PLATFORM31]
    assert koen["sessions"] == ["wal-en-schip"]
    before = {p.name for p in (storage / "outbox").glob("*.eml")}

    out = mailbot(storage, "review", "resolve", str(rid), "--sessions", "financien,netwerkborrel", "--confirm",
                  "--by", "bob", now=STAFF_NOW).stdout
    assert PLATFORM31 in out

    state = export(storage)
    (koen,) = [a for a in state["attendees"] if a["email"] == PLATFORM31]
    assert koen["sessions"] == ["financien", "netwerkborrel"] and koen["status"] == "registered"
    assert rid not in {r["id"] for r in state["review"]}
    confirmations = [o for o in state["outbox"] if o["kind"] == "confirmation" and PLATFORM31 in o["to"]]
    assert len(confirmations) == 2  # the bot's own, then the one staff sent
    new = [p for p in sorted((storage / "outbox").glob("*.eml")) if p.name not in before]
    assert len(new) == 1
    msg = email.message_from_bytes(new[0].read_bytes(), policy=policy.default)
    assert PLATFORM31 in str(msg["To"]).lower()
    original = email.message_from_bytes(corpus_file("043").read_bytes(), policy=policy.default)
    assert str(msg["In-Reply-To"]).strip() == str(original["Message-ID"]).strip()
    body = msg.get_body(("plain",)).get_content()
    listed = "\n".join(x for x in body.splitlines() if x.startswith("- "))  # the sessions as they stand
    assert "Financiën" in listed and "Netwerkborrel" in listed and "wal en schip" not in listed
    (dropped,) = [x for x in body.splitlines() if "vervallen" in x]  # and what staff changed
    assert "wal en schip" in dropped.split("vervallen", 1)[1]
    assert any(part.get_content_type() == "text/calendar" for part in msg.walk())
    assert {a.actor for a in staff_actions(storage) if a.review_id == rid} == {"bob"}


@pytest.mark.parametrize("command", [("review", "resolve", "999", "--by", "anna"), ("review", "show", "999")],
                         ids=["resolve", "show"])
def test_unknown_review_id_gives_one_clear_line_and_a_non_zero_exit(storage, command, monkeypatch, capsys):
    """Through the console script's entry point (mailbot.cli:main), which maps errors to exit codes."""
    from mailbot.cli import main

    monkeypatch.setattr(sys, "argv", [str(MAILBOT), "--config", str(CONFIG), "--storage", str(storage),
                                      "--now", STAFF_NOW, *command])
    with pytest.raises(SystemExit) as exit_:
        main()
    out, err = capsys.readouterr()
    assert exit_.value.code not in (0, None)
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    assert "999" in lines[0] and "Traceback" not in err
    assert out.strip() == ""


def test_review_show_explains_the_message(storage):
    state = export(storage)
    rid = review_id(state, QUESTION, "Vraag")
    out = mailbot(storage, "review", "show", str(rid)).stdout
    assert state["review"][[r["id"] for r in state["review"]].index(rid)]["reason"] in out
    assert QUESTION in out
    new_text = out.split("Nieuwe tekst", 1)[1]  # how the bot read it: the new text of the message
    assert "parkeergelegenheid" in new_text
    assert "question" in out  # the cue it found


def test_purge_removes_personal_data_but_handled_mail_stays_handled(storage):
    out = mailbot(storage, "purge", "--before", "2018-01-01", "--yes", "--by", "anna",
                  now="2018-03-01T10:00:00+01:00").stdout
    assert out.startswith("Persoonsgegevens van vóór") and "Verwijderd:" in out
    state = export(storage)
    assert state["attendees"] == [] and state["review"] == [] and state["outbox"] == []
    bot = open_bot(config.load(CONFIG, storage=storage))
    with Session(bot.engine) as s:
        messages = s.exec(select(db.InboundMessage)).all()
        assert len(messages) == 3 and all(m.raw is None and m.from_addr == "" for m in messages)
    bot.engine.dispose()
    assert [a.actor for a in staff_actions(storage) if a.action == "purge"] == ["anna"]

    again = mailbot(storage, "ingest", str(corpus_file("042")), now="2018-03-02T10:00:00+01:00")
    assert "al eerder ontvangen" in again.stderr
    state = export(storage)
    assert state["attendees"] == [] and state["outbox"] == []
