"""Sessions named by what the invitation says about them, by number, by time and by part
of the day (mailbot.core.describe, through sessions.find_mentions)."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from mailbot.config import load
from mailbot.core import describe
from mailbot.core.fold import fold, tokenize
from mailbot.core.intent import PhraseBook
from mailbot.core.sessions import find_mentions
from mailbot.core.types import Event, Session

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def knowledge():
    return load(ROOT / "config.toml").knowledge


def chosen(text: str, knowledge) -> set[str]:
    book = PhraseBook(knowledge.lexicon)
    return {m.session for m in find_mentions(text, knowledge.event, book.negation)
            if not m.negated}


# -- word forms ------------------------------------------------------------------------


@pytest.mark.parametrize("a,b", [("financien", "financiele"), ("financieel", "financien"),
                                 ("corporaties", "corporatie"), ("personen", "persoon"),
                                 ("vakantieparken", "vakantiepark")])
def test_inflected_forms_share_a_stem(a, b):
    assert describe.stem(a) == describe.stem(b)


# -- description terms -------------------------------------------------------------------


@pytest.mark.parametrize("text,session", [
    ("Ik schuif aan bij de inleiding van de MBO-raad.", "jeugd-onderwijs-arbeidsmarkt"),
    ("Graag naar het onderdeel over cannabisteelt.", "veiligheid"),
    ("Noteer mij voor het gesprek met De Jonge en Blokhuis.", "sociale-pijler"),
    ("Ik wil graag horen over de Omgevingswet.", "fysieke-pijler"),
    ("Zet mij op de lijst voor Present Your Startup.", "ondernemerschap"),
    ("Ik kom voor de woningcorporaties.", "wonen-welzijn-zorg"),
    ("Aanwezig bij de uitleg over inburgering.", "statushouders"),
    ("Ik blijf voor de slotborrel.", "netwerkborrel"),
])
def test_a_term_of_one_session_names_it(text, session, knowledge):
    assert chosen(text, knowledge) == {session}


def test_a_shared_term_decides_nothing_alone(knowledge):
    # VNG presents in several sessions; the coalition agreement is everywhere
    assert chosen("Ik kom graag voor het verhaal van de VNG.", knowledge) == set()
    assert chosen("Ik ben benieuwd naar het regeerakkoord.", knowledge) == set()


def test_shared_terms_and_a_time_narrow_to_one(knowledge):
    text = "Om kwart over elf ga ik naar de VNG over de financiele gevolgen."
    assert chosen(text, knowledge) == {"financien"}


def test_shared_terms_between_named_sessions_are_read_on_their_own(knowledge):
    text = "Graag voor de VNG-presentatie over de financiele kant van het regeerakkoord en voor de denktank."
    assert chosen(text, knowledge) == {"financien", "regionale-samenwerking"}


def test_everyday_words_greetings_and_places_name_nothing(knowledge):
    for text in ("Beste Erik, ik kom graag.", "Zoals afgesproken verzorg ik de koffie.",
                 "Ik kom uit Sittard-Geleen en Amsterdam.", "Na afloop moet ik direct weg.",
                 "Ik ben er de hele dag niet, ik zit in Brussel."):
        assert chosen(text, knowledge) == set(), text


def test_a_weak_word_needs_support(knowledge):
    # "begroting" alone could be anyone's budget; as the subject of a meeting it names the AB
    assert chosen("Ik moet nog aan de begroting werken.", knowledge) == set()
    assert chosen("Ik kom naar de vergadering over de begroting.", knowledge) == {"algemeen-bestuur"}


# -- numbers ----------------------------------------------------------------------------


def test_session_numbers_in_the_invitations_order(knowledge):
    assert chosen("Graag sessie 4 en 11.", knowledge) == {"financien", "algemeen-bestuur"}
    assert chosen("Nummers 1, 7 en 12 graag.", knowledge) == {"wal-en-schip", "regionale-samenwerking",
                                                             "netwerkborrel"}
    assert chosen("Onderdeel 30 bestaat niet.", knowledge) == set()


def test_a_time_after_sessie_is_no_number(knowledge):
    assert chosen("Ik kom naar de sessie 13.00 uur.", knowledge) == {"regionale-samenwerking"}


def test_numbers_are_numbered_once_in_config_order(knowledge):
    assert [s.number for s in knowledge.event.sessions] == list(range(1, 13))
    assert describe.numbered_programme(knowledge.event)[3].startswith("4. Themagroep Financi")


# -- times and parts of the day -------------------------------------------------------------


@pytest.mark.parametrize("text,at", [("13.00 uur", time(13)), ("om een uur", time(13)),
                                     ("half vier", time(15, 30)), ("kwart over elf", time(11, 15)),
                                     ("14:00", time(14)), ("10u", time(10)), ("om tien uur", time(10))])
def test_times_in_dutch(text, at):
    assert [t for _a, _b, t in describe.parse_times(tokenize(fold(text)))] == [at]


def test_a_time_names_the_session_starting_then(knowledge):
    assert chosen("Ik kom naar de vergadering van half vier.", knowledge) == {"algemeen-bestuur"}


def test_a_time_with_parallel_sessions_names_them_all_so_the_decision_asks(knowledge):
    assert chosen("Ik kom naar de sessie van 11.15 uur.", knowledge) == {
        "ondernemerschap", "financien", "wonen-welzijn-zorg", "statushouders"}


def test_a_time_someone_leaves_or_arrives_names_nothing(knowledge):
    assert chosen("Rond half vier moet ik weg.", knowledge) == set()
    assert chosen("Ik ben er vanaf 13.00 uur.", knowledge) == set()


def test_the_afternoon_names_every_afternoon_session(knowledge):
    got = chosen("Ik kom de hele middag.", knowledge)
    assert got == {"regionale-samenwerking", "veiligheid", "sociale-pijler", "fysieke-pijler",
                   "algemeen-bestuur", "netwerkborrel"}


def test_a_part_of_the_day_yields_to_sessions_named_in_its_slots(knowledge):
    got = chosen("Ik ben er de hele ochtend bij, om tien uur bij de sessie over wal en schip.", knowledge)
    assert "wal-en-schip" in got and "jeugd-onderwijs-arbeidsmarkt" not in got
    assert {"financien", "statushouders"} <= got  # 11.15 still open: the decision asks


def test_when_a_session_is_held_is_not_a_choice_of_the_whole_part(knowledge):
    got = chosen("'s Ochtends ga ik naar Ondernemerschap, 's middags naar de fysieke pijler.", knowledge)
    assert got == {"ondernemerschap", "fysieke-pijler"}


def test_the_whole_day_except_one(knowledge):
    got = chosen("Ik doe overal aan mee, behalve aan de borrel.", knowledge)
    assert "netwerkborrel" not in got and "algemeen-bestuur" in got


# -- an event nobody wrote rules for -------------------------------------------------------


def test_a_made_up_event_is_read_by_its_descriptions_alone():
    event = Event(
        name="Waterschapsdag", day=date(2030, 5, 1), timezone="Europe/Amsterdam", venue="Gemaal De Blocq",
        address="info@example.org", sender_name="X", documents_deadline=datetime(2030, 4, 20),
        sessions=(
            Session("dijken", "Werkgroep A", time(10), time(11), (), None,
                    "Hoogheemraad Pieter Zwanenburg vertelt over dijkversterking en piping langs de Lek.", 1),
            Session("droogte", "Werkgroep B", time(10), time(11), (), None,
                    "Over verzilting, grondwaterstanden en beregeningsverboden met Rijkswaterstaat.", 2),
            Session("lunch", "Afsluiting", time(12), time(13), (), None, "Een hapje en een drankje.", 3),
        ))
    assert {m.session for m in find_mentions("Ik kom voor de verzilting.", event)} == {"droogte"}
    assert {m.session for m in find_mentions("Graag naar Zwanenburg over piping.", event)} == {"dijken"}
    assert {m.session for m in find_mentions("Graag werkgroep 2 en 3.", event)} == {"droogte", "lunch"}
    assert {m.session for m in find_mentions("Ik kom naar de sessie van 10.00 uur.", event)} == {
        "dijken", "droogte"}


# -- later additions: ordinals, programme lines, clauses --------------------------------


def test_ordinals_in_a_list_are_places_in_the_programme(knowledge):
    assert chosen("Ik kies de 3e, de 6e en de 12e.", knowledge) == {"ondernemerschap", "statushouders",
                                                                     "netwerkborrel"}
    assert chosen("Op de 30e kom ik graag.", knowledge) == set()  # a date
    assert chosen("Ik kom naar de tweede sessie.", knowledge) == {"jeugd-onderwijs-arbeidsmarkt"}


def test_a_short_line_that_starts_with_a_time_chooses_that_slot(knowledge):
    assert chosen("13.00 uur (wat daar gepland staat)", knowledge) == {"regionale-samenwerking"}
    assert chosen("15.30 idem", knowledge) == {"algemeen-bestuur"}
    # a line that names its session is read by the name, not the time
    assert chosen("11.15 uur financien", knowledge) == {"financien"}


def test_the_dot_in_a_time_ends_no_clause():
    tokens = tokenize(fold("10.00 jeugd ✔, 11.15 niets"))
    assert describe.clauses(tokens)[0] == (0, 4)


def test_a_clause_pointing_back_that_says_no_rules_out_what_came_before(knowledge):
    got = chosen("Graag de borrel. Het AB ken ik al, daarvoor hoef ik niet te komen.", knowledge)
    assert got == {"netwerkborrel"}


def test_a_no_mark_right_behind_a_session_rules_it_out(knowledge):
    assert chosen("statushouders ✔ (financien ✘)", knowledge) == {"statushouders"}


def test_a_word_cut_short_stands_for_the_title_word_it_begins(knowledge):
    assert chosen("zet me maar op soc. pijler", knowledge) == {"sociale-pijler"}
    assert chosen("graag fin. en het AB", knowledge) == {"financien", "algemeen-bestuur"}
    assert chosen("de overgang van school naar werk.", knowledge) == set()  # a word in its own right


# --- a stretch of the day named by a clock time ---------------------------------------------

@pytest.mark.parametrize(
    ("text", "sessions"),
    [
        # 15.30 and later: the Algemeen Bestuur and the borrel (one session a slot: no question)
        ("Het programma vanaf half vier neem ik ook mee.", {"algemeen-bestuur", "netwerkborrel"}),
        ("Na drie uur blijf ik voor de laatste onderdelen.", {"algemeen-bestuur", "netwerkborrel"}),
    ],
)
def test_a_stretch_of_the_programme_from_a_time_names_its_sessions(text, sessions, knowledge):
    assert chosen(text, knowledge) == sessions


def test_a_stretch_over_parallel_sessions_names_them_all_to_be_asked(knowledge):
    hits = describe.range_hits(tokenize(fold("De onderdelen vanaf twee uur volg ik.")), knowledge.event)
    assert len(hits) == 1 and {"veiligheid", "sociale-pijler", "fysieke-pijler"} <= hits[0].sessions
    assert hits[0].how == "part"  # like "de middag": a slot with parallel sessions is a question


@pytest.mark.parametrize(
    "text",
    [
        "Ik ben er vanaf 09.45 uur.",  # an arrival time, the whole day: no choice of sessions
        "Ik kom vanaf half vier.",  # when someone comes, not which part of the programme
        "Vanaf half vier kan ik helaas niet meer bij de onderdelen zijn.",  # said no
        "De vergadering van de raad duurt tot vier uur.",  # about something else: nobody attends
    ],
)
def test_a_time_range_that_chooses_nothing(text, knowledge):
    assert describe.range_hits(tokenize(fold(text)), knowledge.event) == []
