"""APScheduler wiring only: `run` calls the same run-once jobs as the CLI.

Jobs live in the bot's own database (SQLAlchemyJobStore), in Europe/Amsterdam
time: polling every `poll_interval` seconds and, every minute, whatever the
agenda says is due (reminders, the daily digest). Whether a reminder or
digest was already sent is recorded by the job itself (jobs.run_due), so a
restart, a catch-up after downtime or a second instance never repeats one.
A failing poll is logged and retried on the next interval; the loop never
dies on a network error.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

from mailbot.core.retry import backoff_seconds
from mailbot.errors import DeliveryError, MailboxError, StorageError
from mailbot.service import Bot, poll_once

log = logging.getLogger("mailbot")
DUE_INTERVAL = 60  # seconds between agenda checks

# The running bot: scheduled jobs are stored by reference ("mailbot.scheduler:poll_job"),
# so they cannot carry the bot itself as an argument.
_RUNNING: dict[str, object] = {}


def tick(bot: Bot, now: datetime) -> None:
    """One cycle of everything: poll, then whatever is due."""
    from mailbot.jobs import run_due

    try:
        results = poll_once(bot, now=now)
        if results:
            log.info("poll: %d messages handled", len(results))
    except (MailboxError, DeliveryError) as e:
        log.warning("poll failed, will retry: %s", e)
    try:
        for r in run_due(bot, now=now):
            log.info("%s %s sent: %d mails", r.job, r.slot, r.queued)
    except StorageError as e:
        log.error("storage error: %s", e)


_POLL_LOCK = threading.Lock()


def poll_job() -> None:
    """Poll unless a previous failure asked to wait; the IDLE thread and the timer share it."""
    bot, clock = _RUNNING["bot"], _RUNNING["clock"]
    now = clock()  # type: ignore[operator]
    retry_at = _RUNNING.get("retry_at")
    if retry_at is not None and now < retry_at:  # type: ignore[operator]
        return
    with _POLL_LOCK:
        try:
            results = poll_once(bot, now=now)  # type: ignore[arg-type]
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
        except StorageError as e:
            log.error("storage error: %s", e)


def due_job() -> None:
    from mailbot.jobs import run_due

    bot, clock = _RUNNING["bot"], _RUNNING["clock"]
    try:
        for r in run_due(bot, now=clock()):  # type: ignore[arg-type, operator]
            log.info("%s %s sent: %d mails", r.job, r.slot, r.queued)
    except Exception:  # a bug in one job must not stop the bot; it is retried next minute
        log.exception("scheduled job failed")


def run_forever(bot: Bot, *, clock: Callable[[], datetime], frozen: bool = False) -> None:
    """Run until SIGTERM or Ctrl-C. With a frozen clock (--now) nothing can become due later,
    so one tick is run and `run` returns."""
    if frozen:
        tick(bot, clock())
        return
    _RUNNING.update(bot=bot, clock=clock)
    sched = BlockingScheduler(
        timezone=bot.config.event.timezone,
        jobstores={"default": SQLAlchemyJobStore(engine=bot.engine, tablename="apscheduler_jobs")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": bot.config.poll_interval},
    )
    sched.add_job("mailbot.scheduler:poll_job", "interval", seconds=bot.config.poll_interval, id="poll",
                  replace_existing=True, next_run_time=clock())
    sched.add_job("mailbot.scheduler:due_job", "interval", seconds=DUE_INTERVAL, id="due",
                  replace_existing=True, next_run_time=clock())

    watcher = None
    if bot.config.imap is not None:
        from mailbot.mail.idle import IdleWatcher

        watcher = IdleWatcher(bot.config.imap, on_new=poll_job)
        watcher.start()

    def stop(_signum, _frame) -> None:
        log.info("stopping")
        if watcher is not None:
            watcher.stop()
        sched.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("running: polling every %ss, agenda every %ss", bot.config.poll_interval, DUE_INTERVAL)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
