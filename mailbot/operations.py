"""Operating the bot: health for monitoring, and rebuilding the registry from the mailbox.

The mailbox is the event log: handled mail stays in the processed folder, so
`rebuild` can replay it, in arrival order, into a fresh database without
sending anything, and reach the same registry as the live one.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from mailbot import db
from mailbot.config import Config
from mailbot.errors import MailboxError
from mailbot.leader import holder
from mailbot.mail.base import Fetched, Mailbox
from mailbot.service import Bot, open_bot, process

log = logging.getLogger("mailbot")


@dataclass(frozen=True)
class Status:
    last_poll: datetime | None
    queued: int
    failed: int
    review: int
    healthy: bool
    poller: str | None = None  # the instance that holds the poller lock (host:pid), if any


def status(bot: Bot, *, now: datetime) -> Status:
    """Health figures; unhealthy when the last successful poll is older than the configured bound."""
    with Session(bot.engine) as s:
        last = s.exec(select(func.max(db.MailboxState.last_poll_at))).one()
        queued = s.exec(select(func.count()).select_from(db.Outbox).where(db.Outbox.status == "queued")).one()
        failed = s.exec(select(func.count()).select_from(db.Outbox).where(db.Outbox.status == "failed")).one()
        review = s.exec(select(func.count()).select_from(db.ReviewItem)
                        .where(db.ReviewItem.resolved_at.is_(None))).one()  # type: ignore[union-attr]
    if last is not None and last.tzinfo is None:
        from datetime import UTC

        last = last.replace(tzinfo=UTC)
    healthy = last is not None and now - last <= timedelta(minutes=bot.config.status_max_age_minutes)
    return Status(last, int(queued), int(failed), int(review), healthy, holder(bot.engine))


def processed_mailbox(config: Config) -> Mailbox:
    """The processed folder, read-only, as a mailbox source."""
    if config.imap is not None:
        from mailbot.mail.imap import ImapMailbox

        return ImapMailbox(replace(config.imap, folder=config.imap.processed_folder), since=None,
                           max_bytes=config.max_message_bytes, read_only=True)
    from mailbot.mail.maildir import MaildirMailbox

    return MaildirMailbox(config.maildir, since=None, max_bytes=config.max_message_bytes, read_processed=True)


def rebuild(config: Config, *, progress: bool | None = None) -> tuple[Bot, int]:
    """Replay the processed folder into the database at config.storage (which must be new)."""
    if config.database_url.startswith("sqlite") and config.database.exists():
        raise MailboxError(f"rebuild needs an empty storage directory; {config.database} exists")
    bot = open_bot(config)
    box = processed_mailbox(config)
    fetched: list[Fetched] = []
    try:
        for batch in box.batches():
            fetched.extend(batch)
    finally:
        box.close()
    fetched.sort(key=lambda f: (f.received or datetime.min.replace(tzinfo=None).astimezone(), f.uid or 0))
    show = sys.stderr.isatty() if progress is None else progress
    import click

    items = click.progressbar(fetched, label="rebuild", file=sys.stderr) if show else None
    n = 0
    iterator = items if items is not None else fetched
    if items is not None:
        items.__enter__()
    try:
        for f in iterator:
            when = f.received or datetime.now().astimezone()
            process(bot, f.raw, now=when, source=box.source, fetched=replace(f, too_old=False))
            n += 1
            if items is None and n % 500 == 0:
                log.warning("rebuild: %d of %d messages", n, len(fetched))
    finally:
        if items is not None:
            items.__exit__(None, None, None)
    with Session(bot.engine) as s, s.begin():
        for row in s.exec(select(db.Outbox).where(db.Outbox.status == "queued")).all():
            row.status = "replayed"
            s.add(row)
    return bot, n
