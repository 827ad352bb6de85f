"""mailbot.mail.partial without a server: BODYSTRUCTURE answers (parsed by
imapclient itself from IMAP text, as a server sends them) turned into the
sections to fetch, and fetched sections rebuilt into a message.

What a user notices: a reply with a large attachment is read like any other
(its text, its headers), the attachment is never asked for, and staff
looking at the stored message see which file was left out.
"""

from __future__ import annotations

import pytest
from imapclient.response_parser import parse_fetch_response

from mailbot.core.mailfacts import message_id, read_mail
from mailbot.core.mailparse import parse
from mailbot.core.text import extract
from mailbot.mail import partial


def structure(text: bytes):
    """BODYSTRUCTURE as imapclient hands it over for this IMAP response text."""
    return parse_fetch_response([b"1 (UID 7 BODYSTRUCTURE " + text + b")"])[7][b"BODYSTRUCTURE"]


HEADER = (b"From: \"Timmermans, Petra\" <p.timmermans@haarlem.nl>\r\nTo: info@g32.nl\r\n"
          b"Subject: RE: Uitnodiging G32 netwerkdag\r\nMessage-ID: <big-1@haarlem.nl>\r\nMIME-Version: 1.0\r\n")

# multipart/mixed > (multipart/alternative > text/plain, text/html), a PDF, a forwarded message
NESTED = structure(
    b'((("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 41 1 NIL NIL NIL NIL)'
    b'("text" "html" ("charset" "utf-8") NIL NIL "7bit" 54 1 NIL NIL NIL NIL)'
    b' "alternative" ("boundary" "ALT") NIL NIL NIL)'
    b'("application" "pdf" ("name" "x.pdf") NIL NIL "base64" 13698000 NIL'
    b' ("attachment" ("filename*" "utf-8\'\'%E2%82%AC%20begroting.pdf")) NIL NIL)'
    b'("message" "rfc822" NIL NIL NIL "7bit" 4000000'
    b' (NIL "=?utf-8?q?Fwd=3A_verslag_caf=C3=A9?=" ((NIL NIL "z" "z.nl")) ((NIL NIL "z" "z.nl"))'
    b' ((NIL NIL "z" "z.nl")) NIL NIL NIL NIL NIL)'
    b' ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3999000 80000 NIL NIL NIL NIL)'
    b' 80010 NIL ("attachment" NIL) NIL NIL)'
    b' "mixed" ("boundary" "MIX") NIL NIL NIL)')

NESTED_SECTIONS = {
    b"BODY[HEADER]": HEADER + b'Content-Type: multipart/mixed; boundary="MIX"\r\n\r\n',
    b"BODY[1.MIME]": b'Content-Type: multipart/alternative;\r\n boundary="ALT"\r\n\r\n',
    b"BODY[1.1.MIME]": b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n',
    b"BODY[1.1]": b"Graag meld ik mij aan voor de netwerkdag.\r\n",
    b"BODY[1.2.MIME]": b'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n',
    b"BODY[1.2]": b"<p>Graag meld ik mij aan voor de netwerkdag.</p>\r\n",
    b"SEQ": 1,
}


def leaves(msg):
    return [p for p in msg.walk() if not p.is_multipart()]


def test_nested_alternative_plans_only_the_text_and_skips_attachments():
    """mixed > alternative: the header, the alternative's own header (its boundary)
    and both renderings with their MIME headers; not the PDF, not the forwarded message."""
    plan = partial.plan(NESTED)
    assert plan.sections == ("HEADER", "1.MIME", "1.1.MIME", "1.1", "1.2.MIME", "1.2")
    assert plan.items[0] == "BODY.PEEK[HEADER]" and "BODY.PEEK[1.2]" in plan.items
    assert plan.size == 41 + 54  # what the readable parts weigh, not the 17 MB around them
    pdf, fwd = plan.body.parts[1], plan.body.parts[2]
    assert (pdf.number, pdf.ctype, pdf.keep, pdf.filename) == ("2", "application/pdf", False, "€ begroting.pdf")
    assert (fwd.number, fwd.ctype, fwd.keep, fwd.subject) == ("3", "message/rfc822", False, "Fwd: verslag café")


