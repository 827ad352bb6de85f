"""Staff commands: `mailbot attendees`, `mailbot namecards` and `mailbot printouts`
(registered in mailbot.cli), and the store reads the desk's downloads share with them:
who arrived, which name cards were printed before, and recording a print."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import click
from sqlmodel import Session, select

from mailbot import db
from mailbot.core.types import Knowledge, Registry
from mailbot.reports import tables

NAMECARDS_ACTION = "namecards"  # a staff_action row per print, its detail holds the keys printed


# --- the store -------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What every report needs, read in one transaction."""

    registry: Registry
    knowledge: Knowledge
    arrivals: dict[str, datetime] = field(default_factory=dict)  # attendee key -> arrival (UTC)


def arrivals(s: Session) -> dict[str, datetime]:
    """Attendees ticked present at the door, by key."""
    found = s.exec(select(db.Attendee.key, db.Attendee.arrived_at)
                   .where(db.Attendee.arrived_at.is_not(None))).all()  # type: ignore[union-attr]
    return {key: at for key, at in found if at is not None}


def snapshot(bot) -> Snapshot:
    from mailbot import store

    with Session(bot.engine) as s:
        return Snapshot(store.registry(s), bot.knowledge, arrivals(s))


def printed_namecards(s: Session) -> set[str]:
    """Keys of every attendee whose name card was in an earlier print."""
    details = s.exec(select(db.StaffAction.detail).where(db.StaffAction.action == NAMECARDS_ACTION)).all()
    keys: set[str] = set()
    for detail in details:
        try:
            keys.update(json.loads(detail or "{}").get("keys", ()))
        except (ValueError, AttributeError):  # a detail purged or written by hand
            continue
    return keys


def last_namecards_print(s: Session) -> db.StaffAction | None:
    return s.exec(select(db.StaffAction).where(db.StaffAction.action == NAMECARDS_ACTION)
                  .order_by(db.StaffAction.at.desc(), db.StaffAction.id.desc())  # type: ignore[attr-defined,union-attr]
                  ).first()


def record_namecards(s: Session, keys: Iterable[str], *, which: str, actor: str, now: datetime) -> None:
    """Remember a print, so "only new" leaves these cards out next time."""
    printed = sorted(set(keys))
    s.add(db.StaffAction(actor=actor, action=NAMECARDS_ACTION, at=now, detail=json.dumps(
        {"which": which, "count": len(printed), "keys": printed}, ensure_ascii=False)))


def new_namecard_keys(registry: Registry, printed: set[str]) -> set[str]:
    """Registered attendees whose card was never printed."""
    return {a.key for a in registry.attendees if a.status == "registered" and a.key not in printed}


# --- commands --------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as e:
        raise click.FileError(str(path), hint=e.strerror or str(e)) from None


def _check_session(knowledge: Knowledge, session_id: str | None) -> None:
    if session_id is not None and session_id not in knowledge.event.session_ids:
        valid = ", ".join(s.id for s in knowledge.event.sessions)
        raise click.BadParameter(f"onbekende sessie {session_id!r}; bestaande sessies: {valid}",
                                 param_hint="'--session'")


@click.command()
@click.option("--session", "session_id", default=None, metavar="ID",
              help="alleen de aangemelde deelnemers van deze sessie")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "xlsx", "json"]), default="table",
              show_default=True, help="tabel, CSV (met ';' voor Excel), Excel-werkmap of JSON")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="naar dit bestand schrijven in plaats van naar het scherm (nodig voor xlsx)")
