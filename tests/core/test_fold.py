"""fold.py: folding, tokenising and whole-word phrase search."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailbot.core.fold import BOUNDARY, find_phrase, fold, has_phrase, tokenize, words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Financiën", "financien"),
        ("FINANCIËN", "financien"),
        ("financien", "financien"),
        ("Aydın", "aydin"),  # Turkish dotless i
        ("Ørsted", "orsted"),  # capitals of the letters NFKD leaves alone fold too
        ("ÆRØ", "aero"),
        ("ŁÓDŹ", "lodz"),
        ("İSTANBUL", "istanbul"),
        ("GROẞ", "gross"),
        ("Straße", "strasse"),
        ("onderwijs–arbeidsmarkt", "onderwijs-arbeidsmarkt"),  # en dash
        ("onderwijs—arbeidsmarkt", "onderwijs-arbeidsmarkt"),  # em dash
        ("’s middags", "'s middags"),  # curly apostrophe
        ("‘Leer-werkmakelaar’", "'leer-werkmakelaar'"),
        ("tot\u00a0ziens", "tot ziens"),  # no-break space
        ("Café Élysée", "cafe elysee"),
        ("Ĳsselstein", "ijsselstein"),  # ligature decomposes
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_turns_tabs_into_cell_separators() -> None:
    # table cells (tab-separated text parts) must not run into each other
    assert fold("Esther Scholten\tAB") == "esther scholten | ab"
    assert "|" in BOUNDARY


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Themagroep Financiën", ("themagroep", "financien")),
        ("Sluitend aanbod van wonen, welzijn en zorg", ("sluitend", "aanbod", "van", "wonen", "welzijn", "en", "zorg")),
        ("onderwijs-arbeidsmarkt", ("onderwijs", "arbeidsmarkt")),
        ("ab-vergadering", ("ab", "vergadering")),
        ("4e VNG Denktank", ("4e", "vng", "denktank")),
        ("  ", ()),
        ("!?", ()),
    ],
)
def test_words(phrase: str, expected: tuple[str, ...]) -> None:
    assert words(phrase) == expected


def test_tokenize_keeps_newlines_and_punctuation() -> None:
    toks = tokenize(fold("AB,\nborrel."))
    assert [t.text for t in toks] == ["ab", ",", "\n", "borrel", "."]
    assert [t.is_word for t in toks] == [True, False, False, True, False]
    assert [t.start for t in toks] == [0, 2, 3, 4, 10]


def _spans(text: str, phrase: str) -> list[tuple[int, int]]:
    return find_phrase(tokenize(fold(text)), tuple(phrase.split()))


@pytest.mark.parametrize(
    ("text", "phrase", "found"),
    [
        ("Graag meld ik mij aan", "meld ik mij aan", True),
        ("MELD IK MIJ AAN", "meld ik mij aan", True),
        ("meld ik mij, aan", "meld ik mij aan", True),  # punctuation is skipped between words
        ("aanmelden", "meld", False),  # whole words only
        ("abonnement", "ab", False),
        ("ik kom", "ik kom graag", False),
        # "*" stands for up to four words
        ("meld ik burgemeester Bakker af", "meld * af", True),
        ("meld af", "meld * af", True),
        ("meld ik de burgemeester Bakker af", "meld * af", True),  # four words
        ("meld ik de burgemeester mevrouw Bakker af", "meld * af", False),  # five words
        ("sluit graag aan", "sluit * aan", True),
    ],
)
def test_find_phrase(text: str, phrase: str, found: bool) -> None:
    assert bool(_spans(text, phrase)) is found


def test_find_phrase_spans_are_token_indices() -> None:
    toks = tokenize(fold("Ja, meld ik hem af."))
    spans = find_phrase(toks, ("meld", "*", "af"))
    assert spans == [(2, 5)]
    assert toks[spans[0][0]].text == "meld" and toks[spans[0][1]].text == "af"


def test_find_phrase_finds_every_occurrence() -> None:
    assert len(_spans("AB en nog eens AB", "ab")) == 2


def test_find_phrase_edge_cases() -> None:
    assert find_phrase(tokenize("ab"), ()) == []
    assert find_phrase([], ("ab",)) == []
    with pytest.raises(ValueError):
        find_phrase(tokenize("ab"), ("*", "ab"))


def test_has_phrase_returns_the_first_phrase_that_occurs() -> None:
    toks = tokenize(fold("Dank u wel, klopt."))
    assert has_phrase(toks, (("bedankt",), ("klopt",), ("dank", "u", "wel"))) == ("klopt",)
    assert has_phrase(toks, (("bedankt",),)) is None


@given(st.text(max_size=200))
def test_fold_is_idempotent_and_lower(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == once.lower()


@given(st.text(max_size=200))
def test_tokens_point_into_the_folded_text(text: str) -> None:
    folded = fold(text)
    for t in tokenize(folded):
        assert folded[t.start:t.start + len(t.text)] == t.text
