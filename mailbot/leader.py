"""Which of several `mailbot run` instances polls the mailbox: one leader at a time.

Instances that share one database (PostgreSQL) and one mailbox elect a
leader; only the leader polls, sends and runs the scheduled jobs, the others
wait and take over when it goes away. Leadership is a lock that the database
server (or the kernel) releases by itself when its holder dies, so there is no
lease to expire and no clock to trust:

* PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) held on a
  dedicated connection, outside any transaction. When the leader process
  dies its connection closes and the server drops the lock at once; a
  follower retries every RETRY_SECONDS and takes over on its next try. When
  the leader's *host* dies or is cut off, no FIN arrives: the connection sets
  the server's TCP keepalive and user timeout for its own session, so the
  server ends that backend (and releases the lock) within about
  SERVER_DEAD_PEER_SECONDS. The leader checks its connection every
  HEARTBEAT_SECONDS and stops acting as leader as soon as a check fails or
  has not succeeded for STALE_SECONDS.
* SQLite (one machine): an exclusive flock() on "<database>.leader" next to
  the database file, released by the kernel when the process exits.
* Anything else (in-memory SQLite): always the leader.

Leadership avoids wasted and competing work; it is not what keeps a message
from being handled twice or a mail from being sent twice. That is the
database's job: a unique Message-ID per inbound message, a unique (job, slot)
per scheduled run, and outbox rows locked (FOR UPDATE SKIP LOCKED) while they
are being sent. So a short overlap of two leaders (a partitioned leader that
has not noticed yet) is harmless.

The lock connection must reach PostgreSQL directly or through a pooler in
*session* mode: in transaction pooling mode session-level advisory locks do
not work.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from mailbot import db

log = logging.getLogger("mailbot")

LOCK_NAME = "mailbot.poller"
RETRY_SECONDS = 1.0  # a follower tries to take the lock this often
HEARTBEAT_SECONDS = 1.0  # the leader checks its lock connection this often
STALE_SECONDS = 5.0  # no successful check for this long: stop acting as leader
# server side, per lock session: dead peer detected after idle + interval * count (keepalive)
# or after unacknowledged data for tcp_user_timeout
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT, USER_TIMEOUT_MS = 5, 2, 3, 10_000
SERVER_DEAD_PEER_SECONDS = KEEPALIVE_IDLE + KEEPALIVE_INTERVAL * KEEPALIVE_COUNT  # 11 s

OnChange = Callable[[bool], None]


def lock_key(name: str = LOCK_NAME) -> int:
    """A stable signed 64-bit advisory lock key for `name`."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Leadership:
    """The single-instance case: always the leader. Subclasses elect one."""

    kind = "single"

    def __init__(self, on_change: OnChange | None = None) -> None:
        self.on_change = on_change

    def start(self) -> Leadership:
        if self.on_change is not None:
            self.on_change(True)
        return self

    def stop(self) -> None:
        pass

    def is_leader(self) -> bool:
        return True

    def describe(self) -> str:
        return "single instance"


