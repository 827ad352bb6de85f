"""APScheduler wiring only: `run` calls the same run-once jobs as the CLI.

Jobs live in the bot's own database (SQLAlchemyJobStore) on SQLite, in memory
per instance on PostgreSQL, in Europe/Amsterdam time: polling every
`poll_interval` seconds and, every minute, whatever the agenda says is due
(reminders, the daily digest). Whether a reminder or digest was already sent
is recorded by the job itself (jobs.run_due), so a restart, a catch-up after
downtime or a second instance never repeats one. Of several instances only
the leader (mailbot.leader) polls and runs jobs; the others stand by and take
over when it stops or dies.
A failing poll is logged, kept for `mailbot status` and retried on the next
interval; the loop never dies on a network error. (A setting that can never
work is found before the loop starts: the CLI checks the logins first.)
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.exc import DBAPIError

from mailbot.core.retry import backoff_seconds
from mailbot.errors import DeliveryError, MailboxError, StorageError
from mailbot.operations import note_poll_failure, poll
from mailbot.service import Bot, make_mailbox

log = logging.getLogger("mailbot")
DUE_INTERVAL = 60  # seconds between agenda checks

# The running bot: scheduled jobs are stored by reference ("mailbot.scheduler:poll_job"),
# so they cannot carry the bot itself as an argument.
_RUNNING: dict[str, object] = {}


def tick(bot: Bot, now: datetime) -> None:
    """One cycle of everything: poll, then whatever is due."""
    from mailbot.jobs import run_due

    try:
        results = poll(bot, now=now)
        if results:
            log.info("poll: %d messages handled", len(results))
    except (MailboxError, DeliveryError) as e:
        log.warning("poll failed, will retry: %s", e)  # operations.poll kept it for `status`
    try:
        for r in run_due(bot, now=now):
            log.info("%s %s sent: %d mails", r.job, r.slot, r.queued)
    except StorageError as e:
        log.error("storage error: %s", e)


_POLL_LOCK = threading.Lock()


def _leading() -> bool:
    """False while another instance leads (mailbot.leader): a follower neither polls nor runs jobs."""
    leadership = _RUNNING.get("leader")
    return leadership is None or leadership.is_leader()  # type: ignore[attr-defined]


def poll_job() -> None:
    """Poll unless a previous failure asked to wait; the IDLE thread and the timer share it."""
    if not _leading():
        with _POLL_LOCK:
            _drop_mailbox()  # a follower keeps no connection to the mailbox
        return
    bot, clock = _RUNNING["bot"], _RUNNING["clock"]
    with _POLL_LOCK:
        now = clock()  # type: ignore[operator]
        retry_at = _RUNNING.get("retry_at")
        # checked under the lock: two callers (timer, IDLE) must not both count one outage
        if not _leading() or (retry_at is not None and now < retry_at):  # type: ignore[operator]
            return
        try:
            results = _poll_kept(bot, now)  # type: ignore[arg-type]
            _RUNNING["failures"] = 0
            _RUNNING["retry_at"] = None
            if results:
                log.info("poll: %d messages handled", len(results))
        except (MailboxError, DeliveryError) as e:
            failures = int(_RUNNING.get("failures") or 0) + 1  # type: ignore[call-overload]
            _RUNNING["failures"] = failures
            wait = backoff_seconds(failures + 1, base=5.0, cap=600.0, draw=random.random())
            _RUNNING["retry_at"] = now + timedelta(seconds=wait)
            log.warning("poll failed (%d in a row), retry in %.0f s: %s", failures, wait, e)
            note_poll_failure(bot, now, e)  # type: ignore[arg-type]  # `status` shows it
        except StorageError as e:
            log.error("storage error: %s", e)
        except DBAPIError as e:  # database server unreachable or restarting: next interval
            log.error("database error, will retry: %s", str(e).splitlines()[0])


def _poll_kept(bot: Bot, now: datetime) -> list:
    """poll_once over the IMAP connection kept open since the last poll.

    An idle poll then costs a NOOP and a UID SEARCH instead of a connection,
    TLS, LOGIN and SELECT. A connection the server dropped meanwhile is
    replaced at once, in the same poll. The Maildir is opened per poll.
    """
    if bot.config.imap is None:
        return poll(bot, now=now)
    kept = _RUNNING.get("mailbox")
    if kept is not None:
        try:
            kept.refresh()  # type: ignore[attr-defined]
            return poll(bot, now=now, mailbox=kept)  # type: ignore[arg-type]
        except MailboxError as e:
            log.info("IMAP connection from the last poll failed (%s); reconnecting", e)
            _drop_mailbox()
    fresh = make_mailbox(bot.config)
    _RUNNING["mailbox"] = fresh
    try:
        return poll(bot, now=now, mailbox=fresh)
    except MailboxError:
        _drop_mailbox()
        raise


def _drop_mailbox() -> None:
    kept = _RUNNING.pop("mailbox", None)
    if kept is not None:
        kept.close()  # type: ignore[attr-defined]


def idle_poll() -> None:
    """New mail reported over IDLE: the server is evidently reachable, so any backoff ends."""
    _RUNNING["retry_at"] = None
    poll_job()


def due_job() -> None:
    from mailbot.jobs import run_due

    if not _leading():
        return
    bot, clock = _RUNNING["bot"], _RUNNING["clock"]
    try:
        for r in run_due(bot, now=clock()):  # type: ignore[arg-type, operator]
            log.info("%s %s sent: %d mails", r.job, r.slot, r.queued)
    except Exception:  # a bug in one job must not stop the bot; it is retried next minute
        log.exception("scheduled job failed")


HEARTBEAT = 1.0  # seconds: the longest the scheduler's loop waits, so a signal is seen soon


def _heartbeat() -> None:
    """Nothing: its schedule wakes the main thread (see run_forever)."""


def run_forever(bot: Bot, *, clock: Callable[[], datetime], frozen: bool = False) -> None:
    """Run until SIGTERM or Ctrl-C. With a frozen clock (--now) nothing can become due later,
    so one tick is run and `run` returns."""
    if frozen:
        tick(bot, clock())
        return
    from mailbot import leader

    _RUNNING.update(bot=bot, clock=clock)
    if bot.engine.dialect.name == "sqlite":
        jobstore = SQLAlchemyJobStore(engine=bot.engine, tablename="apscheduler_jobs")
    else:
        # Several instances may share a server database. A shared APScheduler table would let
        # one instance's (follower's) run of a job push back the next run of the others', so
        # each instance keeps its own schedule; the jobs are re-added at every start anyway.
        jobstore = MemoryJobStore()
    sched = BlockingScheduler(
        timezone=bot.config.event.timezone,
        jobstores={"default": jobstore, "volatile": MemoryJobStore()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": bot.config.poll_interval},
    )
    sched.add_job("mailbot.scheduler:poll_job", "interval", seconds=bot.config.poll_interval, id="poll",
                  replace_existing=True, next_run_time=clock())
    sched.add_job("mailbot.scheduler:due_job", "interval", seconds=DUE_INTERVAL, id="due",
                  replace_existing=True, next_run_time=clock())
    # Python runs a signal handler in the main thread, the scheduler's loop, but the kernel
    # may deliver SIGTERM to any thread; the loop would then notice it only at its next job
    # (up to a minute). A no-op every second keeps the wait short: a stop takes about 1 s.
    sched.add_job(_heartbeat, "interval", seconds=HEARTBEAT, id="heartbeat", jobstore="volatile",
                  replace_existing=True)

    def took_over(leading: bool) -> None:
        """Just became the leader: poll and look at the agenda now, not at the next interval."""
        if not leading:
            return
        for job_id in ("poll", "due"):
            try:
                sched.modify_job(job_id, next_run_time=clock())
            except JobLookupError:
                pass

    leadership = leader.for_engine(bot.engine, on_change=took_over).start()
    _RUNNING["leader"] = leadership
    if not leadership.is_leader():
        log.info("another instance leads; standing by to take over (%s)", leadership.kind)

    watcher = None
    if bot.config.imap is not None:
        from mailbot.mail.idle import IdleWatcher

        watcher = IdleWatcher(bot.config.imap, on_new=idle_poll)
        watcher.start()

    def stop(_signum, _frame) -> None:
        log.info("stopping")
        if watcher is not None:
            watcher.stop()
        sched.pause()  # no new job submissions from here on
        # A job being submitted at this very moment would hit the closing executor; APScheduler
        # logs that as an error with a traceback, though nothing is lost (the job simply does not run).
        logging.getLogger("apscheduler.scheduler").setLevel(logging.CRITICAL)
        sched.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("running: polling every %ss, agenda every %ss", bot.config.poll_interval, DUE_INTERVAL)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        with _POLL_LOCK:  # let a poll in flight finish before another instance may start one
            _drop_mailbox()
            leadership.stop()
            for key in ("leader", "bot", "clock", "failures", "retry_at"):
                _RUNNING.pop(key, None)  # a later run in this process starts clean
