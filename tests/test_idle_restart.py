"""The IMAP server restarting under the IDLE watcher (issue 14, item 2).

imapclient's idle_check() swallows the end of the connection and returns an
empty list, so a watcher that only looks at what idle_check returns never
learns that its server went away: it calls idle_check again at once, for
ever, spinning one core, and push is gone until the 28-minute IDLE renewal.

End to end: `mailbot run` with a 60 s poll interval (only push can answer
within seconds) while Dovecot is stopped cleanly or SIGKILLed, kept down 5 s
(the bot's CPU time is measured meanwhile) and started again. Unit level: the
watcher against a scripted one-connection IMAP server that ends the
connection during IDLE (EOF, or BYE then EOF), a live connection that
wakes up without a line, and the reconnect backoff.
The figures (pytest -s) are in docs/reliability.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import botrun
import faultkit
import pytest
import servers
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailbot.mail import idle as idle_mod
from mailbot.mail.idle import IdleWatcher

POLL_INTERVAL = 60  # seconds: a reply answered much sooner than this came by push
OUTAGE = 5.0  # seconds Dovecot stays down
REPLY_BOUND = 15.0  # seconds from Dovecot's restart to the reply at the SMTP server
CPU_BOUND = 0.5  # seconds of CPU the bot may use while Dovecot is down


@pytest.fixture(scope="module")
def titled_dovecot() -> Iterator[servers.DovecotServer]:
    """A Dovecot of this module's own whose processes show their connection's
    state in their title (verbose_proctitle: "imap [u0001 127.0.0.1 IDLE]"),
    so a test can see when the bot's watcher is in IDLE. Stopping it leaves the
    session's Dovecot to the other tests."""
    if servers.find_dovecot() is None and os.geteuid() != 0:
        pytest.skip("dovecot is not installed and we are not root to run scripts/ensure-dovecot.sh")
    workdir = servers.make_workdir("mailbot-idle-")
    server = servers.DovecotServer(workdir, binary=servers.ensure_dovecot())
    server.conf_path.write_text(server.conf_path.read_text() + "verbose_proctitle = yes\n")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far, all its threads (/proc/PID/stat)."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")  # fields 14, 15


def group_titles(pgid: int) -> list[str]:
    """The titles (command lines) of the live processes in process group `pgid`; zombies left out."""
    titles = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                titles.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, IndexError, ValueError):  # the process ended meanwhile
            continue
    return titles


def _answered(smtp, mid: str):
    return lambda: faultkit.in_reply_to_counts(smtp)[mid] >= 1


