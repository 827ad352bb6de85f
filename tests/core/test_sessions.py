"""sessions.py: which sessions a text names, which it rules out, inline answers."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from mailbot.config import load, load_invitees
from mailbot.core.intent import PhraseBook
from mailbot.core.sessions import find_mentions, inline_mentions, session_words
from mailbot.core.types import Knowledge

ROOT = Path(__file__).resolve().parents[2]


@cache
def knowledge() -> Knowledge:
    cfg = load(ROOT / "config.toml")
    return replace(cfg.knowledge, invitees=load_invitees(ROOT / "rules" / "invitees.csv"))


@cache
def negations() -> tuple[tuple[str, ...], ...]:
    return PhraseBook(knowledge().lexicon).negation


MORNING = ["financien", "jeugd-onderwijs-arbeidsmarkt", "ondernemerschap", "statushouders", "wal-en-schip",
           "wonen-welzijn-zorg"]


def chosen(text: str) -> list[str]:
    """Session ids the text names and does not rule out, in reading order."""
    return [m.session for m in find_mentions(text, knowledge().event, negations()) if not m.negated]


def dropped(text: str) -> list[str]:
    return [m.session for m in find_mentions(text, knowledge().event, negations()) if m.negated]


# --- names: titles, ids, aliases, speaker, time, typos ----------------------------


@pytest.mark.parametrize(
    ("text", "sessions"),
    [
        # full titles as in the invitation
        ("Themasessie Mensen tussen wal en schip", ["wal-en-schip"]),
        ("Themasessie Jeugd en aansluiting onderwijs-arbeidsmarkt", ["jeugd-onderwijs-arbeidsmarkt"]),
        ("Themagroep Ondernemerschap", ["ondernemerschap"]),
        ("Themagroep Financiën", ["financien"]),
        ("Themagroep Sluitend aanbod van wonen, welzijn en zorg", ["wonen-welzijn-zorg"]),
        ("Doorstart themagroep Statushouders", ["statushouders"]),
        ("Themasessie Regionale samenwerking", ["regionale-samenwerking"]),
        ("Themagroep Veiligheid / platform stedelijke veiligheid", ["veiligheid"]),
        ("Sociale Pijler", ["sociale-pijler"]),
        ("Fysieke Pijler", ["fysieke-pijler"]),
        ("Algemeen Bestuur", ["algemeen-bestuur"]),
        ("Netwerkborrel", ["netwerkborrel"]),
        # ids as written in the contract
        ("wonen-welzijn-zorg", ["wonen-welzijn-zorg"]),
        ("regionale-samenwerking", ["regionale-samenwerking"]),
        # aliases and short names
        ("AB en borrel", ["algemeen-bestuur", "netwerkborrel"]),
        ("het AB", ["algemeen-bestuur"]),
        ("de Ab-vergadering", ["algemeen-bestuur"]),
        ("de borrel", ["netwerkborrel"]),
        ("wal en schip", ["wal-en-schip"]),
        ("mensen tussen wal en schip", ["wal-en-schip"]),
        ("jeugd en onderwijs", ["jeugd-onderwijs-arbeidsmarkt"]),
        ("onderwijs–arbeidsmarkt", ["jeugd-onderwijs-arbeidsmarkt"]),  # en dash
        ("sluitend aanbod", ["wonen-welzijn-zorg"]),
        ("wonen, welzijn en zorg", ["wonen-welzijn-zorg"]),
        ("het Leer-werkmakelaar project", ["ondernemerschap"]),
        ("platform stedelijke veiligheid", ["veiligheid"]),
        ("FINANCIEN", ["financien"]),
        ("financiën en veiligheid", ["financien", "veiligheid"]),
        # English
        ("the general board and the network drinks", ["algemeen-bestuur", "netwerkborrel"]),
        ("Regional cooperation", ["regionale-samenwerking"]),
        # by speaker
        ("de sessie met Ton Heerts", ["jeugd-onderwijs-arbeidsmarkt"]),
        ("Ton Heerts", ["jeugd-onderwijs-arbeidsmarkt"]),
        # by start time, where only one session starts then
        ("de sessie van 13.00 uur", ["regionale-samenwerking"]),
        ("de sessie van 13:00", ["regionale-samenwerking"]),
        ("the session at 13.00", ["regionale-samenwerking"]),
        ("de bijeenkomst van 15.30 uur", ["algemeen-bestuur"]),
        ("de sessie van 16.00", ["netwerkborrel"]),
        # a time several sessions share names none of them
        # a start time shared by parallel sessions names them all: the decision asks which
        ("de sessie van 11.15 uur", ["financien", "ondernemerschap", "statushouders", "wonen-welzijn-zorg"]),
        ("de sessie van 14.00 uur", ["fysieke-pijler", "sociale-pijler", "veiligheid"]),
        ("de sessie van 12.00 uur", []),  # nothing starts then
        # typos, tolerated for longer names
        ("finacien", ["financien"]),
        ("Financien", ["financien"]),
        ("ondernemerschp", ["ondernemerschap"]),
        ("onderneemerschap", ["ondernemerschap"]),
        ("regionale samenwerkng", ["regionale-samenwerking"]),
        ("statushouder", ["statushouders"]),
        ("veiligheidt", ["veiligheid"]),
        ("netwerkborel", ["netwerkborrel"]),
    ],
)
def test_session_names(text: str, sessions: list[str]) -> None:
    assert chosen(text) == sessions


def test_mentions_come_in_reading_order_with_their_kind() -> None:
    ms = find_mentions("de sessie van 13.00 uur, finacien en het AB", knowledge().event)
    assert [(m.session, m.how) for m in ms] == [
        ("regionale-samenwerking", "time"), ("financien", "fuzzy"), ("algemeen-bestuur", "exact")]
    assert [m.token for m in ms] == sorted(m.token for m in ms)


def test_longest_alias_wins() -> None:
    # "Themagroep Financiën" is one mention, not "themagroep" + "financien" twice
    ms = find_mentions("Themagroep Financiën", knowledge().event)
    assert len(ms) == 1 and ms[0].matched == "themagroep financien"


# --- ordinary words that must never name a session ------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "abonnement", "Abonnementen", "lab", "abc", "baby", "kabinet",  # "ab"
        "financieel", "financiële", "financiering", "financieren", "de financiële effecten",
        "veilig", "onveilig", "veiligheidsregio", "verkeersveiligheid",
        "borrelnootjes", "boreel",
        "samen", "samenwerken", "samenwerkingsverband",
        "jeugdig", "jeugd", "jeugdzorg",
        "ondernemen", "ondernemer", "ondernemers",
        "status", "statushouderschap",
        "sociaal", "fysiek", "pijlers",
        "bestuur", "bestuurlijk", "algemeen",
        "wonen", "welzijn", "zorg", "woningmarkt",
        "onderwijs", "school",
        "netwerk", "netwerkdag", "drinken",
        "schip", "wal", "mensen",
        "regio", "regionaal",
        "Tot ziens in Lelystad",
        "Graag tot 30 november",
        "om 13.00 uur lunchen we",  # a time without "sessie van"
    ],
)
def test_ordinary_words_are_not_sessions(text: str) -> None:
    assert find_mentions(text, knowledge().event) == []


def test_session_words_are_the_long_words_of_aliases() -> None:
    sw = session_words(knowledge().event)
    assert {"ondernemerschap", "financien", "veiligheid", "netwerkborrel"} <= sw
    assert "ab" not in sw and "de" not in sw and "en" not in sw


# --- negation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want", "not_want"),
    [
        ("niet naar veiligheid, wel naar de fysieke pijler", ["fysieke-pijler"], ["veiligheid"]),
        ("’s Middags niet naar veiligheid, wel naar de fysieke pijler.", ["fysieke-pijler"], ["veiligheid"]),
        ("in plaats van Financiën wil ik graag naar Statushouders", ["statushouders"], ["financien"]),
        ("in plaats van Financiën graag Statushouders", ["statushouders"], ["financien"]),
        ("Statushouders in plaats van Financiën", ["statushouders"], ["financien"]),
        ("de borrel laat ik schieten", [], ["netwerkborrel"]),
        ("de borrel laat ik schieten, maar ik sluit graag aan bij de Fysieke Pijler",
         ["fysieke-pijler"], ["netwerkborrel"]),
        ("Veiligheid en de borrel laat ik schieten", [], ["veiligheid", "netwerkborrel"]),
        ("Veiligheid sla ik over", [], ["veiligheid"]),
        ("Financiën vervalt", [], ["financien"]),
        ("Het AB laat ik aan onze burgemeester.", [], ["algemeen-bestuur"]),
        ("ik kom naar het AB, de borrel hoeft niet", ["algemeen-bestuur"], ["netwerkborrel"]),
        ("Ik ga niet naar de borrel maar wel naar het AB", ["algemeen-bestuur"], ["netwerkborrel"]),
        ("Graag Financiën en niet de borrel", ["financien"], ["netwerkborrel"]),
        ("geen AB, wel financien", ["financien"], ["algemeen-bestuur"]),
        ("geen AB of borrel", [], ["algemeen-bestuur", "netwerkborrel"]),
        ("niet naar veiligheid of de sociale pijler", [], ["veiligheid", "sociale-pijler"]),
        ("Niet naar het AB en niet naar de borrel", [], ["algemeen-bestuur", "netwerkborrel"]),
        ("zonder borrel", [], ["netwerkborrel"]),
        ("alles behalve het AB", [], ["algemeen-bestuur"]),
        ("Ik ben niet aanwezig bij het AB, wel bij de borrel", ["netwerkborrel"], ["algemeen-bestuur"]),
        ("niet naar de sessie met Ton Heerts, wel naar de sessie van 13.00 uur",
         ["regionale-samenwerking"], ["jeugd-onderwijs-arbeidsmarkt"]),
        ("Niet naar de sessie van 13.00 uur.", [], ["regionale-samenwerking"]),
        ("not the AB, but the drinks", ["netwerkborrel"], ["algemeen-bestuur"]),
        ("the drinks instead of the general board", ["netwerkborrel"], ["algemeen-bestuur"]),
        # a negation in an earlier clause does not reach a later one
        # a part of the day ruled out rules out its sessions (harmless on a first answer)
        ("Helaas niet in de ochtend. Ik kom naar de sociale pijler.", ["sociale-pijler"], MORNING),
        ("De ochtend lukt mij helaas niet, maar ik kom naar regionale samenwerking.",
         ["regionale-samenwerking"], MORNING),
    ],
)
def test_negation(text: str, want: list[str], not_want: list[str]) -> None:
    """`not_want`: the sessions read as ruled out."""
    assert sorted(chosen(text)) == sorted(want)
    assert sorted(dropped(text)) == sorted(not_want)


def test_negation_needs_the_lexicon() -> None:
    # without negation cues only the trailing drops ("laat ik schieten") count
    ms = find_mentions("niet naar veiligheid", knowledge().event)
    assert [m.negated for m in ms] == [False]


# --- inline answers between quoted lines -----------------------------------------

QUOTED_PROGRAMME = """Beste organisatie,

