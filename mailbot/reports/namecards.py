"""Folded tent name cards, one per registered attendee, as a PDF (reportlab).

Each A4 portrait page is one card. Folded along the middle (a light dashed
line) it stands on the table as a tent: the bottom half is the front face,
printed upright; the top half is the back face, printed upside-down, so once
folded both faces read the right way up from either side of the table.

A face shows the name large and bold, below it the role and municipality
("Wethouder · Gemeente Zwolle"), and the event name and date small near the
table edge. Long names shrink to fit the width; below a minimum size they
wrap to two lines (split at the space that balances the lines best) and
shrink further if they must: a name is never cut off.

Fonts: DejaVu Sans (Debian package fonts-dejavu-core) when installed, which
covers Latin Extended (ı, ł, ő ...); otherwise reportlab's built-in Helvetica,
whose WinAnsi encoding covers Latin-1 only, so other letters are transliterated
("Aydın" -> "Aydin") rather than printed as boxes.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mailbot.core.types import Knowledge, Registry
from mailbot.mail.compose import dutch_date
from mailbot.reports import tables

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
MM = 72 / 25.4

SIDE_MARGIN = 18 * MM
NAME_MAX = 56.0  # points
NAME_MIN_ONE_LINE = 32.0  # below this, wrap to two lines
SUBTITLE_MAX = 22.0
FOOTER_SIZE = 11.0
FOOTER_BASELINE = 20 * MM  # from the table edge of a face
NAME_CENTRE = 0.58  # of the face height, from the table edge

# Letters outside WinAnsi without a decomposition to a Latin base letter.
_TRANSLIT = {"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ŀ": "l",
             "Ŀ": "L", "ŧ": "t", "Ŧ": "T", "ĸ": "k", "ŉ": "'n", "ſ": "s", "ə": "e", "Ə": "E",
             "‐": "-", "‑": "-", "−": "-"}


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    unicode: bool  # False: built-in Type 1 fonts, WinAnsi only


@dataclass(frozen=True)
class Card:
    name: str
    subtitle: str  # "Wethouder · Gemeente Zwolle", or just the role, or ""
    footer: str  # "G32 netwerkdag · donderdag 30 november 2017"
    key: str = ""  # the attendee's key: which cards a print held


@lru_cache(maxsize=4)
def load_fonts(font_dir: Path | None = DEJAVU_DIR) -> Fonts:
    """Register DejaVu Sans from `font_dir` if its TTFs are there, else use Helvetica."""
    if font_dir is not None:
        regular, bold = Path(font_dir) / "DejaVuSans.ttf", Path(font_dir) / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            try:
                pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
                pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
                return Fonts("DejaVuSans", "DejaVuSans-Bold", True)
            except Exception:  # an unreadable font file: fall back rather than fail
                pass
    return Fonts("Helvetica", "Helvetica-Bold", False)


def printable(text: str, fonts: Fonts) -> str:
    """The text as the font can show it: unchanged for DejaVu, Latin-1-ish for Helvetica."""
    text = tables.clean(text).replace("\n", " ")
    if fonts.unicode:
        return text
    out = []
    for c in text:
        try:
            c.encode("cp1252")
            out.append(c)
            continue
        except UnicodeEncodeError:
            pass
        if c in _TRANSLIT:
            out.append(_TRANSLIT[c])
            continue
        base = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
        try:
            base.encode("cp1252")
            out.append(base)
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def subtitle(role: str | None, municipality_name: str | None, organisation: str | None = None) -> str:
    """'Wethouder · Gemeente Zwolle'; a non-member shows their organisation ('Directeur · VNG')."""
    parts = []
    if role:
        parts.append(role[:1].upper() + role[1:])
    if municipality_name:
        parts.append(f"Gemeente {municipality_name}")
    elif organisation and (not role or organisation.casefold() not in role.casefold()):
        parts.append(organisation)
    return " · ".join(parts)


def cards(registry: Registry, knowledge: Knowledge, *,
          keys: Collection[str] | None = None) -> tuple[Card, ...]:
    """One card per registered attendee, by municipality then name; `keys` keeps only those
    attendees (a reprint of new or chosen cards)."""
    ev = knowledge.event
    footer = f"{ev.name} · {dutch_date(ev.day)}"
    rows = tables.rows(registry, knowledge, statuses=frozenset({"registered"}))
    return tuple(Card(" ".join(r.name.split()),
                      subtitle(r.role, r.municipality_name if r.municipality else None, r.organisation),
                      footer, r.key)
                 for r in rows if keys is None or r.key in keys)


# --- layout ----------------------------------------------------------------------


def fit_name(name: str, font: str, width: float) -> tuple[tuple[str, ...], float]:
    """(lines, size): one line as large as fits; two balanced lines when one would be tiny."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def size_for(lines: Sequence[str]) -> float:
        widest = max(stringWidth(x, font, 1) for x in lines) or 1.0
        return min(NAME_MAX, width / widest)

    one = size_for([name])
    words = name.split(" ")
    if one >= NAME_MIN_ONE_LINE or len(words) < 2:
        return (name,), one
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    best = max(splits, key=size_for)
    two = size_for(best)
    return (best, two) if two > one else ((name,), one)


