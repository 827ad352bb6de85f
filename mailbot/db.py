"""SQLModel tables and the engine: the bot's durable state.

The database is the registry (attendees and their sessions), the memory of
which messages were handled (so nothing is answered twice), the outbox
(so nothing queued is lost) and the staff review list. The schema is owned by
the Alembic migrations in storage/migrations, applied at every start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel, create_engine

from mailbot.core.mailfacts import clean
from mailbot.errors import StorageError

log = logging.getLogger("mailbot")
MIGRATIONS = Path(__file__).resolve().parent.parent / "storage" / "migrations"
MIGRATION_LOCK = 0x6D61696C626F74  # PostgreSQL advisory lock key held while migrating ("mailbot")
MIGRATE_WAIT = 120.0  # seconds a process waits for another one migrating the same SQLite store


class InboundMessage(SQLModel, table=True):
    """One message seen in the mailbox, with what became of it."""

    __tablename__ = "inbound_message"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(index=True, unique=True)
    source: str = Field(default="")  # "imap:user@host/INBOX", "maildir", "file"
    uidvalidity: int | None = None
    uid: int | None = None
    size: int = 0
    received_at: datetime
    sent_at: datetime | None = None  # the Date header
    from_addr: str = ""
    subject: str = ""
    outcome: str = ""  # recorded | ignored | review | skipped | error
    kind: str = ""  # classification: human, auto-reply, bounce, ...
    rules: str = ""  # JSON list of rule names that fired
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Invitee(SQLModel, table=True):
    __tablename__ = "invitee"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    role: str | None = None
    municipality: str | None = None
    email: str = Field(index=True, unique=True)
    secretary_email: str | None = Field(default=None, index=True)


class Attendee(SQLModel, table=True):
    __tablename__ = "attendee"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True)
    name: str
    role: str | None = None
    email: str | None = None
    municipality: str | None = None
    status: str = "registered"
    registered_by: str | None = None
    needs_review: bool = False
    addresses: str = ""  # JSON list of every address linked to this person
    remarks: str = ""  # JSON list of remarks staff must act on (diet, access, timing, company)
    ics_sequence: int = 0  # SEQUENCE of the calendar attachment last sent
    organisation: str | None = None  # a non-member's organisation (VNG, BZK, ...), shown where a municipality is
    registered_via: str = "mail"  # mail | staff: how the registration came in
    version: int = 0  # raised on every staff save: a second desk save of a stale form is refused
    arrived_at: datetime | None = None  # ticked present at the door
    arrived_by: str | None = None
    created_at: datetime
    updated_at: datetime


class AttendeeSession(SQLModel, table=True):
    """A session an attendee chose; `waitlisted` when it was full at the time (first come, first served)."""

    __tablename__ = "attendee_session"
    attendee_id: int = Field(foreign_key="attendee.id", primary_key=True)
    session_id: str = Field(primary_key=True)
    waitlisted: bool = False
    created_at: datetime | None = None


class History(SQLModel, table=True):
    """Every change to an attendee, for the digest and for staff questions."""

    __tablename__ = "history"
    id: int | None = Field(default=None, primary_key=True)
    attendee_id: int = Field(foreign_key="attendee.id", index=True)
    what: str  # new | changed | declined | cancelled
    sessions: str = ""  # JSON list after the change
    message_id: str | None = None
    actor: str | None = None  # the staff member, for a change made at the desk or the command line
    at: datetime


class Outbox(SQLModel, table=True):
    """A mail to send; queued in the same transaction as the decision."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(index=True, unique=True)
    kind: str
    to: str  # JSON list
    subject: str
    in_reply_to: str | None = None
    source_message_id: str | None = Field(default=None, index=True)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="queued", index=True)  # queued | sent | failed
    dedupe: str | None = Field(default=None, unique=True)  # "reminder:<id>:<address>": never queued twice
    next_attempt_at: datetime | None = None  # backoff after a temporary failure
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None


