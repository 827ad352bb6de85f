"""Real mail servers on loopback for tests: a private Dovecot (IMAP) and an
aiosmtpd SMTP sink with STARTTLS + AUTH.

Plain helpers, no pytest imports; ``tests/conftest.py`` wraps them in
fixtures.  Everything listens on 127.0.0.1 on ports picked by binding port 0,
every socket operation has a timeout, and every started server is stopped at
interpreter exit (atexit) even if a fixture finaliser never ran.

Dovecot notes (2.3, Debian 12):

* the master runs as root (or as the current user when not root, see
  ``_identity``); imap-login runs as ``dovenull``, internal services and the
  mail processes as ``dovecot`` (``mail_uid``/``mail_gid``), so the mail tree
  is chowned to ``dovecot`` and every ancestor of ``workdir`` must be
  traversable by that user.  pytest's ``tmp_path`` lives under a 0700
  ``/tmp/pytest-of-root`` and is therefore NOT usable: use ``make_workdir()``.
* unix sockets live in ``workdir/run``; their paths must stay < 108 bytes,
  so keep ``workdir`` short.
* each user has its own passwd-file (``workdir/users/<name>``), read on
  first use, so ``add_user()`` takes effect at once while the server runs
  (a shared file would only be re-stat()ed once per second).
* auth back-off is switched off (``auth_failure_delay = 0`` and no anvil
  penalty), otherwise one failed login slows later logins by 2-15 s.
* the IMAP hierarchy separator is "/" (``start_dovecot(separator=".")``
  for the other common one); folders are maildir++ on disk.
"""

from __future__ import annotations

import atexit
import contextlib
import grp
import itertools
import logging
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_USER = "bot"
DEFAULT_PASSWORD = "secret"
HOST = "127.0.0.1"
SOCKET_TIMEOUT = 10.0
START_TIMEOUT = 20.0

REPO_ROOT = Path(__file__).resolve().parent.parent
ENSURE_DOVECOT = REPO_ROOT / "scripts" / "ensure-dovecot.sh"


class ServerError(RuntimeError):
    """A test server could not be started/stopped."""


# --------------------------------------------------------------------------
# generic helpers
# --------------------------------------------------------------------------

_live_servers: list[DovecotServer | SmtpServer] = []
_live_lock = threading.Lock()


def _register(server: DovecotServer | SmtpServer) -> None:
    with _live_lock:
        if server not in _live_servers:
            _live_servers.append(server)


def _stop_all() -> None:
    with _live_lock:
        servers = list(_live_servers)
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop()


atexit.register(_stop_all)


def free_port(host: str = HOST) -> int:
    """A currently free TCP port on *host* (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def make_workdir(prefix: str = "mailbot-") -> Path:
    """A fresh short directory under /tmp that the dovecot users can enter.

    The caller removes it (``shutil.rmtree``) when done.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


def _wait_for_greeting(
    host: str, port: int, prefix: bytes, timeout: float, *, tls_ca: str | None = None
) -> bytes:
    """Connect until the server greets with *prefix*; return the greeting line."""
    deadline = time.monotonic() + timeout
    last_err: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=2.0) as raw:
                raw.settimeout(2.0)
                sock: socket.socket = raw
                if tls_ca is not None:
                    ctx = ssl.create_default_context(cafile=tls_ca)
                    sock = ctx.wrap_socket(raw, server_hostname=host)
                line = sock.makefile("rb").readline()
                if line.startswith(prefix):
                    return line
                last_err = ServerError(f"unexpected greeting {line!r}")
        except OSError as exc:
            last_err = exc
        time.sleep(0.05)
    raise ServerError(f"{host}:{port} did not greet {prefix!r} within {timeout}s: {last_err}")


def _wait_port_closed(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                pass
        except OSError:
            return
        time.sleep(0.05)
    raise ServerError(f"{host}:{port} still accepts connections after {timeout}s")


@dataclass
class TlsFiles:
    """trustme CA + server certificate for 127.0.0.1/localhost, on disk."""

    ca_file: Path  # CA certificate (PEM) to trust in clients
    cert_file: Path  # server certificate chain (PEM)
    key_file: Path  # server private key (PEM)

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(self.cert_file), str(self.key_file))
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


