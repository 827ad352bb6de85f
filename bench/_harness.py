"""Shared plumbing for the benchmarks under bench/: private servers, a bot
installation, realistic replies, IMAP counters and figure printing.

Every benchmark starts its own Dovecot and aiosmtpd (tests/servers.py) in a
fresh /tmp directory, writes a config.toml with [imap] and [smtp] sections
next to a `rules` symlink to the repository's rules/, and drives the real
`mailbot` command (or, where start-up must be excluded, the service
functions in-process). Figures are printed, never asserted: the machine's
load is printed beside them because other test suites may share its cores.

Each benchmark ends with one line ``RESULT {json}`` that bench/summary.py
reads to build its table.
"""

from __future__ import annotations

import contextlib
import email.utils
import imaplib
import json
import os
import random
import shutil
import ssl
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

import servers  # noqa: E402  (tests/servers.py: private Dovecot and SMTP)
from botrun import CORPUS, MAILBOT, NOW, SHIPPED_CONFIG  # noqa: E402, F401  (the tests' installation facts)

PYTHON = REPO / ".venv" / "bin" / "python"
IMAP_PW_ENV = "MAILBOT_BENCH_IMAP_PW"
SMTP_PW_ENV = "MAILBOT_BENCH_SMTP_PW"
CET = timezone(timedelta(hours=1))


# --------------------------------------------------------------------------
# the machine
# --------------------------------------------------------------------------


def load() -> str:
    """The 1-minute load average and the core count, e.g. "load 1.23/2"."""
    one, _five, _fifteen = os.getloadavg()
    return f"load {one:.2f}/{os.cpu_count()}"


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return "unknown"


def result(name: str, **figures) -> None:
    """The machine-readable last line for bench/summary.py."""
    figures.setdefault("load", round(os.getloadavg()[0], 2))
    print("RESULT " + json.dumps({"bench": name, **figures}), flush=True)


# --------------------------------------------------------------------------
# servers and a bot installation
# --------------------------------------------------------------------------


@dataclass
class Servers:
    """A private Dovecot and SMTP sink, and one fresh IMAP account on the Dovecot."""

    workdir: Path
    dovecot: servers.DovecotServer
    smtp: servers.SmtpServer
    user: str
    password: str

    def imap(self, timeout: float = 120.0):
        """A logged-in imapclient.IMAPClient for the account (plain, loopback)."""
        return self.dovecot.connect(self.user, self.password, timeout=timeout)

    def env(self) -> dict[str, str]:
        return {IMAP_PW_ENV: self.password, SMTP_PW_ENV: self.smtp.password}

    def logout_lines(self) -> list[str]:
        """Dovecot's "Logged out in=.. out=.. body_bytes=.." lines for this account."""
        return [line for line in self.dovecot.log_text().splitlines()
                if f"imap({self.user})" in line and "Logged out" in line]


@contextlib.contextmanager
def start_servers() -> Iterator[Servers]:
    """Dovecot + SMTP in a fresh /tmp directory; stopped and removed afterwards."""
    workdir = servers.make_workdir("mbbench-")
    dovecot = smtp = None
    try:
        dovecot = servers.start_dovecot(workdir / "dc")
        smtp = servers.start_smtp(workdir / "smtp")
        user = dovecot.add_user()
        yield Servers(workdir, dovecot, smtp, user, servers.DEFAULT_PASSWORD)
    finally:
        if smtp is not None:
            smtp.stop()
        if dovecot is not None:
            dovecot.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def write_config(directory: Path, srv: Servers, *, max_message_bytes: int | None = None,
                 poll_interval: int | None = None, batch_size: int | None = None) -> Path:
    """The shipped config.toml plus [imap]/[smtp] for `srv`, in `directory` next to a
    `rules` symlink (config.load reads rules/ beside the config file)."""
    directory.mkdir(parents=True, exist_ok=True)
    text = SHIPPED_CONFIG.read_text(encoding="utf-8")
    if max_message_bytes is not None:
        old = "max_message_bytes = 10000000"
        assert old in text, "shipped config no longer has the expected max_message_bytes line"
        text = text.replace(old, f"max_message_bytes = {max_message_bytes}")
    if poll_interval is not None:
        old = "poll_interval = 60"
        assert old in text, "shipped config no longer has the expected poll_interval line"
        text = text.replace(old, f"poll_interval = {poll_interval}")
    imap = {"host": srv.dovecot.host, "port": srv.dovecot.port, "tls": "starttls",
            "ca_file": str(srv.dovecot.ca_file), "user": srv.user, "password_env": IMAP_PW_ENV,
            "folder": "INBOX", "processed_folder": "Verwerkt", "timeout": 120}
    if batch_size is not None:
        imap["batch_size"] = batch_size
    smtp = {"host": srv.smtp.host, "port": srv.smtp.port, "tls": "starttls", "ca_file": str(srv.smtp.ca_file),
            "user": srv.smtp.user, "password_env": SMTP_PW_ENV, "timeout": 60}
    for name, table in (("imap", imap), ("smtp", smtp)):
        text += f"\n[{name}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items())
    rules = directory / "rules"
    if not rules.exists():
        rules.symlink_to(REPO / "rules", target_is_directory=True)
    path = directory / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# `mailbot ARGS` from the package in argv[1], not the editable install (whose import hook