Mijn keuzes staan hieronder.

> 10.00 - 11.00 uur   Themasessie Mensen tussen wal en schip
> 10.00 - 11.00 uur   Themasessie Jeugd en aansluiting onderwijs-arbeidsmarkt
>                     Met Ton Heerts, voorzitter van de MBO Raad

{a1}

> 11.15 - 12.15 uur   Themagroep Ondernemerschap
> 11.15 - 12.15 uur   Themagroep Financiën

{a2}

> 16.00 - 17.00 uur   Netwerkborrel

{a3}

> Aanmelden via info@G32.nl
"""


def _inline(a1: str, a2: str, a3: str) -> list[tuple[str, bool]]:
    text = QUOTED_PROGRAMME.format(a1=a1, a2=a2, a3=a3)
    return [(m.session, m.negated) for m in inline_mentions(text, knowledge().event, negations())]


def test_inline_affirmations_choose_the_session_just_above() -> None:
    # "Ja, deze graag." under the 10.00 block picks the last session named above it
    assert _inline("Ja, deze graag.", "Hier ook bij.", "Ja.") == [
        ("jeugd-onderwijs-arbeidsmarkt", False), ("financien", False), ("netwerkborrel", False)]


def test_inline_refusals_choose_nothing() -> None:
    assert _inline("Nee, deze niet.", "Hier niet.", "Geen borrel voor mij.") == [("netwerkborrel", True)]


def test_inline_answer_naming_a_session_itself() -> None:
    assert _inline("Ik kies wal en schip.", "Liever Ondernemerschap.", "En natuurlijk de borrel.") == [
        ("wal-en-schip", False), ("ondernemerschap", False), ("netwerkborrel", False)]


def test_no_inline_answers_without_quotes() -> None:
    assert inline_mentions("Ja, deze graag.\nAB en borrel.", knowledge().event) == []


def test_text_after_the_last_quote_is_not_inline() -> None:
    text = "> Themagroep Financiën\n> Netwerkborrel\n\nJa, graag."
    assert inline_mentions(text, knowledge().event) == []


# --- the whole corpus: fuzzy matching finds the known typos and nothing else -------

CORPUS = ROOT / "tests" / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="tests/corpus is missing")
def test_corpus_fuzzy_matches_are_only_the_known_typos() -> None:
    import email
    import email.policy

    from mailbot.core.text import extract

    fuzzy = set()
    for eml in sorted(CORPUS.glob("*/*.eml")):
        msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        # the whole text: new part, quoted invitation, signatures and disclaimers
        for m in find_mentions(extract(msg).text, knowledge().event):
            if m.how == "fuzzy":
                fuzzy.add((m.matched, m.session))
    assert fuzzy == {
        ("themagroep finacien", "financien"),
        ("themagroep ondernemerschp", "ondernemerschap"),
        ("regionale samenwerkng", "regionale-samenwerking"),
    }


# --- a session's word glued to a meeting noun ---------------------------------------------------

@pytest.mark.parametrize(
    ("text", "session"),
    [
        ("Om twee uur ga ik naar de veiligheidsgroep.", "veiligheid"),
        ("Ik sluit aan bij de statushoudersbijeenkomst.", "statushouders"),
        ("Graag de financiensessie.", "financien"),
        ("Voor mij de ondernemerschapstafel.", "ondernemerschap"),
    ],
)
def test_a_session_word_glued_to_a_meeting_noun_names_the_session(text: str, session: str) -> None:
    assert chosen(text) == [session]


@pytest.mark.parametrize("text", ["Onze werkgroep komt later.", "De stuurgroep vergadert.",
                                  "Na de raadsvergadering kom ik."])
def test_meeting_nouns_with_other_words_name_no_session(text: str) -> None:
    assert chosen(text) == []


@pytest.mark.parametrize(
    ("text", "session"),
    [
        ("Om 10.00 uur de themasessie Jeugd.", "jeugd-onderwijs-arbeidsmarkt"),
        ("Ik kies het onderdeel Aansluiting.", "jeugd-onderwijs-arbeidsmarkt"),
        ("Graag de sessie Statushouders.", "statushouders"),
    ],
)
def test_a_meeting_noun_and_a_word_of_one_title_name_that_session(text: str, session: str) -> None:
    assert chosen(text) == [session]


def test_a_title_word_alone_or_shared_by_titles_is_not_enough() -> None:
    from mailbot.core.sessions import title_heads

    heads = title_heads(knowledge().event)
    assert heads["jeugd"] == "jeugd-onderwijs-arbeidsmarkt" and "pijler" not in heads
    assert "sessie" not in heads and "themagroep" not in heads  # the meeting nouns themselves
    assert chosen("De sessie pijler.") == []  # "pijler" belongs to two sessions
