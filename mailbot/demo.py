"""`mailbot demo`: the main job on the embedded default, shown end to end.

Seeds the local Maildir with a handful of example replies (fixed Message-IDs,
so a second run adds nothing), runs one poll cycle and prints who comes to
which session and where the replies were written.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import click
from sqlmodel import Session, select

from mailbot import db, store
from mailbot.mail.maildir import deliver
from mailbot.service import Bot, poll_once
from mailbot.wording import MAIL_KIND, SENT, STATUS, outcome

TZ = ZoneInfo("Europe/Amsterdam")
EXAMPLES = (
    ("demo-1", "Saskia de Groot <s.degroot@zwolle.nl>", "RE: Uitnodiging G32 netwerkdag 30 november",
     "Beste organisatie,\n\nGraag meld ik mij aan voor de Themagroep Financiën en het Algemeen Bestuur.\n\n"
     "Met vriendelijke groet,\n\nSaskia de Groot\nwethouder gemeente Zwolle\n", None),
    ("demo-2", "Bestuurssecretariaat Apeldoorn <bestuurssecretariaat@apeldoorn.nl>", "Aanmelding netwerkdag",
     "Geachte organisatie,\n\nBurgemeester Inge Ruiters neemt deel aan het Algemeen Bestuur en de netwerkborrel.\n"
     "Wethouder Noor Hoekstra komt naar de themasessie Mensen tussen wal en schip.\n\n"
     "Met vriendelijke groet,\n\nSandra Kuiper\nBestuurssecretariaat\n", None),
    ("demo-3", "\"Beek, Dirk van\" <d.vanbeek@almelo.nl>", "RE: Uitnodiging G32 netwerkdag 30 november",
     "Beste organisatie,\n\nHelaas ben ik op 30 november verhinderd.\n\nMet vriendelijke groet,\n\nDirk van Beek\n", None),
    ("demo-4", "Bas Postma <b.postma@tilburg.nl>", "RE: Uitnodiging G32 netwerkdag 30 november",
     "Ik kom graag naar de themagroep Financiën en naar Statushouders, en naar de borrel.\n\nBas Postma\n", None),
    ("demo-5", "\"Berg, Stefan van den\" <s.vandenberg@apeldoorn.nl>",
     "Automatisch antwoord: Uitnodiging G32 netwerkdag 30 november",
     "Tot en met vrijdag 10 november ben ik afwezig.\n", "auto-replied"),
)


def example(n: int, key: str, sender: str, subject: str, body: str, auto: str | None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "G32 <info@G32.nl>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2017, 11, 6, 10, n, tzinfo=TZ))
    msg["Message-ID"] = f"<{key}@demo.mailbot.invalid>"
    if auto:
        msg["Auto-Submitted"] = auto
    msg.set_content(body)
    return bytes(msg)


def seed(bot: Bot) -> int:
    """Deliver the examples that were neither delivered nor handled before."""
    with Session(bot.engine) as s:
        handled = {r for r in s.exec(select(db.InboundMessage.message_id)).all()}
    added = 0
    for n, (key, sender, subject, body, auto) in enumerate(EXAMPLES):
        marker = bot.config.maildir.parent / ".demo-seeded" / key
        if f"<{key}@demo.mailbot.invalid>" in handled or marker.exists():
            continue
        deliver(bot.config.maildir, example(n, key, sender, subject, body, auto))
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        added += 1
    return added


def run_demo(bot: Bot, *, now: datetime | None) -> None:
    now = now or datetime.now(TZ)
    added = seed(bot)
    click.echo(f"Maildir {bot.config.maildir}: {added} voorbeeldantwoorden toegevoegd")
    results = poll_once(bot, now=now)
    click.echo(f"Eén ronde verwerkt: {len(results)} berichten "
               f"({', '.join(sorted({outcome(r.outcome) for r in results})) or 'niets nieuws'})\n")
    with Session(bot.engine) as s:
        reg = store.registry(s)
        sent = s.exec(select(db.Outbox).order_by(db.Outbox.id)).all()
        review = s.exec(select(db.ReviewItem).where(db.ReviewItem.resolved_at.is_(None))).all()
    names = {m.slug: m.name for m in bot.knowledge.municipalities}
    click.echo("Aanmeldingen per sessie")
    for sess in bot.knowledge.event.sessions:
        people = [a for a in reg.attendees if a.status == "registered" and sess.id in a.sessions]
        click.echo(f"  {sess.start:%H.%M} {sess.title:<58} {len(people):>3}")
        for a in people:
            where = names.get(a.municipality or "") or a.organisation or "geen G32-gemeente"
            click.echo(f"        - {a.name} ({where})")
    others = [a for a in reg.attendees if a.status != "registered"]
    if others:
        click.echo("\nAfgemeld")
        for a in others:
            click.echo(f"        - {a.name}: {STATUS.get(a.status, a.status)}")
    click.echo(f"\nAntwoorden ({len(sent)}), geschreven in {bot.config.outbox}:")
    for o in sent:
        kind, state = MAIL_KIND.get(o.kind, o.kind), SENT.get(o.status, o.status)
        click.echo(f"  {kind:<24} {state:<10} aan {', '.join(json.loads(o.to))}")
    click.echo(f"\nTer controle voor de staf: {len(review)}")
    for r in review:
        click.echo(f"  - {r.reason} {r.summary}")
    click.echo("\nDe balie op deze gegevens: maak een account en start de webpagina's,\n"
               "  .venv/bin/mailbot staff add balie\n"
               "  .venv/bin/mailbot web\n"
               f"en open {bot.config.web.base_url} in de browser.")
