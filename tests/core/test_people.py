"""people.py: names in the text and in From display names, matched to invitees."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from mailbot.config import load, load_invitees
from mailbot.core.people import display_name, find_people, match_invitee, strip_titles
from mailbot.core.sessions import session_words
from mailbot.core.types import Knowledge

ROOT = Path(__file__).resolve().parents[2]


@cache
def knowledge() -> Knowledge:
    cfg = load(ROOT / "config.toml")
    return replace(cfg.knowledge, invitees=load_invitees(ROOT / "rules" / "invitees.csv"))


def people(text: str, municipality: str | None) -> list[tuple[str, str | None, str | None]]:
    """(name as written, role, matched invitee's name) for each person found."""
    k = knowledge()
    found = find_people(text, k.lexicon, k.invitees, municipality, session_words(k.event))
    return [(p.name, p.role, p.invitee.name if p.invitee else None) for p in found]


# --- names in the text -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "municipality", "expected"),
    [
        # role + name
        ("Wethouder Marloes Timmermans komt in haar plaats.", "nijmegen",
         [("Marloes Timmermans", "wethouder", "Marloes Timmermans")]),
        ("burgemeester Kuipers komt naar het AB", "haarlem", [("Kuipers", "burgemeester", "Marieke Kuipers")]),
        ("Mayor Kuipers will attend.", "haarlem", [("Kuipers", "burgemeester", "Marieke Kuipers")]),
        ("loco-burgemeester Kuipers", "haarlem", [("Kuipers", "burgemeester", "Marieke Kuipers")]),
        # namens + (title) + (role) + name
        ("Namens burgemeester Boukhari meld ik aan voor het AB.", "enschede",
         [("Boukhari", "burgemeester", "Hanneke Boukhari")]),
        ("Namens mevrouw Kuipers meld ik aan.", "haarlem", [("Kuipers", "burgemeester", "Marieke Kuipers")]),
        ("Namens de heer M. Bos", "emmen", [("M. Bos", "wethouder", "Maarten Bos")]),
        ("namens mw. drs. Kuipers", "haarlem", [("Kuipers", "burgemeester", "Marieke Kuipers")]),
        ("burgemeester drs. Kuipers komt", "haarlem", [("Kuipers", "burgemeester", "Marieke Kuipers")]),
        # titles are stripped from names nobody matches too
        ("namens dhr. drs. Jan Bos", None, [("Jan Bos", None, None)]),
        ("Namens Dhr. Jan Bos", None, [("Jan Bos", None, None)]),
        # tussenvoegsels
        ("Hierbij meld ik burgemeester Van der Linden aan.", "hilversum",
         [("Van der Linden", "burgemeester", "Jeroen van der Linden")]),
        ("wethouder Van der Linden", "hilversum", [("Van der Linden", "wethouder", "Frank van der Linden")]),
        # "burgemeester van Alkmaar" is a function, not a person called "van Alkmaar"
        ("De burgemeester van Alkmaar komt ook.", "alkmaar", []),
        # initials decide between namesakes
        ("namens wethouder F. van der Linden", "hilversum",
         [("F. van der Linden", "wethouder", "Frank van der Linden")]),
        ("namens J. van der Linden", "hilversum", [("J. van der Linden", "burgemeester", "Jeroen van der Linden")]),
        # namesakes in one town: the role decides (two Boukharis in Enschede)
        ("Wethouder Boukhari komt ook.", "enschede", [("Boukhari", "wethouder", "Ilse Boukhari")]),
        ("burgemeester Verhoeven komt naar het AB", "maastricht",
         [("Verhoeven", "burgemeester", "Mirjam Verhoeven")]),
        ("wethouder Verhoeven komt naar het AB", "maastricht", [("Verhoeven", "wethouder", "Anne Verhoeven")]),
        # a surname alone, without role, is never a guess: nobody is named
        ("Boukhari komt ook.", "enschede", []),
        # two people in one sentence
        ("Burgemeester Van der Linden en wethouder Meijer komen.", "hilversum",
         [("Van der Linden", "burgemeester", "Jeroen van der Linden"),
          ("Meijer", "wethouder", "Arjen Meijer")]),
        # a full invitee name written out (a table row), no role needed
        ("Esther Scholten\tAB, borrel", "alkmaar", [("Esther Scholten", "burgemeester", "Esther Scholten")]),
        ("Carla de Graaf - AB", "leiden", [("Carla de Graaf", "burgemeester", "Carla de Graaf")]),
        # unknown people stay as written, role kept
        ("wethouder Jan Peeters komt", None, [("Jan Peeters", "wethouder", None)]),
        # greeting lines name the addressee, not an attendee
        ("Geachte heer Crone,", "zwolle", []),
        ("Beste Ferd Crone,", None, []),
        ("Geachte burgemeester Kuipers,", "haarlem", []),
        ("Beste Esther Scholten,", "alkmaar", []),
        # words that look like names after a role are not names
        ("Namens de gemeente Haarlem", "haarlem", []),
        ("burgemeester Ondernemerschap", "haarlem", []),
        ("Wethouder Financiën Jan", None, []),
    ],
)
def test_find_people(text: str, municipality: str | None, expected: list) -> None:
    assert people(text, municipality) == expected