class OutboxRecipient(SQLModel, table=True):
    """One recipient of a queued mail: the per-address daily reply limit is an index lookup
    instead of a scan of every recent mail's JSON recipient list."""

    __tablename__ = "outbox_recipient"
    __table_args__ = (Index("ix_outbox_recipient_address_created_at", "address", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    outbox_message_id: str = Field(foreign_key="outbox.message_id", index=True)
    address: str  # lower case
    kind: str
    created_at: datetime


class ReviewItem(SQLModel, table=True):
    __tablename__ = "review_item"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str | None = Field(default=None, index=True)
    from_addr: str = ""
    reason: str
    summary: str = ""
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    note: str = ""  # the staff member's note on closing


class MailNote(SQLModel, table=True):
    """What automatic mail told us: an address bounced, or someone is away until a date."""

    __tablename__ = "mail_note"
    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(index=True)
    kind: str  # bounce | away
    detail: str = ""
    message_id: str | None = None
    at: datetime


class JobRun(SQLModel, table=True):
    """One run of a scheduled job for one slot (a reminder id, a digest day): never twice."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "slot"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str
    slot: str
    ran_at: datetime
    detail: str = ""


class StaffAction(SQLModel, table=True):
    """Who did what to a review item, and when."""

    __tablename__ = "staff_action"
    id: int | None = Field(default=None, primary_key=True)
    review_id: int | None = Field(default=None, index=True)
    actor: str
    action: str
    detail: str = ""
    at: datetime


class Invitation(SQLModel, table=True):
    """An invitation sent to one invitee, with the token of a personal reply address."""

    __tablename__ = "invitation"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)
    token: str = Field(index=True, unique=True)
    outbox_message_id: str | None = None
    created_at: datetime


class StaffAccount(SQLModel, table=True):
    """A member of the office who may use the desk; only the argon2 hash of the password is kept."""

    __tablename__ = "staff_account"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    password_hash: str
    created_at: datetime
    disabled: bool = False


class LoginAttempt(SQLModel, table=True):
    """One try to log in to the desk: failures in a window slow the next tries down."""

    __tablename__ = "login_attempt"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    client: str
    ok: bool
    at: datetime = Field(index=True)


class MailboxState(SQLModel, table=True):
    """Where a mailbox source stopped: UIDVALIDITY and the highest UID handled."""

    __tablename__ = "mailbox_state"
    __table_args__ = (UniqueConstraint("source"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str
    uidvalidity: int | None = None
    last_uid: int = 0
    last_poll_at: datetime | None = None


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


@contextlib.contextmanager
def file_lock(path: Path, wait: float, on_wait: Callable[[], None] | None = None) -> Iterator[bool]:
    """An exclusive flock() on `path` (created if missing), waited for up to `wait` seconds;
    yields whether it is held. The kernel drops it when the descriptor closes, or the
    process dies, so a crash never leaves it stale."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    held = False
                    break
                if on_wait is not None:
                    on_wait()
                    on_wait = None
                time.sleep(0.05)
        yield held
    finally:
        os.close(fd)


def store_lock(engine: Engine, name: str, wait: float,
               on_wait: Callable[[], None] | None = None) -> contextlib.AbstractContextManager[bool]:
    """`file_lock` on <database>.<name> next to a SQLite file: what processes sharing one
    store do one at a time. Other databases lock rows or take advisory locks instead, so
    there it is held at once."""
    path = sqlite_file(engine)
    if path is None:
        return contextlib.nullcontext(True)
    return file_lock(Path(f"{path}.{name}"), wait, on_wait)


@contextlib.contextmanager
def setup_lock(engine: Engine) -> Iterator[None]:
    """On SQLite, processes starting together on a new store set it up (migrations, the
    invitee list) one after the other: DDL there is not transactional, and both would
    find the tables, or the invitee list, missing and create them again. (PostgreSQL
    takes an advisory lock in the same places instead.)"""
    with store_lock(engine, "setup", MIGRATE_WAIT) as held:
        if not held:
            raise StorageError(f"another process has been setting up {sqlite_file(engine)} for {MIGRATE_WAIT:.0f} s")
        yield


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a file-backed SQLite engine; None for PostgreSQL or in-memory."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        return Path(database)
    return None


def storable(value: object) -> object:
    """Text any database accepts (core.mailfacts.clean: NUL and lone surrogates become
    U+FFFD); other values as they are."""
    return clean(value) if isinstance(value, str) else value


def _storable_parameters(params: object) -> object:
    if isinstance(params, dict):
        return {k: storable(v) for k, v in params.items()}
    if isinstance(params, (list, tuple)):
        return type(params)(_storable_parameters(p) if isinstance(p, (dict, list, tuple)) else storable(p)
                            for p in params)
    return params


def _make_storable(conn, cursor, statement, parameters, context, executemany):
    """The one place where text becomes storable: every statement's parameters, however
    they were built (ORM, Core, raw SQL), so one broken header never fails a write."""
    return statement, _storable_parameters(parameters)


def make_engine(url: str) -> Engine:
    """An engine: SQLite in WAL mode, or a server database (PostgreSQL) with a connect timeout.

    A plain postgres:// or postgresql:// URL (the usual DATABASE_URL spelling) uses
    psycopg 3; libpq connections get TCP keepalives, so a dead server or a cut
    connection is noticed instead of hanging, and connections are checked before use.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", _make_storable, retval=True)
        return engine
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            url = "postgresql+psycopg://" + url.removeprefix(plain)
    connect_args: dict[str, object] = {"connect_timeout": 10}
    if url.startswith(("postgresql+psycopg:", "postgresql+psycopg2:")):  # libpq parameters
        connect_args |= {"application_name": "mailbot", "keepalives": 1, "keepalives_idle": 30,
                         "keepalives_interval": 10, "keepalives_count": 3}
    engine = create_engine(url, pool_pre_ping=True, pool_recycle=1800, connect_args=connect_args)
    event.listen(engine, "before_cursor_execute", _make_storable, retval=True)
    return engine


def open_database(url: str) -> Engine:
    """Open the database (SQLite file created if needed) and bring its schema up to date."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError(f"cannot create storage directory {path.parent}: {e.strerror}") from None
    engine = make_engine(url)
    migrate(engine)
    return engine


def migrate(engine: Engine) -> None:
    """Apply the Alembic migrations up to head, all or nothing.

    On SQLite the upgrade runs on its own connection in one explicit transaction
    (pysqlite would otherwise commit each CREATE TABLE on its own, and a kill during
    the first start left a half-made store that no later start could open). A store
    that an older version left half-made is repaired first (`_repair_half_made`).
    """
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    ddl_engine = _transactional_ddl_engine(engine)
    try:
        with setup_lock(engine), ddl_engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # instances starting together migrate one after the other (the lock ends with
                # the transaction); the later ones find the schema at head already
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            else:
                _repair_half_made(conn)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")  # every branch, should two migrations share a parent
    except StorageError:
        raise
    except Exception as e:  # sqlite3 / alembic errors: report, do not trace
        raise StorageError(f"cannot open or migrate the database {engine.url}: {one_line(e)}") from e
    finally:
        if ddl_engine is not engine:
            ddl_engine.dispose()


def one_line(error: BaseException) -> str:
    """A database error as one line: the driver's message without SQLAlchemy's SQL dump."""
    orig = getattr(error, "orig", None)
    message = str(orig if orig is not None else error).strip() or type(error).__name__
    return " ".join(message.splitlines()[0].split())


def _transactional_ddl_engine(engine: Engine) -> Engine:
    """For SQLite, an engine whose transactions really include DDL (SQLAlchemy's
    documented pysqlite recipe: driver autocommit off, BEGIN emitted by us)."""
    if engine.dialect.name != "sqlite":
        return engine
    from sqlalchemy.pool import NullPool

    ddl = create_engine(engine.url, connect_args={"timeout": 10}, poolclass=NullPool)

    def on_connect(dbapi_conn, record) -> None:
        dbapi_conn.isolation_level = None  # the driver no longer opens or commits on its own
        _sqlite_pragmas(dbapi_conn, record)

    event.listen(ddl, "connect", on_connect)
    event.listen(ddl, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return ddl


def _repair_half_made(conn) -> None:
    """A store that older versions left half-made: tables of ours but no schema version.
    Migrations before this version were not atomic on SQLite, so a kill during the first
    start could leave that. Such a store never held data (nothing runs before the
    migrations end), so its empty tables are dropped and built again; one that holds data
    is refused with one line rather than guessed at. Leftover batch-copy tables of an
    interrupted ALTER are dropped too."""
    names = [r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    for name in names:
        if name.startswith("_alembic_tmp_"):
            conn.exec_driver_sql(f'DROP TABLE "{name}"')
    ours = [n for n in names if n in SQLModel.metadata.tables]
    versioned = "alembic_version" in names and conn.exec_driver_sql(
        "SELECT count(*) FROM alembic_version").scalar()
    if versioned or not ours:
        return
    holding = [n for n in ours if conn.exec_driver_sql(f'SELECT 1 FROM "{n}" LIMIT 1').first()]
    if holding:
        raise StorageError(f"database {sqlite_file(conn.engine)} has tables but no schema version, and "
                           f"{', '.join(sorted(holding))} hold data: restore it from a backup")
    log.warning("repairing a half-made store (tables %s without a schema version)", ", ".join(sorted(ours)))
    conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
    for name in ours:
        conn.exec_driver_sql(f'DROP TABLE "{name}"')
    if "alembic_version" in names:
        conn.exec_driver_sql("DROP TABLE alembic_version")
