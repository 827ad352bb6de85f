"""Drive the real `mailbot` command in a subprocess, as an operator would.

The shell tests (IMAP, SMTP, Maildir, crash and CLI-error tests) use this to
write a per-test config.toml, run `mailbot ... poll --once` or `ingest` with
the passwords in the environment, and read the state back through
`export --format json`.

A per-test config is the shipped config.toml's text plus optional [imap] and
[smtp] sections, written into its own directory. config.load resolves
`rules/` (municipalities, lexicon) and `event.invitees` relative to the config
file's directory and the CLI has no option to point elsewhere, so that
directory gets a `rules` symlink to the repository's rules/.

Example::

    bot = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)
    bot.poll()                    # raises AssertionError on a non-zero exit
    state = bot.export()          # {"attendees": [...], "outbox": [...], "review": [...]}
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
MAILBOT = REPO / ".venv" / "bin" / "mailbot"
SHIPPED_CONFIG = REPO / "config.toml"
CORPUS = REPO / "tests" / "corpus"
NOW = "2017-11-16T09:00:00+01:00"  # the contract's clock: every corpus mail is older
IMAP_PW_ENV = "MAILBOT_TEST_IMAP_PW"
SMTP_PW_ENV = "MAILBOT_TEST_SMTP_PW"
TIMEOUT = 60.0  # seconds for one CLI run; every network call inside has timeout = 10


def corpus(case: str, n: int = 1) -> bytes:
    """Raw bytes of tests/corpus/<case>-*/<n>.eml; `case` is the number ("019")."""
    found = sorted(CORPUS.glob(f"{case}-*"))
    assert len(found) == 1, f"no unique corpus case {case!r}: {found}"
    return (found[0] / f"{n}.eml").read_bytes()


def header(raw: bytes, name: str) -> str:
    """One header of a raw message, decoded (the first, or "" if absent)."""
    import email
    from email import policy

    value = email.message_from_bytes(raw, policy=policy.default).get(name)
    return str(value) if value is not None else ""


def replace_header(raw: bytes, name: str, value: str) -> bytes:
    """`raw` with the first `name:` header line (unfolded) replaced; the body untouched."""
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    lines = head.split(b"\n")
    prefix = name.lower().encode() + b":"
    for i, line in enumerate(lines):
        if line.lower().startswith(prefix):
            eol = b"\r" if line.endswith(b"\r") else b""
            lines[i] = f"{name}: {value}".encode() + eol
            break
    else:
        raise AssertionError(f"no {name} header")
    return b"\n".join(lines) + sep + body


def _toml(value: Any) -> str:
    if isinstance(value, str | Path):
        return json.dumps(str(value))  # a JSON string is a valid TOML basic string
    return str(value)


def config_text(
    *,
    imap: Any = None,
    smtp: Any = None,
    process_since: str | None = None,
    imap_port: int | None = None,
    imap_host: str | None = None,
) -> str:
    """The shipped config.toml's text, with [imap]/[smtp] for the test servers appended.

    `imap` is a servers.ImapMailbox (user and CA taken from it), `smtp` a
    servers.SmtpServer. `process_since` replaces the shipped date.
    """
    text = SHIPPED_CONFIG.read_text(encoding="utf-8")
    if process_since is not None:
        old = 'process_since = "2017-11-01"'
        assert old in text, "shipped config no longer has the expected process_since line"
        text = text.replace(old, f'process_since = "{process_since}"')
    if imap is not None:
        text += "\n[imap]\n" + "".join(
            f"{k} = {_toml(v)}\n"
            for k, v in {
                "host": imap_host or imap.host,
                "port": imap_port or imap.port,
                "tls": "starttls",
                "ca_file": imap.ca_file,
                "user": imap.user,
                "password_env": IMAP_PW_ENV,
                "folder": "INBOX",
                "processed_folder": "Verwerkt",
                "timeout": 10,
            }.items()
        )
    if smtp is not None:
        text += "\n[smtp]\n" + "".join(
            f"{k} = {_toml(v)}\n"
            for k, v in {
                "host": smtp.host,
                "port": smtp.port,
                "tls": "starttls",
                "ca_file": smtp.ca_file,
                "user": smtp.user,
                "password_env": SMTP_PW_ENV,
                "timeout": 10,
            }.items()
        )
    return text


def write_config(directory: Path, text: str) -> Path:
    """Write `text` as directory/config.toml next to a `rules` symlink; returns the path."""
    directory.mkdir(parents=True, exist_ok=True)
    rules = directory / "rules"
    if not rules.exists():
        rules.symlink_to(REPO / "rules", target_is_directory=True)
    path = directory / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Run:
    """One finished CLI run."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return (
            f"mailbot {' '.join(self.args)} -> exit {self.returncode}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


