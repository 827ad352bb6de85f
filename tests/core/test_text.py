"""extract(): every body shape the G32 mail brings, in small hand-written messages."""

from __future__ import annotations

import base64
import email
import email.header
import email.policy
import struct

import pytest

from mailbot.core.text import (
    DIVIDER_LINE,
    CalendarReply,
    Extracted,
    _lzfu_decompress,
    _rtf_to_text,
    decode_bytes,
    decode_header_text,
    extract,
    html_to_text,
)


def parse(raw: bytes | str) -> email.message.EmailMessage:
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return email.message_from_bytes(raw, policy=email.policy.default)


def headers(ctype: str | None, cte: str | None = None, extra: str = "") -> str:
    lines = ["From: Jan de Vries <j.devries@zwolle.nl>", "To: info@G32.nl", "Subject: Re: Uitnodiging",
             "MIME-Version: 1.0"]
    if ctype:
        lines.append(f"Content-Type: {ctype}")
    if cte:
        lines.append(f"Content-Transfer-Encoding: {cte}")
    if extra:
        lines.append(extra)
    return "\r\n".join(lines) + "\r\n\r\n"


def b64(text: str, charset: str = "utf-8") -> str:
    return base64.encodebytes(text.encode(charset)).decode("ascii")


INVITE_HTML = (
    "<p>Aan de burgemeesters en wethouders van de G32-steden</p>"
    "<table><tr><td>10.00 &ndash; 11.00 uur</td><td><b>Themasessie Mensen tussen wal en schip</b></td></tr>"
    "<tr><td>15.30 &ndash; 16.00 uur</td><td><b>Algemeen Bestuur</b></td></tr></table>"
)

