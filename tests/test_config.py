"""config.py: the shipped config loads; every mistake is one ConfigError line naming the key or file."""

from __future__ import annotations

import re
import shutil
from datetime import time
from pathlib import Path

import pytest

from mailbot.config import load, load_invitees, load_lexicon, load_municipalities
from mailbot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config.toml"
CONTRACT_SESSIONS = {
    "wal-en-schip": ("10:00", "11:00"),
    "jeugd-onderwijs-arbeidsmarkt": ("10:00", "11:00"),
    "ondernemerschap": ("11:15", "12:15"),
    "financien": ("11:15", "12:15"),
    "wonen-welzijn-zorg": ("11:15", "12:15"),
    "statushouders": ("11:15", "12:15"),
    "regionale-samenwerking": ("13:00", "14:00"),
    "veiligheid": ("14:00", "15:30"),
    "sociale-pijler": ("14:00", "15:30"),
    "fysieke-pijler": ("14:00", "15:30"),
    "algemeen-bestuur": ("15:30", "16:00"),
    "netwerkborrel": ("16:00", "17:00"),
}


# --- the shipped configuration ----------------------------------------------------


def test_shipped_config_loads() -> None:
    cfg = load(CONFIG)
    ev = cfg.event
    assert ev.name == "G32 netwerkdag"
    assert ev.day.isoformat() == "2017-11-30"
    assert ev.timezone == "Europe/Amsterdam"
    assert ev.address.lower() == "info@g32.nl"
    assert {s.id: (s.start.strftime("%H:%M"), s.end.strftime("%H:%M")) for s in ev.sessions} == CONTRACT_SESSIONS
    assert cfg.knowledge.own_addresses == {"info@g32.nl"}
    assert cfg.knowledge.trusted_authserv_ids == {"mx1.g32.nl"}
    assert cfg.imap is None and cfg.smtp is None  # embedded Maildir and file outbox
    assert cfg.digest_time == time(8, 0)
    assert cfg.invitees_file == ROOT / "rules" / "invitees.csv"


def test_storage_override_moves_all_state(tmp_path: Path) -> None:
    cfg = load(CONFIG, storage=tmp_path / "state")
    assert cfg.storage == (tmp_path / "state").resolve()
    assert cfg.database.parent == cfg.storage
    assert cfg.maildir.is_relative_to(cfg.storage) and cfg.outbox.is_relative_to(cfg.storage)


def test_shipped_rules_load() -> None:
    munis = load_municipalities(ROOT / "rules" / "municipalities.toml")
    assert len(munis) == 40
    assert {m.slug for m in munis if m.status == "candidate"} == {"assen", "hilversum"}
    lex = load_lexicon(ROOT / "rules" / "lexicon.toml")
    assert lex.register and lex.decline and lex.negation and lex.roles["burgemeester"] == "burgemeester"
    invitees = load_invitees(ROOT / "rules" / "invitees.csv")
    assert len(invitees) >= 100
    slugs = {m.slug for m in munis}
    assert all(i.municipality in slugs for i in invitees)
    assert all(i.email == i.email.lower() for i in invitees)
    assert len({i.email for i in invitees}) == len(invitees)


# --- mistakes -------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of config.toml and rules/ to break; returns the config path."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copy(CONFIG, tmp_path / "config.toml")
    return tmp_path / "config.toml"


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _error(cfg: Path) -> str:
    with pytest.raises(ConfigError) as exc:
        load(cfg)
    message = str(exc.value)
    assert "\n" not in message.strip(), f"not one line: {message!r}"
    assert message.strip(), "empty message"
    return message


