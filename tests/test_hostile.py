"""Hostile and broken mail through the real IMAP server: 2,000 generated
malformed messages (truncated MIME, wrong and unknown charsets, binary junk,
a 20 MB attachment, multiparts nested 100 deep, 10,000 recipients in To,
header injection in encoded display names, missing headers, Message-IDs used
twice) APPENDed in bulk and handled by `mailbot poll --once`.

What a user notices: the bot neither crashes nor stalls on such mail; each
message is recorded once with an outcome, what it cannot read goes to staff
review with a reason, nothing is answered twice, and no reply ever carries a
header an attacker smuggled in.

The messages are spread over MAILBOT_HOSTILE_SHARDS (2) installations, each
with its own mailbox, polled side by side (the bot spends about 0.1 s of CPU
per message; two cores halve the wall time). MAILBOT_HOSTILE_COUNT (2000)
turns the size down for a quick look.
"""

from __future__ import annotations

import collections
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import faultkit
import pytest

COUNT = int(os.environ.get("MAILBOT_HOSTILE_COUNT", "2000"))
SHARDS = max(1, int(os.environ.get("MAILBOT_HOSTILE_SHARDS", "2")))
# what our replies may carry; anything else in an outgoing header block was smuggled in
OUR_HEADERS = {"from", "to", "subject", "date", "message-id", "in-reply-to", "references", "auto-submitted",
               "x-auto-response-suppress", "content-language", "x-mailbot-kind", "mime-version",
               "content-type", "content-transfer-encoding"}
INJECTED = ("x@y", "evil@attacker.example", "victim@attacker.example")


def _header_names(raw: bytes) -> set[str]:
    return {k.lower() for k in faultkit.headers(raw).keys()}


