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
        raise click.BadParameter(f"verwacht een datum en tijd in ISO 8601 (2017-11-16T09:00), niet {value!r}") from None
    return d if d.tzinfo else d.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))


@click.group()
@click.option("--config", "config_path", default="config.toml", type=click.Path(path_type=Path),
              help="het configuratiebestand (config.toml)")
@click.option("--storage", type=click.Path(path_type=Path), default=None,
              help="map voor alle gegevens van de bot (database, Maildir, outbox-map)")
@click.option("--now", callback=_parse_now, default=None,
              help="zet de klok van de bot vast (ISO 8601, zonder zone: lokale tijd)")
@click.pass_context
def cli(ctx: click.Context, config_path: Path, storage: Path | None, now: datetime | None) -> None:
    """mailbot: aanmelden voor de G32 netwerkdag per gewone e-mail."""
    ctx.obj = Ctx(config_path, storage, now)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def ingest(c: Ctx, files: tuple[Path, ...]) -> None:
    """Verwerk .eml-bestanden precies zoals opgehaalde mail."""
    from mailbot.service import flush_outbox, make_sender, process
    from mailbot.wording import outcome

    bot = c.bot()
    now = c.clock(bot.config)
    sender = make_sender(bot.config)
    for f in files:
        result = process(bot, f.read_bytes(), now=now, source=f"file:{f.name}")
        replies = f" ({result.replies} antwoord{'en' if result.replies != 1 else ''})" if result.replies else ""
        click.echo(f"{f}: {outcome(result.outcome)}{replies}", err=True)
    flush_outbox(bot, sender, now=now)
    _delivery_check(sender)


def _delivery_check(sender) -> None:
    """A refused SMTP login is a configuration error: say so and exit non-zero (replies stay queued)."""
    refused = getattr(sender, "login_refused", None)
    if refused:
        raise DeliveryError(f"{refused}; antwoorden blijven in de wachtrij tot dit is opgelost")


@cli.command()
@click.option("--once", is_flag=True, help="één ophaalronde, daarna stoppen")
@click.pass_obj
def poll(c: Ctx, once: bool) -> None:
    """Haal nieuwe mail op, verwerk die, verstuur antwoorden en meld de mail af bij de server."""
    from mailbot import operations
    from mailbot.service import make_sender

    bot = c.bot()
    sender = make_sender(bot.config)
    results = operations.poll(bot, now=c.clock(bot.config), sender=sender)  # poll_once, noted for `status`
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    # a log line for cron and monitoring (logs stay English; tests and scripts read it)
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no new mail"
    click.echo(f"poll: {len(results)} messages ({summary})")
    _delivery_check(sender)


@cli.command()
@click.pass_obj
def run(c: Ctx) -> None:
    """Haal mail op en verstuur herinneringen en het dagoverzicht op tijd, tot stoppen (SIGTERM of Ctrl-C).

    Met --now staat de klok stil: één ronde (ophalen, dan wat aan de beurt is), daarna stopt run.
    Eerst logt run één keer in op elke ingestelde server: een instelling die nooit kan werken
    stopt run meteen, met de regel en afsluitcode die `poll --once` ervoor geeft.
    """
    from mailbot.operations import check_servers
    from mailbot.scheduler import run_forever

    bot = c.bot()
    check_servers(bot.config)
    logging.getLogger("mailbot").setLevel(logging.INFO)
    run_forever(bot, clock=lambda: c.clock(bot.config), frozen=c.now is not None)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json",
              help="uitvoer als JSON (het vaste formaat van het contract)")
@click.pass_obj
def export(c: Ctx, fmt: str) -> None:
    """Toon de deelnemers, de uitgaande mail en de controlelijst (JSON)."""
    from mailbot.service import export as do_export

    click.echo(json.dumps(do_export(c.bot()), ensure_ascii=False, indent=2))


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="text: leesbaar; json: voor scripts")
@click.pass_obj
def explain(c: Ctx, file: Path, fmt: str) -> None:
    """Laat zien wat de bot in een bericht leest en wat hij zou doen, zonder het te doen."""
    from mailbot.explain import explain_message

    bot = c.bot()
    report = explain_message(bot, file.read_bytes())
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        from mailbot.explain import as_text
        from mailbot.wording import explained

        click.echo(as_text(explained(report)))