def make_tls(workdir: Path) -> TlsFiles:
    """Write (or reuse) a trustme CA and a 127.0.0.1/localhost cert in *workdir*."""
    files = TlsFiles(workdir / "ca.pem", workdir / "server-cert.pem", workdir / "server-key.pem")
    if files.ca_file.exists() and files.cert_file.exists() and files.key_file.exists():
        return files
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    workdir.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(files.ca_file))
    cert.cert_chain_pems[0].write_to_path(str(files.cert_file))
    for pem in cert.cert_chain_pems[1:]:
        pem.write_to_path(str(files.cert_file), append=True)
    cert.private_key_pem.write_to_path(str(files.key_file))
    files.ca_file.chmod(0o644)
    files.cert_file.chmod(0o644)
    files.key_file.chmod(0o600)
    return files


# --------------------------------------------------------------------------
# Dovecot
# --------------------------------------------------------------------------


def find_dovecot() -> str | None:
    found = shutil.which("dovecot")
    if found:
        return found
    for candidate in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def ensure_dovecot() -> str:
    """Return the dovecot binary, installing it with scripts/ensure-dovecot.sh
    if missing (needs root).  Raises ServerError if it cannot be had."""
    binary = find_dovecot()
    if binary:
        return binary
    if os.geteuid() != 0:
        raise ServerError("dovecot is not installed and we are not root to install it")
    proc = subprocess.run(
        ["bash", str(ENSURE_DOVECOT)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
    )
    binary = find_dovecot()
    if proc.returncode != 0 or not binary:
        raise ServerError(
            f"scripts/ensure-dovecot.sh failed (rc={proc.returncode}):\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
    return binary


@dataclass(frozen=True)
class _Identity:
    login_user: str
    internal_user: str
    internal_group: str
    mail_user: str
    mail_uid: int
    mail_gid: int


def _identity() -> _Identity:
    """Which users run what.  As root: the Debian package's dovenull/dovecot.
    As a normal user (Dovecot's 'rootless' mode): everything as ourselves."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")  # raises KeyError if the package is broken
        return _Identity("dovenull", "dovecot", "dovecot", "dovecot", mail.pw_uid, mail.pw_gid)
    me = pwd.getpwuid(os.geteuid())
    group = grp.getgrgid(me.pw_gid).gr_name
    return _Identity(me.pw_name, me.pw_name, group, me.pw_name, me.pw_uid, me.pw_gid)


def _check_traversable(path: Path, uid: int, gid: int) -> None:
    """Every ancestor of *path* must be searchable by uid/gid."""
    if uid == os.geteuid():
        return
    for parent in [path, *path.parents]:
        st = parent.stat()
        if st.st_uid == uid:
            ok = st.st_mode & 0o100
        elif st.st_gid == gid:
            ok = st.st_mode & 0o010
        else:
            ok = st.st_mode & 0o001
        if not ok:
            raise ServerError(
                f"{parent} is not traversable by uid {uid} (mode {oct(st.st_mode & 0o777)}); "
                "use tests.servers.make_workdir() for the Dovecot workdir"
            )


def _imapclient():
    from imapclient import IMAPClient

    return IMAPClient


class DovecotServer:
    """A private Dovecot instance.

    Attributes: ``host``, ``port`` (plain IMAP, STARTTLS available),
    ``ssl_port`` (implicit TLS), ``user``/``password`` (default account),
    ``ca_file`` (trust this for TLS), ``workdir``, ``conf_path``,
    ``log_path``, ``users`` (dict user -> password), ``binary``,
    ``separator`` (IMAP hierarchy separator, "/" by default).
    """

    def __init__(self, workdir: Path, *, binary: str | None = None, separator: str = "/") -> None:
        self.workdir = Path(workdir).resolve()
        self.separator = separator
        self.binary = binary or ensure_dovecot()
        self.host = HOST
        self.port = free_port()
        self.ssl_port = free_port()
        while self.ssl_port == self.port:
            self.ssl_port = free_port()
        self.user = DEFAULT_USER
        self.password = DEFAULT_PASSWORD
        self.users: dict[str, str] = {}
        self.conf_path = self.workdir / "dovecot.conf"
        self.log_path = self.workdir / "dovecot.log"
        self.users_dir = self.workdir / "users"
        self.mail_root = self.workdir / "mail"
        self._ident = _identity()
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.RLock()
        self._user_counter = itertools.count(1)
        self._setup()
        self.add_user(self.user, self.password)

    # -- configuration ---------------------------------------------------

    def _setup(self) -> None:
        ident = self._ident
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.workdir.chmod(0o755)
        _check_traversable(self.workdir, ident.mail_uid, ident.mail_gid)
        for sub in ("run", "state"):
            (self.workdir / sub).mkdir(exist_ok=True)
        self.mail_root.mkdir(exist_ok=True)
        self.mail_root.chmod(0o750)
        if os.geteuid() == 0:
            os.chown(self.mail_root, ident.mail_uid, ident.mail_gid)
        tls = make_tls(self.workdir / "tls")
        self.ca_file = tls.ca_file
        self.users_dir.mkdir(exist_ok=True)
        self.users_dir.chmod(0o755)
        base_dir = self.workdir / "run"
        if len(str(base_dir / "login" / "imap-login-xx")) > 100:
            raise ServerError(f"workdir {self.workdir} too long for unix socket paths")
        # chroot() needs root; a rootless Dovecot must not chroot its services
        chroot = "" if os.geteuid() == 0 else "\n  chroot ="
        self.conf_path.write_text(
            f"""# private Dovecot for mailbot tests -- generated by tests/servers.py
protocols = imap
listen = {self.host}
base_dir = {base_dir}
state_dir = {self.workdir / "state"}
instance_name = mailbot-test-{self.port}
log_path = {self.log_path}
info_log_path = {self.log_path}
auth_verbose = yes
login_greeting = mailbot test dovecot ready.

default_login_user = {ident.login_user}
default_internal_user = {ident.internal_user}
default_internal_group = {ident.internal_group}
mail_uid = {ident.mail_user}
mail_gid = {ident.mail_gid}
first_valid_uid = 1
first_valid_gid = 1
mail_home = {self.mail_root}/%u
mail_location = maildir:~/Maildir
mail_fsync = never

ssl = yes
ssl_cert = <{tls.cert_file}
ssl_key = <{tls.key_file}
disable_plaintext_auth = no
auth_mechanisms = plain login
# answer failed logins at once (still flushed on a 0.5 s tick)
auth_failure_delay = 0

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.users_dir}/%u
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.users_dir}/%u
}}