@click.pass_obj
def attendees(c, session_id: str | None, fmt: str, out: Path | None) -> None:
    """De deelnemerslijst (of die van een sessie) als tabel, CSV, Excel of JSON, met wie er aanwezig was."""
    from mailbot.reports import exports

    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx vraagt om --out BESTAND.xlsx")
    snap = snapshot(c.bot())
    registry, knowledge, came = snap.registry, snap.knowledge, snap.arrivals
    _check_session(knowledge, session_id)
    if fmt == "xlsx":
        assert out is not None
        _write(out, exports.to_xlsx(registry, knowledge, session_id=session_id, arrivals=came))
        click.echo(f"deelnemers: geschreven naar {out}", err=True)
        return
    if fmt == "csv":
        text = exports.to_csv(registry, knowledge, session_id=session_id, arrivals=came)
        data = text.encode("utf-8-sig")  # a file is for Excel: with a byte-order mark
    elif fmt == "json":
        text = exports.to_json(registry, knowledge, session_id=session_id, arrivals=came)
        data = text.encode("utf-8")
    else:
        text = exports.to_text(registry, knowledge, session_id=session_id)
        data = text.encode("utf-8")
    if out is None:
        click.echo(text, nl=False)
    else:
        _write(out, data)
        click.echo(f"deelnemers: geschreven naar {out}", err=True)


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="het PDF-bestand")
@click.option("--new", "only_new", is_flag=True,
              help="alleen naamkaarten die nog niet eerder zijn afgedrukt")
@click.option("--by", "actor", envvar="USER", default="staff", show_default="$USER",
              help="wie afdrukt (wordt vastgelegd)")
@click.pass_obj
def namecards(c, out: Path, only_new: bool, actor: str) -> None:
    """Naamkaarten om te vouwen (A4, vouwen in het midden) voor de aangemelde deelnemers."""
    from mailbot import store
    from mailbot.reports.namecards import cards, namecards_pdf

    bot = c.bot()
    with Session(bot.engine) as s:
        registry = store.registry(s)
        keys = new_namecard_keys(registry, printed_namecards(s)) if only_new else None
    chosen = cards(registry, bot.knowledge, keys=keys)
    if not chosen:
        what = "nieuwe " if only_new else ""
        raise click.ClickException(f"geen {what}aangemelde deelnemers: geen naamkaarten geschreven")
    _write(out, namecards_pdf(registry, bot.knowledge, keys=keys))
    with Session(bot.engine) as s, s.begin():
        record_namecards(s, (card.key for card in chosen), which="nieuw" if only_new else "alle",
                         actor=actor, now=c.clock(bot.config))
    click.echo(f"naamkaarten: {len(chosen)} kaarten geschreven naar {out}")
    # the remarks of the people on the cards: diet, access, timing, company (staff act on them)
    printed = {card.key for card in chosen}
    for a in registry.attendees:
        if a.status == "registered" and a.key in printed:
            for remark in a.remarks:
                click.echo(f"  opmerking {tables.clean(a.name)}: {tables.clean(remark)}")


@click.group()
def printouts() -> None:
    """Lijsten om af te drukken voor de dag zelf (PDF, A4)."""


@printouts.command("presence")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="het PDF-bestand")
@click.pass_obj
def presence(c, out: Path) -> None:
    """Presentielijst per gemeente (niet-leden per organisatie) met een kolom om te tekenen."""
    from mailbot.reports.printouts import presence_pdf

    snap = snapshot(c.bot())
    _write(out, presence_pdf(snap.registry, snap.knowledge))
    count = sum(1 for a in snap.registry.attendees if a.status == "registered")
    click.echo(f"presentielijst: {count} deelnemers geschreven naar {out}")


@printouts.command("sessions")
@click.option("--session", "session_id", default=None, metavar="ID", help="alleen deze sessie")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="het PDF-bestand")
@click.pass_obj
def sessions(c, session_id: str | None, out: Path) -> None:
    """Per sessie een lijst voor de voorzitter: tijd, aantal, namen met gemeente en opmerkingen."""
    from mailbot.reports.printouts import sessions_pdf

    snap = snapshot(c.bot())
    _check_session(snap.knowledge, session_id)
    _write(out, sessions_pdf(snap.registry, snap.knowledge, session_id=session_id))
    count = 1 if session_id else len(snap.knowledge.event.sessions)
    click.echo(f"sessielijsten: {count} {'sessie' if count == 1 else 'sessies'} geschreven naar {out}")