@pytest.mark.servers
@pytest.mark.slow
@pytest.mark.parametrize("how", ["stop", "kill"])
def test_push_resumes_after_dovecot_restart_without_spinning(tmp_path, titled_dovecot, smtp, how):
    """Dovecot stopped (`stop`: SIGTERM, it says BYE; `kill`: SIGKILL of its
    process group, connections cut) while the bot's watcher is in IDLE, kept
    down 5 s once all its processes are gone, started again, and a reply
    APPENDed. The reply is answered within 15 s of the restart (the poll would
    take up to 60 s), the bot used under 0.5 s of CPU while the server was
    away, and each of the three replies was answered exactly once."""
    dovecot = titled_dovecot
    mailbox = dovecot.new_mailbox()
    in_idle = f"/imap [{mailbox.user} {dovecot.host} IDLE]"
    raws = faultkit.registrations(3, seed=14)
    mids = botrun.message_ids(raws)
    bot = faultkit.make_bot(tmp_path, imap=mailbox, smtp=smtp, poll_interval=POLL_INTERVAL)
    run = faultkit.Running.start(bot)
    try:
        faultkit.wait_until(lambda: "running:" in run.stderr, 60, what="`mailbot run` started")
        # answered by the first poll or by the watcher's first poll, whichever comes first
        mailbox.append("INBOX", raws[0])
        faultkit.wait_until(_answered(smtp, mids[0]), 60, 0.05, "first reply answered")
        # the start-up polls are over: only IDLE can answer this one before the next poll
        mailbox.append("INBOX", raws[1])
        pushed = faultkit.wait_until(_answered(smtp, mids[1]), REPLY_BOUND, 0.05, "reply pushed before the outage")
        # the watcher polls, acknowledges and only then idles again: stop the server under the IDLE
        faultkit.wait_until(lambda: any(in_idle in t for t in group_titles(dovecot.pid)), 30, 0.05,
                            "the watcher back in IDLE")

        pgid, stopping = dovecot.pid, time.monotonic()
        dovecot.stop(graceful=how == "stop")  # returns when the master is gone and its ports are closed
        # a clean stop's imap processes linger a few seconds before they say BYE and close
        faultkit.wait_until(lambda: not group_titles(pgid), 30, 0.05, "all of Dovecot's processes gone")
        cpu_down, down = cpu_seconds(run.proc.pid), time.monotonic()
        time.sleep(OUTAGE)  # the deliberate outage
        cpu_used = cpu_seconds(run.proc.pid) - cpu_down
        outage = time.monotonic() - down
        assert run.alive, run.stderr
        dovecot.start()
        up = time.monotonic()
        mailbox.append("INBOX", raws[2])
        appended = time.monotonic()
        # waited for beyond the bound, so a failing run still tells how long the reply took
        faultkit.wait_until(_answered(smtp, mids[2]), POLL_INTERVAL + 30, 0.05, "reply after the restart")
        since_restart, since_append = time.monotonic() - up, time.monotonic() - appended
        assert run.alive, run.stderr
        # SIGTERM only once the bot is quiet (reply acknowledged, watcher in IDLE): a SIGTERM that
        # arrives while the bot is sending may go unnoticed for up to a minute (docs/reliability.md).
        # Not reached when push is broken; the assertions below say so more clearly.
        with contextlib.suppress(AssertionError):
            faultkit.wait_until(lambda: faultkit.folder_count(mailbox) == 0, 30, 0.05, "INBOX emptied")
            faultkit.wait_until(lambda: any(in_idle in t for t in group_titles(dovecot.pid)), 30, 0.05,
                                "the watcher in IDLE again")
    except BaseException:
        print(run.stderr[-6000:])  # the bot's log, shown by pytest with the failure
        raise
    finally:
        dovecot.ensure_running()  # for the next test of this module
        code = run.stop()  # lets a poll in flight finish: nothing is still on its way below

    counts = faultkit.in_reply_to_counts(smtp)
    figures = {"how": how, "push_before_s": round(pushed, 2), "stop_s": round(down - stopping, 1),
               "outage_s": round(outage, 1), "cpu_while_down_s": round(cpu_used, 2),
               "reply_after_restart_s": round(since_restart, 2), "reply_after_append_s": round(since_append, 2),
               "idle_reconnect_warnings": run.stderr.count("IDLE connection lost"),
               "lost": sum(counts[m] == 0 for m in mids), "duplicates": sum(max(0, c - 1) for c in counts.values())}
    print(f"\n[reliability] idle-restart: {json.dumps(figures)}")
    assert "Traceback" not in run.stderr, run.stderr[-4000:]
    assert code == 0, f"mailbot run exited {code} on SIGTERM\n{run.stderr[-3000:]}"
    assert dict(counts) == dict.fromkeys(mids, 1), "lost, answered twice or unknown replies"
    assert cpu_used < CPU_BOUND, f"{cpu_used:.2f} s of CPU in {outage:.1f} s without a server: spinning ({figures})"
    assert since_restart < REPLY_BOUND, f"push did not resume: {figures}"


# -- unit level: a scripted server that ends the connection during IDLE ----------------------


class ScriptedImap:
    """A one-connection IMAP server on loopback that speaks just enough for the
    watcher (CAPABILITY, NOOP, IDLE, DONE, LOGOUT). At the first IDLE it ends
    the connection as `ending` says: "eof" closes it (a killed server), "bye"
    says BYE first (a server shutting down)."""

    def __init__(self, ending: str) -> None:
        self.ending = ending
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(10)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        conn.settimeout(10)
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n")
            for line in lines:
                tag, command = (line.split() + [b""])[:2]
                command = command.upper()
                if command == b"CAPABILITY":
                    conn.sendall(b"* CAPABILITY IMAP4rev1 IDLE\r\n" + tag + b" OK done\r\n")
                elif command == b"NOOP":
                    conn.sendall(tag + b" OK done\r\n")
                elif command == b"IDLE":
                    conn.sendall(b"+ idling\r\n")
                    if self.ending == "bye":
                        conn.sendall(b"* BYE Server shutting down.\r\n")
                    conn.shutdown(socket.SHUT_RDWR)
                    return
                else:
                    conn.sendall(tag + b" BAD unexpected\r\n")

    def close(self) -> None:
        self.listener.close()
        self.thread.join(5)


