"""Helpers for the fault-injection and hostile-input tests (tests/test_faults.py,
tests/test_hostile.py): realistic generated registrations, malformed mail,
bulk APPEND, a long-running `mailbot run` in a subprocess, and read-outs of
what reached the SMTP server and the database.

Config and CLI plumbing come from tests/botrun.py; this module only adds
what the fault tests need on top of it.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import email.message
import email.utils
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import SMTP as SMTP_POLICY
from email.policy import compat32
from pathlib import Path
from typing import Any

import botrun

REPO = botrun.REPO
INVITEES = REPO / "rules" / "invitees.csv"
INVITATION_ID = "<AM4PR07MB1524D3E0B5C1A3F27E6C4D29B95E0@AM4PR07MB1524.eurprd07.prod.outlook.com>"

# How people name the sessions, by time slot: (session id, words in the mail).
# A registration names at most one per slot, so it is never a clash.
SLOTS: list[list[tuple[str, str]]] = [
    [("wal-en-schip", "Mensen tussen wal en schip"), ("jeugd-onderwijs-arbeidsmarkt", "de sessie met Ton Heerts"),
     ("jeugd-onderwijs-arbeidsmarkt", "jeugd en onderwijs")],
    [("financien", "Financiën"), ("ondernemerschap", "de themagroep Ondernemerschap"),
     ("statushouders", "Statushouders"), ("wonen-welzijn-zorg", "wonen, welzijn en zorg")],
    [("regionale-samenwerking", "Regionale samenwerking")],
    [("veiligheid", "Veiligheid"), ("sociale-pijler", "de Sociale Pijler"), ("fysieke-pijler", "de Fysieke Pijler")],
    [("algemeen-bestuur", "het Algemeen Bestuur")],
    [("netwerkborrel", "de netwerkborrel")],
]
OPENINGS = ["Beste organisatie,", "Geachte heer, mevrouw,", "Hallo,", "Goedemiddag,", "Beste G32,"]
CLOSINGS = ["Met vriendelijke groet,", "Groet,", "Hartelijke groet,", "Vriendelijke groeten,"]
DECLINES = [
    "Helaas ben ik op 30 november verhinderd.",
    "Ik kan helaas niet komen op 30 november vanwege een andere verplichting.",
]


@dataclass(frozen=True)
class Invitee:
    name: str
    role: str
    municipality: str
    email: str
    secretary: str


def invitees() -> list[Invitee]:
    with INVITEES.open(encoding="utf-8") as fh:
        return [Invitee(r["name"], r["role"], r["municipality"], r["email"], r["secretary_email"])
                for r in csv.DictReader(fh)]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def registration(rng: random.Random, person: Invitee, n: int, *, sent: datetime,
                 sessions: set[str] | None = None, decline: bool = False) -> tuple[bytes, set[str] | None]:
    """One plausible reply to the invitation from `person` (an invitee) and the
    sessions it leaves them registered for (None: declined).

    `sessions` is what the person is registered for so far (None: nothing yet);
    a registration always names at least one session they do not have yet, so
    every generated mail changes something and is answered. The Message-ID is
    unique per `n`."""
    msg = EmailMessage()
    msg["From"] = email.utils.formataddr((person.name, person.email))
    msg["To"] = "G32 <info@G32.nl>"
    msg["Subject"] = rng.choice(["RE: Uitnodiging G32 netwerkdag 30 november",
                                 "Re: Uitnodiging G32 netwerkdag 30 november",
                                 "Aanmelding G32 netwerkdag"])
    msg["Date"] = email.utils.format_datetime(sent)
    msg["Message-ID"] = f"<gen{n:05d}.{rng.getrandbits(40):x}@mail.{person.email.split('@')[1]}>"
    msg["In-Reply-To"] = INVITATION_ID
    msg["References"] = INVITATION_ID
    have = sessions or set()
    if decline:
        body, after = rng.choice(DECLINES), None
    else:
        while True:
            picked = [rng.choice(slot) for slot in rng.sample(SLOTS, rng.randint(1, 4))]
            if any(sid not in have for sid, _ in picked):
                break
        chosen = {sid for sid, _ in picked}
        slot_of = {sid: i for i, slot in enumerate(SLOTS) for sid, _ in slot}
        after = {s for s in have if slot_of[s] not in {slot_of[c] for c in chosen}} | chosen
        names = [words for _, words in picked]
        body = rng.choice([
            f"Graag meld ik mij aan voor de G32 netwerkdag. Ik neem deel aan {_join(names)}.",
            f"Ik kom graag. Zet me maar op {_join(names)}.",
            f"Hierbij meld ik me aan voor {_join(names)}.",
        ])
    msg.set_content(f"{rng.choice(OPENINGS)}\n\n{body}\n\n{rng.choice(CLOSINGS)}\n\n{person.name}\n"
                    f"{person.role} gemeente {person.municipality.title()}\n")
    return msg.as_bytes(policy=SMTP_POLICY), after


def registrations(count: int, *, seed: int, start: datetime | None = None) -> list[bytes]:
    """`count` replies from randomly chosen invitees, in sending order: mostly
    registrations and changes, now and then a decline (never a second one in a
    row for the same person), so that every one of them deserves an answer."""
    return registrations_and_outcome(count, seed=seed, start=start)[0]


def registrations_and_outcome(count: int, *, seed: int, start: datetime | None = None
                              ) -> tuple[list[bytes], dict[str, tuple[str, ...] | None]]:
    """registrations(), and per invitee address the sessions they end up with (None: declined)."""
    rng = random.Random(seed)
    people = invitees()
    state: dict[str, set[str] | None] = {}
    when = start or datetime.fromisoformat("2017-11-02T09:30:00+01:00")
    out = []
    for n in range(count):
        when += timedelta(seconds=rng.randint(30, 600))
        person = rng.choice(people)
        known = person.email in state
        decline = rng.random() < 0.1 and not (known and state[person.email] is None)
        raw, after = registration(rng, person, n, sent=when, sessions=state.get(person.email), decline=decline)
        state[person.email] = after
        out.append(raw)
    return out, {k: tuple(sorted(v)) if v is not None else None for k, v in state.items()}


def expected_registry(outcome: dict[str, tuple[str, ...] | None]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The generator's own account: address -> ("registered", sessions) or ("not coming", ())."""
    return {k: ("registered", v) if v is not None else ("not coming", ()) for k, v in outcome.items()}


