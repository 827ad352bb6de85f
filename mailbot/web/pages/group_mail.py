"""Mail aan een groep: staff write one mail, see it as the first recipient will and to whom
it goes, then queue it; the runner sends it like every other mail."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.routing import Route

from mailbot import groupmail
from mailbot.web.common import back, bot, flash, now, page, user

PATH = "/groepsmail"


def persons(n: int) -> str:
    return f"{n} persoon" if n == 1 else f"{n} personen"


def _form(request: Request, *, status_code: int = 200, draft: dict | None = None, plan=None, error: str = ""):
    b = bot(request)
    k = b.knowledge
    with Session(b.engine) as s:
        counts = groupmail.audience_counts(s, k)
        past = groupmail.history(s)
    rendered = None
    if plan is not None and plan.recipients:
        subject, text, html = groupmail.render_mail(plan.draft, plan.recipients[0], k)
        rendered = {"subject": subject, "text": text, "html": html, "to": plan.recipients[0]}
    return page(request, "group_mail.html", status_code=status_code,
                audiences=groupmail.audiences(k), counts=counts, past=past,
                draft=draft or {"audience": "", "subject": "", "text": ""}, plan=plan, rendered=rendered,
                error=error, persons=persons,
                label=lambda a: groupmail.audience_label(a, k))


async def _read(request: Request) -> dict:
    form = await request.form()
    return {"audience": str(form.get("groep", "")), "subject": str(form.get("onderwerp", "")),
            "text": str(form.get("tekst", ""))}


async def show(request: Request):
    return _form(request)


async def show_preview(request: Request):
    raw = await _read(request)
    b = bot(request)
    try:
        draft = groupmail.clean_draft(raw["audience"], raw["subject"], raw["text"], b.knowledge)
    except groupmail.Invalid as e:
        return _form(request, status_code=422, draft=raw, error=str(e))
    with Session(b.engine) as s:
        plan = groupmail.preview(s, b.knowledge, draft)
    shown = {"audience": draft.audience, "subject": draft.subject, "text": draft.text}
    return _form(request, draft=shown, plan=plan)


async def send(request: Request):
    raw = await _read(request)
    b = bot(request)
    try:
        draft = groupmail.clean_draft(raw["audience"], raw["subject"], raw["text"], b.knowledge)
    except groupmail.Invalid as e:
        return _form(request, status_code=422, draft=raw, error=str(e))
    sent = groupmail.send(b.engine, b.knowledge, draft, actor=user(request), now=now(request))
    flash(request, *notice(sent))
    return back(PATH)


def notice(sent: groupmail.Sent) -> tuple[str, str]:
    """(text, kind) telling staff what the send did, also when it did nothing."""
    if sent.queued and sent.already:
        return (f"Verstuurd: de mail staat klaar voor {persons(sent.queued)}; "
                f"al eerder verstuurd aan {persons(sent.already)}, zij krijgen hem niet nog eens.", "ok")
    if sent.queued:
        return f"Verstuurd: de mail staat klaar voor {persons(sent.queued)}.", "ok"
    if sent.already:
        return (f"Deze mail is al eerder verstuurd aan {persons(sent.already)}; "
                "er is niets opnieuw verstuurd.", "error")
    return "Niemand in deze groep; er is niets verstuurd.", "error"


ROUTES = [
    Route(PATH, show, methods=["GET"]),
    Route(PATH + "/voorbeeld", show_preview, methods=["POST"]),
    Route(PATH + "/versturen", send, methods=["POST"]),
]
