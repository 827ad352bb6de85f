"""The desk in a real browser: Debian's Chromium, headless, against `mailbot web` as
staff run it (its own process, on the store `mailbot ingest` filled).

One walk through what the office does on a morning: log in, take a phone
registration, resolve a review item, and find both on the Deelnemers page.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from browserkit import browser_missing, chrome, desk_server, mailbot

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests" / "corpus" / "042-nonmember-vng-speaker" / "1.eml"
PASSWORD = secrets.token_urlsafe(18)  # made per run: no password is kept in the repository
NOW = "2017-11-20T10:00:00+01:00"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")]


def _wait(browser, condition, timeout: float = 20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def _submit(browser, form) -> None:
    """Press the form's submit button and wait until the next page has replaced this one."""
    from selenium.webdriver.support import expected_conditions as ec

    button = form.find_element("css selector", "button[type=submit]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    _wait(browser, ec.staleness_of(button))


def _login(browser, base: str) -> None:
    browser.get(base + "/")
    assert browser.current_url.endswith("/login")
    browser.find_element("name", "naam").send_keys("anna")
    browser.find_element("name", "wachtwoord").send_keys(PASSWORD)
    _submit(browser, browser.find_element("css selector", "form[action='/login']"))
    assert browser.current_url == base + "/", browser.page_source[:500]


def test_phone_registration_and_review_resolved_in_chromium(tmp_path):
    storage = tmp_path / "storage"
    mailbot(storage, "staff", "add", "anna", stdin=PASSWORD + "\n")
    mailbot(storage, "ingest", str(CASE), now=NOW)  # a VNG speaker: registered, and a review item

    with desk_server(storage, now=NOW) as base, chrome(tmp_path) as b:
        _login(b, base)

        # a phone registration, mail ticked
        b.get(base + "/deelnemers/nieuw")
        form = b.find_element("css selector", "form[action='/deelnemers/nieuw']")
        form.find_element("name", "naam").send_keys("Pieter Bakker")
        form.find_element("name", "functie").send_keys("wethouder")
        form.find_element("name", "email").send_keys("p.bakker@almere.nl")
        form.find_element("css selector", "select[name=gemeente] option[value=almere]").click()
        for sid in ("financien", "netwerkborrel"):
            box = form.find_element("css selector", f"input[name=sessies][value={sid}]")
            b.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
            box.click()
        form.find_element("css selector", "input[name=mail]").click()
        _submit(b, form)
        assert "Opgeslagen." in b.page_source and "/deelnemers/" in b.current_url

        # the review item: the speaker also comes to the Algemeen Bestuur
        b.get(base + "/controle")
        b.find_element("css selector", "a[href^='/controle/']").click()
        form = _wait(b, lambda d: d.find_element("css selector", "form[action$='/sessies']"))
        box = form.find_element("css selector", "input[name=sessies][value=algemeen-bestuur]")
        b.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
        form.find_element("css selector", "input[name=mail]").click()
        _submit(b, form)
        assert "error" not in b.find_element("css selector", "main").get_attribute("innerHTML").split("notice", 2)[1][:10]

        # both on the Deelnemers page
        b.get(base + "/deelnemers")
        rows = {r.find_element("css selector", "td a").text: r.text
                for r in b.find_elements("css selector", "table tbody tr")}
        assert "Pieter Bakker" in rows and "Marjolein Hofstede" in rows
        assert "Financiën" in rows["Pieter Bakker"] and "balie" in rows["Pieter Bakker"].lower()
        assert "Algemeen Bestuur" in rows["Marjolein Hofstede"]
        assert "Financiën" in rows["Marjolein Hofstede"]

        # on the day: tick the phone registration present at the door
        b.get(base + "/aanwezig")
        from selenium.webdriver.support import expected_conditions as ec

        counted = b.find_element("id", "telling").text
        item = next(li for li in b.find_elements("css selector", "#lijst > li") if "Pieter Bakker" in li.text)
        button = item.find_element("css selector", "button[value=aanwezig]")
        b.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        _wait(b, ec.staleness_of(button))
        assert b.find_element("id", "telling").text != counted
        item = next(li for li in b.find_elements("css selector", "#lijst > li") if "Pieter Bakker" in li.text)
        assert "aanwezig sinds" in item.text and "anna" in item.text

    # what the desk queued is in the store, for the runner to send: two confirmations
    out = mailbot(storage, "export", "--format", "json", now=NOW).stdout
    import json

    kinds = [(m["kind"], m["to"]) for m in json.loads(out)["outbox"]]
    assert ("confirmation", ["p.bakker@almere.nl"]) in [(k, t if isinstance(t, list) else [t]) for k, t in kinds]
    assert sum(1 for k, _ in kinds if k == "confirmation") == 3  # the VNG mail's own, the phone one, the review one