# would win over sys.path)
_FROM_SRC = (
    "import sys\n"
    "src = sys.argv.pop(1)\n"
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in str(getattr(f, '__module__', '')).lower()]\n"
    "sys.path.insert(0, src)\n"
    "import mailbot\n"
    "assert mailbot.__file__.startswith(src), mailbot.__file__\n"
    "sys.argv[0] = 'mailbot'\n"
    "from mailbot.cli import main\n"
    "main()\n"
)


@dataclass
class Installation:
    """A config file and a storage directory for one bot."""

    config: Path
    storage: Path
    env: dict[str, str]

    def args(self, *args: str, now: str | None = NOW) -> list[str]:
        # BENCH_MAILBOT_SRC=DIR runs the mailbot package found in DIR (e.g. a copy of the code
        # before a change) with the same interpreter, for before/after figures
        src = os.environ.get("BENCH_MAILBOT_SRC")
        cmd = [str(PYTHON), "-c", _FROM_SRC, src] if src else [str(MAILBOT)]
        head = cmd + ["--config", str(self.config), "--storage", str(self.storage)]
        return head + (["--now", now] if now else []) + list(args)

    def full_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def popen(self, *args: str, now: str | None = NOW, **kw) -> subprocess.Popen:
        return subprocess.Popen(self.args(*args, now=now), env=self.full_env(), cwd=REPO,
                                stdin=subprocess.DEVNULL, **kw)

    def run(self, *args: str, now: str | None = NOW, timeout: float = 6 * 3600) -> Run:
        """Run `mailbot ARGS`, timing it and reading the child's peak RSS (VmHWM)."""
        started = time.perf_counter()
        proc = self.popen(*args, now=now, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = _communicate_rusage(proc, timeout)
        elapsed = time.perf_counter() - started
        run = Run(args, proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace"),
                  elapsed, getattr(proc, "maxrss_kb", 0), getattr(proc, "tree_rss_kb", 0), getattr(proc, "cpu", {}))
        if run.returncode != 0:
            raise RuntimeError(f"mailbot {' '.join(args)} exited {run.returncode}\n{run.stdout}\n{run.stderr[-3000:]}")
        return run

    def bot(self):
        """The service's Bot, built as the CLI builds it (in this process)."""
        from mailbot import config as config_mod
        from mailbot.service import open_bot

        os.environ.update(self.env)
        return open_bot(config_mod.load(self.config, storage=self.storage))


def _communicate_rusage(proc: subprocess.Popen, timeout: float) -> tuple[bytes, bytes]:
    """communicate(), sampling the child's VmHWM every 10 ms until it exits."""
    import threading

    chunks: dict[str, bytes] = {}

    def drain(name: str, stream) -> None:
        chunks[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s), daemon=True)
               for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    deadline = time.monotonic() + timeout
    hwm = tree = 0
    status_file = Path(f"/proc/{proc.pid}/status")
    children_cpu: dict[int, float] = {}  # reader processes: CPU seconds when last seen
    while True:
        hwm = max(hwm, _vm_hwm(status_file))
        kids = _children(proc.pid)
        tree = max(tree, _vm_rss(proc.pid) + sum(_vm_rss(k) for k in kids))
        for k in kids:
            children_cpu[k] = max(children_cpu.get(k, 0.0), cpu_seconds(k))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.01)
    # wait4 counts the children the bot reaped (its readers) in with the bot itself
    total = usage.ru_utime + usage.ru_stime
    proc.cpu = {"bot": total - sum(children_cpu.values()),  # type: ignore[attr-defined]
                "readers": sum(children_cpu.values())}
    proc.returncode = os.waitstatus_to_exitcode(status)
    # VmHWM, not the child's ru_maxrss: ru_maxrss survives fork + exec, so a child started by a
    # big parent (this harness, after generating 10 MB attachments) reports the parent's size
    proc.maxrss_kb = hwm  # type: ignore[attr-defined]
    proc.tree_rss_kb = max(tree, hwm)  # type: ignore[attr-defined]
    for t in readers:
        t.join()
    return chunks.get("out", b""), chunks.get("err", b"")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    """The child processes of `pid`: /proc/PID/task/*/children where the kernel has it (a
    few small reads, so sampling every 10 ms costs the machine next to nothing), else a
    scan of /proc."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    out: list[int] = []
    try:
        for t in tasks:
            out += [int(x) for x in (t / "children").read_text().split()]
        return out
    except FileNotFoundError:
        if not (tasks[0] / "children").exists() and Path(f"/proc/{pid}").exists():
            return [k for k in _all_pids() if _ppid(k) == pid]
        return out
    except (OSError, ValueError):
        return out


def _all_pids() -> list[int]:
    return [int(d.name) for d in Path("/proc").iterdir() if d.name.isdigit()]


def _stat(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name (the first is the state); [] once gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return []


def _ppid(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[1]) if fields else -1


def cpu_seconds(pid: int, tree: bool = False) -> float:
    """CPU time of `pid`, user + system, including the children it has reaped; with `tree`,
    also that of its live descendants. 0 once it has exited."""
    fields = _stat(pid)
    if not fields:
        return 0.0
    own = sum(int(x) for x in fields[11:15]) / CLOCK_TICKS  # utime stime cutime cstime
    return own + (sum(cpu_seconds(k, True) for k in _children(pid)) if tree else 0.0)


def _vm_rss(pid: int) -> int:
    """The process's resident set (kB) now; 0 once it has exited."""
    return _status_kb(Path(f"/proc/{pid}/status"), "VmRSS:")


