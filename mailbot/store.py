"""Reading and writing the registry: the only place that maps rows to core values.

Every function takes an open SQLModel session; the caller owns the
transaction, so a message's decision, its queued replies and its review items
are written together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, insert, inspect, or_
from sqlmodel import Session, select

from mailbot import db
from mailbot.core.types import Attendee, Decision, Invitee, Registry


def invitees(s: Session) -> tuple[Invitee, ...]:
    rows = s.exec(select(db.Invitee).order_by(db.Invitee.id)).all()
    return tuple(Invitee(r.name, r.role, r.municipality, r.email, r.secretary_email) for r in rows)


def import_invitees(s: Session, items: tuple[Invitee, ...]) -> tuple[int, int]:
    """Insert or update invitees by email; returns (added, updated)."""
    added = updated = 0
    existing = {r.email: r for r in s.exec(select(db.Invitee)).all()}
    for i in items:
        row = existing.get(i.email)
        if row is None:
            s.add(db.Invitee(name=i.name, role=i.role, municipality=i.municipality, email=i.email,
                             secretary_email=i.secretary_email))
            added += 1
        elif (row.name, row.role, row.municipality, row.secretary_email) != (
                i.name, i.role, i.municipality, i.secretary_email):
            row.name, row.role, row.municipality, row.secretary_email = (
                i.name, i.role, i.municipality, i.secretary_email)
            s.add(row)
            updated += 1
    return added, updated


def registry(s: Session) -> Registry:
    """Every attendee, read as plain column tuples: building ORM objects for a snapshot nobody
    writes back cost about 10x the query (0.15 s for 2,000 attendees, on every desk page)."""
    a, link = db.Attendee.__table__, db.AttendeeSession.__table__  # type: ignore[attr-defined]
    rows = s.connection().execute(select(a).order_by(a.c.id)).all()
    links = s.connection().execute(select(link.c.attendee_id, link.c.session_id, link.c.waitlisted)).all()
    return Registry(_build(rows, links))


def registry_for_counting(s: Session) -> Registry:
    """The registry without linked addresses and remarks (both JSON, most of the cost of
    reading 2,000 attendees): enough to count and address people, never to decide or write."""
    a, link = db.Attendee.__table__, db.AttendeeSession.__table__  # type: ignore[attr-defined]
    rows = s.connection().execute(select(a.c.id, a.c.key, a.c.name, a.c.role, a.c.email, a.c.municipality,
                                         a.c.status, a.c.registered_by, a.c.needs_review, a.c.organisation)
                                  .order_by(a.c.id)).all()
    seats: dict[int, set[str]] = {}
    for attendee_id, session_id in s.connection().execute(
            select(link.c.attendee_id, link.c.session_id).where(link.c.waitlisted.is_(False))).all():
        seats.setdefault(attendee_id, set()).add(session_id)
    return Registry(tuple(Attendee(r.key, r.name, r.role, r.email, r.municipality, r.status,
                                   frozenset(seats.get(r.id, ())), r.registered_by, r.needs_review,
                                   organisation=r.organisation) for r in rows))


def _all_rows(s: Session) -> tuple[list[db.Attendee], list[db.AttendeeSession]]:
    """Every attendee row (in the order recorded) and every session link."""
    return (list(s.exec(select(db.Attendee).order_by(db.Attendee.id)).all()),
            list(s.exec(select(db.AttendeeSession)).all()))


def _attendees(s: Session, rows: list[db.Attendee]) -> tuple[Attendee, ...]:
    ids = [r.id for r in rows if r.id is not None]
    links = s.exec(select(db.AttendeeSession).where(
        db.AttendeeSession.attendee_id.in_(ids))).all() if ids else []  # type: ignore[attr-defined]
    return _build(rows, links)


def _build(rows: list[db.Attendee], links) -> tuple[Attendee, ...]:
    """Core attendees from rows and their session links (seats and waiting-list places apart)."""
    seats: dict[int, set[str]] = {}
    waiting: dict[int, set[str]] = {}
    for link in links:
        (waiting if link.waitlisted else seats).setdefault(link.attendee_id, set()).add(link.session_id)
    return tuple(
        Attendee(r.key, r.name, r.role, r.email, r.municipality, r.status,
                 frozenset(seats.get(r.id or 0, ())), r.registered_by, r.needs_review,
                 frozenset(json.loads(r.addresses or "[]")), frozenset(waiting.get(r.id or 0, ())),
                 tuple(json.loads(r.remarks or "[]")), r.organisation)
        for r in rows)


class RegistryView(Registry):
    """The registry as `registry(s)` returns it, read on demand inside the open session.

    `find` and `find_by_address` (all a decision asks) query the one key or
    address instead of loading every attendee for every message, which made a
    backlog quadratic in the number of attendees. Anything else, such as
    iterating `attendees`, loads the full snapshot once. The answers are those
    of `registry(s)` taken at the same moment of the transaction.
    """

    def __init__(self, s: Session) -> None:  # no dataclass fields are set: `attendees` is a property
        object.__setattr__(self, "_s", s)
        object.__setattr__(self, "_all", None)
        object.__setattr__(self, "_keys", {})
        object.__setattr__(self, "_addresses", {})

    @property  # type: ignore[override]
    def attendees(self) -> tuple[Attendee, ...]:
        if self._all is None:
            object.__setattr__(self, "_all", registry(self._s).attendees)
        return self._all

    def find(self, key: str) -> Attendee | None:
        if self._all is not None:
            return super().find(key)
        if key not in self._keys:
            rows = list(self._s.exec(select(db.Attendee).where(db.Attendee.key == key)).all())
            self._keys[key] = _attendees(self._s, rows)[0] if rows else None
        return self._keys[key]

    def seats_taken(self, session_id: str) -> int:
        if self._all is not None:
            return super().seats_taken(session_id)
        q = (select(func.count()).select_from(db.AttendeeSession).join(db.Attendee)
             .where(db.AttendeeSession.session_id == session_id, db.AttendeeSession.waitlisted.is_(False),  # type: ignore[attr-defined]
                    db.Attendee.status == "registered"))
        return int(self._s.exec(q).one())

    def find_by_address(self, address: str) -> tuple[Attendee, ...]:
        if self._all is not None:
            return super().find_by_address(address)
        a = address.lower()
        if a not in self._addresses:
            # `addresses` holds a JSON list: the quoted address is a substring of it (a
            # superset on SQLite, whose LIKE ignores ASCII case); the exact test is below.
            rows = list(self._s.exec(select(db.Attendee).where(
                db.Attendee.addresses.contains(json.dumps(a), autoescape=True))  # type: ignore[attr-defined]
                .order_by(db.Attendee.id)).all())
            self._addresses[a] = tuple(x for x in _attendees(self._s, rows) if a in x.addresses)
        return self._addresses[a]


class BatchRegistry(Registry):
    """The registry held in memory for one batch: loaded with two queries, then kept current
    from each decision's changes (`record`), so deciding a message costs no query.

    Answers are those of `registry(s)` at the same point of the transaction: attendees in
    the order they were first recorded, found by key or by any linked address.
    """

    def __init__(self, attendees: tuple[Attendee, ...]) -> None:
        object.__setattr__(self, "_by_key", {})
        object.__setattr__(self, "_order", {})
        object.__setattr__(self, "_by_address", {})
        object.__setattr__(self, "_seats", {})
        # the session links behind it, for `apply` to change without looking them up
        object.__setattr__(self, "links", {})  # attendee id -> session id -> db.AttendeeSession
        for a in attendees:
            self._put(a)

    links: dict[int, dict[str, db.AttendeeSession]]

    @classmethod
    def load(cls, s: Session, appends: Appends) -> BatchRegistry:
        """The registry and the rows behind it: the attendee rows go into `appends.attendees`
        (where `attendee_row` looks first), the session links into `links`."""
        rows, links = _all_rows(s)
        reg = cls(_build(rows, links))
        appends.attendees.update((r.key, r) for r in rows)
        for link in links:
            reg.links.setdefault(link.attendee_id, {})[link.session_id] = link
        return reg

    @property  # type: ignore[override]
    def attendees(self) -> tuple[Attendee, ...]:
        return tuple(self._by_key.values())

    def find(self, key: str) -> Attendee | None:
        return self._by_key.get(key)

    def find_by_address(self, address: str) -> tuple[Attendee, ...]:
        keys = sorted(self._by_address.get(address.lower(), ()), key=self._order.__getitem__)
        return tuple(self._by_key[k] for k in keys)

    def seats_taken(self, session_id: str) -> int:
        return self._seats.get(session_id, 0)

    def record(self, decision: Decision) -> None:
        """The attendees as `apply` has just written them."""
        for change in decision.changes:
            self._put(change.attendee)

    def _put(self, a: Attendee) -> None:
        old = self._by_key.get(a.key)
        if old is not None:
            self._count(old, -1)
            for addr in old.addresses:
                self._by_address[addr].discard(a.key)
        self._order.setdefault(a.key, len(self._order))
        self._by_key[a.key] = a
        self._count(a, 1)
        for addr in a.addresses:
            self._by_address.setdefault(addr, set()).add(a.key)

    def _count(self, a: Attendee, sign: int) -> None:
        if a.status == "registered":
            for sid in a.sessions:
                self._seats[sid] = self._seats.get(sid, 0) + sign


def registry_view(s: Session) -> Registry:
    """The registry for one decision: like `registry(s)`, but reads only the attendees asked for."""
    return RegistryView(s)


def seen(s: Session, message_id: str) -> bool:
    """Whether a message with this Message-ID was handled (its stored bytes are not read)."""
    return message_id in seen_among(s, [message_id])


IN_CHUNK = 500  # values in one IN (...) list: well within SQLite's and PostgreSQL's limits


def seen_among(s: Session, message_ids: Iterable[str]) -> set[str]:
    """Which of these Message-IDs were handled: a batch's duplicate check in a query per
    IN_CHUNK messages instead of one per message."""
    ids = list(dict.fromkeys(message_ids))
    out: set[str] = set()
    for i in range(0, len(ids), IN_CHUNK):
        out.update(s.exec(select(db.InboundMessage.message_id).where(
            db.InboundMessage.message_id.in_(ids[i:i + IN_CHUNK]))).all())  # type: ignore[attr-defined]
    return out


def handled(s: Session, message_id: str) -> db.InboundMessage | None:
    return s.exec(select(db.InboundMessage).where(db.InboundMessage.message_id == message_id)).first()


class Appends:
    """Rows that handling mail only appends and never reads back before the commit
    (inbound messages, history, queued mail and its recipients, notes, review items),
    inserted together by `write` instead of one ORM object and flush at a time.

    What a later message in the same batch must know of them is kept here:
    which Message-IDs were handled, and how many replies went to an address.
    """

    ORDER = (db.InboundMessage, db.Outbox, db.OutboxRecipient, db.History, db.MailNote, db.ReviewItem)

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.attendees: dict[str, db.Attendee] = {}  # attendee rows by key in hand: loaded for a batch or written
        self.rows: dict[type, list[dict]] = {t: [] for t in self.ORDER}
        self.message_ids: set[str] = set()
        self.replies: dict[tuple[str, str], int] = {}  # (address, kind) -> queued in this batch
        self.replies_before: dict[str, int] = {}  # address -> automatic replies in the database already
        self.handled_before: dict[str, bool] = {}  # Message-ID -> in the database, as `expect` asked

    def seen(self, s: Session, message_id: str) -> bool:
        """Whether the message was handled, in this transaction or before it."""
        if message_id in self.message_ids:
            return True
        if message_id in self.handled_before:
            return self.handled_before[message_id]
        return seen(s, message_id)

    def expect(self, s: Session, message_ids: list[str], addresses: Iterable[str], *,
               kinds: tuple[str, ...], since: datetime) -> None:
        """Ask the database once for a run of messages: which of them were handled, and how
        many automatic replies went to their senders (other addresses are asked singly)."""
        found = seen_among(s, message_ids)
        self.handled_before.update((mid, mid in found) for mid in message_ids)
        fresh = [a for a in addresses if a.lower() not in self.replies_before]
        if fresh:
            self.replies_before.update(replies_since_among(s, fresh, kinds, since))

    def add(self, table: type, **values) -> None:
        self.rows[table].append(values)
        if table is db.InboundMessage:
            self.message_ids.add(values["message_id"])
        elif table is db.Outbox:
            for r in _recipients(values["message_id"], values["to"], values["kind"], values["created_at"]):
                key = (r["address"], r["kind"])
                self.replies[key] = self.replies.get(key, 0) + 1
                self.rows[db.OutboxRecipient].append(r)

    def write(self, s: Session) -> None:
        """Insert everything (parents before children), then start afresh."""
        s.flush()
        for table in self.ORDER:
            if self.rows[table]:
                s.exec(insert(table), params=self.rows[table])  # type: ignore[call-overload]
        self._clear()


def attendee_row(s: Session, key: str, appends: Appends) -> db.Attendee | None:
    """The attendee's row, from those this transaction already has in hand where it can."""
    row = appends.attendees.get(key)
    if row is None:
        row = s.exec(select(db.Attendee).where(db.Attendee.key == key)).first()
    return row


