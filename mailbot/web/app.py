"""The desk's application: middleware order, routes of every page, the login gate."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from asgi_csrf import asgi_csrf
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from mailbot.service import Bot
from mailbot.web import auth
from mailbot.web.common import ENV, back, flash, page

log = logging.getLogger("mailbot")
STATIC = Path(__file__).resolve().parent / "static"
OPEN_PATHS = ("/login", "/static/")


def signing_secret(bot: Bot) -> str:
    """The cookie signing key: from the environment variable [web] names, else one kept in storage."""
    value = os.environ.get(bot.config.web.secret_env, "")
    if value:
        return value
    path = bot.config.storage / "web-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class LoginGate:
    """Everything but the login page and the style sheet needs a signed-in, active staff member."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        name = request.session.get("user")
        bot = scope["app"].state.bot
        with Session(bot.engine) as s:
            ok = auth.active(s, name)
        if not ok:
            request.session.clear()
            target = "/login" if scope["method"] in ("GET", "HEAD") else "/login?verlopen=1"
            await RedirectResponse(target, status_code=303)(scope, receive, send)
            return
        await self.app(scope, receive, send)


HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),  # no page of the desk inside someone else's frame (clickjacking)
    (b"referrer-policy", b"same-origin"),
)
POLICY = (b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
          b"script-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class SecurityHeaders:
    """Headers every desk answer carries; a page that sets its own Content-Security-Policy
    (the review item's stricter one) keeps it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [h for h in HEADERS if h[0] not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", POLICY))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


async def login_form(request: Request) -> HTMLResponse:
    expired = "verlopen" in request.query_params
    return page(request, "login.html", message="Log opnieuw in." if expired else "")


async def login_submit(request: Request):
    form = await request.form()
    name, password = str(form.get("naam", "")), str(form.get("wachtwoord", ""))
    bot = request.app.state.bot
    client = request.client.host if request.client else "?"
    with Session(bot.engine) as s, s.begin():
        result = auth.login(s, name, password, client=client, now=request.app.state.clock())
    if not result.ok:
        return page(request, "login.html", status_code=401, message=result.message, name=name)
    request.session.clear()
    request.session["user"] = name.strip()
    return back("/")


async def logout(request: Request):
    request.session.clear()
    flash(request, "U bent afgemeld.")
    return back("/login")


async def not_found(request: Request, exc: Exception) -> HTMLResponse:
    return page(request, "error.html", status_code=404, heading="Niet gevonden",
                text="Deze pagina of deelnemer bestaat niet (meer). Ververs de lijst en probeer het opnieuw.")


async def server_error(request: Request, exc: Exception) -> HTMLResponse:
    log.exception("desk: %s %s failed", request.method, request.url.path, exc_info=exc)
    html = ENV.get_template("error.html").render(
        heading="Er ging iets mis", user="", nav=(), path="", notices=[], event=request.app.state.bot.knowledge.event,
        text="Er is niets half opgeslagen. Probeer het opnieuw; blijft dit gebeuren, meld het dan aan de beheerder.")
    return HTMLResponse(html, status_code=500)


async def csrf_failed(scope, send, message_id) -> None:
    html = ENV.get_template("csrf.html").render()
    await HTMLResponse(html, status_code=403)(scope, lambda: None, send)  # type: ignore[arg-type]


def create_app(bot: Bot, *, clock: Callable[[], datetime] | None = None) -> ASGIApp:
    """The desk for this bot's store; `clock` gives 'now' (the CLI's --now, tests)."""
    from mailbot.web.pages import ROUTES

    secret = signing_secret(bot)
    secure = bot.config.web.base_url.startswith("https://")
    app = Starlette(
        routes=[
            Route("/login", login_form, methods=["GET"]),
            Route("/login", login_submit, methods=["POST"]),
            Route("/logout", logout, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
            *ROUTES,
        ],
        exception_handlers={404: not_found, 500: server_error},
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(SessionMiddleware, secret_key=secret, session_cookie="mailbot_desk",
                       max_age=bot.config.web.session_hours * 3600, same_site="lax", https_only=secure),
            Middleware(LoginGate),
        ],
    )
    app.state.bot = bot
    app.state.clock = clock or (lambda: datetime.now(UTC))
    return asgi_csrf(app, signing_secret=secret + ":csrf", always_protect={"/login", "/logout"},
                     cookie_secure=secure, cookie_samesite="Strict", send_csrf_failed=csrf_failed)
