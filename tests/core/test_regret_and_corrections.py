"""Regret, negation without "niet naar X", and corrections (regret.py and its callers).

Each mechanism is tested with wordings of our own: where a cue stands (after
the session, around it, between two sessions), how far a regret reaches (its
clause, its sentence, the whole message), and how a correction replaces what it
takes back, also in a later mail.
"""

from __future__ import annotations

import itertools
from email.message import EmailMessage
from functools import cache

import pytest
from shipped import knowledge

from mailbot.core.decide import decide
from mailbot.core.fold import fold, tokenize
from mailbot.core.intent import PhraseBook, prepare
from mailbot.core.quotes import split_reply
from mailbot.core.regret import echoes, named_otherwise, retracted, scopes
from mailbot.core.sessions import find_mentions
from mailbot.core.types import Attendee, Decision, Registry
from mailbot.core.understand import Reading, understand

_ids = itertools.count(1)

MARIEKE = "Marieke Smit <m.smit@example-gemeente.nl>"  # an unknown sender: still read the same way
ESTHER = "Esther Scholten <e.scholten@alkmaar.nl>"  # burgemeester of Alkmaar, on the invitee list
ESTHER_ADDR = "e.scholten@alkmaar.nl"


@cache
def negations() -> tuple[tuple[str, ...], ...]:
    return PhraseBook(knowledge().lexicon).negation


def split(text: str) -> tuple[list[str], list[str]]:
    """(chosen, ruled out) session ids of one piece of text, each sorted."""
    ms = find_mentions(text, knowledge().event, negations())
    return sorted({m.session for m in ms if not m.negated}), sorted({m.session for m in ms if m.negated})


def read(frm: str, body: str) -> Reading:
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = "info@G32.nl"
    msg["Subject"] = "RE: Uitnodiging G32 netwerkdag"
    msg["Date"] = "Tue, 14 Nov 2017 11:00:00 +0100"
    msg["Message-ID"] = f"<regret-{next(_ids)}@example.nl>"
    msg.set_content(body)
    return understand(msg, bytes(msg), knowledge())


def decide_on(registry: Registry, frm: str, body: str) -> tuple[Decision, Registry]:
    d = decide(registry, read(frm, body), knowledge())
    rows = {a.key: a for a in registry.attendees}
    for c in d.changes:
        rows[c.attendee.key] = c.attendee
    return d, Registry(tuple(rows.values()))


# --- the shapes of the lexicon's phrases --------------------------------------------


def test_phrases_sort_by_where_the_session_stands() -> None:
    s = scopes(prepare(("geen", "jammer dat x", "x laat ik lopen", "haal x weg", "x ik bedoel y",
                        "commissie z")))
    assert s.leading == (("geen",), ("jammer", "dat"))
    assert s.trailing == (("laat", "ik", "lopen"),)
    assert s.frames == ((("haal",), ("weg",)),)
    assert s.retract == (("ik", "bedoel"),)
    assert s.other == (("commissie",),)


def test_decline_phrases_count_on_either_side_of_a_session() -> None:
    neg = negations()
    assert ("verhinderd",) in neg and ("x", "verhinderd") in neg


# --- a cue after the session, within its clause ----------------------------------


@pytest.mark.parametrize(
    ("text", "want", "not_want"),
    [
        ("Voor de netwerkborrel ben ik jammer genoeg verhinderd; de Sociale Pijler graag.",
         ["sociale-pijler"], ["netwerkborrel"]),
        ("De themagroep Veiligheid zal ik helaas moeten missen, de borrel niet.", [],
         ["netwerkborrel", "veiligheid"]),
        ("Het Algemeen Bestuur laat ik lopen, maar Financiën wil ik graag.", ["financien"], ["algemeen-bestuur"]),
        ("De Fysieke Pijler was ik graag bij geweest, maar dan zit ik in de trein.", [], ["fysieke-pijler"]),
        ("Statushouders had ik best willen bijwonen, helaas.", [], ["statushouders"]),
        ("Financiën en de borrel slaan wij dit keer over.", [], ["financien", "netwerkborrel"]),
        ("Voor het AB wil ik me afmelden, de rest staat nog.", [], ["algemeen-bestuur"]),
        ("Het AB red ik niet.", [], ["algemeen-bestuur"]),
    ],
)
def test_a_cue_after_the_session_rules_it_out(text: str, want: list[str], not_want: list[str]) -> None:
    assert split(text) == (want, not_want)


# --- a cue before the session, or on both sides of it -----------------------------