namespace inbox {{
  inbox = yes
  separator = {self.separator}
}}

# No growing back-off (2 s, 4 s, ... 15 s) for logins from an IP that had
# failed logins: a listener with mode 0 is not created, so auth disables
# its penalty tracking.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}{chroot}
}}

service imap-login {{
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {self.host}
    port = {self.ssl_port}
    ssl = yes
  }}{chroot}
}}
"""
        )
        for path in (self.conf_path, self.ca_file):
            path.chmod(0o644)

    def add_user(self, user: str | None = None, password: str = DEFAULT_PASSWORD) -> str:
        """Add an IMAP account (works while running); returns the user name.

        With ``user=None`` a fresh unique name (``u0001``, ...) is chosen.
        """
        with self._lock:
            if user is None:
                while True:
                    user = f"u{next(self._user_counter):04d}"
                    if user not in self.users:
                        break
            if any(c in user + password for c in ":\n\r"):
                raise ValueError("user/password must not contain ':' or newlines")
            if not user or "/" in user or user.startswith("."):
                raise ValueError(f"bad user name {user!r}")
            self.users[user] = password
            # One passwd-file per user: Dovecot re-stat()s a passwd-file at
            # most once per second, so appending to a shared file is not seen
            # by a login in the same second; a new file is read on first use.
            path = self.users_dir / user
            tmp = path.with_name(f".{user}.tmp")
            tmp.write_text(f"{user}:{{PLAIN}}{password}::::::\n")
            tmp.chmod(0o644)
            os.replace(tmp, path)
        return user

    # -- process control ---------------------------------------------------

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = START_TIMEOUT) -> DovecotServer:
        """Start (or restart after ``stop()``) on the same ports."""
        with self._lock:
            if self.running:
                return self
            log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            self._proc = subprocess.Popen(
                [self.binary, "-c", str(self.conf_path), "-F"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            _register(self)
            try:
                self._wait_ready(timeout)
            except Exception as exc:
                stderr = self._kill()
                log = ""
                if self.log_path.exists():
                    with self.log_path.open("rb") as fh:
                        fh.seek(log_offset)
                        log = fh.read().decode(errors="replace")[-3000:]
                raise ServerError(
                    f"dovecot failed to start: {exc}\nstderr: {stderr}\nlog:\n{log}"
                ) from exc
            return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self._proc is not None and self._proc.poll() is not None:
                raise ServerError(f"dovecot exited with code {self._proc.returncode}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServerError(f"dovecot not ready within {timeout}s")
            try:
                _wait_for_greeting(self.host, self.port, b"* OK", min(remaining, 0.5))
                _wait_for_greeting(
                    self.host,
                    self.ssl_port,
                    b"* OK",
                    max(deadline - time.monotonic(), 0.5),
                    tls_ca=str(self.ca_file),
                )
                return
            except ServerError:
                continue

    def _kill(self) -> str:
        proc, self._proc = self._proc, None
        if proc is None:
            return ""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        try:
            _, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            err = b""
        return (err or b"").decode(errors="replace")

    def stop(self, timeout: float = 10.0, *, graceful: bool = True) -> None:
        """Stop the master and all its children; the ports are free afterwards.

        Graceful (SIGTERM) takes ~1 s: the master waits for its children.
        ``graceful=False`` SIGKILLs the whole process group at once, like a
        crash (mail already written stays: maildir delivery is atomic).
        """
        with self._lock:
            proc = self._proc
            if proc is None:
                return
            if proc.poll() is None:
                if graceful:
                    proc.terminate()  # master stops children (shutdown_clients=yes)
                    try:
                        proc.wait(timeout=timeout)
                    except subprocess.TimeoutExpired:
                        pass
                if proc.poll() is None:
                    # master still there, so its process group id is still ours
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.communicate(timeout=5)
            self._proc = None
            _wait_port_closed(self.host, self.port, timeout)
            _wait_port_closed(self.host, self.ssl_port, timeout)

    def restart(self) -> DovecotServer:
        self.stop()
        return self.start()

    def ensure_running(self) -> DovecotServer:
        return self.start()

    def new_mailbox(self, password: str = DEFAULT_PASSWORD) -> ImapMailbox:
        """A fresh, uniquely named account (empty INBOX) as an ImapMailbox."""
        return ImapMailbox(self, self.add_user(password=password), password)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- IMAP helpers ------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The master process; Dovecot's other processes are its children."""
        return self._proc.pid if self._proc is not None else None

    def connect(
        self,
        user: str | None = None,
        password: str | None = None,
        *,
        tls: bool = False,
        login: bool = True,
        timeout: float = SOCKET_TIMEOUT,
    ):
        """An ``imapclient.IMAPClient`` (logged in unless ``login=False``).

        ``tls=True`` uses the implicit-TLS port verified against ``ca_file``.
        """
        IMAPClient = _imapclient()
        if tls:
            client = IMAPClient(
                self.host,
                port=self.ssl_port,
                ssl=True,
                ssl_context=ssl.create_default_context(cafile=str(self.ca_file)),
                timeout=timeout,
            )
        else:
            client = IMAPClient(self.host, port=self.port, ssl=False, timeout=timeout)
        if login:
            user = user or self.user
            client.login(user, password if password is not None else self.users[user])
        return client

    @contextlib.contextmanager
    def session(self, user: str | None = None) -> Iterator:
        client = self.connect(user)
        try:
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def append(
        self,
        folder: str,
        raw: bytes,
        *,
        user: str | None = None,
        flags: Iterable[bytes | str] = (),
        create: bool = True,
    ) -> int | None:
        """APPEND *raw* to *folder*; returns the new UID (APPENDUID) if known."""
        with self.session(user) as client:
            if create and folder.upper() != "INBOX" and not client.folder_exists(folder):
                client.create_folder(folder)
            resp = client.append(folder, raw, flags=tuple(flags))
        # b'[APPENDUID <validity> <uid>] Append completed.'
        if isinstance(resp, bytes) and resp.startswith(b"[APPENDUID"):
            with contextlib.suppress(ValueError, IndexError):
                return int(resp.split(b"]")[0].split()[2])
        return None

    def list_folder(self, folder: str = "INBOX", *, user: str | None = None) -> list[bytes]:
        """Raw RFC822 bytes of every message in *folder*, in UID order."""
        with self.session(user) as client:
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search("ALL"))
            if not uids:
                return []
            data = client.fetch(uids, ["BODY.PEEK[]"])
            return [data[uid][b"BODY[]"] for uid in uids]

    def create_folder(self, name: str, *, user: str | None = None) -> None:
        with self.session(user) as client:
            if not client.folder_exists(name):
                client.create_folder(name)

    def list_folders(self, *, user: str | None = None) -> list[str]:
        with self.session(user) as client:
            return [name for _flags, _delim, name in client.list_folders()]

    def clear(self, *, user: str | None = None) -> None:
        """Empty INBOX and delete every other folder of *user*."""
        with self.session(user) as client:
            folders = [name for _f, _d, name in client.list_folders()]
            for name in sorted(folders, key=len, reverse=True):
                if name.upper() != "INBOX":
                    with contextlib.suppress(Exception):
                        client.delete_folder(name)
            client.select_folder("INBOX")
            uids = client.search("ALL")
            if uids:
                client.delete_messages(uids)
                client.expunge()
            client.close_folder()


