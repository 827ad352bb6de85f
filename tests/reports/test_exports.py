from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import openpyxl
import pytest
from reports_sample import HYPERLINK, LONG_NAME, person, sample_registry

from mailbot.core.types import Registry
from mailbot.reports import exports


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def load_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


# --- CSV ----------------------------------------------------------------------------


def test_csv_has_dutch_headers_all_attendees_and_quotes_commas(registry, knowledge):
    rows = read_csv(exports.to_csv(registry, knowledge))
    assert rows[0] == ["Naam", "Functie", "Gemeente", "E-mail", "Status", "Sessies", "Aangemeld door",
                       "Controleren", "Opmerkingen", "Aanwezig"]
    assert len(rows) == 1 + len(registry.attendees)
    anna = next(r for r in rows if r[0] == "Anna de Vries")
    assert anna[1] == "directeur, VNG" and anna[2] == ""
    chloe = next(r for r in rows if r[0] == "Chloë Mulder")
    assert chloe[5] == "11.15–12.15 Themagroep Financiën; 16.00–17.00 Netwerkborrel"


def test_csv_neutralises_formulas(registry, knowledge):
    rows = read_csv(exports.to_csv(registry, knowledge))
    names = [r[0] for r in rows[1:]]
    assert "'" + HYPERLINK in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_csv_bytes_are_utf8_with_bom_and_crlf(registry, knowledge):
    data = exports.csv_bytes(registry, knowledge)
    assert data.startswith(b"\xef\xbb\xbfNaam;Functie;Gemeente;")
    assert "Chloë".encode() in data
    assert b"\r\n" in data
    assert read_csv(data.decode("utf-8-sig")) == read_csv(exports.to_csv(registry, knowledge))


def test_csv_per_session(registry, knowledge):
    rows = read_csv(exports.to_csv(registry, knowledge, session_id="financien"))
    assert rows[0] == ["Naam", "Functie", "Gemeente", "E-mail", "Aangemeld door", "Controleren", "Opmerkingen",
                       "Aanwezig"]
    assert [r[0] for r in rows[1:]] == ["'" + HYPERLINK, "Chloë Mulder"]


def test_unknown_session_raises_keyerror(registry, knowledge):
    with pytest.raises(KeyError):
        exports.to_csv(registry, knowledge, session_id="nope")


# --- XLSX ---------------------------------------------------------------------------


def test_xlsx_sheets_rows_and_layout(registry, knowledge):
    wb = load_xlsx(exports.to_xlsx(registry, knowledge))
    assert wb.sheetnames == ["Alle deelnemers", "Mensen tussen wal en schip", "Financiën", "Veiligheid",
                             "Netwerkborrel"]
    ws = wb["Alle deelnemers"]
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert values[0][:3] == ["Naam", "Functie", "Gemeente"]
    assert len(values) == 1 + len(registry.attendees)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:J{len(values)}"  # J: Aanwezig
    assert ws.column_dimensions["A"].width >= len(LONG_NAME)
    assert ws.column_dimensions["B"].width >= len("Functie")

    fin = wb["Financiën"]
    assert [[c.value for c in r][0] for r in fin.iter_rows()] == [
        "Naam", "'" + HYPERLINK, "Chloë Mulder", "Totaal: 2 aangemeld (capaciteit 1)"]
    assert fin.auto_filter.ref == "A1:H3" and fin.freeze_panes == "A2"  # the totals row stays out of it
    veiligheid = wb["Veiligheid"]
    assert [r[0].value for r in veiligheid.iter_rows()] == ["Naam", "Totaal: 0 aangemeld"]
    assert [r[0].value for r in wb["Netwerkborrel"].iter_rows(min_row=2)] == [
        LONG_NAME, "Chloë Mulder", "Anna de Vries", "Totaal: 3 aangemeld"]


def test_xlsx_formula_is_text(registry, knowledge):
    wb = load_xlsx(exports.to_xlsx(registry, knowledge))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    cell = next(c for c in wb["Alle deelnemers"]["A"] if c.value and "HYPERLINK" in c.value)
    assert cell.value == "'" + HYPERLINK and cell.data_type == "s"


def test_xlsx_single_session(registry, knowledge):
    wb = load_xlsx(exports.to_xlsx(registry, knowledge, session_id="wal-en-schip"))
    assert wb.sheetnames == ["Mensen tussen wal en schip"]
    assert [r[0].value for r in wb.active.iter_rows(min_row=2)] == ["Ruben Aydın", "Totaal: 1 aangemeld (capaciteit 2)"]