@pytest.mark.parametrize(
    ("text", "want", "not_want"),
    [
        ("Zonde dat ik de borrel mis. Jammer dat ik Financiën moet laten.", [], ["financien", "netwerkborrel"]),
        ("Ik ben verhinderd voor de themagroep Veiligheid.", [], ["veiligheid"]),
        ("Ik had graag de themagroep Ondernemerschap bijgewoond.", [], ["ondernemerschap"]),
        ("Haal de netwerkborrel maar weg, het AB blijft.", ["algemeen-bestuur"], ["netwerkborrel"]),
        ("Wilt u de Sociale Pijler doorstrepen?", [], ["sociale-pijler"]),
        ("Waar ik Veiligheid schreef, bedoelde ik de Fysieke Pijler.", ["fysieke-pijler"], ["veiligheid"]),
    ],
)
def test_a_cue_before_or_around_the_session_rules_it_out(text: str, want: list[str], not_want: list[str]) -> None:
    assert split(text) == (want, not_want)


def test_a_cue_stays_in_its_clause() -> None:
    # "maar" starts a clause of its own: the borrel after it is chosen
    assert split("De themagroep Veiligheid sla ik over, maar de borrel graag.") == (["netwerkborrel"], ["veiligheid"])


# --- corrections between two sessions ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want", "not_want"),
    [
        ("Graag voor Statushouders, o nee, Financiën.", ["financien"], ["statushouders"]),
        ("Noteer mij voor Veiligheid - ik bedoelde de Fysieke Pijler - en het AB.",
         ["algemeen-bestuur", "fysieke-pijler"], ["veiligheid"]),
        ("Ik kom naar Ondernemerschap, of eigenlijk toch Financiën.", ["financien"], ["ondernemerschap"]),
    ],
)
def test_a_correction_takes_back_the_session_before_it(text: str, want: list[str], not_want: list[str]) -> None:
    assert split(text) == (want, not_want)


def test_a_correction_to_the_same_session_is_a_repetition() -> None:
    assert split("Graag het AB, ik bedoel het Algemeen Bestuur.") == (["algemeen-bestuur"], [])


def test_an_apology_in_a_list_is_no_correction() -> None:
    # an "en" between the two says: both, the "sorry" is about something else
    assert split("Financiën, sorry voor de late reactie, en de borrel.") == (["financien", "netwerkborrel"], [])


def test_retracted_uses_the_gap_between_two_mentions() -> None:
    tokens = tokenize(fold("a , pardon , b en c"))
    spans = [(0, 0), (4, 4), (6, 6)]
    assert retracted(spans, tokens, (("pardon",),)) == {0}


# --- echoes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want", "not_want"),
    [
        ("De Sociale Pijler laat ik schieten, de netwerkborrel ook.", [], ["netwerkborrel", "sociale-pijler"]),
        ("Het AB graag, en de borrel ook.", ["algemeen-bestuur", "netwerkborrel"], []),
        ("Financiën graag, de borrel evenmin.", ["financien"], ["netwerkborrel"]),
    ],
)
def test_an_echo_shares_the_previous_session_s_fate(text: str, want: list[str], not_want: list[str]) -> None:
    assert split(text) == (want, not_want)


def test_echoes_needs_nothing_but_joiners_and_an_echo_word() -> None:
    tokens = tokenize(fold("a sla ik over , en b ook"))
    assert echoes([(0, 0), (6, 6)], tokens) == {1: None}
    tokens = tokenize(fold("a sla ik over , ik kom naar b ook"))
    assert echoes([(0, 0), (8, 8)], tokens) == {}


# --- a session's name used for another body ---------------------------------------


def test_a_committee_of_the_same_name_is_no_choice() -> None:
    assert split("Na onze commissie Veiligheid kom ik naar de themagroep Financiën.") == (["financien"], [])
    tokens = tokenize(fold("de portefeuille financien"))
    assert named_otherwise([(2, 2)], tokens, (("portefeuille",),)) == {0}


# --- a whole sentence, a whole message -----------------------------------------------


def test_a_regret_sentence_rules_out_everything_it_names() -> None:
    r = read(MARIEKE, "Omdat ik die dag op werkbezoek ben in Berlijn, kan ik helaas niet komen, ook niet 's middags.")
    (p,) = r.people
    assert p.chosen == frozenset() and r.cues.has("decline")


def test_whole_day_regret_is_a_decline() -> None:
    d, reg = decide_on(Registry(), ESTHER, "Tot mijn spijt moet ik voor 30 november verstek laten gaan.\n\n"
                                           "Esther Scholten")
    assert [c.attendee.status for c in d.changes] == ["declined"]
    assert [r.kind for r in d.replies] == ["acknowledgement"]


def test_whole_day_regret_after_registering_is_a_cancellation() -> None:
    _, reg = decide_on(Registry(), ESTHER, "Graag meld ik mij aan voor het Algemeen Bestuur.")
    d, reg = decide_on(reg, ESTHER, "Helaas moet ik toch verstek laten gaan; wilt u mijn aanmelding doorhalen?")
    assert [(c.attendee.status, c.attendee.sessions) for c in d.changes] == [("cancelled", frozenset())]