def _status_kb(status_file: Path, field: str) -> int:
    try:
        for line in status_file.read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


@dataclass
class CpuMeter:
    """CPU seconds the servers spend while a bot runs: Dovecot (master, its children, and
    those it reaped) and this process (the SMTP sink runs in one of its threads)."""

    srv: Servers

    def __enter__(self) -> CpuMeter:
        self._dovecot = cpu_seconds(self.srv.dovecot.pid, tree=True)
        self._self = sum(os.times()[:2])
        return self

    def __exit__(self, *exc) -> None:
        self.dovecot = cpu_seconds(self.srv.dovecot.pid, tree=True) - self._dovecot
        self.harness = sum(os.times()[:2]) - self._self


def _vm_hwm(status_file: Path) -> int:
    """The process's peak resident set (kB) so far, from /proc/<pid>/status; 0 once it has exited."""
    return _status_kb(status_file, "VmHWM:")


@dataclass
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    maxrss_kb: int = 0
    tree_rss_kb: int = 0  # the bot and its reader processes together, at their peak
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds: "bot" (main process), "readers"


def install(srv: Servers, directory: Path, **config_kw) -> Installation:
    config = write_config(directory / "etc", srv, **config_kw)
    return Installation(config, directory / "storage", srv.env())


# --------------------------------------------------------------------------
# counting what goes over IMAP (in this process)
# --------------------------------------------------------------------------