def apply(s: Session, decision: Decision, *, message_id: str | None, now: datetime, appends: Appends,
          registry: BatchRegistry | None = None, actor: str | None = None) -> None:
    """Write the attendee changes and their history of a decision. With the batch's
    `registry` (before it records this decision), a new attendee is known to have no row
    and no sessions yet, and is not looked up."""
    for change in decision.changes:
        a = change.attendee
        new = registry is not None and registry.find(a.key) is None
        row = None if new else attendee_row(s, a.key, appends)
        if row is None:
            row = db.Attendee(key=a.key, name=a.name, created_at=now, updated_at=now)
        row.name, row.role, row.email, row.municipality = a.name, a.role, a.email, a.municipality
        row.status, row.registered_by, row.needs_review = a.status, a.registered_by, a.needs_review
        row.addresses = json.dumps(sorted(a.addresses))
        row.remarks = json.dumps(list(a.remarks))
        row.organisation = a.organisation
        row.updated_at = now
        s.add(row)
        if row.id is None:
            s.flush()  # a new attendee: its id, for the session links and the history
        assert row.id is not None
        appends.attendees[a.key] = row
        if registry is not None:  # the batch's links in hand, kept current below
            current = registry.links.setdefault(row.id, {})
        else:
            current = {x.session_id: x for x in s.exec(
                select(db.AttendeeSession).where(db.AttendeeSession.attendee_id == row.id)).all()}
        wanted = {**{sid: False for sid in a.sessions}, **{sid: True for sid in a.waitlist}}
        gone = [sid for sid in current if sid not in wanted]
        for sid in gone:
            link = current.pop(sid)
            if inspect(link).pending:  # added earlier in this batch, never written
                s.expunge(link)
            else:
                s.delete(link)
        if gone:
            s.flush()  # deletes first, so a link taken back later in the batch is a plain insert
        for sid, link in current.items():
            if link.waitlisted != wanted[sid]:
                link.waitlisted = wanted[sid]
                s.add(link)
        for sid in set(wanted) - set(current):
            current[sid] = db.AttendeeSession(attendee_id=row.id, session_id=sid, waitlisted=wanted[sid],
                                              created_at=now)
            s.add(current[sid])
        if change.what != "unchanged":
            appends.add(db.History, attendee_id=row.id, what=change.what, sessions=json.dumps(sorted(a.sessions)),
                        message_id=message_id, actor=actor, at=now)