@cli.group()
def invitees() -> None:
    """De lijst met genodigden."""


@invitees.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def invitees_import(c: Ctx, file: Path) -> None:
    """Voeg genodigden toe of werk ze bij uit een CSV (name, role, municipality, email, secretary_email)."""
    from sqlmodel import Session

    from mailbot import store
    from mailbot.config import load_invitees

    bot = c.bot()
    items = load_invitees(file)
    known = {m.slug for m in bot.knowledge.municipalities}
    for i in items:
        if i.municipality and i.municipality not in known:
            raise config_mod.ConfigError(f"{file}: onbekende gemeente {i.municipality!r} bij {i.email}")
    with Session(bot.engine) as s, s.begin():
        added, updated = store.import_invitees(s, items)
    click.echo(f"genodigden: {added} toegevoegd, {updated} bijgewerkt, {len(items)} in {file.name}")


@cli.command()
@click.option("--print", "to_terminal", is_flag=True, help="toon het overzicht hier; er wordt niets verstuurd")
@click.option("--send", is_flag=True,
              help="verstuur het overzicht van vandaag nu aan de staf (telt als het overzicht van vandaag)")
@click.pass_obj
def digest(c: Ctx, to_terminal: bool, send: bool) -> None:
    """Het dagoverzicht voor de staf: wijzigingen, aantallen, wat op controle wacht."""
    from sqlmodel import Session

    from mailbot.reports.digest import local_time, render_digest, send_today, sent_today
    from mailbot.service import flush_outbox, make_sender

    bot = c.bot()
    now = c.clock(bot.config)
    if send:
        if not bot.config.digest_to:
            click.echo("Er is geen ontvanger voor het dagoverzicht ingesteld ([staff] digest_to in config.toml).",
                       err=True)
            sys.exit(1)
        with Session(bot.engine) as s, s.begin():
            n = send_today(bot, s, now)
            earlier = sent_today(bot, s, now) if n is None else None
            when = f" ({local_time(bot, earlier.ran_at)})" if earlier else ""
        if n is None:
            click.echo(f"Het dagoverzicht van vandaag is al verstuurd{when}; er gaat er één per dag. "
                       "Met 'mailbot digest --print' ziet u de stand van nu.", err=True)
            sys.exit(1)
        flush_outbox(bot, make_sender(bot.config), now=now)
        click.echo(f"Dagoverzicht verstuurd aan {', '.join(bot.config.digest_to)}.")
        return
    with Session(bot.engine) as s:
        _subject, text, _html = render_digest(bot, s, now)
    click.echo(text)


@cli.group()
def review() -> None:
    """Berichten die een medewerker moet bekijken."""


def _staff_failed(error: Exception) -> None:
    """A staff command that cannot be done: one Dutch line and exit code 1, also under CliRunner."""
    click.echo(f"mailbot: {error}", err=True)
    sys.exit(1)


@review.command("list")
@click.pass_obj
def review_list(c: Ctx) -> None:
    """Open items met hun reden (tijden in de tijdzone van het evenement)."""
    from mailbot.staff import local_time, open_items, zone

    bot = c.bot()
    tz = zone(bot.knowledge)
    items = open_items(bot)
    for r in items:
        click.echo(f"{r.id:>4}  {local_time(r.created_at, tz):<16} {r.from_addr:<36} {r.reason} {r.summary}")
    click.echo(f"{len(items)} open")


@review.command("show")
@click.argument("review_id", type=int)
@click.pass_obj
def review_show(c: Ctx, review_id: int) -> None:
    """Eén item: wat de bot toen deed, wie er daarna wat mee deed, de notitie, en wat de bot las."""
    from mailbot.explain import explain_message
    from mailbot.staff import StaffError, raw_message, reading_lines, record, record_lines

    bot = c.bot()
    try:
        rec = record(bot, review_id)
        raw = raw_message(bot, review_id)
    except StaffError as e:
        _staff_failed(e)
        return
    click.echo("\n".join(record_lines(rec, bot.knowledge)))
    if raw:
        click.echo("\nWat de bot las:")
        click.echo("\n".join("  " + line if line else "" for line in reading_lines(explain_message(bot, raw), bot.knowledge)))


