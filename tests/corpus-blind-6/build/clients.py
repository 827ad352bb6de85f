"""Mail clients as they write a reply: headers, quote style, HTML dialect, charset habits.

A Mail holds what the writer typed (text, optional HTML), what the reply
quotes (an Orig from texts.py) and transport details. Each client class turns
it into the raw bytes that client would hand to its server, plus the two
Received lines and the optional Authentication-Results that mx1.g32.nl adds.
"""
from __future__ import annotations

import html as _html
import re
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mime import (CRLF, Ids, Part, address, binary_part, encoded_words, fit, fold, multipart, postfix_date,
                  render, rfc2822, text_part)
from texts import G32, Orig

NL_DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
NL_DAYS_SHORT = ["ma", "di", "wo", "do", "vr", "za", "zo"]


@dataclass
class Mail:
    n: int
    i: int
    sender: tuple[str, str]
    date: datetime
    subject: str
    text: str
    html: str | None = None
    quote: Orig | None = None
    to: list[tuple[str, str]] = field(default_factory=lambda: [G32])
    cc: list[tuple[str, str]] = field(default_factory=list)
    reply_to: tuple[str, str] | None = None
    charset: str = "utf-8"
    cte: str = "quoted-printable"
    html_cte: str | None = None
    auth: str | None = None
    relay: str | None = None
    relay_ip: str | None = None
    in_reply_to: str | None = None
    references: list[str] | None = None
    attachments: list[Part] = field(default_factory=list)
    inline: list[Part] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)
    subject_prefix: str | None = None
    name_mode: str = "Q"

    @property
    def addr(self) -> str:
        return self.sender[1]

    @property
    def domain(self) -> str:
        return self.sender[1].split("@")[1].lower()


def esc(s: str) -> str:
    return _html.escape(s, quote=False)


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """Split typed text into ('line', [l]), ('blank', []), ('ul', items), ('ol', items)."""
    out: list[tuple[str, list[str]]] = []
    for line in text.split("\n"):
        m_ul = re.match(r"^[-\u2022*] (.*)$", line)
        m_ol = re.match(r"^\d+\.\s+(.*)$", line)
        if m_ul:
            if out and out[-1][0] == "ul":
                out[-1][1].append(m_ul.group(1))
            else:
                out.append(("ul", [m_ul.group(1)]))
        elif m_ol:
            if out and out[-1][0] == "ol":
                out[-1][1].append(m_ol.group(1))
            else:
                out.append(("ol", [m_ol.group(1)]))
        elif line.strip() == "":
            out.append(("blank", []))
        else:
            out.append(("line", [line]))
    while out and out[-1][0] == "blank":
        out.pop()
    return out


def html_lines(text: str, style: str) -> str:
    """The typed text in a client's HTML dialect."""
    parts = []
    if style == "outlook":
        for kind, items in blocks(text):
            if kind == "line":
                parts.append(f'<p class="MsoNormal">{esc(items[0])}<o:p></o:p></p>')
            elif kind == "blank":
                parts.append('<p class="MsoNormal"><o:p>&nbsp;</o:p></p>')
            else:
                tag = "ul" if kind == "ul" else "ol"
                typ = 'type="disc"' if kind == "ul" else 'start="1" type="1"'
                lis = "".join(f'<li class="MsoListParagraph" style="margin-left:0cm;mso-list:l0 level1 lfo1">'
                              f'{esc(it)}<o:p></o:p></li>' for it in items)
                parts.append(f'<{tag} style="margin-top:0cm" {typ}>{lis}</{tag}>')
        return "\n".join(parts)
    if style == "div":
        for kind, items in blocks(text):
            if kind == "line":
                parts.append(f"<div>{esc(items[0])}</div>")
            elif kind == "blank":
                parts.append("<div><br></div>")
            else:
                tag = kind
                parts.append(f"<{tag}>" + "".join(f"<li>{esc(it)}</li>" for it in items) + f"</{tag}>")
        return "\n".join(parts)
    if style == "p":
        para: list[str] = []
        for kind, items in blocks(text) + [("blank", [])]:
            if kind == "line":
                para.append(esc(items[0]))
            else:
                if para:
                    parts.append("<p>" + "<br>\n".join(para) + "</p>")
                    para = []
                if kind in ("ul", "ol"):
                    parts.append(f"<{kind}>" + "".join(f"<li>{esc(it)}</li>" for it in items) + f"</{kind}>")
        return "\n".join(parts)
    if style == "notes":
        segs = []
        for kind, items in blocks(text):
            if kind == "line":
                segs.append(esc(items[0]) + "<br>")
            elif kind == "blank":
                segs.append("<br>")
            else:
                segs.append("".join(f"- {esc(it)}<br>" for it in items))
        return '<span style=" font-size:10pt;font-family:sans-serif">' + "".join(segs) + "</span>"
    raise ValueError(style)


def quote_gt(plain: str, width: int = 76, bare_blank: bool = False) -> str:
    """Prefix every line with '> ', wrapping long prose lines (programme lines stay whole)."""
    out = []
    for line in plain.split("\n"):
        if not line.strip():
            out.append(">" if bare_blank else "> ")
            continue
        if line.startswith(" ") or re.match(r"^\d\d\.\d\d ", line) or len(line) <= width - 2:
            out.append("> " + line)
            continue
        for piece in textwrap.wrap(line, width - 2, break_long_words=False, break_on_hyphens=False):
            out.append("> " + piece)
    return "\n".join(out).replace("> \n", ">\n") if bare_blank else "\n".join(out)


def flowed(text: str, width: int = 72) -> str:
    """format=flowed: long lines broken with a trailing space (soft break)."""
    out = []
    for line in text.split("\n"):
        if len(line) <= width or line.startswith(">"):
            out.append(line)
            continue
        pieces = textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
        out += [p + " " for p in pieces[:-1]] + [pieces[-1]]
    return "\n".join(out)


def nl_long(dt: datetime, sep: str = " ") -> str:
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
              "oktober", "november", "december"]
    return f"{NL_DAYS[dt.weekday()]} {dt.day} {months[dt.month - 1]} {dt.year}{sep}{dt:%H:%M}"


