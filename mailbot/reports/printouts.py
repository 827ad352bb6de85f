"""Print-ready lists for the day itself, as A4 PDFs (reportlab): pure functions of the
registry and the knowledge that return the PDF's bytes.

- presence_pdf: a presence list per municipality with a wide signature column
  (the board's decisions need proof of who was there); non-members are grouped
  per organisation, people with neither come last.
- sessions_pdf: one page per session for its chair: title, time, room when the
  session has one, the count, and the names with municipality or organisation
  and remarks (diet, access, arriving late) the chair should know.

Every page carries the event's name and date. Fonts are those of the name cards
(DejaVu Sans when installed, else Helvetica with transliteration).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from mailbot.core.types import Knowledge, Registry
from mailbot.mail.compose import dutch_date, hhmm
from mailbot.reports import tables
from mailbot.reports.namecards import DEJAVU_DIR, Fonts, load_fonts, printable
from mailbot.reports.tables import Row, SessionList

MM = 72 / 25.4
MARGIN = 16 * MM
SIGN_PADDING = 4.5 * MM  # above and below a name: room for a signature
OTHERS = "Overige deelnemers"


@dataclass(frozen=True)
class Group:
    """The people of one municipality or organisation on the presence list."""

    heading: str  # "Gemeente Zwolle", "VNG", "Overige deelnemers"
    rows: tuple[Row, ...]


def presence_groups(registry: Registry, knowledge: Knowledge) -> tuple[Group, ...]:
    """Registered attendees per municipality (by name), then per organisation, then the rest."""
    rows = tables.rows(registry, knowledge, statuses=frozenset({"registered"}))
    by_place: dict[tuple[int, str], list[Row]] = {}
    headings: dict[tuple[int, str], str] = {}
    for r in rows:
        if r.municipality:
            name = r.municipality_name or r.municipality
            key, heading = (0, tables.fold(name)), f"Gemeente {name}"
        elif r.organisation:
            key, heading = (1, tables.fold(r.organisation)), r.organisation
        else:
            key, heading = (2, ""), OTHERS
        by_place.setdefault(key, []).append(r)
        headings.setdefault(key, heading)
    return tuple(Group(headings[k], tuple(by_place[k])) for k in sorted(by_place))


def session_room(session) -> str:
    """The session's room, for a configuration that names one (none does today)."""
    return str(getattr(session, "room", "") or "")


# --- shared layout -----------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    fonts: Fonts
    title: object
    subtitle: object
    heading: object
    cell: object
    cell_bold: object
    small: object


def _styles(fonts: Fonts) -> Styles:
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("cell", fontName=fonts.regular, fontSize=10, leading=12.5)
    return Styles(
        fonts=fonts,
        title=ParagraphStyle("title", parent=base, fontName=fonts.bold, fontSize=18, leading=22,
                             spaceAfter=2 * MM),
        subtitle=ParagraphStyle("subtitle", parent=base, fontSize=11, leading=14, spaceAfter=4 * MM),
        heading=ParagraphStyle("heading", parent=base, fontName=fonts.bold, fontSize=13, leading=16,
                               spaceBefore=5 * MM, spaceAfter=2 * MM, keepWithNext=1),
        cell=base,
        cell_bold=ParagraphStyle("cell_bold", parent=base, fontName=fonts.bold),
        small=ParagraphStyle("small", parent=base, fontSize=9, leading=11),
    )


def _p(text: str, style, fonts: Fonts):
    """A paragraph of hostile text: cleaned, made printable, XML-escaped."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(printable(text, fonts)), style)


def _table(header: Sequence[str], body: Sequence[Sequence[object]], widths: Sequence[float],
           st: Styles, *, padding: float = 3):
    """A table with a bold header row repeated on each page and light rules between rows;
    `padding` above and below each body row (a long name still grows its row)."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data = [[_p(h, st.cell_bold, st.fonts) for h in header], *body]
    t = Table(data, colWidths=list(widths), repeatRows=1)
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 1), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 1), (-1, -1), padding),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.93, 0.95)),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.Color(0.6, 0.62, 0.66)),
        ("BOX", (0, 0), (-1, -1), 0.5, colors.Color(0.6, 0.62, 0.66)),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return t