def add_review(s: Session, *, message_id: str | None, from_addr: str, reason: str, summary: str,
               now: datetime) -> None:
    s.add(db.ReviewItem(message_id=message_id, from_addr=from_addr, reason=reason, summary=summary,
                        created_at=now))


def enqueue(s: Session, row: db.Outbox) -> db.Outbox:
    """Queue a mail, with its recipients indexed for the daily reply limit."""
    s.add(row)
    for r in _recipients(row.message_id, row.to, row.kind, row.created_at):
        s.add(db.OutboxRecipient(**r))
    return row


def _recipients(message_id: str, to: str, kind: str, created_at: datetime) -> list[dict]:
    """The outbox_recipient rows of a mail (`to` is its JSON list of addresses)."""
    return [{"outbox_message_id": message_id, "address": address.lower(), "kind": kind, "created_at": created_at}
            for address in json.loads(to)]


def replies_since(s: Session, address: str, kinds: tuple[str, ...], since: datetime) -> int:
    """How many mails of `kinds` were queued to `address` after `since`."""
    return replies_since_among(s, [address], kinds, since)[address.lower()]


def replies_since_among(s: Session, addresses: Iterable[str], kinds: tuple[str, ...],
                        since: datetime) -> dict[str, int]:
    """`replies_since` for many addresses at once (lower-cased keys; 0 where none)."""
    addrs = list(dict.fromkeys(a.lower() for a in addresses))
    counts = dict.fromkeys(addrs, 0)
    for i in range(0, len(addrs), IN_CHUNK):
        counts.update(s.exec(select(db.OutboxRecipient.address, func.count()).where(
            db.OutboxRecipient.address.in_(addrs[i:i + IN_CHUNK]),  # type: ignore[attr-defined]
            db.OutboxRecipient.created_at > since,
            db.OutboxRecipient.kind.in_(kinds))  # type: ignore[attr-defined]
            .group_by(db.OutboxRecipient.address)).all())
    return counts