@review.command("resolve")
@click.argument("review_id", type=int)
@click.option("--municipality", help="ken deze gemeente toe (korte naam; 'none' voor geen G32-gemeente)")
@click.option("--organisation", help="ken deze organisatie toe (voor wie niet bij een gemeente hoort)")
@click.option("--attendee", help="de deelnemer (naam) als het bericht er meer noemt, of een nieuwe")
@click.option("--sessions", help="sessies, gescheiden door komma's (ids), voor de deelnemer")
@click.option("--confirm", is_flag=True, help="stuur de afzender de gewone bevestiging, met agenda-item")
@click.option("--by", "actor", envvar="USER", default="staff", show_default="$USER", help="wie het afhandelt")
@click.option("--note", default="", help="een notitie bij het afhandelen")
@click.pass_obj
def review_resolve(c: Ctx, review_id: int, municipality: str | None, organisation: str | None,
                   attendee: str | None, sessions: str | None, confirm: bool, actor: str, note: str) -> None:
    """Handel een item af; elke handeling wordt vastgelegd met wie en wanneer."""
    from mailbot.service import flush_outbox, make_sender
    from mailbot.staff import StaffError, resolve

    bot = c.bot()
    now = c.clock(bot.config)
    ids = tuple(x.strip() for x in sessions.split(",") if x.strip()) if sessions is not None else None
    try:
        done = resolve(bot, review_id, actor=actor, now=now, municipality=municipality,
                       organisation=organisation, attendee=attendee, sessions=ids, confirm=confirm, note=note)
    except StaffError as e:
        _staff_failed(e)
        return
    for line in (*done.warnings, *done.lines):
        click.echo(line)
    if confirm:
        flush_outbox(bot, make_sender(bot.config), now=now)


@cli.command()
@click.option("--before", help="verwijder persoonsgegevens van vóór deze datum (JJJJ-MM-DD, lokale tijd); "
              "standaard: de dag van het evenement plus retention_days")
@click.option("--yes", is_flag=True, help="niet om bevestiging vragen (voor scripts)")
@click.option("--force", is_flag=True, help="ook opschonen vóór het einde van het evenement")
@click.option("--by", "actor", envvar="USER", default="staff", show_default="$USER",
              help="wie opschoont (wordt vastgelegd)")
@click.pass_obj
def purge(c: Ctx, before: str | None, yes: bool, force: bool, actor: str) -> None:
    """Verwijder persoonsgegevens na het evenement (AVG): toont eerst wat en hoeveel."""
    from mailbot import purge as purging
    from mailbot.wording import local_words

    bot = c.bot()
    event = bot.config.event
    if before:
        try:
            cutoff = datetime.combine(datetime.strptime(before, "%Y-%m-%d").date(), datetime.min.time(),
                                      ZoneInfo(event.timezone))
        except ValueError:
            raise click.BadParameter(f"verwacht een datum JJJJ-MM-DD, niet {before!r}",
                                     param_hint="--before") from None
    else:
        cutoff = purging.default_cutoff(event, bot.config.retention_days)
    now = c.clock(bot.config)
    why = purging.refusal(cutoff, now, purging.event_end(event))
    if why and not force:
        raise purging.PurgeRefused(f"opschonen geweigerd: {why}")
    plan = purging.plan(bot, cutoff)
    click.echo(f"Persoonsgegevens van vóór {local_words(cutoff)}:")
    for line in purging.describe(plan):
        click.echo(line)
    if plan.total == 0:
        click.echo("Er is niets te verwijderen.")
        return
    if not yes:
        answer = click.prompt("Deze gegevens definitief verwijderen? Typ ja om door te gaan",
                              default="nee", show_default=False)
        if answer.strip().lower() not in ("ja", "j"):
            click.echo("Niets verwijderd.")
            sys.exit(1)
    counts = purging.carry_out(bot, plan, actor=actor, now=now)
    click.echo(f"Verwijderd: {sum(counts.values())} gegevens. Bericht-ID's blijven bewaard, zodat geen "
               "bericht opnieuw wordt verwerkt; accounts van medewerkers blijven bestaan.")
    if bot.config.imap is not None:
        click.echo(f"Let op: de mailbox op {bot.config.imap.host} bewaart de berichten zelf nog (ook in de map "
                   f"{bot.config.imap.processed_folder}); verwijder die daar.")


