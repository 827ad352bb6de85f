"""`mailbot invite`: the invitation to everyone on the invitee list.

What the organiser notices: a dry run writes one preview per invitee and
invites nobody; inviting in portions never invites anyone twice; sending is
paced; with plus addressing every invitation carries a personal reply
address info+TOKEN@G32.nl, and a reply from an address the bot has never
seen (a private gmail account) sent to that address registers the invited
person, with their municipality, without bothering staff.

Commands run in this process through click's test runner (the same command
functions); state is read with `export --format json`.
"""

from __future__ import annotations

import collections
import csv
import email
import email.utils
import json
import re
from datetime import datetime
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from mailbot import config
from mailbot.cli import cli
from mailbot.invite import invite
from mailbot.service import open_bot

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config.toml"
NOW = "2017-11-02T10:00:00+01:00"
TOKEN_ADDRESS = re.compile(r"^info\+([A-Za-z0-9]+)@G32\.nl$", re.IGNORECASE)


def mailbot(storage: Path, *args: str, now: str | None = NOW, config_path: Path = CONFIG) -> str:
    argv = ["--config", str(config_path), "--storage", str(storage), *(["--now", now] if now else []), *args]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 0, f"{' '.join(args)} -> {result.exit_code}\n{result.output}"
    return result.stdout


def export(storage: Path, config_path: Path = CONFIG) -> dict:
    return json.loads(mailbot(storage, "export", "--format", "json", now=None, config_path=config_path))