@dataclass
class ImapMailbox:
    """A fresh, empty IMAP account on the session Dovecot, for one test."""

    server: DovecotServer
    user: str
    password: str

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def ssl_port(self) -> int:
        return self.server.ssl_port

    @property
    def ca_file(self) -> Path:
        return self.server.ca_file

    def connect(self, *, tls: bool = False, login: bool = True):
        return self.server.connect(self.user, self.password, tls=tls, login=login)

    def append(self, folder: str, raw: bytes, **kw) -> int | None:
        return self.server.append(folder, raw, user=self.user, **kw)

    def list_folder(self, folder: str = "INBOX") -> list[bytes]:
        return self.server.list_folder(folder, user=self.user)

    def create_folder(self, name: str) -> None:
        self.server.create_folder(name, user=self.user)

    def list_folders(self) -> list[str]:
        return self.server.list_folders(user=self.user)

    def clear(self) -> None:
        self.server.clear(user=self.user)


def start_dovecot(
    workdir: Path, *, binary: str | None = None, separator: str = "/"
) -> DovecotServer:
    """Configure a private Dovecot in *workdir* (see ``make_workdir``) and start it.

    *separator* is the IMAP hierarchy separator ("/" by default; "." is the
    other common one, e.g. Courier or Dovecot's own default).
    """
    return DovecotServer(workdir, binary=binary, separator=separator).start()