@dataclass
class ImapCounter:
    """Counts IMAP commands sent and bytes read by every IMAPClient in this process."""

    commands: Counter = field(default_factory=Counter)
    bytes_read: int = 0

    @property
    def total(self) -> int:
        return sum(self.commands.values())

    def reset(self) -> None:
        self.commands.clear()
        self.bytes_read = 0

    @contextlib.contextmanager
    def installed(self) -> Iterator[ImapCounter]:
        """Patch imaplib.IMAP4._command (LOGIN, SELECT, LIST, LOGOUT, ...) and
        IMAPClient._raw_command (SEARCH, FETCH, ...: imapclient writes those
        itself), plus read/readline for the bytes the server sent."""
        from imapclient import IMAPClient

        orig_command = imaplib.IMAP4._command
        orig_raw = IMAPClient._raw_command
        orig_read = imaplib.IMAP4.read
        orig_readline = imaplib.IMAP4.readline
        counter = self

        def _command(self_, name, *args):
            counter.commands[str(name).upper()] += 1
            return orig_command(self_, name, *args)

        def _raw_command(self_, command, args, uid=True):
            name = command.decode() if isinstance(command, bytes) else str(command)
            counter.commands[("UID " if uid and self_.use_uid else "") + name.upper()] += 1
            return orig_raw(self_, command, args, uid)

        def read(self_, size):
            data = orig_read(self_, size)
            counter.bytes_read += len(data)
            return data

        def readline(self_):
            data = orig_readline(self_)
            counter.bytes_read += len(data)
            return data

        imaplib.IMAP4._command = _command  # type: ignore[method-assign]
        IMAPClient._raw_command = _raw_command  # type: ignore[method-assign]
        imaplib.IMAP4.read = read  # type: ignore[method-assign]
        imaplib.IMAP4.readline = readline  # type: ignore[method-assign]
        try:
            yield self
        finally:
            imaplib.IMAP4._command = orig_command  # type: ignore[method-assign]
            IMAPClient._raw_command = orig_raw  # type: ignore[method-assign]
            imaplib.IMAP4.read = orig_read  # type: ignore[method-assign]
            imaplib.IMAP4.readline = orig_readline  # type: ignore[method-assign]


def dovecot_bytes(lines: list[str]) -> dict[str, int]:
    """Sum the in=/out=/hdr_bytes=/body_bytes= fields of Dovecot logout lines."""
    total: Counter = Counter()
    for line in lines:
        for word in line.replace(",", " ").split():
            key, eq, value = word.partition("=")
            if eq and value.isdigit():
                total[key] += int(value)
    return dict(total)


# --------------------------------------------------------------------------
# realistic replies
# --------------------------------------------------------------------------

FIRST = ("Jan", "Anne", "Pieter", "Marieke", "Kees", "Sanne", "Henk", "Ingrid", "Mark", "Linda", "Erik",
         "Fleur", "Bas", "Judith", "Ruud", "Tom", "Monique", "Rob", "Karin", "Wim", "Petra", "Gert",
         "Anouk", "Hans", "Ilse", "Frank", "Yvonne", "Dennis", "Nicole", "Joost", "Lotte", "Maarten")
LAST = ("Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
        "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
        "Smeets", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "van den Heuvel",
        "van der Veen", "van den Broek", "Schouten", "Willems", "Hoekstra", "Koster", "Prins")
ROLES = ("wethouder", "burgemeester", "beleidsadviseur", "gemeentesecretaris", "raadsadviseur")
INVITATION_ID = "<AM4PR07MB1524D3E0B5C1A3F27E6C4D29B95E0@AM4PR07MB1524.eurprd07.prod.outlook.com>"
SUBJECT = "Uitnodiging G32 netwerkdag 30 november"


@dataclass(frozen=True)
class Reply:
    """One generated reply: the bytes and what the bot should send back (if anything)."""

    raw: bytes
    message_id: str
    kind: str  # register | change | decline | secretariat | out-of-office | question
    answered: bool  # a confirmation/acknowledgement is expected
    date: datetime


class _Invitation:
    """The invitation as quoted by replies, taken from corpus case 001 (text and HTML)."""

    def __init__(self) -> None:
        import email as email_mod

        raw = (CORPUS / "001-outlook-full-titles-quoted-invitation" / "1.eml").read_bytes()
        msg = email_mod.message_from_bytes(raw, policy=policy.default)
        text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
        self.outlook_text = text[text.index("Van: G32"):text.index("Dit e-mailbericht")].rstrip() + "\n"
        body = self.outlook_text.split("\n\n", 1)[1]
        self.quoted_text = "".join(f"> {line}".rstrip() + "\n" for line in body.splitlines())
        html = msg.get_body(("html",)).get_content().replace("\r\n", "\n")
        self.html_head = html[:html.index("<body")] + '<body lang="NL" link="#0563C1" vlink="#954F72">\n' \
            '<div class="WordSection1">\n'
        self.html_quote = html[html.index('<div>\n<div style="border:none'):
                               html.index('<p class="MsoNormal"><span style="font-size:7.5pt')] + "</div>\n</body>\n</html>\n"


_INVITATION: _Invitation | None = None


def invitation() -> _Invitation:
    global _INVITATION
    if _INVITATION is None:
        _INVITATION = _Invitation()
    return _INVITATION


