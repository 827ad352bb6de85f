"""Nothing a stranger writes reaches the operator's terminal as a control sequence:
names, subjects and mail text with ESC/OSC sequences print as plain text."""

from __future__ import annotations

import botrun

from mailbot.terminal import printable

ESC = "\x1b"
HOSTILE = (
    "From: =?utf-8?q?Evil=1B]0;pwned=07=1B[2J?= <p.kwaad@zwolle.nl>\r\n"
    "To: info@G32.nl\r\n"
    "Subject: =?utf-8?q?vraag=1B[31m_rood=1B]52;c;ZWNobw=3D=3D=07?=\r\n"
    "Message-ID: <esc@zwolle.nl>\r\n"
    "Date: Mon, 06 Nov 2017 10:00:00 +0100\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Waar kan ik parkeren?\x1b]0;titel\x07 \x1b[8mverborgen\x1b[0m \u202egnol\r\n"
)


def test_printable_drops_control_characters_but_keeps_text():
    assert printable("a\x1b[31mb\x07c\u202ed") == "a[31mbcd"
    assert printable("regel 1\nregel\t2") == "regel 1\nregel\t2"
    assert printable("Jérôme") == "Jérôme"


def test_review_explain_and_digest_print_no_escape_sequences(tmp_path):
    bot = botrun.Bot.make(tmp_path)
    path = tmp_path / "hostile.eml"
    path.write_bytes(HOSTILE.encode("utf-8"))
    bot.ingest(path)
    outputs = {
        "review list": bot.run("review", "list").stdout,
        "review show": bot.run("review", "show", "1").stdout,
        "explain": bot.run("explain", str(path)).stdout,
        "digest": bot.run("digest", "--print").stdout,
    }
    for name, out in outputs.items():
        assert out.strip(), name
        assert ESC not in out and "\x07" not in out and "\u202e" not in out, (name, out)
    assert "parkeren" in outputs["explain"]


def test_the_store_and_the_outbox_are_private_files(tmp_path):
    """Registrations are personal data: the storage folder the bot makes is 0700, the
    database and every outbox file 0600, whatever the operator's umask."""
    import os
    import stat

    bot = botrun.Bot(botrun.SHIPPED_CONFIG, tmp_path / "storage")
    path = tmp_path / "r.eml"
    path.write_bytes(botrun.corpus("019"))
    old = os.umask(0o022)
    try:
        bot.ingest(path)
    finally:
        os.umask(old)

    def mode(p):
        return stat.S_IMODE(p.stat().st_mode)

    assert mode(bot.storage) == 0o700
    assert mode(bot.storage / "mailbot.sqlite3") == 0o600
    files = list((bot.storage / "outbox").glob("*.eml"))
    assert files and all(mode(f) == 0o600 for f in files)
    assert mode(bot.storage / "outbox") == 0o700
    unit = (botrun.REPO / "docs" / "deploy" / "mailbot.service").read_text()
    assert "UMask=0077" in unit