def _render(story: list, *, title: str, running: str, fonts: Fonts) -> bytes:
    """A4 portrait; every page says what it is and for which event and date, and its number."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 8.5)
        canvas.setFillGray(0.35)
        w, h = A4
        canvas.drawString(MARGIN, h - 10 * MM, printable(running, fonts))
        canvas.drawRightString(w - MARGIN, 9 * MM, f"Pagina {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=printable(title, fonts),
                            author="mailbot", subject=printable(running, fonts), invariant=1)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()


def _event_line(knowledge: Knowledge) -> str:
    ev = knowledge.event
    return f"{ev.name} · {dutch_date(ev.day)}"


def _where(r: Row) -> str:
    return r.municipality_name or r.organisation or ""


# --- presence list -----------------------------------------------------------------------


def presence_pdf(registry: Registry, knowledge: Knowledge, *,
                 font_dir: Path | None = DEJAVU_DIR) -> bytes:
    """The presence list: per municipality (or organisation) its registered attendees with
    name, role and an empty 'Handtekening' column to sign."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import KeepTogether, Paragraph

    fonts = load_fonts(font_dir)
    st = _styles(fonts)
    ev = knowledge.event
    usable = A4[0] - 2 * MARGIN
    widths = (0.36 * usable, 0.24 * usable, 0.40 * usable)
    story: list = [
        _p(f"Presentielijst {ev.name}", st.title, fonts),
        _p(f"{dutch_date(ev.day)}, {ev.venue}. Wilt u tekenen naast uw naam?", st.subtitle, fonts),
    ]
    groups = presence_groups(registry, knowledge)
    if not groups:
        story.append(Paragraph("Nog niemand aangemeld.", st.cell))
    for g in groups:
        body = [[_p(r.name, st.cell, fonts), _p(r.role or "", st.cell, fonts), ""] for r in g.rows]
        count = f" ({len(g.rows)})" if len(g.rows) > 1 else ""
        story.append(KeepTogether([
            _p(g.heading + count, st.heading, fonts),
            _table(("Naam", "Functie", "Handtekening"), body, widths, st, padding=SIGN_PADDING),
        ]))
    return _render(story, title=f"Presentielijst {ev.name} {dutch_date(ev.day)}",
                   running=f"Presentielijst · {_event_line(knowledge)}", fonts=fonts)


# --- per session, for its chair ----------------------------------------------------------


def _session_header(sl: SessionList, knowledge: Knowledge, st: Styles) -> list:
    s, count = sl.session, sl.count
    when = [dutch_date(knowledge.event.day), f"{hhmm(s.start)}–{hhmm(s.end)}"]
    if session_room(s):
        when.append(f"zaal {session_room(s)}")
    cap = f" (capaciteit {count.capacity})" if count.capacity is not None else ""
    people = "deelnemer" if count.registered == 1 else "deelnemers"
    return [
        _p(s.title, st.title, st.fonts),
        _p(" · ".join(when), st.subtitle, st.fonts),
        _p(f"{count.registered} {people} aangemeld{cap}", st.cell_bold, st.fonts),
    ]


def _session_page(sl: SessionList, waiting: Sequence[Row], knowledge: Knowledge, st: Styles) -> list:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Spacer

    usable = A4[0] - 2 * MARGIN
    widths = (0.07 * usable, 0.32 * usable, 0.28 * usable, 0.33 * usable)
    fonts = st.fonts
    story = _session_header(sl, knowledge, st) + [Spacer(1, 4 * MM)]
    if not sl.rows:
        story.append(_p("Nog niemand aangemeld voor deze sessie.", st.cell, fonts))
    else:
        body = [[str(n), _p(r.name, st.cell, fonts), _p(_where(r), st.cell, fonts),
                 _p("; ".join(r.remarks), st.small, fonts)] for n, r in enumerate(sl.rows, start=1)]
        story.append(_table(("Nr.", "Naam", "Gemeente of organisatie", "Opmerkingen"), body, widths, st))
    if waiting:
        story.append(_p(f"Wachtlijst ({len(waiting)})", st.heading, fonts))
        body = [[str(n), _p(r.name, st.cell, fonts), _p(_where(r), st.cell, fonts), ""]
                for n, r in enumerate(waiting, start=1)]
        story.append(_table(("Nr.", "Naam", "Gemeente of organisatie", ""), body, widths, st))
    return story


def waiting_rows(registry: Registry, knowledge: Knowledge, session_id: str) -> tuple[Row, ...]:
    """Registered attendees on a full session's waiting list, by municipality then name."""
    keys = {a.key for a in registry.attendees if a.status == "registered" and session_id in a.waitlist}
    return tuple(r for r in tables.rows(registry, knowledge, statuses=frozenset({"registered"}))
                 if r.key in keys)


def sessions_pdf(registry: Registry, knowledge: Knowledge, *, session_id: str | None = None,
                 font_dir: Path | None = DEJAVU_DIR) -> bytes:
    """A list per session for its chair, each on a new page, in programme order (or only
    `session_id`; KeyError for an unknown one)."""
    from reportlab.platypus import PageBreak

    fonts = load_fonts(font_dir)
    st = _styles(fonts)
    ev = knowledge.event
    lists = tables.session_lists(registry, knowledge)
    if session_id is not None:
        ev.session(session_id)  # KeyError for an unknown id
        lists = tuple(sl for sl in lists if sl.session.id == session_id)
    story: list = []
    for i, sl in enumerate(lists):
        if i:
            story.append(PageBreak())
        story += _session_page(sl, waiting_rows(registry, knowledge, sl.session.id), knowledge, st)
    if not story:
        story.append(_p("Geen sessies.", st.cell, fonts))
    return _render(story, title=f"Sessielijsten {ev.name} {dutch_date(ev.day)}",
                   running=f"Lijst voor de voorzitter · {_event_line(knowledge)}", fonts=fonts)


PRINTOUTS: dict[str, tuple[str, Callable[..., bytes]]] = {
    "presence": ("presentielijst.pdf", presence_pdf),
    "sessions": ("sessielijsten.pdf", sessions_pdf),
}
