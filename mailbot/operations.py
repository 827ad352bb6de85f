"""Operating the bot: checking it can work, health for monitoring, and rebuilding the registry.

`check_servers` logs in once to each configured server, so that `run` stops at
start on a setting that can never work instead of retrying it for ever.
`poll` is the poll every command uses: `service.poll_once`, noting for
`status` what it left in the inbox (mail older than process_since) and why the
last attempt failed, if it did. `status` adds the outbox: mail queued too
long or failing again and again.

The mailbox is the event log: handled mail stays in the processed folder, so
`rebuild` can replay it, in arrival order, into a fresh database without
sending anything, and reach the same registry as the live one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, select

from mailbot import db
from mailbot.config import Config, SmtpSettings
from mailbot.errors import DeliveryError, MailboxError, StorageError
from mailbot.leader import holder
from mailbot.mail.base import Fetched, Mailbox, Sender
from mailbot.service import Bot, Result, make_mailbox, make_sender, open_bot, poll_once, process

log = logging.getLogger("mailbot")

# What the last poll saw is kept in one job_run row (job, slot), its detail a JSON object
# {"source", "old", "error", "error_at"}: no table of its own, so no schema change.
POLL_STATE = ("poll", "state")


@dataclass(frozen=True)
class Waiting:
    """Outgoing mail still queued after `stale_after_minutes`, or whose sending failed more than once."""

    count: int = 0
    oldest_since: datetime | None = None  # when the oldest of them was queued
    oldest_to: str = ""
    oldest_subject: str = ""
    last_error: str | None = None  # the oldest one's last error, if sending it failed


@dataclass(frozen=True)
class PollState:
    """What the last poll left in the inbox, and why the last attempt failed (None: it did not)."""

    source: str | None = None
    old: int | None = None  # mail older than process_since left in the inbox; None before any poll
    error: str | None = None
    error_at: datetime | None = None


@dataclass(frozen=True)
class Status:
    last_poll: datetime | None
    queued: int
    failed: int
    review: int
    healthy: bool  # a recent poll and no mail waiting too long
    poller: str | None = None  # the instance that holds the poller lock (host:pid), if any
    stale: bool = False  # no successful poll within status_max_age_minutes
    waiting: Waiting = Waiting()
    poll: PollState = PollState()


def status(bot: Bot, *, now: datetime) -> Status:
    """Health figures; unhealthy when the last successful poll is older than the configured
    bound, or when outgoing mail waits too long or keeps failing (see `waiting_mail`)."""
    with Session(bot.engine) as s:
        last = s.exec(select(func.max(db.MailboxState.last_poll_at))).one()
        queued = s.exec(select(func.count()).select_from(db.Outbox).where(db.Outbox.status == "queued")).one()
        failed = s.exec(select(func.count()).select_from(db.Outbox).where(db.Outbox.status == "failed")).one()
        review = s.exec(select(func.count()).select_from(db.ReviewItem)
                        .where(db.ReviewItem.resolved_at.is_(None))).one()  # type: ignore[union-attr]
        waiting = waiting_mail(s, now=now, stale_minutes=bot.config.outbox_stale_minutes)
        polled = poll_state(s)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    stale = last is None or now - last > timedelta(minutes=bot.config.status_max_age_minutes)
    return Status(last, int(queued), int(failed), int(review), not stale and waiting.count == 0,
                  holder(bot.engine), stale=stale, waiting=waiting, poll=polled)


def waiting_mail(s: Session, *, now: datetime, stale_minutes: int) -> Waiting:
    """Queued mail that has waited more than `stale_minutes` or failed more than once.

    A wrong SMTP port or a refused login does not stop a poll (delivery is
    retried), so this is where it shows: replies piling up. `status` exits 1
    for them and the digest names them.
    """
    Outbox = db.Outbox
    where = (Outbox.status == "queued",
             or_(Outbox.created_at <= now - timedelta(minutes=stale_minutes),  # type: ignore[arg-type]
                 and_(Outbox.attempts > 1, Outbox.last_error.is_not(None))))  # type: ignore[arg-type, union-attr]
    count = s.exec(select(func.count()).select_from(Outbox).where(*where)).one()
    if not count:
        return Waiting()
    oldest = s.exec(select(Outbox).where(*where)
                    .order_by(Outbox.created_at, Outbox.id)).first()  # type: ignore[arg-type]
    assert oldest is not None
    since = oldest.created_at if oldest.created_at.tzinfo else oldest.created_at.replace(tzinfo=UTC)
    return Waiting(int(count), since, ", ".join(json.loads(oldest.to)), oldest.subject, oldest.last_error)


def poll_state(s: Session) -> PollState:
    row = _poll_row(s)
    if row is None:
        return PollState()
    d = json.loads(row.detail or "{}")
    at = d.get("error_at")
    return PollState(d.get("source"), d.get("old"), d.get("error"), datetime.fromisoformat(at) if at else None)


def _poll_row(s: Session) -> db.JobRun | None:
    job, slot = POLL_STATE
    return s.exec(select(db.JobRun).where(db.JobRun.job == job, db.JobRun.slot == slot)).first()


def _save_poll_state(bot: Bot, now: datetime, change) -> None:
    """Apply `change` (PollState -> PollState) to the stored poll state; written only when it
    changes, so a quiet poll costs a read, not a write."""
    for _attempt in range(2):  # two processes creating the row at once: the loser updates it
        try:
            with Session(bot.engine) as s, s.begin():
                row = _poll_row(s)
                before = poll_state(s)
                after = change(before)
                if after == before and row is not None:
                    return
                detail = json.dumps({"source": after.source, "old": after.old, "error": after.error,
                                     "error_at": after.error_at.isoformat() if after.error_at else None})
                if row is None:
                    row = db.JobRun(job=POLL_STATE[0], slot=POLL_STATE[1], ran_at=now)
                row.ran_at, row.detail = now, detail
                s.add(row)
            return
        except IntegrityError:
            continue


def note_poll_failure(bot: Bot, now: datetime, error: Exception) -> None:
    """Keep why the last poll failed, for `status`; never raises (the database may be what failed)."""
    try:
        _save_poll_state(bot, now, lambda st: replace(st, error=str(error), error_at=now))
    except (SQLAlchemyError, StorageError) as e:
        log.debug("cannot record the poll failure: %s", e)


class _Counting:
    """A mailbox that counts the mail it leaves in the inbox: older than process_since, it
    is recorded as skipped but neither flagged nor moved (acknowledge leaves it alone)."""

    def __init__(self, inner: Mailbox) -> None:
        self.inner = inner
        self.source = inner.source
        self.old = 0  # left behind by the batches acknowledged in this poll
        self.from_start = True  # this poll reads the whole folder (Maildir, or IMAP from UID 1)

    def resume(self, uidvalidity: int | None, last_uid: int) -> None:
        self.inner.resume(uidvalidity, last_uid)  # type: ignore[attr-defined]
        self.from_start = self.position[1] == 0

    @property
    def position(self) -> tuple[int | None, int]:
        return self.inner.position  # type: ignore[attr-defined]

    def batches(self):
        return self.inner.batches()

    def acknowledge(self, batch: list[Fetched]) -> None:
        self.inner.acknowledge(batch)
        self.old += sum(1 for f in batch if f.too_old)

    def close(self) -> None:
        self.inner.close()

    def left_in_inbox(self, before: PollState, *, complete: bool) -> int | None:
        """Old mail in the inbox after this poll. A poll from the start saw all of it; an IMAP
        poll from the last UID sees only new mail, so the earlier count still stands."""
        earlier = (before.old or 0) if before.source == self.source else 0
        if self.from_start:
            return self.old if complete else (before.old if before.source == self.source else None)
        return earlier + self.old


def poll(bot: Bot, *, now: datetime, mailbox: Mailbox | None = None,
         sender: Sender | None = None) -> list[Result]:
    """`service.poll_once`, noting what it left in the inbox and, should it fail, why.

    `mailbox` (a connection kept open by `run`) is not closed; one opened here is.
    Raises what poll_once raises.
    """
    try:
        box = _Counting(mailbox or make_mailbox(bot.config))
    except (MailboxError, DeliveryError) as e:
        note_poll_failure(bot, now, e)
        raise
    try:
        results = poll_once(bot, now=now, mailbox=box, sender=sender)  # type: ignore[arg-type]
    except (MailboxError, DeliveryError) as e:
        error = str(e)
        try:
            _save_poll_state(bot, now, lambda st: PollState(box.source, box.left_in_inbox(st, complete=False),
                                                            error, now))
        except (SQLAlchemyError, StorageError) as db_error:
            log.debug("cannot record the poll failure: %s", db_error)
        raise
    finally:
        if mailbox is None:
            box.close()
    _save_poll_state(bot, now, lambda st: PollState(box.source, box.left_in_inbox(st, complete=True)))
    return results


def check_servers(config: Config) -> None:
    """Log in once to the IMAP and the SMTP server, where configured, and log out.

    `run` calls this at start: a setting that can never work (password variable
    not set, login refused, unknown host, nothing listening) stops it with one
    line, instead of being retried for ever. Raises ConfigError (a variable not
    set), MailboxError (IMAP) or DeliveryError (SMTP); the Maildir and the file
    outbox need no login.
    """
    if config.imap is not None:
        make_mailbox(config).close()
    if config.smtp is not None:
        sender = make_sender(config)  # ConfigError when the password variable is not set
        asyncio.run(_smtp_login(config.smtp, getattr(sender, "password", None)))


async def _smtp_login(s: SmtpSettings, password: str | None) -> None:
    """Connect, (STARTTLS,) log in as SmtpSender does, and quit; DeliveryError when that fails.

    A refused login reads as `poll --once` reports it (cli._delivery_check).
    """
    import aiosmtplib

    from mailbot.mail.smtp import tls_context

    client = aiosmtplib.SMTP(hostname=s.host, port=s.port, timeout=s.timeout, use_tls=s.tls == "ssl",
                             start_tls=s.tls == "starttls",
                             tls_context=tls_context(s.ca_file) if s.tls != "plain" else None)
    try:
        await client.connect()
        if s.user and s.oauth2 is not None:
            from mailbot.mail.oauth import token_source

            await client.auth_xoauth2(s.user, token_source(s.oauth2).token())
        elif s.user:
            await client.login(s.user, password or "")
    except aiosmtplib.SMTPResponseException as e:
        client.close()
        if isinstance(e, aiosmtplib.SMTPAuthenticationError) or e.code in (530, 534, 535):
            raise DeliveryError(f"SMTP login refused for {s.user} at {s.host} ({e.code}); "
                                "antwoorden blijven in de wachtrij tot dit is opgelost") from None
        raise DeliveryError(f"SMTP server {s.host}:{s.port} refused the session: {e.code} {e.message}") from None
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as e:
        client.close()
        raise DeliveryError(f"cannot reach SMTP server {s.host}:{s.port}: {e}") from None
    try:
        await client.quit()
    except (TimeoutError, aiosmtplib.SMTPException, OSError):
        client.close()


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


def status_lines(st: Status, config: Config) -> list[str]:
    """`status` as staff and monitoring read it: one "label: value" line each, Dutch, local times."""
    from mailbot.wording import local_time

    def when(d: datetime) -> str:
        return local_time(d, config.event.timezone)

    w = st.waiting
    lines = [f"laatste ophaalronde: {when(st.last_poll) if st.last_poll else 'nog nooit'}"]
    if st.poll.error and st.poll.error_at:
        lines.append(f"fout bij ophalen:    {when(st.poll.error_at)}: {st.poll.error}")
    lines.append(f"wachtrij uitgaand:   {st.queued}")
    waiting = f"wachtende mail:      {w.count}"
    if w.count:
        waiting += (f" langer dan {config.outbox_stale_minutes} minuten in de wachtrij of herhaaldelijk mislukt; "
                    f"oudste sinds {when(w.oldest_since) if w.oldest_since else '?'} aan {w.oldest_to}")
        if w.last_error:
            waiting += f"; fout: {w.last_error}"
    lines.append(waiting)
    lines.append(f"mislukt verzonden:   {st.failed}")
    lines.append(f"open ter controle:   {st.review}")
    since = f" ({config.process_since.isoformat()})" if config.process_since else ""
    lines.append("oude mail:           " + (
        f"{st.poll.old} ouder dan process_since{since}, ongelezen in de inbox gelaten"
        if st.poll.old is not None else "onbekend (nog niet opgehaald)"))
    lines.append(f"ophalende instantie: {st.poller or 'geen (geen draaiende mailbot run houdt de ophaalvergrendeling)'}")
    problems = []
    if st.stale:
        problems.append(f"NIET ACTUEEL (geen geslaagde ophaalronde in {config.status_max_age_minutes} minuten)")
    if w.count:
        problems.append(f"MAIL WACHT ({w.count} uitgaand langer dan {config.outbox_stale_minutes} minuten "
                        "in de wachtrij of herhaaldelijk mislukt)")
    lines.append("status:              " + ("; ".join(problems) or "ok"))
    return lines
