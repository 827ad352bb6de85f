"""layout.py: answers carried by layout (tables, marks, struck text, the subject line)."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

import pytest
from shipped import knowledge

from mailbot.core import layout
from mailbot.core.text import extract, html_to_text
from mailbot.core.understand import Reading, understand, units

_ids = itertools.count(1)


def event():
    return knowledge().event


def read(text: str) -> list[tuple[str, list[tuple[str, bool]] | None]]:
    """read_units as (unit, [(session, negated)]) pairs; None for text read as sentences."""
    return [(u, None if ms is None else [(m.session, m.negated) for m in ms])
            for u, ms in layout.read_units(text, event(), units)]


def mail(body: str, *, html: str | None = None, subject: str = "RE: Uitnodiging G32 netwerkdag 30 november",
         frm: str = "Esther Scholten <e.scholten@alkmaar.nl>") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = frm
    msg["To"] = "info@G32.nl"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 13 Nov 2017 10:00:00 +0100"
    msg["Message-ID"] = f"<layout-{next(_ids)}@example.nl>"
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def reading(msg: EmailMessage) -> Reading:
    return understand(msg, bytes(msg), knowledge())


def sessions_of(r: Reading) -> dict[str, tuple[list[str], list[str]]]:
    return {p.name: (sorted(p.chosen), sorted(p.dropped)) for p in r.people}


# --- marks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("X", layout.YES), ("x", layout.YES), ("V", layout.YES), ("✓", layout.YES), ("✔", layout.YES),
        ("ja", layout.YES), ("JA!", layout.YES), ("Ja, graag", layout.YES), ("graag", layout.YES),
        ("aanwezig", layout.YES), ("ja (na 11.30)", layout.YES),
        ("nee", layout.NO), ("Nee.", layout.NO), ("-", layout.NO), ("✘", layout.NO), ("helaas niet", layout.NO),
        ("n.v.t.", layout.NO), ("afwezig", layout.NO),
        ("", layout.EMPTY), ("   ", layout.EMPTY),
        ("Algemeen Bestuur, netwerkborrel", layout.TEXT), ("wethouder", layout.TEXT),
        ("als de agenda het toelaat", layout.TEXT), ("ook", layout.TEXT),
    ],
)
def test_a_mark_is_only_a_yes_or_a_no(cell: str, value: str) -> None:
    assert layout.classify_mark(cell) == value


def test_an_arrow_makes_a_pointing_word_a_yes() -> None:
    assert layout.classify_mark("<-- deze") == layout.YES
    assert layout.classify_mark("deze") == layout.TEXT


# --- programme lines -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "sessions", "value"),
    [
        ("Themagroep Financiën: ja", ("financien",), layout.YES),
        ("- Algemeen Bestuur (15.30)   nee", ("algemeen-bestuur",), layout.NO),
        ("14.00 - 15.30 uur  Fysieke Pijler  <== graag", ("fysieke-pijler",), layout.YES),
        ("16.00 uur Netwerkborrel ✔", ("netwerkborrel",), layout.YES),
        ("[x] Doorstart themagroep Statushouders", ("statushouders",), layout.YES),
        ("[ ] Themagroep Ondernemerschap", ("ondernemerschap",), layout.NO),
        ("Algemeen Bestuur en netwerkborrel: ja", ("algemeen-bestuur", "netwerkborrel"), layout.YES),
    ],
)
def test_a_programme_line_with_a_mark_answers_its_session(line: str, sessions: tuple[str, ...], value: str) -> None:
    ans = layout.line_answer(line, event())
    assert ans is not None
    assert (ans.sessions, ans.value) == (sessions, value)


@pytest.mark.parametrize(
    "line",
    [
        "Ik kom graag naar de Fysieke Pijler",  # a sentence: the sentence reader's
        "Themagroep Financiën",  # no mark
        "11.15 - 12.15 uur   Themagroep Financiën",  # the programme itself
        "Netwerkborrel (16.00 - 17.00 uur)",  # a confirmation's list
        "Het Algemeen Bestuur besluit over het lidmaatschap",
        "AB: nee, wel de netwerkborrel",  # two answers in one: a sentence
        "- om 11.15 uur: Themagroep Financiën of Doorstart themagroep Statushouders",
    ],
)
def test_lines_without_a_plain_mark_are_not_answers(line: str) -> None:
    assert layout.line_answer(line, event()) is None


def test_an_empty_box_in_the_quoted_programme_is_the_originals() -> None:
    assert layout.line_answer("[ ] Netwerkborrel", event(), quoted=True) is None
    assert layout.line_answer("[X] Netwerkborrel", event(), quoted=True).value == layout.YES


def test_marks_typed_into_the_quoted_programme() -> None:
    quoted = """> Programma
>
> 11.15 - 12.15 uur   Themagroep Financiën
>                     Presentatie van de VNG
> 11.15 - 12.15 uur   Themagroep Ondernemerschap      ja, deze
> 13.00 - 14.00 uur   Themasessie Regionale samenwerking
> NEE
> 15.30 - 16.00 uur   Algemeen Bestuur  << graag
> 16.00 - 17.00 uur   Netwerkborrel
>> 16.00 - 17.00 uur   Netwerkborrel  <-- ja
> Wij zien u graag in Lelystad.
"""
    got = [(a.sessions, a.value) for a in layout.quoted_answers(quoted, event())]
    assert got == [(("ondernemerschap",), layout.YES), (("regionale-samenwerking",), layout.NO),
                   (("algemeen-bestuur",), layout.YES)]


# --- tables ----------------------------------------------------------------------


def test_a_table_with_a_column_of_marks_per_person() -> None:
    text = """Hieronder de keuzes van onze bestuurders.