def actual_registry(state: dict) -> dict[str, tuple[str, tuple[str, ...]]]:
    """export's attendees in the same shape (declined and cancelled are both "not coming")."""
    return {a["email"]: ("registered" if a["status"] == "registered" else "not coming", tuple(a["sessions"]))
            for a in state["attendees"]}


# -- a bot installation ---------------------------------------------------------


def make_bot(directory: Path, *, imap: Any = None, smtp: Any = None, poll_interval: int | None = None,
             batch_size: int | None = None, folder: str | None = None, limits: dict[str, int] | None = None,
             json_log: bool = False, now: str = botrun.NOW) -> botrun.Bot:
    """botrun's per-test installation, with the knobs the fault tests turn.

    Without `smtp` the replies go to the file outbox (storage/outbox)."""
    text = botrun.config_text(imap=imap, smtp=smtp)
    if poll_interval is not None:
        old = "poll_interval = 60"
        assert old in text, "shipped config no longer has poll_interval = 60"
        text = text.replace(old, f"poll_interval = {poll_interval}", 1)
    if imap is not None and batch_size is not None:
        assert text.count("\n[imap]\n") == 1
        text = text.replace("\n[imap]\n", f"\n[imap]\nbatch_size = {batch_size}\n")
    if imap is not None and folder is not None:
        old = '\nfolder = "INBOX"\n'
        assert text.count(old) == 1, "botrun's [imap] section no longer has folder = \"INBOX\""
        text = text.replace(old, f'\nfolder = "{folder}"\n')
    if json_log:  # INFO level: one line per message handled, for the timeline of a fault test
        old = 'log_format = "plain"'
        assert old in text
        text = text.replace(old, 'log_format = "json"')
    for key, value in (limits or {}).items():
        lines = text.split("\n")
        hits = [i for i, line in enumerate(lines) if line.startswith(f"{key} = ")]
        assert len(hits) == 1, f"config has no single {key} line"
        lines[hits[0]] = f"{key} = {value}"
        text = "\n".join(lines)
    config = botrun.write_config(directory / "etc", text)
    env = {}
    if imap is not None:
        env[botrun.IMAP_PW_ENV] = imap.password
    if smtp is not None:
        env[botrun.SMTP_PW_ENV] = smtp.password
    return botrun.Bot(config, directory / "storage", env, now)