@dataclass
class Bot:
    """One bot installation: a config file, a storage directory and its environment."""

    config: Path
    storage: Path
    env: dict[str, str] = field(default_factory=dict)
    now: str = NOW

    @classmethod
    def make(
        cls,
        tmp_path: Path,
        *,
        imap: Any = None,
        smtp: Any = None,
        process_since: str | None = None,
        **kw: Any,
    ) -> Bot:
        """A bot in tmp_path with the test servers' config and passwords."""
        config = write_config(
            tmp_path / "etc", config_text(imap=imap, smtp=smtp, process_since=process_since, **kw)
        )
        env = {}
        if imap is not None:
            env[IMAP_PW_ENV] = imap.password
        if smtp is not None:
            env[SMTP_PW_ENV] = smtp.password
        return cls(config, tmp_path / "storage", env)

    def run(
        self,
        *args: str,
        failpoint: str | None = None,
        check: bool = True,
        env: dict[str, str] | None = None,
        timeout: float = TIMEOUT,
    ) -> Run:
        """`mailbot --config C --storage S --now N ARGS...`; asserts exit 0 when `check`."""
        full = [
            "--config",
            str(self.config),
            "--storage",
            str(self.storage),
            "--now",
            self.now,
            *args,
        ]
        run = run_cli(full, env={**self.env, **(env or {})}, failpoint=failpoint, timeout=timeout)
        if check:
            assert run.returncode == 0, str(run)
        return run

    def poll(self, **kw: Any) -> Run:
        return self.run("poll", "--once", **kw)

    def ingest(self, *files: Path, **kw: Any) -> Run:
        return self.run("ingest", *map(str, files), **kw)

    def export(self) -> dict:
        """The state as `export --format json` prints it.

        Runs the click command in this process (the same code as the
        subprocess, without paying the 1.5 s interpreter start-up per call).
        """
        import logging

        from click.testing import CliRunner

        from mailbot.cli import cli

        args = [
            "--config",
            str(self.config),
            "--storage",
            str(self.storage),
            "--now",
            self.now,
            "export",
            "--format",
            "json",
        ]
        try:
            result = CliRunner().invoke(cli, args, catch_exceptions=False)
        finally:
            # _logging() pointed the "mailbot" logger at the runner's stream, closed by now
            logging.getLogger("mailbot").handlers[:] = []
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


def run_cli(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    failpoint: str | None = None,
    timeout: float = TIMEOUT,
) -> Run:
    """Run the installed `mailbot` script; MAILBOT_FAILPOINT only when `failpoint` is given."""
    env = dict(env or {})
    if failpoint is not None:
        env["MAILBOT_FAILPOINT"] = failpoint
    return finish(start_cli(args, env=env), args, timeout)


def start_cli(args: list[str], *, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start `mailbot ARGS` without waiting (to run independent cases side by side)."""
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MAILBOT_FAILPOINT", IMAP_PW_ENV, SMTP_PW_ENV)
    }
    full_env.update(env or {})
    return subprocess.Popen(
        [str(MAILBOT), *args],
        env=full_env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], args: list[str], timeout: float = TIMEOUT) -> Run:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(
            f"mailbot {' '.join(args)} did not finish in {timeout}s\n{out}\n{err}"
        ) from None
    return Run(args, proc.returncode, out, err)


def message_ids(raws: list[bytes]) -> list[str]:
    """The Message-ID of each raw message, in order."""
    return [header(r, "Message-ID") for r in raws]
