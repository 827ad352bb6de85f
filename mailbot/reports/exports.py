"""Render the attendee tables: terminal text, CSV, JSON and XLSX.

Every function returns str or bytes; writing files is the caller's business.
Names and addresses come from email, so they are treated as hostile: control
characters are removed before they reach a terminal or a workbook, and cells
that a spreadsheet would read as a formula are neutralised (tables.neutralise).

The files are for the office's Dutch Excel: CSV with ";" (Excel in a Dutch
locale reads "," as one column) and a byte-order mark (else accents break);
workbooks print on A4 landscape with the header row on every page. Both end
with an "Aanwezig" column: `arrivals` maps an attendee key to the moment
staff ticked them present at the door (stored UTC, shown in local time).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from mailbot.core.types import Knowledge, Registry, Session
from mailbot.mail.compose import dutch_date, hhmm
from mailbot.reports import tables
from mailbot.reports.tables import COLUMNS, SESSION_COLUMNS, HeadCount, Row, clean

ALL_SHEET = "Alle deelnemers"
MAX_SHEET_TITLE = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\\*?:/\[\]]")
_GENERIC_PREFIXES = ("doorstart", "themasessie", "themagroep", "sessie", "workshop")
CSV_DELIMITER = ";"
ARRIVED = ("arrived", "Aanwezig")  # the column after the table's own columns
Arrivals = Mapping[str, datetime]  # attendee key -> arrival (UTC; naive means UTC)


def arrival_text(at: datetime | None, knowledge: Knowledge) -> str:
    """'09.12' on the event day in its time zone; another day also names the date."""
    if at is None:
        return ""
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(ZoneInfo(knowledge.event.timezone))
    if local.date() == knowledge.event.day:
        return hhmm(local)
    return f"{local:%d-%m-%Y} {hhmm(local)}"


def export_cells(r: Row, columns: tuple[tuple[str, str], ...], knowledge: Knowledge,
                 arrivals: Arrivals | None) -> list[str]:
    """The row's cells for a file: its columns, then when it arrived; formula-safe."""
    texts = [*r.cells(columns), arrival_text((arrivals or {}).get(r.key), knowledge)]
    return [tables.neutralise(clean(c)) for c in texts]


def _iso(at: datetime | None) -> str | None:
    return None if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def export_headers(columns: tuple[tuple[str, str], ...]) -> list[str]:
    return [h for _, h in columns] + [ARRIVED[1]]


def _session_heading(s: Session, count: HeadCount) -> str:
    cap = f", capaciteit {count.capacity}" if count.capacity is not None else ""
    over = " (VOL: meer aanmeldingen dan plaatsen)" if count.over else ""
    return f"{s.title} ({hhmm(s.start)}–{hhmm(s.end)}): {count.registered} aangemeld{cap}{over}"


def _session(knowledge: Knowledge, session_id: str | None) -> Session | None:
    return None if session_id is None else knowledge.event.session(session_id)


# --- terminal text --------------------------------------------------------------