@cli.command()
@click.option("--dry-run", is_flag=True, help="schrijf de uitnodigingen naar de outbox-map (dry-run/), leg niets vast")
@click.option("--per-minute", default=30, show_default=True, help="hoeveel uitnodigingen per minuut ten hoogste")
@click.option("--limit", type=int, default=None, help="nodig er nu ten hoogste zoveel uit")
@click.pass_obj
def invite(c: Ctx, dry_run: bool, per_minute: int, limit: int | None) -> None:
    """Stuur de uitnodiging aan elke genodigde die er nog geen kreeg."""
    from mailbot.invite import invite as do_invite

    bot = c.bot()
    now, before = do_invite(bot, now=c.clock(bot.config), dry_run=dry_run, per_minute=per_minute, limit=limit)
    where = f" (geschreven naar {bot.config.outbox / 'dry-run'})" if dry_run else ""
    click.echo(f"uitnodigen: {now} {'als voorbeeld gemaakt' if dry_run else 'uitgenodigd'}{where}, "
               f"{before} eerder uitgenodigd")


@cli.command()
@click.pass_obj
def status(c: Ctx) -> None:
    """Gezondheid voor bewaking: laatste ophaalronde, wachtrij, mail die te lang wacht, mislukte
    verzending, open controlepunten, oude mail in de inbox, welke instantie ophaalt; afsluitcode 1
    als de laatste ophaalronde te oud is of uitgaande mail te lang wacht of blijft mislukken."""
    from mailbot.operations import status as get_status
    from mailbot.operations import status_lines

    bot = c.bot()
    st = get_status(bot, now=c.clock(bot.config))
    for line in status_lines(st, bot.config):
        click.echo(line)
    if not st.healthy:
        sys.exit(1)


@cli.command()
@click.option("--into", "into", type=click.Path(path_type=Path), required=True,
              help="nieuwe map voor de opnieuw opgebouwde database")
@click.pass_obj
def rebuild(c: Ctx, into: Path) -> None:
    """Speel de map met verwerkte mail opnieuw af in een nieuwe database; verstuurt niets."""
    from mailbot.operations import rebuild as do_rebuild
    from mailbot.service import export as do_export

    cfg = config_mod.load(c.config_path, storage=into)
    if c.storage is not None:  # read the mailbox of --storage (the embedded Maildir), write into --into
        cfg = replace(cfg, maildir=c.config().maildir)
    _logging(cfg.log_format)
    bot, n = do_rebuild(cfg)
    state = do_export(bot)
    click.echo(f"opnieuw opgebouwd: {n} berichten afgespeeld in {into}; {len(state['attendees'])} deelnemers")


@cli.command()
@click.pass_obj
def demo(c: Ctx) -> None:
    """Vul de ingebouwde Maildir met voorbeeldantwoorden, haal één keer op en toon het resultaat."""
    from mailbot.demo import run_demo

    run_demo(c.bot(), now=c.now)


from mailbot.reports.commands import attendees, namecards, printouts  # noqa: E402

cli.add_command(attendees)
cli.add_command(namecards)
cli.add_command(printouts)

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
        click.echo("afgebroken", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except MailbotError as e:
        click.echo(f"mailbot: {e}", err=True)
        sys.exit(e.exit_code)
    except SQLAlchemyError as e:
        click.echo(f"mailbot: databasefout: {str(e).splitlines()[0]}", err=True)
        sys.exit(3)
    except KeyboardInterrupt:
        sys.exit(130)
