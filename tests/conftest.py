"""Shared pytest fixtures.  The real-server code lives in tests/servers.py."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# tests/servers.py is imported as the top-level module "servers" whatever
# pytest's import mode or whether tests/ becomes a package.
_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

import servers  # noqa: E402

_SERVER_FIXTURES = {"dovecot", "smtp_server", "smtp", "imap_mailbox"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that use a real server get the "servers" marker (-m "not servers").
    for item in items:
        if _SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[servers.DovecotServer]:
    """Session-wide private Dovecot (IMAP) on 127.0.0.1; default user bot/secret."""
    if servers.find_dovecot() is None and os.geteuid() != 0:
        pytest.skip("dovecot is not installed and we are not root to run scripts/ensure-dovecot.sh")
    binary = servers.ensure_dovecot()  # installs it (as root) if missing
    # Not pytest's tmp_path: /tmp/pytest-of-root is 0700, the dovecot users
    # could not reach the maildirs under it.
    workdir = servers.make_workdir("mailbot-dovecot-")
    server = servers.DovecotServer(workdir, binary=binary)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.SmtpServer]:
    """Session-wide aiosmtpd on 127.0.0.1: STARTTLS + AUTH (bot/secret) required."""
    server = servers.start_smtp(tmp_path_factory.mktemp("smtp"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp(smtp_server: servers.SmtpServer) -> servers.SmtpServer:
    """The session SMTP server, running, with no messages and no failure modes."""
    smtp_server.ensure_running()
    smtp_server.reset()
    return smtp_server


@pytest.fixture
def imap_mailbox(dovecot: servers.DovecotServer) -> servers.ImapMailbox:
    """A new uniquely named user (u0001, u0002, ...) with an empty INBOX,
    on the (running) session Dovecot."""
    dovecot.ensure_running()
    return dovecot.new_mailbox()