def _knowledge():
    """Sessions, member municipalities and invitees from config.toml and rules/."""
    from mailbot import config as config_mod
    from mailbot.config import load_invitees

    cfg = config_mod.load(SHIPPED_CONFIG, storage=Path("/tmp/unused"))
    members = [m for m in cfg.knowledge.municipalities if m.status == "member"]
    invitees = [i for i in load_invitees(REPO / "rules" / "invitees.csv")
                if i.municipality in {m.slug for m in members} and i.email.rpartition("@")[2]
                in {d for m in members for d in m.domains}]
    return cfg.knowledge.event.sessions, members, invitees


def _pick_sessions(rng: random.Random, sessions) -> list:
    """1-3 sessions in different time slots, in programme order."""
    by_slot: dict = {}
    for s in sessions:
        by_slot.setdefault(s.start, []).append(s)
    slots = rng.sample(sorted(by_slot), rng.choice((1, 2, 2, 3)))
    return sorted((rng.choice(by_slot[t]) for t in slots), key=lambda s: s.start)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]


def _pdf(rng: random.Random, size: int) -> bytes:
    """Something shaped like a scanned PDF: a header, then incompressible bytes."""
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(max(0, size - 16))


class ReplyFactory:
    """Deterministic (seeded) replies to the invitation, as mail clients write them.

    The mix: registrations by colleagues at member municipalities (each a new
    address), registrations and later changes by listed invitees, the
    secretariat registering its mayor, declines, out-of-office answers and a
    few questions; Outlook (text + HTML, invitation quoted below a Van:/Aan:
    block), Gmail (text + HTML, "> " quoting) and iPhone (text, "> " quoting)
    styles; `attachment_every`-th registration carries a PDF.
    """

    MIX = (("register", 70), ("change", 8), ("secretariat", 6), ("decline", 8), ("out-of-office", 5),
           ("question", 3))

    def __init__(self, seed: int = 32, *, attachment_every: int = 40, attachment_bytes: int = 150_000) -> None:
        self.rng = random.Random(seed)
        self.sessions, self.members, self.invitees = _knowledge()
        self.attachment_every = attachment_every
        self.attachment_bytes = attachment_bytes
        self.registered: list = []  # invitees who registered: they may send a change
        self.sessions_of: dict[str, frozenset[str]] = {}  # invitee email -> sessions the bot recorded
        self.replies_to: dict[str, int] = {}  # address -> automatic replies it got
        self.made = 0
        self.used_addresses: set[str] = set()
        self.start = datetime(2017, 11, 2, 9, 45, tzinfo=CET)

    # -- people -----------------------------------------------------------

    def _colleague(self) -> tuple[str, str, str, object]:
        """A new person at a member municipality: (name, address, role, municipality)."""
        m = self.rng.choice(self.members)
        while True:
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            local = f"{first[0].lower()}.{last.replace(' ', '').lower()}"
            addr = f"{local}@{m.domains[0]}"
            n = 2
            while addr in self.used_addresses:
                addr = f"{local}{n}@{m.domains[0]}"
                n += 1
            self.used_addresses.add(addr)
            return f"{first} {last}", addr, self.rng.choice(ROLES), m

    def _muni(self, slug: str):
        return next(m for m in self.members if m.slug == slug)

    # -- texts ------------------------------------------------------------

    def _register_text(self, chosen, *, short: bool) -> str:
        names = [s.aliases[0] if short and s.aliases else s.title for s in chosen]
        return self.rng.choice((
            "Graag meld ik mij aan voor de G32 netwerkdag op 30 november in Lelystad. "
            f"Ik neem deel aan de {_join(names)}.",
            f"Hierbij meld ik mij aan voor de netwerkdag. Ik kies voor {_join(names)}.",
            f"Ik kom graag. Zet me maar op {_join(names)}.",
            f"Ik ben er graag bij op 30 november. Ik meld me aan voor {_join(names)}.",
        ))

    def _date(self) -> datetime:
        # spread over two weeks, always before the benchmark's clock (NOW)
        return self.start + timedelta(seconds=self.rng.randrange(0, 13 * 24 * 3600))

    def _answer(self, addr: str) -> bool:
        """The bot answers one address at most max_replies_per_address_per_day (20) times a day;
        every generated reply falls in one day of the benchmark's clock."""
        self.replies_to[addr] = self.replies_to.get(addr, 0) + 1
        return self.replies_to[addr] <= 20

    def _record(self, inv, chosen) -> bool:
        """Track what the bot records for a listed invitee; False when nothing changes
        (the bot then sends no confirmation)."""
        old = self.sessions_of.get(inv.email)
        slots = {s.start for s in chosen}
        by_id = {s.id: s for s in self.sessions}
        new = frozenset(x for x in (old or ()) if by_id[x].start not in slots) | {s.id for s in chosen}
        self.sessions_of[inv.email] = new
        if old is None:
            self.registered.append(inv)
        return new != old

    def make(self, kind: str | None = None, *, date: datetime | None = None, attachment: bytes | None = None) -> Reply:
        """One reply; `kind` None draws from MIX."""
        rng = self.rng
        if kind is None:
            kind = rng.choices([k for k, _ in self.MIX], [w for _, w in self.MIX])[0]
        if kind == "change" and not self.registered:
            kind = "register"
        self.made += 1
        date = date or self._date()
        style = rng.choice(("outlook", "outlook", "gmail", "iphone"))
        extra_headers: dict[str, str] = {}
        answered = True
        subject_prefix = {"outlook": "RE: ", "gmail": "Re: ", "iphone": "Re: "}[style]
        greeting = rng.choice(("Beste organisatie,", "Geachte organisatie,", "Hallo,", "Beste G32,"))
        if kind == "register" or kind == "question":
            if rng.random() < 0.12 and self.invitees:
                inv = rng.choice(self.invitees)
                name, addr, role, muni = inv.name, inv.email, inv.role or "wethouder", self._muni(inv.municipality)
                chosen = _pick_sessions(rng, self.sessions)
                answered = self._record(inv, chosen) if kind == "register" else False
            else:
                name, addr, role, muni = self._colleague()
                chosen = _pick_sessions(rng, self.sessions)
            text = self._register_text(chosen, short=style != "outlook")
            if kind == "question":
                text = rng.choice(("Is er parkeergelegenheid bij het stadhuis?",
                                   "Kan ik iemand meenemen naar de borrel?",
                                   "Wordt de presentatie van de themagroep nagestuurd?"))
                answered = False
        elif kind == "change":
            inv = rng.choice(self.registered)
            name, addr, role, muni = inv.name, inv.email, inv.role or "wethouder", self._muni(inv.municipality)
            have = self.sessions_of.get(inv.email, frozenset())
            s = rng.choice([x for x in self.sessions if x.id not in have] or list(self.sessions))
            answered = self._record(inv, [s])
            text = f"Kleine aanvulling op mijn aanmelding: ik kom ook naar de {s.title}."
        elif kind == "secretariat":
            with_sec = [i for i in self.invitees if i.secretary_email]
            inv = rng.choice(with_sec)
            muni = self._muni(inv.municipality)
            name, addr, role = f"Bestuurssecretariaat {muni.name}", inv.secretary_email, "secretariaat"
            chosen = _pick_sessions(rng, self.sessions)
            text = (f"Namens {inv.role or 'wethouder'} {inv.name} meld ik deze bestuurder aan voor de G32 "
                    f"netwerkdag op 30 november. {inv.name} neemt deel aan de "
                    f"{_join([s.title for s in chosen])}.")
            answered = self._record(inv, chosen)
        elif kind == "decline":
            name, addr, role, muni = self._colleague()
            text = rng.choice((
                "Dank voor de uitnodiging. Helaas ben ik op 30 november verhinderd vanwege een werkbezoek.",
                "Helaas kan ik niet aanwezig zijn op de netwerkdag; ik moet mij afmelden.",
            ))
        elif kind == "out-of-office":
            name, addr, role, muni = self._colleague()
            text = ("Tot en met vrijdag 17 november ben ik afwezig en heb ik beperkt toegang tot mijn e-mail. "
                    "Uw bericht wordt niet doorgestuurd.")
            extra_headers["Auto-Submitted"] = "auto-replied"
            subject_prefix = "Automatisch antwoord: "
            style = "outlook"
            answered = False
        else:
            raise ValueError(kind)
        closing = rng.choice(("Met vriendelijke groet,", "Groet,", "Vriendelijke groet,"))
        signature = f"{name}\n{role}\nGemeente {muni.name}"
        body = f"{greeting}\n\n{text}\n\n{closing}\n\n{signature}\n"
        if attachment is None and kind in ("register", "secretariat") and self.attachment_every \
                and self.made % self.attachment_every == 0:
            attachment = _pdf(rng, self.attachment_bytes)
            body = body.replace(f"\n\n{closing}", f"\n\nIn de bijlage vindt u het ondertekende aanmeldformulier."
                                                   f"\n\n{closing}")
        local = f"{rng.getrandbits(64):016x}.{self.made}"
        domain = addr.rpartition("@")[2]
        msgid = {"outlook": f"<{local}@EXMBX0{rng.randrange(1, 6)}.ad.{domain}>",
                 "gmail": f"<CA{local}@mail.gmail.com>", "iphone": f"<{local.upper()}@{domain}>"}[style]
        if kind == "out-of-office":
            msgid = f"<ooo-{local}@EXMBX01.ad.{domain}>"
        if answered:
            answered = self._answer(addr)
        raw = self._compose(style, name=name, addr=addr, subject=subject_prefix + SUBJECT, body=body, date=date,
                            msgid=msgid, headers=extra_headers, attachment=attachment,
                            quote=kind != "out-of-office")
        return Reply(raw, msgid, kind, answered, date)

    def _compose(self, style: str, *, name: str, addr: str, subject: str, body: str, date: datetime, msgid: str,
                 headers: dict[str, str], attachment: bytes | None, quote: bool) -> bytes:
        inv = invitation()
        domain = addr.rpartition("@")[2]
        msg = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))  # no RFC 2047 on long ids
        msg["Return-Path"] = f"<{addr}>"
        msg["Received"] = (f"from mail.{domain} (mail.{domain} [203.0.113.{self.rng.randrange(2, 250)}]) by "
                           f"mx1.g32.nl (Postfix) with ESMTPS for <info@G32.nl>; "
                           f"{email.utils.format_datetime(date)}")
        msg["Authentication-Results"] = f"mx1.g32.nl; dkim=pass header.d={domain}; spf=pass smtp.mailfrom={domain}"
        msg["From"] = email.utils.formataddr((name, addr))
        msg["To"] = "G32 <info@G32.nl>"
        msg["Subject"] = subject
        msg["Date"] = email.utils.format_datetime(date)
        msg["Message-ID"] = msgid
        if quote:
            msg["In-Reply-To"] = INVITATION_ID
            msg["References"] = INVITATION_ID
        for k, v in headers.items():
            msg[k] = v
        if style == "outlook":
            text = body + ("\n" + inv.outlook_text if quote else "")
            paras = "".join(f'<p class="MsoNormal">{p.replace(chr(10), "<br>")}<o:p></o:p></p>\n'
                            f'<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n' for p in body.split("\n\n"))
            html = inv.html_head + paras + (inv.html_quote if quote else "</div>\n</body>\n</html>\n")
            msg.set_content(text)
            msg.add_alternative(html, subtype="html")
        elif style == "gmail":
            when = "Op do 2 nov. 2017 om 09:30 schreef G32 <info@G32.nl>:"
            text = body + (f"\n{when}\n\n{inv.quoted_text}" if quote else "")
            html = "<div dir=\"ltr\">" + "".join(f"<div>{p}</div><div><br></div>" for p in body.split("\n\n")) + \
                "</div>" + (f"<br><div class=\"gmail_quote\"><div dir=\"ltr\">{when}</div><blockquote "
                            "class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex\">"
                            + inv.quoted_text.replace("> ", "").replace("\n", "<br>\n") + "</blockquote></div>"
                            if quote else "")
            msg.set_content(text)
            msg.add_alternative(html, subtype="html")
        else:
            when = "> Op 2 nov. 2017 om 09:30 heeft G32 <info@G32.nl> het volgende geschreven:\n>\n"
            msg.set_content(body + "\nVerzonden vanaf mijn iPhone\n" + ("\n" + when + inv.quoted_text if quote else ""))
        if attachment is None:
            return msg.as_bytes()
        if len(attachment) < 1_000_000:
            msg.add_attachment(attachment, maintype="application", subtype="pdf", filename="aanmeldformulier.pdf")
            return msg.as_bytes()
        return _with_big_attachment(msg, attachment)