def fit_line(text: str, font: str, width: float, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    w = stringWidth(text, font, 1)
    return size if w == 0 else min(size, width / w)


def _face(c, card: Card, fonts: Fonts, width: float, height: float) -> None:
    """Draw one face with the origin at its table edge, 'up' pointing at the fold."""
    usable = width - 2 * SIDE_MARGIN
    centre_x = width / 2
    name = printable(card.name, fonts)
    lines, size = fit_name(name, fonts.bold, usable)
    leading = 1.15 * size
    centre_y = NAME_CENTRE * height
    # Baselines so the block's cap-height box is centred on centre_y.
    top = centre_y + (len(lines) - 1) * leading / 2 - 0.36 * size
    c.setFillGray(0.1)
    c.setFont(fonts.bold, size)
    for i, text in enumerate(lines):
        c.drawCentredString(centre_x, top - i * leading, text)
    lowest = top - (len(lines) - 1) * leading
    if card.subtitle:
        sub = printable(card.subtitle, fonts)
        sub_size = fit_line(sub, fonts.regular, usable, SUBTITLE_MAX)
        c.setFillGray(0.25)
        c.setFont(fonts.regular, sub_size)
        c.drawCentredString(centre_x, lowest - 0.3 * size - 1.3 * SUBTITLE_MAX, sub)
    foot = printable(card.footer, fonts)
    c.setFillGray(0.45)
    c.setFont(fonts.regular, fit_line(foot, fonts.regular, usable, FOOTER_SIZE))
    c.drawCentredString(centre_x, FOOTER_BASELINE, foot)


def render(items: Sequence[Card], *, title: str = "Naamkaarten",
           font_dir: Path | None = DEJAVU_DIR) -> bytes:
    """The PDF: one A4 page per card; raises ValueError when there are no cards."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    if not items:
        raise ValueError("no name cards to print")
    fonts = load_fonts(font_dir)
    page_w, page_h = A4
    half = page_h / 2
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(title)
    c.setAuthor("mailbot")
    c.setSubject(items[0].footer)
    for card in items:
        # The fold: a light dashed line across the middle.
        c.saveState()
        c.setStrokeGray(0.8)
        c.setLineWidth(0.5)
        c.setDash(4, 4)
        c.line(0, half, page_w, half)
        c.restoreState()
        # Front face: bottom half, upright.
        _face(c, card, fonts, page_w, half)
        # Back face: top half, turned 180 degrees about the page centre.
        c.saveState()
        c.translate(page_w, page_h)
        c.rotate(180)
        _face(c, card, fonts, page_w, half)
        c.restoreState()
        c.showPage()
    c.save()
    return buf.getvalue()


def namecards_pdf(registry: Registry, knowledge: Knowledge, *, keys: Collection[str] | None = None,
                  font_dir: Path | None = DEJAVU_DIR) -> bytes:
    """Name cards of every registered attendee (or of `keys`); ValueError when there are none."""
    ev = knowledge.event
    return render(cards(registry, knowledge, keys=keys),
                  title=f"Naamkaarten {ev.name} {dutch_date(ev.day)}", font_dir=font_dir)
