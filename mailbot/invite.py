"""`mailbot invite`: send the invitation to everyone on the invitee list.

Each invitee gets one mail from the `invitation` template (the numbered
programme and how to answer). With `plus_addressing` the Reply-To is a
personal address info+TOKEN@..., which later identifies the sender with
certainty. Every queued invitation is recorded with its token, so a rerun
never invites anyone twice; sending is paced to stay under provider limits.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import datetime

from sqlmodel import Session, select

from mailbot import db, store
from mailbot.jobs import all_sessions
from mailbot.mail.base import Outgoing
from mailbot.mail.compose import build, dutch_date, facts, render
from mailbot.service import Bot, make_sender


def reply_address(bot: Bot, token: str) -> str:
    local, _, domain = bot.knowledge.event.address.partition("@")
    return f"{local}+{token}@{domain}"


def _message(bot: Bot, invitee, token: str, now: datetime):
    ctx = {**facts(bot.knowledge), "name": invitee.name, "all_sessions": all_sessions(bot),
           "documents_date": dutch_date(bot.knowledge.event.documents_deadline)}
    subject, text, html = render("invitation", ctx)
    msg = build(kind="invitation", to=(invitee.email,), subject=subject, text=text, html=html,
                knowledge=bot.knowledge, now=now)
    del msg["Auto-Submitted"]  # an invitation is written for a person, not an automatic reply
    if bot.knowledge.event.plus_addressing:
        msg["Reply-To"] = reply_address(bot, token)
    return msg


def invite(bot: Bot, *, now: datetime, dry_run: bool = False, per_minute: int = 30,
           limit: int | None = None, sleep=time.sleep) -> tuple[int, int]:
    """Invite everyone not yet invited; returns (invited now, invited before)."""
    with Session(bot.engine) as s:
        done = {r.email for r in s.exec(select(db.Invitation)).all()}
    todo = [i for i in bot.knowledge.invitees if i.email not in done][:limit]
    if dry_run:
        from mailbot.mail.outbox import FileOutbox

        out = FileOutbox(bot.config.outbox / "dry-run")
        out.send([Outgoing(n, "", (i.email,), bytes(_message(bot, i, "preview", now)))
                  for n, i in enumerate(todo, start=1)])
        return len(todo), len(done)
    sender = make_sender(bot.config)
    pause = 60.0 / per_minute if per_minute > 0 else 0.0
    sent = 0
    for inv in todo:
        token = secrets.token_hex(5)
        msg = _message(bot, inv, token, now)
        with Session(bot.engine) as s, s.begin():
            if s.exec(select(db.Invitation).where(db.Invitation.email == inv.email)).first():
                continue
            row = db.Outbox(message_id=msg["Message-ID"], kind="invitation", to=json.dumps([inv.email]),
                            subject=msg["Subject"], dedupe=f"invitation:{inv.email}", raw=bytes(msg), created_at=now)
            store.enqueue(s, row)
            s.add(db.Invitation(email=inv.email, token=token, outbox_message_id=msg["Message-ID"], created_at=now))
            s.flush()
            out = Outgoing(row.id or 0, row.message_id, (inv.email,), row.raw)
        result = sender.send([out])[0]
        with Session(bot.engine) as s, s.begin():
            row2 = s.get(db.Outbox, out.id)
            if row2 is not None:
                row2.attempts += 1
                row2.status = "sent" if result.ok else ("failed" if result.permanent else "queued")
                row2.sent_at = now if result.ok else None
                row2.last_error = result.error
                s.add(row2)
        sent += 1
        if pause and sent < len(todo):
            sleep(pause)
    return sent, len(done)
