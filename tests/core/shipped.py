"""The shipped configuration and invitee list, loaded once for the pure-core tests."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from mailbot.config import load, load_invitees
from mailbot.core.types import Knowledge

ROOT = Path(__file__).resolve().parents[2]


@cache
def knowledge() -> Knowledge:
    cfg = load(ROOT / "config.toml")
    return replace(cfg.knowledge, invitees=load_invitees(ROOT / "rules" / "invitees.csv"))
