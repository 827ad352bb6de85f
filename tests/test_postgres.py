"""The storage and the pipeline on PostgreSQL, against a private server (tests/pg.py).

What an operator relies on when moving from SQLite to PostgreSQL: the
migrations build the same schema on an empty database; every corpus case
gives the same export (and so the same score) as on SQLite; and the things
that keep several instances from doing work twice hold under real
concurrency: a message recorded once, an outbox row sent once (FOR UPDATE
SKIP LOCKED), a scheduled job slot run once, one poller leader at a time.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import botrun
import pg
import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from mailbot import config as config_mod
from mailbot import db, leader, store
from mailbot.mail.base import SendResult

pytestmark = pytest.mark.servers

REPO = botrun.REPO
CORPUS = REPO / "tests" / "corpus"
SCORER = REPO.parent / "shared" / "tools" / "score-corpus"
URL_ENV = "MAILBOT_TEST_DATABASE_URL"
NOW = datetime.fromisoformat(botrun.NOW)


@pytest.fixture(scope="session")
def postgres():
    yield from pg.server_for_tests()


@pytest.fixture
def pg_url(postgres):
    yield from pg.database_for_tests(postgres)


def pg_config(directory: Path, *, extra: str = "") -> Path:
    """The shipped config with database_url_env naming URL_ENV (and `extra` appended)."""
    text_ = botrun.SHIPPED_CONFIG.read_text(encoding="utf-8")
    line = '# database_url_env = "MAILBOT_DATABASE_URL"'
    assert line in text_, "shipped config no longer has the commented database_url_env line"
    text_ = text_.replace(line, f'database_url_env = "{URL_ENV}"')
    return botrun.write_config(directory, text_ + extra)


def head_revision() -> str:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


# -- schema ----------------------------------------------------------------------


def test_migrations_build_the_models_schema_on_an_empty_database(pg_url):
    """Head on an empty PostgreSQL database: every table, the head revision, and no
    difference between the migrated schema and the SQLModel tables (types, nullability,
    indexes, unique constraints)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = db.open_database(pg_url)
    assert engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                SQLModel.metadata)
    assert diff == []
    db.open_database(pg_url)  # a second start finds nothing to do
    engine.dispose()