class Client:
    """Common transport: Return-Path, the two Received lines of the G32 side, Authentication-Results."""
    relay_fmt = "mail.{domain}"
    reply_prefix = "Re: "
    charset_quoted = False

    def __init__(self, m: Mail):
        self.m = m
        self.ids = Ids(f"corpus-blind-6/{m.n:03d}/{m.i}")

    # --- transport ---------------------------------------------------------------
    def relay(self) -> tuple[str, str]:
        host = self.m.relay or self.relay_fmt.format(domain=self.m.domain)
        return host, self.m.relay_ip or self.ids.ip("203.0.113.")

    def g32_received(self) -> list[tuple[str, str]]:
        t = self.m.date
        host, ip = self.relay()
        hdrs = [
            ("Return-Path", f"<{self.m.addr}>"),
            ("Received", f"from mx1.g32.nl (localhost [127.0.0.1]){CRLF}\tby mail.g32.nl (Postfix) with ESMTP id "
                         f"3y{self.ids.alnum(12)}{CRLF}\tfor <info@g32.nl>; {postfix_date(t + timedelta(seconds=5))}"),
            ("Received", f"from {host} ({host} [{ip}]){CRLF}\tby mx1.g32.nl (Postfix) with ESMTPS id "
                         f"3y{self.ids.alnum(12)}{CRLF}\tfor <info@G32.nl>; {postfix_date(t + timedelta(seconds=3))}"),
        ]
        if self.m.auth:
            hdrs.append(("Authentication-Results", self.m.auth))
        return hdrs

    # --- common header values ------------------------------------------------------
    def subject(self) -> str:
        if self.m.subject_prefix is not None:
            subj = self.m.subject_prefix + self.m.subject
        elif self.m.quote is not None:
            subj = self.reply_prefix + self.m.quote.subject
        else:
            subj = self.m.subject
        cs = self.m.charset if self.m.charset != "us-ascii" else "utf-8"
        try:
            subj.encode(cs)
        except UnicodeEncodeError:
            cs = "utf-8"
        return fold(encoded_words(subj, cs, "Q"))

    def from_(self) -> str:
        return address(self.m.sender[0], self.m.sender[1], self.header_charset(), self.m.name_mode)

    def header_charset(self) -> str:
        return "utf-8" if self.m.charset in ("us-ascii",) else self.m.charset

    def to_(self) -> str:
        return ", ".join(address(n, a) for n, a in self.m.to)

    def cc_(self) -> str:
        return ", ".join(address(n, a, self.header_charset()) for n, a in self.m.cc)

    def threading(self) -> list[tuple[str, str]]:
        q = self.m.quote
        irt = self.m.in_reply_to or (q.msgid if q else None)
        if not irt:
            return []
        refs = self.m.references if self.m.references is not None else ((q.refs if q else []) + [irt])
        return [("References", fold(" ".join(refs), 70, " ")), ("In-Reply-To", irt)]

    def date(self) -> str:
        return rfc2822(self.m.date)

    # --- bodies -------------------------------------------------------------------------
    def plain_text(self) -> str:
        return self.m.text

    def html_text(self) -> str:
        raise NotImplementedError

    def build(self) -> bytes:
        raise NotImplementedError