def invitees() -> list[dict]:
    with open(REPO / "rules" / "invitees.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_mails(folder: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def recipients(msg) -> list[str]:
    return [a.lower() for _n, a in email.utils.getaddresses([str(msg["To"])])]


# --- dry run, portions, no one twice -------------------------------------------------


@pytest.fixture(scope="module")
def portions(tmp_path_factory) -> dict:
    """A dry run, then 3 invitations, then the rest."""
    storage = tmp_path_factory.mktemp("invite") / "storage"
    out = {"dry": mailbot(storage, "invite", "--dry-run")}
    out["after_dry"] = export(storage)
    out["previews"] = read_mails(storage / "outbox" / "dry-run")
    out["sent_after_dry"] = read_mails(storage / "outbox")
    out["three"] = mailbot(storage, "invite", "--limit", "3", "--per-minute", "0")
    out["rest"] = mailbot(storage, "invite", "--per-minute", "0")
    out["again"] = mailbot(storage, "invite", "--per-minute", "0")
    out["state"] = export(storage)
    out["sent"] = read_mails(storage / "outbox")
    return out


def test_dry_run_writes_one_preview_per_invitee(portions):
    previews = portions["previews"]
    assert len(previews) == len(invitees())
    assert sorted(a for m in previews for a in recipients(m)) == sorted(i["email"].lower() for i in invitees())
    assert all(m["Subject"] and "Uitnodiging" in str(m["Subject"]) for m in previews)


def test_dry_run_records_and_sends_nothing(portions):
    assert portions["after_dry"]["outbox"] == []
    assert portions["sent_after_dry"] == []  # only the dry-run/ folder was written
    assert re.search(r"\b3 uitgenodigd\b.*\b0 eerder uitgenodigd\b", portions["three"]), portions["three"]


def test_inviting_in_portions_invites_everyone_exactly_once(portions):
    assert re.search(rf"\b{len(invitees()) - 3} uitgenodigd\b.*\b3 eerder uitgenodigd\b", portions["rest"])
    assert re.search(rf"\b0 uitgenodigd\b.*\b{len(invitees())} eerder uitgenodigd\b", portions["again"])
    kinds = collections.Counter(o["kind"] for o in portions["state"]["outbox"])
    assert kinds == {"invitation": len(invitees())}
    to = collections.Counter(a.lower() for o in portions["state"]["outbox"] for a in o["to"])
    assert set(to) == {i["email"].lower() for i in invitees()} and set(to.values()) == {1}
    assert len(portions["sent"]) == len(invitees())


def test_invitation_is_written_for_a_person(portions):
    """Not marked as an automatic reply (out-of-office rules would drop the answers), and
    without plus addressing (the shipped config) the answer goes to info@G32.nl itself."""
    msg = portions["sent"][0]
    assert msg["Auto-Submitted"] is None
    assert msg["Reply-To"] is None
    assert "info@g32.nl" in str(msg["From"]).lower()


def test_sending_is_paced_per_minute(tmp_path):
    bot = open_bot(config.load(CONFIG, storage=tmp_path / "storage"))
    pauses: list[float] = []
    now = datetime(2017, 11, 2, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    try:
        sent, before = invite(bot, now=now, per_minute=30, limit=3, sleep=pauses.append)
    finally:
        bot.engine.dispose()
    assert (sent, before) == (3, 0)
    assert pauses == [2.0, 2.0]  # 30 a minute: two seconds between mails, none after the last


# --- personal reply addresses -------------------------------------------------------


@pytest.fixture(scope="module")
def plus(tmp_path_factory) -> dict:
    """A config like the shipped one with plus_addressing = true, and two invitations sent."""
    etc = tmp_path_factory.mktemp("plus-etc")
    text = CONFIG.read_text(encoding="utf-8")
    old = re.search(r"(?m)^plus_addressing\s*=\s*false", text)
    assert old, "the shipped config no longer has the plus_addressing line"
    (etc / "config.toml").write_text(text[:old.start()] + "plus_addressing = true" + text[old.end():],
                                     encoding="utf-8")
    (etc / "rules").symlink_to(REPO / "rules", target_is_directory=True)  # rules/ is found next to the config
    storage = etc / "storage"
    mailbot(storage, "invite", "--limit", "2", "--per-minute", "0", config_path=etc / "config.toml")
    return {"config": etc / "config.toml", "storage": storage, "sent": read_mails(storage / "outbox")}


def reply(*, sender: str, to: str, message_id: str) -> bytes:
    return (
        f"From: {sender}\r\n"
        f"To: {to}\r\n"
        "Subject: RE: Uitnodiging G32 netwerkdag\r\n"
        "Date: Thu, 09 Nov 2017 20:15:00 +0100\r\n"
        f"Message-ID: <{message_id}@mail.gmail.com>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Beste organisatie,\r\n\r\n"
        "Ik kom graag naar de netwerkdag en ook naar het Algemeen Bestuur.\r\n\r\n"
        "Groet\r\n"
    ).encode()


def test_invitation_carries_a_personal_reply_address(plus):
    assert len(plus["sent"]) == 2
    tokens = set()
    for msg in plus["sent"]:
        m = TOKEN_ADDRESS.match(str(msg["Reply-To"]).strip())
        assert m, msg["Reply-To"]
        tokens.add(m.group(1))
    assert len(tokens) == 2  # one per invitee


def test_reply_from_an_unknown_address_to_the_personal_address_registers_the_invitee(plus, tmp_path):
    by_email = {i["email"].lower(): i for i in invitees()}
    msg = plus["sent"][1]
    (invited,) = recipients(msg)
    who = by_email[invited]
    personal = str(msg["Reply-To"]).strip()

    token_reply = tmp_path / "token.eml"
    token_reply.write_bytes(reply(sender="<wandelaar.1962@gmail.com>", to=personal, message_id="tok-1"))
    plain_reply = tmp_path / "plain.eml"  # the same text to the general address: nothing to go on
    plain_reply.write_bytes(reply(sender="<fietser.1971@gmail.com>", to="info@G32.nl", message_id="plain-1"))
    mailbot(plus["storage"], "ingest", str(token_reply), str(plain_reply), now="2017-11-16T09:00:00+01:00",
            config_path=plus["config"])
    state = export(plus["storage"], plus["config"])

    registered = [a for a in state["attendees"] if "wandelaar.1962@gmail.com" in (a["registered_by"] or "")]
    assert len(registered) == 1, state["attendees"]
    a = registered[0]
    assert a["name"] == who["name"]
    assert a["municipality"] == who["municipality"]
    assert a["status"] == "registered" and "algemeen-bestuur" in a["sessions"]
    assert a["needs_review"] is False
    assert not [r for r in state["review"] if r["from"] == "wandelaar.1962@gmail.com"], state["review"]
    replies = [o for o in state["outbox"] if "wandelaar.1962@gmail.com" in o["to"]]
    assert [o["kind"] for o in replies] == ["confirmation"]
    # the control: without the personal address the same mail is an unknown sender for staff
    assert [r for r in state["review"] if r["from"] == "fietser.1971@gmail.com"]
