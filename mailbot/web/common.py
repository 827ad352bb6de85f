"""What every desk page shares: the template environment, local times, the signed-in
staff member, one-line notices after a change, and the bot's store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from mailbot.service import Bot

DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
STATUS = {"registered": "aangemeld", "declined": "afgemeld", "cancelled": "ingetrokken"}
NAV = (("/", "Overzicht"), ("/deelnemers", "Deelnemers"), ("/controle", "Ter controle"),
       ("/groepsmail", "Mail aan een groep"), ("/downloads", "Downloads"), ("/aanwezig", "Aanwezig"))

ENV = Environment(
    loader=PackageLoader("mailbot", "web/templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def bot(request: Request) -> Bot:
    return request.app.state.bot


def now(request: Request) -> datetime:
    return request.app.state.clock()


def user(request: Request) -> str:
    return request.session.get("user") or ""


def tz(request: Request) -> ZoneInfo:
    return ZoneInfo(bot(request).knowledge.event.timezone)


def local(value: datetime | None, zone: ZoneInfo) -> str:
    """'di 21 nov 09.05' in the event's time zone (stored times are UTC)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    v = value.astimezone(zone)
    return f"{DAYS[v.weekday()]} {v.day} {MONTHS[v.month - 1]} {v:%H.%M}"


def local_day(value: date) -> str:
    return f"{DAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]}"


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """A notice shown once on the next page (kind: ok or error)."""
    request.session.setdefault("flash", []).append([kind, text])


def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    zone = tz(request)
    base = {
        "request": request,
        "user": user(request),
        "nav": NAV,
        "path": request.url.path,
        "csrftoken": request.scope["csrftoken"],
        "notices": request.session.pop("flash", []) if "session" in request.scope else [],
        "event": bot(request).knowledge.event,
        "local": lambda v: local(v, zone),
        "status_text": STATUS,
    }
    html = ENV.get_template(template).render({**base, **context})
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def back(url: str) -> RedirectResponse:
    """After a form: go to a page with GET (303), so reloading does not post again."""
    return RedirectResponse(url, status_code=303)
