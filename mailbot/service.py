"""The shell's orchestration: one pipeline, written once, used by every source.

    fetch -> classify -> understand -> decide
          -> record + queue replies (one transaction) -> send -> acknowledge

`process` handles one raw message; `poll_once` runs it over a mailbox batch by
batch; `flush_outbox` sends what is queued. A crash at any point loses
nothing: a message is acknowledged on the server only after its transaction
committed, and queued replies survive in the database until they are sent.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import json
import logging
import random
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from mailbot import db, failpoints, store
from mailbot.config import Config
from mailbot.core.decide import decide
from mailbot.core.prepare import Prepared, prepare
from mailbot.core.retry import backoff_seconds
from mailbot.core.types import Decision, Knowledge, ReviewItem
from mailbot.errors import ConfigError
from mailbot.mail.base import Fetched, Mailbox, Outgoing, Sender
from mailbot.mail.compose import compose_reply
from mailbot.readers import Readers, default_workers

log = logging.getLogger("mailbot")
MEMORY_REGISTRY_FROM = 16  # batches of at least this many messages load the registry once
AUTOMATIC_REPLIES = ("confirmation", "acknowledgement", "clarification")  # what the daily limit counts
REPLY_WINDOW = timedelta(hours=24)  # the daily reply limit looks this far back
EXPECT_RUN = 64  # a large batch asks for duplicates and reply counts this many messages at a time


@dataclass(frozen=True)
class Result:
    message_id: str
    outcome: str  # recorded | ignored | review | duplicate | skipped | error
    replies: int = 0


@dataclass
class Bot:
    """The bot's dependencies, built once by the CLI and passed explicitly."""

    config: Config
    engine: Engine
    knowledge: Knowledge
    readers: Readers


def open_bot(config: Config) -> Bot:
    """Open the database (migrating it) and load the invitee list into the knowledge."""
    engine = db.open_database(config.database_url)
    with db.setup_lock(engine), Session(engine) as s, s.begin():
        if engine.dialect.name == "postgresql":
            # instances starting together load the invitee list one after the other
            s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": db.MIGRATION_LOCK})
        invitees = store.invitees(s)
        from mailbot.purge import invitees_purged  # a purged list stays purged

        if not invitees and config.invitees_file is not None and not invitees_purged(s):
            from mailbot.config import load_invitees

            store.import_invitees(s, load_invitees(config.invitees_file))
            s.flush()
            invitees = store.invitees(s)
        tokens = {r.token: r.email for r in s.exec(select(db.Invitation)).all()}
    knowledge = replace(config.knowledge, invitees=invitees, tokens=tokens)
    workers = config.reading_workers if config.reading_workers is not None else default_workers()
    return Bot(config, engine, knowledge, Readers(knowledge, workers))


def process(bot: Bot, raw: bytes, *, now: datetime, source: str = "file",
            fetched: Fetched | None = None) -> Result:
    """Handle one message in one transaction; never raises for a bad message."""
    pre = prepare(raw, bot.knowledge, read=_worth_reading(bot, raw, fetched))
    try:
        with Session(bot.engine) as s, s.begin():
            appends = store.Appends()
            result, line = _handle(s, bot, raw, pre, now=now, source=source, fetched=fetched, appends=appends)
            appends.write(s)
    except IntegrityError:
        # another instance recorded the same Message-ID at the same moment: it handles it
        return Result(pre.message_id, "duplicate")
    if line:
        log.info("%s", line)
    return result


def process_batch(bot: Bot, batch: list[Fetched], *, now: datetime, source: str) -> list[Result]:
    """Handle a mailbox batch in one transaction: one commit instead of one per message.

    Each message is decided on the registry as the earlier ones in the batch
    left it, exactly as if they had been committed one by one; the readings
    come from reader processes when the batch is large (mailbot.readers).
    Should the database refuse the batch (another instance recorded one of
    its messages at the same moment), nothing of it is kept and each message
    is handled again in its own transaction.
    """
    readings = bot.readers.prepare_all([(f.raw, _worth_reading(bot, f.raw, f)) for f in batch])
    try:
        with Session(bot.engine) as s, s.begin():
            appends = store.Appends()
            # a large batch decides on the registry held in memory; one message reads what it needs
            registry = store.BatchRegistry.load(s, appends) if len(batch) >= MEMORY_REGISTRY_FROM else None
            done = []
            pairs = zip(batch, readings, strict=True)
            while run := list(itertools.islice(pairs, EXPECT_RUN)):
                if registry is not None:  # lookups for the run at once, while the readers read on
                    appends.expect(s, [pre.message_id for _f, pre in run],
                                   [a for _f, pre in run if pre.mail for a in pre.mail.reply_addresses],
                                   kinds=AUTOMATIC_REPLIES, since=now - REPLY_WINDOW)
                done += [_handle(s, bot, f.raw, pre, now=now, source=source, fetched=f, appends=appends,
                                 registry=registry) for f, pre in run]
            appends.write(s)
    except IntegrityError:
        log.info("batch of %d refused by the database; handling its messages one by one", len(batch))
        return [process(bot, f.raw, now=now, source=source, fetched=f) for f in batch]
    for _result, line in done:
        if line:
            log.info("%s", line)
    return [result for result, _line in done]


