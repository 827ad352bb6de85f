"""Downloads: the attendee list for Excel, name cards, and the lists to print for the day.

Files are built from one snapshot of the store by the same functions as the
command line (reports.exports, reports.namecards, reports.printouts), in a
worker thread so a large PDF does not hold up other staff. A name-card print
is remembered (a staff action with the keys printed), so "only new" prints the
cards of people who registered since.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mailbot import store
from mailbot.reports import exports, namecards, printouts, tables
from mailbot.reports.commands import (
    last_namecards_print,
    new_namecard_keys,
    printed_namecards,
    record_namecards,
    snapshot,
)
from mailbot.web.common import back, bot, flash, now, page, user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"
WHICH = ("alle", "nieuw", "selectie")


def attachment(data: bytes, media_type: str, filename: str) -> Response:
    """A file the browser saves under `filename` (ASCII, with the RFC 6266 form beside it)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    disposition = f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(filename)}'
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def _session_param(request: Request) -> tuple[str | None, bool]:
    """(session id or None, valid): ?sessie=ID names one session of the programme."""
    sid = request.query_params.get("sessie") or None
    return sid, sid is None or sid in bot(request).knowledge.event.session_ids


def _filename(stem: str, session_id: str | None, ext: str) -> str:
    return f"{stem}-{session_id}.{ext}" if session_id else f"{stem}.{ext}"


async def downloads(request: Request):
    b = bot(request)

    def read():
        with Session(b.engine) as s:
            reg = store.registry(s)
            printed = printed_namecards(s)
            last = last_namecards_print(s)
        return reg, printed, last

    reg, printed, last = await run_in_threadpool(read)
    k = b.knowledge
    counts = tables.head_counts(reg, k)  # counted, not listed: the page shows the numbers only
    registered = tables.rows(reg, k, statuses=frozenset({"registered"}))
    return page(request, "downloads.html", counts=counts, registered=registered, printed=printed,
                new=len(new_namecard_keys(reg, printed)), last=last, last_count=_count(last))


def _count(action) -> int:
    """How many cards the print held."""
    try:
        return int(json.loads(action.detail).get("count", 0)) if action else 0
    except (ValueError, AttributeError, TypeError):
        return 0


def _table_file(kind: str) -> Callable:
    async def endpoint(request: Request):
        session_id, ok = _session_param(request)
        if not ok:
            flash(request, "Die sessie bestaat niet.", "error")
            return back("/downloads")
        b = bot(request)

        def build() -> bytes:
            snap = snapshot(b)
            if kind == "xlsx":
                return exports.to_xlsx(snap.registry, snap.knowledge, session_id=session_id,
                                       arrivals=snap.arrivals)
            return exports.csv_bytes(snap.registry, snap.knowledge, session_id=session_id,
                                     arrivals=snap.arrivals)

        data = await run_in_threadpool(build)
        return attachment(data, XLSX if kind == "xlsx" else CSV, _filename("deelnemers", session_id, kind))
    return endpoint


async def presence_list(request: Request):
    b = bot(request)
    data = await run_in_threadpool(lambda: _pdf(b, printouts.presence_pdf))
    return attachment(data, PDF, "presentielijst.pdf")


async def session_lists(request: Request):
    session_id, ok = _session_param(request)
    if not ok:
        flash(request, "Die sessie bestaat niet.", "error")
        return back("/downloads")
    b = bot(request)
    data = await run_in_threadpool(lambda: _pdf(b, printouts.sessions_pdf, session_id=session_id))
    return attachment(data, PDF, _filename("sessielijst" if session_id else "sessielijsten", session_id, "pdf"))


def _pdf(b, build: Callable[..., bytes], **kw) -> bytes:
    snap = snapshot(b)
    return build(snap.registry, snap.knowledge, **kw)


def print_namecards(b, which: str, chosen: set[str], *, actor: str, at) -> tuple[bytes, int]:
    """The PDF of all, the new or the chosen registered attendees' cards, and the print
    recorded in the same transaction as the read; (b'', 0) when there is none to print."""
    with Session(b.engine) as s, s.begin():
        reg = store.registry(s)
        if which == "nieuw":
            keys: set[str] | None = new_namecard_keys(reg, printed_namecards(s))
        elif which == "selectie":
            keys = chosen
        else:
            keys = None
        cards = namecards.cards(reg, b.knowledge, keys=keys)
        if not cards:
            return b"", 0
        data = namecards.namecards_pdf(reg, b.knowledge, keys=keys)
        record_namecards(s, (c.key for c in cards), which=which, actor=actor, now=at)
    return data, len(cards)


async def namecards_download(request: Request):
    form = await request.form()
    which = str(form.get("welke", "alle"))
    if which not in WHICH:
        which = "alle"
    chosen = {str(v) for v in form.getlist("sleutel")}
    b, actor, at = bot(request), user(request), now(request)
    data, count = await run_in_threadpool(lambda: print_namecards(b, which, chosen, actor=actor, at=at))
    if not count:
        flash(request, {"nieuw": "Er zijn geen nieuwe naamkaarten: iedereen is al eens afgedrukt.",
                        "selectie": "Kies eerst een of meer deelnemers."}.get(
                            which, "Nog niemand aangemeld: geen naamkaarten."), "error")
        return back("/downloads#naamkaarten")
    name = {"nieuw": "naamkaarten-nieuw.pdf", "selectie": "naamkaarten-selectie.pdf"}.get(which, "naamkaarten.pdf")
    return attachment(data, PDF, name)


ROUTES = [
    Route("/downloads", downloads, methods=["GET"]),
    Route("/downloads/deelnemers.xlsx", _table_file("xlsx"), methods=["GET"], name="deelnemers-xlsx"),
    Route("/downloads/deelnemers.csv", _table_file("csv"), methods=["GET"], name="deelnemers-csv"),
    Route("/downloads/presentielijst.pdf", presence_list, methods=["GET"]),
    Route("/downloads/sessielijsten.pdf", session_lists, methods=["GET"]),
    Route("/downloads/naamkaarten", namecards_download, methods=["POST"]),
]