def test_nested_rebuilt_message_reads_like_the_original():
    """The rebuilt message keeps headers, structure and text; each skipped part is a
    text/plain attachment naming file, type and size, which the reader does not take as body."""
    raw = partial.rebuild(partial.plan(NESTED), NESTED_SECTIONS)
    msg = parse(raw)
    assert not msg.defects
    assert message_id(msg, raw) == "<big-1@haarlem.nl>"
    assert read_mail(msg, raw).from_addr == "p.timmermans@haarlem.nl"
    assert msg.get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/plain", "text/plain"]
    got = extract(msg)
    assert (got.source, got.text, got.problems) == ("plain", "Graag meld ik mij aan voor de netwerkdag.", ())
    pdf_note, fwd_note = leaves(msg)[2:]
    assert pdf_note.get_content_disposition() == "attachment"
    assert pdf_note.get_filename() == "€ begroting.pdf (niet opgehaald).txt"
    text = pdf_note.get_content()
    assert "€ begroting.pdf" in text and "application/pdf" in text and "13698000 bytes" in text
    assert "Fwd: verslag café" in fwd_note.get_content() and "message/rfc822" in fwd_note.get_content()
    assert len(raw) < 3000


def test_single_part_text_in_a_non_utf8_charset_is_fetched_whole():
    """A large single-part text/plain (ISO-8859-1, quoted-printable) is header + part 1, bytes untouched."""
    bs = structure(b'("text" "plain" ("charset" "iso-8859-1" "format" "flowed") NIL NIL'
                   b' "quoted-printable" 1200000 30000 NIL NIL NIL NIL)')
    plan = partial.plan(bs)
    assert (plan.sections, plan.size) == (("HEADER", "1"), 1_200_000)
    head = HEADER + b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    raw = partial.rebuild(plan, {b"BODY[HEADER]": head, b"BODY[1]": b"Ik kom graag naar het caf=E9.\r\n"})
    assert raw == head + b"Ik kom graag naar het caf=E9.\r\n"
    assert extract(parse(raw)).text == "Ik kom graag naar het café."


def test_single_part_attachment_keeps_the_header_and_becomes_a_note():
    """A message that is only a PDF: nothing but the header is fetched; its Content-*
    fields (folded ones too) give way to the note, the rest of the header stays."""
    bs = structure(b'("APPLICATION" "PDF" ("NAME" "scan.pdf") NIL NIL "BASE64" 5000000 NIL NIL NIL NIL)')
    plan = partial.plan(bs)
    assert (plan.sections, plan.size) == (("HEADER",), 0)
    head = HEADER + b"Content-Type: application/pdf;\r\n\tname=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    raw = partial.rebuild(plan, {b"BODY[HEADER]": head})
    msg = parse(raw)
    assert not msg.defects
    assert message_id(msg, raw) == "<big-1@haarlem.nl>" and msg["Subject"] == "RE: Uitnodiging G32 netwerkdag"
    assert msg.get_content_type() == "text/plain" and msg.get_content_disposition() == "attachment"
    assert b"scan.pdf\"\r\n" not in raw and b"base64" not in raw.lower()
    assert "scan.pdf" in msg.get_content() and "application/pdf" in msg.get_content()
    got = extract(msg)
    assert got.source == "none" and got.text == ""


def test_parts_without_parameters_or_extension_data():
    """BODY-style answers (no disposition, no MD5) and NIL parameter lists: planned
    all the same; a part without a name is named by its number."""
    bs = structure(b'(("text" "plain" NIL NIL NIL "7bit" 20 1)("application" "octet-stream" NIL NIL NIL'
                   b' "base64" 3000000) "mixed")')
    plan = partial.plan(bs)
    assert plan.sections == ("HEADER", "1.MIME", "1")
    note = plan.body.parts[1]
    assert (note.keep, note.filename) == (False, "")
    raw = partial.rebuild(plan, {b"BODY[HEADER]": HEADER + b"Content-Type: multipart/mixed; boundary=b1\r\n\r\n",
                                 b"BODY[1.MIME]": b"", b"BODY[1]": b"Ik kom ook.\r\n"})
    msg = parse(raw)
    assert not msg.defects
    first, second = leaves(msg)
    assert first.get_content_type() == "text/plain" and first.get_content() == "Ik kom ook.\r\n"
    assert second.get_filename() == "deel-2 (niet opgehaald).txt"


def test_what_the_reader_reads_besides_body_text_is_fetched():
    """Calendar answers, winmail.dat (any type) and delivery reports are read by the bot;
    an attached text file and inline images are not."""
    bs = structure(
        b'(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 10 1 NIL ("inline" NIL) NIL NIL)'
        b'("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 2000000 9 NIL ("attachment" ("filename" "notulen.txt")) NIL NIL)'
        b'("text" "calendar" ("method" "REPLY") NIL NIL "7bit" 900 20 NIL NIL NIL NIL)'
        b'("application" "octet-stream" ("name" "WINMAIL.DAT") NIL NIL "base64" 5000 NIL NIL NIL NIL)'
        b'("message" "delivery-status" NIL NIL NIL "7bit" 300 NIL NIL NIL NIL)'
        b'("image" "png" NIL "<logo>" NIL "base64" 40000 NIL ("inline" ("filename" "logo.png")) NIL NIL)'
        b' "mixed" ("boundary" "X") NIL NIL NIL)')
    keep = {leaf.number: leaf.keep for leaf in partial.plan(bs).body.parts}
    assert keep == {"1": True, "2": False, "3": True, "4": True, "5": True, "6": False}


