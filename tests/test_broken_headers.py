"""A header that is not valid text (raw Latin-1 bytes, an encoded word that decodes to a
lone surrogate, a NUL) never stops the bot: the message is recorded, the genuine mail
after it in the same batch is handled, and nothing unstorable reaches the database or a
reply."""

from __future__ import annotations

import email
from email import policy

import botrun
import pytest

from mailbot.core.mailfacts import clean
from mailbot.core.people import plausible_name
from mailbot.mail.maildir import deliver

HEAD = "To: info@G32.nl\r\nDate: Mon, 06 Nov 2017 10:00:00 +0100\r\n"
BODY = b"\r\nGraag meld ik mij aan voor de netwerkborrel.\r\n"

BROKEN = {
    # raw Latin-1 bytes in the display name and the subject
    "latin1": b"From: J\xe9r\xf4me de Wit <j.dewit@zwolle.nl>\r\nSubject: aanmelding \xe9\xe9n\r\n"
              b"Message-ID: <latin1@example.zwolle.nl>\r\n",
    # an encoded word whose bytes decode to a lone surrogate
    "surrogate": b"From: =?utf-8?b?7aCA?= <p.smit@zwolle.nl>\r\nSubject: =?utf-8?b?7aCA?= aanmelding\r\n"
                 b"Message-ID: <surrogate@example.zwolle.nl>\r\n",
    # a NUL in the display name (PostgreSQL refuses NUL in text)
    "nul": b"From: =?utf-8?q?An=00na?= <a.bos@zwolle.nl>\r\nSubject: aan\x00melding\r\n"
           b"Message-ID: <nul@example.zwolle.nl>\r\n",
    # an address with raw 8-bit bytes in it
    "address": b"From: Kees <k\xe9es@zwolle.nl>\r\nSubject: aanmelding\r\n"
               b"Message-ID: <address@example.zwolle.nl>\r\n",
}


def broken(kind: str) -> bytes:
    return BROKEN[kind] + HEAD.encode() + BODY


def _all_text(state: dict) -> str:
    import json

    return json.dumps(state, ensure_ascii=False)


def test_clean_replaces_what_no_database_or_encoder_accepts():
    assert clean("Anna\x00Bos") == "Anna\ufffdBos"
    assert clean("J\udce9r\udcf4me") == "J\ufffdr\ufffdme"
    assert clean("Jérôme de Wit") == "Jérôme de Wit"


def test_a_name_is_only_a_name_when_it_reads_as_one():
    for name in ("Lars Vos", "J.P. de Vries-Bakker", "Jérôme van 't Hek", "Ayşe Yılmaz"):
        assert plausible_name(name), name
    for text in ("https://winactie.example/prijs", "www.example.com", "J\ufffdr\ufffdme",
                 "Klik hier <script>", "a" * 90, "1234 5678", "info@zwolle.nl"):
        assert not plausible_name(text), text


def test_ingest_records_every_broken_message_and_the_genuine_one_after_them(tmp_path):
    bot = botrun.Bot.make(tmp_path)
    files = []
    for kind in BROKEN:
        path = tmp_path / f"{kind}.eml"
        path.write_bytes(broken(kind))
        files.append(path)
    genuine = tmp_path / "genuine.eml"
    genuine.write_bytes(botrun.corpus("019"))
    files.append(genuine)
    run = bot.ingest(*files)
    assert "Traceback" not in run.stderr and "UnicodeEncodeError" not in run.stderr, str(run)
    state = bot.export()
    answered = {o["in_reply_to"] for o in state["outbox"]}
    assert botrun.header(botrun.corpus("019"), "Message-ID") in answered
    assert {"<latin1@example.zwolle.nl>", "<surrogate@example.zwolle.nl>", "<nul@example.zwolle.nl>"} <= answered
    text = _all_text(state)
    assert "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)
    names = {a["email"]: a["name"] for a in state["attendees"]}
    assert names["e.scholten@alkmaar.nl"] == "Esther Scholten"
    assert "\ufffd" not in names.get("j.dewit@zwolle.nl", ""), names  # garbled display name not used


def test_a_poll_batch_with_broken_headers_handles_all_and_polls_again_cleanly(tmp_path):
    bot = botrun.Bot(botrun.SHIPPED_CONFIG, tmp_path / "storage")
    maildir = bot.storage / "maildir"
    bot.poll()  # creates the Maildir
    for kind in BROKEN:
        deliver(maildir, broken(kind))
    deliver(maildir, botrun.corpus("019"))
    first = bot.poll()
    assert "Traceback" not in first.stderr, str(first)
    second = bot.poll()
    assert "no new mail" in second.stdout, str(second)
    replies = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
               for p in (bot.storage / "outbox").glob("*.eml")]
    assert len(replies) >= 4
    for reply in replies:  # every reply is valid, encodable mail
        assert reply["To"] and reply.get_body(("plain",)).get_content()


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_each_broken_message_alone_is_recorded_once(tmp_path, kind):
    bot = botrun.Bot.make(tmp_path)
    path = tmp_path / "m.eml"
    path.write_bytes(broken(kind))
    bot.ingest(path)
    again = bot.ingest(path)
    assert "Traceback" not in again.stderr
    state = bot.export()
    assert len([o for o in state["outbox"] if o["kind"] == "confirmation"]) <= 1