# --------------------------------------------------------------------------
# SMTP (aiosmtpd)
# --------------------------------------------------------------------------


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes  # raw message bytes as received after DATA
    auth_user: str | None = None
    peer: object = None
    mail_options: list[str] = field(default_factory=list)
    rcpt_options: list[str] = field(default_factory=list)
    received_at: float = field(default_factory=time.time)

    @property
    def message(self):
        import email
        import email.policy

        return email.message_from_bytes(self.data, policy=email.policy.default)


_STAGES = ("mail", "rcpt", "data")
_DEFAULT_TEXT = {
    421: "Service not available, closing transmission channel",
    450: "Mailbox unavailable, try again later",
    451: "Local error in processing, try again later",
    452: "Insufficient system storage",
    550: "Mailbox unavailable",
    551: "User not local",
    552: "Exceeded storage allocation",
    553: "Mailbox name not allowed",
    554: "Transaction failed",
}


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    def _maybe_fail(self, stage: str) -> str | None:
        return self.server._take_failure(stage)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        failure = self._maybe_fail("mail")
        if failure:
            return failure
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        failure = self._maybe_fail("rcpt")
        if failure:
            return failure
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        failure = self._maybe_fail("data")
        if failure:
            return failure
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        auth = getattr(session, "auth_data", None)
        login = getattr(auth, "login", None)
        if isinstance(login, bytes):
            login = login.decode(errors="replace")
        self.server._store(
            ReceivedMessage(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                data=bytes(data),
                auth_user=login,
                peer=session.peer,
                mail_options=list(envelope.mail_options),
                rcpt_options=list(envelope.rcpt_options),
            )
        )
        return "250 Message accepted for delivery"


class _DropLoginDataWarning(logging.Filter):
    # aiosmtpd 1.4 itself sets the deprecated Session.login_data on every
    # successful AUTH and logs a warning about it; that is noise for us.
    def filter(self, record: logging.LogRecord) -> bool:
        return "login_data is deprecated" not in record.getMessage()


_aiosmtpd_log = logging.getLogger("mail.log")
if not any(isinstance(f, _DropLoginDataWarning) for f in _aiosmtpd_log.filters):
    _aiosmtpd_log.addFilter(_DropLoginDataWarning())