def test_migrations_upgrade_a_database_with_rows_and_downgrade(pg_url):
    """0001 with rows in it, then head: the NOT NULL column added by 0002 gets its
    server default; down to base and up again works on PostgreSQL."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    engine = db.make_engine(pg_url)
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))

    def alembic(fn, rev):
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            fn(cfg, rev)

    alembic(command.upgrade, "0001")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO attendee (key, name, status, needs_review, addresses, created_at, updated_at)"
                          " VALUES ('k', 'Ann', 'registered', false, '[]', :n, :n)"), {"n": now})
        conn.execute(text("INSERT INTO outbox (message_id, kind, \"to\", subject, raw, status, attempts, created_at)"
                          " VALUES ('<m@x>', 'confirmation', '[]', 's', 'raw', 'queued', 0, :n)"), {"n": now})
    alembic(command.upgrade, "head")
    with Session(engine) as s:
        a = s.exec(select(db.Attendee)).one()
        assert (a.name, a.ics_sequence, a.needs_review) == ("Ann", 0, False)
        o = s.exec(select(db.Outbox)).one()
        assert (o.dedupe, o.next_attempt_at) == (None, None)
    alembic(command.downgrade, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    alembic(command.upgrade, "head")
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_instances_starting_together_on_an_empty_database_all_start(pg_url):
    """Three processes open the same empty database at once (two hosts' first start):
    the migrations run one after the other (advisory lock), none fails."""
    import subprocess
    import sys

    code = "import sys; from mailbot import db; db.open_database(sys.argv[1]).dispose(); print('ok')"
    procs = [subprocess.Popen([sys.executable, "-c", code, pg_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-500:] for _out, err in outs]
    engine = db.make_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]
    engine.dispose()


def test_plain_postgres_url_uses_psycopg3(postgres):
    """DATABASE_URL-style postgres:// and postgresql:// URLs get the psycopg 3 driver."""
    for scheme in ("postgres", "postgresql"):
        engine = db.make_engine(f"{scheme}://postgres@{postgres.host}:{postgres.port}/postgres")
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_setting('application_name')")).scalar() == "mailbot"
        engine.dispose()


# -- the corpus: same exports, same score -----------------------------------------


def _scorer():
    """compare() of shared/tools/score-corpus, when that checkout is beside the repo."""
    if not SCORER.exists():
        return None
    loader = importlib.machinery.SourceFileLoader("score_corpus", str(SCORER))
    spec = importlib.util.spec_from_loader("score_corpus", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module.compare


def _reset(engine) -> None:
    """Empty every table but the invitee list (loaded from the config at the first start),
    with ids starting again at 1: the state of a fresh installation, without paying for a new
    database and its migrations per case."""
    tables = [t for t in reversed(SQLModel.metadata.sorted_tables) if t.name != "invitee"]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY"))
        else:
            for t in tables:
                conn.execute(t.delete())


def _ingest(bot, case: Path) -> dict:
    """What `mailbot --now NOW ingest <case>/*.eml; export` does on a fresh installation."""
    from mailbot.service import export, flush_outbox, make_sender, process

    _reset(bot.engine)
    sender = make_sender(bot.config)
    for f in sorted(case.glob("*.eml"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0)):
        process(bot, f.read_bytes(), now=NOW, source=f"file:{f.name}")
    flush_outbox(bot, sender, now=NOW)
    return export(bot)


def test_corpus_exports_and_score_are_the_same_on_postgresql_and_sqlite(tmp_path, pg_url, monkeypatch):
    """Every corpus case ingested into SQLite and into PostgreSQL, each time on an empty
    registry: the exports (attendees, outbox, review list) are identical, and so is the
    corpus score (shared/tools/score-corpus's comparison, when that is beside the repo)."""
    config_path = pg_config(tmp_path / "etc")
    lite_bot = _bot(config_path, tmp_path / "lite")
    monkeypatch.setenv(URL_ENV, pg_url)
    pg_bot = _bot(config_path, tmp_path / "pg")
    assert (lite_bot.engine.dialect.name, pg_bot.engine.dialect.name) == ("sqlite", "postgresql")
    compare = _scorer()
    cases = sorted(c for c in CORPUS.iterdir() if (c / "expected.json").exists())
    assert cases
    differ, score = [], {"sqlite": 0, "postgresql": 0}
    for case in cases:
        lite = _ingest(lite_bot, case)
        pg_state = _ingest(pg_bot, case)
        if lite != pg_state:
            differ.append(case.name)
        if compare is not None:
            expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))["expect"]
            score["sqlite"] += not compare(expected, lite)
            score["postgresql"] += not compare(expected, pg_state)
    assert differ == [], f"exports differ between SQLite and PostgreSQL: {differ}"
    assert score["sqlite"] == score["postgresql"], score
    print(f"corpus score: {score} of {len(cases)}")
    for b in (lite_bot, pg_bot):
        b.engine.dispose()


def _bot(config_path: Path, storage: Path):
    from mailbot.service import open_bot

    return open_bot(config_mod.load(config_path, storage=storage))


# -- several instances on one database ------------------------------------------------


def test_one_message_handled_by_two_instances_at_once_is_recorded_once(tmp_path, pg_url, monkeypatch):
    """Two bots process the same reply at the same moment: one records it and queues
    the confirmation, the other sees a duplicate (unique Message-ID)."""
    from mailbot.service import process

    monkeypatch.setenv(URL_ENV, pg_url)
    config_path = pg_config(tmp_path / "etc")
    bots = [_bot(config_path, tmp_path / f"s{i}") for i in range(2)]
    raws = [botrun.corpus(c) for c in ("019", "016", "024", "001", "002", "003")]
    for raw in raws:
        results: list = [None, None]
        barrier = threading.Barrier(2)

        def go(i: int, raw: bytes = raw, results: list = results, barrier=barrier) -> None:
            barrier.wait()
            results[i] = process(bots[i], raw, now=NOW, source="test")

        threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        outcomes = sorted(r.outcome for r in results)
        assert outcomes.count("duplicate") == 1, outcomes
    with Session(bots[0].engine) as s:
        mids = [r.message_id for r in s.exec(select(db.InboundMessage)).all()]
        sources = [r.source_message_id for r in s.exec(select(db.Outbox)).all()]
    assert len(mids) == len(set(mids)) == len(raws)
    assert len(sources) == len(set(sources)) == len(raws)
    for b in bots:
        b.engine.dispose()


