"""What scheduled work is due at a given moment: reminders and the daily digest.

Pure: it takes `now`, the configured schedule and the set of (job, slot) pairs
already done, and returns what to do. A slot whose time passed while the bot
was down is still due within the catch-up window, and never again once done;
that is what makes a restart safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from mailbot.core.types import Attendee, Invitee, Registry


@dataclass(frozen=True)
class Reminder:
    id: str
    at: datetime  # aware
    audience: str  # unanswered | registered
    template: str


@dataclass(frozen=True)
class Due:
    job: str  # reminder | digest
    slot: str  # the reminder id, or the digest's local date
    at: datetime
    reminder: Reminder | None = None


def due(now: datetime, *, reminders: tuple[Reminder, ...], digest_time: time | None, timezone: str,
        done: frozenset[tuple[str, str]], catch_up: timedelta) -> list[Due]:
    """Jobs whose time has come and that have not run, oldest first."""
    out: list[Due] = []
    for r in reminders:
        if r.at <= now <= r.at + catch_up and ("reminder", r.id) not in done:
            out.append(Due("reminder", r.id, r.at, r))
    if digest_time is not None:
        tz = ZoneInfo(timezone)
        local = now.astimezone(tz)
        # a digest covers everything up to its day: days on or before the last one sent are done
        last_sent = max((slot for job, slot in done if job == "digest"), default="")
        for back in range(catch_up.days + 1, -1, -1):
            day = local.date() - timedelta(days=back)
            at = datetime.combine(day, digest_time, tz)
            if at <= now <= at + catch_up and day.isoformat() > last_sent:
                out.append(Due("digest", day.isoformat(), at))
    out.sort(key=lambda d: d.at)
    # a digest missed yesterday and due today is sent once, as today's
    digests = [d for d in out if d.job == "digest"]
    if len(digests) > 1:
        out = [d for d in out if d.job != "digest" or d is digests[-1]]
    return out


@dataclass(frozen=True)
class Recipient:
    to: tuple[str, ...]
    name: str
    attendee: Attendee | None
    invitee: Invitee | None
    cc: tuple[str, ...] = ()  # the secretariat, kept informed
    wrote: bool = False  # an invitee with mail on record but nothing recorded: not "we never heard"


def recipients(audience: str, registry: Registry, invitees: tuple[Invitee, ...],
               bounced: frozenset[str], written: frozenset[str] = frozenset()) -> list[Recipient]:
    """Who a reminder goes to; never someone who declined or cancelled, never a bounced address.

    `unanswered`: invitees for whom nobody (they or their secretariat) has
    answered; those whose own address is in `written` (they wrote: a question, a
    tentative answer, mail staff answered) are marked `wrote`, so they get a
    reminder that says so instead of "we have not heard from you".
    `registered`: everyone registered, at their own address, else at the
    address that registered them. Both copy the secretariat: the one that
    registered the person, else the invitee list's.
    """
    bounced = frozenset(a.lower() for a in bounced)
    written = frozenset(a.lower() for a in written)
    secretaries = {i.email.lower(): i.secretary_email for i in invitees if i.secretary_email}
    out: list[Recipient] = []
    if audience == "unanswered":
        answered = {a.key for a in registry.attendees} | {a.email.lower() for a in registry.attendees if a.email}
        for i in invitees:
            email = i.email.lower()
            if email in answered or email in bounced:
                continue
            out.append(Recipient((i.email,), i.name, None, i, _copy(email, secretaries.get(email), bounced),
                                 email in written))
    elif audience == "registered":
        for a in registry.attendees:
            if a.status != "registered":
                continue
            to = a.email if a.email and a.email.lower() not in bounced else a.registered_by
            if not to or "@" not in to or to.lower() in bounced:
                continue
            by = a.registered_by if a.registered_by and "@" in a.registered_by else None
            if by is None or by.lower() == (a.email or "").lower():
                by = secretaries.get((a.email or "").lower())
            out.append(Recipient((to,), a.name, a, None, _copy(to, by, bounced)))
    else:
        raise ValueError(f"unknown audience {audience!r}")
    return out


def _copy(to: str, secretariat: str | None, bounced: frozenset[str]) -> tuple[str, ...]:
    if not secretariat or secretariat.lower() in (to.lower(), *bounced):
        return ()
    return (secretariat,)
