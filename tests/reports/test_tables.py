from __future__ import annotations

import pytest
from reports_sample import HYPERLINK, LONG_NAME, person

from mailbot.core.types import Registry
from mailbot.reports import tables


def names(rows) -> list[str]:
    return [r.name for r in rows]


def test_rows_sorted_by_municipality_then_name_without_municipality_last(registry, knowledge):
    rows = tables.rows(registry, knowledge)
    assert names(rows) == [HYPERLINK, "Ruben Aydın", LONG_NAME, "Chloë Mulder", "Jan Bakker",
                           "Piet Jansen", "Anna de Vries"]
    assert [r.municipality_name for r in rows][-1] is None


def test_row_cells_use_display_names_titles_with_times_and_dutch_labels(registry, knowledge):
    chloe = next(r for r in tables.rows(registry, knowledge) if r.key == "chloe")
    cells = dict(zip([k for k, _ in tables.COLUMNS], chloe.cells(), strict=True))
    assert cells == {
        "name": "Chloë Mulder", "role": "wethouder", "municipality": "Zwolle",
        "email": "chloe@example.nl", "status": "aangemeld",
        "sessions": "11.15–12.15 Themagroep Financiën; 16.00–17.00 Netwerkborrel",
        "registered_by": "", "needs_review": "", "remarks": "",
    }
    evil = next(r for r in tables.rows(registry, knowledge) if r.key == "evil")
    assert evil.cell("needs_review") == "ja"
    piet = next(r for r in tables.rows(registry, knowledge) if r.key == "piet")
    assert piet.cell("status") == "afgemeld" and piet.cell("sessions") == ""
    assert [k for k, _ in tables.SESSION_COLUMNS] == ["name", "role", "municipality", "email",
                                                      "registered_by", "needs_review", "remarks"]


def test_session_filter_keeps_registered_attendees_of_that_session_only(registry, knowledge):
    # Jan Bakker cancelled but still has financien: not on the list.
    assert names(tables.rows(registry, knowledge, session_id="financien")) == [HYPERLINK, "Chloë Mulder"]
    assert names(tables.rows(registry, knowledge, session_id="veiligheid")) == []


def test_status_filter(registry, knowledge):
    assert names(tables.rows(registry, knowledge, statuses=frozenset({"declined", "cancelled"}))) == [
        "Jan Bakker", "Piet Jansen"]


def test_session_lists_in_programme_order(registry, knowledge):
    lists = tables.session_lists(registry, knowledge)
    assert [sl.session.id for sl in lists] == ["wal-en-schip", "financien", "veiligheid", "netwerkborrel"]
    assert names(lists[3].rows) == [LONG_NAME, "Chloë Mulder", "Anna de Vries"]


def test_head_counts_registered_only_against_capacity(registry, knowledge):
    counts = {c.session.id: c for c in tables.head_counts(registry, knowledge)}
    assert counts["financien"].registered == 2
    assert (counts["financien"].capacity, counts["financien"].free, counts["financien"].over) == (1, -1, True)
    assert (counts["wal-en-schip"].registered, counts["wal-en-schip"].free) == (1, 1)
    assert not counts["wal-en-schip"].over
    assert counts["veiligheid"].registered == 0
    assert (counts["netwerkborrel"].registered, counts["netwerkborrel"].capacity,
            counts["netwerkborrel"].free) == (3, None, None)


def test_unknown_session_id_is_shown_by_its_id(knowledge):
    reg = Registry((person("x", "X Y", None, None, sessions=("verdwenen", "financien")),))
    (row,) = tables.rows(reg, knowledge)
    assert [s.label for s in row.sessions] == ["11.15–12.15 Themagroep Financiën", "verdwenen"]


def test_municipality_not_in_knowledge_falls_back_to_slug(knowledge):
    reg = Registry((person("x", "X Y", None, "lelystad"),))
    assert tables.rows(reg, knowledge)[0].municipality_name == "lelystad"


def test_as_dict_keeps_raw_values(registry, knowledge):
    chloe = next(r for r in tables.rows(registry, knowledge) if r.key == "chloe")
    d = chloe.as_dict()
    assert d["municipality"] == "zwolle" and d["municipality_name"] == "Zwolle"
    assert d["status"] == "registered"
    assert d["sessions"][0] == {"id": "financien", "title": "Themagroep Financiën", "start": "11.15",
                                "end": "12.15"}


@pytest.mark.parametrize("text", ["=1+1", "+31 6 1234", "-2", "@SUM(A1)", "\tx", "\rx", "  =1+1",
                                  HYPERLINK])
def test_neutralise_prefixes_formula_text(text):
    assert tables.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Chloë Mulder", "'s-Hertogenbosch", "", "a=b", "e-mail@x.nl"])
def test_neutralise_leaves_ordinary_text(text):
    assert tables.neutralise(text) == text


def test_clean_removes_control_and_bidi_characters():
    assert tables.clean("Evil\x1b[2J Name\x07\u202e") == "Evil[2J Name"
    assert tables.clean("a\tb\rc\nd") == "a b c\nd"
    assert tables.clean("Chloe\u0308") == "Chloë"  # NFC


def test_fold_sorts_accents_with_their_letter():
    assert sorted(["Öztürk", "Oosterhout", "Pieters"], key=tables.fold) == [
        "Oosterhout", "Öztürk", "Pieters"]
