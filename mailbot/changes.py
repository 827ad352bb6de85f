"""Carry out a change made by staff: the desk and the command line share this one path.

decide (core.staff_change) -> write the attendee and its history with the
staff member's name -> queue the usual mail with its calendar update ->
record the staff action; all in one transaction, so a refused or failed
change leaves nothing behind. Mail goes through the outbox like every other
mail: the runner sends it, with its limits and retries.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from mailbot import db, store
from mailbot.core.staff_change import AlreadyRecorded, Refused, StaffRequest, decide_staff
from mailbot.core.types import Decision, Mail
from mailbot.mail.compose import compose_reply
from mailbot.service import Bot, calendar_parts

__all__ = ["AlreadyRecorded", "Refused", "StaffRequest", "apply_change", "queue_replies", "StaleEdit"]

BUSY_TRIES = 3  # SQLite refuses a write at once when another process wrote since this one read


class StaleEdit(Refused):
    """Someone else saved this attendee after the form was opened."""


STALE = ("Iemand anders heeft deze deelnemer net gewijzigd. "
         "Uw wijziging is niet opgeslagen; open de deelnemer opnieuw.")


def apply_change(bot: Bot, req: StaffRequest, *, now: datetime, version: int | None = None,
                 via: str = "staff", review_id: int | None = None, mail: Mail | None = None,
                 s: Session | None = None) -> tuple[Decision, list[str]]:
    """Decide and record one staff change; returns the decision and the addresses mailed.

    `version` is the attendee's version the form was opened with: when another
    save came first, the change is refused (StaleEdit) instead of overwriting it.
    Refused and StaleEdit are raised before anything is written. Within a
    caller's open session `s`, the caller owns the transaction.
    """
    if s is not None:
        return _apply(s, bot, req, now=now, version=version, via=via, review_id=review_id, mail=mail)
    for attempt in range(BUSY_TRIES):
        try:
            with Session(bot.engine) as own, own.begin():
                return _apply(own, bot, req, now=now, version=version, via=via, review_id=review_id,
                              mail=mail)
        except OperationalError as e:
            if "locked" not in str(e) or attempt == BUSY_TRIES - 1:
                raise
    raise AssertionError("unreachable")


def _apply(s: Session, bot: Bot, req: StaffRequest, *, now: datetime, version: int | None, via: str,
           review_id: int | None, mail: Mail | None) -> tuple[Decision, list[str]]:
    row = s.exec(select(db.Attendee).where(db.Attendee.key == req.key)).first() if req.key else None
    if version is not None and row is not None and row.version != version:
        raise StaleEdit(STALE)
    decision = decide_staff(store.registry_view(s), req, bot.knowledge)
    if row is not None:
        _take_version(s, row, version)
    appends = store.Appends()
    store.apply(s, decision, message_id=mail.message_id if mail else None, now=now, appends=appends,
                actor=req.actor)
    for change in decision.changes:
        r = appends.attendees[change.attendee.key]
        if row is None:
            r.registered_via = via
            r.version = 1
            s.add(r)
    mailed = queue_replies(s, bot, decision, now=now, appends=appends, mail=mail)
    appends.write(s)
    first = decision.changes[0]
    detail = {"action": req.action, "attendee": first.attendee.name, "key": first.attendee.key,
              "what": first.what, "sessions": sorted(first.attendee.sessions), "mailed": mailed}
    s.add(db.StaffAction(review_id=review_id, actor=req.actor, action=f"attendee-{req.action}",
                         detail=json.dumps(detail, ensure_ascii=False), at=now))
    s.flush()
    return decision, mailed


def _take_version(s: Session, row: db.Attendee, version: int | None) -> None:
    """Raise the attendee's version in one statement that also checks it: of two saves of the
    same form at the same moment, the database lets only one through (StaleEdit for the other)."""
    table = db.Attendee.__table__  # type: ignore[attr-defined]
    expected = row.version if version is None else version
    done = s.connection().execute(update(table).where(table.c.id == row.id, table.c.version == expected)
                                  .values(version=expected + 1))
    if done.rowcount != 1:
        raise StaleEdit(STALE)
    row.version = expected + 1  # what the database holds now; the flush writes the same value
    s.add(row)


def queue_replies(s: Session, bot: Bot, decision: Decision, *, now: datetime, appends: store.Appends,
                  mail: Mail | None = None, calendar: Decision | None = None) -> list[str]:
    """Queue the decision's replies, each with the calendar update of the people it changed.

    `calendar` names other changes to attach calendar items for: a confirmation that
    staff send again for a registration that did not change still carries its agenda item.
    """
    mailed: list[str] = []
    for reply in decision.replies:
        out = compose_reply(reply, mail, bot.knowledge, now)
        for name, data, method in calendar_parts(s, calendar or decision, bot.knowledge, now, appends,
                                                 kind=reply.kind):
            out.add_attachment(data, maintype="text", subtype="calendar", filename=name,
                               params={"method": method, "charset": "utf-8"})
        appends.add(db.Outbox, message_id=out["Message-ID"], kind=reply.kind, to=json.dumps(list(reply.to)),
                    subject=out["Subject"], in_reply_to=mail.message_id if mail else None,
                    source_message_id=mail.message_id if mail else None, raw=bytes(out), status="queued",
                    dedupe=None, next_attempt_at=None, attempts=0, last_error=None, created_at=now,
                    sent_at=None)
        mailed.extend(reply.to)
    return mailed
