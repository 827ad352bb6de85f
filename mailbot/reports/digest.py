"""The daily digest for staff: what changed, the head count, what waits for review
or has not been sent.

Built from the database since the previous digest; rendered from the
`digest` templates (text and HTML; the HTML draws the head count as a bar
chart made of table cells, which Outlook renders) with the attendee list
(xlsx) and the name cards (pdf) attached.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, select

from mailbot import db, store
from mailbot.mail.compose import build, dutch_date, facts, hhmm, render
from mailbot.reports import tables
from mailbot.service import Bot

BAR_WIDTH = 200  # pixels for the largest session


def context(bot: Bot, s: Session, now: datetime) -> dict:
    """Everything the digest shows, as plain data."""
    k = bot.knowledge
    last = s.exec(select(db.JobRun).where(db.JobRun.job == "digest", db.JobRun.ran_at < now)
                  .order_by(db.JobRun.ran_at.desc())).first()  # type: ignore[attr-defined]
    since = last.ran_at if last else None
    reg = store.registry(s)
    names = {m.slug: m.name for m in k.municipalities}
    by_id = {r.id: r for r in s.exec(select(db.Attendee)).all()}
    q = select(db.History).order_by(db.History.at, db.History.id)
    if since is not None:
        q = q.where(db.History.at > since)
    changes: dict[str, list[dict]] = {"new": [], "changed": [], "declined": [], "cancelled": []}
    for h in s.exec(q).all():
        a = by_id.get(h.attendee_id)
        if a is None or h.what not in changes:
            continue
        titles = [k.event.session(x).title for x in json.loads(h.sessions or "[]")]
        changes[h.what].append({"name": a.name, "municipality": names.get(a.municipality or "", "geen G32-gemeente"),
                                "sessions": ", ".join(titles) or "geen sessie gekozen"})
    counts = tables.head_counts(reg, k)
    biggest = max([c.registered for c in counts] + [c.capacity or 0 for c in counts] + [1])
    head = [{"title": c.session.title, "number": c.session.number, "start": hhmm(c.session.start),
             "registered": c.registered,
             "capacity": c.capacity, "over": c.over,
             "bar": max(2, round(BAR_WIDTH * c.registered / biggest)) if c.registered else 0,
             "rest": BAR_WIDTH - (max(2, round(BAR_WIDTH * c.registered / biggest)) if c.registered else 0)}
            for c in counts]
    review = [{"id": r.id, "reason": r.reason, "summary": r.summary, "from": r.from_addr}
              for r in s.exec(select(db.ReviewItem).where(db.ReviewItem.resolved_at.is_(None))  # type: ignore[union-attr]
                              .order_by(db.ReviewItem.id)).all()]
    registered_in = {a.municipality for a in reg.attendees if a.status == "registered"}
    members = [m for m in k.municipalities if m.status == "member"]
    candidates = [{"name": m.name, "registered": sum(1 for a in reg.attendees if a.status == "registered"
                                                       and a.municipality == m.slug)}
                  for m in k.municipalities if m.status == "candidate"]
    notes = s.exec(select(db.MailNote).order_by(db.MailNote.at)).all()
    return {
        "waiting": waiting_context(bot, s, now),
        **facts(k),
        "today": dutch_date(now.astimezone(bot_tz(bot)).date()),
        "since": dutch_date(since.astimezone(bot_tz(bot)).date()) if since else None,
        "changes": changes,
        "total": sum(1 for a in reg.attendees if a.status == "registered"),
        "declined_total": sum(1 for a in reg.attendees if a.status in ("declined", "cancelled")),
        "head": head,
        "review": review,
        # remarks of everyone still coming: diet, access, timing, company
        "remarks": [{"name": a.name, "remark": r} for a in reg.attendees if a.status == "registered"
                    for r in a.remarks],
        "missing": [m.name for m in members if m.slug not in registered_in],
        "candidates": candidates,
        "bounced": sorted({n.address for n in notes if n.kind == "bounce"}),
        "away": [{"address": n.address, "until": n.detail} for n in notes if n.kind == "away"],
    }


def waiting_context(bot: Bot, s: Session, now: datetime) -> dict | None:
    """Outgoing mail queued too long or failing again and again (operations.waiting_mail):
    how many, and the oldest; None when there is none."""
    from mailbot.operations import waiting_mail

    minutes = bot.config.outbox_stale_minutes
    w = waiting_mail(s, now=now, stale_minutes=minutes)
    if not w.count or w.oldest_since is None:
        return None
    since = w.oldest_since.astimezone(bot_tz(bot))
    return {"count": w.count, "minutes": minutes, "to": w.oldest_to, "subject": w.oldest_subject,
            "since": f"{dutch_date(since.date())} {hhmm(since)}", "error": w.last_error}


def bot_tz(bot: Bot):
    from zoneinfo import ZoneInfo

    return ZoneInfo(bot.knowledge.event.timezone)


def attachments(bot: Bot, s: Session) -> tuple:
    from mailbot.reports import exports, namecards

    reg = store.registry(s)
    xlsx = exports.to_xlsx(reg, bot.knowledge)
    parts: tuple = (("deelnemers.xlsx", "application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     xlsx),)
    if any(a.status == "registered" for a in reg.attendees):
        parts += (("naamkaartjes.pdf", "application", "pdf", namecards.namecards_pdf(reg, bot.knowledge)),)
    return parts


def render_digest(bot: Bot, s: Session, now: datetime) -> tuple[str, str, str]:
    return render("digest", context(bot, s, now))


def queue_digest(bot: Bot, s: Session, now: datetime) -> int:
    """Queue the digest to the staff addresses inside the caller's transaction."""
    to = tuple(bot.config.digest_to)
    if not to:
        return 0
    subject, text, html = render_digest(bot, s, now)
    msg = build(kind="digest", to=to, subject=subject, text=text, html=html, knowledge=bot.knowledge,
                now=now, attachments=attachments(bot, s))
    store.enqueue(s, db.Outbox(message_id=msg["Message-ID"], kind="digest", to=json.dumps(list(to)),
                               subject=subject, raw=bytes(msg), created_at=now))
    return 1
