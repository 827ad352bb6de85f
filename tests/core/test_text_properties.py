"""Properties: extract and split_reply never raise, whatever arrives over IMAP.

Arbitrary bytes, generated MIME trees with random nesting, charsets (also wrong and unknown
ones), transfer encodings and part types, and arbitrary text for the quote splitter.
"""

from __future__ import annotations

import base64
import email
import email.policy
import os
import quopri
from collections import Counter
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.core import quotes
from mailbot.core import text as textmod
from mailbot.core.quotes import ReplyParts, split_reply
from mailbot.core.text import Extracted, extract, html_to_text

SETTINGS = settings(max_examples=int(os.environ.get("MAILBOT_HYPOTHESIS_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "us-ascii", "utf-16", "utf-7", "koi8-r", "gb2312", "shift_jis",
            "x-unknown", "bogus-charset", "base64", "", '"utf-8"', "UTF8"]
ENCODINGS = ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus", ""]
LEAF_TYPES = ["text/plain", "text/html", "text/calendar", "application/ms-tnef", "application/pdf", "image/png",
              "message/rfc822", "message/delivery-status", "text/x-vcard", "text", "", "garbage/", "/"]
MULTIPART = ["mixed", "alternative", "related", "report", "signed", "digest", "encrypted", "x-unknown"]
SNIPPETS = ["Graag meld ik mij aan voor de Themagroep Financiën.", "> Graag nodigen wij u uit",
            "Op 2 nov. 2017 om 09:30 schreef G32 <info@G32.nl>:", "Van: G32\nVerzonden: do\nAan: G32\nOnderwerp: x",
            "<blockquote><p>citaat</p></blockquote>", "<table><tr><td>a</td><td>b</td></tr></table>",
            "BEGIN:VCALENDAR\nMETHOD:REPLY\nBEGIN:VEVENT\nATTENDEE;PARTSTAT=ACCEPTED:mailto:x@y.nl\nEND:VEVENT",
            "x\u2028tl;dr", "-- \nJan", "\x00\x01\x1b", "=?utf-8?q?=C3=AB?=", "—–’ ë é ı"]


@dataclass
class Leaf:
    ctype: str
    charset: str
    cte: str
    body: str | bytes
    filename: str | None
    disposition: str | None
    flowed: bool


@dataclass
class Multi:
    subtype: str
    children: list
    close: bool
    declare_boundary: bool


leaves = st.builds(
    Leaf,
    ctype=st.sampled_from(LEAF_TYPES),
    charset=st.sampled_from(CHARSETS),
    cte=st.sampled_from(ENCODINGS),
    body=st.one_of(st.text(max_size=300), st.binary(max_size=300), st.sampled_from(SNIPPETS),
                   st.lists(st.sampled_from(SNIPPETS), max_size=5).map("\n".join)),
    filename=st.one_of(st.none(), st.sampled_from(["winmail.dat", "brief.pdf", "Financiën.txt", "=?x?q?y?="])),
    disposition=st.sampled_from([None, "inline", "attachment", "bogus"]),
    flowed=st.booleans(),
)
trees = st.recursive(
    leaves,
    lambda children: st.builds(Multi, subtype=st.sampled_from(MULTIPART), children=st.lists(children, max_size=4),
                               close=st.booleans(), declare_boundary=st.booleans()),
    max_leaves=12,
)


def render(node, counter: list[int]) -> bytes:
    if isinstance(node, Leaf):
        params = f'; charset={node.charset}' if node.charset else ""
        params += "; format=flowed; delsp=yes" if node.flowed else ""
        params += f'; name="{node.filename}"' if node.filename else ""
        head = f"Content-Type: {node.ctype}{params}\r\n" if node.ctype else ""
        head += f"Content-Transfer-Encoding: {node.cte}\r\n" if node.cte else ""
        if node.disposition:
            head += f"Content-Disposition: {node.disposition}"
            head += f'; filename="{node.filename}"\r\n' if node.filename else "\r\n"
        if isinstance(node.body, str):
            try:
                data = node.body.encode(node.charset.strip('"') or "utf-8")
            except (LookupError, UnicodeError):
                data = node.body.encode("utf-8", "surrogatepass")
        else:
            data = node.body
        if node.cte == "base64":
            data = base64.encodebytes(data)
        elif node.cte == "quoted-printable":
            data = quopri.encodestring(data)
        return head.encode("utf-8", "surrogatepass") + b"\r\n" + data
    counter[0] += 1
    boundary = f"=_b{counter[0]}"
    head = f"Content-Type: multipart/{node.subtype}"
    head += f'; boundary="{boundary}"\r\n' if node.declare_boundary else "\r\n"
    out = head.encode() + b"\r\npreamble\r\n"
    for child in node.children:
        out += f"--{boundary}\r\n".encode() + render(child, counter) + b"\r\n"
    if node.close:
        out += f"--{boundary}--\r\nepilogue\r\n".encode()
    return out


def check(raw: bytes) -> Extracted:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    result = extract(msg)
    assert isinstance(result, Extracted)
    assert isinstance(result.text, str)
    assert result.source in {"plain", "html", "tnef", "calendar", "none"}
    assert all(isinstance(x, str) for x in result.attachments + result.problems)
    assert not any("internal error" in p for p in result.problems), result.problems
    parts = quotes._split(result.text)
    assert isinstance(parts, ReplyParts)
    return result


@SETTINGS
@given(st.binary(max_size=4000))
def test_arbitrary_bytes(raw):
    check(raw)


@SETTINGS
@given(st.lists(st.sampled_from([
    b"Content-Type: multipart/mixed; boundary=x", b"Content-Type: text/html", b"Content-Type: text/plain; charset=",
    b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: quoted-printable", b"MIME-Version: 1.0",
    b"Content-Type: message/rfc822", b"Content-Type: application/ms-tnef", b"Subject: =?utf-8?b?@@@?=",
    b"Content-Type: text/plain; format=flowed", b"Content-Type: text/calendar; method=REPLY", b"From: \xff\xfe",
]), max_size=6), st.binary(max_size=2000))
def test_header_soup_with_random_body(header_lines, body):
    check(b"\r\n".join(header_lines) + b"\r\n\r\n" + body)


@SETTINGS
@given(trees)
def test_generated_mime_trees(tree):
    raw = b"From: a@b.nl\r\nTo: info@G32.nl\r\nSubject: test\r\nMIME-Version: 1.0\r\n" + render(tree, [0])
    check(raw)


@SETTINGS
@given(st.text(max_size=2000))
def test_html_to_text_never_raises(html):
    assert isinstance(textmod._render_html(html), str)  # the renderer itself, not its fallback
    assert isinstance(html_to_text(html), str)


lines_of_mail = st.lists(
    st.one_of(st.text(max_size=80), st.sampled_from([
        "> Graag nodigen wij u uit", ">> diep", "Op 2 nov. 2017 om 09:30 schreef G32 <", "info@G32.nl>:",
        "Van: G32", "Verzonden: donderdag", "Aan: G32", "Onderwerp: Uitnodiging", "-----Oorspronkelijk bericht-----",
        ">>> G32 <info@G32.nl> 2-11-2017 10:12 >>>", "Met vriendelijke groet,", "Groet, Jan", "-- ", "PS: ook de borrel",
        "Verzonden vanaf mijn iPhone", "De informatie verzonden met dit e-mailbericht", "Aan", "Onderwerp", "",
        "________________________________", "Bedankt!", "- Netwerkborrel", "-Jan", "\u200b", "\xa0", "\r",
    ])),
    max_size=40,
).map("\n".join)


def _lines(text: str) -> Counter:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Counter(line.rstrip() for line in text.split("\n") if line.strip())


@SETTINGS
@given(st.one_of(st.text(max_size=3000), lines_of_mail))
def test_split_reply_covers_every_line_once(text):
    parts = quotes._split(text)  # the unguarded core: no exception may reach the safety net
    assert split_reply(text) == parts
    assert isinstance(parts, ReplyParts)
    assert all(isinstance(p, str) for p in (parts.new, parts.quoted, parts.signature))
    out = _lines(parts.new) + _lines(parts.quoted) + _lines(parts.signature)
    assert out == _lines(text)
    assert not any(line.lstrip(" \t").startswith(">") for line in parts.new.split("\n"))
    for answer in parts.inline:
        assert answer.answer in parts.new