class SlowSender:
    """Records what it was asked to send; takes a little time per mail, like SMTP."""

    def __init__(self, sink: list, lock: threading.Lock, delay: float = 0.01) -> None:
        self.sink, self.lock, self.delay = sink, lock, delay

    def send(self, mails):
        out = []
        for m in mails:
            time.sleep(self.delay)
            with self.lock:
                self.sink.append(m.message_id)
            out.append(SendResult(m.id, True))
        return out


def _queue(engine, n: int, now: datetime) -> None:
    with Session(engine) as s, s.begin():
        for i in range(n):
            s.add(db.Outbox(message_id=f"<out-{i}@test>", kind="confirmation", to=json.dumps([f"p{i}@x.nl"]),
                            subject="s", raw=b"raw", created_at=now))


def test_outbox_flushed_by_three_instances_at_once_sends_each_mail_once(tmp_path, pg_url, monkeypatch):
    """120 queued mails, three instances flushing together: every mail sent exactly once,
    the work shared between them (rows claimed with FOR UPDATE SKIP LOCKED), all marked sent."""
    from mailbot.service import flush_outbox

    monkeypatch.setenv(URL_ENV, pg_url)
    config_path = pg_config(tmp_path / "etc")
    bots = [_bot(config_path, tmp_path / f"s{i}") for i in range(3)]
    _queue(bots[0].engine, 120, NOW)
    sent: list[str] = []
    lock = threading.Lock()
    counts = [None, None, None]
    barrier = threading.Barrier(3)

    def go(i: int) -> None:
        barrier.wait()
        counts[i] = flush_outbox(bots[i], SlowSender(sent, lock), now=NOW)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(sent) == sorted(f"<out-{i}@test>" for i in range(120))  # each exactly once
    assert sum(c[0] for c in counts) == 120
    assert all(c[0] > 0 for c in counts), counts  # nobody waited for another's locks
    with Session(bots[0].engine) as s:
        rows = s.exec(select(db.Outbox)).all()
        assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}
    for b in bots:
        b.engine.dispose()


def test_a_mail_being_sent_is_skipped_not_waited_for(tmp_path, pg_url, monkeypatch):
    """While one instance holds a queued mail (its send in progress), another instance's
    flush skips it at once and leaves it to the holder."""
    from mailbot.service import flush_outbox

    monkeypatch.setenv(URL_ENV, pg_url)
    config_path = pg_config(tmp_path / "etc")
    bots = [_bot(config_path, tmp_path / f"s{i}") for i in range(2)]
    _queue(bots[0].engine, 1, NOW)
    with Session(bots[0].engine) as s, s.begin():
        assert len(store.claim_queued(s, now=NOW)) == 1  # locked until this block ends
        sent: list[str] = []
        t0 = time.monotonic()
        assert flush_outbox(bots[1], SlowSender(sent, threading.Lock()), now=NOW) == (0, 0)
        assert time.monotonic() - t0 < 2 and sent == []
    for b in bots:
        b.engine.dispose()


def test_a_due_reminder_runs_once_when_instances_race(tmp_path, pg_url, monkeypatch):
    """Three instances run the agenda at the same moment, five times over: the reminder's
    and the digest's slots are claimed once (job_run), each recipient gets the reminder
    once and staff one digest."""
    from mailbot.jobs import run_due
    from mailbot.service import process

    monkeypatch.setenv(URL_ENV, pg_url)
    extra = ('\n[[reminders]]\nid = "race"\nat = "2017-11-16T08:30"\n'
             'audience = "registered"\ntemplate = "reminder_registered"\n')
    config_path = pg_config(tmp_path / "etc", extra=extra)
    bots = [_bot(config_path, tmp_path / f"s{i}") for i in range(3)]
    for case in ("019", "016", "001"):
        process(bots[0], botrun.corpus(case), now=NOW - timedelta(hours=1), source="test")
    errors: list[BaseException] = []
    for _round in range(5):
        barrier = threading.Barrier(3)

        def go(i: int, barrier=barrier) -> None:
            barrier.wait()
            try:
                run_due(bots[i], now=NOW)
            except BaseException as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=go, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    with Session(bots[0].engine) as s:
        runs = s.exec(select(db.JobRun).where(db.JobRun.job == "reminder", db.JobRun.slot == "race")).all()
        reminders = s.exec(select(db.Outbox).where(db.Outbox.kind == "reminder")).all()
        digests = s.exec(select(db.Outbox).where(db.Outbox.kind == "digest")).all()
    assert len(runs) == 1
    assert len(digests) == 1
    assert reminders, "the reminder queued no mail"
    dedupes = [r.dedupe for r in reminders if r.dedupe and r.dedupe.startswith("reminder:race:")]
    assert len(dedupes) == len(set(dedupes)) == len(reminders)
    assert not errors, errors
    for b in bots:
        b.engine.dispose()