# -- IMAP ---------------------------------------------------------------------


def append_all(mailbox: Any, raws: Iterable[bytes], folder: str = "INBOX") -> int:
    """APPEND every message over one connection (the fixture's append logs in per mail)."""
    client = mailbox.connect()
    n = 0
    try:
        for raw in raws:
            client.append(folder, raw)
            n += 1
    finally:
        with contextlib.suppress(Exception):
            client.logout()
    return n


def folder_count(mailbox: Any, folder: str = "INBOX") -> int:
    client = mailbox.connect()
    try:
        return int(client.select_folder(folder, readonly=True)[b"EXISTS"])
    finally:
        with contextlib.suppress(Exception):
            client.logout()


def uidvalidity(mailbox: Any, folder: str = "INBOX") -> int:
    client = mailbox.connect()
    try:
        return int(client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])
    finally:
        with contextlib.suppress(Exception):
            client.logout()


# -- SMTP ---------------------------------------------------------------------


def headers(raw: bytes) -> email.message.Message:
    """The header block of `raw`, parsed quickly (compat32: no header objects, no body)."""
    return BytesHeaderParser(policy=compat32).parsebytes(raw)


def in_reply_to_counts(smtp: Any) -> collections.Counter[str]:
    """How many mails the SMTP server accepted per In-Reply-To (replies only)."""
    counts: collections.Counter[str] = collections.Counter()
    for m in list(smtp.messages):
        irt = headers(m.data)["In-Reply-To"]
        if irt:
            counts[" ".join(str(irt).split())] += 1
    return counts


def wait_until(predicate, timeout: float, interval: float = 0.2, what: str = "condition") -> float:
    """Poll `predicate` until true; returns the seconds it took, or raises AssertionError."""
    t0 = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"{what} not reached within {timeout:.0f}s")
        time.sleep(interval)


# -- database -----------------------------------------------------------------


def db_path(bot: botrun.Bot) -> Path:
    found = sorted(bot.storage.glob("*.sqlite*")) + sorted(bot.storage.glob("*.db"))
    found = [p for p in found if not p.name.endswith(("-wal", "-shm", "-journal"))]
    assert found, f"no database in {bot.storage}: {list(bot.storage.iterdir())}"
    return found[0]


