"""Large mail over a real Dovecot: replies carrying a 10 MB attachment are read
part by part (BODYSTRUCTURE, the header, the text parts) and handled like any
other reply, without the attachment ever crossing the wire.

What a user notices: a registration with a big PDF attached is recorded and
confirmed as usual; the bot stays small and fast; the message itself stays
whole on the server; mail whose text alone is too large, or whose structure
cannot be read, still reaches staff review and never stops the run.
"""

from __future__ import annotations

import contextlib
import email
import random
import time
from email import policy

import botrun
import faultkit
import pytest
import servers
from imapclient.exceptions import ProtocolError

from mailbot.config import ImapSettings
from mailbot.mail import partial
from mailbot.mail.imap import ImapMailbox

ATTACHMENT = 10_000_000


def with_attachment(raw: bytes, size: int = ATTACHMENT, name: str = "begroting 2018.pdf") -> bytes:
    """`raw` with a PDF of `size` random bytes attached (multipart/mixed around the original body)."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    msg.make_mixed()
    msg.add_attachment(random.Random(size).randbytes(size), maintype="application", subtype="pdf", filename=name)
    return msg.as_bytes(policy=policy.SMTP)


def simple(n: int, text: str = "Graag meld ik mij aan voor de netwerkborrel.") -> bytes:
    return (f"From: Jan Jansen <j.jansen{n}@zwolle.nl>\r\nTo: info@g32.nl\r\nSubject: Aanmelding\r\n"
            f"Message-ID: <large-{n}@zwolle.nl>\r\nDate: Mon, 13 Nov 2017 10:00:00 +0100\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n").encode()


def logouts(box: servers.ImapMailbox) -> list[str]:
    """Dovecot's "Logged out in=.. out=.." lines of this account's sessions."""
    return [line for line in box.server.log_text().splitlines()
            if f"imap({box.user})" in line and "Logged out" in line]


def sent_by_server(box: servers.ImapMailbox, before: int) -> int:
    """Bytes Dovecot sent in the sessions that logged out after the first `before` ones."""
    deadline = time.monotonic() + 5
    while len(logouts(box)) <= before and time.monotonic() < deadline:
        time.sleep(0.05)  # the line is written as the session ends
    lines = logouts(box)[before:]
    assert lines, "the bot's session did not log out"
    return sum(int(word[4:]) for line in lines for word in line.replace(",", " ").split()
               if word.startswith("out=") and word[4:].isdigit())


def test_reply_with_a_10_mb_attachment_is_confirmed_without_fetching_it(tmp_path, imap_mailbox, smtp):
    """A registration (Reply-To the secretariat) with a 10 MB PDF: recorded and confirmed
    as without it, no review; Dovecot sends the bot a sliver of the 13.7 MB; the
    message is moved to Verwerkt whole."""
    raw = with_attachment(botrun.corpus("016"))
    assert len(raw) > 13_000_000
    imap_mailbox.append("INBOX", raw)
    bot = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)
    before = len(logouts(imap_mailbox))

    run = bot.poll()
    assert "1 recorded" in run.stdout, run
    out = sent_by_server(imap_mailbox, before)
    assert out < 100_000, f"Dovecot sent {out} bytes for a {len(raw)}-byte message"

    [reply] = smtp.messages
    assert reply.rcpt_tos == ["bestuurssecretariaat@zaanstad.nl"]
    assert reply.message["X-Mailbot-Kind"] == "confirmation"
    assert reply.message["In-Reply-To"] == botrun.header(raw, "Message-ID")
    state = bot.export()
    assert [(a["name"], a["status"], a["sessions"]) for a in state["attendees"]] == [
        ("Hans Postma", "registered", ["netwerkborrel", "veiligheid"])]
    assert state["review"] == []
    [(outcome, size)] = faultkit.query(bot, "SELECT outcome, size FROM inbound_message")
    assert outcome == "recorded" and size < 100_000  # what was read: the text, a note for the PDF
    assert imap_mailbox.list_folder("INBOX") == []
    assert imap_mailbox.list_folder("Verwerkt") == [raw]


def test_text_larger_than_the_limit_goes_to_review_with_only_its_header_read(tmp_path, imap_mailbox, smtp):
    """max_message_bytes = 1,000,000 and a 1.2 MB text part: the text itself is too
    large, so only the header is fetched and the message goes to review, unanswered."""
    raw = with_attachment(simple(1, "Graag meld ik mij aan.\r\n" + "bla " * 300_000), size=2_000_000)
    imap_mailbox.append("INBOX", raw)
    bot = faultkit.make_bot(tmp_path, imap=imap_mailbox, smtp=smtp, limits={"max_message_bytes": 1_000_000})
    before = len(logouts(imap_mailbox))

    run = bot.poll()
    assert "1 review" in run.stdout, run
    assert sent_by_server(imap_mailbox, before) < 50_000
    assert faultkit.query(bot, "SELECT outcome, kind FROM inbound_message") == [("review", "too-large")]
    [(reason,)] = faultkit.query(bot, "SELECT reason FROM review_item")
    assert reason.startswith("Bericht te groot"), reason
    assert smtp.messages == []


@pytest.fixture
def mailbox(imap_mailbox, monkeypatch):
    """An in-process ImapMailbox on the test account; closed afterwards."""
    monkeypatch.setenv("MAILBOT_TEST_LARGE_PW", imap_mailbox.password)
    settings = ImapSettings(host=imap_mailbox.host, port=imap_mailbox.port, tls="starttls", user=imap_mailbox.user,
                            password_env="MAILBOT_TEST_LARGE_PW", ca_file=imap_mailbox.ca_file, timeout=10)
    opened = []

    def open_box() -> ImapMailbox:
        box = ImapMailbox(settings)
        box.resume(None, 0)
        opened.append(box)
        return box

    yield open_box
    for box in opened:
        with contextlib.suppress(Exception):
            box.close()


def test_batches_are_bounded_by_what_is_fetched_not_by_message_size(imap_mailbox, mailbox):
    """Three 13.7 MB replies make one batch (their text is small); each keeps the
    server's size and comes as a readable message with a note for its attachment."""
    raws = [with_attachment(simple(n)) for n in range(3)]
    faultkit.append_all(imap_mailbox, raws)
    [batch] = list(mailbox().batches())
    assert [f.size for f in batch] == [len(r) for r in raws]
    for f in batch:
        assert not f.oversized and len(f.raw) < 5_000
        msg = email.message_from_bytes(f.raw, policy=policy.default)
        assert msg.get_body(("plain",)).get_content().startswith("Graag meld ik mij aan")
        [note] = [p for p in msg.iter_attachments()]
        assert "begroting 2018.pdf" in note.get_content() and "application/pdf" in note.get_content()