# -- leadership -------------------------------------------------------------------------


def test_one_leader_at_a_time_and_a_quick_takeover(pg_url):
    """Three electors on one database: exactly one leads; when it stops, another leads
    within the retry interval; when the server ends the leader's session (as it does when
    the leader's host vanishes), the leader notices and someone leads again."""
    import psycopg

    engine = db.open_database(pg_url)
    electors = [leader.for_engine(engine, retry=0.2, heartbeat=0.2).start() for _ in range(3)]
    try:
        assert all(isinstance(e, leader.PgAdvisoryLock) for e in electors)
        assert sum(e.is_leader() for e in electors) == 1
        assert leader.current_leader(engine).startswith("mailbot-leader ")
        first = next(e for e in electors if e.is_leader())
        t0 = time.monotonic()
        first.stop()
        while not any(e.is_leader() for e in electors if e is not first):
            assert time.monotonic() - t0 < 3, "nobody took over"
            time.sleep(0.02)
        assert time.monotonic() - t0 < 1.0
        rest = [e for e in electors if e is not first]
        assert sum(e.is_leader() for e in rest) == 1
        second = next(e for e in rest if e.is_leader())
        dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory'")
        t0 = time.monotonic()
        while True:  # the old leader gives up; one of the two leads
            leaders = [e for e in rest if e.is_leader()]
            if len(leaders) == 1 and (leaders[0] is not second or second.acquired_at > t0):
                break
            assert time.monotonic() - t0 < 5, "no leader after the session was ended"
            time.sleep(0.02)
    finally:
        for e in electors:
            e.stop()
        engine.dispose()


def test_sqlite_instances_on_one_machine_elect_by_file_lock(tmp_path):
    """On SQLite the leader holds a flock next to the database file."""
    engine = db.open_database(f"sqlite:///{tmp_path / 'mailbot.sqlite3'}")
    a = leader.for_engine(engine, retry=0.1).start()
    b = leader.for_engine(engine, retry=0.1).start()
    try:
        assert isinstance(a, leader.FileLock)
        assert (a.is_leader(), b.is_leader()) == (True, False)
        a.stop()
        t0 = time.monotonic()
        while not b.is_leader():
            assert time.monotonic() - t0 < 2
            time.sleep(0.02)
    finally:
        a.stop()
        b.stop()
        engine.dispose()


def test_a_nul_or_surrogate_in_a_header_is_stored_on_postgresql(tmp_path, pg_url, monkeypatch):
    """PostgreSQL refuses NUL in text; a broken header must not fail the write there
    either, and the message after it is handled."""
    from mailbot.service import export, process

    monkeypatch.setenv(URL_ENV, pg_url)
    bot = _bot(pg_config(tmp_path / "etc"), tmp_path / "pg")
    head = b"To: info@G32.nl\r\nDate: Mon, 06 Nov 2017 10:00:00 +0100\r\n"
    body = b"\r\nGraag meld ik mij aan voor de netwerkborrel.\r\n"
    nul = b"From: =?utf-8?q?An=00na?= <a.bos@zwolle.nl>\r\nSubject: aan\x00melding\r\nMessage-ID: <n@x>\r\n"
    sur = b"From: =?utf-8?b?7aCA?= <p.smit@zwolle.nl>\r\nSubject: x\r\nMessage-ID: <s@x>\r\n"
    outcomes = [process(bot, raw, now=NOW, source="test").outcome
                for raw in (nul + head + body, sur + head + body, botrun.corpus("019"))]
    assert "error" not in outcomes, outcomes
    state = export(bot)
    assert {a["email"] for a in state["attendees"]} >= {"a.bos@zwolle.nl", "p.smit@zwolle.nl", "e.scholten@alkmaar.nl"}
    bot.engine.dispose()
