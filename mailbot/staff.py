"""Staff actions on review items and on personal data, each recorded with who and when.

Staff never touch the database by hand: they list and read review items,
resolve them (assign a municipality, set who comes to what, send the standard
confirmation, or just mark handled), and purge personal data after the event.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, select

from mailbot import db, store
from mailbot.core.mailfacts import read_mail
from mailbot.core.mailparse import parse
from mailbot.core.types import Reply
from mailbot.errors import MailbotError
from mailbot.mail.compose import compose_reply
from mailbot.service import Bot


class StaffError(MailbotError):
    """A staff command that cannot be carried out (unknown id, unknown session)."""


def open_items(bot: Bot) -> list[db.ReviewItem]:
    with Session(bot.engine) as s:
        return list(s.exec(select(db.ReviewItem).where(db.ReviewItem.resolved_at.is_(None))  # type: ignore[union-attr]
                           .order_by(db.ReviewItem.id)).all())


def item(s: Session, review_id: int) -> db.ReviewItem:
    row = s.get(db.ReviewItem, review_id)
    if row is None:
        raise StaffError(f"no review item {review_id}")
    return row


def raw_message(bot: Bot, review_id: int) -> bytes | None:
    with Session(bot.engine) as s:
        r = item(s, review_id)
        if not r.message_id:
            return None
        m = store.handled(s, r.message_id)
        return m.raw if m else None


def _attendees_of(s: Session, message_id: str | None) -> list[db.Attendee]:
    if not message_id:
        return []
    ids = {h.attendee_id for h in s.exec(select(db.History).where(db.History.message_id == message_id)).all()}
    return [a for a in (s.get(db.Attendee, i) for i in sorted(ids)) if a is not None]


def resolve(bot: Bot, review_id: int, *, actor: str, now: datetime, municipality: str | None = None,
            attendee: str | None = None, sessions: tuple[str, ...] | None = None,
            confirm: bool = False, note: str = "") -> list[str]:
    """Apply staff decisions to a review item and close it; returns what was done."""
    done: list[str] = []
    k = bot.knowledge
    with Session(bot.engine) as s, s.begin():
        r = item(s, review_id)
        people = _attendees_of(s, r.message_id)
        if municipality is not None:
            if municipality not in {m.slug for m in k.municipalities} | {"none"}:
                raise StaffError(f"unknown municipality {municipality!r}")
            for a in people:
                a.municipality = None if municipality == "none" else municipality
                a.needs_review = False
                a.updated_at = now
                s.add(a)
            done.append(f"municipality {municipality} for {len(people)} attendee(s)")
        if attendee is not None or sessions is not None:
            target = _find_attendee(s, attendee, people)
            if sessions is not None:
                unknown = set(sessions) - k.event.session_ids
                if unknown:
                    raise StaffError(f"unknown session {sorted(unknown)[0]!r}; known: {', '.join(sorted(k.event.session_ids))}")
                for link in s.exec(select(db.AttendeeSession).where(db.AttendeeSession.attendee_id == target.id)).all():
                    s.delete(link)
                for sid in sessions:
                    s.add(db.AttendeeSession(attendee_id=target.id or 0, session_id=sid))
                target.status = "registered"
            target.needs_review = False
            target.updated_at = now
            s.add(target)
            s.add(db.History(attendee_id=target.id or 0, what="changed", sessions=json.dumps(sorted(sessions or ())),
                             message_id=r.message_id, at=now))
            people = [target]
            done.append(f"attendee {target.name}: {', '.join(sessions or ()) or 'unchanged sessions'}")
        if confirm:
            m = store.handled(s, r.message_id) if r.message_id else None
            if m is None or m.raw is None:
                raise StaffError("the original message is not stored; cannot confirm")
            mail = read_mail(parse(m.raw), m.raw)
            s.flush()
            reg = {a.key: a for a in store.registry(s).attendees}
            ctx_people = [{"name": p.name, "role": p.role, "municipality": p.municipality, "status": p.status,
                           "sessions": sorted(reg[p.key].sessions), "what": "new"} for p in people]
            out = compose_reply(Reply("confirmation", mail.reply_addresses, "confirmation",
                                      {"people": ctx_people, "conflicts": {}}), mail, k, now)
            store.enqueue(s, db.Outbox(message_id=out["Message-ID"], kind="confirmation",
                                       to=json.dumps(list(mail.reply_addresses)), subject=out["Subject"],
                                       in_reply_to=mail.message_id, source_message_id=r.message_id,
                                       raw=bytes(out), created_at=now))
            done.append(f"confirmation queued to {', '.join(mail.reply_addresses)}")
        r.resolved_at, r.resolved_by = now, actor
        s.add(r)
        done.append("marked handled")
        s.add(db.StaffAction(review_id=review_id, actor=actor, action="resolve", detail="; ".join(done + ([note] if note else [])),
                             at=now))
    return done


def _find_attendee(s: Session, name: str | None, people: list[db.Attendee]) -> db.Attendee:
    if name is None:
        if len(people) == 1:
            return people[0]
        raise StaffError("say which attendee (--attendee NAME)")
    rows = [a for a in s.exec(select(db.Attendee)).all() if a.name.lower() == name.lower() or a.key == name.lower()]
    if len(rows) != 1:
        raise StaffError(f"{len(rows)} attendees match {name!r}")
    return rows[0]


def purge(bot: Bot, *, before: datetime, actor: str, now: datetime) -> dict[str, int]:
    """Delete personal data and raw messages recorded before `before`; returns counts."""
    counts: dict[str, int] = {}
    with Session(bot.engine) as s, s.begin():
        old = [a for a in s.exec(select(db.Attendee).where(db.Attendee.updated_at < before)).all()]
        for a in old:
            for link in s.exec(select(db.AttendeeSession).where(db.AttendeeSession.attendee_id == a.id)).all():
                s.delete(link)
            for h in s.exec(select(db.History).where(db.History.attendee_id == a.id)).all():
                s.delete(h)
            s.flush()  # children first: the foreign keys forbid deleting the attendee before them
            s.delete(a)
        counts["attendees"] = len(old)
        msgs = s.exec(select(db.InboundMessage).where(db.InboundMessage.received_at < before)).all()
        for m in msgs:
            # the Message-ID stays, so a purged message is never handled again
            m.raw, m.from_addr, m.subject = None, "", ""
            s.add(m)
        counts["messages"] = len(msgs)
        for table, col, key in ((db.OutboxRecipient, db.OutboxRecipient.created_at, "recipients"),
                                (db.Outbox, db.Outbox.created_at, "outbox"),
                                (db.ReviewItem, db.ReviewItem.created_at, "review"),
                                (db.MailNote, db.MailNote.at, "notes")):
            rows = s.exec(select(table).where(col < before)).all()
            for row in rows:
                s.delete(row)
            s.flush()  # recipients before the mail they belong to
            counts[key] = len(rows)
        s.add(db.StaffAction(actor=actor, action="purge", detail=json.dumps({"before": before.isoformat(), **counts}),
                             at=now))
    return counts
