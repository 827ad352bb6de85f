"""Sessions carry one number, in the invitation's order, in every mail that lists them,
and a reply that answers with those numbers is read back as the same sessions."""

from __future__ import annotations

import email
import re
from email import policy

import botrun

REPLY = """From: Lars Vos <l.vos@zwolle.nl>\r
To: info@G32.nl\r
Subject: RE: netwerkdag\r
Date: Mon, 06 Nov 2017 10:00:00 +0100\r
Message-ID: <numbers-{n}@zwolle.nl>\r
Content-Type: text/plain; charset=utf-8\r
\r
Graag sessie {a} en {b}.\r
"""


def _mails(bot: botrun.Bot) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((bot.storage / "outbox").glob("*.eml"))]


def test_numbers_in_a_confirmation_are_the_numbers_a_reply_may_use(tmp_path):
    bot = botrun.Bot(botrun.SHIPPED_CONFIG, tmp_path / "storage")
    path = tmp_path / "r.eml"
    path.write_text(REPLY.format(n=1, a=4, b=11), encoding="utf-8")
    bot.ingest(path)
    state = bot.export()
    assert state["attendees"][0]["sessions"] == ["algemeen-bestuur", "financien"]
    body = _mails(bot)[0].get_body(("plain",)).get_content()
    listed = dict(re.findall(r"^- (\d+)\. (.+?) \(", body, re.M))
    assert listed == {"4": "Themagroep Financiën", "11": "Algemeen Bestuur"}, body


def test_a_reminder_lists_every_session_numbered_in_the_invitations_order(tmp_path):
    bot = botrun.Bot(botrun.SHIPPED_CONFIG, tmp_path / "storage", now="2017-11-20T09:00:00+01:00")
    bot.run("run")  # with a fixed clock: the jobs due then, once
    reminders = [m for m in _mails(bot) if m["X-Mailbot-Kind"] == "reminder"]
    assert reminders, "no reminder was written"
    body = reminders[0].get_body(("plain",)).get_content()
    numbers = re.findall(r"^(\d+)\. \d\d[.:]\d\d - \d\d[.:]\d\d uur  (.+?)\r?$", body, re.M)
    assert [int(n) for n, _t in numbers] == list(range(1, 13))
    assert numbers[0][1].startswith("Themasessie Mensen tussen wal en schip")
