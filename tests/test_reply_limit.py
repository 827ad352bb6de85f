"""The daily limit of automatic replies per address ([limits]
max_replies_per_address_per_day), counted through the outbox_recipient index.

What a user notices: someone who writes many times in one day (or a mail
loop with a human-looking sender) gets at most the limit in automatic
replies; the rest reaches staff review instead. It holds inside one mailbox
batch as well, and mail queued before this index existed still counts.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import botrun
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import text
from sqlmodel import Session

from mailbot import config, db, store
from mailbot.mail.base import Fetched
from mailbot.service import open_bot, process, process_batch

REPO = Path(__file__).resolve().parent.parent
NOW = datetime.fromisoformat(botrun.NOW)
LIMIT = 3


def _bot(tmp_path: Path):
    cfg = config.load(REPO / "config.toml", storage=tmp_path / "storage")
    return open_bot(dataclasses.replace(cfg, max_replies_per_address_per_day=LIMIT))


def _copies(n: int) -> list[bytes]:
    """n mails from one wethouder who keeps changing his mind: each one is answered."""
    out = []
    for i in range(n):
        m = EmailMessage()
        m["From"] = "Dirk van Beek <d.vanbeek@almelo.nl>"
        m["To"] = "info@G32.nl"
        m["Subject"] = "RE: Uitnodiging G32 netwerkdag"
        m["Message-ID"] = f"<again-{i}@almelo.nl>"
        m["Date"] = "Mon, 13 Nov 2017 10:00:00 +0100"
        m.set_content("Ik meld mij aan voor de sessie Financiën.\n\nDirk van Beek" if i % 2 == 0 else
                      "Helaas moet ik mij toch afmelden, ik ben verhinderd.\n\nDirk van Beek")
        out.append(m.as_bytes())
    return out


def _state(bot) -> tuple[int, list[str]]:
    with Session(bot.engine) as s:
        queued = s.exec(text("SELECT count(*) FROM outbox")).one()[0]
        reasons = [r[0] for r in s.exec(text("SELECT reason FROM review_item ORDER BY id")).all()]
    return queued, reasons


def test_more_than_the_limit_in_a_day_goes_to_review(tmp_path):
    bot = _bot(tmp_path)
    results = [process(bot, raw, now=NOW + timedelta(minutes=i)) for i, raw in enumerate(_copies(LIMIT + 2))]

    assert [r.outcome for r in results] == ["recorded"] * (LIMIT + 2)
    queued, reasons = _state(bot)
    assert queued == LIMIT
    assert reasons == ["Te veel automatische antwoorden aan dit adres vandaag; niet beantwoord."] * 2

    # a day later the address may be answered again
    process(bot, _copies(LIMIT + 3)[-1], now=NOW + timedelta(hours=25))
    assert _state(bot)[0] == LIMIT + 1


def test_the_limit_holds_inside_one_batch(tmp_path):
    bot = _bot(tmp_path)
    batch = [Fetched(raw=raw, ref=str(i)) for i, raw in enumerate(_copies(LIMIT + 2))]

    process_batch(bot, batch, now=NOW, source="test")

    queued, reasons = _state(bot)
    assert queued == LIMIT and len(reasons) == 2


def test_mail_queued_before_the_index_existed_still_counts(tmp_path):
    """A database at 0003 with replies in its outbox, upgraded: those replies count."""
    path = tmp_path / "old.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003_waitlist")
        for i in range(LIMIT):
            conn.execute(text("INSERT INTO outbox (message_id, kind, \"to\", subject, raw, status, attempts, "
                              "created_at) VALUES (:m, 'confirmation', :to, 's', x'00', 'sent', 1, :n)"),
                         {"m": f"<r{i}@g32.nl>", "to": '["D.vanBeek@almelo.nl"]', "n": NOW.astimezone(UTC)})
    engine.dispose()

    engine = db.open_database(f"sqlite:///{path}")
    with Session(engine) as s:
        assert store.replies_since(s, "d.vanbeek@almelo.nl", ("confirmation",), NOW - timedelta(hours=1)) == LIMIT
    engine.dispose()