def _two(imap_mailbox) -> list[bytes]:
    """A 13.7 MB reply (over the limit) and a 2.5 MB one (under it), in the INBOX."""
    raws = [with_attachment(simple(1)), with_attachment(simple(2), size=1_800_000)]
    faultkit.append_all(imap_mailbox, raws)
    return raws


def fetch_all(box: ImapMailbox) -> list:
    return [f for batch in box.batches() for f in batch]


def test_a_structure_that_cannot_be_planned_is_fetched_as_before(imap_mailbox, mailbox, monkeypatch):
    """BODYSTRUCTURE not understood: over the limit only the header (to review as too
    large), under it the whole message; nothing is lost."""
    def unreadable(_structure):
        raise partial.Unreadable("test")

    monkeypatch.setattr(partial, "plan", unreadable)
    raws = _two(imap_mailbox)
    big, small = fetch_all(mailbox())
    assert big.oversized and big.raw.endswith(b"\r\n\r\n") and len(big.raw) < 2_000
    assert not small.oversized and small.raw == raws[1]


def test_an_answer_imapclient_cannot_parse_is_fetched_as_before(imap_mailbox, mailbox):
    raws = _two(imap_mailbox)
    box = mailbox()
    fetch = box.client.fetch

    def broken(uids, items, *args, **kw):
        if "BODYSTRUCTURE" in items:
            raise ProtocolError("test")
        return fetch(uids, items, *args, **kw)

    box.client.fetch = broken
    big, small = fetch_all(box)
    assert big.oversized and len(big.raw) < 2_000
    assert not small.oversized and small.raw == raws[1]


def test_parts_that_cannot_be_rebuilt_leave_the_header_for_review(imap_mailbox, mailbox, monkeypatch):
    def unreadable(_plan, _fetched):
        raise partial.Unreadable("test")

    monkeypatch.setattr(partial, "rebuild", unreadable)
    _two(imap_mailbox)
    for f in fetch_all(mailbox()):
        assert f.oversized and f.raw.startswith(b"From: Jan Jansen") and len(f.raw) < 2_000
