"""Downloads at the HTTP level: every file with its type and name, readable by the tools
the office uses (Excel via openpyxl, CSV with ';', PDF), name-card prints remembered."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import openpyxl
import pytest
from pypdf import PdfReader
from sqlmodel import select

from mailbot import db

# (name, role, municipality, sessions); listed by municipality then name (Alkmaar, Apeldoorn, Leiden).
PEOPLE = [
    ("Esther Scholten", "burgemeester", "alkmaar", ("algemeen-bestuur", "financien")),
    ("Inge Ruiters", "burgemeester", "apeldoorn", ("algemeen-bestuur", "netwerkborrel")),
    ("Noor Hoekstra", "wethouder", "apeldoorn", ("wal-en-schip",)),
    ("Carla de Graaf", "wethouder", "leiden", ("algemeen-bestuur",)),
    ("Niels de Bruijn", "wethouder", "leiden", ("netwerkborrel",)),
    ("Thijs Terpstra", "gemeentesecretaris", "leiden", ("netwerkborrel",)),
]
NAMES = [p[0] for p in PEOPLE]
A4 = (595, 842)


def add(desk, name: str, role: str | None, municipality: str | None, sessions: tuple[str, ...] = (),
        *, organisation: str | None = None, status: str = "registered") -> int:
    """An attendee straight into the store (the page reads what is recorded, however it came)."""
    at = desk.now[0]
    key = name.lower().replace(" ", "-")
    with desk.session() as s, s.begin():
        row = db.Attendee(key=key, name=name, role=role, email=f"{key}@example.nl", municipality=municipality,
                          organisation=organisation, status=status, created_at=at, updated_at=at)
        s.add(row)
        s.flush()
        for sid in sessions:
            s.add(db.AttendeeSession(attendee_id=row.id, session_id=sid, created_at=at))
        return row.id


@pytest.fixture
def filled(desk):
    for person in PEOPLE:
        add(desk, *person)
    add(desk, "Piet Afgemeld", "wethouder", "leiden", status="declined")
    return desk


def filename(response) -> str:
    match = re.search(r'filename="([^"]+)"', response.headers["content-disposition"])
    assert match and response.headers["content-disposition"].startswith("attachment"), response.headers
    return match.group(1)


def pdf_pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    for p in reader.pages:
        assert (round(float(p.mediabox.width)), round(float(p.mediabox.height))) == A4
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def attendee_id(desk, name: str) -> int:
    with desk.session() as s:
        return s.exec(select(db.Attendee.id).where(db.Attendee.name == name)).one()


def read_csv(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_page_links_every_download(filled):
    r = filled.client.get("/downloads")
    assert r.status_code == 200
    for href in ("/downloads/deelnemers.xlsx", "/downloads/deelnemers.csv", "/downloads/presentielijst.pdf",
                 "/downloads/sessielijsten.pdf", "/downloads/deelnemers.csv?sessie=financien",
                 "/downloads/sessielijsten.pdf?sessie=financien"):
        assert f'href="{href}"' in r.text
    assert "6 aangemeld, waarvan 6 nog zonder afgedrukte naamkaart" in r.text
    assert r.text.count('name="sleutel"') == 6


def test_csv_for_dutch_excel(filled):
    r = filled.client.get("/downloads/deelnemers.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert filename(r) == "deelnemers.csv"
    rows = read_csv(r)
    assert rows[0][:3] == ["Naam", "Functie", "Gemeente"] and rows[0][-1] == "Aanwezig"
    status = rows[0].index("Status")
    assert [x[0] for x in rows[1:] if x[status] == "aangemeld"] == NAMES
    assert {x[0]: x[status] for x in rows[1:]}["Piet Afgemeld"] == "afgemeld"
    assert {x[2] for x in rows[1:]} == {"Alkmaar", "Apeldoorn", "Leiden"}


def test_csv_of_one_session(filled):
    r = filled.client.get("/downloads/deelnemers.csv?sessie=financien")
    assert filename(r) == "deelnemers-financien.csv"
    assert [x[0] for x in read_csv(r)[1:]] == ["Esther Scholten"]


def test_unknown_session_goes_back_with_a_notice(filled):
    r = filled.client.get("/downloads/deelnemers.csv?sessie=bestaat-niet")
    assert r.status_code == 200 and "Die sessie bestaat niet" in r.text


def test_xlsx_prints_landscape_with_header_rows_and_session_totals(filled):
    r = filled.client.get("/downloads/deelnemers.xlsx")
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert filename(r) == "deelnemers.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[0] == "Alle deelnemers" and len(wb.sheetnames) == 13
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert [c.value for c in wb["Alle deelnemers"][1]][-1] == "Aanwezig"
    for ws in wb.worksheets[1:]:
        last = [c.value for c in ws[ws.max_row]]
        people = ws.max_row - 2  # header and totals row
        assert last[0].startswith(f"Totaal: {people} aangemeld"), (ws.title, last)
    borrel = wb["Netwerkborrel"]
    assert borrel[borrel.max_row][0].value == "Totaal: 3 aangemeld"


def test_presence_list_pdf_has_everyone_and_a_signature_column(filled):
    r = filled.client.get("/downloads/presentielijst.pdf")
    assert r.headers["content-type"] == "application/pdf" and filename(r) == "presentielijst.pdf"
    text = " ".join(pdf_pages(r.content))
    for name in NAMES:
        assert name in text
    assert "Handtekening" in text
    assert "Gemeente Alkmaar" in text and "Gemeente Leiden" in text
    assert "G32 netwerkdag" in text and "donderdag 30 november 2017" in text


def test_session_lists_one_page_per_session_with_count(filled):
    r = filled.client.get("/downloads/sessielijsten.pdf")
    assert r.headers["content-type"] == "application/pdf" and filename(r) == "sessielijsten.pdf"
    pages = pdf_pages(r.content)
    assert len(pages) == 12
    fin = next(p for p in pages if "Themagroep Financiën" in p)
    assert "1 deelnemer aangemeld" in fin and "Esther Scholten" in fin and "Alkmaar" in fin
    assert "11.15–12.15" in fin and "donderdag 30 november 2017" in fin
    assert "Noor Hoekstra" not in fin

    one = filled.client.get("/downloads/sessielijsten.pdf?sessie=netwerkborrel")
    assert filename(one) == "sessielijst-netwerkborrel.pdf"
    assert len(pdf_pages(one.content)) == 1 and "3 deelnemers aangemeld" in pdf_pages(one.content)[0]


def namecards(desk, which: str, keys: tuple[str, ...] = (), client=None):
    return desk.post("/downloads/naamkaarten", {"welke": which, "sleutel": list(keys)}, client=client)


def test_namecards_all_then_only_new(filled):
    r = namecards(filled, "alle")
    assert r.headers["content-type"] == "application/pdf" and filename(r) == "naamkaarten.pdf"
    assert len(pdf_pages(r.content)) == 6

    nothing = namecards(filled, "nieuw")
    assert nothing.headers["content-type"].startswith("text/html")
    assert "geen nieuwe naamkaarten" in nothing.text

    add(filled, "Saskia de Groot", "wethouder", "zwolle", ("financien",))  # registers later
    new = namecards(filled, "nieuw", client=filled.login("bert"))
    assert filename(new) == "naamkaarten-nieuw.pdf"
    pages = pdf_pages(new.content)
    assert len(pages) == 1 and "Saskia de Groot" in pages[0]
    page = filled.client.get("/downloads").text
    assert "7 aangemeld, waarvan 0 nog zonder afgedrukte naamkaart" in page
    assert "door bert (1 kaart)" in page


def test_namecards_of_a_choice(filled):
    with filled.session() as s:
        keys = {a.name: a.key for a in s.exec(select(db.Attendee)).all()}
    r = namecards(filled, "selectie", (keys["Thijs Terpstra"], keys["Inge Ruiters"]))
    pages = pdf_pages(r.content)
    assert len(pages) == 2 and "Inge Ruiters" in pages[0] and "Thijs Terpstra" in pages[1]
    assert "6 aangemeld, waarvan 4 nog zonder" in filled.client.get("/downloads").text
    assert "Kies eerst" in namecards(filled, "selectie").text


def test_exports_show_who_came(filled):
    filled.now[0] = datetime(2017, 11, 30, 8, 47, tzinfo=UTC)  # 09.47 in Lelystad
    filled.post(f"/aanwezig/{attendee_id(filled, 'Noor Hoekstra')}", {"actie": "aanwezig"})
    rows = read_csv(filled.client.get("/downloads/deelnemers.csv"))
    came = {x[0]: x[-1] for x in rows[1:]}
    assert came["Noor Hoekstra"] == "09.47" and came["Esther Scholten"] == ""
    wb = openpyxl.load_workbook(io.BytesIO(filled.client.get("/downloads/deelnemers.xlsx").content))
    ws = wb["Alle deelnemers"]
    noor = next(row for row in ws.iter_rows(values_only=True) if row[0] == "Noor Hoekstra")
    assert noor[-1] == "09.47"