def _width(text: str) -> int:
    """Columns a string takes in a terminal (combining marks 0, wide characters 2)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def text_table(headers: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    """Aligned plain-text columns; a cell with newlines continues on the next lines."""
    split = [[clean(c).split("\n") for c in r] for r in body]
    widths = [_width(h) for h in headers]
    for r in split:
        for i, lines in enumerate(r):
            widths[i] = max(widths[i], *(_width(x) for x in lines))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    for r in split:
        height = max(len(lines) for lines in r)
        for n in range(height):
            out.append(line([lines[n] if n < len(lines) else "" for lines in r]))
    return "\n".join(out) + "\n"


def counts_text(counts: Sequence[HeadCount]) -> str:
    """Head counts per session; capacity columns only when some session has a capacity."""
    with_capacity = any(c.capacity is not None for c in counts)
    headers = ("Tijd", "Sessie", "Aangemeld") + (("Capaciteit", "Vrij") if with_capacity else ())
    body = []
    for c in counts:
        s = c.session
        cells = [f"{hhmm(s.start)}–{hhmm(s.end)}", s.title, str(c.registered)]
        if with_capacity:
            free = "" if c.free is None else (f"{c.free} (vol)" if c.over else str(c.free))
            cells += ["" if c.capacity is None else str(c.capacity), free]
        body.append(cells)
    return text_table(headers, body)


def to_text(registry: Registry, knowledge: Knowledge, *, session_id: str | None = None) -> str:
    """The readable overview for the terminal: all attendees plus head counts, or one session."""
    ev = knowledge.event
    session = _session(knowledge, session_id)
    if session is not None:
        rows = tables.rows(registry, knowledge, session_id=session.id)
        head = _session_heading(session, HeadCount(session, len(rows)))
        if not rows:
            return f"{clean(head)}\n\nNog niemand aangemeld voor deze sessie.\n"
        return (f"{clean(head)}\n\n"
                + text_table([h for _, h in SESSION_COLUMNS], [r.cells(SESSION_COLUMNS) for r in rows]))
    rows = tables.rows(registry, knowledge)
    registered = sum(1 for r in rows if r.status == "registered")
    out = [f"{ev.name}, {dutch_date(ev.day)}: {registered} aangemeld, {len(rows)} in totaal", ""]
    if rows:
        out.append(text_table([h for _, h in COLUMNS],
                              [r.cells(COLUMNS, session_sep="\n") for r in rows]))
    else:
        out.append("Nog geen deelnemers.\n")
    out.append("Aantallen per sessie (alleen aangemelde deelnemers)")
    out.append(counts_text(tables.head_counts(registry, knowledge)))
    return clean("\n".join(out)).rstrip("\n") + "\n"


# --- CSV -------------------------------------------------------------------------


def to_csv(registry: Registry, knowledge: Knowledge, *, session_id: str | None = None,
           arrivals: Arrivals | None = None) -> str:
    """CSV as Dutch Excel reads it: ";" between cells, CRLF, quoted where needed,
    formula-safe cells; no BOM (csv_bytes adds it for a file)."""
    session = _session(knowledge, session_id)
    columns = COLUMNS if session is None else SESSION_COLUMNS
    rows = tables.rows(registry, knowledge, session_id=session.id if session else None)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    w.writerow(export_headers(columns))
    for r in rows:
        w.writerow(export_cells(r, columns, knowledge, arrivals))
    return buf.getvalue()


def csv_bytes(registry: Registry, knowledge: Knowledge, *, session_id: str | None = None,
              arrivals: Arrivals | None = None) -> bytes:
    """The CSV as UTF-8 with a byte-order mark, so Excel reads the accents right."""
    return to_csv(registry, knowledge, session_id=session_id, arrivals=arrivals).encode("utf-8-sig")


# --- JSON ------------------------------------------------------------------------


def to_json(registry: Registry, knowledge: Knowledge, *, session_id: str | None = None,
            arrivals: Arrivals | None = None) -> str:
    """Machine-readable: raw ids and status codes, display names alongside, head counts,
    and when each attendee arrived (ISO 8601 UTC, or null)."""
    ev = knowledge.event
    session = _session(knowledge, session_id)
    rows = tables.rows(registry, knowledge, session_id=session.id if session else None)
    counts = [c for c in tables.head_counts(registry, knowledge)
              if session is None or c.session.id == session.id]
    doc = {
        "event": ev.name,
        "date": ev.day.isoformat(),
        "session": session.id if session else None,
        "sessions": [{"id": c.session.id, "title": c.session.title, "start": hhmm(c.session.start),
                      "end": hhmm(c.session.end), "capacity": c.capacity, "registered": c.registered}
                     for c in counts],
        "attendees": [{**r.as_dict(), "arrived_at": _iso((arrivals or {}).get(r.key))} for r in rows],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --- XLSX ------------------------------------------------------------------------


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters) from a session title.

    Generic leading words (Themagroep, Themasessie, Doorstart ...) are dropped,
    forbidden characters replaced; a long title keeps its part before a
    separator ("Veiligheid / platform ..." -> "Veiligheid") or is cut at a word.
    """
    words = _SHEET_FORBIDDEN.sub("-", clean(title)).split()
    while len(words) > 1 and words[0].casefold() in _GENERIC_PREFIXES:
        words = words[1:]
    name = " ".join(words).strip("'") or "Sessie"
    for sep in (" - ", ": ", " – "):  # "Veiligheid / platform ...": keep the head
        if len(name) > MAX_SHEET_TITLE and sep in name and name.split(sep)[0].strip():
            name = name.split(sep)[0].strip()
    if len(name) > MAX_SHEET_TITLE:
        cut = name[:MAX_SHEET_TITLE - 1]
        if " " in cut:
            cut = cut[:cut.rindex(" ")]
        name = cut.rstrip(" ,;.-") + "…"
    base, n = name, 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        name = base[:MAX_SHEET_TITLE - len(suffix)].rstrip() + suffix
        n += 1
    taken.add(name)
    return name


