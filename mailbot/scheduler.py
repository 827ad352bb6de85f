"""APScheduler wiring only: `run` calls the same run-once jobs as the CLI.

A failing poll (mail server down, network error) is logged and retried on
the next interval; the loop itself never dies on a network error.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler

from mailbot.errors import MailboxError, StorageError
from mailbot.service import Bot, poll_once

log = logging.getLogger("mailbot")


def poll_job(bot: Bot, clock: Callable[[], datetime]) -> None:
    try:
        results = poll_once(bot, now=clock())
        if results:
            log.info("poll: %d messages handled", len(results))
    except MailboxError as e:
        log.warning("poll failed, will retry: %s", e)
    except StorageError as e:
        log.error("storage error: %s", e)


def run_forever(bot: Bot, *, clock: Callable[[], datetime]) -> None:
    """Poll every `poll_interval` seconds until SIGTERM or Ctrl-C."""
    sched = BlockingScheduler(timezone=bot.config.event.timezone)
    sched.add_job(poll_job, "interval", seconds=bot.config.poll_interval, args=(bot, clock),
                  id="poll", max_instances=1, coalesce=True, next_run_time=clock())

    def stop(_signum, _frame) -> None:
        log.info("stopping")
        sched.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    log.info("running: polling every %ss", bot.config.poll_interval)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
