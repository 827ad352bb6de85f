"""Every message of the corpus cases classifies as its case says (contract rules 12, 19, 26)."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from mailbot.core.classify import classify

ROOT = Path(__file__).resolve().parents[2]
SHARED_CASES = ROOT.parent / "shared" / "corpus" / "cases"

OWN = frozenset({"info@g32.nl"})
TRUSTED = frozenset({"mx1.g32.nl"})
OWN_DOMAINS = frozenset({"g32.nl"})

# Case number -> (kind, failed addresses); every other case up to LAST_KNOWN is a person's mail.
AUTOMATIC = {
    52: ("bulk", ()),
    54: ("loop", ()),
    55: ("auto-reply", ()),
    56: ("auto-reply", ()),
    57: ("auto-reply", ()),
    58: ("bounce", ("s.oosterhuis@almere.nl",)),
    59: ("receipt", ()),
}
LAST_KNOWN = 60


def _cases_dir() -> Path | None:
    """The project's copy of the corpus (tests/corpus) when present, else the shared one."""
    for candidate in (ROOT / "tests" / "corpus" / "cases", ROOT / "tests" / "corpus", SHARED_CASES):
        if candidate.is_dir() and any(
            p.is_dir() and re.match(r"\d{3}-", p.name) for p in candidate.iterdir()
        ):
            return candidate
    return None


CASES = _cases_dir()
MESSAGES = (
    sorted(
        (case, eml)
        for case in CASES.iterdir()
        if case.is_dir() and re.match(r"\d{3}-", case.name)
        for eml in case.glob("*.eml")
    )
    if CASES
    else []
)

pytestmark = pytest.mark.skipif(CASES is None, reason="no corpus cases directory found")


@pytest.mark.parametrize(
    ("case", "eml"), MESSAGES, ids=[f"{c.name[:3]}/{e.name}" for c, e in MESSAGES]
)
def test_corpus_message(case: Path, eml: Path) -> None:
    number = int(case.name[:3])
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    result = classify(
        msg, own_addresses=OWN, trusted_authserv_ids=TRUSTED, own_message_id_domains=OWN_DOMAINS
    )
    if number > LAST_KNOWN:
        pytest.skip("case added after this table was written: only checked not to raise")
    kind, failed = AUTOMATIC.get(number, ("human", ()))
    assert result.kind == kind, f"{case.name}/{eml.name}: {result}"
    assert result.failed_addresses == failed


def test_all_known_cases_present() -> None:
    numbers = {int(c.name[:3]) for c, _ in MESSAGES}
    assert set(range(1, LAST_KNOWN + 1)) <= numbers


def test_out_of_office_dates() -> None:
    expected = {55: "2017-11-10", 56: "2017-11-06", 57: "2017-11-12"}
    for case, eml in MESSAGES:
        number = int(case.name[:3])
        if number in expected:
            msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            result = classify(msg, own_addresses=OWN, trusted_authserv_ids=TRUSTED)
            assert result.away_until == expected[number], case.name
