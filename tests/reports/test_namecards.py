from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reports_sample import HYPERLINK, LONG_NAME, person

from mailbot.core.types import Registry
from mailbot.reports import namecards

REGISTERED = [HYPERLINK, "Ruben Aydın", LONG_NAME, "Chloë Mulder", "Anna de Vries"]  # by municipality


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text with whitespace collapsed (a wrapped name becomes one line again)."""
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def test_cards_registered_only_sorted_by_municipality_then_name(registry, knowledge):
    cards = namecards.cards(registry, knowledge)
    assert [c.name for c in cards] == REGISTERED
    by_name = {c.name: c for c in cards}
    assert by_name["Chloë Mulder"].subtitle == "Wethouder · Gemeente Zwolle"
    assert by_name["Ruben Aydın"].subtitle == "Burgemeester · Gemeente Almere"
    assert by_name["Anna de Vries"].subtitle == "Directeur, VNG"  # no municipality: the role only
    assert by_name["Chloë Mulder"].footer == "G32 netwerkdag · donderdag 30 november 2017"


def test_subtitle_variants():
    assert namecards.subtitle(None, "Zwolle") == "Gemeente Zwolle"
    assert namecards.subtitle(None, None) == ""
    assert namecards.subtitle("commissaris van de koning", None) == "Commissaris van de koning"


def test_pdf_one_page_per_attendee_with_full_names_in_order(registry, knowledge):
    data = namecards.namecards_pdf(registry, knowledge)
    assert data.startswith(b"%PDF")
    pages = pdf_pages(data)
    assert len(pages) == len(REGISTERED)
    for name, text in zip(REGISTERED, pages, strict=True):
        assert name in text, (name, text)
        assert text.count("G32 netwerkdag · donderdag 30 november 2017") == 2  # both faces
    assert "Wethouder · Gemeente Zwolle" in pages[3]
    assert "Piet Jansen" not in " ".join(pages) and "Jan Bakker" not in " ".join(pages)


def test_pdf_uses_dejavu_when_present(registry, knowledge):
    if not (namecards.DEJAVU_DIR / "DejaVuSans.ttf").is_file():
        pytest.skip("fonts-dejavu-core is not installed")
    data = namecards.namecards_pdf(registry, knowledge)
    assert b"DejaVuSans" in data
    assert "Ruben Aydın" in pdf_pages(data)[1]


def test_pdf_falls_back_to_helvetica_and_transliterates(registry, knowledge, tmp_path):
    data = namecards.namecards_pdf(registry, knowledge, font_dir=tmp_path)  # no fonts there
    assert b"Helvetica" in data and b"DejaVu" not in data
    pages = pdf_pages(data)
    assert len(pages) == len(REGISTERED)
    assert "Ruben Aydin" in pages[1]  # ı is not in WinAnsi
    assert "Chloë Mulder" in pages[3]  # ë is
    assert LONG_NAME in pages[2]


def test_printable_fallback():
    helvetica = namecards.Fonts("Helvetica", "Helvetica-Bold", False)
    assert namecards.printable("Łukasz Żółć Aydın Ševčík Ørsted", helvetica) == "Lukasz Zólc Aydin Ševcík Ørsted"
    assert namecards.printable("日本", helvetica) == "??"
    dejavu = namecards.Fonts("DejaVuSans", "DejaVuSans-Bold", True)
    assert namecards.printable("Aydın\x1b[1m", dejavu) == "Aydın[1m"


@pytest.mark.parametrize("font", ["Helvetica-Bold"])
def test_fit_name_short_long_and_unbreakable(font):
    width = 500.0
    lines, size = namecards.fit_name("Jan Smit", font, width)
    assert lines == ("Jan Smit",) and size == namecards.NAME_MAX

    lines, size = namecards.fit_name(LONG_NAME, font, width)
    assert len(lines) == 2 and " ".join(lines) == LONG_NAME
    assert all(stringWidth(x, font, size) <= width + 1e-6 for x in lines)
    one_line = width / stringWidth(LONG_NAME, font, 1)
    assert size > one_line  # wrapping made it larger than one shrunken line

    word = "X" * 80
    lines, size = namecards.fit_name(word, font, width)
    assert lines == (word,) and stringWidth(word, font, size) <= width + 1e-6


def test_no_registered_attendees_is_an_error(knowledge):
    reg = Registry((person("p", "Piet Jansen", "wethouder", "zwolle", status="declined"),))
    assert namecards.cards(reg, knowledge) == ()
    with pytest.raises(ValueError):
        namecards.namecards_pdf(reg, knowledge)


def test_pdf_is_reproducible(registry, knowledge):
    assert namecards.namecards_pdf(registry, knowledge) == namecards.namecards_pdf(registry, knowledge)


def test_non_member_card_shows_the_organisation(knowledge):
    reg = Registry((person("bzk", "Bram Zijlstra", "directeur", None, organisation="BZK"),
                    person("vng", "Vera Nijland", "directeur, VNG", None, organisation="VNG")))
    subtitles = {c.name: c.subtitle for c in namecards.cards(reg, knowledge)}
    assert subtitles == {"Bram Zijlstra": "Directeur · BZK", "Vera Nijland": "Directeur, VNG"}
    assert "Directeur · BZK" in pdf_pages(namecards.namecards_pdf(reg, knowledge))[0]


def test_cards_of_chosen_keys_only(registry, knowledge):
    chosen = namecards.cards(registry, knowledge, keys={"anna", "ruben", "piet"})  # piet declined
    assert [(c.key, c.name) for c in chosen] == [("ruben", "Ruben Aydın"), ("anna", "Anna de Vries")]
    assert len(pdf_pages(namecards.namecards_pdf(registry, knowledge, keys={"anna"}))) == 1