_B64_CACHE: dict[int, bytes] = {}


def _with_big_attachment(msg: EmailMessage, data: bytes) -> bytes:
    """msg as multipart/mixed with `data` as a PDF, base64-encoded once and reused
    (the email package would take seconds per 10 MB message)."""
    import base64

    key = id(data)
    if key not in _B64_CACHE:
        enc = base64.encodebytes(data).replace(b"\n", b"\r\n")
        _B64_CACHE.clear()
        _B64_CACHE[key] = enc
    boundary = f"=_mix_{random.getrandbits(48):012x}"
    head, _, inner_body = msg.as_bytes().partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    outer = [ln for ln in lines if not ln.lower().startswith((b"content-type", b"mime-version",
                                                               b"content-transfer-encoding"))
             and not ln.startswith((b" ", b"\t"))]
    inner_ct = [ln for i, ln in enumerate(lines) if ln.lower().startswith((b"content-type",
                                                                          b"content-transfer-encoding"))
                or (ln.startswith((b" ", b"\t")) and i and lines[i - 1].lower().startswith(b"content-type"))]
    b = boundary.encode()
    return b"\r\n".join(outer) + b"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + b + \
        b"\"\r\n\r\n--" + b + b"\r\n" + b"\r\n".join(inner_ct) + b"\r\n\r\n" + inner_body + b"\r\n--" + b + \
        b"\r\nContent-Type: application/pdf; name=\"bijlage.pdf\"\r\nContent-Transfer-Encoding: base64\r\n" \
        b"Content-Disposition: attachment; filename=\"bijlage.pdf\"\r\n\r\n" + _B64_CACHE[key] + b"\r\n--" + b + b"--\r\n"


