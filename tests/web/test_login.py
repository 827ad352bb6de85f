"""Logging in to the desk: nothing without a login, wrong tries slowed down, forms guarded."""

from __future__ import annotations

import re

import pytest
from deskkit import PASSWORD
from sqlmodel import select

from mailbot import db

PAGES = ["/", "/deelnemers", "/controle", "/groepsmail", "/downloads", "/aanwezig"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_login(desk, path):
    r = desk.anonymous().get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_every_app_route_needs_a_login(desk):
    """Not only the pages listed above: every route the app has, with GET and POST."""
    from starlette.routing import Route

    from mailbot.web.pages import ROUTES

    c = desk.anonymous()
    c.get("/login")
    seen = 0
    for route in ROUTES:
        if not isinstance(route, Route):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            data = {"csrftoken": c.cookies["csrftoken"]} if method == "POST" else None
            r = c.request(method, path, data=data, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, path)
            seen += 1
    assert seen >= len(PAGES)


def test_login_then_overview(desk):
    r = desk.client.get("/")
    assert r.status_code == 200
    assert "Overzicht" in r.text and "anna" in r.text


def test_session_cookie_is_httponly_and_samesite(desk):
    c = desk.anonymous()
    c.get("/login")
    r = c.post("/login", data={"naam": "x", "wachtwoord": "y", "csrftoken": c.cookies["csrftoken"]})
    desk.login("bert")
    c2 = desk.anonymous()
    c2.get("/login")
    r = c2.post("/login", data={"naam": "bert", "wachtwoord": PASSWORD, "csrftoken": c2.cookies["csrftoken"]},
                follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "mailbot_desk=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http on loopback; https base_url sets it (next test)


def test_cookies_are_secure_behind_tls(tmp_path):
    from deskkit import ROOT, _client

    from mailbot import config, service
    from mailbot.web import create_app

    text = (ROOT / "config.toml").read_text().replace('base_url = "http://127.0.0.1:8032"',
                                                      'base_url = "https://balie.g32.nl"')
    (tmp_path / "config.toml").write_text(text)
    (tmp_path / "rules").symlink_to(ROOT / "rules")
    (tmp_path / "invitees.csv").write_bytes((ROOT / "invitees.csv").read_bytes()) if (ROOT / "invitees.csv").exists() else None
    cfg = config.load(tmp_path / "config.toml", storage=tmp_path / "storage")
    bot = service.open_bot(cfg)
    try:
        c = _client(create_app(bot))
        r = c.get("/login")
        assert "secure" in r.headers["set-cookie"].lower()
    finally:
        bot.readers.close()


def test_wrong_password_is_refused_in_dutch(desk):
    desk.login("anna")
    c = desk.anonymous()
    c.get("/login")
    r = c.post("/login", data={"naam": "anna", "wachtwoord": "fout", "csrftoken": c.cookies["csrftoken"]})
    assert r.status_code == 401 and "Naam of wachtwoord onjuist" in r.text
    assert c.get("/", follow_redirects=False).status_code == 303


def test_too_many_failures_lock_the_name_even_with_the_right_password(desk):
    desk.login("anna")
    c = desk.anonymous()
    c.get("/login")
    for _ in range(5):
        c.post("/login", data={"naam": "anna", "wachtwoord": "fout", "csrftoken": c.cookies["csrftoken"]})
    r = c.post("/login", data={"naam": "anna", "wachtwoord": PASSWORD, "csrftoken": c.cookies["csrftoken"]})
    assert r.status_code == 401 and "Te veel mislukte pogingen" in r.text
    from datetime import timedelta
    desk.now[0] = desk.now[0] + timedelta(minutes=16)
    r = c.post("/login", data={"naam": "anna", "wachtwoord": PASSWORD, "csrftoken": c.cookies["csrftoken"]},
               follow_redirects=False)
    assert r.status_code == 303


def test_wrong_csrf_token_is_refused(desk):
    c = desk.client
    r = c.post("/logout", data={"csrftoken": "vervalst"})
    assert r.status_code == 403 and "Formulier verlopen" in r.text
    assert c.get("/", follow_redirects=False).status_code == 200  # still logged in: nothing happened


def test_missing_csrf_token_on_login_is_refused(desk):
    c = desk.anonymous()
    c.get("/login")
    r = c.post("/login", data={"naam": "anna", "wachtwoord": PASSWORD})
    assert r.status_code == 403


def test_a_disabled_account_is_logged_out(desk):
    c = desk.client
    with desk.session() as s, s.begin():
        row = s.exec(select(db.StaffAccount).where(db.StaffAccount.name == "anna")).one()
        row.disabled = True
    assert c.get("/", follow_redirects=False).status_code == 303


def test_password_is_stored_as_an_argon2_hash(desk):
    desk.login("anna")
    with desk.session() as s:
        row = s.exec(select(db.StaffAccount).where(db.StaffAccount.name == "anna")).one()
    assert row.password_hash.startswith("$argon2") and PASSWORD not in row.password_hash


def test_logout(desk):
    c = desk.client
    r = desk.post("/logout")
    assert "U bent afgemeld" in r.text
    assert c.get("/", follow_redirects=False).status_code == 303


def test_unknown_page_is_a_dutch_404(desk):
    r = desk.client.get("/deelnemers/999999")
    assert r.status_code == 404 and "Niet gevonden" in r.text
    r = desk.client.get("/bestaat-niet")
    assert r.status_code == 404 and "Niet gevonden" in r.text


def test_every_page_forbids_framing_and_foreign_forms(desk):
    for path in ("/login", "/", "/deelnemers"):
        r = (desk.anonymous() if path == "/login" else desk.client).get(path)
        assert r.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
        assert "form-action 'self'" in r.headers["content-security-policy"], path
        assert r.headers["x-content-type-options"] == "nosniff", path
