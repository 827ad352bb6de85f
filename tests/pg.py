"""A private PostgreSQL server on loopback for tests.

Plain helpers plus the bodies of the fixtures (``server_for_tests``,
``database_for_tests``), used by the test modules that need a server
(``import pg``; tests/ is on sys.path, see conftest.py).  The server binaries come from Debian's ``postgresql``
package, installed by scripts/ensure-postgres.sh when missing (needs root).

Notes:

* initdb and postgres refuse to run as root, so as root the cluster is
  created and run as the ``postgres`` user (the package creates it) in a
  fresh directory under /tmp owned by that user; as a normal user everything
  runs as ourselves.
* the server listens on 127.0.0.1 on a port picked by binding port 0, its
  unix socket lives in the work directory, authentication is ``trust`` and
  durability is switched off (fsync, synchronous_commit): test data only.
* every started server is stopped at interpreter exit (atexit) even if a
  fixture finaliser never ran; the work directory is removed on stop.
* one server serves the whole test session; each test gets its own
  database (``create_database``) so tests never see each other's rows.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

HOST = "127.0.0.1"
SUPERUSER = "postgres"
START_TIMEOUT = 30.0
REPO_ROOT = Path(__file__).resolve().parent.parent
ENSURE_POSTGRES = REPO_ROOT / "scripts" / "ensure-postgres.sh"


class PgError(RuntimeError):
    """PostgreSQL could not be installed, started or stopped."""


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/<v>/bin holding initdb and postgres (or PG_BINDIR)."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(os.environ["PG_BINDIR"])
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0,
                         reverse=True)
    for d in candidates:
        if os.access(os.path.join(d, "initdb"), os.X_OK) and os.access(os.path.join(d, "postgres"), os.X_OK):
            return Path(d)
    return None


def ensure_postgres() -> Path:
    """The server's bin directory, installing the package with
    scripts/ensure-postgres.sh if missing.  Raises PgError if it cannot be had."""
    bindir = find_bindir()
    if bindir is not None and (os.geteuid() != 0 or _has_user(SUPERUSER)):
        return bindir
    if os.geteuid() != 0:
        raise PgError("postgresql is not installed and we are not root to install it")
    proc = subprocess.run(["bash", str(ENSURE_POSTGRES)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=900)
    bindir = find_bindir()
    if proc.returncode != 0 or bindir is None:
        raise PgError(f"scripts/ensure-postgres.sh failed (rc={proc.returncode}):\n"
                      f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return bindir


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


_live: list[PgServer] = []
_live_lock = threading.Lock()


def _stop_all() -> None:
    with _live_lock:
        live = list(_live)
    for server in live:
        with contextlib.suppress(Exception):
            server.stop()


atexit.register(_stop_all)


class PgServer:
    """A private PostgreSQL cluster.

    Attributes: ``host``, ``port``, ``workdir``, ``datadir``, ``log_path``,
    ``bindir``.  ``url(db)`` is the SQLAlchemy URL (psycopg 3) of a database.
    """

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or ensure_postgres()
        self.host = HOST
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="mailbot-pg-", dir="/tmp"))
        self.workdir.chmod(0o755)
        self.datadir = self.workdir / "data"
        self.sockdir = self.workdir / "run"
        self.log_path = self.workdir / "postgres.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._counter = itertools.count(1)
        self._lock = threading.RLock()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            pw = pwd.getpwnam(SUPERUSER)
            self._uid, self._gid = pw.pw_uid, pw.pw_gid
        else:
            self._uid, self._gid = os.geteuid(), os.getegid()

    # -- process control ---------------------------------------------------

    def _run_kw(self) -> dict:
        kw: dict = {"cwd": str(self.workdir), "stdin": subprocess.DEVNULL}
        if self._as_root:
            kw.update(user=self._uid, group=self._gid, extra_groups=[])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        env["LANG"] = "C.UTF-8"
        kw["env"] = env
        return kw

    def _initdb(self) -> None:
        self.sockdir.mkdir(exist_ok=True)
        if self._as_root:
            for p in (self.workdir, self.sockdir):
                os.chown(p, self._uid, self._gid)
        proc = subprocess.run(
            [str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", SUPERUSER,
             "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
            capture_output=True, text=True, timeout=120, **self._run_kw())
        if proc.returncode != 0:
            raise PgError(f"initdb failed (rc={proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = START_TIMEOUT) -> PgServer:
        with self._lock:
            if self.running:
                return self
            if not (self.datadir / "PG_VERSION").exists():
                self._initdb()
            log = open(self.log_path, "ab")  # noqa: SIM115 (kept by the child)
            if self._as_root:
                os.chown(self.log_path, self._uid, self._gid)
            self._proc = subprocess.Popen(
                [str(self.bindir / "postgres"), "-D", str(self.datadir),
                 "-c", f"listen_addresses={self.host}", "-c", f"port={self.port}",
                 "-c", f"unix_socket_directories={self.sockdir}",
                 "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                 "-c", "max_connections=200", "-c", "shared_buffers=64MB",
                 "-c", "log_min_messages=warning", "-c", "logging_collector=off"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **self._run_kw())
            log.close()
            with _live_lock:
                if self not in _live:
                    _live.append(self)
            try:
                self._wait_ready(timeout)
            except Exception as exc:
                self.stop(remove=False)
                raise PgError(f"postgres did not start: {exc}\nlog:\n{self.log_text()[-3000:]}") from exc
            return self

    def _wait_ready(self, timeout: float) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise PgError(f"postgres exited with code {self._proc.returncode}")
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                last = exc
                time.sleep(0.1)
        raise PgError(f"not accepting connections within {timeout}s: {last}")

    def stop(self, timeout: float = 15.0, *, remove: bool = True) -> None:
        """Fast shutdown (SIGINT: roll back open transactions, disconnect clients)."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)
            with _live_lock:
                if self in _live:
                    _live.remove(self)
            if remove:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # -- databases ---------------------------------------------------------

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq connection string (for psycopg.connect)."""
        return f"host={self.host} port={self.port} user={SUPERUSER} dbname={dbname}"

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL with the psycopg 3 driver."""
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = name or f"mailbot_{next(self._counter):04d}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --------------------------------------------------------------------------
# fixture bodies: a test module defines its fixtures as
#
#   @pytest.fixture(scope="session")
#   def postgres():
#       yield from pg.server_for_tests()
#
#   @pytest.fixture
#   def pg_url(postgres):
#       yield from pg.database_for_tests(postgres)
# --------------------------------------------------------------------------

_shared: dict[str, PgServer] = {}


def shared_server() -> PgServer:
    """The one server of this test session, started on first use (modules share it)."""
    server = _shared.get("server")
    if server is None or not server.running:
        server = PgServer().start()
        _shared["server"] = server
    return server


def server_for_tests() -> Iterator[PgServer]:
    """Session-wide private PostgreSQL on 127.0.0.1 (superuser postgres, trust auth);
    skips (with the reason) only when it cannot be installed."""
    import pytest

    if find_bindir() is None and os.geteuid() != 0:
        pytest.skip("postgresql is not installed and we are not root to run scripts/ensure-postgres.sh")
    try:
        ensure_postgres()
    except PgError as e:
        pytest.skip(f"postgresql cannot be installed: {e}")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'psycopg[binary]')")
    server = shared_server()
    try:
        yield server
    finally:
        server.stop()
        _shared.pop("server", None)


def database_for_tests(server: PgServer) -> Iterator[str]:
    """A fresh empty database on `server`, dropped afterwards; yields its SQLAlchemy URL."""
    url = server.create_database()
    try:
        yield url
    finally:
        with contextlib.suppress(Exception):
            server.drop_database(url.rsplit("/", 1)[1])