MAX_COLUMN_WIDTH = 78  # characters; longer cells (remarks, many sessions) wrap


def _print_setup(ws, header: str) -> None:
    """A4 landscape, the header row on every printed page, all columns on one page width."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4; write-only sheets lack the constant)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages high as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = header.replace("&", "&&")
    ws.oddFooter.right.text = "Pagina &P van &N"


def _totals_row(count: HeadCount, arrived: int) -> list:
    """'Totaal: 12 aangemeld (capaciteit 30)' under a session's list, with how many came."""
    cap = f" (capaciteit {count.capacity})" if count.capacity is not None else ""
    return [f"Totaal: {count.registered} aangemeld{cap}", arrived]


def _fill_sheet(ws, columns: tuple[tuple[str, str], ...], rows: Sequence[Row], knowledge: Knowledge,
                arrivals: Arrivals | None, *, title: str, count: HeadCount | None = None) -> None:
    """One table: bold header row, text cells, fitted widths, print setup; a session's sheet
    (`count` given) ends with its totals row, outside the filter range so sorting keeps it last.

    `ws` is a write-only sheet (rows streamed once, about twice as fast for 2,000 attendees),
    so everything about the sheet is set before its first row."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    headers = export_headers(columns)
    body = [export_cells(r, columns, knowledge, arrivals) for r in rows]
    widths = [len(h) for h in headers]
    for values in body:
        for i, value in enumerate(values):
            if len(value) > widths[i]:
                widths[i] = len(value)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(w + 2, 8), MAX_COLUMN_WIDTH + 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(rows) + 1, 1)}"
    _print_setup(ws, title)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    def text(value: str, *, font: Font | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # text, whatever it looks like
        if font is not None:
            cell.font = font
        if len(value) > MAX_COLUMN_WIDTH:
            cell.alignment = wrap
        return cell

    ws.append([text(h, font=bold) for h in headers])
    for values in body:
        ws.append([text(v) for v in values])
    if count is not None:
        label, arrived = _totals_row(count, sum(1 for r in rows if (arrivals or {}).get(r.key)))
        last = WriteOnlyCell(ws, value=arrived)
        last.font = bold
        ws.append([text(label, font=bold), *([None] * (len(headers) - 2)), last])


def to_xlsx(registry: Registry, knowledge: Knowledge, *, session_id: str | None = None,
            arrivals: Arrivals | None = None) -> bytes:
    """A workbook: "Alle deelnemers" plus one sheet per session (or only the one session)."""
    from openpyxl import Workbook

    ev = knowledge.event
    day = dutch_date(ev.day)
    session = _session(knowledge, session_id)
    wb = Workbook(write_only=True)
    wb.properties.title = f"Deelnemers {ev.name} {day}"
    wb.properties.creator = "mailbot"
    taken = {ALL_SHEET}
    if session is None:
        _fill_sheet(wb.create_sheet(ALL_SHEET), COLUMNS, tables.rows(registry, knowledge), knowledge, arrivals,
                    title=f"{ev.name}, {day}: alle deelnemers")
        for sl in tables.session_lists(registry, knowledge):
            ws = wb.create_sheet(sheet_title(sl.session.title, taken))
            _fill_sheet(ws, SESSION_COLUMNS, sl.rows, knowledge, arrivals,
                        title=f"{ev.name}, {day}: {sl.session.title}", count=sl.count)
    else:
        rows = tables.rows(registry, knowledge, session_id=session.id)
        _fill_sheet(wb.create_sheet(sheet_title(session.title, taken)), SESSION_COLUMNS, rows, knowledge, arrivals,
                    title=f"{ev.name}, {day}: {session.title}", count=HeadCount(session, len(rows)))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
