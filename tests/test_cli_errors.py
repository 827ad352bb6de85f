"""What the operator sees when something is wrong: one clear line, no traceback.

Every case runs the installed `mailbot` script and checks its exit status and
its stderr: exactly one line starting with "mailbot:" (click's "Error:" for
usage mistakes) that names what to fix. The cases are independent, so each
group is started side by side in a module fixture and only read by the tests.
"""

from __future__ import annotations

import random

import botrun
import pytest
import servers

SHIPPED = botrun.SHIPPED_CONFIG.read_text(encoding="utf-8")


def _edit(old: str, new: str) -> str:
    assert SHIPPED.count(old) >= 1, f"shipped config has no {old!r}"
    return SHIPPED.replace(old, new, 1)


# case -> (config text or None for a missing file, exit code, words the line must contain)
CONFIG_CASES = {
    "unknown-key": (
        _edit("poll_interval = 60", "poll_interval = 60\npoll_intervall = 30"),
        2,
        ["deployment", "unknown key", "poll_intervall"],
    ),
    "wrong-type": (
        _edit("poll_interval = 60", 'poll_interval = "x"'),
        2,
        ["deployment.poll_interval", "'x'"],
    ),
    "session-ends-before-start": (
        _edit('end = "11:00"', 'end = "09:00"'),
        2,
        ["sessions[0].end", "after start"],
    ),
    "not-toml": (
        _edit('name = "G32 netwerkdag"', 'name = "G32 netwerkdag'),
        2,
        ["config.toml", "TOML"],
    ),
    "missing-file": (None, 2, ["nowhere.toml", "not found"]),
}


def _check_one_line(run: botrun.Run, code: int, words: list[str], prefix: str = "mailbot:") -> None:
    assert run.returncode == code, run
    assert "Traceback" not in run.stdout + run.stderr, run
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix), run
    for word in words:
        assert word in lines[0], (word, run)


@pytest.fixture(scope="module")
def config_runs(tmp_path_factory) -> dict[str, botrun.Run]:
    started = {}
    for name, (text, _code, _words) in CONFIG_CASES.items():
        d = tmp_path_factory.mktemp(name)
        config = botrun.write_config(d / "etc", text) if text is not None else d / "nowhere.toml"
        args = [
            "--config",
            str(config),
            "--storage",
            str(d / "storage"),
            "--now",
            botrun.NOW,
            "poll",
            "--once",
        ]
        started[name] = (args, botrun.start_cli(args))
    # a usage mistake, reported by click
    args = ["--config", str(botrun.SHIPPED_CONFIG), "--now", "yesterday", "poll", "--once"]
    started["bad-now"] = (args, botrun.start_cli(args))
    return {name: botrun.finish(proc, args) for name, (args, proc) in started.items()}


@pytest.mark.parametrize("case", list(CONFIG_CASES))
def test_bad_config_is_one_line_naming_the_key(case, config_runs):
    """A config mistake stops the bot at start with exit 2 and one line that
    names the file or key to fix."""
    _text, code, words = CONFIG_CASES[case]
    _check_one_line(config_runs[case], code, words)


def test_bad_option_is_a_click_usage_error(config_runs):
    """A malformed --now is a usage error (exit 2) ending in click's "Error:"
    line, not a traceback."""
    run = config_runs["bad-now"]
    assert run.returncode == 2, run
    assert "Traceback" not in run.stdout + run.stderr, run
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("Error:") and "--now" in last and "yesterday" in last, run


@pytest.fixture(scope="module")
def imap_runs(dovecot, tmp_path_factory) -> dict[str, botrun.Run]:
    mailbox = dovecot.new_mailbox()
    cases = {
        # nothing listens on this port
        "unreachable": ({"imap_port": servers.free_port()}, {botrun.IMAP_PW_ENV: mailbox.password}),
        "wrong-password": ({}, {botrun.IMAP_PW_ENV: mailbox.password + "-wrong"}),
        "password-not-set": ({}, {}),
    }
    started = {}
    for name, (kw, env) in cases.items():
        d = tmp_path_factory.mktemp(name)
        config = botrun.write_config(d / "etc", botrun.config_text(imap=mailbox, **kw))
        args = [
            "--config",
            str(config),
            "--storage",
            str(d / "storage"),
            "--now",
            botrun.NOW,
            "poll",
            "--once",
        ]
        started[name] = (args, botrun.start_cli(args, env=env))
    return {name: botrun.finish(proc, args) for name, (args, proc) in started.items()}


def test_unreachable_imap_server(imap_runs):
    """IMAP server down: exit 4 (retryable mailbox error) and one line naming host and port."""
    run = imap_runs["unreachable"]
    _check_one_line(run, 4, ["cannot reach IMAP server", "127.0.0.1:"])


def test_wrong_imap_password(imap_runs):
    """A refused login: exit 4 and one line saying the login was refused, without the password."""
    run = imap_runs["wrong-password"]
    _check_one_line(run, 4, ["login refused"])
    assert "secret" not in run.stderr


def test_imap_password_variable_not_set(imap_runs):
    """The environment variable named by password_env is missing: exit 2 and one line naming it."""
    _check_one_line(imap_runs["password-not-set"], 2, ["password_env", botrun.IMAP_PW_ENV])


def test_ingest_of_garbage_bytes_goes_to_review(tmp_path):
    """A file of random bytes is not a crash: ingest exits 0, nothing is sent,
    and staff get a review item with a reason."""
    garbage = tmp_path / "garbage.eml"
    rnd = random.Random(32)
    garbage.write_bytes(b"\x00\xff\xfe" + bytes(rnd.randrange(256) for _ in range(4000)))
    bot = botrun.Bot(botrun.SHIPPED_CONFIG, tmp_path / "storage")

    run = bot.ingest(garbage)
    assert "Traceback" not in run.stdout + run.stderr, run
    state = bot.export()
    assert state["attendees"] == [] and state["outbox"] == []
    assert len(state["review"]) == 1, state["review"]
    assert state["review"][0]["reason"].strip(), state["review"]
