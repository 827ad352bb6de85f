"""Plain, frozen values shared by the core and the shell.

Knowledge (sessions, municipalities, invitees, lexicon) comes from config.toml
and rules/; a registry snapshot describes who is registered; decisions are the
effects the shell must carry out. Keeping them as data makes every decision
testable and explainable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time


@dataclass(frozen=True)
class Session:
    id: str
    title: str
    start: time
    end: time
    aliases: tuple[str, ...] = ()
    capacity: int | None = None
    description: str = ""  # the invitation's paragraph: people name sessions by what it says
    number: int = 0  # 1, 2, ... in the invitation's order; mails show it, replies may use it

    @property
    def slot(self) -> time:
        """Sessions that start together cannot both be attended."""
        return self.start


@dataclass(frozen=True)
class Signer:
    """The person who signs every mail: invitees want someone to call, not only an organisation."""

    name: str = ""
    function: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Event:
    name: str
    day: date
    timezone: str
    venue: str
    address: str
    sender_name: str
    documents_deadline: datetime
    sessions: tuple[Session, ...]
    plus_addressing: bool = False  # invitations carry a personal reply address info+TOKEN@...
    # folded words that never name a session by its description: places, and the words
    # people use about coming at all (the intent lexicon, roles, meeting vocabulary)
    not_topics: frozenset[str] = frozenset()
    compound_tails: tuple[str, ...] = ()  # meeting nouns glued to a session's name ("veiligheidsgroep")
    signer: Signer = Signer()  # config.toml [signer]; empty: mail is signed by the organisation only

    def session(self, session_id: str) -> Session:
        for s in self.sessions:
            if s.id == session_id:
                return s
        raise KeyError(session_id)

    @property
    def session_ids(self) -> frozenset[str]:
        return frozenset(s.id for s in self.sessions)


@dataclass(frozen=True)
class Municipality:
    slug: str
    name: str
    status: str  # "member" or "candidate"
    domains: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Invitee:
    name: str
    role: str | None
    municipality: str | None
    email: str
    secretary_email: str | None = None


@dataclass(frozen=True)
class Lexicon:
    """Phrases the understanding modules look for, loaded from rules/lexicon.*.toml."""

    register: tuple[str, ...] = ()
    decline: tuple[str, ...] = ()
    cancel: tuple[str, ...] = ()
    change: tuple[str, ...] = ()
    thanks: tuple[str, ...] = ()
    question: tuple[str, ...] = ()
    tentative: tuple[str, ...] = ()
    negation: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)  # phrase -> canonical role
    on_behalf: tuple[str, ...] = ()
    nonmember_orgs: tuple[str, ...] = ()
    not_topics: tuple[str, ...] = ()
    not_cues: tuple[str, ...] = ()  # phrases that hold a cue's words but mean something else
    fillers: tuple[str, ...] = ()  # words that may stand inside a cue phrase ("moet ik deze keer passen")
    compound_tails: tuple[str, ...] = ()  # meeting nouns a session's name is glued to ("veiligheidsgroep")
    requests: tuple[str, ...] = ()  # polite openers: "wilt u ...?" asking us to do something  # meeting words that never name a session by its description


@dataclass(frozen=True)
class Knowledge:
    """Everything the core reasons with, passed explicitly."""

    event: Event
    municipalities: tuple[Municipality, ...]
    invitees: tuple[Invitee, ...]
    lexicon: Lexicon
    own_addresses: frozenset[str]
    trusted_authserv_ids: frozenset[str]
    tokens: dict[str, str] = field(default_factory=dict)  # personal reply-address token -> invitee email
    own_text: tuple[tuple[str, ...], ...] = ()  # fixed word runs of our mail templates (core.echo)


# --- the registry as the core sees it ------------------------------------


@dataclass(frozen=True)
class Attendee:
    """One person's registration state; `key` is stable across messages."""

    key: str
    name: str
    role: str | None
    email: str | None
    municipality: str | None
    status: str  # registered | declined | cancelled
    sessions: frozenset[str] = frozenset()
    registered_by: str | None = None
    needs_review: bool = False
    addresses: frozenset[str] = frozenset()  # every address linked to this person
    waitlist: frozenset[str] = frozenset()  # chosen sessions that were full: on the waiting list
    remarks: tuple[str, ...] = ()  # needs staff must act on ("dieetwens: ..."), see core.remarks
    organisation: str | None = None  # a non-member's organisation (VNG, BZK, ...), shown like a municipality


@dataclass(frozen=True)
class Registry:
    attendees: tuple[Attendee, ...] = ()

    def seats_taken(self, session_id: str) -> int:
        """Registered attendees holding a seat in the session (the waiting list excluded)."""
        return sum(1 for a in self.attendees if a.status == "registered" and session_id in a.sessions)

    def find_by_address(self, address: str) -> tuple[Attendee, ...]:
        a = address.lower()
        return tuple(x for x in self.attendees if a in x.addresses)

    def find(self, key: str) -> Attendee | None:
        return next((x for x in self.attendees if x.key == key), None)


# --- what was read ---------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    """The facts of one inbound message the core needs, decoded once."""

    message_id: str
    from_addr: str
    from_name: str
    reply_to: tuple[str, ...]
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    date: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]

    @property
    def reply_addresses(self) -> tuple[str, ...]:
        """Replies go to Reply-To where present, else to From (contract rule 8)."""
        return self.reply_to or ((self.from_addr,) if self.from_addr else ())


# --- decisions ---------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A mail to queue: kind is confirmation, acknowledgement or clarification."""

    kind: str
    to: tuple[str, ...]
    template: str
    context: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class ReviewItem:
    reason: str
    summary: str = ""


@dataclass(frozen=True)
class Change:
    """An attendee row to write, and why (for history and the digest)."""

    attendee: Attendee
    what: str  # new | changed | declined | cancelled | unchanged


@dataclass(frozen=True)
class Note:
    """A fact automatic mail told us, kept for the digest: a bounce, an absence."""

    address: str
    kind: str  # bounce | away
    detail: str = ""


@dataclass(frozen=True)
class Decision:
    outcome: str  # recorded | ignored | review | duplicate | skipped
    changes: tuple[Change, ...] = ()
    replies: tuple[Reply, ...] = ()
    review: tuple[ReviewItem, ...] = ()
    rules: tuple[str, ...] = ()  # names of the rules that fired, for explain
    notes: tuple[Note, ...] = ()
