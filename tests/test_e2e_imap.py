"""End to end over real servers: replies APPENDed to a Dovecot INBOX, the bot
run as `mailbot poll --once`, its answers caught by the aiosmtpd server.

What a user notices: every registration is answered once, to the right
address, threaded under the original; handled mail moves to "Verwerkt";
old mail is left alone; nothing is answered twice.
"""

from __future__ import annotations

import contextlib
import email.utils
from email.message import EmailMessage

import botrun
import servers

# case -> (reply recipient, attendee name, status, sessions, reply kind)
CASES = {
    # the secretariat registers the mayor: the reply goes to the secretariat
    "019": (
        "bestuurssecretariaat@alkmaar.nl",
        "Esther Scholten",
        "registered",
        ["algemeen-bestuur", "financien"],
        "confirmation",
    ),
    # From is the wethouder, Reply-To the secretariat: the reply follows Reply-To
    "016": (
        "bestuurssecretariaat@zaanstad.nl",
        "Hans Postma",
        "registered",
        ["netwerkborrel", "veiligheid"],
        "confirmation",
    ),
    # a decline gets an acknowledgement
    "024": ("d.vanbeek@almelo.nl", "Dirk van Beek", "declined", [], "acknowledgement"),
}


def _parts(msg: EmailMessage) -> set[str]:
    return {p.get_content_type() for p in msg.walk() if not p.is_multipart()}


def _flags(mailbox: servers.ImapMailbox, folder: str) -> list[tuple[bytes, ...]]:
    client = mailbox.connect()
    try:
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        return [tuple(v[b"FLAGS"]) for v in client.fetch(uids, ["FLAGS"]).values()] if uids else []
    finally:
        with contextlib.suppress(Exception):
            client.logout()


def test_poll_answers_threads_moves_and_does_not_repeat(tmp_path, imap_mailbox, smtp):
    """Three replies in INBOX: each answered once over SMTP to the right address
    (Reply-To honoured), threaded and marked auto-replied, text + HTML; the
    registry shows the attendees; the mail is moved to Verwerkt (seen) and
    INBOX is empty; a second poll sends nothing."""
    originals = {case: botrun.corpus(case) for case in CASES}
    for raw in originals.values():
        imap_mailbox.append("INBOX", raw)
    bot = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)

    run = bot.poll()
    assert "3 messages" in run.stdout and "3 recorded" in run.stdout, run

    assert len(smtp.messages) == 3, [m.rcpt_tos for m in smtp.messages]
    by_thread = {m.message["In-Reply-To"]: m for m in smtp.messages}
    for case, raw in originals.items():
        to, _name, _status, _sessions, kind = CASES[case]
        mid = botrun.header(raw, "Message-ID")
        assert mid in by_thread, f"no reply threaded under {case} {mid}: {list(by_thread)}"
        got = by_thread[mid]
        msg = got.message
        assert got.rcpt_tos == [to], case
        assert [a.lower() for _n, a in email.utils.getaddresses([str(msg["To"])])] == [to], case
        assert got.mail_from.lower() == "info@g32.nl"
        assert got.auth_user == smtp.user  # sent after AUTH (the server also demands STARTTLS)
        assert mid in str(msg["References"]).split(), case
        assert msg["Auto-Submitted"] == "auto-replied", case
        assert {"text/plain", "text/html"} <= _parts(msg), case
        assert msg["X-Mailbot-Kind"] == kind, case

    state = bot.export()
    got_people = {a["name"]: (a["status"], a["sessions"]) for a in state["attendees"]}
    assert got_people == {
        name: (status, sessions) for _to, name, status, sessions, _k in CASES.values()
    }
    assert sorted((o["to"][0], o["kind"], o["status"]) for o in state["outbox"]) == sorted(
        (to, kind, "sent") for to, _n, _s, _ss, kind in CASES.values()
    )
    assert state["review"] == []

    assert imap_mailbox.list_folder("INBOX") == []
    moved = imap_mailbox.list_folder("Verwerkt")
    assert sorted(botrun.message_ids(moved)) == sorted(
        botrun.header(r, "Message-ID") for r in originals.values()
    )
    assert all(b"\\Seen" in flags for flags in _flags(imap_mailbox, "Verwerkt"))

    again = bot.poll()
    assert "no new mail" in again.stdout, again
    assert len(smtp.messages) == 3
    assert len(bot.export()["outbox"]) == 3
    assert len(imap_mailbox.list_folder("Verwerkt")) == 3


def test_mail_before_process_since_is_skipped_and_left_in_inbox(tmp_path, imap_mailbox, smtp):
    """With process_since = 2017-11-05, a decline that arrived on 2 November is
    recorded as skipped: no reply, no attendee, and it stays in INBOX, also
    after the next poll; a registration of 9 November is handled as usual."""
    old, new = botrun.corpus("024"), botrun.corpus("016")
    client = imap_mailbox.connect()
    try:  # delivered when it was sent, as a real server would have (INTERNALDATE)
        for raw in (old, new):
            sent = email.utils.parsedate_to_datetime(botrun.header(raw, "Date"))
            client.append("INBOX", raw, msg_time=sent)
    finally:
        client.logout()
    bot = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp, process_since="2017-11-05")

    run = bot.poll()
    assert "1 skipped" in run.stdout and "1 recorded" in run.stdout, run
    assert [m.rcpt_tos for m in smtp.messages] == [["bestuurssecretariaat@zaanstad.nl"]]
    state = bot.export()
    assert [a["name"] for a in state["attendees"]] == ["Hans Postma"]
    assert [o["in_reply_to"] for o in state["outbox"]] == [botrun.header(new, "Message-ID")]
    assert botrun.message_ids(imap_mailbox.list_folder("INBOX")) == [
        botrun.header(old, "Message-ID")
    ]
    assert botrun.message_ids(imap_mailbox.list_folder("Verwerkt")) == [
        botrun.header(new, "Message-ID")
    ]

    again = bot.poll()
    assert "no new mail" in again.stdout, again
    assert len(smtp.messages) == 1
    assert len(imap_mailbox.list_folder("INBOX")) == 1


def test_same_message_delivered_twice_is_answered_once(tmp_path, imap_mailbox, smtp):
    """The identical message (same Message-ID and bytes) in INBOX twice: one
    attendee, one confirmation, and both copies are moved out of INBOX."""
    raw = botrun.corpus("060", 1)
    assert raw == botrun.corpus("060", 2)
    imap_mailbox.append("INBOX", raw)
    imap_mailbox.append("INBOX", raw)
    bot = botrun.Bot.make(tmp_path, imap=imap_mailbox, smtp=smtp)

    run = bot.poll()
    assert "1 duplicate" in run.stdout and "1 recorded" in run.stdout, run
    assert [m.rcpt_tos for m in smtp.messages] == [["p.timmermans@haarlem.nl"]]
    state = bot.export()
    assert [(a["name"], a["sessions"]) for a in state["attendees"]] == [
        ("Petra Timmermans", ["sociale-pijler"])
    ]
    assert len(state["outbox"]) == 1
    assert imap_mailbox.list_folder("INBOX") == []
    assert len(imap_mailbox.list_folder("Verwerkt")) == 2
