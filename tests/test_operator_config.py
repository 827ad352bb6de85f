"""What an operator installing the bot meets: where the rules are, and `run` with a
configuration that can never work.

`run` logs in once to each configured server before it starts its loop: a
password variable that is not set, a refused login, an unknown host or a port
nobody listens on stops it at once with the one line and exit code that
`poll --once` gives for the same mistake, instead of a warning repeated for
ever. After a good start, network trouble is retried as before and `status`
shows the last failure. The rules folder is a setting (`[deployment] rules`),
so a config kept in /etc/mailbot can point at it.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import botrun
import pytest
import servers
from click.testing import CliRunner

from mailbot import config, operations, scheduler
from mailbot.cli import cli
from mailbot.errors import ConfigError
from mailbot.mail.maildir import deliver
from mailbot.service import open_bot

REPO = botrun.REPO
NOW = datetime.fromisoformat(botrun.NOW)
RUN_BUDGET = 120.0  # seconds for a group of CLI runs: a `run` past its start check would never end


# --- [deployment] rules ---------------------------------------------------------------


def _elsewhere(tmp_path: Path, rules_line: str | None) -> Path:
    """The shipped config in its own folder without rules/ beside it (as /etc/mailbot/config.toml),
    the invitee list named by its absolute path, and `rules_line` in [deployment]."""
    text = botrun.SHIPPED_CONFIG.read_text(encoding="utf-8")
    text = text.replace('invitees = "rules/invitees.csv"', f'invitees = "{REPO / "rules" / "invitees.csv"}"', 1)
    lines = [line for line in text.split("\n") if not line.startswith("rules = ")]
    text = "\n".join(lines)
    if rules_line is not None:
        text = text.replace("[deployment]\n", f"[deployment]\n{rules_line}\n", 1)
    etc = tmp_path / "etc" / "mailbot"
    etc.mkdir(parents=True)
    path = etc / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rules_folder_named_by_absolute_path(tmp_path):
    cfg = config.load(_elsewhere(tmp_path, f'rules = "{REPO / "rules"}"'))
    assert len(cfg.knowledge.municipalities) == 40


def test_rules_folder_relative_to_the_config_file(tmp_path):
    shutil.copytree(REPO / "rules", tmp_path / "share" / "rules")
    path = _elsewhere(tmp_path, 'rules = "../../share/rules"')
    cfg = config.load(path)
    assert len(cfg.knowledge.municipalities) == 40
    # and so does a poll started from anywhere, with the config kept elsewhere
    result = CliRunner().invoke(cli, ["--config", str(path), "--storage", str(tmp_path / "storage"),
                                      "--now", botrun.NOW, "poll", "--once"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_missing_rules_folder_is_one_line_naming_the_setting(tmp_path):
    with pytest.raises(ConfigError) as e:
        config.load(_elsewhere(tmp_path, 'rules = "/nowhere/rules"'))
    message = str(e.value)
    assert "deployment.rules" in message and "/nowhere/rules" in message and "not found" in message
    assert "\n" not in message


def test_no_rules_beside_the_config_says_which_setting_to_use(tmp_path):
    path = _elsewhere(tmp_path, None)
    with pytest.raises(ConfigError) as e:
        config.load(path)
    message = str(e.value)
    assert "deployment.rules" in message and str(path.parent / "rules") in message


def test_rules_setting_must_be_a_string(tmp_path):
    with pytest.raises(ConfigError) as e:
        config.load(_elsewhere(tmp_path, "rules = 3"))
    assert "deployment.rules" in str(e.value)


# --- `run` with a configuration that can never work ------------------------------------


def _one_line(run: botrun.Run) -> str:
    """The single "mailbot:" line of stderr; fails on a traceback or anything else there."""
    assert "Traceback" not in run.stdout + run.stderr, run
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mailbot:"), run
    return lines[0]


def _finish_all(started: dict, budget: float) -> dict:
    """Wait for every started process, `budget` seconds in all; one still running by then
    (a `run` retrying for ever, as before) is killed and reported as a string."""
    deadline = time.monotonic() + budget
    out: dict = {}
    for key, (args, proc) in started.items():
        try:
            out[key] = botrun.finish(proc, args, timeout=max(5.0, deadline - time.monotonic()))
        except AssertionError as e:
            out[key] = str(e)
    return out


@pytest.fixture(scope="module")
def start_runs(dovecot, smtp_server, tmp_path_factory) -> dict[str, dict[str, botrun.Run | str]]:
    """Per case, `poll --once` (frozen clock) and `run` (real clock). The cases run side by
    side, the polls first and then the runs, so a loaded machine does not starve one."""
    smtp_server.ensure_running()
    mailbox = dovecot.new_mailbox()
    dead_smtp = SimpleNamespace(host=smtp_server.host, port=servers.free_port(), ca_file=smtp_server.ca_file,
                                user=smtp_server.user, password=smtp_server.password)
    imap_ok = {botrun.IMAP_PW_ENV: mailbox.password}
    smtp_ok = {botrun.SMTP_PW_ENV: smtp_server.password}
    cases = {
        "imap-unreachable": ({"imap": mailbox, "imap_port": servers.free_port()}, imap_ok),
        "imap-unknown-host": ({"imap": mailbox, "imap_host": "mailbot-test.invalid"}, imap_ok),
        "imap-wrong-password": ({"imap": mailbox}, {botrun.IMAP_PW_ENV: mailbox.password + "-wrong"}),
        "imap-password-not-set": ({"imap": mailbox}, {}),
        "smtp-password-not-set": ({"smtp": smtp_server}, {}),
        "smtp-wrong-password": ({"smtp": smtp_server}, {botrun.SMTP_PW_ENV: smtp_server.password + "-wrong"}),
        "smtp-unreachable": ({"smtp": dead_smtp}, smtp_ok),
    }
    runs: dict[str, dict[str, botrun.Run | str]] = {name: {} for name in cases}
    for command in ("poll", "run"):
        started = {}
        for name, (kw, env) in cases.items():
            d = tmp_path_factory.mktemp(f"{name}-{command}")
            path = botrun.write_config(d / "etc", botrun.config_text(**kw))
            # a reply to send, so that `poll --once` logs in to SMTP at all
            deliver(d / "storage" / "maildir", botrun.corpus("019"))
            args = ["--config", str(path), "--storage", str(d / "storage")]
            args += ["--now", botrun.NOW, "poll", "--once"] if command == "poll" else ["run"]
            started[name] = (args, botrun.start_cli(args, env=env))
        for name, run in _finish_all(started, RUN_BUDGET).items():
            runs[name][command] = run
    return runs


# case -> (exit code, words in the line)
SAME_AS_POLL = {
    "imap-unreachable": (4, ["cannot reach IMAP server", "127.0.0.1:"]),
    "imap-unknown-host": (4, ["cannot reach IMAP server", "mailbot-test.invalid"]),
    "imap-wrong-password": (4, ["IMAP login refused"]),
    "imap-password-not-set": (2, ["imap.password_env", botrun.IMAP_PW_ENV]),
    "smtp-password-not-set": (2, ["smtp.password_env", botrun.SMTP_PW_ENV]),
    "smtp-wrong-password": (5, ["SMTP login refused", "antwoorden blijven in de wachtrij"]),
}


@pytest.mark.parametrize("case", list(SAME_AS_POLL))
def test_run_stops_at_start_as_poll_once_does(case, start_runs):
    """`run` ends at once with exit code and line of `poll --once` for the same mistake."""
    code, words = SAME_AS_POLL[case]
    run, poll = start_runs[case]["run"], start_runs[case]["poll"]
    assert isinstance(run, botrun.Run), run
    assert isinstance(poll, botrun.Run), poll
    line = _one_line(run)
    assert run.returncode == code, run
    for word in words:
        assert word in line, (word, run)
    # poll --once may log the failed delivery before its last line; the last line is the same
    assert poll.returncode == code, poll
    assert poll.stderr.splitlines()[-1] == line, (poll, run)
    assert "secret" not in run.stderr


def test_run_stops_at_start_when_nothing_listens_on_the_smtp_port(start_runs):
    """`poll --once` only queues (delivery is retried, `status` reports the waiting replies);
    `run`, which would retry it for ever, stops with exit 5 and one line naming host and port."""
    run = start_runs["smtp-unreachable"]["run"]
    assert isinstance(run, botrun.Run), run
    line = _one_line(run)
    assert run.returncode == 5, run
    assert "cannot reach SMTP server" in line and "127.0.0.1:" in line, run
    assert start_runs["smtp-unreachable"]["poll"].returncode == 0


# --- after a good start: retried, and `status` says why ----------------------------------


@pytest.fixture
def running_state():
    saved = dict(scheduler._RUNNING)
    scheduler._RUNNING.clear()  # no leader or bot left behind by a run_forever of another test
    yield scheduler._RUNNING
    scheduler._drop_mailbox()
    scheduler._RUNNING.clear()
    scheduler._RUNNING.update(saved)


def test_network_trouble_after_start_is_retried_and_status_shows_it(tmp_path, imap_mailbox, smtp, monkeypatch,
                                                                   running_state):
    installed = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)
    for name, value in installed.env.items():
        monkeypatch.setenv(name, value)
    good = config.load(installed.config, storage=installed.storage)
    operations.check_servers(good)  # what `run` does first: it passes
    bot = open_bot(good)
    clock = [NOW]
    running_state.update(bot=bot, clock=lambda: clock[0])
    try:
        scheduler.poll_job()
        assert operations.status(bot, now=NOW).poll.error is None

        # the server goes away: the poll fails, is not raised, and waits for a retry
        scheduler._drop_mailbox()
        assert good.imap is not None
        bot.config = replace(good, imap=replace(good.imap, port=servers.free_port()))
        clock[0] = NOW + timedelta(minutes=1)
        scheduler.poll_job()
        assert running_state["failures"] == 1 and running_state["retry_at"] is not None
        st = operations.status(bot, now=clock[0])
        assert st.poll.error and "cannot reach IMAP server" in st.poll.error
        assert st.poll.error_at == clock[0]

        result = CliRunner().invoke(cli, ["--config", str(installed.config), "--storage", str(installed.storage),
                                          "--now", clock[0].isoformat(), "status"], catch_exceptions=False)
        assert "fout bij ophalen:" in result.stdout and "cannot reach IMAP server" in result.stdout, result.stdout

        # back again: the next poll succeeds and the error is gone from status
        bot.config = good
        running_state["retry_at"] = None
        clock[0] = NOW + timedelta(minutes=2)
        scheduler.poll_job()
        assert running_state["failures"] == 0
        assert operations.status(bot, now=clock[0]).poll.error is None
    finally:
        bot.engine.dispose()