def test_exchange_bare_dispositions():
    """Exchange writes the disposition as a bare string instead of a list: still understood."""
    bs = structure(b'(("text" "plain" ("charset" "ISO-8859-1") NIL NIL "QUOTED-PRINTABLE" 850 31 NIL "inline" NIL NIL)'
                   b'("text" "plain" ("name" "log.txt") NIL NIL "7bit" 4000000 9 NIL "attachment" NIL NIL)'
                   b' "mixed" ("boundary" "X") NIL NIL NIL)')
    assert [leaf.keep for leaf in partial.plan(bs).body.parts] == [True, False]


@pytest.mark.parametrize("params, name", [
    (b'("filename*" "iso-8859-1\'\'caf%E9.pdf")', "café.pdf"),  # RFC 2231 in Latin-1
    (b'("filename*0*" "utf-8\'\'%E2%82%AC" "filename*1*" "%20deel" "filename*2" ".pdf")', "€ deel.pdf"),  # continuations
    (b'("filename" "=?iso-8859-1?q?caf=E9.pdf?=")', "café.pdf"),  # an encoded word
    (b'("filename" "caf\xe9.pdf")', "café.pdf"),  # raw 8-bit cp1252
    (b'("filename*" "x-unknown\'\'caf%E9.pdf")', "café.pdf"),  # an unknown charset: read as Latin-1
    (b'("filename" "a\r\nb.pdf")', "a b.pdf"),  # no line breaks in a name
])
def test_file_names_in_any_encoding(params, name):
    bs = structure(b'(("text" "plain" NIL NIL NIL "7bit" 5 1)("application" "pdf" NIL NIL NIL "base64" 10 NIL'
                   b' ("attachment" ' + params + b') NIL NIL) "mixed")')
    assert partial.plan(bs).body.parts[1].filename == name


def test_a_name_cannot_break_the_message():
    """A file name holding the boundary and line breaks stays inside its note."""
    bs = structure(b'(("text" "plain" NIL NIL NIL "7bit" 5 1)("application" "pdf" ("name" "--MIX--\r\n--MIX") NIL NIL'
                   b' "base64" 10 NIL NIL NIL NIL) "mixed" ("boundary" "MIX") NIL NIL NIL)')
    raw = partial.rebuild(partial.plan(bs), {b"BODY[HEADER]": HEADER + b'Content-Type: multipart/mixed; boundary="MIX"\r\n\r\n',
                                             b"BODY[1.MIME]": b"\r\n", b"BODY[1]": b"hallo"})
    msg = parse(raw)
    assert not msg.defects and len(leaves(msg)) == 2
    assert extract(msg).text == "hallo"


@pytest.mark.parametrize("bs", [
    None,
    (),
    (b"text",),
    (b"text", b"plain", None, None, None, b"7bit", None, 1),  # no size
    (b"text", b"plain", None, None, None, b"7bit", b"many", 1),
    (None, b"plain", None, None, None, b"7bit", 10, 1),  # no type: the text could be anywhere
    ([], b"mixed"),  # a multipart without parts
    ((1, 2, 3),),
])
def test_structures_that_make_no_sense_are_unreadable(bs):
    with pytest.raises(partial.Unreadable):
        partial.plan(bs)


def test_nesting_deeper_than_the_reader_goes_is_unreadable():
    text = b'("text" "plain" NIL NIL NIL "7bit" 5 1)'
    for _ in range(partial.MAX_DEPTH + 2):
        text = b"(" + text + b' "mixed")'
    with pytest.raises(partial.Unreadable):
        partial.plan(structure(text))


def test_sections_the_server_did_not_send_or_a_missing_boundary_are_unreadable():
    plan = partial.plan(NESTED)
    without_text = {k: v for k, v in NESTED_SECTIONS.items() if k != b"BODY[1.1]"}
    with pytest.raises(partial.Unreadable):
        partial.rebuild(plan, without_text)
    with pytest.raises(partial.Unreadable):
        partial.rebuild(plan, {**NESTED_SECTIONS, b"BODY[1.MIME]": b"Content-Type: multipart/alternative\r\n\r\n"})
    # NIL for a part the server has: an empty part (the HTML rendering is read instead)
    empty = partial.rebuild(plan, {**NESTED_SECTIONS, b"BODY[1.1]": None})
    assert extract(parse(empty)).source == "html"