def replies(n: int, seed: int = 32, **kw) -> list[Reply]:
    factory = ReplyFactory(seed, **kw)
    return [factory.make() for _ in range(n)]


# --------------------------------------------------------------------------
# filling a mailbox quickly
# --------------------------------------------------------------------------


def fill(srv: Servers, folder: str, raws: Iterable[tuple[bytes, datetime | None]], *,
         chunk_bytes: int = 32_000_000, chunk_count: int = 500) -> int:
    """MULTIAPPEND (RFC 3502) `raws` to `folder` in chunks; returns how many were appended.
    INTERNALDATE is the reply's own date, as a server delivering it then would set it."""
    client = srv.imap()
    appended = 0
    try:
        if folder.upper() != "INBOX" and not client.folder_exists(folder):
            client.create_folder(folder)
        batch: list[dict] = []
        size = 0
        for raw, date in raws:
            batch.append({"msg": raw, "date": date} if date else {"msg": raw})
            size += len(raw)
            if len(batch) >= chunk_count or size >= chunk_bytes:
                client.multiappend(folder, batch)
                appended += len(batch)
                batch, size = [], 0
        if batch:
            client.multiappend(folder, batch)
            appended += len(batch)
    finally:
        with contextlib.suppress(Exception):
            client.logout()
    return appended


