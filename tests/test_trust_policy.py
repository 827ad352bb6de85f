"""Trust policy for mail the trusted receiving server could not verify: spf=fail with a
dkim that did not pass and no dmarc pass may register someone new (staff review it) but
never changes or cancels what is recorded; dmarc=pass or dkim=pass is genuine."""

from __future__ import annotations

import botrun
import pytest

from mailbot.core.classify import classify
from mailbot.core.mailparse import parse

REGISTER = (
    "From: Lars Vos <l.vos@zwolle.nl>\r\nTo: info@G32.nl\r\nSubject: aanmelding\r\n"
    "Message-ID: <reg@zwolle.nl>\r\nDate: Mon, 06 Nov 2017 10:00:00 +0100\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nIk kom naar de borrel en het AB.\r\n"
)


def cancel(results: str, n: int = 1) -> bytes:
    return (f"Authentication-Results: mx1.g32.nl; {results}\r\n"
            "From: Lars Vos <l.vos@zwolle.nl>\r\nTo: info@G32.nl\r\nSubject: afmelding\r\n"
            f"Message-ID: <cancel-{n}@zwolle.nl>\r\nDate: Tue, 07 Nov 2017 10:00:00 +0100\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nIk meld mij af, ik kom toch niet.\r\n").encode()


@pytest.mark.parametrize("results,unverified", [
    ("spf=fail smtp.mailfrom=zwolle.nl; dkim=none; dmarc=none", True),
    ("spf=softfail smtp.mailfrom=zwolle.nl; dkim=fail header.d=zwolle.nl", True),
    ("spf=fail smtp.mailfrom=zwolle.nl; dkim=pass header.d=zwolle.nl; dmarc=none", False),
    ("spf=fail smtp.mailfrom=zwolle.nl; dkim=fail; dmarc=pass", False),
    ("spf=pass smtp.mailfrom=zwolle.nl; dkim=none; dmarc=none", False),
])
def test_what_counts_as_unverified(results, unverified):
    c = classify(parse(cancel(results)), own_addresses=frozenset({"info@g32.nl"}),
                 trusted_authserv_ids=frozenset({"mx1.g32.nl"}))
    assert c.kind == "human"
    assert bool(c.unverified) is unverified


def test_an_untrusted_server_decides_nothing():
    raw = cancel("spf=fail; dkim=none; dmarc=none").replace(b"mx1.g32.nl", b"mx.attacker.example")
    c = classify(parse(raw), own_addresses=frozenset(), trusted_authserv_ids=frozenset({"mx1.g32.nl"}))
    assert c.unverified is None


def test_an_unverified_withdrawal_changes_nothing_and_goes_to_staff(tmp_path):
    bot = botrun.Bot.make(tmp_path)
    first = tmp_path / "r.eml"
    first.write_bytes(REGISTER.encode())
    bot.ingest(first)
    second = tmp_path / "c.eml"
    second.write_bytes(cancel("spf=fail smtp.mailfrom=zwolle.nl; dkim=none; dmarc=none"))
    bot.ingest(second)
    state = bot.export()
    [vos] = state["attendees"]
    assert vos["status"] == "registered" and vos["sessions"] == ["algemeen-bestuur", "netwerkborrel"]
    assert [o["kind"] for o in state["outbox"]] == ["confirmation"]  # nothing answered to the second
    assert any("niet geverifieerd" in r["reason"] for r in state["review"])


def test_a_verified_withdrawal_still_works(tmp_path):
    bot = botrun.Bot.make(tmp_path)
    first = tmp_path / "r.eml"
    first.write_bytes(REGISTER.encode())
    bot.ingest(first)
    second = tmp_path / "c.eml"
    second.write_bytes(cancel("spf=pass smtp.mailfrom=zwolle.nl; dkim=pass header.d=zwolle.nl; dmarc=pass"))
    bot.ingest(second)
    [vos] = bot.export()["attendees"]
    assert vos["status"] == "cancelled"
