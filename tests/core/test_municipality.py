"""municipality.py: which member municipality a sender belongs to, and how sure that is."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from mailbot.config import load, load_invitees
from mailbot.core.municipality import by_domain, identify, in_text
from mailbot.core.types import Knowledge

ROOT = Path(__file__).resolve().parents[2]


@cache
def knowledge() -> Knowledge:
    cfg = load(ROOT / "config.toml")
    return replace(cfg.knowledge, invitees=load_invitees(ROOT / "rules" / "invitees.csv"))


@pytest.mark.parametrize(
    ("address", "text", "municipality", "how", "trusted"),
    [
        # the exact invitee address, in any case
        ("e.scholten@alkmaar.nl", "", "alkmaar", "invitee-address", True),
        ("E.Scholten@Alkmaar.NL", "", "alkmaar", "invitee-address", True),
        ("M.Bos@emmen.nl", "", "emmen", "invitee-address", True),
        # a listed personal address
        ("pieter.dejong@gmail.com", "", "alkmaar", "invitee-address", True),
        ("dirk.jonker@xs4all.nl", "", "amersfoort", "invitee-address", True),
        # the listed secretariat
        ("bestuurssecretariaat@alkmaar.nl", "", "alkmaar", "secretariat-address", True),
        # any other address on a member domain, or a subdomain of one
        ("m.vandam@haarlem.nl", "", "haarlem", "domain", True),
        ("griffie@raad.zwolle.nl", "", "zwolle", "subdomain", True),
        ("secretariaat@bestuur.eindhoven.nl", "", "eindhoven", "subdomain", True),
        # candidate members count as members
        ("h.terpstra@assen.nl", "", "assen", "invitee-address", True),
        ("someone@assen.nl", "", "assen", "domain", True),
        ("someone@hilversum.nl", "", "hilversum", "domain", True),
        # look-alike domains are not the member's
        ("x@notalkmaar.nl", "", None, "none", False),
        ("x@alkmaar.nl.evil.example", "", None, "none", False),
        ("x@alkmaar.com", "", None, "none", False),
        # non-members: G4 cities, VNG, ministries, partners
        ("j.wolters@amsterdam.nl", "", None, "none", False),
        ("marjolein.hofstede@vng.nl", "", None, "none", False),
        ("ruben.aydin@minbzk.nl", "", None, "none", False),
        ("k.verbeek@platform31.nl", "", None, "none", False),
        # the text names the writer's municipality: recorded, not trusted
        ("pieterhuisman@live.nl", "Pieter Huisman\nwethouder gemeente Deventer", "deventer", "text", False),
        ("x@gmail.com", "wethouder gemeente Venlo", "venlo", "text", False),
        ("x@gmail.com", "Wethouder | Gemeente Almere", "almere", "text", False),
        ("x@gmail.com", "burgemeester van Alphen", "alphen-aan-den-rijn", "text", False),
        ("x@gmail.com", "Gemeente 's-Hertogenbosch", "s-hertogenbosch", "text", False),
        ("x@gmail.com", "gemeente Den Bosch", "s-hertogenbosch", "text", False),
        ("x@gmail.com", "raadslid gemeente Zwolle", "zwolle", "text", False),
        ("x@gmail.com", "Mayor of Leiden", "leiden", "text", False),
        # the venue is not the writer's town
        ("x@gmail.com", "Tot ziens in Lelystad!", None, "none", False),
        ("x@gmail.com", "de netwerkdag in het stadhuis van Lelystad", None, "none", False),
        # two municipalities named: no guess
        ("x@gmail.com", "gemeente Deventer en gemeente Zwolle", None, "none", False),
        # a non-member named in text is no member
        ("x@vng.nl", "namens de gemeente Amsterdam", None, "none", False),
        # the address wins over the text
        ("e.scholten@alkmaar.nl", "wethouder gemeente Venlo", "alkmaar", "invitee-address", True),
        ("m.vandam@haarlem.nl", "gemeente Zwolle", "haarlem", "domain", True),
    ],
)
def test_identify(address: str, text: str, municipality: str | None, how: str, trusted: bool) -> None:
    s = identify(address, text, knowledge())
    assert (s.municipality, s.how, s.trusted) == (municipality, how, trusted)
    assert s.address == address.lower()


def test_identify_invitee_and_secretariat() -> None:
    s = identify("e.scholten@alkmaar.nl", "", knowledge())
    assert s.invitee is not None and s.invitee.name == "Esther Scholten"
    sec = identify("bestuurssecretariaat@alkmaar.nl", "", knowledge())
    assert sec.invitee is None
    assert {i.name for i in sec.secretariat_for} == {"Esther Scholten", "Jeroen Smits", "Pieter de Jong"}
    other = identify("m.vandam@haarlem.nl", "", knowledge())
    assert other.invitee is None and other.secretariat_for == ()


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("a@zwolle.nl", ("zwolle", "domain")),
        ("a@ZWOLLE.NL", ("zwolle", "domain")),
        ("a@raad.zwolle.nl", ("zwolle", "subdomain")),
        ("a@x.y.zwolle.nl", ("zwolle", "subdomain")),
        ("a@zwolle.nl.example", (None, "none")),
        ("a@mzwolle.nl", (None, "none")),
        ("no-at-sign", (None, "none")),
        ("", (None, "none")),
    ],
)
def test_by_domain(address: str, expected: tuple) -> None:
    assert by_domain(address, knowledge().municipalities) == expected


def test_every_member_is_found_by_its_own_domain_and_name() -> None:
    k = knowledge()
    assert len(k.municipalities) == 40
    assert {m.status for m in k.municipalities} == {"member", "candidate"}
    for m in k.municipalities:
        assert by_domain(f"info@{m.domains[0]}", k.municipalities) == (m.slug, "domain")
        assert in_text(f"gemeente {m.name}", k.municipalities) == m.slug


def test_in_text_needs_a_cue_before_the_name() -> None:
    ms = knowledge().municipalities
    assert in_text("Zwolle", ms) is None
    assert in_text("de trein naar Zwolle", ms) is None
    assert in_text("GEMEENTE ZWOLLE", ms) == "zwolle"
    assert in_text("", ms) is None


def test_any_role_of_the_lexicon_before_a_city_names_the_municipality():
    from pathlib import Path

    from mailbot.config import load
    from mailbot.core.municipality import identify

    k = load(Path(__file__).resolve().parents[2] / "config.toml").knowledge
    s = identify("m.jansen@gmail.com", "Als gemeentesecretaris van Dordrecht kom ik graag.", k)
    assert s.municipality == "dordrecht" and s.how == "text"
    assert identify("m.jansen@gmail.com", "Ik woon in Dordrecht.", k).municipality is None