def test_xlsx_survives_control_characters(knowledge):
    reg = Registry((person("x", "Kees\x01 \x1b[31mRood", "wethouder", "zwolle"),))
    wb = load_xlsx(exports.to_xlsx(reg, knowledge))
    assert wb["Alle deelnemers"]["A2"].value == "Kees [31mRood"


@pytest.mark.parametrize(("title", "expected"), [
    ("Themagroep Financiën", "Financiën"),
    ("Themasessie Mensen tussen wal en schip", "Mensen tussen wal en schip"),
    ("Themagroep Veiligheid / platform stedelijke veiligheid", "Veiligheid"),
    ("Themasessie Jeugd en aansluiting onderwijs-arbeidsmarkt", "Jeugd en aansluiting…"),
    ("Themagroep Sluitend aanbod van wonen, welzijn en zorg", "Sluitend aanbod van wonen…"),
    ("Doorstart themagroep Statushouders", "Statushouders"),
    ("Themagroep", "Themagroep"),
    ("Wat? [AB]: *nu*", "Wat- -AB-- -nu-"),
    ("Eenheellangwoordzonderspatieswaarhetnietpast", "Eenheellangwoordzonderspatiesw…"),
])
def test_sheet_title(title, expected):
    name = exports.sheet_title(title, set())
    assert name == expected and len(name) <= 31


def test_sheet_title_is_unique():
    taken = {"Alle deelnemers"}
    assert exports.sheet_title("Netwerkborrel", taken) == "Netwerkborrel"
    assert exports.sheet_title("netwerkborrel", taken) == "netwerkborrel (2)"
    assert exports.sheet_title("Alle deelnemers", taken) == "Alle deelnemers (2)"
    long = "Themasessie " + "x" * 40
    first, second = exports.sheet_title(long, taken), exports.sheet_title(long, taken)
    assert first != second and len(second) <= 31 and second.endswith("(2)")


def test_xlsx_sheet_names_valid_for_many_similar_sessions(knowledge):
    from dataclasses import replace
    from datetime import time

    from mailbot.core.types import Session

    sessions = tuple(Session(f"s{i}", "Themagroep Sociaal domein en de transformatie van de zorg",
                             time(10), time(11)) for i in range(3))
    k = replace(knowledge, event=replace(knowledge.event, sessions=sessions))
    wb = load_xlsx(exports.to_xlsx(Registry(), k))
    assert len(set(wb.sheetnames)) == 4
    assert all(len(n) <= 31 for n in wb.sheetnames)


# --- JSON and text ------------------------------------------------------------------


def test_json(registry, knowledge):
    doc = json.loads(exports.to_json(registry, knowledge))
    assert doc["event"] == "G32 netwerkdag" and doc["date"] == "2017-11-30" and doc["session"] is None
    assert len(doc["attendees"]) == len(registry.attendees)
    fin = next(s for s in doc["sessions"] if s["id"] == "financien")
    assert fin == {"id": "financien", "title": "Themagroep Financiën", "start": "11.15", "end": "12.15",
                   "capacity": 1, "registered": 2}
    assert doc["attendees"][0]["name"] == HYPERLINK  # JSON is data, not a spreadsheet

    one = json.loads(exports.to_json(registry, knowledge, session_id="financien"))
    assert one["session"] == "financien" and [s["id"] for s in one["sessions"]] == ["financien"]
    assert [a["name"] for a in one["attendees"]] == [HYPERLINK, "Chloë Mulder"]


def test_text_table_is_aligned_with_multiline_sessions(registry, knowledge):
    text = exports.to_text(registry, knowledge)
    lines = text.splitlines()
    assert lines[0] == "G32 netwerkdag, donderdag 30 november 2017: 5 aangemeld, 7 in totaal"
    header = next(x for x in lines if x.startswith("Naam"))
    col = header.index("Gemeente")
    chloe = next(x for x in lines if x.startswith("Chloë Mulder"))
    assert chloe[col:].startswith("Zwolle")
    assert "11.15–12.15 Themagroep Financiën" in chloe
    follow = lines[lines.index(chloe) + 1]
    assert follow.strip() == "16.00–17.00 Netwerkborrel"
    assert follow.index("16.00") == header.index("Sessies")
    for name in ("Ruben Aydın", LONG_NAME, "Anna de Vries", "Piet Jansen"):
        assert name in text
    assert "Aantallen per sessie" in text
    fin = next(x for x in lines if "Themagroep Financiën" in x and x.startswith("11.15"))
    assert fin.split()[-4:] == ["2", "1", "-1", "(vol)"]