SESSION_WAL = 'id = "wal-en-schip"\ntitle = "Themasessie Mensen tussen wal en schip"\nstart = "10:00"\nend = "11:00"'
IMAP = '\n[imap]\nhost = "imap.example.nl"\nuser = "info@G32.nl"\npassword_env = "MAILBOT_IMAP_PASSWORD"\n'


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        # an unknown key in [deployment]
        ("[deployment]\n", '[deployment]\ncolour = "blue"\n', ["deployment", "colour"]),
        # a wrong type
        ("poll_interval = 60", 'poll_interval = "60"', ["deployment.poll_interval"]),
        ("timezone = \"Europe/Amsterdam\"", "timezone = 1", ["event.timezone"]),
        ('digest_to = ["staf@g32.nl"]', 'digest_to = "staf@g32.nl"', ["staff.digest_to"]),
        # a bad time
        (SESSION_WAL, SESSION_WAL.replace('start = "10:00"', 'start = "25:00"'), ["sessions[0].start", "25:00"]),
        (SESSION_WAL, SESSION_WAL.replace('start = "10:00"', 'start = "10h"'), ["sessions[0].start"]),
        ('digest_time = "08:00"', 'digest_time = "8:75"', ["staff.digest_time"]),
        # end before start
        (SESSION_WAL, SESSION_WAL.replace('end = "11:00"', 'end = "09:30"'), ["sessions[0].end"]),
        (SESSION_WAL, SESSION_WAL.replace('end = "11:00"', 'end = "10:00"'), ["sessions[0].end"]),
        # a duplicate session id
        ('id = "jeugd-onderwijs-arbeidsmarkt"', 'id = "wal-en-schip"', ["sessions", "wal-en-schip"]),
        # an id that is not kebab-case
        ('id = "wal-en-schip"', 'id = "Wal en schip"', ["sessions[0].id"]),
        # an unknown time zone
        ('timezone = "Europe/Amsterdam"', 'timezone = "Europe/Lelystad"', ["event.timezone", "Europe/Lelystad"]),
        # [imap] with a bad tls mode, or too large a batch
        ("[outbox]", IMAP + 'tls = "foo"\n\n[outbox]', ["imap.tls", "foo"]),
        ("[outbox]", IMAP + 'tls = "ssl"\nbatch_size = 5000\n\n[outbox]', ["imap.batch_size"]),
        ("[outbox]", IMAP + 'tls = "ssl"\nport = "993"\n\n[outbox]', ["imap.port"]),
        ("[outbox]", IMAP.replace('host = "imap.example.nl"\n', "") + "\n[outbox]", ["imap", "host"]),
        # [smtp] with a user but no password variable
        ("[outbox]", '[smtp]\nhost = "smtp.example.nl"\nuser = "info@G32.nl"\n\n[outbox]', ["smtp.password_env"]),
        # a missing section, a bad address, a bad date
        ("[staff]\n", "[staf]\n", ["staf"]),
        ('address = "info@G32.nl"', 'address = "info.G32.nl"', ["event.address"]),
        ('date = "2017-11-30"', 'date = "30-11-2017"', ["event.date"]),
        ('process_since = "2017-11-01"', 'process_since = "gisteren"', ["deployment.process_since"]),
        ('log_format = "plain"', 'log_format = "xml"', ["deployment.log_format"]),
        # not TOML at all
        ("[deployment]\n", "[deployment\n", ["config.toml"]),
    ],
)
def test_config_mistakes(project: Path, old: str, new: str, names: list[str]) -> None:
    _edit(project, old, new)
    message = _error(project)
    for name in names:
        assert name in message, f"{name!r} not in {message!r}"


def test_missing_rules_file(project: Path) -> None:
    (project.parent / "rules" / "lexicon.toml").unlink()
    message = _error(project)
    assert "lexicon.toml" in message and "not found" in message


def test_missing_config_file(tmp_path: Path) -> None:
    message = _error(tmp_path / "nope.toml")
    assert "nope.toml" in message


def test_invalid_municipality_status(project: Path) -> None:
    _edit(project.parent / "rules" / "municipalities.toml", 'status = "member"', 'status = "observer"')
    message = _error(project)
    assert "municipalities.toml" in message and "status" in message and "observer" in message


def test_municipality_without_domains(project: Path) -> None:
    _edit(project.parent / "rules" / "municipalities.toml", 'domains = ["alkmaar.nl"]', "domains = []")
    message = _error(project)
    assert "municipalities.toml" in message and "domains" in message


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        ('[intent]\n', '[intent]\nshout = ["hoera"]\n', ["lexicon.toml", "shout"]),
        ("negation = [", "negation = 3\nnot_negation = [", ["lexicon.toml", "negation"]),
        ("[people.roles]\n", "[people.roles]\nschout = 7\n", ["lexicon.toml", "schout"]),
    ],
)
def test_lexicon_mistakes(project: Path, old: str, new: str, names: list[str]) -> None:
    _edit(project.parent / "rules" / "lexicon.toml", old, new)
    message = _error(project)
    for name in names:
        assert name in message, f"{name!r} not in {message!r}"


@pytest.mark.parametrize(
    ("csv", "names"),
    [
        ("name,role,municipality\nJan,wethouder,zwolle\n", ["invitees.csv", "email"]),
        ("name,role,municipality,email\nJan,wethouder,zwolle,jan-at-zwolle.nl\n", ["invitees.csv:2", "jan-at-zwolle.nl"]),
    ],
)
def test_invitee_mistakes(tmp_path: Path, csv: str, names: list[str]) -> None:
    path = tmp_path / "invitees.csv"
    path.write_text(csv, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_invitees(path)
    message = str(exc.value)
    assert "\n" not in message
    for name in names:
        assert name in message


def test_invitees_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path / "absent.csv"))):
        load_invitees(tmp_path / "absent.csv")


def test_invitees_with_bom_and_mixed_case(tmp_path: Path) -> None:
    path = tmp_path / "invitees.csv"
    path.write_text("\ufeffname,role,municipality,email,secretary_email\n"
                    "Jan Bos,,zwolle,J.Bos@Zwolle.nl,\n", encoding="utf-8")
    (inv,) = load_invitees(path)
    assert (inv.name, inv.role, inv.municipality, inv.email, inv.secretary_email) == (
        "Jan Bos", None, "zwolle", "j.bos@zwolle.nl", None)
