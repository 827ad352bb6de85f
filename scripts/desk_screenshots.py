#!/usr/bin/env python3
"""Pictures of every desk page, for the README: docs/desk/<page>.png.

    .venv/bin/python scripts/desk_screenshots.py

The store is the one scripts/render_docs.py builds (the 60 corpus cases at
their dates, then the week-47 reminders); a few people are ticked present
so the Aanwezig page shows both states. `mailbot web` runs as staff run it,
and Debian's headless Chromium (tests/browserkit.py, the browser test's
driver) takes the pictures: laptop width, and the check-in page at tablet
width as it is used at the door.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "scripts"))

from browserkit import browser_missing, chrome, desk_server, mailbot  # noqa: E402
from render_docs import build_store  # noqa: E402

OUT = REPO / "docs" / "desk"
PASSWORD = secrets.token_urlsafe(18)  # made per run: no password is kept in the repository
NOW = "2017-11-30T10:15:00+01:00"  # the day itself, mid-morning


def shoot(browser, url: str, path: Path, *, width: int = 1280) -> None:
    browser.set_window_size(width, 900)
    browser.get(url)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(max(height, 600), 2400))
    browser.save_screenshot(str(path))
    print(f"wrote {path.relative_to(REPO)}")


def main() -> None:
    missing = browser_missing()
    if missing:
        sys.exit(f"desk_screenshots: {missing}")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="desk-shots-") as tmp:
        work = Path(tmp)
        storage = work / "storage"
        bot = build_store(storage)
        bot.readers.close()
        mailbot(storage, "staff", "add", "anna", stdin=PASSWORD + "\n")
        with desk_server(storage, now=NOW) as base, chrome(work) as b:
            b.get(base + "/login")
            b.find_element("name", "naam").send_keys("anna")
            b.find_element("name", "wachtwoord").send_keys(PASSWORD)
            b.find_element("css selector", "form[action='/login'] button").click()
            b.get(base + "/aanwezig")
            for _ in range(3):  # tick the first three people on the list
                buttons = b.find_elements("css selector", "button[formaction^='/aanwezig/'][value=aanwezig]")
                if not buttons:
                    break
                buttons[0].click()
            shoot(b, base + "/", OUT / "overzicht.png")
            shoot(b, base + "/deelnemers", OUT / "deelnemers.png")
            first = b.find_element("css selector", "table tbody tr td a").get_attribute("href")
            shoot(b, first, OUT / "deelnemer.png")
            shoot(b, base + "/controle", OUT / "controle.png")
            item = b.find_element("css selector", "a[href^='/controle/']").get_attribute("href")
            shoot(b, item, OUT / "controle-item.png")
            shoot(b, base + "/groepsmail", OUT / "groepsmail.png")
            shoot(b, base + "/downloads", OUT / "downloads.png")
            shoot(b, base + "/aanwezig", OUT / "aanwezig.png", width=820)


if __name__ == "__main__":
    main()