def queued(s: Session, *, now: datetime, limit: int = 500) -> list[db.Outbox]:
    """Queued mail whose next attempt is due."""
    return list(s.exec(select(db.Outbox).where(db.Outbox.status == "queued")
                       .where(or_(db.Outbox.next_attempt_at.is_(None),  # type: ignore[union-attr]
                                  db.Outbox.next_attempt_at <= now))  # type: ignore[operator]
                       .order_by(db.Outbox.id).limit(limit)).all())


def claim_queued(s: Session, *, now: datetime, limit: int = 1,
                 exclude: set[int] | frozenset[int] = frozenset()) -> list[db.Outbox]:
    """Like `queued`, but locks the rows it returns (SELECT ... FOR UPDATE SKIP LOCKED) until the
    caller's transaction ends: rows that another instance is sending are skipped, not waited for.

    PostgreSQL only (SQLite has no row locks and SQLAlchemy leaves the clause out there).
    """
    q = (select(db.Outbox).where(db.Outbox.status == "queued")
         .where(or_(db.Outbox.next_attempt_at.is_(None),  # type: ignore[union-attr]
                    db.Outbox.next_attempt_at <= now))  # type: ignore[operator]
         .order_by(db.Outbox.id).limit(limit).with_for_update(skip_locked=True))
    if exclude:
        q = q.where(db.Outbox.id.not_in(sorted(exclude)))  # type: ignore[union-attr]
    return list(s.exec(q).all())


def mailbox_state(s: Session, source: str) -> db.MailboxState:
    row = s.exec(select(db.MailboxState).where(db.MailboxState.source == source)).first()
    if row is None:
        row = db.MailboxState(source=source)
        s.add(row)
        s.flush()
    return row