def _head(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


@pytest.mark.slow
def test_hostile_mail_is_recorded_once_and_never_crashes_or_injects(tmp_path, dovecot, smtp):
    """2,000 malformed messages, `poll --once`: exit 0 without a traceback;
    one inbound record per distinct Message-ID; what went to review has a
    reason; no message answered twice; the 20 MB one read without its
    attachment (only its text parts fetched); no queued or sent reply carries a header we
    did not write, nor goes to an address smuggled into a display name."""
    dovecot.ensure_running()
    t_test = time.monotonic()
    per = COUNT // SHARDS
    sizes = [per] * (SHARDS - 1) + [COUNT - per * (SHARDS - 1)]
    if SHARDS > 1:  # the 10,000-recipient mail costs the bot ~30 s of CPU: its shard gets fewer others
        moved = min(150, per // 4)
        sizes[0] -= moved
        sizes[-1] += moved
    shards = []
    first = 0
    for k, count in enumerate(sizes):
        last = k == SHARDS - 1
        # the 10,000-recipient mail in the first shard, the 20 MB one in the last
        msgs = faultkit.hostile(count - (1 if last else 0), seed=100 + k, rcpts_10000=1 if k == 0 else 0,
                                first=first)
        first += count
        if last:
            msgs.append(faultkit.big_attachment(COUNT))
        box = dovecot.new_mailbox()
        bot = faultkit.make_bot(tmp_path / f"shard{k}", imap=box, smtp=smtp)
        shards.append((msgs, box, bot))
    generated = time.monotonic() - t_test
    t0 = time.monotonic()
    with ThreadPoolExecutor(SHARDS) as pool:  # APPEND in bulk, one connection per mailbox
        done = list(pool.map(lambda shard: faultkit.append_all(shard[1], [m.raw for m in shard[0]]), shards))
    assert done == [len(m) for m, _, _ in shards]
    appended = time.monotonic() - t0
    assert sum(len(m) for m, _, _ in shards) == COUNT

    t0 = time.monotonic()
    procs = [faultkit.start_poll(bot) for _, _, bot in shards]

    def finish(proc):
        out, err = proc.communicate(timeout=900)
        return out, err, round(time.monotonic() - t0, 1)

    with ThreadPoolExecutor(SHARDS) as pool:
        finished = list(pool.map(finish, procs))
    outputs = [(out, err) for out, err, _ in finished]
    polled = time.monotonic() - t0
    t_check = time.monotonic()
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, f"poll exited {p.returncode}\n{out}\n{err[-5000:]}"
        assert "Traceback" not in err, err[-5000:]
    for _, box, bot in shards:  # a second poll finds nothing left and sends nothing more
        before = len(smtp.messages)
        again = bot.poll()
        assert "no new mail" in again.stdout, again
        assert len(smtp.messages) == before
        assert faultkit.folder_count(box) == 0

    outcomes: collections.Counter[tuple[str, str]] = collections.Counter()
    for msgs, box, bot in shards:
        assert faultkit.folder_count(box, "Verwerkt") == len(msgs)
        # one inbound record per distinct Message-ID (a message without one is known by its bytes)
        explicit = {m.message_id for m in msgs if m.message_id}
        expected = len(explicit) + sum(1 for m in msgs if not m.message_id)
        recorded = dict(faultkit.query(bot, "SELECT message_id, outcome FROM inbound_message"))
        assert len(recorded) == expected, (len(recorded), expected)
        assert explicit <= set(recorded), sorted(explicit - set(recorded))[:10]
        assert all(o in ("recorded", "ignored", "review", "error", "skipped") for o in recorded.values())
        # UIDs are 1..n in APPEND order in a new mailbox: the UID tells which generated message it was
        for uid, outcome in faultkit.query(bot, "SELECT uid, outcome FROM inbound_message"):
            outcomes[(msgs[uid - 1].kind, outcome)] += 1

        # what it could not handle is in review, with a reason
        reasons = collections.defaultdict(list)
        for mid, reason in faultkit.query(bot, "SELECT message_id, reason FROM review_item"):
            reasons[mid].append(reason)
        for mid, outcome in recorded.items():
            if outcome in ("review", "error"):
                assert reasons.get(mid) and all(r.strip() for r in reasons[mid]), (mid, outcome)

        # nothing answered twice
        twice = faultkit.query(bot, "SELECT in_reply_to, count(*) FROM outbox WHERE in_reply_to IS NOT NULL "
                                    "GROUP BY in_reply_to HAVING count(*) > 1")
        assert twice == []

        # no smuggled header in anything queued
        for (raw,) in faultkit.query(bot, "SELECT raw FROM outbox"):
            assert _header_names(raw) <= OUR_HEADERS, _header_names(raw) - OUR_HEADERS
            assert b"\nbcc:" not in _head(raw).lower()

    # the 20 MB one: its text read, the attachment never fetched
    big = shards[-1][0][-1]
    assert big.kind == "20MB" and len(big.raw) > 20_000_000
    bot = shards[-1][2]
    [(outcome, kind, size)] = faultkit.query(
        bot, "SELECT outcome, kind, size FROM inbound_message WHERE message_id = ?", big.message_id)
    assert kind != "too-large" and outcome in ("recorded", "review"), (outcome, kind)
    assert size < 100_000, "the 20 MB message was downloaded whole"

    # and what reached the SMTP server: once per message, to nobody smuggled in
    counts = faultkit.in_reply_to_counts(smtp)
    assert all(c == 1 for c in counts.values()), {k: v for k, v in counts.items() if v > 1}
    for m in smtp.messages:
        assert not set(m.rcpt_tos) & set(INJECTED), m.rcpt_tos
        assert _header_names(m.data) <= OUR_HEADERS, _header_names(m.data) - OUR_HEADERS
        assert b"\nbcc:" not in _head(m.data).lower()
    injections = sum(1 for msgs, _, _ in shards for m in msgs if m.inject)
    answered_injections = sum(1 for msgs, _, _ in shards for m in msgs if m.inject and counts[m.message_id])

    by_kind: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for (kind, outcome), n in sorted(outcomes.items()):
        by_kind[kind][outcome] = n
    print("\n[reliability] hostile: " + json.dumps({
        "messages": COUNT, "shards": SHARDS, "generate_s": round(generated, 1),
        "check_s": round(time.monotonic() - t_check, 1), "append_s": round(appended, 1), "poll_s": round(polled, 1),
        "poll_s_per_shard": [t for _, _, t in finished], "shard_sizes": sizes,
        "replies": len(smtp.messages), "injection_attempts": injections,
        "injection_attempts_answered": answered_injections, "outcomes_by_kind": by_kind}, ensure_ascii=False))


def test_mail_without_a_sender_address_goes_to_review_not_into_the_registry(tmp_path, imap_mailbox, smtp):
    """Three registrations nobody signed: no header at all, only a Subject, a
    From with a name but no address. There is nobody to register or answer:
    each goes to review with a reason and the registry stays empty (no
    attendee without a name and address, no sessions merged across them)."""
    raws = [
        b"Graag meld ik mij aan voor de Sociale Pijler.\r\n\r\nMet vriendelijke groet\r\n",
        b"Subject: aanmelding\r\n\r\nGraag meld ik mij aan voor het Algemeen Bestuur.\r\n",
        b"Message-ID: <noaddr-3@junk.example>\r\nFrom: Alleen Een Naam\r\nSubject: aanmelding\r\n\r\n"
        b"Graag meld ik mij aan voor de netwerkborrel.\r\n",
    ]
    faultkit.append_all(imap_mailbox, raws)
    bot = faultkit.make_bot(tmp_path, imap=imap_mailbox, smtp=smtp)
    bot.poll()
    state = bot.export()
    outcomes = [o for (o,) in faultkit.query(bot, "SELECT outcome FROM inbound_message ORDER BY uid")]
    print("\n  attendees:", [(a["name"], a["email"], a["status"], a["sessions"]) for a in state["attendees"]],
          "\n  outcomes:", outcomes, "\n  review:", [r["reason"] for r in state["review"]])
    assert smtp.messages == []
    assert state["attendees"] == []
    assert outcomes == ["review"] * 3
    assert len({r["message_id"] for r in state["review"]}) == 3