def plain_fetch(srv: Servers, folder: str = "INBOX", *, chunk: int = 500) -> tuple[int, int, float]:
    """The ceiling: imapclient alone fetching every message of `folder` the way the
    bot does (UID SEARCH, then RFC822.SIZE and BODY.PEEK[] per chunk of UIDs).
    Returns (messages, bytes, seconds), connection set-up included."""
    started = time.perf_counter()
    client = srv.dovecot.connect(timeout=300, login=False)
    client.starttls(ssl.create_default_context(cafile=str(srv.dovecot.ca_file)))  # as the bot's config
    client.login(srv.user, srv.password)
    count = total = 0
    try:
        client.select_folder(folder, readonly=True)
        uids = sorted(client.search(["UID", "1:*"]))
        for i in range(0, len(uids), chunk):
            part = uids[i:i + chunk]
            client.fetch(part, ["RFC822.SIZE"])
            data = client.fetch(part, ["BODY.PEEK[]", "INTERNALDATE"])
            count += len(data)
            total += sum(len(v[b"BODY[]"]) for v in data.values())
    finally:
        with contextlib.suppress(Exception):
            client.logout()
    return count, total, time.perf_counter() - started


def delivered(srv: Servers, ids: set[str]) -> list:
    """Messages at the SMTP server answering one of `ids` (by In-Reply-To)."""
    import email as email_mod

    out = []
    for m in list(srv.smtp.messages):
        head = m.data.split(b"\r\n\r\n", 1)[0]
        msg = email_mod.message_from_bytes(head + b"\r\n\r\n", policy=policy.default)
        if str(msg.get("In-Reply-To", "")).strip() in ids:
            out.append(m)
    return out


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)
