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

from sqlmodel import Session, select

from mailbot import db, store
from mailbot.core.staff_change import Refused, StaffRequest, decide_staff
from mailbot.core.types import Decision, Mail
from mailbot.mail.compose import compose_reply
from mailbot.service import Bot, calendar_parts

__all__ = ["Refused", "StaffRequest", "apply_change", "queue_replies", "StaleEdit"]


class StaleEdit(Refused):
    """Someone else saved this attendee after the form was opened."""


def apply_change(bot: Bot, req: StaffRequest, *, now: datetime, version: int | None = None,
                 via: str = "staff", review_id: int | None = None, mail: Mail | None = None,
                 s: Session | None = None) -> tuple[Decision, list[str]]:
    """Decide and record one staff change; returns the decision and the addresses mailed.

    `version` is the attendee's version the form was opened with: when another
    save came first, the change is refused (StaleEdit) instead of overwriting it.
    Within a caller's open session `s`, the caller owns the transaction.
    """
    if s is None:
        with Session(bot.engine) as own, own.begin():
            return apply_change(bot, req, now=now, version=version, via=via, review_id=review_id,
                                mail=mail, s=own)
    row = s.exec(select(db.Attendee).where(db.Attendee.key == req.key)).first() if req.key else None
    if version is not None and row is not None and row.version != version:
        raise StaleEdit("Iemand anders heeft deze deelnemer net gewijzigd. "
                        "Uw wijziging is niet opgeslagen; open de deelnemer opnieuw.")
    decision = decide_staff(store.registry_view(s), req, bot.knowledge)
    appends = store.Appends()
    store.apply(s, decision, message_id=mail.message_id if mail else None, now=now, appends=appends,
                actor=req.actor)
    for change in decision.changes:
        r = appends.attendees[change.attendee.key]
        if row is None:
            r.registered_via = via
        r.version = (r.version or 0) + 1
        s.add(r)
    mailed = queue_replies(s, bot, decision, now=now, appends=appends, mail=mail)
    appends.write(s)
    detail = {"action": req.action, "attendee": decision.changes[0].attendee.name,
              "what": decision.changes[0].what, "sessions": sorted(decision.changes[0].attendee.sessions),
              "mailed": mailed}
    s.add(db.StaffAction(review_id=review_id, actor=req.actor, action=f"attendee-{req.action}",
                         detail=json.dumps(detail, ensure_ascii=False), at=now))
    return decision, mailed


def queue_replies(s: Session, bot: Bot, decision: Decision, *, now: datetime, appends: store.Appends,
                  mail: Mail | None = None) -> list[str]:
    """Queue the decision's replies, each with the calendar update of the people it changed."""
    mailed: list[str] = []
    for reply in decision.replies:
        out = compose_reply(reply, mail, bot.knowledge, now)
        for name, data, method in calendar_parts(s, decision, bot.knowledge, now, appends):
            out.add_attachment(data, maintype="text", subtype="calendar", filename=name,
                               params={"method": method, "charset": "utf-8"})
        appends.add(db.Outbox, message_id=out["Message-ID"], kind=reply.kind, to=json.dumps(list(reply.to)),
                    subject=out["Subject"], in_reply_to=mail.message_id if mail else None,
                    source_message_id=mail.message_id if mail else None, raw=bytes(out), status="queued",
                    dedupe=None, next_attempt_at=None, attempts=0, last_error=None, created_at=now,
                    sent_at=None)
        mailed.extend(reply.to)
    return mailed