def _worth_reading(bot: Bot, raw: bytes, fetched: Fetched | None) -> bool:
    """Mail that will not be answered (too old, too large) is recorded without being understood."""
    return not (fetched is not None and fetched.too_old) and not _too_large(bot, raw, fetched)


def _too_large(bot: Bot, raw: bytes, fetched: Fetched | None) -> bool:
    return (fetched is not None and fetched.oversized) or len(raw) > bot.config.max_message_bytes


def _decision(s: Session, bot: Bot, raw: bytes, pre: Prepared, fetched: Fetched | None,
              registry: store.BatchRegistry | None) -> tuple[Decision, str]:
    """The decision on one message and its kind; what cannot be read or decided goes to review."""
    mid = pre.message_id
    if pre.error is not None:
        log.error("cannot handle message %s: %s", mid, pre.trace or pre.error)
        return _unreadable(pre.error), "unreadable"
    assert pre.mail is not None
    if fetched is not None and fetched.too_old:
        return Decision("skipped", rules=("older-than-process-since",)), "old"
    if _too_large(bot, raw, fetched):
        size = fetched.size if fetched is not None and fetched.size else len(raw)
        return Decision("review", review=(ReviewItem(
            "Bericht te groot om automatisch te verwerken; alleen de kopregels zijn gelezen.",
            f"{size / 1e6:.1f} MB: {pre.mail.subject}"),), rules=("too-large",)), "too-large"
    try:
        assert pre.reading is not None
        decision = decide(registry or store.registry_view(s), pre.reading, bot.knowledge)
    except Exception as e:  # a bug or hostile input: shunt to review, go on
        log.exception("cannot handle message %s", mid)
        return _unreadable(f"{type(e).__name__}: {e}"), "unreadable"
    return decision, pre.reading.classification.kind


def _unreadable(summary: str) -> Decision:
    return Decision("error", review=(ReviewItem("Bericht kon niet worden gelezen.", summary),), rules=("error",))


