"""Ter controle: what waits for staff, the message as received, what the bot read and did,
and the actions that resolve an item.

The actions call the functions `mailbot review` calls (mailbot.staff), so a
review item resolved here changes the registry exactly as on the command line,
and every action is recorded with who and when. The message is never shown raw:
its text part is escaped, or its HTML is cleaned by nh3 (no scripts, remote
images, forms or styles; links get rel=noopener), and the page forbids remote
images and foreign form targets on top of that.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.message import Message
from itertools import groupby

import nh3
from markupsafe import Markup
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from mailbot import db, staff
from mailbot.core.mailparse import parse
from mailbot.core.text import decode_bytes, decode_header_text
from mailbot.core.types import Knowledge
from mailbot.explain import HOW
from mailbot.service import Bot
from mailbot.web.common import back, bot, flash, now, page, user

# What may remain of a message's HTML: text structure, tables and plain links. No img (remote
# images tell the sender the mail was read), no form controls, no style (it can load URLs).
TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "li", "ol", "p", "pre", "q", "s", "small", "span",
        "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"},
              "ol": {"start"}}
# The message shown on the item page may still try: no remote image, no form sent elsewhere.
POLICY = "img-src 'self' data:; form-action 'self'; base-uri 'none'; object-src 'none'; frame-src 'none'"
HEADERS = (("From", "Van"), ("Reply-To", "Antwoord naar"), ("To", "Aan"), ("Cc", "Cc"), ("Date", "Datum"),
           ("Subject", "Onderwerp"))


def sanitise(html: str) -> str:
    """The message's HTML with only harmless structure left (see TAGS)."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow", strip_comments=True,
                     clean_content_tags={"script", "style", "title", "textarea", "select", "template"})


def message_view(raw: bytes) -> dict:
    """The message as received, for the page: headers, the text part (escaped by the template)
    or else the cleaned HTML, and the names of its attachments."""
    msg = parse(raw)
    headers = [(label, decode_header_text(msg.get(name))) for name, label in HEADERS if msg.get(name)]
    text: str | None = None
    html: str | None = None
    attachments: list[str] = []
    for part in _leaves(msg):
        ctype = part.get_content_type()
        filename = decode_header_text(part.get_filename()) if part.get_filename() else ""
        if filename or part.get_content_disposition() == "attachment" or ctype not in ("text/plain", "text/html"):
            attachments.append(filename or ctype)
            continue
        if ctype == "text/plain" and text is None:
            text = _decoded(part)
        elif ctype == "text/html" and html is None:
            html = _decoded(part)
    shown_text = text if text and text.strip() else None
    shown_html = Markup(sanitise(html)) if html and shown_text is None else None
    return {"headers": headers, "text": shown_text, "html": shown_html, "attachments": attachments}


def _leaves(part: Message):
    """The message's single parts; an attached message counts as one attachment."""
    if part.get_content_type() == "message/rfc822":
        yield part
        return
    if part.is_multipart():
        for child in part.get_payload() or ():
            if isinstance(child, Message):
                yield from _leaves(child)
        return
    yield part


def _decoded(part: Message) -> str:
    try:
        data = part.get_payload(decode=True) or b""
    except Exception:  # a broken transfer encoding: show what there is
        data = str(part.get_payload()).encode("utf-8", "replace")
    return decode_bytes(data if isinstance(data, bytes) else b"", part.get_content_charset())[0]


def slots(knowledge: Knowledge) -> list[tuple[str, list]]:
    """Sessions by the time they start: one per group may be chosen."""
    ordered = sorted(knowledge.event.sessions, key=lambda s: (s.start, s.number))
    return [(start.strftime("%H.%M"), list(group)) for start, group in groupby(ordered, key=lambda s: s.start)]


def explained(b: Bot, raw: bytes) -> dict | None:
    """What the bot reads in the message (explain view); None when it cannot be read again."""
    from mailbot.explain import explain_message

    try:
        return explain_message(b, raw)
    except Exception:  # the page still shows the message and what was done with it
        return None


def _received(s: Session, items: list[db.ReviewItem]) -> dict[str, datetime]:
    ids = [r.message_id for r in items if r.message_id]
    if not ids:
        return {}
    rows = s.exec(select(db.InboundMessage.message_id, db.InboundMessage.received_at)
                  .where(db.InboundMessage.message_id.in_(ids))).all()  # type: ignore[attr-defined]
    return dict(rows)


async def review_list(request: Request):
    b = bot(request)
    open_items, closed = staff.open_items(b), staff.closed_items(b)
    with Session(b.engine) as s:
        received = _received(s, open_items + closed)
    return page(request, "review.html", open_items=open_items, closed=closed, received=received)


