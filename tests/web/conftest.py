"""Fixtures of the desk tests; the helpers live in deskkit."""

from __future__ import annotations

import pytest
from deskkit import NOW, ROOT, Desk

from mailbot import config, service
from mailbot.web import create_app


@pytest.fixture
def desk(tmp_path) -> Desk:
    cfg = config.load(ROOT / "config.toml", storage=tmp_path / "storage")
    bot = service.open_bot(cfg)
    holder = [NOW]
    app = create_app(bot, clock=lambda: holder[0])
    d = Desk(bot, app, holder)
    yield d
    bot.readers.close()