def _handle(s: Session, bot: Bot, raw: bytes, pre: Prepared, *, now: datetime, source: str,
            fetched: Fetched | None, appends: store.Appends,
            registry: store.BatchRegistry | None = None) -> tuple[Result, str]:
    """Decide one message and write the outcome into the open transaction `s` (the rows it
    only appends into `appends`, for the caller to write); returns the result and the line to
    log once it is committed. Without a batch's `registry` in memory, the decision reads
    the attendees it asks for from the database."""
    mid = pre.message_id
    with s.no_autoflush:  # an indexed lookup: what is pending to flush cannot change its answer
        if appends.seen(s, mid):
            return Result(mid, "duplicate"), ""
    mail = pre.mail
    decision, kind = _decision(s, bot, raw, pre, fetched, registry)
    from_addr = mail.from_addr if mail else ""
    appends.add(db.InboundMessage, message_id=mid, source=source, uidvalidity=fetched.uidvalidity if fetched else None,
                uid=fetched.uid if fetched else None, size=len(raw), received_at=now,
                sent_at=_aware(mail.date) if mail and mail.date else None, from_addr=from_addr,
                subject=(mail.subject if mail else "")[:500], outcome=decision.outcome, kind=kind,
                rules=json.dumps(list(decision.rules)), raw=raw if decision.outcome in ("review", "error") else None)
    store.apply(s, decision, message_id=mid, now=now, appends=appends, registry=registry)
    if registry is not None:
        registry.record(decision)
    for note in decision.notes:
        appends.add(db.MailNote, address=note.address, kind=note.kind, detail=note.detail, message_id=mid, at=now)
    reviews = [(item.reason, item.summary) for item in decision.review]
    for reply in decision.replies:
        if over_reply_limit(s, reply.to, bot.config.max_replies_per_address_per_day, now, appends):
            reviews.append(("Te veel automatische antwoorden aan dit adres vandaag; niet beantwoord.",
                            ", ".join(reply.to)))
            continue
        try:
            out = compose_reply(reply, mail, bot.knowledge, now)
            for name, data, method in calendar_parts(s, decision, bot.knowledge, now, appends, kind=reply.kind):
                out.add_attachment(data, maintype="text", subtype="calendar", filename=name,
                                   params={"method": method, "charset": "utf-8"})
            raw_out = bytes(out)
        except Exception as e:  # what was recorded stands; staff answer this one by hand
            log.exception("cannot compose the %s for message %s", reply.kind, mid)
            reviews.append(("Het antwoord kon niet worden opgesteld en is niet verzonden.",
                            f"{type(e).__name__}: {e}"[:300]))
            continue
        appends.add(db.Outbox, message_id=out["Message-ID"], kind=reply.kind, to=json.dumps(list(reply.to)),
                    subject=out["Subject"], in_reply_to=mail.message_id if mail else None, source_message_id=mid,
                    raw=raw_out, status="queued", dedupe=None, next_attempt_at=None, attempts=0,
                    last_error=None, created_at=now, sent_at=None)
    for reason, summary in reviews:
        appends.add(db.ReviewItem, message_id=mid, from_addr=from_addr, reason=reason, summary=summary,
                    created_at=now, resolved_at=None, resolved_by=None)
    line = (f"message {mid} from {mail.from_addr if mail else '?'}: {decision.outcome} "
            f"({', '.join(decision.rules)})")
    return Result(mid, decision.outcome, len(decision.replies)), line


def over_reply_limit(s: Session, to: tuple[str, ...], limit: int, now: datetime, appends: store.Appends) -> bool:
    """True when any recipient already got `limit` automatic replies in the last 24 hours
    (those queued earlier in this batch included)."""
    since = now - REPLY_WINDOW

    def earlier(addr: str) -> int:  # committed before this transaction: asked once per address
        if addr not in appends.replies_before:
            with s.no_autoflush:
                appends.replies_before[addr] = store.replies_since(s, addr, AUTOMATIC_REPLIES, since)
        return appends.replies_before[addr]

    return any(earlier(addr.lower()) + sum(appends.replies.get((addr.lower(), k), 0) for k in AUTOMATIC_REPLIES)
               >= limit for addr in to)


def calendar_parts(s: Session, decision: Decision, knowledge: Knowledge, now: datetime,
                   appends: store.Appends, kind: str = "") -> list[tuple[str, bytes, str]]:
    """An .ics per attendee whose registration was recorded, changed or cancelled, one each.

    The attendee's SEQUENCE goes up with every attachment sent, so agendas
    replace the earlier item instead of adding a second one. A clarification
    carries none: what it notes is not settled until the question is answered.
    """
    from mailbot.mail.calendar import filename, ics

    if kind == "clarification":
        return []
    parts = []
    done: set[str] = set()
    for ch in decision.changes:
        a = ch.attendee
        if ch.what not in ("new", "changed", "cancelled") or a.key in done:
            continue
        done.add(a.key)
        row = store.attendee_row(s, a.key, appends)
        if row is None or (ch.what == "cancelled" and row.ics_sequence == 0):
            continue  # never sent an agenda item: nothing to cancel
        seq = row.ics_sequence
        row.ics_sequence = seq + 1
        s.add(row)
        cancel = ch.what == "cancelled"
        parts.append((filename(a), ics(a, knowledge, sequence=seq, now=now, cancel=cancel),
                      "CANCEL" if cancel else "REQUEST"))
    return parts


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def make_sender(config: Config) -> Sender:
    if config.smtp is not None:
        from mailbot.mail.smtp import SmtpSender

        return SmtpSender(config.smtp, config.event.address)
    from mailbot.mail.outbox import FileOutbox

    return FileOutbox(config.outbox)