def query(bot: botrun.Bot, sql: str, *args: Any) -> list[tuple]:
    con = sqlite3.connect(f"file:{db_path(bot)}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def registry(state: dict) -> list[tuple[str, str, tuple[str, ...]]]:
    """The registry as (name, status, sessions), sorted: what two runs must agree on."""
    return sorted((a["name"], a["status"], tuple(a["sessions"])) for a in state["attendees"])


# -- `mailbot run` in the background ------------------------------------------


@dataclass
class Running:
    """A `mailbot run` subprocess; stderr is collected by a reader thread."""

    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @classmethod
    def start(cls, bot: botrun.Bot, *args: str, env: dict[str, str] | None = None) -> Running:
        """`mailbot --config C --storage S run` with the real clock (no --now: it keeps running)."""
        full = ["--config", str(bot.config), "--storage", str(bot.storage), *args, "run"]
        proc = botrun.start_cli(full, env={**bot.env, **(env or {})})
        self = cls(proc)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM (the bot's orderly stop); SIGKILL if it does not exit in time."""
        terminate(self.proc, timeout)
        if self._reader is not None:
            self._reader.join(timeout=5)
        with contextlib.suppress(Exception):
            self.proc.stdout.close()  # type: ignore[union-attr]
        return self.proc.returncode

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def poll_args(bot: botrun.Bot, now: str) -> list[str]:
    return ["--config", str(bot.config), "--storage", str(bot.storage), "--now", now, "poll", "--once"]


def start_poll(bot: botrun.Bot, now: str | None = None, *, nice: int = 0) -> subprocess.Popen[str]:
    """`poll --once` in the background (`nice`: at a lower CPU priority)."""
    if not nice:
        return botrun.start_cli(poll_args(bot, now or bot.now), env=bot.env)
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("MAILBOT_FAILPOINT", botrun.IMAP_PW_ENV, botrun.SMTP_PW_ENV)}
    full_env.update(bot.env)
    return subprocess.Popen([str(botrun.MAILBOT), *poll_args(bot, now or bot.now)], env=full_env, cwd=REPO,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: os.nice(nice))


# `mailbot` runs forked from a process that has done the imports once (about
# 2 s of CPU per interpreter start-up): a run starts at once, so the clock of
# a random kill measures the bot's own work, and twenty starts cost nothing.
# The fork happens before any connection, thread or database is opened.
_FORKER = r"""
import os, sys
import mailbot.cli, mailbot.service, mailbot.mail.imap, mailbot.mail.smtp, mailbot.mail.outbox
import mailbot.core.understand, mailbot.mail.calendar, mailbot.operations
args = sys.argv[1:]
print("ready", flush=True)
for line in sys.stdin:
    cmd, _, rest = line.strip().partition(" ")
    if cmd == "run":                       # run <log file>: fork one `mailbot ARGS`
        pid = os.fork()
        if pid == 0:
            fd = os.open(rest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0); os.dup2(fd, 1); os.dup2(fd, 2)
            sys.argv = ["mailbot", *args]
            code = 0
            try:
                mailbot.cli.main()
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
            sys.stdout.flush(); sys.stderr.flush()
            os._exit(code)
        print(f"pid {pid}", flush=True)
    elif cmd == "wait":                    # wait <pid> [<seconds>]: its exit code, or "running"
        import time
        pid, *limit = rest.split()
        deadline = time.monotonic() + float(limit[0]) if limit else None
        while True:
            done, status = os.waitpid(int(pid), os.WNOHANG if deadline else 0)
            if done:
                print(f"exited {os.waitstatus_to_exitcode(status)}", flush=True)
                break
            if time.monotonic() >= deadline:
                print("running", flush=True)
                break
            time.sleep(0.005)
"""


class Forker:
    """A process that forks ready-to-run `mailbot ARGS` children on demand."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("MAILBOT_FAILPOINT", botrun.IMAP_PW_ENV, botrun.SMTP_PW_ENV)}
        full_env.update(env)
        self.proc = subprocess.Popen([str(REPO / ".venv" / "bin" / "python"), "-c", _FORKER, *args],
                                     env=full_env, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        assert self._read() == "ready"

    def _read(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        assert line, f"forker died (exit {self.proc.poll()})"
        return line

    def _ask(self, line: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self._read()

    def run(self, log: Path) -> int:
        """Start one run writing stdout and stderr to `log`; its pid."""
        answer = self._ask(f"run {log}")
        assert answer.startswith("pid "), answer
        return int(answer.split()[1])

    def wait(self, pid: int, timeout: float | None = None) -> int | None:
        """The run's exit code (negative: killed by that signal); None if still running after `timeout`."""
        answer = self._ask(f"wait {pid}" + (f" {timeout}" if timeout is not None else ""))
        return None if answer == "running" else int(answer.split()[1])

    def kill_after(self, pid: int, delay: float) -> tuple[bool, int]:
        """SIGKILL `pid` after `delay` s unless it ended before: (killed, exit code)."""
        code = self.wait(pid, delay)
        if code is not None:
            return False, code
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        code = self.wait(pid)
        assert code is not None
        return True, code

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


# -- hostile mail ---------------------------------------------------------------

MEMBER_DOMAINS = ["alkmaar.nl", "almelo.nl", "zaanstad.nl", "haarlem.nl", "deventer.nl", "leiden.nl"]
JUNK_CHARSETS = ["x-unknown-42", "utf-8", "utf-7", "", "klingon", "iso-8859-99", "utf-16", "gb18030",
                 "unicode-1-1-utf-7", "us-ascii", "windows-1252", "\"><script>", "utf-8\x00", "cp65001"]


@dataclass
class Hostile:
    """One generated malformed message and what the test knows about it."""

    kind: str
    raw: bytes
    message_id: str | None  # the well-formed Message-ID it carries, None when it has none
    inject: bool = False    # carries a header-injection attempt


def _mid(n: int, rng: random.Random) -> str:
    return f"<hostile{n:05d}.{rng.getrandbits(32):08x}@junk.example>"


def _base(rng: random.Random, n: int, mid: str | None, *, subject: str | None = None,
          frm: str | None = None, extra: str = "", ctype: str = "text/plain; charset=utf-8") -> str:
    dom = rng.choice(MEMBER_DOMAINS)
    head = []
    if mid is not None:
        head.append(f"Message-ID: {mid}")
    head += [
        f"From: {frm or f'Afzender {n} <user{n}@{dom}>'}",
        "To: G32 <info@G32.nl>",
        f"Subject: {subject if subject is not None else f'RE: Uitnodiging G32 netwerkdag ({n})'}",
        f"Date: Mon, 6 Nov 2017 1{n % 10}:{n % 60:02d}:00 +0100",
        "MIME-Version: 1.0",
        f"Content-Type: {ctype}",
    ]
    return "\r\n".join(head) + ("\r\n" + extra if extra else "") + "\r\n\r\n"


def _registration_text(rng: random.Random) -> str:
    names = [rng.choice(slot)[1] for slot in rng.sample(SLOTS, rng.randint(1, 3))]
    return f"Graag meld ik mij aan voor {_join(names)}.\r\n\r\nMet vriendelijke groet"


def _truncated(rng, n, mid):
    boundary = f"b{n}x"
    full = (_base(rng, n, mid, ctype=f'multipart/mixed; boundary="{boundary}"')
            + f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            + _registration_text(rng).replace("ë", "=C3=AB") + "\r\n"
            + f"--{boundary}\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n"
            + "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\r\n" * rng.randint(1, 40)
            + f"--{boundary}--\r\n").encode("utf-8")
    head_len = full.index(b"\r\n\r\n") + 4
    cut = rng.randint(head_len, len(full) - 1)
    return full[:cut]


def _charset(rng, n, mid):
    cs = rng.choice(JUNK_CHARSETS)
    body = _registration_text(rng)
    enc = rng.choice(["utf-8", "latin-1", "utf-16-le", "junk"])
    data = (body.encode(enc, "replace") if enc != "junk" else bytes(rng.randrange(1, 256) for _ in range(200)))
    subj = rng.choice([f"=?{cs or 'x'}?Q?Aanmelding_{n}?=", f"=?utf-8?B?{'!!notbase64' * 3}?=",
                       "=?iso-8859-1?q?f=E9=?=", f"=?unknown-{n}?B?SGFsbG8=?=", "=?utf-8?Q?half"])
    cte = rng.choice(["8bit", "base64", "quoted-printable", "x-uuencode", "7bit", "bogus"])
    head = _base(rng, n, mid, subject=subj, ctype=f'text/plain; charset="{cs}"',
                 extra=f"Content-Transfer-Encoding: {cte}")
    return head.encode("utf-8", "surrogateescape") + data


def _junk(rng, n, mid):
    size = rng.randint(1, 4000)
    junk = bytes(rng.randrange(1, 256) for _ in range(size))
    if mid is None:  # nothing but junk: no header structure at all
        return b"\xff\xfe" + junk + f"\r\nnonce {n}".encode()
    head = _base(rng, n, mid, ctype=rng.choice(["application/octet-stream", "text/plain",
                                                "multipart/mixed", "message/rfc822", "image/png"]),
                 extra=rng.choice(["Content-Transfer-Encoding: base64", "Content-Transfer-Encoding: 8bit", ""]))
    return head.encode() + junk


def _nested(rng, n, mid, depth=100):
    parts = []
    for d in range(depth):
        parts.append(f'Content-Type: multipart/mixed; boundary="lvl{d}"\r\n\r\n--lvl{d}\r\n')
    inner = "Content-Type: text/plain; charset=utf-8\r\n\r\n" + _registration_text(rng) + "\r\n"
    tail = "".join(f"\r\n--lvl{d}--\r\n" for d in reversed(range(depth)))
    head = _base(rng, n, mid, ctype='multipart/mixed; boundary="top"')
    return (head + "--top\r\n" + "".join(parts) + inner + tail + "\r\n--top--\r\n").encode()


def _many_recipients(rng, n, mid, count=10_000):
    rcpts = ",\r\n ".join(f"Person {i} <p{i}@{MEMBER_DOMAINS[i % len(MEMBER_DOMAINS)]}>" for i in range(count))
    raw = _base(rng, n, mid).replace("To: G32 <info@G32.nl>", f"To: G32 <info@G32.nl>,\r\n {rcpts}")
    return (raw + _registration_text(rng) + "\r\n").encode()


def _b64word(text: str) -> str:
    import base64

    return f"=?utf-8?B?{base64.b64encode(text.encode()).decode()}?="


def _injection(rng, n, mid, person: Invitee):
    evil = rng.choice(["Evil\r\nBcc: x@y", "Evil\nBcc: evil@attacker.example", "Evil\r\n\r\nBcc: x@y",
                       "Jan\r\nTo: victim@attacker.example", "A\rBcc: x@y", "Evil%0d%0aBcc: x@y"])
    how = rng.choice(["b64", "q", "raw-quoted"])
    if how == "b64":
        disp = _b64word(evil)
    elif how == "q":
        disp = "=?utf-8?Q?" + "".join(f"={b:02X}" for b in evil.encode()) + "?="
    else:
        disp = '"' + evil.replace("\r", "").replace("\n", " ") + '"'
    frm = f"{disp} <{person.email}>"
    extra = rng.choice(["", f"Reply-To: {disp} <{person.email}>",
                        f"Cc: {_b64word('Mal' + chr(13) + chr(10) + 'Bcc: x@y')} <cc{n}@{MEMBER_DOMAINS[0]}>"])
    subject = rng.choice([f"RE: Uitnodiging {_b64word('hallo' + chr(13) + chr(10) + 'Bcc: x@y')}",
                          "RE: Uitnodiging G32 netwerkdag 30 november"])
    head = _base(rng, n, mid, frm=frm, subject=subject, extra=extra)
    return (head + _registration_text(rng) + "\r\n").encode()


def _missing(rng, n):
    """Headers left out, at random; every one carries a nonce so no two are alike."""
    choice = rng.randrange(6)
    body = f"{_registration_text(rng)}\r\nnonce {n}\r\n"
    if choice == 0:
        return None, body.encode()                       # no header at all
    if choice == 1:
        return None, f"Subject: alleen onderwerp {n}\r\n\r\n{body}".encode()
    if choice == 2:
        return None, f"From: <user{n}@alkmaar.nl>\r\n\r\n{body}".encode()
    if choice == 3:                                      # From without an address
        mid = _mid(n, rng)
        return mid, f"Message-ID: {mid}\r\nFrom: Alleen Een Naam\r\nSubject: x\r\n\r\n{body}".encode()
    if choice == 4:                                      # Message-ID not in <...>
        return None, f"Message-ID: geen-haakjes-{n}\r\nFrom: a{n}@alkmaar.nl\r\n\r\n{body}".encode()
    return None, f"\r\n{body}".encode()                  # empty header block


def _misc(rng, n, mid):
    choice = rng.randrange(8)
    if choice == 0:   # one header line far beyond 998 characters
        return (_base(rng, n, mid, subject="x" * 50_000) + _registration_text(rng)).encode()
    if choice == 1:   # unparseable Date and From
        return (_base(rng, n, mid, frm="<<<@@@>>>, ,,;:\"", extra="Date: 31 Februari 99999 25:61")
                + _registration_text(rng)).encode()
    if choice == 2:   # multipart without a boundary
        return (_base(rng, n, mid, ctype="multipart/alternative") + "--\r\n" + _registration_text(rng)).encode()
    if choice == 3:   # broken RFC 2231 parameters
        return (_base(rng, n, mid, ctype="text/plain; charset*=''%ZZ; name*0*=x; name*5=y")
                + _registration_text(rng)).encode()
    if choice == 4:   # one 100 kB line without a line break
        return (_base(rng, n, mid) + "a" * 100_000).encode()
    if choice == 5:   # message/rfc822 holding garbage
        return (_base(rng, n, mid, ctype="message/rfc822") + "\x01\x02: :\r\n\r\n:::").encode()
    if choice == 6:   # bare LF and lone CR line ends mixed
        return (_base(rng, n, mid).replace("\r\n", rng.choice(["\n", "\r"])) + _registration_text(rng)).encode()
    return (_base(rng, n, mid, ctype="text/html; charset=utf-8")
            + "<html><body>" + "<div>" * 5000 + _registration_text(rng) + "</div>" * 10 + "<script>").encode()


def big_attachment(n: int, size: int = 20_000_000) -> Hostile:
    """A registration carrying one `size`-byte attachment (base64)."""
    import base64

    mid = f"<big{n}@junk.example>"
    rng = random.Random(n)
    head = _base(rng, n, mid, ctype='multipart/mixed; boundary="BIG"')
    blob = base64.encodebytes(os.urandom(size * 3 // 4)).replace(b"\n", b"\r\n")
    raw = (head + "--BIG\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + _registration_text(rng)
           + "\r\n--BIG\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\n"
           + "Content-Transfer-Encoding: base64\r\n\r\n").encode() + blob + b"\r\n--BIG--\r\n"
    return Hostile("20MB", raw, mid)


def hostile(count: int, *, seed: int, rcpts_10000: int = 1, first: int = 0) -> list[Hostile]:
    """`count` malformed messages, a mix of every kind (seeded: the same every run).

    The first three are multiparts nested 100 deep, the next `rcpts_10000` have
    10,000 addresses in To, two have a 1 MB line; the 20 MB one is separate
    (big_attachment). `first` numbers the messages (nonces, Message-IDs)."""
    rng = random.Random(seed)
    people = invitees()
    out: list[Hostile] = []
    shared: list[str] = []
    for n in range(first, first + count):
        i = n - first
        if i < 3:
            mid = _mid(n, rng)
            out.append(Hostile("nested-100", _nested(rng, n, mid), mid))
            continue
        if i < 3 + rcpts_10000:
            mid = _mid(n, rng)
            out.append(Hostile("10000-rcpts", _many_recipients(rng, n, mid), mid))
            continue
        if i < 5 + rcpts_10000:
            mid = _mid(n, rng)
            out.append(Hostile("1MB-line", (_base(rng, n, mid) + "a" * 1_000_000).encode(), mid))
            continue
        kind = rng.choices(["truncated", "charset", "junk", "junk-noheader", "inject", "missing", "dup-id",
                            "misc"], weights=[20, 20, 12, 4, 12, 8, 8, 16])[0]
        if kind == "dup-id":
            if not shared or rng.random() < 0.3:
                shared.append(_mid(n, rng))
            mid = rng.choice(shared)
            maker = rng.choice([_truncated, _charset, _misc])
            out.append(Hostile(kind, maker(rng, n, mid), mid))
        elif kind == "missing":
            mid, raw = _missing(rng, n)
            out.append(Hostile(kind, raw, mid))
        elif kind == "junk-noheader":
            out.append(Hostile(kind, _junk(rng, n, None), None))
        elif kind == "inject":
            mid = _mid(n, rng)
            out.append(Hostile(kind, _injection(rng, n, mid, rng.choice(people)), mid, inject=True))
        else:
            mid = _mid(n, rng)
            maker = {"truncated": _truncated, "charset": _charset, "junk": _junk, "misc": _misc}[kind]
            out.append(Hostile(kind, maker(rng, n, mid), mid))
    return out


def terminate(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (the bot's orderly stop); SIGKILL if it has not exited within `timeout`."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
