"""An auto-responder without Auto-Submitted that sends our own mail back is not answered:
no new clarification for an echoed clarification, no confirmation for an echoed
confirmation, however often it comes back."""

from __future__ import annotations

import email
from email import policy

import botrun

from mailbot.config import load
from mailbot.core.echo import fragments, is_echo

CLASH = (
    "From: Lars Vos <l.vos@zwolle.nl>\r\nTo: info@G32.nl\r\nSubject: aanmelding\r\n"
    "Message-ID: <clash@zwolle.nl>\r\nDate: Mon, 06 Nov 2017 10:00:00 +0100\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nIk kom naar Financien en Statushouders.\r\n"
)


def _outbox(bot):
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((bot.storage / "outbox").glob("*.eml"))]


def _echo_of(ours: email.message.EmailMessage, n: int) -> bytes:
    """What a naive responder sends: our plain text as its own body, no Auto-Submitted."""
    body = ours.get_body(("plain",)).get_content()
    return (f"From: Lars Vos <l.vos@zwolle.nl>\r\nTo: info@G32.nl\r\nSubject: RE: {ours['Subject']}\r\n"
            f"Message-ID: <echo-{n}@zwolle.nl>\r\nIn-Reply-To: {ours['Message-ID']}\r\n"
            "Date: Tue, 07 Nov 2017 10:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + body.replace("\n", "\r\n")).encode()


def test_our_sentences_are_recognised_and_a_few_words_of_ones_own_are_not_an_echo():
    own = fragments(["Hartelijk dank voor uw bericht. Voor de {{ event }} hebben wij genoteerd:\n"
                     "Klopt dit niet of wilt u iets wijzigen? Beantwoord dan deze e-mail."])
    echoed = ("Hartelijk dank voor uw bericht. Voor de G32 netwerkdag hebben wij genoteerd:\n"
              "- 4. Themagroep Financien\nKlopt dit niet of wilt u iets wijzigen? Beantwoord dan deze e-mail.")
    known = frozenset({"g32", "netwerkdag", "themagroep", "financien"})
    assert is_echo(echoed, known, own)
    assert not is_echo("Graag ook de borrel erbij, dank!\n" + echoed, known, own)
    assert not is_echo("Ik kom naar de borrel.", known, own)
    assert not is_echo("", known, own)
    assert len(load(botrun.SHIPPED_CONFIG).knowledge.own_text) > 10


def test_an_echoed_clarification_gets_no_new_clarification(tmp_path):
    bot = botrun.Bot(botrun.SHIPPED_CONFIG, tmp_path / "storage")
    first = tmp_path / "clash.eml"
    first.write_bytes(CLASH.encode())
    bot.ingest(first)
    [clarification] = _outbox(bot)
    assert clarification["X-Mailbot-Kind"] == "clarification"
    for n in range(3):
        echo = tmp_path / f"echo{n}.eml"
        echo.write_bytes(_echo_of(clarification, n))
        bot.ingest(echo)
    assert len(_outbox(bot)) == 1
    state = bot.export()
    assert state["attendees"][0]["sessions"] == []


def test_an_echoed_confirmation_changes_nothing_and_gets_no_reply(tmp_path):
    bot = botrun.Bot(botrun.SHIPPED_CONFIG, tmp_path / "storage")
    first = tmp_path / "r.eml"
    first.write_bytes(CLASH.replace("Financien en Statushouders", "de borrel en het AB").encode())
    bot.ingest(first)
    [confirmation] = _outbox(bot)
    echo = tmp_path / "echo.eml"
    echo.write_bytes(_echo_of(confirmation, 9))
    bot.ingest(echo)
    assert len(_outbox(bot)) == 1
    assert bot.export()["attendees"][0]["sessions"] == ["algemeen-bestuur", "netwerkborrel"]