def make_mailbox(config: Config) -> Mailbox:
    if config.imap is not None:
        from mailbot.mail.imap import ImapMailbox

        return ImapMailbox(config.imap, since=config.process_since, max_bytes=config.max_message_bytes)
    from mailbot.mail.maildir import MaildirMailbox

    return MaildirMailbox(config.maildir, since=config.process_since, max_bytes=config.max_message_bytes)


# A sent mail, recorded with one statement built once (it runs once per mail sent)
_OUTBOX = db.Outbox.__table__  # type: ignore[attr-defined]
# a Core statement: marking a mail sent does not go through the ORM's bulk-update machinery
_MARK_SENT = (update(_OUTBOX).where(_OUTBOX.c.id == bindparam("oid"))
              .values(status="sent", sent_at=bindparam("now"), last_error=None, next_attempt_at=None,
                      attempts=_OUTBOX.c.attempts + 1))

# One flush at a time in this process: the poll thread and the scheduler's reminder/digest jobs
# both flush, and on SQLite two flushes would otherwise select (and send) the same queued rows.
_FLUSH_LOCK = threading.Lock()


SEND_LOCK_WAIT = 300.0  # seconds a flush waits for another process's flush of the same SQLite store


def flush_outbox(bot: Bot, sender: Sender, *, now: datetime) -> tuple[int, int]:
    """Send every queued mail that is due; returns (sent, failed).

    On SQLite one flush at a time, in this process and across processes (`run`
    beside a `poll --once` or `ingest` by hand); PostgreSQL claims each row
    with SKIP LOCKED, so there concurrent flushes share the work instead.
    """
    if bot.engine.dialect.name == "postgresql":
        return _flush_outbox(bot, sender, now=now)
    with _FLUSH_LOCK, _send_lock(bot.engine) as held:
        if not held:
            log.warning("another mailbot process has been sending for %.0f s; queued mail waits for "
                        "the next flush", SEND_LOCK_WAIT)
            return 0, 0
        return _flush_outbox(bot, sender, now=now)


def _send_lock(engine) -> contextlib.AbstractContextManager[bool]:
    """Held while a process sends from a SQLite outbox: without it two processes would
    select the same queued mail and both send it. False if another process held it for
    SEND_LOCK_WAIT seconds."""
    return db.store_lock(engine, "send", SEND_LOCK_WAIT, on_wait=lambda: log.info(
        "another mailbot process is sending; waiting for it to finish"))


def _flush_outbox(bot: Bot, sender: Sender, *, now: datetime) -> tuple[int, int]:
    """Send every queued mail that is due; returns (sent, failed).

    A temporary failure (4xx, refused connection, timeout) stays queued with a
    later next_attempt_at (capped exponential backoff with jitter) until the
    mail is older than outbox_max_age_hours; a permanent failure (5xx), or
    running out of time, marks it failed and raises a review item.

    On PostgreSQL, where several instances may flush at once, each mail is
    claimed with SELECT ... FOR UPDATE SKIP LOCKED and stays locked from before
    it is sent until its outcome is committed, one mail per transaction: no two
    instances send the same mail, and a crash between the server's acceptance
    and the commit can repeat at most the one mail that was in flight.
    """
    sent = failed = 0
    max_age = timedelta(hours=bot.config.outbox_max_age_hours)
    seen: set[int] = set()

    def record(s: Session, results: list) -> None:
        nonlocal sent, failed
        for res in results:
            if res.ok:  # the common case, without loading the mail's bytes
                sent += s.exec(_MARK_SENT, params={"oid": res.id, "now": now}).rowcount  # type: ignore[call-overload]
                continue
            row = s.get(db.Outbox, res.id)
            if row is None:
                continue
            row.attempts += 1
            expired = now - _aware(row.created_at) > max_age
            if res.permanent or expired:
                row.status, row.last_error = "failed", res.error
                failed += 1
                reason = ("Antwoord kon niet worden bezorgd." if res.permanent else
                          f"Antwoord na {bot.config.outbox_max_age_hours} uur nog steeds niet bezorgd.")
                store.add_review(s, message_id=row.source_message_id, from_addr=", ".join(json.loads(row.to)),
                                 reason=reason, summary=res.error or "", now=now)
                log.warning("outbox %s to %s failed: %s", row.message_id, row.to, res.error)
            else:
                row.last_error = res.error
                row.next_attempt_at = now + timedelta(seconds=backoff_seconds(row.attempts, draw=random.random()))
                log.warning("outbox %s: temporary failure, retry from %s: %s", row.message_id,
                            row.next_attempt_at, res.error)
            s.add(row)

    if bot.engine.dialect.name == "postgresql":
        while True:
            with Session(bot.engine) as s, s.begin():
                rows = store.claim_queued(s, now=now, limit=1, exclude=seen)
                if not rows:
                    return sent, failed
                batch = [Outgoing(r.id or 0, r.message_id, tuple(json.loads(r.to)), r.raw) for r in rows]
                seen.update(o.id for o in batch)
                record(s, sender.send(batch))  # still locked: committed together with the outcome
    while True:
        with Session(bot.engine) as s:
            rows = [r for r in store.queued(s, now=now, limit=200) if r.id not in seen]
            batch = [Outgoing(r.id or 0, r.message_id, tuple(json.loads(r.to)), r.raw) for r in rows]
        if not batch:
            return sent, failed
        seen.update(o.id for o in batch)
        recorded: set[int] = set()

        def record_now(res, recorded: set[int] = recorded) -> None:
            # each accepted mail is committed before the next goes out: a kill repeats at most one
            with Session(bot.engine) as s, s.begin():
                record(s, [res])
            recorded.add(res.id)

        results = _send(sender, batch, record_now)
        late = [r for r in results if r.id not in recorded]
        if late:
            with Session(bot.engine) as s, s.begin():
                record(s, late)