class SmtpServer:
    """aiosmtpd on 127.0.0.1 with STARTTLS (required) and AUTH PLAIN/LOGIN
    (required, only after STARTTLS).

    Attributes: ``host``, ``port``, ``user``, ``password``, ``ca_file``,
    ``messages`` (list of ReceivedMessage, appended under a lock),
    ``auth_failures`` (count of rejected logins).
    Failure injection: ``fail_next(code, n, stage)``, ``fail_with(code, stage)``,
    ``reset_failures()``; ``stage`` is "mail", "rcpt" or "data".
    """

    def __init__(
        self, workdir: Path, *, user: str = DEFAULT_USER, password: str = DEFAULT_PASSWORD
    ):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host = HOST
        self.port = free_port()
        self.user = user
        self.password = password
        self.tls = make_tls(self.workdir / "tls")
        self.ca_file = self.tls.ca_file
        self.messages: list[ReceivedMessage] = []
        self.auth_failures = 0
        self._cond = threading.Condition()
        self._fail_once: dict[str, list[tuple[int, str]]] = {s: [] for s in _STAGES}
        self._fail_always: dict[str, tuple[int, str] | None] = {s: None for s in _STAGES}
        self._controller: Any = None  # aiosmtpd Controller while running

    # -- failure injection ---------------------------------------------------

    @staticmethod
    def _reply(code: int, message: str | None) -> tuple[int, str]:
        return code, message or _DEFAULT_TEXT.get(code, "Requested action not taken")

    def fail_next(
        self, code: int = 550, n: int = 1, stage: str = "data", message: str | None = None
    ) -> None:
        """Answer the next *n* commands of *stage* ("mail"/"rcpt"/"data") with *code*."""
        if stage not in _STAGES:
            raise ValueError(f"stage must be one of {_STAGES}")
        with self._cond:
            self._fail_once[stage].extend([self._reply(code, message)] * n)

    def fail_with(self, code: int = 451, stage: str = "data", message: str | None = None) -> None:
        """Answer every *stage* command with *code* until ``reset_failures()``."""
        if stage not in _STAGES:
            raise ValueError(f"stage must be one of {_STAGES}")
        with self._cond:
            self._fail_always[stage] = self._reply(code, message)

    def reset_failures(self) -> None:
        with self._cond:
            for stage in _STAGES:
                self._fail_once[stage].clear()
                self._fail_always[stage] = None

    def _take_failure(self, stage: str) -> str | None:
        with self._cond:
            if self._fail_once[stage]:
                code, text = self._fail_once[stage].pop(0)
            elif (always := self._fail_always[stage]) is not None:
                code, text = always
            else:
                return None
        return f"{code} {text}"

    # -- received mail -----------------------------------------------------

    def _store(self, msg: ReceivedMessage) -> None:
        with self._cond:
            self.messages.append(msg)
            self._cond.notify_all()

    def wait_for_messages(self, count: int = 1, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Block until at least *count* messages arrived; returns a snapshot."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.messages) >= count, timeout):
                raise TimeoutError(
                    f"expected {count} messages, got {len(self.messages)} in {timeout}s"
                )
            return list(self.messages)

    def clear(self) -> None:
        with self._cond:
            self.messages.clear()
            self.auth_failures = 0

    def reset(self) -> None:
        """Forget messages and failure modes (the server keeps running)."""
        self.clear()
        self.reset_failures()

    # -- auth --------------------------------------------------------------

    def _authenticator(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode(errors="replace")
            password = auth_data.password.decode(errors="replace")
            if login == self.user and password == self.password:
                return AuthResult(success=True, auth_data=auth_data)
        with self._cond:
            self.auth_failures += 1
        return AuthResult(success=False, handled=False)

    # -- process control ---------------------------------------------------

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self, timeout: float = START_TIMEOUT) -> SmtpServer:
        """Start (or restart after ``stop()``) on the same port."""
        from aiosmtpd.controller import Controller

        if self._controller is not None:
            return self
        controller = Controller(
            _Handler(self),
            hostname=self.host,
            port=self.port,
            ready_timeout=timeout,
            server_hostname="localhost",
            # the rest goes to aiosmtpd.smtp.SMTP
            tls_context=self.tls.server_context(),
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self._authenticator,
            decode_data=False,
            enable_SMTPUTF8=True,
            timeout=30,
        )
        controller.start()
        self._controller = controller
        _register(self)
        _wait_for_greeting(self.host, self.port, b"220", timeout)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        controller, self._controller = self._controller, None
        if controller is None:
            return
        controller.stop()
        _wait_port_closed(self.host, self.port, timeout)

    def restart(self) -> SmtpServer:
        self.stop()
        return self.start()

    def ensure_running(self) -> SmtpServer:
        return self.start()

    def client_context(self) -> ssl.SSLContext:
        return self.tls.client_context()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_smtp(
    workdir: Path, *, user: str = DEFAULT_USER, password: str = DEFAULT_PASSWORD
) -> SmtpServer:
    """Start an aiosmtpd sink (STARTTLS + AUTH required) with certs in *workdir*."""
    return SmtpServer(workdir, user=user, password=password).start()