class CountingClient(IMAPClient):
    """An IMAPClient that counts its idle_check calls."""

    checks = 0

    def idle_check(self, timeout=None):
        self.checks += 1
        return super().idle_check(timeout)


@pytest.mark.parametrize("ending", ["eof", "bye"])
def test_idle_notices_a_connection_the_server_ended(ending):
    """The watcher's IDLE loop raises within a second or two of the server
    ending the connection, after a handful of idle_check calls. (The old loop
    called idle_check thousands of times a second until it was stopped;
    the timer below stops it after 3 s so that the test ends either way.)"""
    server = ScriptedImap(ending)
    client = CountingClient("127.0.0.1", port=server.port, ssl=False, timeout=5)
    watcher = IdleWatcher(None, on_new=lambda: None)  # type: ignore[arg-type]
    timer = threading.Timer(3.0, watcher.stop)
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises((IMAPClientError, OSError)):
            watcher._idle(client)
        took = time.monotonic() - t0
    finally:
        timer.cancel()
        server.close()
        with contextlib.suppress(Exception):
            client.shutdown()
    assert client.checks <= 3 and took < 2.0, f"{client.checks} idle_check calls in {took:.2f} s"


class SilentLiveClient:
    """A connection that is alive (DONE and NOOP answer) but wakes up from
    every idle_check at once with nothing: the watcher must not turn that
    into a busy loop either."""

    def __init__(self) -> None:
        self.idles = 0

    def noop(self):
        return b"NOOP completed", []

    def idle(self):
        self.idles += 1

    def idle_check(self, timeout=None):
        return []

    def idle_done(self):
        return b"Idle completed", []


def test_a_live_connection_that_wakes_silently_does_not_spin():
    client = SilentLiveClient()
    watcher = IdleWatcher(None, on_new=lambda: None)  # type: ignore[arg-type]
    timer = threading.Timer(2.5, watcher.stop)
    timer.start()
    cpu0 = time.thread_time()
    watcher._idle(client)  # type: ignore[arg-type]
    timer.join()
    cpu = time.thread_time() - cpu0
    assert client.idles <= 4 and cpu < 0.2, f"{client.idles} IDLE commands, {cpu:.2f} s CPU in 2.5 s"


class RecordedWaits(threading.Event):
    """The watcher's stop flag, recording each wait instead of waiting; stops after `limit` waits."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.waits: list[float] = []
        self.limit = limit

    def wait(self, timeout=None) -> bool:
        self.waits.append(timeout)
        if len(self.waits) >= self.limit:
            self.set()
        return self.is_set()


def test_reconnects_back_off_exponentially_while_the_server_is_down(monkeypatch):
    """Connection refused again and again: the waits grow as backoff_seconds
    (base 2 s, doubling, capped at 300 s, never under 1 s), never a busy loop."""
    watcher = IdleWatcher(None, on_new=lambda: None)  # type: ignore[arg-type]
    watcher.stopping = RecordedWaits(limit=12)

    def refused():
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(watcher, "_connect", refused)
    monkeypatch.setattr(idle_mod.random, "random", lambda: 1.0 - 1e-9)  # the longest of each jittered wait
    watcher.run()
    waits = watcher.stopping.waits
    assert len(waits) == 12
    assert [round(w) for w in waits] == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300]
    monkeypatch.setattr(idle_mod.random, "random", lambda: 0.0)  # the shortest
    watcher.stopping = RecordedWaits(limit=3)
    watcher.failures = 0
    watcher.run()
    assert watcher.stopping.waits == [1.0, 2.0, 4.0]
