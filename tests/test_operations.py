"""Operating the bot for real: IMAP IDLE wakes `run`, and `rebuild` replays the processed folder."""

from __future__ import annotations

import botrun
import faultkit
import pytest

pytestmark = pytest.mark.servers


def test_idle_wakes_run_for_a_new_reply(tmp_path, imap_mailbox, smtp):
    """With the poll interval at 300 s, only IMAP IDLE can explain a prompt answer:
    a reply APPENDed while `run` idles is confirmed without waiting for a poll."""
    bot = faultkit.make_bot(tmp_path, imap=imap_mailbox, smtp=smtp, poll_interval=300)
    with faultkit.Running.start(bot) as run:
        faultkit.wait_until(lambda: "running:" in run.stderr or "leader now" in run.stderr, 30,
                            what="run started")
        imap_mailbox.append("INBOX", botrun.corpus("003"))
        faultkit.wait_until(lambda: confirmed(smtp), 60, what="confirmation sent while idling")
        assert run.alive, run.stderr
    # the real clock may also make today's staff digest due; the reply must be there exactly once
    assert sum(m.rcpt_tos == ["e.meijer@helmond.nl"] for m in smtp.messages) == 1


def confirmed(smtp) -> bool:
    return any(m.rcpt_tos == ["e.meijer@helmond.nl"] for m in smtp.messages)


def test_rebuild_from_the_processed_folder_equals_the_live_registry(tmp_path, imap_mailbox, smtp):
    """The mailbox is the event log: after a live run, `rebuild --into` replays the
    processed folder into a fresh database, sends nothing, and reaches the same registry."""
    bot = faultkit.make_bot(tmp_path, imap=imap_mailbox, smtp=smtp)
    for case, n in (("019", 1), ("020", 1), ("024", 1), ("028", 1), ("028", 2), ("030", 1), ("030", 2)):
        imap_mailbox.append("INBOX", botrun.corpus(case, n))
    bot.poll()
    live = faultkit.actual_registry(bot.export())
    sent = len(smtp.messages)
    assert live and sent > 0

    rebuilt = botrun.Bot(bot.config, tmp_path / "rebuilt", bot.env, bot.now)
    run = bot.run("rebuild", "--into", str(rebuilt.storage))
    assert "berichten afgespeeld" in run.stdout
    assert faultkit.actual_registry(rebuilt.export()) == live
    assert len(smtp.messages) == sent  # nothing sent
    assert {o["status"] for o in rebuilt.export()["outbox"]} == {"replayed"}
