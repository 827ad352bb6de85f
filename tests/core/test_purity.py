"""The core stays pure: no I/O libraries, no shell modules, no clock, files or environment.

Every module under mailbot/core/ is read with ast (never imported, so a broken
module still gets a precise message). Imports must come from the standard
library, mailbot.core itself, or a short allow-list of pure third-party
parsers; calls that reach the outside world are refused.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "mailbot" / "core"
MODULES = sorted(CORE.rglob("*.py"))

# Pure third-party libraries the core may use: parsing and string matching only.
ALLOWED_THIRD_PARTY = frozenset({
    "rapidfuzz",  # typo-tolerant session names
    "inscriptis",  # HTML to text
    "lxml",  # the HTML tree inscriptis renders (a dependency of inscriptis)
    "tnefparse",  # winmail.dat
    "icalendar",  # calendar replies
    "flufl",  # flufl.bounce: bounce detection
    "wordfreq",  # how common a Dutch word is: which description words name a session
})
# Named explicitly so that the message says why, whatever the allow-list becomes.
FORBIDDEN = frozenset({
    "imapclient", "aiosmtplib", "smtplib", "imaplib", "sqlmodel", "sqlalchemy", "alembic", "apscheduler",
    "jinja2", "click", "socket", "ssl", "subprocess", "requests", "httpx", "urllib", "asyncio",
    "mailbot.db", "mailbot.service", "mailbot.mail", "mailbot.config", "mailbot.store", "mailbot.cli",
    "mailbot.scheduler", "mailbot.jobs", "mailbot.failpoints", "mailbot.explain",
})
STDLIB_IMPURE = frozenset({"os", "shutil", "pathlib", "tempfile", "glob", "io", "logging", "random", "secrets"})


def _module_id(path: Path) -> str:
    return str(path.relative_to(CORE.parents[1]))


def _imports(tree: ast.AST, path: Path) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pkg = ".".join(path.relative_to(CORE.parents[1]).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the package
                base = pkg.split(".")
                base = base[:len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            out.append((node.lineno, name))
            if name == "mailbot":  # "from mailbot import db"
                out.extend((node.lineno, f"mailbot.{a.name}") for a in node.names)
    return out


def _is_forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def _allowed(name: str) -> bool:
    top = name.split(".")[0]
    if _is_forbidden(name):
        return False
    if name == "mailbot.core" or name.startswith("mailbot.core."):
        return True
    if top == "__future__":
        return True
    if top in sys.stdlib_module_names:
        return top not in STDLIB_IMPURE
    return top in ALLOWED_THIRD_PARTY


def test_there_are_core_modules() -> None:
    names = {p.stem for p in MODULES}
    assert {"fold", "sessions", "people", "municipality", "intent", "understand", "decide", "types"} <= names


@pytest.mark.parametrize("path", MODULES, ids=_module_id)
def test_imports_are_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"line {line}: import {name}" for line, name in _imports(tree, path) if not _allowed(name)]
    assert not bad, f"{_module_id(path)} imports outside the pure core: " + "; ".join(bad)


def _dotted(node: ast.AST) -> str:
    """"datetime.now" for datetime.now, "datetime.datetime.now" for the long form, "" otherwise."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


IMPURE_CALLS = {
    "open": "opens a file",
    "input": "reads the terminal",
    "print": "writes to stdout",
    "datetime.now": "reads the clock",
    "datetime.utcnow": "reads the clock",
    "datetime.today": "reads the clock",
    "datetime.datetime.now": "reads the clock",
    "datetime.datetime.utcnow": "reads the clock",
    "date.today": "reads the clock",
    "datetime.date.today": "reads the clock",
    "time.time": "reads the clock",
    "time.monotonic": "reads the clock",
    "time.perf_counter": "reads the clock",
    "time.sleep": "waits",
    "os.getenv": "reads the environment",
    "os.system": "runs a program",
    "uuid.uuid1": "reads the clock and the host",
    "uuid.uuid4": "is random",
}


FILE_METHODS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "unlink", "mkdir", "iterdir"})


def _impure(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in IMPURE_CALLS:
                found.append(f"line {node.lineno}: {name}() {IMPURE_CALLS[name]}")
            elif isinstance(node.func, ast.Attribute) and node.func.attr in FILE_METHODS:
                found.append(f"line {node.lineno}: .{node.func.attr}() touches a file")
        elif isinstance(node, ast.Attribute) and _dotted(node) in ("os.environ", "os.environb"):
            found.append(f"line {node.lineno}: {_dotted(node)} reads the environment")
        elif isinstance(node, ast.Name) and node.id == "environ" and isinstance(node.ctx, ast.Load):
            found.append(f"line {node.lineno}: environ reads the environment")
    return found


@pytest.mark.parametrize("path", MODULES, ids=_module_id)
def test_no_clock_files_or_environment(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = _impure(tree)
    assert not bad, f"{_module_id(path)} is not pure: " + "; ".join(bad)


# --- the checker itself ------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "pure"),
    [
        ("import re\nfrom dataclasses import dataclass", True),
        ("from mailbot.core.fold import fold", True),
        ("from rapidfuzz.fuzz import ratio", True),
        ("from flufl.bounce import all_failures", True),
        ("import imapclient", False),
        ("from sqlmodel import Session", False),
        ("from sqlalchemy.engine import Engine", False),
        ("import jinja2", False),
        ("from apscheduler.schedulers.blocking import BlockingScheduler", False),
        ("from mailbot import db", False),
        ("from mailbot.service import process", False),
        ("from mailbot.mail.smtp import SmtpSender", False),
        ("from mailbot.config import load", False),
        ("import os", False),
        ("import requests", False),
        ("def f():\n    import aiosmtplib", False),  # imports inside functions count too
    ],
)
def test_import_checker(source: str, pure: bool) -> None:
    path = CORE / "example.py"
    names = [n for _, n in _imports(ast.parse(source), path)]
    assert all(_allowed(n) for n in names) is pure


@pytest.mark.parametrize(
    ("source", "pure"),
    [
        ("x = fold('a')", True),
        ("d.replace(tzinfo=None)", True),
        ("open('x')", False),
        ("datetime.now()", False),
        ("datetime.datetime.now(tz)", False),
        ("date.today()", False),
        ("time.time()", False),
        ("os.environ['HOME']", False),
        ("os.environ.get('X')", False),
        ("os.getenv('X')", False),
        ("Path('x').read_text()", False),
    ],
)
def test_call_checker(source: str, pure: bool) -> None:
    assert (not _impure(ast.parse(source))) is pure