# (id, raw message, expected source, snippets that must be in text, snippets that must not)
CASES = [
    ("plain-qp-utf8",
     headers('text/plain; charset="utf-8"', "quoted-printable")
     + "Graag meld ik mij aan voor de Themagroep Financi=C3=ABn en de borrel.=\r\nDank!\r\n",
     "plain", ["Themagroep Financiën en de borrel.Dank!"], []),
    ("plain-base64",
     headers("text/plain; charset=utf-8", "base64") + b64("Ik kom naar het Algemeen Bestuur.\nGroet, Chloë"),
     "plain", ["Ik kom naar het Algemeen Bestuur.", "Groet, Chloë"], []),
    ("plain-8bit-latin1",
     (headers("text/plain; charset=iso-8859-1", "8bit")).encode() + "Themagroep Financiën".encode("latin-1"),
     "plain", ["Themagroep Financiën"], []),
    ("plain-cp1252-en-dash-declared-latin1",
     (headers("text/plain; charset=iso-8859-1", "8bit")).encode() + "10.00 – 11.00 uur".encode("cp1252"),
     "plain", ["10.00 – 11.00 uur"], []),
    ("plain-no-content-type",
     "From: a@b.nl\r\nSubject: netwerkdag\r\n\r\nIk kom graag naar de borrel.\r\n",
     "plain", ["Ik kom graag naar de borrel."], []),
    ("alternative-prefers-plain",
     headers('multipart/alternative; boundary="b1"')
     + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPLAIN: Fysieke Pijler\r\n"
     + "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML: Fysieke Pijler</p>\r\n--b1--\r\n",
     "plain", ["PLAIN: Fysieke Pijler"], ["HTML:"]),
    ("alternative-empty-plain-uses-html",
     headers('multipart/alternative; boundary="b1"')
     + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n \r\n"
     + "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Graag de Sociale Pijler</p>\r\n--b1--\r\n",
     "html", ["Graag de Sociale Pijler"], []),
    ("html-only-blockquote",
     headers("text/html; charset=utf-8")
     + "<div>Ik kom naar de borrel.</div><div>Op 2 nov. 2017 om 09:30 heeft G32 het volgende geschreven:</div>"
     + "<blockquote type='cite'>" + INVITE_HTML + "<blockquote>Diep geciteerd</blockquote></blockquote>"
     + "<div>Na het citaat</div>",
     "html", ["Ik kom naar de borrel.", "> Aan de burgemeesters en wethouders",
              "> 10.00 – 11.00 uur | Themasessie Mensen tussen wal en schip", ">> Diep geciteerd",
              "\nNa het citaat"], []),
    ("html-gmail-indent-is-not-a-quote",
     headers("text/html; charset=utf-8")
     + '<div>Mijn keuze:</div><blockquote style="margin:0 0 0 40px;border:none;padding:0px">'
     + "<div>Fysieke Pijler</div></blockquote><div class='gmail_quote'>Op do 2 nov. 2017 schreef G32:"
     + "<blockquote class='gmail_quote' style='margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex'>"
     + "Graag nodigen wij u uit</blockquote></div>",
     "html", ["Mijn keuze:\nFysieke Pijler", "> Graag nodigen wij u uit"], ["> Fysieke Pijler"]),
    ("html-table-rows",
     headers("text/html; charset=utf-8")
     + "<p>Hierbij de aanmeldingen:</p><table><tr><th>Naam</th><th>Sessies</th></tr>"
     + "<tr><td><p>Carla de Graaf</p></td><td><p>Algemeen Bestuur, netwerkborrel</p></td></tr>"
     + "<tr><td>Thijs Terpstra</td><td>Ondernemerschap</td></tr></table>",
     "html", ["Naam           | Sessies", "Carla de Graaf | Algemeen Bestuur, netwerkborrel",
              "Thijs Terpstra | Ondernemerschap"], []),
    ("html-outlook-border-top-divider",
     headers("text/html; charset=utf-8")
     + "<div class=WordSection1><p class=MsoNormal>Graag AB en borrel.</p>"
     + "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Met vriendelijke groet,</p>"
     + "<p class=MsoNormal>Saskia</p>"
     + "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>"
     + "<p class=MsoNormal><b>Van:</b> G32 [mailto:info@G32.nl]<br><b>Verzonden:</b> donderdag 2 november"
     + "<br><b>Aan:</b> G32<br><b>Onderwerp:</b> Uitnodiging</p></div>" + INVITE_HTML + "</div>",
     "html", ["Graag AB en borrel.\n\nMet vriendelijke groet,\nSaskia\n" + DIVIDER_LINE + "\nVan: G32"], []),
    ("html-divrplyfwdmsg-and-hr",
     headers("text/html; charset=utf-8")
     + "<div>Ik kom.</div><div id='appendonsend'></div><hr style='display:inline-block;width:98%'>"
     + "<div id='divRplyFwdMsg'><b>From:</b> G32<br><b>Sent:</b> Thursday<br><b>Subject:</b> Uitnodiging</div>"
     + INVITE_HTML,
     "html", ["Ik kom.\n" + DIVIDER_LINE + "\nFrom: G32"], [DIVIDER_LINE + "\n" + DIVIDER_LINE]),
    ("html-meta-charset-sniffed",
     (headers("text/html")).encode()
     + b"<html><head><meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'></head>"
     + "<body>Themagroep Financiën</body></html>".encode("latin-1"),
     "html", ["Themagroep Financiën"], []),
    ("plain-part-holding-html",
     headers("text/plain; charset=utf-8") + "<html><body><p>Ik kom naar de <b>borrel</b>.</p></body></html>",
     "html", ["Ik kom naar de borrel."], ["<b>"]),
    ("related-inline-image",
     headers('multipart/related; boundary="r"')
     + "--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Graag statushouders</p><img src='cid:logo'>\r\n"
     + "--r\r\nContent-Type: image/png; name=image001.png\r\nContent-Transfer-Encoding: base64\r\n"
     + "Content-ID: <logo>\r\nContent-Disposition: inline; filename=image001.png\r\n\r\niVBORw0KGgo=\r\n--r--\r\n",
     "html", ["Graag statushouders"], []),
    ("rfc822-attachment-not-body",
     headers('multipart/mixed; boundary="m"')
     + "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nZie bijgevoegd bericht.\r\n"
     + "--m\r\nContent-Type: message/rfc822\r\n\r\nFrom: G32 <info@G32.nl>\r\nSubject: Uitnodiging G32 netwerkdag\r\n"
     + "\r\nGraag nodigen wij u uit voor de G32 netwerkdag\r\n--m--\r\n",
     "plain", ["Zie bijgevoegd bericht."], ["Graag nodigen wij u uit"]),
    ("pdf-attachment-listed",
     headers('multipart/mixed; boundary="m"')
     + "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIn de bijlage de brief.\r\n"
     + "--m\r\nContent-Type: application/pdf; name=\"brief.pdf\"\r\nContent-Disposition: attachment; "
     + "filename=\"brief.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--m--\r\n",
     "plain", ["In de bijlage de brief."], []),
    ("text-attachment-not-body",
     headers('multipart/mixed; boundary="m"')
     + "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nZie bijlage.\r\n"
     + "--m\r\nContent-Type: text/plain; name=lijst.txt\r\nContent-Disposition: attachment; filename=lijst.txt"
     + "\r\n\r\nFinanciën, Veiligheid\r\n--m--\r\n",
     "plain", ["Zie bijlage."], ["Veiligheid"]),
    ("format-flowed",
     headers("text/plain; charset=utf-8; format=flowed")
     + "Graag meld ik mij aan voor de \r\nthemagroep Veiligheid.\r\n\r\n> Graag nodigen wij u uit voor de \r\n"
     + "> G32 netwerkdag\r\n-- \r\nJan\r\n",
     "plain", ["Graag meld ik mij aan voor de themagroep Veiligheid.",
               "> Graag nodigen wij u uit voor de G32 netwerkdag", "\n-- \nJan"], []),
    ("format-flowed-delsp",
     headers("text/plain; charset=utf-8; format=flowed; delsp=yes")
     + "Regionale samen \r\nwerking graag.\r\n",
     "plain", ["Regionale samenwerking graag."], []),
    ("multipart-without-boundary",
     headers("multipart/mixed") + "Ik kom graag naar de borrel.\r\n",
     "plain", ["Ik kom graag naar de borrel."], []),
]


