"""`mailbot web` (the desk) and `mailbot staff` (desk accounts)."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime

import click
from sqlmodel import Session, select

from mailbot import db


@click.command()
@click.option("--host", default=None, help="address to listen on (default: [web] host, 127.0.0.1)")
@click.option("--port", type=int, default=None, help="port (default: [web] port)")
@click.pass_obj
def web(c, host: str | None, port: int | None) -> None:
    """De balie: webpagina's voor het secretariaat (start naast `mailbot run`)."""
    import uvicorn

    from mailbot.web import create_app

    bot = c.bot()
    fixed = c.now
    app = create_app(bot, clock=(lambda: fixed) if fixed else None)
    w = bot.config.web
    with Session(bot.engine) as s:
        if s.exec(select(db.StaffAccount)).first() is None:
            click.echo("Nog geen accounts: maak er een met `mailbot staff add NAAM`.", err=True)
    click.echo(f"Balie: {w.base_url} (luistert op {host or w.host}:{port or w.port})", err=True)
    uvicorn.run(app, host=host or w.host, port=port or w.port, proxy_headers=True,
                forwarded_allow_ips="127.0.0.1", log_level="warning", server_header=False)


@click.group()
def staff() -> None:
    """Accounts voor de balie."""


@staff.command("add")
@click.argument("name")
@click.option("--reset", is_flag=True, help="replace the password of an existing account")
@click.pass_obj
def staff_add(c, name: str, reset: bool) -> None:
    """Maak een account (het wachtwoord wordt gevraagd, of van stdin gelezen)."""
    from mailbot.web.auth import add_account

    if sys.stdin.isatty():
        password = getpass.getpass("Wachtwoord: ")
        if getpass.getpass("Nogmaals: ") != password:
            raise click.ClickException("de wachtwoorden verschillen; er is niets opgeslagen")
    else:
        password = sys.stdin.readline().rstrip("\n")
    bot = c.bot()
    with Session(bot.engine) as s, s.begin():
        add_account(s, name, password, now=c.now or datetime.now(UTC), replace=reset)
        s.add(db.StaffAction(actor=name, action="staff-account", detail="wachtwoord vervangen" if reset else "aangemaakt",
                             at=c.now or datetime.now(UTC)))
    click.echo(f"Account {name} {'bijgewerkt' if reset else 'aangemaakt'}.")


@staff.command("list")
@click.pass_obj
def staff_list(c) -> None:
    """Toon de accounts."""
    bot = c.bot()
    with Session(bot.engine) as s:
        rows = s.exec(select(db.StaffAccount).order_by(db.StaffAccount.name)).all()
    for r in rows:
        click.echo(f"{r.name}{' (uitgeschakeld)' if r.disabled else ''}")
    if not rows:
        click.echo("Geen accounts.")


@staff.command("disable")
@click.argument("name")
@click.pass_obj
def staff_disable(c, name: str) -> None:
    """Schakel een account uit (ook wie nu is ingelogd, kan daarna niets meer)."""
    bot = c.bot()
    with Session(bot.engine) as s, s.begin():
        row = s.exec(select(db.StaffAccount).where(db.StaffAccount.name == name)).first()
        if row is None:
            raise click.ClickException(f"geen account {name!r}")
        row.disabled = True
        s.add(row)
    click.echo(f"Account {name} uitgeschakeld.")
