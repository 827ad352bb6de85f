"""The command line: builds the dependencies, runs a job, maps errors to exit codes.

Only this module turns a MailbotError into a one-line message and an exit
code; everything below it raises or returns decisions.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from sqlalchemy.exc import SQLAlchemyError

from mailbot import config as config_mod
from mailbot.errors import MailbotError


@dataclass
class Ctx:
    config_path: Path
    storage: Path | None
    now: datetime | None

    def config(self) -> config_mod.Config:
        return config_mod.load(self.config_path, storage=self.storage)

    def clock(self, cfg: config_mod.Config) -> datetime:
        return self.now or datetime.now(ZoneInfo(cfg.event.timezone))

    def bot(self):
        from mailbot.service import open_bot

        cfg = self.config()
        _logging(cfg.log_format)
        return open_bot(cfg)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record), "level": record.levelname,
                           "logger": record.name, "message": record.getMessage()}, ensure_ascii=False)


def _logging(fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger("mailbot")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if fmt == "json" else logging.WARNING)


def _parse_now(_ctx, _param, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        d = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected an ISO 8601 date-time, got {value!r}") from None
    return d if d.tzinfo else d.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))


@click.group()
@click.option("--config", "config_path", default="config.toml", type=click.Path(path_type=Path),
              help="config.toml to use")
@click.option("--storage", type=click.Path(path_type=Path), default=None,
              help="directory for all runtime state (database, Maildir, file outbox)")
@click.option("--now", callback=_parse_now, default=None, help="fix the bot's clock (ISO 8601)")
@click.pass_context
def cli(ctx: click.Context, config_path: Path, storage: Path | None, now: datetime | None) -> None:
    """mailbot: registration for the G32 netwerkdag by plain email."""
    ctx.obj = Ctx(config_path, storage, now)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def ingest(c: Ctx, files: tuple[Path, ...]) -> None:
    """Process raw RFC 5322 messages through the same pipeline as fetched mail."""
    from mailbot.service import flush_outbox, make_sender, process

    bot = c.bot()
    now = c.clock(bot.config)
    sender = make_sender(bot.config)
    for f in files:
        result = process(bot, f.read_bytes(), now=now, source=f"file:{f.name}")
        click.echo(f"{f}: {result.outcome}", err=True)
    flush_outbox(bot, sender, now=now)


@cli.command()
@click.option("--once", is_flag=True, help="one poll cycle, then exit")
@click.pass_obj
def poll(c: Ctx, once: bool) -> None:
    """Fetch new mail, handle it, send replies, acknowledge it on the server."""
    from mailbot.service import poll_once

    bot = c.bot()
    results = poll_once(bot, now=c.clock(bot.config))
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no new mail"
    click.echo(f"poll: {len(results)} messages ({summary})")


@cli.command()
@click.pass_obj
def run(c: Ctx) -> None:
    """Poll on a schedule and send replies until stopped (SIGTERM or Ctrl-C)."""
    from mailbot.scheduler import run_forever

    bot = c.bot()
    logging.getLogger("mailbot").setLevel(logging.INFO)
    run_forever(bot, clock=lambda: c.clock(bot.config))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
@click.pass_obj
def export(c: Ctx, fmt: str) -> None:
    """Print the registry, the outbox and the review list."""
    from mailbot.service import export as do_export

    click.echo(json.dumps(do_export(c.bot()), ensure_ascii=False, indent=2))


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def explain(c: Ctx, file: Path, fmt: str) -> None:
    """Show what the bot reads in a message and what it would do, without doing it."""
    from mailbot.explain import explain_message

    bot = c.bot()
    report = explain_message(bot, file.read_bytes())
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        from mailbot.explain import as_text

        click.echo(as_text(report))


@cli.group()
def invitees() -> None:
    """The invitee list."""


@invitees.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def invitees_import(c: Ctx, file: Path) -> None:
    """Add or update invitees from a CSV (name, role, municipality, email, secretary_email)."""
    from sqlmodel import Session

    from mailbot import store
    from mailbot.config import load_invitees

    bot = c.bot()
    items = load_invitees(file)
    known = {m.slug for m in bot.knowledge.municipalities}
    for i in items:
        if i.municipality and i.municipality not in known:
            raise config_mod.ConfigError(f"{file}: unknown municipality {i.municipality!r} for {i.email}")
    with Session(bot.engine) as s, s.begin():
        added, updated = store.import_invitees(s, items)
    click.echo(f"invitees: {added} added, {updated} updated, {len(items)} in {file.name}")


@cli.command()
@click.pass_obj
def demo(c: Ctx) -> None:
    """Seed the embedded Maildir with example replies, poll once, show the result."""
    from mailbot.demo import run_demo

    run_demo(c.bot(), now=c.now)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except MailbotError as e:
        click.echo(f"mailbot: {e}", err=True)
        sys.exit(e.exit_code)
    except SQLAlchemyError as e:
        click.echo(f"mailbot: database error: {str(e).splitlines()[0]}", err=True)
        sys.exit(3)
    except KeyboardInterrupt:
        sys.exit(130)