def _send(sender: Sender, batch: list[Outgoing], on_result) -> list:
    """sender.send with the per-result callback, for senders that take one."""
    if "on_result" in inspect.signature(sender.send).parameters:
        return sender.send(batch, on_result=on_result)
    return sender.send(batch)


def poll_once(bot: Bot, *, now: datetime, mailbox: Mailbox | None = None,
              sender: Sender | None = None) -> list[Result]:
    """One cycle: send leftovers, then fetch, handle, send and acknowledge batch by batch."""
    sender = sender or make_sender(bot.config)
    own = mailbox is None
    mailbox = mailbox or make_mailbox(bot.config)
    results: list[Result] = []
    try:
        flush_outbox(bot, sender, now=now)
        with Session(bot.engine) as s, s.begin():
            st = store.mailbox_state(s, mailbox.source)
            mailbox.resume(st.uidvalidity, st.last_uid)
        for batch in mailbox.batches():
            results += process_batch(bot, batch, now=now, source=mailbox.source)
            failpoints.hit("after-record")
            flush_outbox(bot, sender, now=now)
            failpoints.hit("after-send")
            mailbox.acknowledge(batch)
            failpoints.hit("after-acknowledge")
            with Session(bot.engine) as s, s.begin():
                st = store.mailbox_state(s, mailbox.source)
                st.uidvalidity, st.last_uid = mailbox.position
                s.add(st)
        with Session(bot.engine) as s, s.begin():
            st = store.mailbox_state(s, mailbox.source)
            st.last_poll_at = now
            s.add(st)
    finally:
        if own:
            mailbox.close()
    return results


def export(bot: Bot) -> dict:
    """The state in the contract's JSON shape."""
    with Session(bot.engine) as s:
        reg = store.registry(s)
        attendees = [
            {"name": a.name, "role": a.role, "email": a.email, "municipality": a.municipality,
             "status": a.status, "sessions": sorted(a.sessions), "waitlist": sorted(a.waitlist), "needs_review": a.needs_review,
             "registered_by": a.registered_by, "remarks": list(a.remarks)}
            for a in reg.attendees
        ]
        outbox = [
            {"to": json.loads(r.to), "kind": r.kind, "subject": r.subject, "in_reply_to": r.in_reply_to,
             "status": r.status}
            for r in s.exec(select(db.Outbox).order_by(db.Outbox.id)).all()
        ]
        review = [
            {"id": r.id, "message_id": r.message_id, "from": r.from_addr, "reason": r.reason,
             "summary": r.summary}
            for r in s.exec(select(db.ReviewItem).where(db.ReviewItem.resolved_at.is_(None))
                            .order_by(db.ReviewItem.id)).all()
        ]
    return {"attendees": attendees, "outbox": outbox, "review": review}


def check_config(config: Config) -> None:
    if config.smtp is None and config.imap is not None:
        log.info("reading IMAP, writing replies to the file outbox %s", config.outbox)
    if not config.knowledge.event.sessions:
        raise ConfigError("event.sessions: no sessions")
