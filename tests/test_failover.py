"""Two `mailbot run` instances on one PostgreSQL database and one mailbox; the leader
is SIGKILLed while replies are arriving and the other instance takes over.

What staff and invitees must never see: a reply handled twice, a confirmation
or a reminder sent twice, or a reply left unanswered because an instance died.

Setup: a private Dovecot (IMAP, STARTTLS with the test CA), the aiosmtpd sink
(STARTTLS + AUTH) and a private PostgreSQL; both instances use the same config
(poll_interval 1 s, the database URL in an environment variable) and start
one after the other. 300 registration replies are APPENDed over about 10 s; when half of
them are in and the leader has handled some, the leader is SIGKILLed. A
reminder is due 20 s after the start (real clock, Europe/Amsterdam).

Measured and printed (`pytest -s`): the lock takeover time (kill -> the other
instance holds the leader lock), the service takeover time (kill -> the first
reply recorded by the new leader), messages handled twice and mails sent
twice. docs/scaling.md quotes these figures.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import email
import email.policy
import email.utils
import json
import os
import random
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import botrun
import faultkit
import pg
import pytest
from sqlalchemy import text

from mailbot import db, leader

pytestmark = [pytest.mark.slow, pytest.mark.servers]

N = 300
APPEND_SECONDS = 10.0
URL_ENV = "MAILBOT_TEST_DATABASE_URL"
TZ = ZoneInfo("Europe/Amsterdam")
REMINDER_ID = "failover-reminder"
DONE_TIMEOUT = 240.0  # seconds for everything to be handled and sent after the last APPEND
INVITATION_ID = "<failover-invitation@G32.nl>"

SLOTS = [
    ["Mensen tussen wal en schip", "jeugd en onderwijs"],
    ["Financiën", "de themagroep Ondernemerschap", "Statushouders"],
    ["Regionale samenwerking"],
    ["Veiligheid", "de Sociale Pijler", "de Fysieke Pijler"],
    ["het Algemeen Bestuur"],
    ["de netwerkborrel"],
]


@pytest.fixture(scope="session")
def postgres():
    yield from pg.server_for_tests()


# -- the mail ---------------------------------------------------------------------------


def replies(n: int, *, seed: int = 7) -> list[bytes]:
    """`n` registration replies from the invitees (each invitee in turn, so nobody comes
    near the reply cap), one to three sessions in different time slots, unique Message-IDs."""
    rng = random.Random(seed)
    with (botrun.REPO / "rules" / "invitees.csv").open(encoding="utf-8") as fh:
        people = [(r["name"], r["email"]) for r in csv.DictReader(fh)]
    out = []
    now = datetime.now(UTC)
    for i in range(n):
        name, addr = people[i % len(people)]
        names = [rng.choice(slot) for slot in rng.sample(SLOTS, rng.randint(1, 3))]
        sessions = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
        msg = EmailMessage()
        msg["From"] = email.utils.formataddr((name, addr))
        msg["To"] = "G32 <info@G32.nl>"
        msg["Subject"] = "RE: Uitnodiging G32 netwerkdag 30 november"
        msg["Date"] = email.utils.format_datetime(now)
        msg["Message-ID"] = f"<failover{i:04d}.{rng.getrandbits(32):08x}@{addr.split('@')[1]}>"
        msg["In-Reply-To"] = INVITATION_ID
        msg["References"] = INVITATION_ID
        msg.set_content(f"Beste organisatie,\n\nGraag meld ik mij aan voor {sessions}.\n\n"
                        f"Met vriendelijke groet,\n\n{name}\n")
        out.append(msg.as_bytes(policy=email.policy.SMTP))
    return out


def message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]).strip()


class Appender(threading.Thread):
    """APPENDs the replies to INBOX over one connection, spread over `seconds`."""

    def __init__(self, mailbox, raws: list[bytes], seconds: float) -> None:
        super().__init__(name="appender", daemon=True)
        self.mailbox, self.raws, self.seconds = mailbox, raws, seconds
        self.appended = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            client = self.mailbox.connect()
            try:
                t0 = time.monotonic()
                for i, raw in enumerate(self.raws):
                    delay = t0 + i * self.seconds / len(self.raws) - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    client.append("INBOX", raw)
                    self.appended = i + 1
            finally:
                with contextlib.suppress(Exception):
                    client.logout()
        except BaseException as e:  # noqa: BLE001 (reported by the test)
            self.error = e


# -- the instances --------------------------------------------------------------------


class Instance:
    """One `mailbot --config C --storage S run` (real clock), stderr to a log file."""

    def __init__(self, name: str, config: Path, storage: Path, env: dict[str, str], logdir: Path) -> None:
        self.name = name
        self.log_path = logdir / f"{name}.log"
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("MAILBOT_FAILPOINT", botrun.IMAP_PW_ENV, botrun.SMTP_PW_ENV, URL_ENV)}
        full_env.update(env)
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [str(botrun.MAILBOT), "--config", str(config), "--storage", str(storage), "run"],
            env=full_env, cwd=botrun.REPO, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 60.0) -> int | None:
        faultkit.terminate(self.proc, timeout)
        self._log.close()
        return self.proc.returncode

    def log(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:]


def config_text(imap_mailbox, smtp, reminder_at: datetime) -> str:
    text_ = botrun.config_text(imap=imap_mailbox, smtp=smtp)
    for old, new in (("poll_interval = 60 ", "poll_interval = 1 "),
                     ('# database_url_env = "MAILBOT_DATABASE_URL"', f'database_url_env = "{URL_ENV}"')):
        assert old in text_, f"shipped config no longer has {old!r}"
        text_ = text_.replace(old, new, 1)
    return text_ + (f'\n[[reminders]]\nid = "{REMINDER_ID}"\n'
                    f'at = "{reminder_at.astimezone(TZ).strftime("%Y-%m-%dT%H:%M:%S")}"\n'
                    'audience = "registered"\ntemplate = "reminder_registered"\n')


def wait_for(predicate, timeout: float, what: str, interval: float = 0.02):
    t0 = time.monotonic()
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def test_leader_killed_midway_every_reply_handled_and_answered_once(tmp_path, imap_mailbox, smtp, postgres):
    url = postgres.create_database("failover")
    engine = db.make_engine(url)
    start = datetime.now(UTC)
    reminder_at = start + timedelta(seconds=20)
    config = botrun.write_config(tmp_path / "etc", config_text(imap_mailbox, smtp, reminder_at))
    env = {botrun.IMAP_PW_ENV: imap_mailbox.password, botrun.SMTP_PW_ENV: smtp.password, URL_ENV: url}
    raws = replies(N)
    sent_ids = [message_id(r) for r in raws]
    assert len(set(sent_ids)) == N

    def scalar(sql: str, **params):
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def leader_pid() -> int | None:
        try:
            name = leader.current_leader(engine)
        except Exception:  # noqa: BLE001 (tables or server not ready yet)
            return None
        return int(name.rsplit(":", 1)[1]) if name else None

    def electors() -> int:
        return scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'mailbot-leader %'")

    # One after the other: two instances starting on an empty database at the same moment
    # both load the invitee list into it, and one exits (see docs/scaling.md).
    instances = [Instance("a", config, tmp_path / "storage-a", env, tmp_path)]
    appender = Appender(imap_mailbox, raws, APPEND_SECONDS)
    figures: dict[str, object] = {}
    try:
        pid = wait_for(leader_pid, 60, "a leader elected")
        instances.append(Instance("b", config, tmp_path / "storage-b", env, tmp_path))
        wait_for(lambda: electors() == 2 or not instances[1].alive, 60, "the second instance standing by")
        assert all(i.alive for i in instances), {i.name: i.log() for i in instances}
        first = next(i for i in instances if i.pid == pid)
        other = next(i for i in instances if i is not first)
        appender.start()
        # midway: half the replies are in and the leader has handled some of them
        wait_for(lambda: appender.appended >= N // 2 and scalar("SELECT count(*) FROM inbound_message") >= 20,
                 60, "the leader handling replies")
        handled_at_kill = scalar("SELECT count(*) FROM inbound_message")
        sent_at_kill, appended_at_kill = len(smtp.messages), appender.appended
        assert other.alive, other.log()
        kill_wall = datetime.now(UTC)
        t_kill = time.monotonic()
        first.kill()
        wait_for(lambda: leader_pid() == other.pid, 30, "the other instance taking the lock", interval=0.005)
        figures["lock_takeover_s"] = round(time.monotonic() - t_kill, 3)
        wait_for(lambda: scalar("SELECT count(*) FROM inbound_message WHERE received_at > :t", t=kill_wall),
                 60, "the new leader recording a reply", interval=0.01)
        figures["service_takeover_s"] = round(time.monotonic() - t_kill, 3)
        figures.update(appended_at_kill=appended_at_kill, handled_at_kill=handled_at_kill,
                       smtp_at_kill=sent_at_kill)
        appender.join(APPEND_SECONDS + 60)
        assert appender.error is None, appender.error
        assert appender.appended == N

        # everything handled, sent, and the reminder run
        def settled() -> bool:
            return (scalar("SELECT count(*) FROM inbound_message") == N
                    and scalar("SELECT count(*) FROM outbox WHERE status = 'queued'") == 0
                    and scalar("SELECT count(*) FROM job_run WHERE job = 'reminder' AND slot = :s", s=REMINDER_ID) == 1
                    # nothing queued: every mail recorded sent; the SMTP server may hold one more,
                    # when the kill hit a send window (at-least-once, asserted below)
                    and 0 <= len(smtp.messages) - scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") <= 1)

        wait_for(settled, DONE_TIMEOUT, "all replies handled, all mail sent, the reminder run", interval=0.5)
        figures["all_done_after_kill_s"] = round(time.monotonic() - t_kill, 1)
        time.sleep(3)  # a straggler send would show now
        assert other.alive, other.log()
    finally:
        for inst in instances:
            inst.stop()
        logs = {inst.name: inst.log() for inst in instances}

    # -- every reply handled once ---------------------------------------------------
    with engine.connect() as conn:
        inbound = [r[0] for r in conn.execute(text("SELECT message_id FROM inbound_message"))]
        outbox = [dict(r._mapping) for r in conn.execute(text(
            'SELECT message_id, kind, "to", in_reply_to, dedupe, status FROM outbox ORDER BY id'))]
        job_runs = [tuple(r) for r in conn.execute(text("SELECT job, slot FROM job_run"))]
    engine.dispose()
    dup_inbound = [m for m, c in collections.Counter(inbound).items() if c > 1]
    assert len(inbound) == N and set(inbound) == set(sent_ids) and not dup_inbound

    # -- every mail sent once ---------------------------------------------------------
    received = [m.message for m in smtp.messages]
    by_mid = collections.Counter(str(m["Message-ID"]).strip() for m in received)
    twice = {m: c for m, c in by_mid.items() if c > 1}
    unknown = set(by_mid) - {o["message_id"] for o in outbox}
    assert not unknown, f"mail sent that is not in the outbox: {unknown}"
    assert all(o["status"] == "sent" for o in outbox), [o for o in outbox if o["status"] != "sent"]
    assert set(by_mid) == {o["message_id"] for o in outbox}
    answers = [o for o in outbox if o["in_reply_to"]]
    per_reply = collections.Counter(str(m["In-Reply-To"]).strip() for m in received if m["In-Reply-To"])
    assert {o["in_reply_to"] for o in answers} <= set(sent_ids)
    not_once = {o["in_reply_to"]: per_reply[o["in_reply_to"]] for o in answers if per_reply[o["in_reply_to"]] != 1}
    reminders = [o for o in outbox if o["kind"] == "reminder"]
    recipients = collections.Counter(tuple(json.loads(o["to"])) for o in reminders)
    figures.update(replies=N, inbound_rows=len(inbound), messages_handled_twice=len(dup_inbound),
                   answers_queued=len(answers), smtp_messages=len(received),
                   mails_sent_twice=len(twice), reminders=len(reminders),
                   digests=sum(o["kind"] == "digest" for o in outbox))
    print("\nfailover figures: " + json.dumps(figures))
    # a kill exactly between the SMTP server's acceptance and the commit of "sent" can
    # repeat the one mail that was in flight (at-least-once delivery); never more
    assert len(twice) <= 1, f"mails sent more than once: {twice}\n{logs}"
    if twice:
        print(f"NOTE: one mail sent twice (the kill hit its send window): {twice}")
    assert len(answers) >= N * 0.9, f"only {len(answers)} of {N} replies answered"
    assert len(not_once) <= len(twice), f"replies not answered exactly once: {not_once}"

    # -- the reminder once ----------------------------------------------------------------
    assert job_runs.count(("reminder", REMINDER_ID)) == 1
    assert reminders and all(c == 1 for c in recipients.values()), recipients
    assert len({o["dedupe"] for o in reminders}) == len(reminders)
    assert sum(1 for j, _s in job_runs if j == "digest") <= 1
    assert "Traceback" not in logs[other.name], logs[other.name]


def test_a_stopped_leader_hands_over_at_once(tmp_path, postgres):
    """SIGTERM (systemctl stop, a deploy): the leader finishes, exits 0 and releases the
    lock; the other instance leads within about a second."""
    url = postgres.create_database("handover")
    engine = db.make_engine(url)
    text_ = botrun.SHIPPED_CONFIG.read_text(encoding="utf-8").replace(
        '# database_url_env = "MAILBOT_DATABASE_URL"', f'database_url_env = "{URL_ENV}"').replace(
        "poll_interval = 60 ", "poll_interval = 1 ")
    config = botrun.write_config(tmp_path / "etc", text_)

    def leader_pid() -> int | None:
        try:
            name = leader.current_leader(engine)
        except Exception:  # noqa: BLE001 (tables not there yet)
            return None
        return int(name.rsplit(":", 1)[1]) if name else None

    a = Instance("a", config, tmp_path / "storage-a", {URL_ENV: url}, tmp_path)
    b = None
    try:
        assert wait_for(leader_pid, 60, "a leader elected") == a.pid
        b = Instance("b", config, tmp_path / "storage-b", {URL_ENV: url}, tmp_path)
        wait_for(lambda: "standing by" in b.log() or not b.alive, 60, "the second instance standing by", 0.1)
        assert b.alive, b.log()
        t0 = time.monotonic()
        a.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: leader_pid() == b.pid, 10, "the other instance leading", interval=0.005)
        handover = time.monotonic() - t0
        assert (leader.holder(engine) or "").endswith(f":{b.pid}")  # what `mailbot status` shows
        assert a.proc.wait(timeout=30) == 0, a.log()
        print(f"\nhandover after SIGTERM: {handover:.3f} s")
        assert handover < 3
        assert "leadership released" in a.log()
        # the lock row is visible a moment before the new leader's log line is written
        wait_for(lambda: "leader now" in b.log(), 10, "the new leader saying so in its log", 0.02)
    finally:
        a.stop()
        if b is not None:
            b.stop()
        engine.dispose()
