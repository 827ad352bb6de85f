"""Load config.toml and rules/ once, validated, into frozen objects.

Every mistake is reported as one ConfigError line that names the file and the
key, so whoever runs the bot can fix it without reading a traceback.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailbot.core.agenda import Reminder
from mailbot.core.types import Event, Invitee, Knowledge, Lexicon, Municipality, Session, Signer
from mailbot.errors import ConfigError
from mailbot.mail.oauth import OAuth2Settings

TLS_MODES = ("ssl", "starttls", "plain")


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    tls: str
    user: str
    password_env: str | None
    folder: str = "INBOX"
    processed_folder: str = "Verwerkt"
    timeout: float = 30.0
    batch_size: int = 500
    ca_file: Path | None = None
    oauth2: OAuth2Settings | None = None


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str | None
    password_env: str | None
    timeout: float = 30.0
    ca_file: Path | None = None
    oauth2: OAuth2Settings | None = None


@dataclass(frozen=True)
class WebSettings:
    """[web]: where the staff desk listens and how it signs its cookies."""

    host: str = "127.0.0.1"
    port: int = 8032
    base_url: str = "http://127.0.0.1:8032"  # the address staff type; https:// makes cookies Secure
    secret_env: str = "MAILBOT_WEB_SECRET"  # environment variable with the cookie signing key
    session_hours: int = 12  # a login lasts this long


@dataclass(frozen=True)
class Config:
    path: Path
    knowledge: Knowledge
    storage: Path
    poll_interval: int
    process_since: date | None
    log_format: str
    digest_to: tuple[str, ...]
    digest_time: time
    invitees_file: Path | None
    maildir: Path
    outbox: Path
    imap: ImapSettings | None
    smtp: SmtpSettings | None
    reminders: tuple[Reminder, ...] = ()
    catch_up_hours: int = 12
    retention_days: int = 90
    max_replies_per_address_per_day: int = 20
    max_message_bytes: int = 10_000_000
    outbox_max_age_hours: int = 48
    status_max_age_minutes: int = 15
    outbox_stale_minutes: int = 30  # queued longer than this: `status` and the digest report it

    database_url_env: str | None = None
    reading_workers: int | None = None  # processes reading a backlog; None: cores - 1 (mailbot.readers)
    web: WebSettings = field(default_factory=lambda: WebSettings())

    @property
    def database(self) -> Path:
        """The embedded SQLite file (used unless a database URL is configured)."""
        return self.storage / "mailbot.sqlite3"

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL: the environment variable named by database_url_env, else SQLite under storage."""
        if self.database_url_env:
            import os

            url = os.environ.get(self.database_url_env)
            if url:
                return url
        return f"sqlite:///{self.database}"

    @property
    def event(self) -> Event:
        return self.knowledge.event


