"""Desk: every page of `mailbot web` timed on a full store, beside a busy `mailbot run`.

The store is seeded in bulk (2,000 attendees spread over the member
municipalities, sessions without slot clashes, their history, 5,000 handled
messages with outcomes, review items open and closed, outbox rows); the seeding
time is printed, not counted. Then, on that same store and at the same time:

- `mailbot run` works through a backlog of realistic replies placed in its
  Maildir (kept stocked while measuring, so it stays busy; its poll interval
  is lowered to 2 s in a copy of the shipped config);
- `mailbot web` serves the desk, and this process, logged in with httpx as a
  staff member made by `mailbot staff add`, requests every GET page of
  mailbot.web.pages.ROUTES round after round (pages with an {id} cycle through
  real attendee or review ids; GET forms on a page, such as the filters of
  Deelnemers, add one variant per choice list).

Responses that are not HTML (the downloads) are timed apart, fewer times: the
attendee list as xlsx and CSV against its target, the PDFs for information.
When the desk has no such download yet, mailbot.reports.exports is timed
in-process instead. Times are what a browser on the same machine would wait:
request sent to body read, over loopback. Nothing is asserted; the targets are
printed as met or not. The machine is shared: load and CPU use are printed.

    .venv/bin/python bench/desk.py --quick    # bench-quick sizes (a few minutes)
    .venv/bin/python bench/desk.py            # the issue's sizes
    .venv/bin/python bench/desk.py --profile /deelnemers   # pyinstrument, in-process, on the seeded store
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesHeaderParser
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

PAGE_TARGET_MS = 200.0  # p95 of every page
EXPORT_TARGET_S = 1.0  # the attendee list, xlsx and CSV
STAFF = "bench"
PASSWORD = secrets.token_urlsafe(18)  # made per run: no password is kept in the repository
SPREADSHEET = "spreadsheetml"
QUICK = {"backlog": 600, "requests": 15, "downloads": 2}
FULL = {"backlog": 3000, "requests": 50, "downloads": 5}


# --------------------------------------------------------------------------
# the store
# --------------------------------------------------------------------------

REVIEW_REASONS = (
    "Afzender hoort niet bij een G32-gemeente; controleer de aanmelding.",
    "Vraag van de afzender; beantwoord deze zelf.",
    "Bericht niet begrepen als aanmelding, afmelding of wijziging.",
    "Voorlopig of voorwaardelijk antwoord.",
    "Wens of bijzonderheid bij de aanmelding; regel dit zelf.",
)
CLOSING_NOTES = ("Gebeld en aangemeld.", "Beantwoord per mail.", "Geen actie nodig.",
                 "Doorgestuurd naar het secretariaat.", "")
REMARKS = ("dieetwens: vegetarisch", "dieetwens: glutenvrij", "toegankelijkheid: rolstoel",
           "begeleiding: komt met assistent", "tijd: komt iets later binnen", "tijd: moet om 15.00 uur weg")
ORGANISATIONS = (("VNG", "vng.nl"), ("Platform31", "platform31.nl"), ("Ministerie van BZK", "minbzk.nl"),
                 ("Divosa", "divosa.nl"), ("MBO-raad", "mboraad.nl"))
IGNORED_KINDS = (("auto-reply", '["auto-reply"]', 55), ("human", '["thanks-only"]', 25),
                 ("bounce", '["bounce"]', 8), ("receipt", '["read-receipt"]', 7), ("bulk", '["bulk"]', 5))
CONFIRMATION = ("From: G32 <info@G32.nl>\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"
                "Message-ID: {mid}\r\nIn-Reply-To: {irt}\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                "Beste {name},\r\n\r\nDank voor uw bericht. {line}\r\n\r\n"
                "Met vriendelijke groet,\r\n\r\nG32\r\n")


@dataclass
class Seeded:
    """What the benchmark needs from the store it made: ids to put in URLs, and counts."""

    attendee_ids: list[int]
    review_ids: list[int]
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def _pick_sessions(rng: random.Random, sessions) -> list:
    """1-4 sessions, at most one per time slot (a slot clash never reaches the store)."""
    by_slot: dict = {}
    for s in sessions:
        by_slot.setdefault(s.start, []).append(s)
    slots = rng.sample(sorted(by_slot), rng.choice((1, 2, 2, 3, 3, 4)))
    return sorted((rng.choice(by_slot[t]) for t in slots), key=lambda s: s.start)


def _times(rng: random.Random, now: datetime, n: int) -> list[datetime]:
    """When n things happened over the two registration weeks before now; some in the last day."""
    start = now - timedelta(days=14)
    out = []
    for _ in range(n):
        if rng.random() < 0.06:
            out.append(now - timedelta(seconds=rng.randrange(60, 24 * 3600)))
        else:
            out.append(start + timedelta(seconds=rng.randrange(0, 13 * 24 * 3600)))
    return out


def _msgid(rng: random.Random, domain: str) -> str:
    return f"<{rng.getrandbits(64):016x}.{rng.getrandbits(20)}@mail.{domain}>"


def seed(bot, *, attendees: int, messages: int, now: datetime, rng: random.Random) -> Seeded:
    """Fill a fresh store in bulk (Core inserts through the SQLModel tables) the way two
    weeks of registration would leave it: everyone's registering mail and its
    confirmation, later changes, declines and cancellations, the office's own phone
    registrations, automatic mail that was ignored, and review items."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from mailbot import db

    started = time.perf_counter()
    k = bot.knowledge
    members = [m for m in k.municipalities if m.status == "member"]
    sessions = list(k.event.sessions)
    invitees = [i for i in k.invitees if i.municipality in {m.slug for m in members}]
    rng.shuffle(invitees)
    rows: dict[str, list[dict]] = {t: [] for t in ("attendee", "attendee_session", "history", "inbound_message",
                                                   "outbox", "outbox_recipient", "review_item", "staff_action",
                                                   "mail_note")}
    used: set[str] = {i.email.lower() for i in k.invitees}
    mail_id = [0]

    def inbound(addr: str, at: datetime, outcome: str, kind: str = "human", rules: str = '["register-new"]',
                subject: str = "RE: " + h.SUBJECT, raw: bytes | None = None, msgid: str | None = None) -> str:
        mail_id[0] += 1
        mid = msgid or _msgid(rng, addr.rpartition("@")[2])
        rows["inbound_message"].append(dict(
            id=mail_id[0], message_id=mid, source="maildir", uidvalidity=None, uid=None,
            size=len(raw) if raw else rng.randrange(3_000, 40_000), received_at=at, sent_at=at - timedelta(minutes=2),
            from_addr=addr, subject=subject, outcome=outcome, kind=kind, rules=rules, raw=raw))
        return mid

    def confirm(addr: str, name: str, irt: str, at: datetime, kind: str, line: str) -> None:
        mid = f"<{rng.getrandbits(60)}.{len(rows['outbox'])}@g32.nl>"
        subject = "Bevestiging aanmelding G32 netwerkdag" if kind == "confirmation" else "Afmelding G32 netwerkdag"
        raw = CONFIRMATION.format(to=addr, subject=subject, date=email.utils.format_datetime(at), mid=mid, irt=irt,
                                  name=name, line=line).encode()
        rows["outbox"].append(dict(message_id=mid, kind=kind, to=json.dumps([addr]), subject=subject, in_reply_to=irt,
                                   source_message_id=irt, raw=raw, status="sent", dedupe=None, next_attempt_at=None,
                                   attempts=1, last_error=None, created_at=at, sent_at=at + timedelta(seconds=20)))
        rows["outbox_recipient"].append(dict(outbox_message_id=mid, address=addr.lower(), kind=kind, created_at=at))

    def history(aid: int, what: str, chosen: list, at: datetime, mid: str | None, actor: str | None) -> None:
        rows["history"].append(dict(attendee_id=aid, what=what, sessions=json.dumps(sorted(s.id for s in chosen)),
                                    message_id=mid, actor=actor, at=at))

    # -- attendees, each with the mail (or the phone call) that registered them ------------------
    for aid, at in enumerate(sorted(_times(rng, now, attendees)), start=1):
        secretary = None
        organisation = None
        if aid <= len(invitees) * 0.8:
            inv = invitees[aid - 1]
            name, address, role, muni = inv.name, inv.email, inv.role or "wethouder", inv.municipality
            secretary = inv.secretary_email if rng.random() < 0.25 else None
        elif rng.random() < 0.04:
            organisation, domain = rng.choice(ORGANISATIONS)
            name = f"{rng.choice(h.FIRST)} {rng.choice(h.LAST)}"
            address, role, muni = _address(name, domain, used), rng.choice(("adviseur", "directeur")), None
        else:
            m = rng.choice(members)
            name = f"{rng.choice(h.FIRST)} {rng.choice(h.LAST)}"
            address, role, muni = _address(name, m.domains[0], used), rng.choice(h.ROLES), m.slug
        by_staff = rng.random() < 0.05
        fate = rng.choices(("registered", "declined", "cancelled"), (88, 8, 4))[0]
        chosen = [] if fate == "declined" else _pick_sessions(rng, sessions)
        sender = secretary or address
        addresses = sorted({address.lower(), *([secretary.lower()] if secretary else [])})
        remarks = [rng.choice(REMARKS)] if fate == "registered" and rng.random() < 0.06 else []
        actor = rng.choice(("anna", "bert")) if by_staff else None
        rows["attendee"].append(dict(
            id=aid, key=address.lower(), name=name, role=role, email=address, municipality=muni, status=fate,
            registered_by=None if by_staff else sender, needs_review=False, addresses=json.dumps(addresses),
            remarks=json.dumps(remarks), ics_sequence=0, organisation=organisation,
            registered_via="staff" if by_staff else "mail", version=1 if by_staff else 0, arrived_at=None,
            arrived_by=None, created_at=at, updated_at=at))
        mid = None if by_staff else inbound(sender, at, "recorded",
                                            rules='["decline"]' if fate == "declined" else '["register-new"]')
        if fate == "declined":
            history(aid, "declined", [], at, mid, actor)
            if mid:
                confirm(sender, name, mid, at, "acknowledgement", "Jammer dat u niet kunt komen.")
            continue
        history(aid, "new", chosen, at, mid, actor)
        if mid:
            confirm(sender, name, mid, at, "confirmation", "U bent aangemeld.")
        # later changes, by mail; a cancellation last
        changed_at = at
        for _ in range(rng.choices((0, 1, 2), (62, 30, 8))[0]):
            changed_at = min(now - timedelta(minutes=1), changed_at + timedelta(hours=rng.randrange(1, 96)))
            extra = rng.choice(sessions)
            chosen = sorted([s for s in chosen if s.start != extra.start] + [extra], key=lambda s: s.start)
            cmid = inbound(sender, changed_at, "recorded", rules='["register-change"]')
            history(aid, "changed", chosen, changed_at, cmid, None)
            confirm(sender, name, cmid, changed_at, "confirmation", "Uw aanmelding is gewijzigd.")
        if fate == "cancelled":
            changed_at = min(now - timedelta(minutes=1), changed_at + timedelta(hours=rng.randrange(1, 48)))
            cmid = inbound(sender, changed_at, "recorded", rules='["cancel"]')
            history(aid, "cancelled", [], changed_at, cmid, None)
            confirm(sender, name, cmid, changed_at, "acknowledgement", "Uw aanmelding is ingetrokken.")
            chosen = []
        rows["attendee"][-1]["updated_at"] = changed_at
        for s in chosen:
            rows["attendee_session"].append(dict(attendee_id=aid, session_id=s.id, waitlisted=False,
                                                 created_at=at))

    # -- review items: real mails kept whole, about a quarter still open ---------------------------
    left = max(0, messages - mail_id[0])
    factory = h.ReplyFactory(rng.randrange(1 << 30), attachment_every=0)
    reviews = min(left, max(20, messages // 25))
    for rid, at in enumerate(sorted(_times(rng, now, reviews)), start=1):
        reply = factory.make("question", date=at.astimezone(h.CET))
        addr = email.utils.parseaddr(str(BytesHeaderParser(policy=policy.compat32).parsebytes(reply.raw)["From"]))
        mid = inbound(addr[1], at, "review", rules='["question"]', raw=reply.raw, msgid=reply.message_id)
        closed = rng.random() < 0.75 and at < now - timedelta(hours=2)
        who = rng.choice(("anna", "bert"))
        note = rng.choice(CLOSING_NOTES)
        done_at = at + timedelta(hours=rng.randrange(1, 24)) if closed else None
        if done_at is not None and done_at > now:
            done_at = now - timedelta(minutes=5)
        rows["review_item"].append(dict(
            id=rid, message_id=mid, from_addr=addr[1], reason=rng.choice(REVIEW_REASONS),
            summary=f"{addr[1]}: {addr[0]}", created_at=at, resolved_at=done_at, resolved_by=who if closed else None,
            note=note if closed else ""))
        if closed:
            rows["staff_action"].append(dict(review_id=rid, actor=who, action="resolve", detail=note or "gesloten",
                                             at=done_at))

    # -- the rest: automatic mail that was ignored, a few skipped (too old) ----------------------
    left = max(0, messages - mail_id[0])
    kinds = [k for k, _, _ in IGNORED_KINDS]
    weights = [w for _, _, w in IGNORED_KINDS]
    rules_of = {k: r for k, r, _ in IGNORED_KINDS}
    for at in _times(rng, now, left):
        m = rng.choice(members)
        addr = _address(f"{rng.choice(h.FIRST)} {rng.choice(h.LAST)}", m.domains[0], used)
        if rng.random() < 0.02:
            inbound(addr, at, "skipped", rules='["before-process-since"]')
            continue
        kind = rng.choices(kinds, weights)[0]
        inbound(addr, at, "ignored", kind=kind, rules=rules_of[kind],
                subject="Automatisch antwoord: " + h.SUBJECT if kind == "auto-reply" else "RE: " + h.SUBJECT)
        if kind == "auto-reply" and rng.random() < 0.3:
            rows["mail_note"].append(dict(address=addr, kind="away", detail="afwezig tot en met vrijdag",
                                          message_id=None, at=at))
        elif kind == "bounce":
            rows["mail_note"].append(dict(address=addr, kind="bounce", detail="550 5.1.1 mailbox unavailable",
                                          message_id=None, at=at))
    for row in rng.sample(rows["outbox"], min(8, len(rows["outbox"]))):  # a few never got through
        row.update(status="failed", sent_at=None, attempts=12, last_error="550 5.1.1 mailbox unavailable")

    order = ("attendee", "attendee_session", "history", "inbound_message", "outbox", "outbox_recipient",
             "review_item", "staff_action", "mail_note")
    with Session(bot.engine) as s, s.begin():
        for table in order:
            if rows[table]:
                s.execute(insert(db.SQLModel.metadata.tables[table]), rows[table])
    done = Seeded(attendee_ids=[r["id"] for r in rows["attendee"]], review_ids=[r["id"] for r in rows["review_item"]],
                  counts=Counter({t: len(v) for t, v in rows.items()}), seconds=time.perf_counter() - started)
    done.counts.update({f"attendee {k}": v for k, v in Counter(r["status"] for r in rows["attendee"]).items()})
    done.counts.update({f"message {k}": v for k, v in Counter(r["outcome"] for r in rows["inbound_message"]).items()})
    done.counts["review open"] = sum(1 for r in rows["review_item"] if r["resolved_at"] is None)
    return done


def _address(name: str, domain: str, used: set[str]) -> str:
    first, _, last = name.partition(" ")
    local = f"{first[0].lower()}.{last.replace(' ', '').lower()}"
    addr, n = f"{local}@{domain}", 2
    while addr in used:
        addr, n = f"{local}{n}@{domain}", n + 1
    used.add(addr)
    return addr


# --------------------------------------------------------------------------
# the installation, the runner and its backlog
# --------------------------------------------------------------------------


def write_config(directory: Path, poll_interval: int) -> Path:
    """The shipped config.toml (embedded Maildir, file outbox) with a short poll interval,
    next to a `rules` symlink (config.load reads rules/ beside the config file)."""
    text = h.SHIPPED_CONFIG.read_text(encoding="utf-8")
    old = "poll_interval = 60"
    if old not in text:
        raise SystemExit("the shipped config no longer has the expected poll_interval line")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "rules").symlink_to(h.REPO / "rules", target_is_directory=True)
    path = directory / "config.toml"
    path.write_text(text.replace(old, f"poll_interval = {poll_interval}"), encoding="utf-8")
    return path


class Feeder:
    """Keeps the runner's inbox stocked with realistic replies, so `run` works through a
    backlog for as long as the desk is measured; tells whether it still had mail waiting
    (sampled every 0.2 s). Once every reply of the pool was delivered, the pool goes round
    again with new Message-IDs: the same people writing again."""

    LOW = 150
    CHUNK = 300

    def __init__(self, inbox: Path, pool: list) -> None:
        self.inbox = inbox
        self.pool = [(r.raw, r.message_id) for r in pool]
        self.moved = 0
        self.waiting = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        for sub in ("new", "cur", "tmp"):
            (inbox / sub).mkdir(parents=True, exist_ok=True)

    def put(self, n: int) -> None:
        """Deliver n replies as a mail server does: written in tmp/, then renamed into new/."""
        for _ in range(n):
            raw, mid = self.pool[self.moved % len(self.pool)]
            again = self.moved // len(self.pool)
            if again:
                raw = raw.replace(mid.encode(), f"<r{again}.{mid[1:]}".encode(), 1)
            name = f"{int(time.time())}.M{self.moved}P{os.getpid()}.bench"
            (self.inbox / "tmp" / name).write_bytes(raw)
            os.rename(self.inbox / "tmp" / name, self.inbox / "new" / name)
            self.moved += 1

    def count(self) -> int:
        return sum(len(os.listdir(self.inbox / sub)) for sub in ("new", "cur"))

    @property
    def busy(self) -> bool:
        return self.waiting > 0

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            self.waiting = self.count()
            if self.waiting < self.LOW:
                self.put(self.CHUNK)

    def start(self) -> Feeder:
        self.waiting = self.count()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def sched(pid: int) -> tuple[int, int]:
    """(on-CPU ns, ns spent runnable but waiting for a CPU) of all threads of `pid`, from
    /proc/PID/task/*/schedstat: what a request cost the desk, and what the machine's other
    load added to it."""
    cpu = wait = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0, 0
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                fields = f.read().split()
        except OSError:
            continue
        cpu += int(fields[0])
        wait += int(fields[1])
    return cpu, wait


def handled(engine) -> int:
    from sqlalchemy import text

    with engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM inbound_message")).scalar() or 0)


def wait_for(condition, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log else ""
            raise SystemExit(f"{what}: the process exited with {proc.returncode}\n{tail}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.1)


@contextlib.contextmanager
def process(inst: h.Installation, log: Path, *args: str):
    """`mailbot ARGS` on the store (real clock), stopped with SIGTERM (then SIGKILL) at the end."""
    with open(log, "w") as out:
        proc = inst.popen(*args, now=None, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# --------------------------------------------------------------------------
# the pages
# --------------------------------------------------------------------------


@dataclass
class Target:
    """One URL template to request, with the ids it cycles through."""

    label: str
    template: str
    values: dict[str, list[str]] = field(default_factory=dict)
    n: int = 0

    def next_url(self) -> str:
        url = self.template
        for name, values in self.values.items():
            url = re.sub(r"\{" + name + r"(:\w+)?\}", values[self.n % len(values)], url)
        self.n += 1
        return url


@dataclass
class Timing:
    label: str
    status: Counter = field(default_factory=Counter)
    kind: str = ""  # content type, short
    seconds: list[float] = field(default_factory=list)
    busy: int = 0  # requests made while the runner had mail waiting
    cold: float = 0.0
    size: int = 0
    cpu_ns: int = 0  # the desk's CPU time over all timed requests
    wait_ns: int = 0  # the desk's time runnable but without a CPU (the machine's other load)
    download: bool = False  # a file (answered 200, not HTML); anything else counts as a page

    def figures(self) -> dict:
        ms = [1000 * s for s in self.seconds]
        n = len(ms) or 1
        return {"page": self.label, "n": len(ms), "p50_ms": round(h.percentile(ms, 50), 1),
                "p95_ms": round(h.percentile(ms, 95), 1), "max_ms": round(max(ms), 1) if ms else None,
                "cpu_ms": round(self.cpu_ns / 1e6 / n, 1), "cpu_wait_ms": round(self.wait_ns / 1e6 / n, 1),
                "cold_ms": round(1000 * self.cold, 1), "status": dict(self.status), "kind": self.kind,
                "kb": round(self.size / 1024, 1)}


PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def discover(ids: dict[str, list[str]]) -> tuple[list[Target], list[str]]:
    """Every GET route of the desk's pages, with values for its path parameters;
    and the routes left out (POST only, or a parameter nothing here can fill)."""
    from starlette.routing import Route

    from mailbot.web.pages import ROUTES

    targets: list[Target] = []
    skipped: list[str] = []
    for route in ROUTES:
        if not isinstance(route, Route):
            skipped.append(f"{getattr(route, 'path', route)} (not a page route)")
            continue
        if "GET" not in (route.methods or ()):
            skipped.append(f"{' '.join(sorted(route.methods or ()))} {route.path}")
            continue
        values: dict[str, list[str]] = {}
        for name in PARAM.findall(route.path):
            kind = _param_kind(route.path, name)
            if kind is None or not ids.get(kind):
                skipped.append(f"GET {route.path} (no values for {{{name}}})")
                break
            values[name] = ids[kind]
        else:
            targets.append(Target(route.path, route.path, values))
    return targets, skipped


def _param_kind(path: str, name: str) -> str | None:
    """Which ids a path parameter takes, from its name and the page it belongs to."""
    low = name.lower()
    if "session" in low or "sessie" in low:
        return "session"
    if "gemeente" in low or "municipality" in low or low == "slug":
        return "municipality"
    if "review" in low or path.startswith("/controle"):
        return "review"
    if "attendee" in low or "deelnemer" in low or path.startswith(("/deelnemers", "/aanwezig")):
        return "attendee"
    return None


class GetForms(HTMLParser):
    """The choice lists of a page's GET forms (its filters): {select name: [option values]}."""

    def __init__(self) -> None:
        super().__init__()
        self.selects: dict[str, list[str]] = {}
        self._in_get = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        if tag == "form":
            self._in_get = (a.get("method") or "get").lower() == "get"
        elif tag == "select" and self._in_get and a.get("name"):
            self._select = a["name"]
            self.selects.setdefault(self._select, [])
        elif tag == "option" and self._select is not None and a.get("value"):
            self.selects[self._select].append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_get = False


def filter_variants(target: Target, html: str, rng: random.Random) -> list[Target]:
    """One variant of a page per choice list of its GET forms, set to a value picked at random."""
    if target.values:
        return []
    parser = GetForms()
    parser.feed(html)
    out = []
    for name, options in parser.selects.items():
        if options:
            value = rng.choice(options)
            url = f"{target.template}?{name}={value}"
            out.append(Target(url, url))
    return out


def login(base: str):
    import httpx

    client = httpx.Client(base_url=base, timeout=120, follow_redirects=False)
    client.get("/login")
    r = client.post("/login", data={"naam": STAFF, "wachtwoord": PASSWORD, "csrftoken": client.cookies["csrftoken"]})
    if r.status_code != 303:
        raise SystemExit(f"login failed: {r.status_code} {r.text[:500]}")
    return client


def timed_get(client, url: str) -> tuple[float, object]:
    """One GET, body read; a connection the server dropped (keep-alive ran out) is tried
    once more on a new one, and that second try is what is timed."""
    import httpx

    for attempt in (1, 2):
        started = time.perf_counter()
        try:
            r = client.get(url)
            r.read()
            return time.perf_counter() - started, r
        except httpx.TransportError as e:
            if attempt == 2:
                raise RuntimeError(f"GET {url}: {e!r}") from e
    raise AssertionError("unreachable")


def short_type(r) -> str:
    ct = r.headers.get("content-type", "").split(";")[0]
    return {"text/html": "html", "text/csv": "csv", "application/pdf": "pdf"}.get(
        ct, "xlsx" if SPREADSHEET in ct else ct or "-")


# --------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="bench-quick sizes: fewer requests, a smaller backlog")
    ap.add_argument("--attendees", type=int, default=2000)
    ap.add_argument("--messages", type=int, default=5000, help="handled messages in the store")
    ap.add_argument("--backlog", type=int, default=None, help="replies for the runner (default 3000; quick 600)")
    ap.add_argument("--requests", type=int, default=None, help="requests per page (default 50; quick 15)")
    ap.add_argument("--downloads", type=int, default=None, help="requests per download (default 5; quick 2)")
    ap.add_argument("--seed", type=int, default=32)
    ap.add_argument("--profile", default=None, metavar="PATH",
                    help="instead: profile one page (e.g. /deelnemers) in-process with pyinstrument on the seeded store")
    args = ap.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    backlog = args.backlog if args.backlog is not None else sizes["backlog"]
    per_page = args.requests or sizes["requests"]
    per_download = args.downloads or sizes["downloads"]
    rng = random.Random(args.seed)

    print(f"desk: {args.attendees} attendees, {args.messages} handled messages, runner backlog {backlog}, "
          f"{per_page} requests a page; {h.cpu_model()}, {h.load()}", flush=True)
    workdir = Path(h.servers.make_workdir("mbdesk-"))
    try:
        config = write_config(workdir / "bot", poll_interval=2)
        inst = h.Installation(config=config, storage=workdir / "storage",
                              env={"MAILBOT_WEB_SECRET": "bench-desk-" + str(os.getpid())})
        bot = inst.bot()
        now = datetime.now(UTC)
        seeded = seed(bot, attendees=args.attendees, messages=args.messages, now=now, rng=rng)
        c = seeded.counts
        print(f"  seeded in {seeded.seconds:.1f} s (not counted): {c['attendee']} attendees "
              f"({c['attendee registered']} registered, {c['attendee declined']} declined, "
              f"{c['attendee cancelled']} cancelled), {c['attendee_session']} session choices, "
              f"{c['history']} history rows, {c['inbound_message']} handled messages "
              f"({', '.join(f'{v} {k[8:]}' for k, v in sorted(c.items()) if k.startswith('message '))}), "
              f"{c['review_item']} review items ({c['review open']} open), {c['outbox']} outbox rows", flush=True)
        if args.profile:
            return profile(bot, args.profile, seeded)

        subprocess.run(inst.args("staff", "add", STAFF, now=None), input=PASSWORD + "\n", text=True,
                       env=inst.full_env(), cwd=h.REPO, check=True, capture_output=True)
        t0 = time.perf_counter()
        feeder = Feeder(bot.config.maildir, h.replies(backlog, args.seed + 1))
        feeder.put(backlog)
        print(f"  {backlog} replies made and placed in the runner's Maildir in {time.perf_counter() - t0:.1f} s "
              f"(kept stocked while measuring)", flush=True)
        before = handled(bot.engine)
        port = h.servers.free_port()
        ids = {"attendee": [str(i) for i in rng.sample(seeded.attendee_ids, min(50, len(seeded.attendee_ids)))],
               "review": [str(i) for i in rng.sample(seeded.review_ids, min(50, len(seeded.review_ids)))],
               "session": [s.id for s in bot.knowledge.event.sessions],
               "municipality": [m.slug for m in bot.knowledge.municipalities if m.status == "member"]}
        with process(inst, workdir / "web.log", "web", "--port", str(port)) as web, \
                process(inst, workdir / "run.log", "run") as runner:
            base = f"http://127.0.0.1:{port}"
            wait_for(lambda: _answers(base), 60, "mailbot web", web, workdir / "web.log")
            client = login(base)
            wait_for(lambda: handled(bot.engine) > before, 300, "the runner's first handled message", runner,
                     workdir / "run.log")
            feeder.start()
            print(f"  runner busy: first message handled after start; {feeder.waiting} waiting  [{h.load()}]",
                  flush=True)
            cpu0 = {"web": h.cpu_seconds(web.pid, tree=True), "run": h.cpu_seconds(runner.pid, tree=True)}
            handled0, started = handled(bot.engine), time.perf_counter()
            pages, downloads, skipped = measure(client, web.pid, ids, per_page, per_download, feeder, rng)
            wall = time.perf_counter() - started
            handled1 = handled(bot.engine)
            cpu = {"web": h.cpu_seconds(web.pid, tree=True) - cpu0["web"],
                   "run": h.cpu_seconds(runner.pid, tree=True) - cpu0["run"]}
            feeder.stop()
            attendees_after = _count(bot.engine, "attendee")
        client.close()
        errors = _traceback_tail(workdir / "web.log") if any(
            code >= 500 for t in pages + downloads for code in t.status) else ""
        exports = direct_exports(bot, per_download) if not _list_exports(downloads) else {}
        return report(backlog, per_page, seeded, pages, downloads, skipped, exports, errors,
                      run={"handled": handled1 - handled0, "seconds": wall, "cpu": cpu,
                           "attendees_after": attendees_after, "fed": feeder.moved})
    except BaseException:
        for name in ("web.log", "run.log"):
            log = workdir / name
            if log.exists():
                print(f"--- {name} (last lines)\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _answers(base: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(base + "/login", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _traceback_tail(log: Path) -> str:
    """The desk's last error report, for a page that answered 500."""
    text = log.read_text(errors="replace")
    start = text.rfind("Traceback (most recent call last)")
    return text[start:][-2500:] if start >= 0 else text[-1500:]


def _count(engine, table: str) -> int:
    from sqlalchemy import text

    with engine.connect() as c:
        return int(c.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def measure(client, pid: int, ids: dict[str, list[str]], per_page: int, per_download: int, feeder: Feeder,
            rng: random.Random) -> tuple[list[Timing], list[Timing], list[str]]:
    """Warm every page up (its first answer kept as the cold figure), sort pages from
    downloads by what they answer, then request them round-robin."""
    targets, skipped = discover(ids)
    found: list[tuple[Target, Timing]] = []
    for t in list(targets):
        seconds, r = timed_get(client, t.next_url())
        timing = Timing(t.label, kind=short_type(r), cold=seconds, size=len(r.content),
                        download=r.status_code == 200 and short_type(r) != "html")
        found.append((t, timing))
        if timing.kind == "html" and r.status_code == 200:
            for v in filter_variants(t, r.text, rng):
                seconds, r2 = timed_get(client, v.next_url())
                found.append((v, Timing(v.label, kind=short_type(r2), cold=seconds, size=len(r2.content),
                                        download=r2.status_code == 200 and short_type(r2) != "html")))
    for t, _timing in found:  # a second warm-up: templates compiled, caches as in use
        timed_get(client, t.next_url())
    page_set = [(t, tm) for t, tm in found if not tm.download]
    download_set = [(t, tm) for t, tm in found if tm.download]
    print(f"  {len(page_set)} pages and {len(download_set)} downloads to time; left out: "
          f"{', '.join(skipped) or 'nothing'}", flush=True)
    for rounds, chosen in ((per_page, page_set), (per_download, download_set)):
        for _ in range(rounds):
            for t, timing in chosen:
                busy = feeder.busy
                cpu0, wait0 = sched(pid)
                seconds, r = timed_get(client, t.next_url())
                cpu1, wait1 = sched(pid)
                timing.cpu_ns += cpu1 - cpu0
                timing.wait_ns += wait1 - wait0
                timing.seconds.append(seconds)
                timing.status[r.status_code] += 1
                timing.busy += busy
                timing.size = max(timing.size, len(r.content))
    return [tm for _, tm in page_set], [tm for _, tm in download_set], skipped


def _list_exports(downloads: list[Timing]) -> dict[str, Timing]:
    """The attendee list downloads (xlsx and CSV of everyone, not of one session)."""
    out: dict[str, Timing] = {}
    for d in downloads:
        if d.kind in ("xlsx", "csv") and "sessie" not in d.label and "{" not in d.label:
            out.setdefault(d.kind, d)
    return out


def direct_exports(bot, repeat: int) -> dict[str, list[float]]:
    """No download URL for the attendee list yet: mailbot.reports.exports, timed in-process
    (the registry read from the store included)."""
    from sqlmodel import Session

    from mailbot import store
    from mailbot.reports import exports

    out: dict[str, list[float]] = {"xlsx": [], "csv": []}
    for _ in range(max(repeat, 3)):
        for kind, fn in (("xlsx", exports.to_xlsx), ("csv", exports.csv_bytes)):
            started = time.perf_counter()
            with Session(bot.engine) as s:
                reg = store.registry(s)
            fn(reg, bot.knowledge)
            out[kind].append(time.perf_counter() - started)
    return out


def report(backlog: int, per_page: int, seeded: Seeded, pages: list[Timing], downloads: list[Timing],
           skipped: list[str], exports: dict[str, list[float]], errors: str, run: dict) -> int:
    """The table, the targets met or not, and the RESULT line. "cpu" is the desk's own CPU
    time per request and "wait" its time runnable without a core: on a machine with cores
    to spare, a request takes about its wall time minus the wait."""
    width = max([len(p.label) + 7 for p in pages + downloads] + [20])
    print(f"\n  {'page'.ljust(width)}  {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'cpu ms':>7} {'wait ms':>7} "
          f"{'cold ms':>7} {'kB':>6}  status  p95 < {PAGE_TARGET_MS:.0f} ms")
    rows = []
    for p in pages:
        f = p.figures()
        ok = f["p95_ms"] < PAGE_TARGET_MS and set(p.status) == {200}
        rows.append({**f, "met": ok})
        print(f"  {p.label.ljust(width)}  {f['p50_ms']:7.0f} {f['p95_ms']:7.0f} {f['max_ms']:7.0f} {f['cpu_ms']:7.0f} "
              f"{f['cpu_wait_ms']:7.0f} {f['cold_ms']:7.0f} {f['kb']:6.0f}  {_status(p):6}  {'met' if ok else 'NOT met'}")
    lists = _list_exports(downloads)
    export_rows = []
    if downloads:
        print(f"\n  {'download'.ljust(width)}  {'p50 s':>7} {'max s':>7} {'cpu s':>7} {'wait s':>7} "
              f"{'cold s':>7} {'kB':>6}  status  target")
        for d in downloads:
            f = d.figures()
            is_list = lists.get(d.kind) is d
            ok = (f["max_ms"] or 0) / 1000 < EXPORT_TARGET_S and set(d.status) == {200}
            export_rows.append({**f, "attendee_list": is_list, "met": ok if is_list else None})
            print(f"  {(d.label + ' (' + d.kind + ')').ljust(width)}  {f['p50_ms'] / 1000:7.2f} "
                  f"{f['max_ms'] / 1000:7.2f} {f['cpu_ms'] / 1000:7.2f} {f['cpu_wait_ms'] / 1000:7.2f} "
                  f"{f['cold_ms'] / 1000:7.2f} {f['kb']:6.0f}  {_status(d):6}  "
                  + (f"attendee list < {EXPORT_TARGET_S:.0f} s: {'met' if ok else 'NOT met'}" if is_list else "-"))
    for kind, secs in exports.items():
        ok = max(secs) < EXPORT_TARGET_S
        export_rows.append({"page": f"exports.{'to_xlsx' if kind == 'xlsx' else 'csv_bytes'} (in-process)",
                            "kind": kind, "n": len(secs), "p50_ms": round(1000 * h.percentile(secs, 50), 1),
                            "max_ms": round(1000 * max(secs), 1), "attendee_list": True, "met": ok})
        print(f"  no {kind} download on the desk yet: exports in-process (registry read included) "
              f"p50 {h.percentile(secs, 50):.2f} s, max {max(secs):.2f} s; target < {EXPORT_TARGET_S:.0f} s: "
              f"{'met' if ok else 'NOT met'}")
    if errors:
        print(f"\n  a page answered 500; the desk's last error:\n{errors}")
    total = sum(len(p.seconds) for p in pages + downloads)
    busy = sum(p.busy for p in pages + downloads)
    rate = run["handled"] / run["seconds"] if run["seconds"] else 0.0
    cores = {k: v / run["seconds"] for k, v in run["cpu"].items()} if run["seconds"] else {}
    print(f"\n  beside it, `mailbot run` handled {run['handled']} messages in the {run['seconds']:.0f} s of measuring "
          f"({rate:.1f} msg/s; {run['fed']} delivered in all) and had mail waiting during {busy} of {total} "
          f"requests; attendees in the store at the end: {run['attendees_after']}")
    print(f"  CPU while measuring: desk {cores.get('web', 0):.2f} cores, runner {cores.get('run', 0):.2f} cores "
          f"(with its readers), of {os.cpu_count()}  [{h.load()}]")
    slow = [r for r in rows if not r["met"]]
    lists_ok = [r["met"] for r in export_rows if r.get("attendee_list")]
    print(f"  every page under {PAGE_TARGET_MS:.0f} ms at p95: {'met' if rows and not slow else 'NOT met'}"
          + (f" ({', '.join(r['page'] for r in slow)})" if slow else "")
          + f"; attendee list export under {EXPORT_TARGET_S:.0f} s: "
          + ("met" if lists_ok and all(lists_ok) else "NOT met" if lists_ok else "not measured"))
    h.result("desk", attendees=seeded.counts["attendee"], messages=seeded.counts["inbound_message"],
             backlog=backlog, requests=per_page, pages=rows, downloads=export_rows, skipped=skipped,
             pages_met=bool(rows) and not slow, exports_met=bool(lists_ok) and all(lists_ok),
             run_handled=run["handled"], run_msg_per_s=round(rate, 1), busy_share=round(busy / total, 2) if total else 0,
             attendees_after=run["attendees_after"], cores=os.cpu_count())
    return 0


def _status(t: Timing) -> str:
    return ",".join(str(k) for k in sorted(t.status)) or "-"


def profile(bot, path: str, seeded: Seeded, repeat: int = 5) -> int:
    """One page requested `repeat` times in this process (httpx over ASGI, in this thread;
    no runner, no network), under pyinstrument when installed, else cProfile: where the
    time of a slow page goes. {id} takes an attendee id, {review_id} a review item id."""
    import asyncio

    import httpx
    from sqlmodel import Session

    from mailbot.web import create_app
    from mailbot.web.auth import add_account

    with Session(bot.engine) as s, s.begin():
        add_account(s, STAFF, PASSWORD, now=datetime.now(UTC))
    url = re.sub(r"\{review_id(:\w+)?\}", str(seeded.review_ids[len(seeded.review_ids) // 2]), path)
    url = re.sub(r"\{\w+(:\w+)?\}", str(seeded.attendee_ids[len(seeded.attendee_ids) // 2]), url)

    async def requests(profiled) -> None:
        transport = httpx.ASGITransport(app=create_app(bot))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            await c.get("/login")
            await c.post("/login", data={"naam": STAFF, "wachtwoord": PASSWORD, "csrftoken": c.cookies["csrftoken"]})
            r = await c.get(url)
            print(f"  {url}: {r.status_code}, {len(r.content) / 1024:.0f} kB; profiling {repeat} requests")
            with profiled():
                for _ in range(repeat):
                    await c.get(url)

    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        asyncio.run(requests(lambda: prof))
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(r"mailbot|jinja2/environment", 40)
        print("  (pyinstrument is not installed: cProfile, cumulative time)\n" + out.getvalue())
        return 0
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    asyncio.run(requests(lambda: profiler))
    print(profiler.output_text(unicode=True, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
