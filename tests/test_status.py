"""`mailbot status`: what monitoring and an operator read, and its exit code."""

from __future__ import annotations

import botrun

from mailbot import leader


def _lines(run: botrun.Run) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in run.stdout.splitlines())}


def test_status_before_any_poll_is_stale_and_says_so(tmp_path):
    bot = botrun.Bot.make(tmp_path)
    run = bot.run("status", check=False)
    assert run.returncode == 1, run
    fields = _lines(run)
    assert fields["laatste ophaalronde"] == "nog nooit"
    assert fields["status"].startswith("NIET ACTUEEL")
    assert fields["ophalende instantie"].startswith("geen")


def test_status_after_a_poll_is_ok_and_names_the_instance_that_polls(tmp_path):
    bot = botrun.Bot.make(tmp_path)
    bot.run("poll", "--once")
    fields = _lines(bot.run("status"))
    assert fields["status"] == "ok"
    assert fields["laatste ophaalronde"].startswith("do 16 nov 2017 ")
    assert fields["wachtrij uitgaand"] == "0" and fields["open ter controle"] == "0"
    assert fields["ophalende instantie"].startswith("geen")

    # a running instance holds the poller lock next to the database
    lock = leader.FileLock(bot.storage / "mailbot.sqlite3.leader")
    lock._try()
    try:
        assert _lines(bot.run("status"))["ophalende instantie"] == leader.instance_name()
    finally:
        lock._release()
    assert _lines(bot.run("status"))["ophalende instantie"].startswith("geen")