Sessie\tWethouder Bakker\tWethouder Smits
Themagroep Financiën\tX\t
Doorstart themagroep Statushouders\t\tv
Fysieke Pijler
Netwerkborrel\tX\tnee
Met vriendelijke groet,"""
    got = read(text)
    assert got[0] == ("Hieronder de keuzes van onze bestuurders.", None)
    assert ("Wethouder Bakker", [("financien", False), ("netwerkborrel", False)]) in got
    assert ("Wethouder Smits", [("statushouders", False), ("netwerkborrel", True)]) in got
    assert got[-1] == ("Met vriendelijke groet,", None)


def test_a_rendered_html_table_with_a_row_of_marks_per_person() -> None:
    html = ("<table><tr><th>Naam</th><th>Algemeen Bestuur</th><th>Netwerkborrel</th></tr>"
            "<tr><td>burgemeester Kuipers</td><td>&#10003;</td><td></td></tr>"
            "<tr><td>wethouder Smits</td><td>nee</td><td>ja</td></tr></table>")
    got = read(html_to_text(html))
    assert got == [("burgemeester Kuipers", [("algemeen-bestuur", False)]),
                   ("wethouder Smits", [("algemeen-bestuur", True), ("netwerkborrel", False)])]


def test_a_table_of_names_and_sessions_written_out_is_left_to_the_sentence_reader() -> None:
    text = "Naam\tSessies\nBert Kuipers\tAlgemeen Bestuur, netwerkborrel\nAnna Smits\tFysieke Pijler"
    assert all(ms is None for _, ms in read(text))


def test_a_ja_nee_list_reads_no_as_not_chosen() -> None:
    text = "Mijn keuzes:\nThemagroep Financiën (11.15): ja\nAlgemeen Bestuur (15.30): nee"
    assert read(text)[1:] == [("Themagroep Financiën (11.15): ja", [("financien", False)]),
                              ("Algemeen Bestuur (15.30): nee", [("algemeen-bestuur", True)])]


# --- strikethrough -----------------------------------------------------------------


def test_html_strikethrough_is_kept_visible() -> None:
    html = '<p><s>Themagroep Financiën</s> en <span style="text-decoration: line-through">AB</span></p>'
    assert html_to_text(html) == "~~Themagroep Financiën~~ en ~~AB~~"


def test_struck_sessions_are_withdrawn_and_html_wins_over_plain() -> None:
    plain = "Graag voor:\n- Themagroep Financiën\n- Fysieke Pijler\n- Netwerkborrel"
    html = "<p>Graag voor:</p><ul><li>Themagroep Financiën</li><li><del>Fysieke Pijler</del></li>" \
           "<li>Netwerkborrel</li></ul>"
    msg = mail(plain, html=html)
    assert "~~Fysieke Pijler~~" in extract(msg).text
    assert sessions_of(reading(msg)) == {"Esther Scholten": (["financien", "netwerkborrel"], ["fysieke-pijler"])}


# --- the subject line ----------------------------------------------------------------


def test_subject_text_drops_prefixes_and_the_quoted_subject() -> None:
    quoted = "Van: G32\nOnderwerp: Uitnodiging G32 netwerkdag 30 november\n\nProgramma"
    assert layout.subject_text("RE: AW: Uitnodiging G32 netwerkdag 30 november - AB en borrel", quoted) \
        == "AB en borrel"
    assert layout.subject_text("Re: Uitnodiging G32 netwerkdag 30 november", quoted) == ""


def test_an_answer_only_in_the_subject_counts() -> None:
    r = reading(mail("Met vriendelijke groet,\nEsther Scholten", subject="Aanmelding: Fysieke Pijler en netwerkborrel"))
    assert sessions_of(r) == {"Esther Scholten": (["fysieke-pijler", "netwerkborrel"], [])}


def test_the_subject_does_not_add_to_a_body_that_names_sessions() -> None:
    r = reading(mail("Ik kom graag naar de netwerkborrel.", subject="Fysieke Pijler"))
    assert sessions_of(r) == {"Esther Scholten": (["netwerkborrel"], [])}


# --- initials standing for people named above ------------------------------------------


def test_initials_of_a_name() -> None:
    assert layout.initials("Jan-Willem de Vries") == {"jwdv", "jdv", "jwv", "jv"}
    assert layout.initials_in("J.d.V. + SV", {"a": "Jan-Willem de Vries", "b": "Sander Visser"}) == ("a", "b")
    assert layout.initials_in("zie bijlage", {"a": "Jan-Willem de Vries"}) == ()


def test_initials_in_the_quoted_programme_answer_for_the_people_named() -> None:
    body = """Namens de burgemeester en de wethouder: Esther Scholten (ES) en Jeroen Smits (JS) komen beiden.
Zie de initialen in het programma hieronder.

Van: G32 [mailto:info@G32.nl]
Verzonden: donderdag 2 november 2017 09:30
Onderwerp: Uitnodiging G32 netwerkdag 30 november

11.15 - 12.15 uur   Themagroep Financiën   ES
14.00 - 15.30 uur   Fysieke Pijler   JS
16.00 - 17.00 uur   Netwerkborrel   ES, JS
"""
    r = reading(mail(body, frm="Bestuurssecretariaat Alkmaar <bestuurssecretariaat@alkmaar.nl>"))
    got = {p.name: sorted(p.chosen) for p in r.people}
    assert got == {"Esther Scholten": ["financien", "netwerkborrel"], "Jeroen Smits": ["fysieke-pijler", "netwerkborrel"]}
