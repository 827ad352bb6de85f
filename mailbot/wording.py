"""The words staff read for the bot's internal codes, and times in the event's own zone.

Outcomes, kinds of mail, rules and statuses are identifiers in code, logs and the
JSON export; on the command line staff read them as plain Dutch. Times are shown
with their date, in the event's time zone, never as bare UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")

OUTCOME = {
    "recorded": "verwerkt",
    "ignored": "genegeerd (geen antwoord nodig)",
    "review": "voor controle door een medewerker",
    "duplicate": "al eerder ontvangen, niet opnieuw verwerkt",
    "skipped": "overgeslagen (ouder dan process_since)",
    "error": "niet te lezen, voor controle door een medewerker",
}
KIND = {
    "human": "persoonlijk bericht",
    "auto-reply": "automatisch antwoord (afwezigheid)",
    "bounce": "onbestelbaar-melding",
    "receipt": "leesbevestiging",
    "bulk": "nieuwsbrief of massamail",
    "loop": "onze eigen mail, teruggekomen",
    "auth-fail": "afzender niet echt (controle door de mailserver mislukt)",
}
SENDER_HOW = {
    "invitee-address": "adres van de genodigde",
    "secretariat-address": "adres van het secretariaat",
    "personal-reply-address": "persoonlijk antwoordadres uit de uitnodiging",
    "domain": "maildomein van de gemeente",
    "subdomain": "subdomein van de gemeente",
    "text": "genoemd in de tekst of ondertekening",
    "none": "niet te bepalen",
}
STATUS = {"registered": "aangemeld", "declined": "afgemeld", "cancelled": "geannuleerd"}
WHAT = {"new": "nieuw", "changed": "gewijzigd", "unchanged": "ongewijzigd", "declined": "afgemeld",
        "cancelled": "geannuleerd", "details": "gegevens aangepast"}
ACTION = {"register": "aanmelding", "change": "wijziging", "cancel": "annulering", "decline": "afmelding"}
MAIL_KIND = {"confirmation": "bevestiging", "acknowledgement": "ontvangstbevestiging",
             "clarification": "vraag om verduidelijking", "reminder": "herinnering",
             "digest": "overzicht voor medewerkers", "invitation": "uitnodiging"}
SENT = {"queued": "wacht", "sent": "verstuurd", "failed": "mislukt", "replayed": "niet verstuurd"}
CUE = {"register": "aanmelden", "decline": "afmelden", "cancel": "annuleren", "change": "wijzigen",
       "thanks": "bedankt", "question": "vraag", "tentative": "onder voorbehoud"}
RULE = {
    "identity-refused": "afzender mag niet namens deze persoon handelen",
    "not-understood": "niet begrepen",
    "question": "vraag van de afzender",
    "remark": "opmerking (dieet, toegang, tijd)",
    "reply-to-limited": "antwoordadres beperkt",
    "slot-conflict": "twee sessies op hetzelfde tijdstip",
    "tentative": "voorlopig antwoord",
    "too-long": "bericht te lang",
    "unknown-sender": "afzender hoort niet bij een G32-gemeente",
    "unverified-sender": "afzender niet geverifieerd",
    "waiting-list": "wachtlijst",
    "no-sender": "geen afzender",
    "echo-of-own-mail": "onze eigen mail teruggestuurd",
    "thanks-after-confirmation": "bedankje na een bevestiging",
    "calendar-reply": "antwoord uit een agenda",
    "calendar-unknown": "agenda-antwoord zonder duidelijke status",
    "ignore-auto-reply": "automatisch antwoord",
    "ignore-bounce": "onbestelbaar-melding",
    "ignore-receipt": "leesbevestiging",
    "ignore-own-mail": "onze eigen mail",
    "review-bulk-mail": "massamail",
    "review-auth-fail": "afzender niet echt",
}
PLAIN_REASON = {"no sign of automatic mail": "geen kenmerken van automatische mail",
                "message could not be inspected": "bericht kon niet worden onderzocht"}


def rule(name: str) -> str | None:
    """A rule that fired, as staff read it; None for a technical detail of no use to them."""
    if name in RULE:
        return RULE[name]
    action, _, what = name.partition("-")
    if action in ACTION and what == "unchanged":
        return f"{ACTION[action]} zonder verandering"
    if action in ACTION and what in WHAT:
        return f"{ACTION[action]}, {WHAT[what]}"
    return None


def rules(names: list[str] | tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(w for w in (rule(n) for n in names) if w))


def outcome(name: str) -> str:
    return OUTCOME.get(name, name)


def local_time(at: datetime, timezone: str) -> str:
    """"do 16 nov 2017 09.00": a stored moment (UTC when it has no zone) in the event's zone."""
    value = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(ZoneInfo(timezone))
    return f"{DAYS[value.weekday()][:2]} {value.day} {MONTHS[value.month - 1][:3]} {value.year} {value:%H.%M}"


def day_words(day: date) -> str:
    """"vrijdag 1 december 2017"."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def local_words(at: datetime) -> str:
    """"vrijdag 1 december 2017 14.30" in the zone the moment carries; midnight is just the day."""
    return day_words(at.date()) + ("" if (at.hour, at.minute) == (0, 0) else f" {at:%H.%M}")


def explained(report: dict) -> dict:
    """`explain`'s report with its codes in staff's words, for the text shown to them
    (the JSON form keeps the codes)."""
    c = report["classification"]
    d = report["decision"]
    return {
        **report,
        "classification": {"kind": KIND.get(c["kind"], c["kind"]), "rule": "kenmerk",
                           "reason": PLAIN_REASON.get(c["reason"], c["reason"])},
        "sender": {**report["sender"], "how": SENDER_HOW.get(report["sender"]["how"], report["sender"]["how"])},
        "cues": {CUE.get(k, k): v for k, v in report["cues"].items()},
        "people": [{**p, "cues": {CUE.get(k, k): v for k, v in p["cues"].items()}} for p in report["people"]],
        "decision": {
            **d,
            "outcome": outcome(d["outcome"]),
            "rules": rules(d["rules"]),
            "attendees": [{**a, "status": STATUS.get(a["status"], a["status"]), "what": WHAT.get(a["what"], a["what"])}
                          for a in d["attendees"]],
            "replies": [{**r, "kind": MAIL_KIND.get(r["kind"], r["kind"])} for r in d["replies"]],
        },
    }