def test_text_single_session(registry, knowledge):
    text = exports.to_text(registry, knowledge, session_id="financien")
    assert text.startswith("Themagroep Financiën (11.15–12.15): 2 aangemeld, capaciteit 1 (VOL")
    assert "Chloë Mulder" in text and "Ruben Aydın" not in text and "Jan Bakker" not in text
    empty = exports.to_text(registry, knowledge, session_id="veiligheid")
    assert "Nog niemand aangemeld" in empty


def test_text_empty_registry_and_hostile_names(knowledge):
    assert "Nog geen deelnemers." in exports.to_text(Registry(), knowledge)
    reg = Registry((person("x", "Kees\x1b]0;pwned\x07 Rood", "wethouder", "zwolle"),))
    out = exports.to_text(reg, knowledge)
    assert "\x1b" not in out and "\x07" not in out


def test_text_width_counts_combining_and_wide_characters():
    out = exports.text_table(("A", "B"), [("e\u0301e", "x"), ("日本", "y")])
    lines = out.splitlines()
    col = exports._width(lines[0][:lines[0].index("B")])
    assert exports._width(lines[2][:lines[2].index("x")]) == col
    assert exports._width(lines[3][:lines[3].index("y")]) == col
    assert exports._width("日本") == 4 and exports._width("e\u0301") == 1


# --- arrival, organisations and print setup (the office's Excel) ---------------------------

ARRIVALS = {"chloe": datetime(2017, 11, 30, 8, 5, tzinfo=UTC), "ruben": datetime(2017, 11, 29, 16, 0)}


def test_csv_shows_local_arrival_time_and_organisation(knowledge):
    reg = Registry((*sample_registry().attendees,
                    person("bzk", "Bram Zijlstra", "directeur", None, organisation="BZK")))
    rows = read_csv(exports.to_csv(reg, knowledge, arrivals=ARRIVALS))
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Chloë Mulder"][-1] == "09.05"  # 08.05 UTC on the day, in Lelystad
    assert by_name["Ruben Aydın"][-1] == "29-11-2017 17.00"  # a naive time is UTC; another day names it
    assert by_name["Anna de Vries"][-1] == ""
    assert by_name["Bram Zijlstra"][2] == "BZK"


def test_csv_cells_with_the_separator_stay_one_cell(registry, knowledge):
    rows = read_csv(exports.to_csv(registry, knowledge))
    chloe = next(r for r in rows if r[0] == "Chloë Mulder")
    assert len(chloe) == len(rows[0])
    assert chloe[5] == "11.15–12.15 Themagroep Financiën; 16.00–17.00 Netwerkborrel"


def test_xlsx_print_setup_on_every_sheet(registry, knowledge):
    wb = load_xlsx(exports.to_xlsx(registry, knowledge))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.print_title_rows == "$1:$1"  # the header row on every printed page
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert "G32 netwerkdag" in ws.oddHeader.center.text


def test_xlsx_totals_row_counts_who_came(registry, knowledge):
    wb = load_xlsx(exports.to_xlsx(registry, knowledge, arrivals=ARRIVALS))
    borrel = [[c.value for c in r] for r in wb["Netwerkborrel"].iter_rows()]
    assert borrel[0][-1] == "Aanwezig"
    assert borrel[-1][0] == "Totaal: 3 aangemeld" and borrel[-1][-1] == 1  # Chloë came
    assert wb["Netwerkborrel"][len(borrel)][0].font.bold
    chloe = next(r for r in borrel if r[0] == "Chloë Mulder")
    assert chloe[-1] == "09.05"


def test_json_has_arrival_in_utc(registry, knowledge):
    doc = json.loads(exports.to_json(registry, knowledge, arrivals=ARRIVALS))
    by_name = {a["name"]: a for a in doc["attendees"]}
    assert by_name["Chloë Mulder"]["arrived_at"] == "2017-11-30T08:05:00+00:00"
    assert by_name["Anna de Vries"]["arrived_at"] is None