def test_a_question_chooses_nothing() -> None:
    r = read(ESTHER, "Ik kom graag naar de borrel.\n\nWordt er bij het Algemeen Bestuur ook gestemd?")
    (p,) = r.people
    assert p.chosen == {"netwerkborrel"}


def test_regret_beats_a_plain_mention_anywhere_in_the_message() -> None:
    r = read(ESTHER, "Ik meld mij aan voor de Fysieke Pijler en de netwerkborrel.\n\n"
                     "Correctie: de netwerkborrel laat ik toch schieten.")
    (p,) = r.people
    assert p.chosen == {"fysieke-pijler"} and p.dropped == {"netwerkborrel"}


# --- corrections across lines and mails --------------------------------------------


def test_a_postscript_below_the_name_is_new_text() -> None:
    parts = split_reply("Graag voor de Sociale Pijler.\n\nKees de Wit\nWethouder Zwolle\n\n"
                        "PS Toch liever de Fysieke Pijler in plaats van de Sociale Pijler.")
    assert "PS Toch liever" in parts.new and "Kees de Wit" in parts.signature
    assert "Wethouder Zwolle" not in parts.new


def test_a_later_mail_drops_a_session_and_keeps_the_rest() -> None:
    _, reg = decide_on(Registry(), ESTHER, "Ik meld mij aan voor Financiën, het AB en de netwerkborrel.")
    d, reg = decide_on(reg, ESTHER, "Het Algemeen Bestuur kunt u doorstrepen, de rest blijft staan.")
    (a,) = reg.attendees
    assert isinstance(a, Attendee) and a.status == "registered"
    assert a.sessions == {"financien", "netwerkborrel"}
    assert [r.kind for r in d.replies] == ["confirmation"]


def test_a_later_rectification_swaps_the_session() -> None:
    _, reg = decide_on(Registry(), ESTHER, "Ik meld mij aan voor de themagroep Veiligheid en de borrel.")
    _, reg = decide_on(reg, ESTHER, "Rectificatie: waar ik Veiligheid schreef, had de Sociale Pijler moeten staan.")
    (a,) = reg.attendees
    assert a.sessions == {"sociale-pijler", "netwerkborrel"}


@pytest.mark.parametrize("text", ["De netwerkborrel wil ik niet missen.", "De netwerkborrel mis ik niet!",
                                  "De netwerkborrel sla ik zeker niet over.",
                                  "De netwerkborrel laat ik me niet ontgaan."])
def test_denying_to_miss_a_session_chooses_it(text: str) -> None:
    assert split(text) == (["netwerkborrel"], [])


def test_a_vague_regret_does_not_outweigh_a_session_named_outright() -> None:
    r = read(ESTHER, "Ik kan helaas niet de hele dag blijven. Ik kom alleen naar de Sociale Pijler.")
    (p,) = r.people
    assert "sociale-pijler" in p.chosen


def test_a_session_named_in_passing_in_a_decline_is_no_choice() -> None:
    d, _ = decide_on(Registry(), ESTHER, "Helaas ben ik die donderdag verhinderd. Veel succes gewenst met het "
                                         "Algemeen Bestuur en de keuze over Assen.")
    assert [(c.attendee.status, c.attendee.sessions) for c in d.changes] == [("declined", frozenset())]


def test_a_bare_list_after_a_regret_is_still_an_answer() -> None:
    d, _ = decide_on(Registry(), ESTHER, "Voor het AB ben ik verhinderd.\n\nVeiligheid en de netwerkborrel.")
    assert [(c.attendee.status, c.attendee.sessions) for c in d.changes] == [
        ("registered", frozenset({"veiligheid", "netwerkborrel"}))]


def test_a_counterfactual_wish_for_the_day_is_a_decline() -> None:
    d, _ = decide_on(Registry(), ESTHER, "Graag was ik erbij geweest, maar ik zit die week in Lissabon.")
    assert [c.attendee.status for c in d.changes] == ["declined"]


# --- swaps: one session exchanged for another ------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "Graag ruil ik Financiën om voor Ondernemerschap.",
        "Financiën wil ik inruilen voor Ondernemerschap.",
        "Kunt u Financiën vervangen door Ondernemerschap?",
        "Financiën omwisselen voor Ondernemerschap graag.",
    ],
)
def test_a_swap_drops_the_first_session_and_keeps_the_second(text: str) -> None:
    from mailbot.core.sessions import find_mentions

    found = {m.session: m.negated for m in find_mentions(text, knowledge().event, negations())}
    assert found == {"financien": True, "ondernemerschap": False}