class _Elector(Leadership):
    """A background thread that takes the lock when it can and checks it while held."""

    def __init__(self, on_change: OnChange | None = None, *, retry: float = RETRY_SECONDS,
                 heartbeat: float = HEARTBEAT_SECONDS, stale: float = STALE_SECONDS) -> None:
        super().__init__(on_change)
        self.retry, self.heartbeat, self.stale = retry, heartbeat, stale
        self._held = False
        self._last_ok = 0.0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.acquired_at: float | None = None  # time.monotonic() of the last takeover

    # -- to implement ------------------------------------------------------
    def _try(self) -> bool:  # take the lock if free; True when held now
        raise NotImplementedError

    def _check(self) -> bool:  # True while the lock is still ours
        raise NotImplementedError

    def _release(self) -> None:  # give the lock up (and close what holds it)
        raise NotImplementedError

    # -- the loop ----------------------------------------------------------
    def start(self) -> _Elector:
        self._step()  # decide at once, so a lone instance polls without waiting
        self._thread = threading.Thread(target=self._run, name="leader", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop electing and give up the lock, so another instance takes over at once."""
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.retry + self.heartbeat + 5)
        with self._lock:
            was = self._held
            self._held = False
            try:
                self._release()
            except Exception as e:  # noqa: BLE001 (closing a dead connection)
                log.debug("releasing leadership: %s", e)
        if was:
            log.info("leadership released (%s)", self.describe())

    def is_leader(self) -> bool:
        return self._held and time.monotonic() - self._last_ok < self.stale

    def _run(self) -> None:
        while not self._stopping.wait(self.heartbeat if self._held else self.retry):
            self._step()

    def _step(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            if self._held:
                try:
                    ok = self._check()
                except Exception as e:  # noqa: BLE001 (any failure means: not sure, so not leader)
                    ok = False
                    log.warning("leadership check failed: %s", str(e).splitlines()[0] if str(e) else type(e).__name__)
                if ok:
                    self._last_ok = time.monotonic()
                    return
                self._held = False
                try:
                    self._release()
                except Exception:  # noqa: BLE001
                    pass
                changed, now_leader = True, False
            else:
                try:
                    got = self._try()
                except Exception as e:  # noqa: BLE001 (database down: try again later)
                    got = False
                    log.debug("cannot try for leadership: %s", e)
                    try:
                        self._release()
                    except Exception:  # noqa: BLE001
                        pass
                if not got:
                    return
                self._held, self._last_ok = True, time.monotonic()
                self.acquired_at = self._last_ok
                changed, now_leader = True, True
        if changed:
            if now_leader:
                log.info("leader now (%s)", self.describe())
            else:
                log.warning("leadership lost (%s)", self.describe())
            if self.on_change is not None:
                try:
                    self.on_change(now_leader)
                except Exception:  # noqa: BLE001
                    log.exception("leadership callback failed")


class PgAdvisoryLock(_Elector):
    """A PostgreSQL session-level advisory lock on a dedicated connection."""

    kind = "advisory-lock"

    def __init__(self, engine: Engine, on_change: OnChange | None = None, *, name: str = LOCK_NAME,
                 **kw: float) -> None:
        super().__init__(on_change, **kw)
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.key = lock_key(name)
        self.name = instance_name()
        options = " ".join([
            f"-c tcp_keepalives_idle={KEEPALIVE_IDLE}", f"-c tcp_keepalives_interval={KEEPALIVE_INTERVAL}",
            f"-c tcp_keepalives_count={KEEPALIVE_COUNT}", f"-c tcp_user_timeout={USER_TIMEOUT_MS}",
            "-c statement_timeout=5000", "-c lock_timeout=5000",
        ])
        connect_args: dict[str, object] = {}
        if engine.dialect.driver in ("psycopg", "psycopg2"):  # libpq connection parameters
            connect_args = {
                "connect_timeout": 5, "application_name": f"mailbot-leader {self.name}"[:63],
                "options": options,
                # the client side too: notice a dead server instead of hanging in a check
                "keepalives": 1, "keepalives_idle": KEEPALIVE_IDLE, "keepalives_interval": KEEPALIVE_INTERVAL,
                "keepalives_count": KEEPALIVE_COUNT, "tcp_user_timeout": USER_TIMEOUT_MS,
            }
        self._engine = create_engine(engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                                     connect_args=connect_args)
        self._conn: Connection | None = None

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self._engine.connect()
        return self._conn

    def _try(self) -> bool:
        conn = self._connection()
        return bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())

    def _check(self) -> bool:
        # the lock lives as long as this session: a round trip proves the session is alive
        conn = self._conn
        if conn is None or conn.closed or conn.invalidated:
            return False
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            " AND granted AND ((classid::bigint << 32) | objid::bigint) = (:k)::bigint"), {"k": self.key}).scalar())

    def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if not conn.closed and not conn.invalidated:
                conn.execute(text("SELECT pg_advisory_unlock_all()"))
        finally:
            conn.close()

    def describe(self) -> str:
        return f"PostgreSQL advisory lock {self.key} held by {self.name}"


def current_leader(engine: Engine) -> str | None:
    """Who holds the poller lock now (application_name of its session), or None; PostgreSQL only."""
    if engine.dialect.name != "postgresql":
        return None
    key = lock_key()
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted"
            " AND ((l.classid::bigint << 32) | l.objid::bigint) = (:k)::bigint"), {"k": key}).scalar()


def holder(engine: Engine) -> str | None:
    """The instance that polls now (host:pid), read from its lock; None when none leads."""
    if engine.dialect.name == "postgresql":
        name = current_leader(engine)
        return name.removeprefix("mailbot-leader ") if name else None
    path = _lock_file(engine)
    return _file_holder(path) if path is not None else None


def _lock_file(engine: Engine) -> Path | None:
    """The poller lock next to a SQLite database (None on other databases)."""
    database = db.sqlite_file(engine)
    return Path(f"{database}.leader") if database is not None else None


def _file_holder(path: Path) -> str | None:
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # held: the holder wrote its name into the file
            return os.read(fd, 200).decode(errors="replace").strip() or "another process"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class FileLock(_Elector):
    """An exclusive flock() on a file next to the SQLite database (one machine)."""

    kind = "file-lock"

    def __init__(self, path: Path, on_change: OnChange | None = None, **kw: float) -> None:
        super().__init__(on_change, **kw)
        self.path = path
        self._fd: int | None = None

    def _try(self) -> bool:
        import fcntl

        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{instance_name()}\n".encode())
        return True

    def _check(self) -> bool:
        return self._fd is not None

    def _release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the flock

    def describe(self) -> str:
        return f"file lock {self.path} held by {instance_name()}"


def for_engine(engine: Engine, on_change: OnChange | None = None, **kw: float) -> Leadership:
    """The leadership that fits the database: advisory lock, file lock, or always leader."""
    if engine.dialect.name == "postgresql":
        return PgAdvisoryLock(engine, on_change, **kw)
    path = _lock_file(engine)
    if path is not None:
        return FileLock(path, on_change, **kw)
    return Leadership(on_change)