class _Section:
    """Typed access to one TOML table that remembers which keys were read."""

    def __init__(self, where: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a table")
        self.where = where
        self.data = data
        self.seen: set[str] = set()

    def _get(self, key: str, default: Any, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if required:
                raise ConfigError(f"{self.where.rstrip(':')}: missing key '{key}'")
            return default
        return self.data[key]

    def str(self, key: str, default: Any = None, required: bool = True) -> Any:
        v = self._get(key, default, required)
        if v is not None and not isinstance(v, str):
            raise ConfigError(f"{self._child(key)}: expected a string, got {v!r}")
        return v

    def int(self, key: str, default: Any = None, required: bool = True, minimum: int = 0) -> Any:
        v = self._get(key, default, required)
        if v is None:
            return v
        if isinstance(v, bool) or not isinstance(v, int | float) or v < minimum:
            raise ConfigError(f"{self._child(key)}: expected a number >= {minimum}, got {v!r}")
        return v

    def strs(self, key: str, default: Any = (), required: bool = False) -> tuple[str, ...]:
        v = self._get(key, default, required)
        if not isinstance(v, list | tuple) or not all(isinstance(x, str) for x in v):
            raise ConfigError(f"{self._child(key)}: expected a list of strings, got {v!r}")
        return tuple(v)

    def choice(self, key: str, choices: tuple[str, ...], default: Any = None) -> Any:
        v = self.str(key, default, required=default is None)
        if v not in choices:
            raise ConfigError(f"{self._child(key)}: expected one of {', '.join(choices)}, got {v!r}")
        return v

    def sub(self, key: str, required: bool = False) -> _Section | None:
        v = self._get(key, None, required)
        return None if v is None else _Section(self._child(key), v)

    def _child(self, key: str) -> str:
        """"config.toml:" + "deployment" -> "config.toml: deployment"; nested keys join with dots."""
        return f"{self.where} {key}" if self.where.endswith(":") else f"{self.where}.{key}"

    def done(self) -> None:
        extra = sorted(set(self.data) - self.seen)
        if extra:
            raise ConfigError(f"{self.where.rstrip(':')}: unknown key '{extra[0]}'")


def _clock(where: str, value: str) -> time:
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value):
        raise ConfigError(f"{where}: expected a time HH:MM, got {value!r}")
    h, m = map(int, value.split(":"))
    if h > 23 or m > 59:
        raise ConfigError(f"{where}: expected a time HH:MM, got {value!r}")
    return time(h, m)


def _date(where: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: expected a date YYYY-MM-DD, got {value!r}") from None


def _not_topic_words(municipalities: tuple[Municipality, ...], lexicon: Lexicon) -> frozenset[str]:
    """Words that never name a session by its description (core.describe): place names say
    who the sender is; the intent lexicon's words, the roles and `[topics] ignore` are how
    anyone writes about coming, whatever session they mean."""
    from mailbot.core.fold import words

    names = [m.name for m in municipalities] + [a for m in municipalities for a in m.aliases]
    names += [o for o in lexicon.nonmember_orgs if o.isalpha() and len(o) > 4]
    phrases = [*lexicon.register, *lexicon.decline, *lexicon.cancel, *lexicon.change, *lexicon.thanks,
               *lexicon.question, *lexicon.tentative, *lexicon.negation, *lexicon.roles]
    out = {w for n in names for w in words(n) if len(w) > 2}
    out |= {w for p in phrases for w in words(p) if len(w) > 3}
    out |= {w for p in lexicon.not_topics for w in words(p)}
    return frozenset(out)


def _check_reader(knowledge: Knowledge, lexicon_path: Path) -> None:
    """Read one message made of every lexicon phrase once, at start-up: a phrase the reader
    cannot use (say "x * ..." that leaves a bare "*" first) is a clear error now, not an
    error on every message later."""
    from mailbot.core.prepare import prepare

    lex = knowledge.lexicon
    phrases = [*lex.register, *lex.decline, *lex.cancel, *lex.change, *lex.thanks, *lex.question,
               *lex.tentative, *lex.negation, *lex.on_behalf, *lex.not_cues, *lex.requests]
    sessions = [s.title for s in knowledge.event.sessions] or ["x"]
    lines = []
    for n, p in enumerate(phrases):
        filled = " ".join({"x": sessions[n % len(sessions)], "y": sessions[(n + 1) % len(sessions)],
                           "z": sessions[(n + 2) % len(sessions)], "*": "ook"}.get(w, w) for w in p.split())
        lines.append(filled + ".")
    raw = ("From: check@example.org\r\nTo: check@example.org\r\nSubject: check\r\n"
           "Message-ID: <lexicon-check@mailbot.invalid>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           + "\r\n".join(lines) + "\r\n").encode()
    result = prepare(raw, knowledge)
    if result.error is not None:
        raise ConfigError(f"{lexicon_path}: the reader cannot use these phrases ({result.error})")


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None


def _sessions(root: _Section, raw: Any) -> tuple[Session, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{root.where}.sessions: expected at least one [[event.sessions]] table")
    out: list[Session] = []
    for i, item in enumerate(raw):
        s = _Section(f"{root.where}.sessions[{i}]", item)
        sid = s.str("id")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", sid):
            raise ConfigError(f"{s.where}.id: expected a kebab-case identifier, got {sid!r}")
        start = _clock(f"{s.where}.start", s.str("start"))
        end = _clock(f"{s.where}.end", s.str("end"))
        if end <= start:
            raise ConfigError(f"{s.where}.end: must be after start")
        capacity = s.int("capacity", required=False, minimum=1)
        description = s.str("description", default="", required=False)
        out.append(Session(sid, s.str("title"), start, end, s.strs("aliases"), capacity,
                           " ".join(description.split()), i + 1))
        s.done()
    ids = [x.id for x in out]
    dup = next((x for x in ids if ids.count(x) > 1), None)
    if dup:
        raise ConfigError(f"{root.where}.sessions: duplicate id {dup!r}")
    return tuple(out)


def _event(sec: _Section) -> Event:
    tz = sec.str("timezone")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{sec.where}.timezone: unknown time zone {tz!r}") from None
    deadline_raw = sec.str("documents_deadline")
    try:
        deadline = datetime.fromisoformat(deadline_raw).replace(tzinfo=ZoneInfo(tz))
    except ValueError:
        raise ConfigError(f"{sec.where}.documents_deadline: expected YYYY-MM-DDTHH:MM, got {deadline_raw!r}") from None
    address = sec.str("address")
    if "@" not in address:
        raise ConfigError(f"{sec.where}.address: expected an email address, got {address!r}")
    sessions = _sessions(sec, sec._get("sessions", None, True))
    return Event(
        name=sec.str("name"),
        day=_date(f"{sec.where}.date", sec.str("date")),
        timezone=tz,
        venue=sec.str("venue"),
        address=address,
        sender_name=sec.str("sender_name", "", required=False),
        documents_deadline=deadline,
        sessions=sessions,
        plus_addressing=bool(sec._get("plus_addressing", False, False)),
    )


def _signer(sec: _Section | None) -> Signer:
    """Who signs the mail; a phone number must be one a person can dial (digits, spaces, + - ( ))."""
    if sec is None:
        return Signer()
    signer = Signer(name=sec.str("name").strip(), function=sec.str("function", "", required=False).strip(),
                    phone=sec.str("phone", "", required=False).strip())
    if not signer.name:
        raise ConfigError(f"{sec.where}.name: expected the name of the person who signs the mail")
    if signer.phone and (not re.fullmatch(r"\+?[0-9 ()\-]+", signer.phone)
                         or sum(c.isdigit() for c in signer.phone) < 10):
        raise ConfigError(f"{sec.where}.phone: expected a phone number such as \"0320 123 456\", "
                          f"got {signer.phone!r}")
    sec.done()
    return signer


def load_municipalities(path: Path) -> tuple[Municipality, ...]:
    data = _read_toml(path)
    root = _Section(str(path), data)
    items = root._get("municipality", None, True)
    root.done()
    out = []
    for i, item in enumerate(items):
        s = _Section(f"{path}: municipality[{i}]", item)
        m = Municipality(
            slug=s.str("slug"),
            name=s.str("name"),
            status=s.choice("status", ("member", "candidate")),
            domains=tuple(d.lower() for d in s.strs("domains", required=True)),
            aliases=s.strs("aliases"),
        )
        s.done()
        if not m.domains:
            raise ConfigError(f"{s.where}.domains: at least one domain is needed")
        out.append(m)
    return tuple(out)


def load_lexicon(path: Path) -> Lexicon:
    data = _read_toml(path)
    root = _Section(str(path), data)
    intent = root.sub("intent", required=True)
    people = root.sub("people", required=True)
    orgs = root.sub("organisations", required=True)
    topics = root.sub("topics", required=False)
    assert intent and people and orgs
    roles_sec = people.sub("roles", required=True)
    assert roles_sec
    roles = {k: roles_sec.str(k) for k in list(roles_sec.data)}
    roles_sec.done()
    lex = Lexicon(
        register=intent.strs("register", required=True),
        decline=intent.strs("decline", required=True),
        cancel=intent.strs("cancel", required=True),
        change=intent.strs("change", required=True),
        thanks=intent.strs("thanks", required=True),
        question=intent.strs("question", required=True),
        tentative=intent.strs("tentative", required=True),
        negation=intent.strs("negation", required=True),
        on_behalf=intent.strs("on_behalf", required=True),
        not_cues=intent.strs("not_cues"),
        requests=intent.strs("requests"),
        fillers=_single_words(intent, "fillers"),
        compound_tails=_single_words(topics, "compound_tails") if topics else (),
        titles=people.strs("titles", required=True),
        roles=roles,
        nonmember_orgs=orgs.strs("nonmember", required=True),
        not_topics=topics.strs("ignore") if topics else (),
    )
    for s in (intent, people, orgs, *((topics,) if topics else ()), root):
        s.done()
    return lex


def _single_words(sec: _Section, key: str) -> tuple[str, ...]:
    """A lexicon list whose entries must be one word each (they are compared word by word)."""
    items = sec.strs(key)
    for item in items:
        if len(item.split()) != 1:
            raise ConfigError(f"{sec.where}.{key}: one word per entry, got {item!r}")
    return tuple(i.lower() for i in items)


def load_invitees(path: Path) -> tuple[Invitee, ...]:
    """Read an invitees.csv (name, role, municipality, email, secretary_email)."""
    need = {"name", "role", "municipality", "email"}
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = need - set(reader.fieldnames or ())
            if missing:
                raise ConfigError(f"{path}: missing column '{sorted(missing)[0]}'")
            out = []
            for n, row in enumerate(reader, start=2):
                email = (row.get("email") or "").strip()
                if "@" not in email:
                    raise ConfigError(f"{path}:{n}: invalid email {email!r}")
                out.append(
                    Invitee(
                        name=row["name"].strip(),
                        role=(row.get("role") or "").strip() or None,
                        municipality=(row.get("municipality") or "").strip() or None,
                        email=email.lower(),
                        secretary_email=((row.get("secretary_email") or "").strip().lower() or None),
                    )
                )
            return tuple(out)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


def _oauth2(sec: _Section | None) -> OAuth2Settings | None:
    """[imap.oauth2] / [smtp.oauth2]: XOAUTH2 login with tokens from an OAuth2 server."""
    if sec is None:
        return None
    provider = sec.choice("provider", ("microsoft", "google", "generic"))
    out = OAuth2Settings(
        provider=provider,
        client_id=sec.str("client_id"),
        client_secret_env=sec.str("client_secret_env", required=False),
        refresh_token_env=sec.str("refresh_token_env", required=False),
        scope=sec.str("scope", {"microsoft": "https://outlook.office365.com/.default",
                                "google": "https://mail.google.com/"}.get(provider, ""), required=False),
        token_endpoint=sec.str("token_endpoint", "https://oauth2.googleapis.com/token" if provider == "google"
                               else None, required=False),
        authority=sec.str("authority", required=False),
    )
    if provider == "microsoft" and not out.authority:
        raise ConfigError(f"{sec.where}.authority: needed for Microsoft (https://login.microsoftonline.com/<tenant>)")
    if provider == "generic" and not out.token_endpoint:
        raise ConfigError(f"{sec.where}.token_endpoint: needed for a generic OAuth2 server")
    if out.refresh_token_env is None and out.client_secret_env is None:
        raise ConfigError(f"{sec.where}: set client_secret_env (client credentials) or refresh_token_env")
    sec.done()
    return out


def _imap(sec: _Section | None, base: Path) -> ImapSettings | None:
    if sec is None:
        return None
    tls = sec.choice("tls", TLS_MODES, "ssl")
    ca = sec.str("ca_file", required=False)
    out = ImapSettings(
        host=sec.str("host"),
        port=sec.int("port", 993 if tls == "ssl" else 143, required=False, minimum=1),
        tls=tls,
        user=sec.str("user"),
        password_env=sec.str("password_env", required=False),
        folder=sec.str("folder", "INBOX", required=False),
        processed_folder=sec.str("processed_folder", "Verwerkt", required=False),
        timeout=float(sec.int("timeout", 30, required=False, minimum=1)),
        batch_size=sec.int("batch_size", 500, required=False, minimum=1),
        ca_file=(base / ca) if ca else None,
        oauth2=_oauth2(sec.sub("oauth2")),
    )
    if out.oauth2 is None and not out.password_env:
        raise ConfigError(f"{sec.where}: set password_env or add an oauth2 table")
    if out.batch_size > 1000:
        raise ConfigError(f"{sec.where}.batch_size: at most 1000 (servers reject longer UID lists)")
    sec.done()
    return out


def _smtp(sec: _Section | None, base: Path) -> SmtpSettings | None:
    if sec is None:
        return None
    tls = sec.choice("tls", TLS_MODES, "starttls")
    ca = sec.str("ca_file", required=False)
    out = SmtpSettings(
        host=sec.str("host"),
        port=sec.int("port", {"ssl": 465, "starttls": 587, "plain": 25}[tls], required=False, minimum=1),
        tls=tls,
        user=sec.str("user", required=False),
        password_env=sec.str("password_env", required=False),
        timeout=float(sec.int("timeout", 30, required=False, minimum=1)),
        ca_file=(base / ca) if ca else None,
        oauth2=_oauth2(sec.sub("oauth2")),
    )
    if out.user and not out.password_env and out.oauth2 is None:
        raise ConfigError(f"{sec.where}.password_env: needed when user is set")
    sec.done()
    return out


def load(path: Path, *, storage: Path | None = None, rules_dir: Path | None = None) -> Config:
    """Read and validate the config and the rules it relies on.

    `storage` overrides [deployment].storage (the CLI's --storage), `rules_dir`
    [deployment].rules (the rules folder, by default `rules` beside the config
    file). Raises ConfigError with one line naming the key on any mistake.
    """
    path = Path(path)
    data = _read_toml(path)
    base = path.resolve().parent
    root = _Section(f"{path.name}:", data)
    ev = root.sub("event", required=True)
    staff = root.sub("staff", required=True)
    dep = root.sub("deployment", required=True)
    assert ev and staff and dep
    event = _event(ev)
    invitees_rel = ev.str("invitees", required=False)
    ev.done()

    digest_to = staff.strs("digest_to")
    digest_time = _clock(f"{staff.where}.digest_time", staff.str("digest_time", "08:00", required=False))
    staff.done()

    storage_dir = storage if storage is not None else base / dep.str("storage", "storage", required=False)
    if storage is not None:
        dep.str("storage", required=False)
    since = dep.str("process_since", required=False)
    poll = dep.int("poll_interval", 60, required=False, minimum=1)
    trusted = frozenset(x.lower() for x in dep.strs("trusted_authserv_ids"))
    log_format = dep.choice("log_format", ("plain", "json"), "plain")
    database_url_env = dep.str("database_url_env", required=False)
    reading_workers = dep.int("reading_workers", None, required=False)
    rules_setting = dep.str("rules", required=False)
    dep.done()

    maildir_sec = root.sub("maildir")
    maildir = Path(maildir_sec.str("path", "maildir", required=False)) if maildir_sec else Path("maildir")
    if maildir_sec:
        maildir_sec.done()
    outbox_sec = root.sub("outbox")
    outbox = Path(outbox_sec.str("path", "outbox", required=False)) if outbox_sec else Path("outbox")
    stale = outbox_sec.int("stale_after_minutes", 30, required=False, minimum=1) if outbox_sec else 30
    if outbox_sec:
        outbox_sec.done()
    imap = _imap(root.sub("imap"), base)
    smtp = _smtp(root.sub("smtp"), base)
    sched = root.sub("schedule")
    catch_up = sched.int("catch_up_hours", 12, required=False) if sched else 12
    retention = sched.int("retention_days", 90, required=False, minimum=1) if sched else 90
    if sched:
        sched.done()
    reminders = _reminders(root, event.timezone)
    lim = root.sub("limits")
    limits = {
        "max_replies_per_address_per_day": lim.int("max_replies_per_address_per_day", 20, required=False, minimum=1),
        "max_message_bytes": lim.int("max_message_bytes", 10_000_000, required=False, minimum=1000),
        "outbox_max_age_hours": lim.int("outbox_max_age_hours", 48, required=False, minimum=1),
        "status_max_age_minutes": lim.int("status_max_age_minutes", 15, required=False, minimum=1),
    } if lim else {}
    if lim:
        lim.done()
    web = _web(root.sub("web"))
    signer = _signer(root.sub("signer"))
    root.done()

    rules = rules_dir or _rules_dir(f"{dep.where}.rules", base, rules_setting)
    municipalities = load_municipalities(rules / "municipalities.toml")
    lexicon = load_lexicon(rules / "lexicon.toml")
    from mailbot.core.echo import fragments

    templates = Path(__file__).resolve().parent / "templates"
    own_text = fragments([p.read_text(encoding="utf-8") for p in sorted(templates.glob("*.txt"))])
    knowledge = Knowledge(
        event=replace(event, not_topics=_not_topic_words(municipalities, lexicon), signer=signer,
                      compound_tails=lexicon.compound_tails),
        municipalities=municipalities,
        invitees=(),
        lexicon=lexicon,
        own_addresses=frozenset({event.address.lower()}),
        trusted_authserv_ids=trusted,
        own_text=own_text,
    )
    storage_dir = Path(storage_dir).resolve()
    _check_reader(knowledge, rules / "lexicon.toml")
    return Config(
        path=path,
        knowledge=knowledge,
        storage=storage_dir,
        poll_interval=int(poll),
        process_since=_date(f"{dep.where}.process_since", since) if since else None,
        log_format=log_format,
        digest_to=digest_to,
        digest_time=digest_time,
        invitees_file=(base / invitees_rel) if invitees_rel else None,
        maildir=maildir if maildir.is_absolute() else storage_dir / maildir,
        outbox=outbox if outbox.is_absolute() else storage_dir / outbox,
        imap=imap,
        smtp=smtp,
        reminders=reminders,
        database_url_env=database_url_env,
        reading_workers=int(reading_workers) if reading_workers is not None else None,
        catch_up_hours=int(catch_up),
        retention_days=int(retention),
        outbox_stale_minutes=int(stale),
        web=web,
        **{k: int(v) for k, v in limits.items()},
    )


def _web(sec) -> WebSettings:
    if not sec:
        return WebSettings()
    d = WebSettings()
    host = sec.str("host", d.host, required=False)
    port = sec.int("port", d.port, required=False, minimum=1)
    base_url = sec.str("base_url", f"http://{host}:{port}", required=False).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{sec.where}.base_url: must start with http:// or https:// (got {base_url!r})")
    secret_env = sec.str("secret_env", d.secret_env, required=False)
    hours = sec.int("session_hours", d.session_hours, required=False, minimum=1)
    sec.done()
    return WebSettings(str(host), int(port), str(base_url), str(secret_env), int(hours))


def _rules_dir(where: str, base: Path, setting: str | None) -> Path:
    """[deployment] rules: the folder holding municipalities.toml and lexicon.toml.

    Relative to the config file's folder, like every path in config.toml, so a
    config kept elsewhere (/etc/mailbot/config.toml) names where the rules are.
    """
    rules = base / (setting if setting is not None else "rules")
    if not rules.is_dir():
        hint = "" if setting is not None else " (set [deployment] rules to the folder that holds them)"
        what = "is not a folder" if rules.exists() else "not found"
        raise ConfigError(f"{where}: rules folder {rules} {what}; it must hold municipalities.toml and "
                          f"lexicon.toml{hint}")
    return rules


def _reminders(root: _Section, tz: str) -> tuple[Reminder, ...]:
    raw = root._get("reminders", [], False)
    if not isinstance(raw, list):
        raise ConfigError(f"{root._child('reminders')}: expected [[reminders]] tables")
    out = []
    for i, item in enumerate(raw):
        s = _Section(f"{root._child('reminders')}[{i}]", item)
        rid = s.str("id")
        at_raw = s.str("at")
        try:
            at = datetime.fromisoformat(at_raw)
        except ValueError:
            raise ConfigError(f"{s.where}.at: expected YYYY-MM-DDTHH:MM, got {at_raw!r}") from None
        at = at if at.tzinfo else at.replace(tzinfo=ZoneInfo(tz))
        audience = s.choice("audience", ("unanswered", "registered"))
        template = s.str("template", f"reminder_{audience}", required=False)
        s.done()
        out.append(Reminder(rid, at, audience, template))
    ids = [r.id for r in out]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{root._child('reminders')}: duplicate id")
    return tuple(out)
