"""`mailbot attendees`, `mailbot namecards` and `mailbot printouts` end to end, through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config.toml"
CASES = ("019", "020", "021")
NOW = "2017-11-16T09:00:00+01:00"
# From the cases' expected.json: who registers, and who chose Financiën.
NAMES = ["Esther Scholten", "Inge Ruiters", "Noor Hoekstra", "Carla de Graaf", "Thijs Terpstra",
         "Niels de Bruijn"]


def case_file(number: str) -> Path:
    for base in (ROOT / "tests" / "corpus", Path("/work/shared/corpus/cases")):
        found = sorted(base.glob(f"{number}-*/1.eml"))
        if found:
            return found[0]
    pytest.skip(f"corpus case {number} not found")


def mailbot(storage: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "mailbot", "--config", str(CONFIG), "--storage", str(storage),
         "--now", NOW, *args],
        capture_output=True, cwd=storage, timeout=120,
    )
    if check:
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports-cli")
    proc = mailbot(path, "ingest", *(str(case_file(n)) for n in CASES))
    assert proc.stderr.decode().count(": verwerkt") == len(CASES), proc.stderr.decode()
    return path


def test_attendees_table_lists_everyone(storage):
    out = mailbot(storage, "attendees").stdout.decode()
    for name in NAMES:
        assert name in out
    assert out.splitlines()[0].startswith("G32 netwerkdag, donderdag 30 november 2017: 6 aangemeld")
    assert "Naam" in out and "Gemeente" in out and "Aantallen per sessie" in out
    assert "Leiden" in out and "Themagroep Financiën" in out


def test_attendees_session_csv_lists_only_that_session(storage):
    out = mailbot(storage, "attendees", "--session", "financien", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][0] == "Naam" and rows[0][-1] == "Aanwezig"
    assert [r[0] for r in rows[1:]] == ["Esther Scholten"]


def test_attendees_json_and_session_table(storage):
    doc = json.loads(mailbot(storage, "attendees", "--format", "json").stdout)
    assert sorted(a["name"] for a in doc["attendees"]) == sorted(NAMES)
    counts = {s["id"]: s["registered"] for s in doc["sessions"]}
    assert counts["algemeen-bestuur"] == 3 and counts["netwerkborrel"] == 3

    out = mailbot(storage, "attendees", "--session", "netwerkborrel").stdout.decode()
    assert out.startswith("Netwerkborrel (16.00–17.00): 3 aangemeld")
    assert "Esther Scholten" not in out and "Niels de Bruijn" in out


def test_attendees_xlsx_and_csv_files(storage):
    xlsx = storage / "deelnemers.xlsx"
    mailbot(storage, "attendees", "--format", "xlsx", "--out", str(xlsx))
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[0] == "Alle deelnemers" and "Financiën" in wb.sheetnames
    assert len(wb.sheetnames) == 13
    assert wb["Alle deelnemers"].max_row == 1 + len(NAMES)

    path = storage / "financien.csv"
    proc = mailbot(storage, "attendees", "--session", "financien", "--format", "csv", "--out", str(path))
    assert proc.stdout == b""
    assert path.read_bytes().startswith(b"\xef\xbb\xbfNaam;")


def test_xlsx_needs_out(storage):
    proc = mailbot(storage, "attendees", "--format", "xlsx", check=False)
    assert proc.returncode == 2 and b"--out" in proc.stderr


def test_unknown_session_lists_valid_ids(storage):
    proc = mailbot(storage, "attendees", "--session", "finance", check=False)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "onbekende sessie 'finance'" in err and "financien" in err and "netwerkborrel" in err


def test_namecards_writes_pdf(storage):
    pdf = storage / "x.pdf"
    proc = mailbot(storage, "namecards", "--out", str(pdf))
    assert "naamkaarten: 6 kaarten geschreven" in proc.stdout.decode()
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages]
    assert len(pages) == len(NAMES)
    # Alkmaar, Apeldoorn (Inge, Noor), Leiden (Carla, Niels, Thijs).
    expected = ["Esther Scholten", "Inge Ruiters", "Noor Hoekstra", "Carla de Graaf", "Niels de Bruijn",
                "Thijs Terpstra"]
    for name, text in zip(expected, pages, strict=True):
        assert name in text
    assert "Burgemeester · Gemeente Alkmaar" in pages[0]


def test_namecards_without_attendees_fails(tmp_path):
    proc = mailbot(tmp_path, "namecards", "--out", str(tmp_path / "x.pdf"), check=False)
    assert proc.returncode == 1 and "geen aangemelde deelnemers" in proc.stderr.decode()
    assert not (tmp_path / "x.pdf").exists()


def test_namecards_new_prints_only_cards_not_printed_before(tmp_path):
    mailbot(tmp_path, "ingest", str(case_file("019")))
    first = tmp_path / "eerste.pdf"
    mailbot(tmp_path, "namecards", "--out", str(first), "--by", "anna")
    assert len(PdfReader(first).pages) == 1  # Esther Scholten
    proc = mailbot(tmp_path, "namecards", "--new", "--out", str(tmp_path / "leeg.pdf"), check=False)
    assert proc.returncode == 1 and "geen nieuwe aangemelde deelnemers" in proc.stderr.decode()
    mailbot(tmp_path, "ingest", str(case_file("020")))
    later = tmp_path / "nieuw.pdf"
    proc = mailbot(tmp_path, "namecards", "--new", "--out", str(later))
    assert "2 kaarten" in proc.stdout.decode()
    text = " ".join(p.extract_text() for p in PdfReader(later).pages)
    assert "Esther Scholten" not in text and "Inge Ruiters" in text and "Noor Hoekstra" in text


def test_printouts_presence_and_sessions(storage):
    presence = storage / "presentielijst.pdf"
    proc = mailbot(storage, "printouts", "presence", "--out", str(presence))
    assert "presentielijst: 6 deelnemers" in proc.stdout.decode()
    reader = PdfReader(presence)
    assert (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height))) == (595, 842)
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Handtekening" in text and "Gemeente Leiden" in text
    for name in NAMES:
        assert name in text

    lists = storage / "sessies.pdf"
    mailbot(storage, "printouts", "sessions", "--out", str(lists))
    assert len(PdfReader(lists).pages) == 12
    one = storage / "borrel.pdf"
    proc = mailbot(storage, "printouts", "sessions", "--session", "netwerkborrel", "--out", str(one))
    [page] = PdfReader(one).pages
    assert "3 deelnemers aangemeld" in " ".join(page.extract_text().split())
    bad = mailbot(storage, "printouts", "sessions", "--session", "borrel", "--out", str(one), check=False)
    assert bad.returncode == 2 and "onbekende sessie" in bad.stderr.decode()


def test_printouts_help_is_dutch(storage):
    out = mailbot(storage, "printouts", "--help").stdout.decode()
    assert "Lijsten om af te drukken" in out and "presence" in out and "sessions" in out