@pytest.mark.parametrize("raw, source, present, absent", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_extract_shapes(raw, source, present, absent):
    result = extract(parse(raw))
    assert isinstance(result, Extracted)
    assert result.source == source
    for snippet in present:
        assert snippet in result.text
    for snippet in absent:
        assert snippet not in result.text


# (id, raw, snippet expected in text, words expected in one of the problems)
CHARSET_CASES = [
    ("us-ascii-with-8bit",
     headers("text/plain; charset=us-ascii", "8bit").encode() + "Financiën".encode("cp1252"),
     "Financiën", "cp1252"),
    ("utf8-declared-but-cp1252",
     headers("text/plain; charset=utf-8", "8bit").encode() + "Financiën – AB".encode("cp1252"),
     "Financiën – AB", "cp1252"),
    ("latin1-declared-but-utf8",
     headers("text/plain; charset=iso-8859-1", "8bit").encode() + "Financiën".encode(),
     "Financiën", "utf-8"),
    ("unknown-charset",
     headers("text/plain; charset=x-does-not-exist", "8bit").encode() + "Financiën".encode(),
     "Financiën", "x-does-not-exist"),
    ("no-charset-8bit",
     headers("text/plain", "8bit").encode() + "Financiën".encode("cp1252"),
     "Financiën", "cp1252"),
    ("unknown-transfer-encoding",
     headers("text/plain; charset=utf-8", "x-weird") + "Ik kom.",
     "Ik kom.", "x-weird"),
]


@pytest.mark.parametrize("raw, snippet, problem", [c[1:] for c in CHARSET_CASES],
                         ids=[c[0] for c in CHARSET_CASES])
def test_wrong_charsets_fall_back_and_are_reported(raw, snippet, problem):
    result = extract(parse(raw))
    assert snippet in result.text
    assert any(problem in p for p in result.problems), result.problems


def test_correct_charset_reports_no_problem():
    raw = headers("text/plain; charset=windows-1252", "8bit").encode() + "Financiën – AB".encode("cp1252")
    result = extract(parse(raw))
    assert result.text == "Financiën – AB"
    assert result.problems == ()


def test_decode_bytes_chain():
    assert decode_bytes(b"caf\xc3\xa9", "utf-8") == ("café", None)
    text, problem = decode_bytes(b"caf\xe9", "utf-8", "part 2")
    assert text == "café" and problem == "wrong charset utf-8 in part 2; decoded as cp1252"
    text, problem = decode_bytes(b"\x81\x8d", None)
    assert text == "\x81\x8d" and "latin-1" in problem  # cp1252 cannot, latin-1 always can
    assert decode_bytes(b"abc", "base64") [0] == "abc"  # not a text codec: treated as unknown


def test_attachments_are_listed():
    pdf = dict(CASES_BY_ID)["pdf-attachment-listed"]
    assert extract(parse(pdf)).attachments == ("brief.pdf (application/pdf)",)
    related = dict(CASES_BY_ID)["related-inline-image"]
    assert extract(parse(related)).attachments == ("image001.png (image/png)",)
    rfc822 = dict(CASES_BY_ID)["rfc822-attachment-not-body"]
    assert extract(parse(rfc822)).attachments == ("message/rfc822: Uitnodiging G32 netwerkdag",)


CASES_BY_ID = [(c[0], c[1]) for c in CASES]


def test_deep_nesting_is_cut_off_without_raising():
    depth = 80
    raw = headers('multipart/mixed; boundary="b0"')
    for level in range(1, depth):
        raw += f'--b{level - 1}\r\nContent-Type: multipart/mixed; boundary="b{level}"\r\n\r\n'
    raw += f"--b{depth - 1}\r\nContent-Type: text/plain\r\n\r\nDiep verstopt\r\n"
    for level in range(depth - 1, -1, -1):
        raw += f"--b{level}--\r\n"
    result = extract(parse(raw))
    assert any("nesting" in p for p in result.problems)
    assert isinstance(result.text, str)


def test_nothing_readable():
    raw = headers("image/png; name=foto.png", "base64") + "iVBORw0KGgo=\r\n"
    result = extract(parse(raw))
    assert (result.text, result.source) == ("", "none")
    assert result.attachments == ("foto.png (image/png)",)


# ---------------------------------------------------------------------------
# calendar replies (rule 25)

def ics(partstat: str | None, comment: str = "", method: str = "REPLY") -> str:
    attendee = "ATTENDEE;CN=Jan de Vries" + (f";PARTSTAT={partstat}" if partstat else "") + ":mailto:j.devries@zwolle.nl"
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "VERSION:2.0",
             f"METHOD:{method}", "BEGIN:VEVENT", attendee, "SUMMARY:G32 netwerkdag",
             "DTSTART:20171130T090000Z", "UID:abc123@g32.nl"]
    if comment:
        lines.append(f"COMMENT:{comment}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("partstat", ["ACCEPTED", "DECLINED", "TENTATIVE"])
def test_calendar_reply_alongside_text(partstat):
    raw = (headers('multipart/alternative; boundary="c"')
           + "--c\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGraag ook de borrel.\r\n"
           + "--c\r\nContent-Type: text/calendar; charset=utf-8; method=REPLY\r\n\r\n"
           + ics(partstat, comment="Graag ook de borrel.") + "--c--\r\n")
    result = extract(parse(raw))
    assert result.source == "plain"
    assert result.text == "Graag ook de borrel."
    assert result.calendar == CalendarReply(method="REPLY", partstat=partstat, comment="Graag ook de borrel.",
                                            summary="G32 netwerkdag", attendee="j.devries@zwolle.nl")


def test_calendar_only_uses_comment():
    raw = headers("text/calendar; method=REPLY; charset=utf-8") + ics("ACCEPTED", comment="Ik kom naar het AB")
    result = extract(parse(raw))
    assert (result.source, result.text) == ("calendar", "Ik kom naar het AB")
    assert result.calendar is not None and result.calendar.partstat == "ACCEPTED"


def test_calendar_base64_attachment_without_comment():
    raw = (headers('multipart/mixed; boundary="c"')
           + "--c\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAfgewezen: G32 netwerkdag\r\n"
           + "--c\r\nContent-Type: text/calendar; method=REPLY; name=invite.ics\r\n"
           + "Content-Disposition: attachment; filename=invite.ics\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + b64(ics("DECLINED")) + "--c--\r\n")
    result = extract(parse(raw))
    assert result.calendar is not None
    assert (result.calendar.method, result.calendar.partstat, result.calendar.comment) == ("REPLY", "DECLINED", "")
    assert "invite.ics (text/calendar)" in result.attachments


def test_broken_calendar_is_read_line_by_line():
    broken = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nATTENDEE;PARTSTAT=TENTATIVE:mailto:x@y.nl\r\n"
    result = extract(parse(headers("text/calendar; method=REPLY") + broken))
    assert result.calendar is not None
    assert (result.calendar.method, result.calendar.partstat) == ("REPLY", "TENTATIVE")


# ---------------------------------------------------------------------------
# winmail.dat (application/ms-tnef)

def tnef_object(level: int, name: int, kind: int, data: bytes) -> bytes:
    return bytes([level]) + struct.pack("<HHI", name, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def winmail(body: bytes, attachment: str | None = None) -> bytes:
    data = struct.pack("<IH", 0x223E9F78, 0x0102)
    data += tnef_object(1, 0x9006, 0x0008, struct.pack("<I", 0x10000))  # TNEF version
    data += tnef_object(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # OEM code page
    data += tnef_object(1, 0x800C, 0x0002, body)  # attBody
    if attachment:
        data += tnef_object(2, 0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 8)
        data += tnef_object(2, 0x8010, 0x0001, attachment.encode("cp1252") + b"\x00")
    return data


def test_winmail_dat_body_is_read():
    payload = winmail("Graag de Themagroep Financiën.\r\nGroet, Jan".encode("cp1252"), attachment="agenda.pdf")
    raw = (headers('multipart/mixed; boundary="t"')
           + "--t\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\nContent-Transfer-Encoding: base64\r\n"
           + "Content-Disposition: attachment; filename=winmail.dat\r\n\r\n"
           + base64.encodebytes(payload).decode("ascii") + "--t--\r\n")
    result = extract(parse(raw))
    assert result.source == "tnef"
    assert result.text == "Graag de Themagroep Financiën.\nGroet, Jan"
    assert "winmail.dat (application/ms-tnef)" in result.attachments
    assert "agenda.pdf (in winmail.dat)" in result.attachments


def test_broken_winmail_dat_is_a_problem_not_an_error():
    raw = (headers('multipart/mixed; boundary="t"')
           + "--t\r\nContent-Type: text/plain\r\n\r\nZie bijlage\r\n"
           + "--t\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + "AAAAAAAA\r\n--t--\r\n")
    result = extract(parse(raw))
    assert result.text == "Zie bijlage"
    assert any("winmail.dat" in p for p in result.problems)


def test_compressed_rtf_bodies():
    # The two examples of [MS-OXRTFCP] section 3.
    simple = bytes.fromhex("2d0000002b0000004c5a4675f1c5c7a703000a00726370673132354232"
                           "0af32068656c090020627705b06c647d0a800fa0")
    assert _lzfu_decompress(simple) == b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
    repeated = bytes.fromhex("1a0000001c0000004c5a4675e2d44b51410004205758595a0d6e7d010eb0")
    assert _lzfu_decompress(repeated) == b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}"
    plain_rtf = r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}\pard Graag Financi\'ebn.\par Groet\u8364?\par}"
    assert _rtf_to_text(plain_rtf) == "Graag Financiën.\nGroet€"
    html_rtf = (r"{\rtf1\ansi\fromhtml1 {\*\htmltag19 <html>}\htmlrtf {\htmlrtf0 Ik kom naar de "
                r"{\*\htmltag84 <b>}\htmlrtf\b \htmlrtf0 borrel{\*\htmltag92 </b>}\htmlrtf }\htmlrtf0 .}")
    assert _rtf_to_text(html_rtf) == "Ik kom naar de borrel."


# ---------------------------------------------------------------------------
# HTML rendering and header decoding

def test_html_to_text_never_raises_on_junk():
    for junk in ["", "<", "<?xml version='1.0' encoding='utf-8'?><p>x</p>", "\x00\x01<p>a</p>", "<table><td>",
                 "<blockquote>" * 300, "\ue000\ue001 sentinel lookalikes"]:
        assert isinstance(html_to_text(junk), str)


def test_html_quote_prefix_does_not_leak_into_following_text():
    assert html_to_text("<p>Nieuw</p><blockquote><p>Oud</p></blockquote><p>Weer nieuw</p>") == \
        "Nieuw\n\n>\n> Oud\n>\n\nWeer nieuw"
    assert html_to_text("<div>Nieuw</div><blockquote type=cite><div>Oud</div><div>Ouder</div></blockquote>"
                        "<div>Weer nieuw</div>") == "Nieuw\n> Oud\n> Ouder\nWeer nieuw"


@pytest.mark.parametrize("value, expected", [
    ("=?utf-8?q?Chlo=C3=AB_Mulder?= <c.mulder@enschede.nl>", "Chloë Mulder <c.mulder@enschede.nl>"),
    ("=?iso-8859-1?q?Aanmelding_netwerkdag_=96_AB?=", "Aanmelding netwerkdag \x96 AB"),
    ("=?windows-1252?q?Aanmelding_=96_AB?=", "Aanmelding – AB"),
    ("=?x-unknown?q?Financi=EBn?=", "Financiën"),
    ("Re:\r\n Uitnodiging", "Re: Uitnodiging"),
    (b"Financi\xebn", "Financiën"),
    (None, ""),
    (email.header.Header("Financiën", "utf-8"), "Financiën"),
    ("Financi\udcc3\udcabn", "Financiën"),
])
def test_decode_header_text(value, expected):
    assert decode_header_text(value) == expected


def test_header_object_from_real_message():
    raw = ("From: =?utf-8?q?Aydin=2C_R=2E_=28Ruben=29?= <r.aydin@minbzk.nl>\r\n"
           "Subject: =?utf-8?b?QWFubWVsZGluZyBHMzIgbmV0d2Vya2RhZyDigJMgRnlzaWVrZSBQaWpsZXI=?=\r\n\r\nx\r\n")
    msg = parse(raw)
    assert decode_header_text(msg["subject"]) == "Aanmelding G32 netwerkdag – Fysieke Pijler"
    assert decode_header_text(msg["from"]) == '"Aydin, R. (Ruben)" <r.aydin@minbzk.nl>'
