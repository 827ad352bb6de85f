"""The command line: builds the dependencies, runs a job, maps errors to exit codes.

Only this module turns a MailbotError into a one-line message and an exit
code; everything below it raises or returns decisions.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from sqlalchemy.exc import SQLAlchemyError

from mailbot import config as config_mod
from mailbot.errors import DeliveryError, MailbotError


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
        bot = open_bot(cfg)
        # reader processes end with the command, not in the interpreter's exit hooks
        click.get_current_context().call_on_close(bot.readers.close)
        return bot


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
    _delivery_check(sender)


def _delivery_check(sender) -> None:
    """A refused SMTP login is a configuration error: say so and exit non-zero (replies stay queued)."""
    refused = getattr(sender, "login_refused", None)
    if refused:
        raise DeliveryError(f"{refused}; replies stay queued until it is fixed")


@cli.command()
@click.option("--once", is_flag=True, help="one poll cycle, then exit")
@click.pass_obj
def poll(c: Ctx, once: bool) -> None:
    """Fetch new mail, handle it, send replies, acknowledge it on the server."""
    from mailbot import operations
    from mailbot.service import make_sender

    bot = c.bot()
    sender = make_sender(bot.config)
    results = operations.poll(bot, now=c.clock(bot.config), sender=sender)  # poll_once, noted for `status`
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no new mail"
    click.echo(f"poll: {len(results)} messages ({summary})")
    _delivery_check(sender)


@cli.command()
@click.pass_obj
def run(c: Ctx) -> None:
    """Poll, send reminders and the digest on schedule until stopped (SIGTERM or Ctrl-C).

    With --now the clock is frozen: one cycle runs (poll, then whatever is due) and run exits.
    First it logs in once to each configured server: a setting that can never work stops
    run at once, with the line and exit code `poll --once` gives for it.
    """
    from mailbot.operations import check_servers
    from mailbot.scheduler import run_forever

    bot = c.bot()
    check_servers(bot.config)
    logging.getLogger("mailbot").setLevel(logging.INFO)
    run_forever(bot, clock=lambda: c.clock(bot.config), frozen=c.now is not None)


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
@click.option("--print", "to_terminal", is_flag=True, help="render to the terminal, send nothing")
@click.option("--send", is_flag=True, help="send the digest now to the staff addresses")
@click.pass_obj
def digest(c: Ctx, to_terminal: bool, send: bool) -> None:
    """The daily digest for staff: changes, head count, review items."""
    from sqlmodel import Session

    from mailbot.reports.digest import queue_digest, render_digest
    from mailbot.service import flush_outbox, make_sender

    bot = c.bot()
    now = c.clock(bot.config)
    if send:
        with Session(bot.engine) as s, s.begin():
            n = queue_digest(bot, s, now)
        flush_outbox(bot, make_sender(bot.config), now=now)
        click.echo(f"digest: {n} queued to {', '.join(bot.config.digest_to)}")
        return
    with Session(bot.engine) as s:
        _subject, text, _html = render_digest(bot, s, now)
    click.echo(text)


@cli.group()
def review() -> None:
    """Items waiting for staff."""


@review.command("list")
@click.pass_obj
def review_list(c: Ctx) -> None:
    """Open review items with their reason."""
    from mailbot.staff import open_items

    items = open_items(c.bot())
    for r in items:
        click.echo(f"{r.id:>4}  {r.created_at:%Y-%m-%d %H:%M}  {r.from_addr:<36} {r.reason} {r.summary}")
    click.echo(f"{len(items)} open")


@review.command("show")
@click.argument("review_id", type=int)
@click.pass_obj
def review_show(c: Ctx, review_id: int) -> None:
    """One review item, with how the bot read its message."""
    from sqlmodel import Session

    from mailbot.explain import as_text, explain_message
    from mailbot.staff import item, raw_message

    bot = c.bot()
    with Session(bot.engine) as s:
        r = item(s, review_id)
        click.echo(f"Nr {r.id}: {r.reason}\n{r.summary}\nVan: {r.from_addr}  Bericht: {r.message_id}")
        if r.resolved_at:
            click.echo(f"Afgehandeld {r.resolved_at:%Y-%m-%d %H:%M} door {r.resolved_by}")
    raw = raw_message(bot, review_id)
    if raw:
        click.echo("")
        click.echo(as_text(explain_message(bot, raw)))


@review.command("resolve")
@click.argument("review_id", type=int)
@click.option("--municipality", help="assign this municipality slug ('none' for a non-member)")
@click.option("--attendee", help="the attendee to set (name), when the message names several")
@click.option("--sessions", help="comma-separated session ids to record for the attendee")
@click.option("--confirm", is_flag=True, help="send the standard confirmation to the sender")
@click.option("--by", "actor", envvar="USER", default="staff", show_default="$USER", help="who resolves it")
@click.option("--note", default="", help="a note kept with the action")
@click.pass_obj
def review_resolve(c: Ctx, review_id: int, municipality: str | None, attendee: str | None,
                   sessions: str | None, confirm: bool, actor: str, note: str) -> None:
    """Resolve a review item; every action is recorded with who and when."""
    from mailbot.service import flush_outbox, make_sender
    from mailbot.staff import resolve

    bot = c.bot()
    now = c.clock(bot.config)
    ids = tuple(x.strip() for x in sessions.split(",") if x.strip()) if sessions is not None else None
    for line in resolve(bot, review_id, actor=actor, now=now, municipality=municipality, attendee=attendee,
                        sessions=ids, confirm=confirm, note=note):
        click.echo(line)
    if confirm:
        flush_outbox(bot, make_sender(bot.config), now=now)


@cli.command()
@click.option("--before", help="delete personal data recorded before this date (YYYY-MM-DD); "
              "default: the event date plus retention_days")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@click.option("--by", "actor", envvar="USER", default="staff")
@click.pass_obj
def purge(c: Ctx, before: str | None, yes: bool, actor: str) -> None:
    """Delete personal data and raw messages after the event (AVG/GDPR)."""
    from datetime import timedelta

    from mailbot.staff import purge as do_purge

    bot = c.bot()
    tz = ZoneInfo(bot.config.event.timezone)
    if before:
        try:
            cutoff = datetime.fromisoformat(before).replace(tzinfo=tz)
        except ValueError:
            raise click.BadParameter(f"expected YYYY-MM-DD, got {before!r}", param_hint="--before") from None
    else:
        cutoff = datetime.combine(bot.config.event.day, datetime.min.time(), tz) + timedelta(
            days=bot.config.retention_days)
    if not yes:
        click.confirm(f"Delete personal data recorded before {cutoff:%Y-%m-%d}?", abort=True)
    counts = do_purge(bot, before=cutoff, actor=actor, now=c.clock(bot.config))
    click.echo("purged: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@cli.command()
@click.option("--dry-run", is_flag=True, help="write the invitations to the file outbox (dry-run/), record nothing")
@click.option("--per-minute", default=30, show_default=True, help="sending rate limit")
@click.option("--limit", type=int, default=None, help="invite at most this many now")
@click.pass_obj
def invite(c: Ctx, dry_run: bool, per_minute: int, limit: int | None) -> None:
    """Send the invitation to every invitee not invited before."""
    from mailbot.invite import invite as do_invite

    bot = c.bot()
    now, before = do_invite(bot, now=c.clock(bot.config), dry_run=dry_run, per_minute=per_minute, limit=limit)
    where = f" (written to {bot.config.outbox / 'dry-run'})" if dry_run else ""
    click.echo(f"invite: {now} {'previewed' if dry_run else 'invited'}{where}, {before} invited before")


@cli.command()
@click.pass_obj
def status(c: Ctx) -> None:
    """Health for monitoring: last poll, queue, mail waiting too long, failed sends, review,
    old mail left in the inbox, which instance polls; exit 1 when the last poll is too old
    or outgoing mail waits too long or keeps failing."""
    from mailbot.operations import status as get_status

    bot = c.bot()
    cfg = bot.config
    st = get_status(bot, now=c.clock(cfg))

    def when(d: datetime) -> str:
        return d.isoformat(timespec="seconds")

    w = st.waiting
    click.echo(f"last poll:    {when(st.last_poll) if st.last_poll else 'never'}")
    if st.poll.error and st.poll.error_at:
        click.echo(f"poll error:   {when(st.poll.error_at)} {st.poll.error}")
    click.echo(f"outbox queue: {st.queued}")
    waiting = f"waiting mail: {w.count}"
    if w.count:
        waiting += (f" queued over {cfg.outbox_stale_minutes} minutes or failing; oldest queued "
                    f"{when(w.oldest_since) if w.oldest_since else '?'} to {w.oldest_to}")
        if w.last_error:
            waiting += f": {w.last_error}"
    click.echo(waiting)
    click.echo(f"failed sends: {st.failed}")
    click.echo(f"review open:  {st.review}")
    since = f" ({cfg.process_since.isoformat()})" if cfg.process_since else ""
    click.echo("old mail:     " + (f"{st.poll.old} older than process_since{since}, left unread in the inbox"
                                   if st.poll.old is not None else "unknown (no poll yet)"))
    click.echo(f"poller:       {st.poller or 'none (no mailbot run holds the poller lock)'}")
    problems = []
    if st.stale:
        problems.append(f"STALE (no successful poll in {cfg.status_max_age_minutes} minutes)")
    if w.count:
        problems.append(f"MAIL WAITING ({w.count} outgoing queued over {cfg.outbox_stale_minutes} minutes "
                        "or failing)")
    click.echo("status:       " + ("; ".join(problems) or "ok"))
    if not st.healthy:
        sys.exit(1)


@cli.command()
@click.option("--into", "into", type=click.Path(path_type=Path), required=True,
              help="new storage directory for the rebuilt database")
@click.pass_obj
def rebuild(c: Ctx, into: Path) -> None:
    """Replay the processed folder, in arrival order, into a fresh database; sends nothing."""
    from mailbot.operations import rebuild as do_rebuild
    from mailbot.service import export as do_export

    cfg = config_mod.load(c.config_path, storage=into)
    if c.storage is not None:  # read the mailbox of --storage (the embedded Maildir), write into --into
        cfg = replace(cfg, maildir=c.config().maildir)
    _logging(cfg.log_format)
    bot, n = do_rebuild(cfg)
    state = do_export(bot)
    click.echo(f"rebuild: {n} messages replayed into {into}; {len(state['attendees'])} attendees")


@cli.command()
@click.pass_obj
def demo(c: Ctx) -> None:
    """Seed the embedded Maildir with example replies, poll once, show the result."""
    from mailbot.demo import run_demo

    run_demo(c.bot(), now=c.now)


from mailbot.reports.commands import attendees, namecards  # noqa: E402

cli.add_command(attendees)
cli.add_command(namecards)

from mailbot.web.commands import staff, web  # noqa: E402

cli.add_command(web)
cli.add_command(staff)


def main() -> None:
    from mailbot import terminal

    os.umask(0o077)  # personal data: every file and folder the bot makes is its user's alone
    terminal.install()
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