# --------------------------------------------------------------------------------------------
# Outlook family
# --------------------------------------------------------------------------------------------
WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)">
<style><!--
/* Font Definitions */
@font-face
\t{{font-family:"Cambria Math";
\tpanose-1:2 4 5 3 5 4 6 3 2 4;}}
@font-face
\t{{font-family:Calibri;
\tpanose-1:2 15 5 2 2 2 4 3 2 4;}}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{{margin:0cm;
\tmargin-bottom:.0001pt;
\tfont-size:11.0pt;
\tfont-family:"Calibri",sans-serif;
\tmso-fareast-language:EN-US;}}
a:link, span.MsoHyperlink
\t{{mso-style-priority:99;
\tcolor:#0563C1;
\ttext-decoration:underline;}}
p.MsoListParagraph, li.MsoListParagraph, div.MsoListParagraph
\t{{mso-style-priority:34;
\tmargin-top:0cm;
\tmargin-right:0cm;
\tmargin-bottom:0cm;
\tmargin-left:36.0pt;
\tmargin-bottom:.0001pt;
\tfont-size:11.0pt;
\tfont-family:"Calibri",sans-serif;}}
span.E-mailStijl17
\t{{mso-style-type:personal-reply;
\tfont-family:"Calibri",sans-serif;
\tcolor:#1F497D;}}
.MsoChpDefault
\t{{mso-style-type:export-only;
\tfont-size:10.0pt;}}
@page WordSection1
\t{{size:612.0pt 792.0pt;
\tmargin:70.85pt 70.85pt 70.85pt 70.85pt;}}
div.WordSection1
\t{{page:WordSection1;}}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--><!--[if gte mso 9]><xml>
<o:shapelayout v:ext="edit">
<o:idmap v:ext="edit" data="1" />
</o:shapelayout></xml><![endif]-->
</head>
<body lang="NL" link="#0563C1" vlink="#954F72">
<div class="WordSection1">
"""


def word_quote_html(q: Orig, mailto: bool = True) -> str:
    van = f"G32 [mailto:{q.sender[1]}] " if mailto else f"{esc(q.sender[0])} &lt;{q.sender[1]}&gt;"
    return (
        '<p class="MsoNormal"><a name="_MailEndCompose"><o:p>&nbsp;</o:p></a></p>\n<div>\n'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n'
        f'<p class="MsoNormal"><b><span lang="NL" style="mso-fareast-language:NL">Van:</span></b>'
        f'<span lang="NL" style="mso-fareast-language:NL"> {van}<br>\n'
        f"<b>Verzonden:</b> {nl_long(q.date)}<br>\n<b>Aan:</b> {esc(q.to)}<br>\n"
        f"<b>Onderwerp:</b> {esc(q.subject)}<o:p></o:p></span></p>\n</div>\n</div>\n"
        '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n' + q.html + "\n"
    )


class Outlook(Client):
    """Outlook 2013/2016 against on-premises Exchange: plain + Word HTML, 'RE: ', Van/Verzonden block."""
    reply_prefix = "RE: "
    relay_fmt = "mail.{domain}"

    def __init__(self, m: Mail, mailto: bool = True, mark_comments: str | None = None):
        super().__init__(m)
        self.mailto = mailto
        host = self.m.domain.split(".")[0] if not self.m.domain.startswith("bestuur.") else self.m.domain.split(".")[1]
        self.box = f"EXMBX0{self.ids.rnd.randint(1, 4)}.ad.{host}.nl"
        self.hub = f"EXHUB0{self.ids.rnd.randint(1, 3)}.ad.{host}.nl"
        self.token = self.ids.hex(32)
        self.msgid = f"<{self.token}@{self.box}>"

    def quote_plain(self) -> str:
        q = self.m.quote
        van = f"G32 [mailto:{q.sender[1]}] " if self.mailto else f"{q.sender[0]} <{q.sender[1]}>"
        return (f"Van: {van}\nVerzonden: {nl_long(q.date)}\nAan: {q.to}\nOnderwerp: {q.subject}\n\n"
                + q.plain)

    def plain_text(self) -> str:
        t = self.m.text
        if self.m.quote:
            t = t.rstrip("\n") + "\n\n" + self.quote_plain()
        return fit(t, self.m.charset)

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "outlook")
        if self.m.quote:
            body += "\n" + word_quote_html(self.m.quote, self.mailto)
        return WORD_HEAD.format(charset=self.m.charset) + body + "\n</div>\n</body>\n</html>\n"

    def transport(self) -> list[tuple[str, str]]:
        t = self.m.date
        ip_a, ip_b = f"10.{self.ids.rnd.randint(10, 60)}.1.{self.ids.rnd.randint(10, 250)}", None
        ip_b = ip_a.rsplit(".", 1)[0] + "." + str(int(ip_a.rsplit(".", 1)[1]) + 3)
        return [
            ("Received", f"from {self.box} ({ip_a}) by {self.hub} ({ip_b}) with Microsoft SMTP{CRLF} Server "
                         f"(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id{CRLF} "
                         f"15.1.1261.35; {rfc2822(t + timedelta(seconds=1))}"),
            ("Received", f"from {self.box} ([fe80::{self.ids.hex(4)}:{self.ids.hex(4)}:{self.ids.hex(4)}:"
                         f"{self.ids.hex(4)}]) by{CRLF} {self.box} ([fe80::{self.ids.hex(4)}:{self.ids.hex(4)}:"
                         f"{self.ids.hex(4)}:{self.ids.hex(4)}%12]) with mapi id{CRLF} 15.01.1261.035; "
                         f"{rfc2822(t)}"),
        ]

    def identity(self) -> list[tuple[str, str]]:
        h = [("From", self.from_()), ("To", self.to_())]
        if self.m.cc:
            h.append(("CC", self.cc_()))
        subj = self.subject()
        topic = subj.split(": ", 1)[1] if subj.startswith(("RE: ", "FW: ")) and subj.isascii() else subj
        h += [("Subject", subj), ("Thread-Topic", topic), ("Thread-Index", f"AdN{self.ids.b64(27)}=="),
              ("Date", self.date()), ("Message-ID", self.msgid)]
        h += self.threading()
        if self.m.reply_to:
            h.append(("Reply-To", address(*self.m.reply_to)))
        h += [("Accept-Language", "nl-NL, en-US"), ("Content-Language", "nl-NL"),
              ("X-MS-Has-Attach", "yes" if self.m.attachments else ""), ("X-MS-TNEF-Correlator", "")]
        return h

    def tail(self) -> list[tuple[str, str]]:
        return [("x-originating-ip", f"[10.{self.ids.rnd.randint(10, 60)}.{self.ids.rnd.randint(1, 99)}."
                                     f"{self.ids.rnd.randint(2, 250)}]")]

    def body(self) -> Part:
        cs, cte = self.m.charset, self.m.cte
        html_cte = self.m.html_cte or cte
        alt = multipart("alternative", [
            text_part("plain", self.plain_text(), cs, cte, order="quoted"),
            text_part("html", self.html_text(), cs, html_cte, order="quoted"),
        ], f"_000_{self.token}{self.box.replace('.', '')}_")
        if self.m.inline:
            alt = multipart("related", [alt, *self.m.inline], f"_004_{self.token}{self.box.replace('.', '')}_",
                            params='type="multipart/alternative"')
        if self.m.attachments:
            alt = multipart("mixed", [alt, *self.m.attachments], f"_002_{self.token}{self.box.replace('.', '')}_")
        return alt

    def build(self) -> bytes:
        head = self.g32_received() + self.transport() + self.identity() + self.m.extra + self.tail()
        return render(head, self.body())


class OutlookO365(Outlook):
    """Outlook against Exchange Online: outbound.protection.outlook.com, UTC hops, X-MS-Exchange headers."""

    def __init__(self, m: Mail, mailto: bool = False):
        super().__init__(m, mailto=mailto)
        self.server = (f"{self.ids.rnd.choice(['AM5', 'DB6', 'VI1', 'HE1', 'AM3'])}PR0{self.ids.rnd.randint(1, 8)}01MB"
                       f"{self.ids.digits(4)}")
        self.box = f"{self.server}.eurprd0{self.ids.rnd.randint(1, 7)}.prod.outlook.com"
        self.token = f"{self.server}{self.ids.hex(30, upper=True)}"
        self.msgid = f"<{self.token}@{self.box}>"
        self.tenant = self.ids.uuid().lower()

    def relay(self) -> tuple[str, str]:
        host = f"mail-{self.ids.alnum(2, 'abdhv')}{self.ids.digits(1)}eur0{self.ids.digits(1)}on0{self.ids.digits(3)}" \
               ".outbound.protection.outlook.com"
        return host, f"104.47.{self.ids.rnd.randint(0, 9)}.{self.ids.rnd.randint(10, 250)}"

    def transport(self) -> list[tuple[str, str]]:
        u = self.m.date - timedelta(hours=1)
        peer = self.server[:-1] + str((int(self.server[-1]) + 1) % 10)
        return [
            ("Received", f"from {self.box} ({self.ids.ip('10.167.')}) by{CRLF} {peer}.{self.box.split('.', 1)[1]} "
                         f"({self.ids.ip('10.167.')}) with Microsoft SMTP{CRLF} Server (version=TLS1_2, "
                         f"cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id{CRLF} 15.20.218.12; "
                         f"{rfc2822(u + timedelta(seconds=2)).replace('+0100', '+0000')}"),
            ("Received", f"from {self.box} ([fe80::{self.ids.hex(4)}:{self.ids.hex(4)}:{self.ids.hex(4)}:"
                         f"{self.ids.hex(4)}]) by{CRLF} {self.box} ([fe80::{self.ids.hex(4)}:{self.ids.hex(4)}:"
                         f"{self.ids.hex(4)}:{self.ids.hex(4)}%13]) with mapi id{CRLF} 15.20.0218.015; "
                         f"{rfc2822(u + timedelta(seconds=1)).replace('+0100', '+0000')}"),
        ]

    def tail(self) -> list[tuple[str, str]]:
        u = self.m.date - timedelta(hours=1)
        return [
            ("authentication-results", f"spf=none (sender IP is ){CRLF} smtp.mailfrom={self.m.addr};"),
            ("x-ms-publictraffictype", "Email"),
            ("x-ms-office365-filtering-correlation-id", self.ids.uuid().lower()),
            ("x-forefront-antispam-report", "SFV:NSPM;SFS:(10009020)(39860400002)(376002)(346002);DIR:OUT;SFP:1102;"),
        ]

    def build(self) -> bytes:
        u = self.m.date - timedelta(hours=1)
        head = self.g32_received() + self.transport() + self.identity() + self.m.extra + self.tail()
        trailer = [
            ("X-OriginatorOrg", self.m.domain),
            ("X-MS-Exchange-CrossTenant-originalarrivaltime", f"{u:%d %b %Y %H:%M:%S}.{self.ids.digits(4)} (UTC)"),
            ("X-MS-Exchange-CrossTenant-fromentityheader", "Hosted"),
            ("X-MS-Exchange-CrossTenant-id", self.tenant),
            ("X-MS-Exchange-Transport-CrossTenantHeadersStamped", self.server),
        ]
        body = self.body()
        raw = render(head, body)
        # Exchange Online writes MIME-Version and its trailer after Content-Type.
        split = raw.index(b"\r\n\r\n")
        return raw[:split] + ("".join(f"{CRLF}{k}: {v}" for k, v in trailer)).encode("ascii") + raw[split:]


class OutlookMac(Outlook):
    """Outlook 2016 for Mac: 'Van:/Datum:/Aan:/Onderwerp:' block, User-Agent Microsoft-MacOutlook."""

    def __init__(self, m: Mail):
        super().__init__(m)
        self.msgid = f"<{self.ids.uuid()}@{self.m.domain}>"
        self.token = self.ids.hex(24, upper=True)

    def quote_plain(self) -> str:
        q = self.m.quote
        months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                  "oktober", "november", "december"]
        d = f"{NL_DAYS[q.date.weekday()]} {q.date.day} {months[q.date.month - 1]} {q.date.year} om {q.date:%H:%M}"
        return f"Van: {q.sender[0]} <{q.sender[1]}>\nDatum: {d}\nAan: {q.to} <{q.to_addr}>\nOnderwerp: {q.subject}\n\n" + q.plain

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "div")
        q = self.m.quote
        quote = ""
        if q:
            d = self.quote_plain().split("\n")[1].split(": ", 1)[1]
            quote = ('<div style="border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
                     f'<span style="font-size:12pt"><b>Van: </b>{esc(q.sender[0])} &lt;{q.sender[1]}&gt;<br>'
                     f"<b>Datum: </b>{esc(d)}<br><b>Aan: </b>{esc(q.to)} &lt;{q.to_addr}&gt;<br>"
                     f"<b>Onderwerp: </b>{esc(q.subject)}<br></span></div><div><br></div>\n" + q.html)
        return ('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">'
                f'<head><meta http-equiv="Content-Type" content="text/html; charset={self.m.charset}">'
                '<meta name="Generator" content="Microsoft Word 15 (filtered medium)"></head>'
                '<body lang="NL" link="#0563C1" vlink="#954F72"><div class="WordSection1">\n'
                f"{body}\n<div><br></div>\n{quote}\n</div></body></html>\n")

    def identity(self) -> list[tuple[str, str]]:
        h = super().identity()
        h.insert(0, ("User-Agent", "Microsoft-MacOutlook/10.7.0.170924"))
        return [x for x in h if x[0] not in ("Accept-Language",)]

    def body(self) -> Part:
        cs, cte = self.m.charset, self.m.cte
        b = f"B_3592{self.ids.digits(6)}_{self.ids.digits(9)}"
        return multipart("alternative", [
            text_part("plain", self.plain_text(), cs, cte, order="quoted"),
            text_part("html", self.html_text(), cs, self.m.html_cte or cte, order="quoted"),
        ], b, fold_boundary=False)


class OutlookPlain(Outlook):
    """Outlook set to plain text only: one text/plain part, '-----Oorspronkelijk bericht-----'."""

    def quote_plain(self) -> str:
        q = self.m.quote
        return (f"-----Oorspronkelijk bericht-----\nVan: G32 [mailto:{q.sender[1]}] \n"
                f"Verzonden: {nl_long(q.date).replace(' 09:', ' 9:')}\nAan: {q.to}\nOnderwerp: {q.subject}\n\n"
                + q.plain)

    def body(self) -> Part:
        return text_part("plain", self.plain_text(), self.m.charset, self.m.cte, order="quoted")


class OWA(Outlook):
    """Outlook Web App 2010: a single text/html part, <hr> and a Van/Verzonden block."""

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "div")
        q = self.m.quote
        quote = ""
        if q:
            quote = ('<div style="font-family: Times New Roman; color: #000000; font-size: 16px">\n<hr tabindex="-1">\n'
                     f'<div id="divRpF{self.ids.digits(6)}" style="direction: ltr;"><font face="Tahoma" size="2" '
                     f'color="#000000"><b>Van:</b> {esc(q.sender[0])} [{q.sender[1]}]<br>\n'
                     f"<b>Verzonden:</b> {nl_long(q.date).replace(' 09:', ' 9:')}<br>\n<b>Aan:</b> {esc(q.to)}<br>\n"
                     f"<b>Onderwerp:</b> {esc(q.subject)}<br>\n</font><br>\n</div>\n<div></div>\n<div>\n"
                     + q.html + "\n</div>\n</div>\n")
        return ('<html dir="ltr">\n<head>\n'
                f'<meta http-equiv="Content-Type" content="text/html; charset={self.m.charset}">\n'
                '<style type="text/css" id="owaParaStyle"></style>\n</head>\n<body fpstyle="1" ocsi="0">\n'
                '<div style="direction: ltr;font-family: Tahoma;color: #000000;font-size: 10pt;">'
                f"{body}\n{quote}</div>\n</body>\n</html>\n")

    def body(self) -> Part:
        return text_part("html", self.html_text(), self.m.charset, self.m.cte, order="quoted")


class OutlookCom(OutlookO365):
    """Outlook.com (Hotmail) web: divtagdefaultwrapper, '________________' quote separator."""

    def relay(self) -> tuple[str, str]:
        return (f"EUR0{self.ids.digits(1)}-{self.ids.alnum(2, 'ADHV')}1-obe.outbound.protection.outlook.com",
                f"40.92.{self.ids.rnd.randint(64, 75)}.{self.ids.rnd.randint(10, 250)}")

    def quote_plain(self) -> str:
        q = self.m.quote
        return (f"________________________________\nVan: {q.sender[0]} <{q.sender[1]}>\n"
                f"Verzonden: {nl_long(q.date)}\nAan: {q.to}\nOnderwerp: {q.subject}\n\n" + q.plain)

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "p")
        q = self.m.quote
        quote = ""
        if q:
            quote = ('<hr style="display:inline-block;width:98%" tabindex="-1">\n<div id="divRplyFwdMsg" dir="ltr">'
                     '<font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
                     f"<b>Van:</b> {esc(q.sender[0])} &lt;{q.sender[1]}&gt;<br>\n<b>Verzonden:</b> {nl_long(q.date)}"
                     f"<br>\n<b>Aan:</b> {esc(q.to)}<br>\n<b>Onderwerp:</b> {esc(q.subject)}</font>"
                     f"<div>&nbsp;</div>\n</div>\n<div>\n{q.html}\n</div>\n")
        return ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
                '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n'
                '</head>\n<body dir="ltr">\n<div id="divtagdefaultwrapper" style="font-size:12pt;color:#000000;'
                f'font-family:Calibri,Helvetica,sans-serif;" dir="ltr">\n{body}\n</div>\n{quote}</body>\n</html>\n')

    def tail(self) -> list[tuple[str, str]]:
        return [("x-incomingtopheadermarker", f"OriginalChecksum:{self.ids.hex(64, upper=True)};UpperCasedChecksum:"
                                              f"{self.ids.hex(64, upper=True)};SizeAsReceived:{self.ids.digits(4)};"
                                              "Count:44"),
                ("x-ms-exchange-messagesentrepresentingtype", "1"),
                ("x-ms-publictraffictype", "Email")]


class OutlookAndroid(OutlookO365):
    """Outlook for Android through Exchange Online: 'Outlook voor Android downloaden' tagline."""

    def quote_plain(self) -> str:
        q = self.m.quote
        return (f"________________________________\nVan: {q.sender[0]} <{q.sender[1]}>\n"
                f"Verzonden: {nl_long(q.date)}:00\nAan: {q.to}\nOnderwerp: {q.subject}\n\n" + q.plain)

    def plain_text(self) -> str:
        t = self.m.text.rstrip("\n") + "\n\nOutlook voor Android downloaden<https://aka.ms/ghei36>\n"
        if self.m.quote:
            t += "\n" + self.quote_plain()
        return fit(t, self.m.charset)

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "div")
        q = self.m.quote
        quote = ""
        if q:
            quote = ('<hr style="display:inline-block;width:98%" tabindex="-1">\n<div id="divRplyFwdMsg" dir="ltr">'
                     '<font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
                     f"<b>Van:</b> {esc(q.sender[0])} &lt;{q.sender[1]}&gt;<br>\n<b>Verzonden:</b> "
                     f"{nl_long(q.date)}:00<br>\n<b>Aan:</b> {esc(q.to)}<br>\n<b>Onderwerp:</b> {esc(q.subject)}"
                     f"</font>\n<div>&nbsp;</div>\n</div>\n{q.html}\n")
        return ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n</head>\n'
                f'<body>\n<div dir="auto">\n{body}\n</div>\n<div dir="auto"><br></div>\n<div dir="auto">'
                '<a href="https://aka.ms/ghei36">Outlook voor Android downloaden</a></div>\n'
                f"{quote}</body>\n</html>\n")


# --------------------------------------------------------------------------------------------
# Google, Apple, Android, Thunderbird, Notes, GroupWise, webmail
# --------------------------------------------------------------------------------------------
class Gmail(Client):
    """Gmail web: 'Op do 2 nov. 2017 om 09:30 schreef ...:' and '> ' quoting; DKIM-signed."""
    relay_fmt = "mail-wr0-f{n}.google.com"

    def __init__(self, m: Mail, app: bool = False):
        super().__init__(m)
        self.app = app
        self.msgid = f"<CA{self.ids.alnum(2)}{self.ids.b64(40)}@mail.gmail.com>"
        self.boundary = f"001a11{self.ids.hex(22)}"

    def relay(self) -> tuple[str, str]:
        if self.m.relay:
            return self.m.relay, self.m.relay_ip or self.ids.ip("203.0.113.")
        k = self.ids.rnd.randint(170, 199)
        return f"mail-wr0-f{k}.google.com", f"209.85.128.{k}"

    def attribution(self) -> str:
        q = self.m.quote
        if self.app:
            return f'Op {q.date.day} nov. {q.date.year} {q.date:%H:%M} schreef "{q.sender[0]}" <{q.sender[1]}>:'
        return (f"Op {NL_DAYS_SHORT[q.date.weekday()]} {q.date.day} nov. {q.date.year} om {q.date:%H:%M} "
                f"schreef {q.sender[0]} <{q.sender[1]}>:")

    def plain_text(self) -> str:
        t = self.m.text
        if self.m.quote:
            t = t.rstrip("\n") + "\n\n" + self.attribution() + "\n\n" + quote_gt(self.m.quote.plain, bare_blank=True)
        return t

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "div")
        wrap = "auto" if self.app else "ltr"
        out = f'<div dir="{wrap}">{body}</div>'
        q = self.m.quote
        if q:
            attr = esc(self.attribution()).replace(
                f"&lt;{q.sender[1]}&gt;", f'&lt;<a href="mailto:{q.sender[1]}">{q.sender[1]}</a>&gt;')
            out += ('<div class="gmail_extra"><br><div class="gmail_quote">' + attr +
                    '<br><blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;'
                    f'padding-left:1ex">{q.html}</blockquote></div><br></div>')
        return out + "\n"

    def build(self) -> bytes:
        m = self.m
        t = m.date
        u = t - timedelta(hours=8)
        head = self.g32_received()
        if m.relay is None:
            head += [
                ("Received", f"by {self.relay()[0]} with SMTP id {self.ids.alnum(9, 'abcdefghijklmnopqrstuvwxyz')}.6"
                             f"{CRLF}        for <info@G32.nl>; {rfc2822(u, pad_day=True).replace('+0100', '-0800')}"
                             " (PST)"),
                ("DKIM-Signature", f"v=1; a=rsa-sha256; c=relaxed/relaxed;{CRLF}        d=gmail.com; s=20161025;"
                                   f"{CRLF}        h=mime-version:in-reply-to:references:from:date:message-id:subject:to;"
                                   f"{CRLF}        bh={self.ids.b64(43)}=;{CRLF}        b={self.ids.b64(70)}"
                                   f"{CRLF}         {self.ids.b64(70)}{CRLF}         {self.ids.b64(40)}=="),
                ("X-Gm-Message-State", f"AMCzsa{self.ids.b64(60)}{CRLF}\t{self.ids.b64(30)}"),
                ("X-Google-Smtp-Source", f"ABhQp+{self.ids.b64(60)}="),
                ("X-Received", f"by 10.223.{self.ids.rnd.randint(1, 250)}.{self.ids.rnd.randint(1, 250)} with SMTP id "
                               f"{self.ids.alnum(10, 'abcdefghijklmnopqrstuvwxyz0123456789')}mr{self.ids.digits(7)}"
                               f"wrb.{self.ids.digits(2)}.{self.ids.digits(13)};{CRLF} "
                               f"{rfc2822(u, pad_day=True).replace('+0100', '-0800')} (PST)"),
            ]
        head.append(("MIME-Version", "1.0"))
        if m.relay is None:
            head.append(("Received", f"by 10.223.{self.ids.rnd.randint(1, 250)}.{self.ids.rnd.randint(1, 250)} "
                                     f"with HTTP; {rfc2822(u, pad_day=True).replace('+0100', '-0800')} (PST)"))
        head += self.threading()
        if m.reply_to:
            head.append(("Reply-To", address(*m.reply_to)))
        head += [("From", self.from_()), ("Date", self.date()), ("Message-ID", self.msgid),
                 ("Subject", self.subject()), ("To", self.to_())]
        if m.cc:
            head.append(("Cc", self.cc_()))
        head += m.extra
        cs = "UTF-8"
        body = multipart("alternative", [
            text_part("plain", self.plain_text(), cs, m.cte, order="quoted"),
            text_part("html", self.html_text(), cs, m.html_cte or m.cte, order="quoted"),
        ], self.boundary, fold_boundary=False)
        return render(head, body, mime_version="")


class AppleMail(Client):
    """Apple Mail on macOS: Apple-Mail=_ boundary, blockquote type=cite, Mime-Version with build."""
    relay_fmt = "smtp.{domain}"

    def __init__(self, m: Mail):
        super().__init__(m)
        self.msgid = f"<{self.ids.uuid()}@{m.domain}>"

    def attribution(self) -> str:
        q = self.m.quote
        return f"Op {q.date.day} nov. {q.date.year}, om {q.date:%H:%M} heeft {q.sender[0]} <{q.sender[1]}> het volgende geschreven:"

    def plain_text(self) -> str:
        t = self.m.text
        if self.m.quote:
            t = t.rstrip("\n") + "\n\n" + self.attribution() + "\n\n" + quote_gt(self.m.quote.plain)
        return t

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "div")
        q = self.m.quote
        quote = ""
        if q:
            quote = (f'<br class=""><div><blockquote type="cite" class=""><div class="">{esc(self.attribution())}'
                     f'</div><br class="Apple-interchange-newline"><div class="">{q.html}</div></blockquote></div>')
        return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
                '<body style="word-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;" '
                f'class="">{body}{quote}</body></html>\n')

    def transport(self) -> list[tuple[str, str]]:
        return [("Received", f"from [10.{self.ids.rnd.randint(1, 250)}.{self.ids.rnd.randint(1, 250)}."
                             f"{self.ids.rnd.randint(1, 250)}] (unknown [{self.ids.ip('145.53.')}]){CRLF}\tby "
                             f"{self.relay()[0]} (Postfix) with ESMTPSA id 3y{self.ids.alnum(12)}{CRLF}\tfor "
                             f"<info@G32.nl>; {postfix_date(self.m.date + timedelta(seconds=2))}")]

    def build(self) -> bytes:
        m = self.m
        head = self.g32_received() + self.transport() + [("From", self.from_())]
        if m.text.strip() == "" and m.quote is None:
            body = text_part("plain", "\n", "us-ascii", "7bit")
            body.headers = [("Content-Transfer-Encoding", "7bit"), ("Content-Type", "text/plain;\r\n\tcharset=us-ascii")]
        else:
            body = multipart("alternative", [
                text_part("plain", self.plain_text(), m.charset, m.cte, order="cte-first"),
                text_part("html", self.html_text(), m.charset, m.html_cte or m.cte, order="cte-first"),
            ], f"Apple-Mail=_{self.ids.uuid()}")
        tail = [("Mime-Version", "1.0 (Mac OS X Mail 11.1 \\(3445.4.7\\))"), ("Subject", self.subject()),
                ("Date", self.date())]
        if m.reply_to:
            tail.append(("Reply-To", address(*m.reply_to)))
        thr = self.threading()
        if thr:
            tail.append(thr[0])
        tail.append(("To", self.to_()))
        if m.cc:
            tail.append(("Cc", self.cc_()))
        if thr:
            tail.append(thr[1])
        tail += [("Message-Id", self.msgid), ("X-Mailer", "Apple Mail (2.3445.4.7)")] + m.extra
        if body.children:
            return render(head + [body.headers[0]] + tail, Part([], body.body), mime_version="")
        return render(head + body.headers + tail, Part([], body.body), mime_version="")


class IPhone(Client):
    """iOS Mail: plain text (QP) or an Apple-Mail alternative; '> Op ... het volgende geschreven:'."""
    relay_fmt = "smtp.{domain}"

    def __init__(self, m: Mail, alt: bool = False, device: str = "iPhone"):
        super().__init__(m)
        self.alt = alt
        self.device = device
        self.msgid = f"<{self.ids.uuid()}@{m.domain}>"

    def attribution(self) -> str:
        q = self.m.quote
        return f"Op {q.date.day} nov. {q.date.year} om {q.date:%H:%M} heeft {q.sender[0]} <{q.sender[1]}> het volgende geschreven:"

    def plain_text(self) -> str:
        t = self.m.text.rstrip("\n") + f"\n\nVerzonden vanaf mijn {self.device}\n"
        if self.m.quote:
            t += "\n> " + self.attribution() + "\n>\n" + quote_gt(self.m.quote.plain, bare_blank=True) + "\n"
        return t

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "div")
        q = self.m.quote
        quote = ""
        if q:
            quote = (f"<div><br>{esc(self.attribution())}<br><br></div><blockquote type=\"cite\"><div>{q.html}"
                     "</div></blockquote>")
        return ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
                f'<body dir="auto">{body}<div><br><div id="AppleMailSignature">Verzonden vanaf mijn {self.device}'
                f"</div>{quote}</div></body></html>\n")

    def transport(self) -> list[tuple[str, str]]:
        return [("Received", f"from [10.{self.ids.rnd.randint(1, 250)}.{self.ids.rnd.randint(1, 250)}."
                             f"{self.ids.rnd.randint(1, 250)}] (unknown [{self.ids.ip('77.167.')}]){CRLF}\tby "
                             f"{self.relay()[0]} (Postfix) with ESMTPSA id 3y{self.ids.alnum(12)}{CRLF}\tfor "
                             f"<info@G32.nl>; {postfix_date(self.m.date + timedelta(seconds=2))}")]

    def build(self) -> bytes:
        m = self.m
        head = self.g32_received() + self.transport()
        if self.alt:
            body = multipart("alternative", [
                text_part("plain", self.plain_text(), m.charset, m.cte, order="cte-first"),
                text_part("html", self.html_text(), m.charset, m.html_cte or m.cte, order="cte-first"),
            ], f"Apple-Mail-{self.ids.uuid()}", fold_boundary=False)
            head += [("Content-Transfer-Encoding", "7bit"), body.headers[0]]
        else:
            body = text_part("plain", self.plain_text(), m.charset, m.cte, order="cte-first")
            head += body.headers
        head += [("Mime-Version", "1.0 (1.0)"), ("Subject", self.subject()), ("Message-Id", self.msgid),
                 ("Date", self.date())]
        if m.cc:
            head.append(("Cc", self.cc_()))
        head += self.threading()
        head += [("To", self.to_()), ("X-Mailer", f"{self.device} Mail (15B202)"), ("From", self.from_())]
        head += m.extra
        return render(head, Part([], body.body), mime_version="")


class Samsung(Client):
    """Samsung Email on Android: base64 alternative, '-------- Oorspronkelijk bericht --------'."""

    def __init__(self, m: Mail):
        super().__init__(m)
        self.msgid = f"<{self.ids.alnum(8)}.{self.ids.alnum(6)}@email.android.com>"

    def header_block(self) -> list[str]:
        q = self.m.quote
        return ["-------- Oorspronkelijk bericht --------", f"Van: {q.sender[0]} <{q.sender[1]}> ",
                f"Datum: {q.date:%d-%m-%y %H:%M} (GMT+01:00) ", f"Aan: {q.to} <{q.to_addr}> ",
                f"Onderwerp: {q.subject} "]

    def plain_text(self) -> str:
        t = self.m.text.rstrip("\n") + "\n\n\n\nVerzonden vanaf mijn Samsung Galaxy-smartphone.\n"
        if self.m.quote:
            t += "\n" + "\n".join(self.header_block()) + "\n\n" + self.m.quote.plain + "\n"
        return t

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else "".join(
            f'<div dir="auto">{esc(l) if l.strip() else "<br>"}</div>' for l in self.m.text.rstrip("\n").split("\n"))
        q = self.m.quote
        quote = ""
        if q:
            quote = ('<div><br></div><div style="font-size:100%;color:#000000"><!-- originalMessage -->'
                     + "".join(f"<div>{esc(l)}</div>" for l in self.header_block()) + "<div><br></div></div>" + q.html)
        return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>'
                f'{body}<div dir="auto"><br></div><div dir="auto"><br></div><div id="composer_signature" dir="auto">'
                '<div style="font-size:85%;color:#575757" dir="auto">Verzonden vanaf mijn Samsung Galaxy-smartphone.'
                f"</div></div>{quote}</body></html>\n")

    def transport(self) -> list[tuple[str, str]]:
        return [("Received", f"from [10.{self.ids.rnd.randint(100, 200)}.{self.ids.rnd.randint(1, 250)}."
                             f"{self.ids.rnd.randint(1, 250)}] (unknown [{self.ids.ip('62.140.')}]){CRLF}\tby "
                             f"{self.relay()[0]} with ESMTPSA id {self.ids.alnum(10)}{CRLF}\tfor <info@G32.nl>; "
                             f"{rfc2822(self.m.date + timedelta(seconds=2))}")]

    def build(self) -> bytes:
        m = self.m
        head = self.g32_received() + self.transport() + [
            ("Message-ID", self.msgid), ("MIME-Version", "1.0"), ("Date", self.date()), ("Subject", self.subject()),
            ("From", self.from_()), ("To", self.to_())]
        if m.cc:
            head.append(("Cc", self.cc_()))
        head += self.threading() + [("Importance", "normal"), ("X-Priority", "3")] + m.extra
        body = multipart("alternative", [
            text_part("plain", self.plain_text(), m.charset, m.cte),
            text_part("html", self.html_text(), m.charset, m.html_cte or m.cte),
        ], f"--_com.samsung.android.email_{self.ids.digits(16)}", fold_boundary=False)
        return render(head, body, mime_version="")


class Thunderbird(Client):
    """Thunderbird 52: format=flowed plain (8bit) or HTML + plain; 'Op 2-11-2017 om 09:30 schreef G32:'."""
    relay_fmt = "smtp.{domain}"

    def __init__(self, m: Mail, alt: bool = False):
        super().__init__(m)
        self.alt = alt
        self.msgid = f"<{self.ids.uuid().lower()}@{m.domain}>"

    def attribution(self) -> str:
        q = self.m.quote
        return f"Op {q.date.day}-{q.date.month}-{q.date.year} om {q.date:%H:%M} schreef {q.sender[0]}:"

    def plain_text(self) -> str:
        t = flowed(self.m.text.rstrip("\n"))
        if self.m.quote:
            t += "\n\n" + self.attribution() + "\n" + quote_gt(self.m.quote.plain, width=74, bare_blank=True)
        return fit(t + "\n", self.m.charset)

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "p")
        q = self.m.quote
        quote = ""
        if q:
            quote = (f'<br>\n<div class="moz-cite-prefix">{esc(self.attribution())}<br>\n</div>\n'
                     f'<blockquote type="cite" cite="mid:{q.msgid.strip("<>")}">\n{q.html}\n</blockquote>\n<br>\n')
        return ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; '
                f'charset={self.m.charset}">\n</head>\n<body text="#000000" bgcolor="#FFFFFF">\n{body}\n{quote}'
                "</body>\n</html>\n")

    def build(self) -> bytes:
        m = self.m
        host, _ = self.relay()
        head = self.g32_received() + [
            ("Received", f"from [192.168.{self.ids.rnd.randint(0, 2)}.{self.ids.rnd.randint(2, 250)}] "
                         f"(ip-{self.ids.digits(3)}.{self.ids.digits(3)}.dsl.example.nl [{self.ids.ip('82.95.')}])"
                         f"{CRLF}\tby {host} (Postfix) with ESMTPSA id 3y{self.ids.alnum(12)}{CRLF}\t"
                         f"for <info@G32.nl>; {postfix_date(m.date + timedelta(seconds=1))}"),
        ]
        head += [("Subject", self.subject()), ("To", self.to_())]
        if m.cc:
            head.append(("Cc", self.cc_()))
        head += [("From", self.from_())]
        if m.reply_to:
            head.append(("Reply-To", address(*m.reply_to)))
        head += [("Message-ID", self.msgid)]
        thr = self.threading()
        if thr:
            head += [thr[0]]
        head += [("Date", rfc2822(m.date, pad_day=True)),
                 ("User-Agent", "Mozilla/5.0 (Windows NT 10.0; WOW64; rv:52.0) Gecko/20100101 Thunderbird/52.4.0")]
        if thr:
            head += [thr[1]]
        head += [("MIME-Version", "1.0")] + m.extra
        if self.alt:
            b = f"------------{self.ids.hex(24, upper=True)}"
            body = multipart("alternative", [
                text_part("plain", self.plain_text(), m.charset, m.cte, params="format=flowed"),
                text_part("html", self.html_text(), m.charset, m.html_cte or m.cte),
            ], b, preamble="This is a multi-part message in MIME format.", fold_boundary=False)
            head.append(body.headers[0])
            head.append(("Content-Language", "nl"))
            return render(head, Part([], body.body), mime_version="")
        body = text_part("plain", self.plain_text(), m.charset, m.cte, params="format=flowed")
        head += [body.headers[0], ("Content-Language", "nl"), body.headers[1]]
        return render(head, Part([], body.body), mime_version="")


class Notes(Client):
    """IBM Notes 9: 'Antw: ', Notes header block above the unindented original, =_alternative boundary."""
    reply_prefix = "Antw: "
    relay_fmt = "smtp.{domain}"

    def __init__(self, m: Mail):
        super().__init__(m)
        a, b, c, d, e, f = (self.ids.hex(8, upper=True) for _ in range(6))
        self.msgid = f"<OF{a}.{b}-ON{c}.{d}-{c}.{e}@{m.domain.split('.', 1)[-1] if m.domain.startswith('bestuur.') else m.domain}>"
        self.keep = f"{a}:{b}-{c}:{d}"
        self.boundary = f"=_alternative {self.ids.hex(8, upper=True)}{c}_="

    def block(self) -> list[str]:
        q = self.m.quote
        return [f"Van:    {q.sender[0]} <{q.sender[1]}>", f'Aan:    "{q.to}" <{q.to_addr}>',
                f"Datum:  {q.date:%d-%m-%Y %H:%M}", f"Onderwerp:      {q.subject}"]

    def plain_text(self) -> str:
        t = self.m.text.rstrip("\n") + "\n"
        if self.m.quote:
            t += "\n\n\n" + "\n".join(self.block()) + "\n\n\n\n" + self.m.quote.plain + "\n"
        return fit(t, self.m.charset)

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "notes")
        q = self.m.quote
        quote = ""
        if q:
            rows = []
            for line in self.block():
                k, v = line.split(":", 1)
                rows.append(f'<tr valign=top><td><span style=" font-size:9pt;color:#5f5f5f;font-family:sans-serif">'
                            f'{k}:        </span><td><span style=" font-size:9pt;font-family:sans-serif">'
                            f"{esc(v.strip())}</span>")
            quote = ("<br><br><br><br><table width=100% style=\"border-collapse:collapse;\">" + "".join(rows)
                     + "</table><br><hr noshade><br><br><br>" + q.html)
        return body + quote + "\n"

    def build(self) -> bytes:
        m = self.m
        host, _ = self.relay()
        dom = m.domain.split(".", 1)[-1] if m.domain.startswith("bestuur.") else m.domain
        srv = f"srvnotes0{self.ids.rnd.randint(1, 3)}"
        head = self.g32_received() + [
            ("Received", f"from {srv}.{dom} ([10.{self.ids.rnd.randint(10, 40)}.{self.ids.rnd.randint(1, 40)}."
                         f"{self.ids.rnd.randint(2, 250)}]){CRLF}\tby {host} with ESMTP id {self.ids.hex(8)}{CRLF}\t"
                         f"for <info@G32.nl>; {rfc2822(m.date + timedelta(seconds=2))}")]
        head += self.threading()
        head += [("To", self.to_())]
        if m.cc:
            head.append(("Cc", self.cc_()))
        head += [("MIME-Version", "1.0"), ("Subject", self.subject()),
                 ("X-KeepSent", f"{self.keep};{CRLF} type=4; name=$KeepSent"),
                 ("X-Mailer", "IBM Notes Release 9.0.1FP8 SHF149 July 05, 2017"),
                 ("Message-ID", self.msgid), ("From", self.from_()), ("Date", self.date())]
        head += [("X-MIMETrack", f"Serialize by Router on {srv.upper()}/Gemeente {dom.split('.')[0].capitalize()}"
                                 f"(Release 9.0.1FP8|June 13, 2017) at{CRLF} {m.date:%d-%m-%Y %H:%M:%S},{CRLF}\t"
                                 f"Serialize complete at {m.date:%d-%m-%Y %H:%M:%S}")] + m.extra
        cs = m.charset.upper()
        body = multipart("alternative", [
            text_part("plain", self.plain_text(), cs, m.cte, order="quoted"),
            text_part("html", self.html_text(), cs, m.html_cte or m.cte, order="quoted"),
        ], self.boundary, preamble="This is a multipart message in MIME format.", fold_boundary=False)
        return render(head, body, mime_version="")


class GroupWise(Client):
    """Novell GroupWise 14: text/plain, '>>> G32 <info@G32.nl> 2-11-2017 9:30 >>>' over the unindented original."""
    relay_fmt = "smtp.{domain}"

    def __init__(self, m: Mail):
        super().__init__(m)
        self.msgid = f"<{self.ids.hex(8, upper=True)}0200{self.ids.hex(4, upper=True)}000{self.ids.hex(5, upper=True)}" \
                     f"@gw.{m.domain}>"

    def plain_text(self) -> str:
        t = self.m.text.rstrip("\n") + "\n"
        q = self.m.quote
        if q:
            t += f"\n>>> {q.sender[0]} <{q.sender[1]}> {q.date.day}-{q.date.month}-{q.date.year} " \
                 f"{q.date.hour}:{q.date:%M} >>>\n" + q.plain + "\n"
        return fit(t, self.m.charset)

    def build(self) -> bytes:
        m = self.m
        host, _ = self.relay()
        head = self.g32_received() + [
            ("Received", f"from GW-DOM-MTA by {host}{CRLF}\twith Novell_GroupWise; {rfc2822(m.date, pad_day=True)}"),
            ("Message-Id", self.msgid), ("X-Mailer", "Novell GroupWise Internet Agent 14.2.2 "),
            ("Date", rfc2822(m.date, pad_day=True)), ("From", address(m.sender[0], m.addr, self.header_charset(), quote=True)),
            ("To", "<info@G32.nl>")]
        if m.cc:
            head.append(("Cc", self.cc_()))
        head += self.threading() + [("Subject", self.subject()), ("Mime-Version", "1.0")] + m.extra
        body = text_part("plain", self.plain_text(), m.charset.upper(), m.cte,
                         extra=[("Content-Disposition", "inline")])
        return render(head, body, mime_version="")


class Roundcube(Client):
    """Roundcube webmail (XS4ALL): format=flowed QP plain + HTML, 'Op 2017-11-02 09:30, G32 schreef:'."""
    relay_fmt = "smtp-cloud{n}.xs4all.net"

    def __init__(self, m: Mail):
        super().__init__(m)
        self.msgid = f"<{self.ids.hex(32)}@xs4all.nl>"

    def relay(self) -> tuple[str, str]:
        k = self.ids.rnd.randint(1, 9)
        return f"smtp-cloud{k}.xs4all.net", f"194.109.24.{self.ids.rnd.randint(20, 40)}"

    def attribution(self) -> str:
        q = self.m.quote
        return f"Op {q.date:%Y-%m-%d %H:%M}, {q.sender[0]} schreef:"

    def plain_text(self) -> str:
        t = flowed(self.m.text.rstrip("\n"), 76)
        if self.m.quote:
            t += "\n\n" + self.attribution() + "\n" + quote_gt(self.m.quote.plain, bare_blank=True)
        return t + "\n"

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "p")
        q = self.m.quote
        quote = ""
        if q:
            quote = (f"<p>{esc(self.attribution())}</p>\n<blockquote type=\"cite\" style=\"padding: 0 0.4em; "
                     f"border-left: #1010ff 2px solid; margin: 0\">\n{q.html}\n</blockquote>\n")
        return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /></head>'
                "<body style='font-size: 10pt; font-family: Verdana,Geneva,sans-serif'>\n"
                f"{body}\n{quote}</body></html>\n")

    def build(self) -> bytes:
        m = self.m
        head = self.g32_received() + [
            ("Received", f"from webmail.xs4all.nl ([{self.ids.ip('194.109.')}]){CRLF}\tby {self.relay()[0]} with "
                         f"ESMTPA{CRLF}\tid {self.ids.alnum(16)}; {rfc2822(m.date + timedelta(seconds=1))}"),
            ("MIME-Version", "1.0")]
        b = f"=_{self.ids.hex(32)}"
        body = multipart("alternative", [
            text_part("plain", self.plain_text(), "UTF-8", m.cte, params="format=flowed"),
            text_part("html", self.html_text(), "UTF-8", m.html_cte or m.cte),
        ], b, fold_boundary=False)
        head += [body.headers[0], ("Date", rfc2822(m.date, pad_day=True)), ("From", self.from_()),
                 ("To", self.to_())]
        head += [("Subject", self.subject())]
        thr = self.threading()
        if thr:
            head += [("In-Reply-To", thr[1][1]), ("References", thr[0][1])]
        head += [("Message-ID", self.msgid), ("X-Sender", m.addr), ("User-Agent", "Roundcube Webmail/1.2.5")]
        head += m.extra
        return render(head, Part([], body.body), mime_version="")


class Script(Client):
    """A bare script mailer (PHPMailer) as spoofers use: text/plain, no client headers."""

    def __init__(self, m: Mail):
        super().__init__(m)
        self.msgid = f"<{self.ids.hex(32)}@{m.relay or 'localhost'}>"

    def build(self) -> bytes:
        m = self.m
        head = self.g32_received() + [
            ("Date", self.date()), ("To", "info@G32.nl"), ("From", self.from_())]
        if m.reply_to:
            head.append(("Reply-To", address(*m.reply_to)))
        head += [("Subject", self.subject()), ("Message-ID", self.msgid),
                 ("X-Mailer", "PHPMailer 5.2.22 (https://github.com/PHPMailer/PHPMailer)"),
                 ("MIME-Version", "1.0")] + m.extra
        body = text_part("plain", m.text, m.charset, m.cte)
        return render(head, body, mime_version="")


def logo_png(seed: str, w: int = 4, h: int = 2) -> bytes:
    """A tiny valid PNG (deterministic) standing in for a municipal logo."""
    import struct
    import zlib

    rnd = Ids(seed).rnd
    raw = b"".join(b"\x00" + bytes(rnd.randint(0, 255) for _ in range(w * 3)) for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def inline_image(name: str, cid: str, data: bytes) -> Part:
    return binary_part(f'image/png; name="{name}"', data, [
        ("Content-Description", name), ("Content-Disposition", f'inline; filename="{name}"; size={len(data)};'),
        ("Content-ID", f"<{cid}>")])


def ics_fold(line: str) -> str:
    """iCalendar line folding: at most 75 octets per line, continuation lines start with a space."""
    out, cur = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > (75 if not out else 74):
            out.append(cur.decode("utf-8"))
            cur = b""
        cur += b
    out.append(cur.decode("utf-8"))
    return "\r\n ".join(out)


class OutlookCalendarReply(Outlook):
    """Outlook answering a meeting request: 'Geaccepteerd:', text + HTML + text/calendar METHOD:REPLY."""

    def __init__(self, m: Mail, ics: str):
        super().__init__(m)
        self.ics = ics

    def plain_text(self) -> str:
        return fit(self.m.text, self.m.charset)

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "outlook")
        return WORD_HEAD.format(charset=self.m.charset) + body + "\n</div>\n</body>\n</html>\n"

    def body(self) -> Part:
        cs, cte = self.m.charset, self.m.cte
        cal = Part([("Content-Type", f'text/calendar; charset="{cs}"; method=REPLY'),
                    ("Content-Transfer-Encoding", "base64")], b"")
        from mime import b64
        cal.body = b64(self.ics.encode(cs))
        return multipart("alternative", [
            text_part("plain", self.plain_text(), cs, cte, order="quoted"),
            text_part("html", self.html_text(), cs, self.m.html_cte or cte, order="quoted"),
            cal,
        ], f"_000_{self.token}{self.box.replace('.', '')}_")


class ExchangeAutoReply(Outlook):
    """Exchange's own out-of-office answer ('Automatisch antwoord: '): sent by the mailbox server, not typed.

    Null Return-Path, Auto-Submitted, X-Auto-Response-Suppress; the body is only the configured OOF text
    (HTML + plain), nothing of the message it answers is quoted.
    """
    reply_prefix = "Automatisch antwoord: "

    def g32_received(self) -> list[tuple[str, str]]:
        hdrs = super().g32_received()
        return [("Return-Path", "<>")] + hdrs[1:]

    def plain_text(self) -> str:
        return fit(self.m.text, self.m.charset)

    def html_text(self) -> str:
        body = self.m.html if self.m.html is not None else html_lines(self.m.text, "outlook")
        return ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; '
                f'charset={self.m.charset}">\n<style type="text/css" id="owaParaStyle"></style>\n</head>\n'
                f'<body dir="ltr" fpstyle="1" ocsi="0">\n<div style="direction: ltr;font-family: Tahoma;'
                f'color: #000000;font-size: 10pt;">{body}\n</div>\n</body>\n</html>\n')

    def identity(self) -> list[tuple[str, str]]:
        q = self.m.quote
        h = [("From", self.from_()), ("To", self.to_()), ("Subject", self.subject()),
             ("Thread-Topic", q.subject), ("Thread-Index", f"AQHTU{self.ids.b64(26)}=="),
             ("Date", self.date()), ("Message-ID", self.msgid)]
        h += self.threading()
        h += [("Accept-Language", "nl-NL, en-US"), ("Content-Language", "nl-NL"),
              ("X-MS-Has-Attach", ""), ("X-MS-Exchange-Organization-SCL", "-1"),
              ("X-MS-TNEF-Correlator", ""), ("Auto-Submitted", "auto-generated"),
              ("X-Auto-Response-Suppress", "All"), ("x-ms-exchange-transport-fromentityheader", "Hosted")]
        return h

    def tail(self) -> list[tuple[str, str]]:
        return []
