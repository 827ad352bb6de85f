"""The embedded default, as shipped: a Maildir under --storage in, a folder of
.eml files out, no servers at all.

What a user notices: `poll --once` with the shipped config.toml answers the
replies dropped into storage/maildir, writes each answer as a file in
storage/outbox, files the handled mail under "Verwerkt", leaves mail from
before process_since alone, and does nothing more on the next poll.
"""

from __future__ import annotations

import email
import email.utils
import mailbox
from email import policy

import botrun

from mailbot.mail.maildir import deliver

# case -> who the answer goes to
CASES = {
    "019": "bestuurssecretariaat@alkmaar.nl",  # secretariat registers the mayor
    "016": "bestuurssecretariaat@zaanstad.nl",  # Reply-To wins over From
    "024": "d.vanbeek@almelo.nl",  # a decline
}


def _outbox(storage):
    out = {}
    for path in sorted((storage / "outbox").glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        out[str(msg["In-Reply-To"])] = msg
    return out


def test_shipped_config_answers_maildir_into_file_outbox(tmp_path):
    """A first poll on a fresh storage finds no mail (and does not crash).
    Then three replies and one mail from before process_since (2017-11-01) in
    the Maildir: three answer files with the right To, threaded under the
    originals; the three move to the Verwerkt sub-folder, the old one stays
    unanswered in the inbox; a further poll writes nothing new."""
    bot = botrun.Bot(botrun.SHIPPED_CONFIG, tmp_path / "storage")
    maildir = bot.storage / "maildir"
    first = bot.poll()
    assert "no new mail" in first.stdout, first

    originals = {case: botrun.corpus(case) for case in CASES}
    for raw in originals.values():
        deliver(maildir, raw)
    old = botrun.replace_header(botrun.corpus("003"), "Date", "Tue, 31 Oct 2017 08:14:51 +0100")
    deliver(maildir, old)

    run = bot.poll()
    assert "3 recorded" in run.stdout and "1 skipped" in run.stdout, run

    sent = _outbox(bot.storage)
    assert len(sent) == 3, list(sent)
    for case, raw in originals.items():
        msg = sent[botrun.header(raw, "Message-ID")]
        assert [a.lower() for _n, a in email.utils.getaddresses([str(msg["To"])])] == [
            CASES[case]
        ], case
        assert msg["Auto-Submitted"] == "auto-replied"
    assert botrun.header(old, "Message-ID") not in sent
    assert "Esther Meijer" not in [a["name"] for a in bot.export()["attendees"]]

    box = mailbox.Maildir(str(maildir), create=False)
    assert [botrun.header(box.get_bytes(k), "Message-ID") for k in box.keys()] == [
        botrun.header(old, "Message-ID")
    ]
    done = box.get_folder("Verwerkt")
    assert sorted(botrun.header(done.get_bytes(k), "Message-ID") for k in done.keys()) == sorted(
        botrun.header(r, "Message-ID") for r in originals.values()
    )
    assert all("S" in done.get_message(k).get_flags() for k in done.keys())

    again = bot.poll()
    assert "recorded" not in again.stdout, again
    assert len(list((bot.storage / "outbox").glob("*.eml"))) == 3
    assert len(bot.export()["outbox"]) == 3
    assert len(done.keys()) == 3


def test_processes_opening_a_new_maildir_at_once_all_succeed(tmp_path):
    """`mailbot run` and a command run by hand may both be the first to open the Maildir;
    neither may fail because the other created a directory a moment earlier."""
    import subprocess
    import sys

    opener = ("import sys, time; from pathlib import Path; from mailbot.mail.maildir import MaildirMailbox\n"
              "start = float(sys.argv[2])\n"
              "while time.time() < start: pass\n"
              "MaildirMailbox(Path(sys.argv[1])).close()\n")
    for attempt in range(3):
        path = tmp_path / f"maildir{attempt}"
        start = __import__("time").time() + 1.0  # all start at the same moment, imports done
        procs = [subprocess.Popen([sys.executable, "-c", opener, str(path), str(start)],
                                  stderr=subprocess.PIPE, text=True) for _ in range(6)]
        errors = [p.communicate(timeout=60)[1] for p in procs]
        assert all(p.returncode == 0 for p in procs), "\n".join(e for e in errors if e)[-2000:]
        assert mailbox.Maildir(str(path), create=False).get_folder("Verwerkt") is not None


def test_pollers_sharing_a_maildir_handle_and_file_each_message_once(tmp_path):
    """`run` and a `poll --once` by hand on one Maildir: each reply is recorded, answered
    and moved to the processed folder once (a copy-then-delete move left a copy per poller)."""
    import collections
    import os
    import subprocess

    bot = botrun.Bot.make(tmp_path)
    inbox = bot.storage / "maildir"
    raws = [p.read_bytes() for p in sorted(botrun.CORPUS.glob("*/*.eml"))]
    ids = set()
    for i, raw in enumerate(raws * 2):  # 2 x the corpus, each with its own Message-ID
        mid = f"<maildir-share-{i}@example.nl>"
        deliver(inbox, botrun.replace_header(raw, "Message-ID", mid) if botrun.header(raw, "Message-ID")
                else f"Message-ID: {mid}\r\n".encode() + raw)
        ids.add(mid)
    cmd = [str(botrun.MAILBOT), "--config", str(bot.config), "--storage", str(bot.storage),
           "--now", bot.now, "poll", "--once"]
    procs = [subprocess.Popen(cmd, cwd=botrun.REPO, env={**os.environ, **bot.env}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]

    box = mailbox.Maildir(str(inbox), create=False)
    done = box.get_folder("Verwerkt")
    filed = collections.Counter(botrun.header(done.get_bytes(k), "Message-ID") for k in done.keys())
    assert not list(box.keys()), "mail left in the inbox"
    assert set(filed) == ids
    assert not {m: n for m, n in filed.items() if n > 1}, "messages filed more than once"
    replies = collections.Counter(o["in_reply_to"] for o in bot.export()["outbox"] if o["in_reply_to"])
    assert not {m: n for m, n in replies.items() if n > 1}, "messages answered more than once"
