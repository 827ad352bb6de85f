"""Fixtures for the report tests; the data lives in reports_sample.py."""

from __future__ import annotations

import pytest
from reports_sample import sample_knowledge, sample_registry

from mailbot.core.types import Knowledge, Registry


@pytest.fixture
def knowledge() -> Knowledge:
    return sample_knowledge()


@pytest.fixture
def registry() -> Registry:
    return sample_registry()
