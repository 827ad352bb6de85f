"""Staff commands: `mailbot attendees` and `mailbot namecards` (registered in mailbot.cli)."""

from __future__ import annotations

from pathlib import Path

import click

from mailbot.core.types import Knowledge, Registry
from mailbot.reports import tables


def _snapshot(c) -> tuple[Registry, Knowledge]:
    from sqlmodel import Session

    from mailbot import store

    bot = c.bot()
    with Session(bot.engine) as s:
        return store.registry(s), bot.knowledge


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as e:
        raise click.FileError(str(path), hint=e.strerror or str(e)) from None


@click.command()
@click.option("--session", "session_id", default=None, metavar="ID",
              help="only the registered attendees of this session")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "xlsx", "json"]), default="table",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write to this file instead of standard output (required for xlsx)")
@click.pass_obj
def attendees(c, session_id: str | None, fmt: str, out: Path | None) -> None:
    """List the attendees, or one session's, as a table, CSV, XLSX or JSON."""
    from mailbot.reports import exports

    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx needs --out FILE.xlsx")
    registry, knowledge = _snapshot(c)
    if session_id is not None and session_id not in knowledge.event.session_ids:
        valid = ", ".join(s.id for s in knowledge.event.sessions)
        raise click.BadParameter(f"unknown session {session_id!r}; valid ids: {valid}",
                                 param_hint="'--session'")
    if fmt == "xlsx":
        assert out is not None
        _write(out, exports.to_xlsx(registry, knowledge, session_id=session_id))
        click.echo(f"attendees: written to {out}", err=True)
        return
    if fmt == "csv":
        text = exports.to_csv(registry, knowledge, session_id=session_id)
        data = text.encode("utf-8-sig")  # a file is for Excel: with a byte-order mark
    elif fmt == "json":
        text = exports.to_json(registry, knowledge, session_id=session_id)
        data = text.encode("utf-8")
    else:
        text = exports.to_text(registry, knowledge, session_id=session_id)
        data = text.encode("utf-8")
    if out is None:
        click.echo(text, nl=False)
    else:
        _write(out, data)
        click.echo(f"attendees: written to {out}", err=True)


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="the PDF to write")
@click.pass_obj
def namecards(c, out: Path) -> None:
    """Print-ready tent name cards (A4, fold in the middle) for every registered attendee."""
    from mailbot.reports.namecards import cards, namecards_pdf

    registry, knowledge = _snapshot(c)
    count = len(cards(registry, knowledge))
    if count == 0:
        raise click.ClickException("no registered attendees: no name cards written")
    _write(out, namecards_pdf(registry, knowledge))
    click.echo(f"namecards: {count} cards written to {out}")
    # the remarks of the people on the cards: diet, access, timing, company (staff act on them)
    for a in registry.attendees:
        if a.status == "registered":
            for remark in a.remarks:
                click.echo(f"  opmerking {tables.clean(a.name)}: {tables.clean(remark)}")
