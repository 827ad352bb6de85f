"""The printouts for the day itself: A4 PDFs with the event's name and date on every page."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reports_sample import HYPERLINK, LONG_NAME, person, sample_registry

from mailbot.core.types import Registry
from mailbot.reports import printouts

A4 = (595, 842)


def pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    for p in reader.pages:
        assert (round(float(p.mediabox.width)), round(float(p.mediabox.height))) == A4
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def with_non_members() -> Registry:
    return Registry((
        *sample_registry().attendees,
        person("bzk1", "Bram Zijlstra", "directeur", None, organisation="BZK", sessions=("netwerkborrel",)),
        person("bzk2", "Aart Bos", "adviseur", None, organisation="BZK"),
        person("vng", "Vera Nijland", "beleidsmedewerker", None, organisation="VNG",
               sessions=("financien",), remarks=("dieetwens: vegetarisch",)),
    ))


def test_presence_groups_municipalities_then_organisations_then_the_rest(knowledge):
    groups = printouts.presence_groups(with_non_members(), knowledge)
    assert [(g.heading, [r.name for r in g.rows]) for g in groups] == [
        ("Gemeente Almere", [HYPERLINK, "Ruben Aydın"]),
        ("Gemeente Sittard-Geleen", [LONG_NAME]),
        ("Gemeente Zwolle", ["Chloë Mulder"]),  # Piet declined, Jan cancelled: not on the list
        ("BZK", ["Aart Bos", "Bram Zijlstra"]),
        ("VNG", ["Vera Nijland"]),
        ("Overige deelnemers", ["Anna de Vries"]),
    ]


def test_presence_pdf_has_names_signature_column_event_and_date(knowledge):
    text = " ".join(pages(printouts.presence_pdf(with_non_members(), knowledge)))
    for name in ("Ruben Aydın", "Chloë Mulder", "Bram Zijlstra", "Vera Nijland", "Anna de Vries"):
        assert name in text
    assert text.count("Handtekening") == 6  # one table per group
    assert "Presentielijst G32 netwerkdag" in text and "donderdag 30 november 2017" in text
    assert "Gemeente Zwolle" in text and "BZK" in text
    assert "Piet Jansen" not in text


def test_presence_pdf_without_attendees_still_prints(knowledge):
    assert "Nog niemand aangemeld" in pages(printouts.presence_pdf(Registry(), knowledge))[0]


def test_sessions_pdf_one_page_per_session_for_the_chair(knowledge):
    result = pages(printouts.sessions_pdf(with_non_members(), knowledge))
    assert len(result) == 4  # programme order: 10.00, 11.15, 14.00, 16.00
    assert result[0].startswith("Lijst voor de voorzitter · G32 netwerkdag · donderdag 30 november 2017")
    fin = result[1]
    assert "Themagroep Financiën" in fin and "11.15–12.15" in fin
    assert "3 deelnemers aangemeld (capaciteit 1)" in fin
    assert "Chloë Mulder Zwolle" in fin and "Vera Nijland VNG dieetwens: vegetarisch" in fin
    assert "Jan Bakker" not in fin  # cancelled
    assert "Nog niemand aangemeld voor deze sessie" in result[2]
    assert "Bram Zijlstra BZK" in result[3]


def test_sessions_pdf_of_one_session_with_its_waiting_list(knowledge):
    reg = Registry((person("w", "Wim Wachter", "wethouder", "zwolle", waitlist=frozenset({"financien"})),
                    person("c", "Chloë Mulder", "wethouder", "zwolle", sessions=("financien",))))
    [page] = pages(printouts.sessions_pdf(reg, knowledge, session_id="financien"))
    assert "1 deelnemer aangemeld" in page
    assert "Wachtlijst (1)" in page and page.index("Wim Wachter") > page.index("Wachtlijst")


def test_printouts_without_dejavu_transliterate(knowledge, tmp_path):
    text = " ".join(pages(printouts.presence_pdf(sample_registry(), knowledge, font_dir=tmp_path)))
    assert "Ruben Aydin" in text and "Chloë Mulder" in text and "Handtekening" in text
