"""identity.py: who may touch a registration, lookalike domains, and whom a reply may go to."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

import pytest
from shipped import knowledge

from mailbot.core import identity
from mailbot.core.decide import decide
from mailbot.core.types import Attendee, Registry
from mailbot.core.understand import understand

_ids = itertools.count(1)


def invitee(name: str):
    return next(i for i in knowledge().invitees if i.name == name)


@pytest.mark.parametrize("address, slug", [
    ("a@deventer-gemeente.nl", "deventer"),          # the name with another ending, joined by a hyphen
    ("a@gemeente-deventer.com", "deventer"),
    ("a@gemeentedeventer.nl", "deventer"),            # glued to a civic word
    ("a@deventer.nl.mail-relay.example", "deventer"),  # the real domain as the start of another one
    ("a@deventer.org", "deventer"),                    # another ending
    ("a@devemter.nl", "deventer"),                     # one letter off
    ("a@xn--dventer-7gg.nl", "deventer"),              # punycode that reads as the real domain
    ("a@d\u0435venter.nl", "deventer"),               # a Cyrillic e
    ("a@tilburq.nl", "tilburg"),
])
def test_lookalikes_of_member_domains(address: str, slug: str) -> None:
    look = identity.lookalike(address, knowledge().municipalities)
    assert look is not None and look.municipality == slug


@pytest.mark.parametrize("address", [
    "a@deventer.nl", "a@griffie.deventer.nl", "a@gmail.com", "a@hotmail.com", "a@xs4all.nl", "a@kpnmail.nl",
    "a@vng.nl", "a@minbzk.nl", "a@platform31.nl", "a@amsterdam.nl", "a@g32.nl", "a@outlook.com",
])
def test_real_domains_and_ordinary_providers_are_no_lookalikes(address: str) -> None:
    assert identity.lookalike(address, knowledge().municipalities) is None


def test_authority_comes_from_the_address_never_from_a_name() -> None:
    k = knowledge()
    mayor = next(i for i in k.invitees if i.role == "burgemeester" and i.municipality == "tilburg")
    a = Attendee(mayor.email, mayor.name, mayor.role, mayor.email, "tilburg", "registered",
                 registered_by=mayor.email)
    assert identity.authority(mayor.email, a, mayor, k) == "own-address"
    if mayor.secretary_email:
        assert identity.authority(mayor.secretary_email, a, mayor, k) == "secretariat"
    assert identity.authority("kabinet@raad.tilburg.nl", a, mayor, k) == "municipality-domain"
    for other in ("burgemeester.tilburg@gmail.com", "kabinet@tilburg.nl.evil.example", "a@gemeente-tilburg.nl",
                  "bestuurssecretariaat@breda.nl"):
        assert identity.authority(other, a, mayor, k) is None


def test_a_refusal_says_why() -> None:
    k = knowledge()
    assert "lijkt op" in identity.refusal("x@tilburg-gemeente.nl", k)
    assert "andere gemeente" in identity.refusal("x@breda.nl", k)
    assert "niet op de lijst" in identity.refusal("x@gmail.com", k)


def _mail(frm: str, body: str, reply_to: str | None = None):
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = "info@G32.nl"
    msg["Subject"] = "Netwerkdag"
    msg["Date"] = "Mon, 13 Nov 2017 10:00:00 +0100"
    msg["Message-ID"] = f"<identity-{next(_ids)}@example.nl>"
    if reply_to:
        msg["Reply-To"] = reply_to
    msg.set_content(body)
    return msg


def _registered(name: str) -> Registry:
    i = invitee(name)
    return Registry((Attendee(i.email, i.name, i.role, i.email, i.municipality, "registered",
                              frozenset({"financien"}), i.email, False, frozenset({i.email})),))


@pytest.mark.parametrize("frm, body", [
    ("Henk <henk1970@gmail.com>", "Hierbij meld ik wethouder {name} af voor de netwerkdag."),
    ("{name} <{first}.priv@gmail.com>", "Ik kan helaas niet komen, graag mijn aanmelding intrekken."),
    ("Kabinet <kabinet@gemeente-{slug}.nl>", "Wethouder {name} komt niet; graag afmelden."),
    ("Henk <henk1970@gmail.com>", "Wethouder {name} wil graag ook naar de themagroep Veiligheid."),
    ("Henk <henk1970@gmail.com>", "Hierbij meld ik wethouder {name} aan voor de netwerkborrel."),
])
def test_no_change_to_a_registration_from_an_address_without_authority(frm: str, body: str) -> None:
    k = knowledge()
    who = next(i for i in k.invitees if i.role == "wethouder" and i.municipality == "tilburg")
    fill = {"name": who.name, "first": who.name.split()[0].lower(), "slug": "tilburg"}
    msg = _mail(frm.format(**fill), body.format(**fill) + "\n\nGroet\n")
    before = _registered(who.name)
    d = decide(before, understand(msg, bytes(msg), k), k)
    assert all(c.what == "unchanged" for c in d.changes) or not d.changes
    assert not [c for c in d.changes if c.attendee.key == who.email and c.what != "unchanged"]
    assert d.replies == ()
    assert d.review  # staff hear of it: refused, or not understood at all
    if d.rules and "not-understood" not in d.rules:
        assert any(r.reason.startswith("Niet verwerkt") for r in d.review)


def test_the_listed_secretariat_may_withdraw() -> None:
    k = knowledge()
    who = next(i for i in k.invitees if i.role == "wethouder" and i.municipality == "tilburg" and i.secretary_email)
    msg = _mail(f"Secretariaat <{who.secretary_email}>",
                f"Wethouder {who.name} kan helaas niet komen; wilt u de aanmelding intrekken?\n")
    d = decide(_registered(who.name), understand(msg, bytes(msg), k), k)
    assert [c.attendee.status for c in d.changes] == ["cancelled"]


def _mail_facts(frm: str, reply_to: str | None):
    msg = _mail(frm, "Ik kom graag.\n", reply_to)
    return understand(msg, bytes(msg), knowledge()).mail


def test_reply_to_is_followed_when_it_is_one_trusted_address() -> None:
    k = knowledge()
    assert identity.reply_targets(_mail_facts("a@tilburg.nl", "b@tilburg.nl"), k) == (("b@tilburg.nl",), None)
    assert identity.reply_targets(_mail_facts("a@vng.nl", "b@vng.nl"), k) == (("b@vng.nl",), None)
    assert identity.reply_targets(_mail_facts("a@tilburg.nl", None), k) == (("a@tilburg.nl",), None)


def test_reply_to_never_fans_out() -> None:
    k = knowledge()
    many = ", ".join(f"p{i}@list.example" for i in range(30)) + ", b@tilburg.nl"
    to, note = identity.reply_targets(_mail_facts("a@tilburg.nl", many), k)
    assert to == ("a@tilburg.nl", "b@tilburg.nl") and note and "31" in note
    to, note = identity.reply_targets(_mail_facts("a@tilburg.nl", "x@elsewhere.example"), k)
    assert to == ("a@tilburg.nl",) and note