def test_find_people_reading_order_and_offsets() -> None:
    k = knowledge()
    text = "Hallo,\nwethouder Meijer en burgemeester Van der Linden komen."
    found = find_people(text, k.lexicon, k.invitees, "hilversum")
    assert [p.invitee.name for p in found if p.invitee] == ["Arjen Meijer", "Jeroen van der Linden"]
    assert found[0].start < found[1].start
    assert text[found[0].start:].lower().startswith("wethouder meijer")


def test_find_people_is_limited_to_the_senders_municipality() -> None:
    # Maastricht's Verhoevens are nobody in Hilversum
    assert people("burgemeester Verhoeven", "maastricht") == [
        ("Verhoeven", "burgemeester", "Mirjam Verhoeven")]
    assert people("burgemeester Verhoeven", "hilversum") == [("Verhoeven", "burgemeester", None)]
    # without a municipality the whole list is searched, still without guessing
    assert people("burgemeester Verhoeven", None) == [("Verhoeven", "burgemeester", "Mirjam Verhoeven")]


# --- matching a name to the invitee list -----------------------------------------


@pytest.mark.parametrize(
    ("name", "role", "municipality", "expected"),
    [
        ("Esther Scholten", None, None, "Esther Scholten"),
        ("ESTHER SCHOLTEN", None, None, "Esther Scholten"),
        ("esther scholten", None, "alkmaar", "Esther Scholten"),
        ("Dirk van Beek", None, None, "Dirk van Beek"),
        ("Dirk Van Beek", None, None, "Dirk van Beek"),
        ("Ruben Aydin", None, None, None),  # not on the list
        ("Scholten", None, None, None),  # five Scholtens
        ("Scholten", None, "alkmaar", "Esther Scholten"),
        # one candidate is taken even when the role differs: a loco-burgemeester is a wethouder
        ("Scholten", "burgemeester", "lelystad", "Renske Scholten"),
        ("Scholten", "wethouder", "lelystad", "Renske Scholten"),
        ("Boukhari", None, "enschede", None),  # two: never a guess
        ("Boukhari", "burgemeester", "enschede", "Hanneke Boukhari"),
        ("Boukhari", "wethouder", "enschede", "Ilse Boukhari"),
        ("van der Linden", "burgemeester", "hilversum", "Jeroen van der Linden"),
        ("Van der Linden", None, "hilversum", None),
        ("J. van der Linden", None, "hilversum", "Jeroen van der Linden"),
        ("F van der Linden", None, "hilversum", "Frank van der Linden"),
        ("P. Bos", None, "breda", "Petra Bos"),
        ("J. Bos", None, "breda", None),  # the initial must fit
        ("dhr. Kuipers", None, "haarlem", "Marieke Kuipers"),
        ("", None, None, None),
        ("mevrouw", None, None, None),
    ],
)
def test_match_invitee(name: str, role: str | None, municipality: str | None, expected: str | None) -> None:
    inv = match_invitee(name, role, knowledge().invitees, municipality)
    assert (inv.name if inv else None) == expected


# --- display names and titles ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Beek, Dirk van", "Dirk van Beek"),
        ("Linden, Jeroen van der", "Jeroen van der Linden"),
        ("Aydın, R. (Ruben) - DGBW", "Ruben Aydın"),
        ("Bos, J. (Jan)", "Jan Bos"),
        ("Bos, drs. J.", "J. Bos"),
        ('"Jansen, Petra"', "Petra Jansen"),
        ("Jansen, Petra [BZK]", "Petra Jansen"),
        ("dhr. drs. Jan Bos", "Jan Bos"),
        ("de heer Jan Bos", "Jan Bos"),
        ("De heer J. de Vries", "J. de Vries"),
        ("Mw. A. Bakker", "A. Bakker"),
        ("mr. drs. A. de Vries", "A. de Vries"),
        ("Prof. dr. ir. K. Jansen", "K. Jansen"),
        ("Jan Bos MSc", "Jan Bos"),
        ("Esther Scholten, burgemeester", "Esther Scholten"),
        ("burgemeester Kuipers", "Kuipers"),
        ("Jan de Heer", "Jan de Heer"),  # a surname, not "de heer"
        ("Dirk van Beek", "Dirk van Beek"),
        ("  Saskia de Groot  ", "Saskia de Groot"),
    ],
)
def test_display_name(raw: str, name: str) -> None:
    assert display_name(raw, knowledge().lexicon) == name


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("dhr. drs. Jan Bos", "Jan Bos"),
        ("Dhr. Drs. Jan Bos", "Jan Bos"),
        ("mevrouw De Graaf", "De Graaf"),
        ("de heer Van Dijk", "Van Dijk"),
        ("wethouder mr. P. Smit", "P. Smit"),
        ("Jan de Heer", "Jan de Heer"),
        ("Ir. Drs. Mr. K. de Boer", "K. de Boer"),
        ("Esther Scholten", "Esther Scholten"),
    ],
)
def test_strip_titles(raw: str, name: str) -> None:
    assert strip_titles(raw, knowledge().lexicon) == name