async def review_item(request: Request):
    b = bot(request)
    k = b.knowledge
    review_id = request.path_params["review_id"]
    try:
        rec = staff.record(b, review_id)
        people = staff.message_people(b, review_id)
    except staff.StaffError as e:
        return page(request, "review_missing.html", status_code=404, message=str(e))
    raw = rec.message.raw if rec.message is not None else None
    tz = staff.zone(k)
    municipalities = sorted(k.municipalities, key=lambda m: m.name)
    response = page(
        request, "review_item.html", rec=rec, r=rec.item, people=people,
        message=message_view(raw) if raw else None, reading=explained(b, raw) if raw else None,
        outcome=staff.outcome_text(rec.message),
        bot_changes=[staff.history_text(h, n, k, tz) for h, n in rec.changes if not h.actor],
        staff_changes=[staff.history_text(h, n, k, tz) for h, n in rec.changes if h.actor],
        replies=[staff.reply_text(o, tz) for o in rec.replies],
        actions=[(a, staff.action_text(a, k)) for a in rec.actions],
        repeats=[staff.repeat_line(a, earlier, tz) for a, earlier in people if earlier],
        newcomer=staff.newcomer_name(b, review_id) if not people else "",
        slots=slots(k), municipalities=municipalities, names={m.slug: m.name for m in k.municipalities},
        how=HOW, kinds=staff.CLASS_NL, sender_how=staff.SENDER_HOW, cues=staff.CUES,
        session_list=lambda ids: staff.session_list(ids, k))
    response.headers["Content-Security-Policy"] = POLICY
    return response


def _act(request: Request, review_id: int, action: Callable[[Bot, str, datetime], staff.Done]) -> Response:
    """Run one staff action; a Dutch notice on the item page says what it did, or why not."""
    try:
        done = action(bot(request), user(request), now(request))
    except staff.StaffError as e:
        flash(request, str(e), "error")
        return back(f"/controle/{review_id}")
    for warning in done.warnings:
        flash(request, warning, "error")
    flash(request, " ".join(done.lines) or "Niets gewijzigd.")
    return back(f"/controle/{review_id}")


def _ticked(form, name: str) -> bool:
    return form.get(name) == "1"


async def assign(request: Request) -> RedirectResponse | Response:
    review_id = request.path_params["review_id"]
    form = await request.form()
    municipality = str(form.get("gemeente", "")).strip() or None
    organisation = str(form.get("organisatie", "")).strip() or None
    if municipality is None and organisation is None:
        flash(request, "Kies een gemeente of vul een organisatie in.", "error")
        return back(f"/controle/{review_id}")
    return _act(request, review_id, lambda b, who, at: staff.resolve(
        b, review_id, actor=who, now=at, municipality=municipality, organisation=organisation,
        close=_ticked(form, "afsluiten")))


async def set_sessions(request: Request) -> Response:
    review_id = request.path_params["review_id"]
    form = await request.form()
    chosen = tuple(str(x) for x in form.getlist("sessies"))
    who = str(form.get("deelnemer", "")).strip() or str(form.get("naam", "")).strip() or None
    return _act(request, review_id, lambda b, actor, at: staff.resolve(
        b, review_id, actor=actor, now=at, attendee=who, sessions=chosen, confirm=_ticked(form, "mail"),
        repeat_ok=_ticked(form, "toch"), close=_ticked(form, "afsluiten")))


async def confirm(request: Request) -> Response:
    review_id = request.path_params["review_id"]
    form = await request.form()
    return _act(request, review_id, lambda b, actor, at: staff.resolve(
        b, review_id, actor=actor, now=at, confirm=True, repeat_ok=_ticked(form, "toch"),
        close=_ticked(form, "afsluiten")))


async def answer(request: Request) -> Response:
    review_id = request.path_params["review_id"]
    form = await request.form()
    text = str(form.get("tekst", ""))
    return _act(request, review_id, lambda b, actor, at: staff.reply(
        b, review_id, text, actor=actor, now=at, close=_ticked(form, "afsluiten")))


async def close(request: Request) -> Response:
    review_id = request.path_params["review_id"]
    form = await request.form()
    note = str(form.get("notitie", ""))
    return _act(request, review_id, lambda b, actor, at: staff.resolve(b, review_id, actor=actor, now=at,
                                                                        note=note))


ROUTES = [
    Route("/controle", review_list, methods=["GET"]),
    Route("/controle/{review_id:int}", review_item, methods=["GET"]),
    Route("/controle/{review_id:int}/gemeente", assign, methods=["POST"]),
    Route("/controle/{review_id:int}/sessies", set_sessions, methods=["POST"]),
    Route("/controle/{review_id:int}/bevestigen", confirm, methods=["POST"]),
    Route("/controle/{review_id:int}/antwoord", answer, methods=["POST"]),
    Route("/controle/{review_id:int}/sluiten", close, methods=["POST"]),
]
