"""intent.py: the lexicon's cues found in a piece of text."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from mailbot.config import load
from mailbot.core.fold import fold, tokenize
from mailbot.core.intent import KINDS, NONE, Cues, PhraseBook, person_words

ROOT = Path(__file__).resolve().parents[2]


@cache
def book() -> PhraseBook:
    return PhraseBook(load(ROOT / "config.toml").knowledge.lexicon)


def kinds(text: str) -> set[str]:
    return set(book().cues(tokenize(fold(text))).hits)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # register
        ("Graag meld ik mij aan voor de netwerkdag.", {"register"}),
        ("Ik kom graag.", {"register"}),
        ("Ik ben erbij!", {"register"}),
        ("Ik ben er graag bij.", {"register"}),
        ("Wethouder Smits neemt deel aan de themagroep.", {"register"}),
        ("U kunt mij noteren voor het AB.", {"register"}),
        ("Hierbij meld ik de volgende personen aan:", {"register"}),
        ("Ik sluit graag aan bij de Fysieke Pijler.", {"register"}),
        ("In haar plaats komt wethouder Timmermans.", {"register"}),
        ("I will attend the general board.", {"register"}),
        ("Count me in.", {"register"}),
        ("Ich komme gern.", {"register"}),
        # decline (and the cancel reading of the same words)
        ("Helaas ben ik verhinderd.", {"decline"}),
        ("Ik kan helaas niet komen.", {"decline"}),
        ("I am unable to attend.", {"decline"}),
        ("Hierbij meld ik burgemeester Bakker af.", {"decline", "cancel"}),
        ("Burgemeester Scholten meldt zich af.", {"decline", "cancel"}),
        ("Wethouder Smits en burgemeester Scholten melden zich af.", {"decline", "cancel"}),
        ("Afmelden", {"decline", "cancel"}),
        # cancel
        ("Ik trek mijn aanmelding in.", {"register", "cancel"}),
        ("Ik kom toch niet.", {"register", "cancel"}),
        ("Ik moet helaas annuleren.", {"cancel"}),
        ("Please withdraw my registration.", {"cancel"}),
        # change
        ("Ik wil graag ruilen.", {"change"}),
        ("Kleine wijziging:", {"change"}),
        ("in plaats van Financiën", {"change"}),
        # thanks
        ("Dank voor de bevestiging!", {"thanks"}),
        ("Klopt, dank u wel.", {"thanks"}),
        ("Thank you!", {"thanks"}),
        # question: question words count only with a question mark
        ("Is er parkeergelegenheid bij het stadhuis?", {"question"}),
        ("Is er parkeergelegenheid", set()),
        ("Kan ik iemand meenemen?", {"question"}),
        ("Hoe laat begint het?", {"question"}),
        ("Wanneer begint het?", {"question"}),  # the mark alone is a question
        # a polite request to register asks us to act: no question for staff
        ("Kunt u mij ook noteren voor de borrel?", {"register"}),
        ("Wilt u mijn naam van de lijst halen?", {"cancel"}),
        ("Kunt u mij vertellen waar ik kan parkeren?", {"question"}),
        # "zo spoedig mogelijk" is no doubt
        ("Haar keuze ontvangt u zo spoedig mogelijk.", set()),
        # tentative
        ("Ik kom onder voorbehoud.", {"register", "tentative"}),
        ("Ik probeer erbij te zijn.", {"tentative"}),
        ("Misschien kom ik.", {"tentative"}),
        ("als het debat het toelaat", {"tentative"}),
        # nothing
        ("Met vriendelijke groet,", set()),
        ("Mogelijkheden genoeg", set()),  # "mogelijk" is a whole word only
        ("", set()),
    ],
)
def test_cue_kinds(text: str, expected: set[str]) -> None:
    assert kinds(text) == expected


def test_cues_list_the_phrases_that_hit() -> None:
    cues = book().cues(tokenize(fold("Ik kom graag, maar hoe laat begint het?")))
    assert cues.hits["register"] == ("ik kom", "kom graag")
    assert cues.hits["question"] == ("hoe laat", "?")
    assert cues.has("register") and cues.has("question") and not cues.has("decline")


def test_cues_merge_without_duplicates() -> None:
    a = Cues({"register": ("ik kom",)})
    b = Cues({"register": ("ik kom", "kom graag"), "thanks": ("bedankt",)})
    m = a.merged(b)
    assert m.hits == {"register": ("ik kom", "kom graag"), "thanks": ("bedankt",)}
    assert NONE.merged(a) == a
    assert not NONE.has("register")


def test_every_kind_has_phrases() -> None:
    for kind in KINDS:
        assert book().by_kind[kind], kind
    assert book().negation and book().on_behalf


def test_wildcard_phrases_keep_their_star() -> None:
    decline = book().by_kind["decline"]
    assert ("meld", "*", "af") in decline


@pytest.mark.parametrize(
    ("text", "first", "third"),
    [
        ("Ik kom graag", True, False),
        ("Zij neemt deel aan het AB", False, True),
        ("Hij komt, ik ook", True, True),
        ("I will attend", True, False),
        ("Wethouder Smits komt", False, False),
    ],
)
def test_person_words(text: str, first: bool, third: bool) -> None:
    assert person_words(tokenize(fold(text))) == (first, third)


def test_lexicon_phrases_are_folded_wildcards_too() -> None:
    from mailbot.core.intent import prepare

    assert prepare(("Meld * AF", "Financiën", "kan-niet")) == (
        ("meld", "*", "af"), ("financien",), ("kan", "niet"))


# --- filler words inside a cue, and attendance on a condition --------------------------------

@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Voor de netwerkdag moet ik dit keer helaas passen.", "decline"),
        ("Ik kan er dit jaar echt niet bij zijn.", "decline"),
        ("Die dag ben ik er natuurlijk niet.", "decline"),
        ("Ik meld mij dan ook aan.", "register"),
        ("Dat gaat me deze keer helaas niet lukken.", "decline"),
    ],
)
def test_filler_words_inside_a_cue_phrase_do_not_hide_it(text: str, kind: str) -> None:
    assert kind in kinds(text)


def test_fillers_never_turn_a_cue_around() -> None:
    # "niet" is no filler: "ik kom" stays a registration, nothing makes it a decline
    assert "decline" not in kinds("Ik kom deze keer zeker naar de borrel.")
    # a filler is only stepped over inside a phrase, never at its start
    assert kinds("Helaas.") == set()


def test_a_cue_phrase_may_not_stretch_over_many_fillers() -> None:
    assert "decline" not in kinds("Ik moet dan ook echt heel erg zeker passen.")  # five in a row


@pytest.mark.parametrize(
    "text",
    [
        "Gaat de raadsvergadering niet door, dan kom ik graag naar de Sociale Pijler.",
        "Lukt het met de agenda, dan ben ik erbij.",
        "Mocht het debat eerder klaar zijn, dan sluit ik aan bij het AB.",
        "Als de commissie wordt verplaatst, dan meld ik mij aan voor Financiën.",
    ],
)
def test_attendance_stated_as_the_consequence_of_a_condition_is_tentative(text: str) -> None:
    assert "tentative" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ik kom naar Financiën. Mocht er iets veranderen, dan laat ik het u weten.",
        "Eerst de Sociale Pijler, dan de borrel.",
        "Ik kom graag, dank u.",
    ],
)
def test_a_promise_or_a_sequence_after_dan_is_no_doubt(text: str) -> None:
    assert "tentative" not in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Of ik kan komen, hangt af van de gemeenteraad.",
        "Mijn komst is afhankelijk van het college.",
        "Het hangt er een beetje van af of de begroting op tijd klaar is.",
    ],
)
def test_attendance_that_depends_on_something_is_tentative(text: str) -> None:
    assert "tentative" in kinds(text)
