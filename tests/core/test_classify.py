"""Rule-by-rule tables for mailbot.core.classify, on small hand-built messages."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date
from email.message import Message

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.core.classify import (
    KINDS,
    RULES,
    Classification,
    away_until,
    classify,
    classify_all,
)

OWN = frozenset({"info@g32.nl"})
TRUSTED = frozenset({"mx1.g32.nl"})
OWN_DOMAINS = frozenset({"g32.nl"})
INVITATION_ID = "<AM4PR07MB1524D3E0B5C1A3F27E6C4D29B95E0@AM4PR07MB1524.eurprd07.prod.outlook.com>"


def parse(raw: bytes | str) -> Message:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    return email.message_from_bytes(raw, policy=email.policy.default)


def make(
    *headers: str,
    body: str = "Graag meld ik mij aan voor de netwerkdag.\n",
    sender: str | None = "Petra Timmermans <p.timmermans@haarlem.nl>",
    subject: str | None = "Re: Uitnodiging G32 netwerkdag 30 november",
    content_type: str = "text/plain; charset=utf-8",
) -> Message:
    """A message with a few default headers plus the given 'Name: value' lines."""
    lines = []
    if sender is not None:
        lines.append(f"From: {sender}")
    lines.append("To: G32 <info@G32.nl>")
    if subject is not None:
        lines.append(f"Subject: {subject}")
    lines += ["Date: Thu, 2 Nov 2017 09:31:02 +0100", "Message-ID: <abc123@mail.haarlem.nl>"]
    lines += list(headers)
    lines += ["MIME-Version: 1.0", f"Content-Type: {content_type}", "", body]
    return parse("\r\n".join(lines))


def run(msg: Message, **kw) -> Classification:
    kw.setdefault("own_addresses", OWN)
    kw.setdefault("trusted_authserv_ids", TRUSTED)
    return classify(msg, **kw)


DSN_FAILED = """\
--BOUND
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx1.g32.nl.
Your message could not be delivered to one or more recipients.

--BOUND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.g32.nl

Final-Recipient: rfc822; S.Oosterhuis@Almere.nl
Original-Recipient: rfc822;S.Oosterhuis@Almere.nl
Action: failed
Status: 5.1.1

--BOUND
Content-Type: message/rfc822

From: G32 netwerkdag <info@G32.nl>
To: s.oosterhuis@almere.nl
Subject: Bevestiging aanmelding
Message-ID: <20171107100629.4d1c@g32.nl>

Wij hebben u genoteerd voor Financien.

--BOUND--
"""

DSN_DELAYED = DSN_FAILED.replace("Action: failed", "Action: delayed").replace("5.1.1", "4.4.1")

MDN = """\
--BOUND
Content-Type: text/plain; charset=utf-8

Uw bericht is gelezen.

--BOUND
Content-Type: message/disposition-notification

Reporting-UA: EXMBX02.ad.roosendaal.nl; Microsoft Exchange Server 2016
Final-Recipient: rfc822;j.brouwer@roosendaal.nl
Disposition: automatic-action/MDN-sent-automatically; displayed

--BOUND--
"""

# --- the rule table -----------------------------------------------------------------------------


def test_rules_are_named_described_and_ordered() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name), rule.name
        assert rule.description and "\n" not in rule.description
        assert callable(rule.check)
    assert names[0] == "auth-fail"
    assert names[-1] == "human"
    assert names.index("own-address") < names.index("delivery-report")
    assert (
        names.index("delivery-report")
        < names.index("read-receipt")
        < names.index("auto-reply-header")
    )
    assert names.index("auto-reply-header") < names.index("bulk-mail")


def test_every_rule_name_is_the_rule_of_its_results() -> None:
    msg = make("Auto-Submitted: auto-replied")
    for result in classify_all(msg, own_addresses=OWN, trusted_authserv_ids=TRUSTED):
        assert result.rule in {r.name for r in RULES}
        assert result.kind in KINDS


# --- auth-fail ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("auth_results", "kind"),
    [
        ("mx1.g32.nl; dmarc=fail (p=reject dis=none) header.from=haarlem.nl", "auth-fail"),
        ("MX1.G32.NL; dkim=fail; dmarc=fail header.from=haarlem.nl", "auth-fail"),
        ("mx1.g32.nl 1; spf=pass smtp.mailfrom=haarlem.nl; dmarc=fail", "auth-fail"),
        ("evil.example.org; dmarc=fail header.from=haarlem.nl", "human"),  # untrusted id
        ("mx.google.com; dmarc=fail header.from=haarlem.nl", "human"),
        ("mx1.g32.nl; dmarc=pass header.from=haarlem.nl", "human"),  # trusted, pass
        ("mx1.g32.nl; dmarc=none", "human"),
        ("mx1.g32.nl; dmarc=pass (was dmarc=fail upstream) header.from=haarlem.nl", "human"),
        ("mx1.g32.nl.evil.org; dmarc=fail", "human"),
    ],
)
def test_dmarc_trust(auth_results: str, kind: str) -> None:
    result = run(make(f"Authentication-Results: {auth_results}"))
    assert result.kind == kind
    if kind == "auth-fail":
        assert result.rule == "auth-fail"
        assert "dmarc=fail" in result.reason


def test_trusted_fail_wins_over_untrusted_pass() -> None:
    msg = make(
        "Authentication-Results: other.example; dmarc=pass",
        "Authentication-Results: mx1.g32.nl; dmarc=fail",
    )
    assert run(msg).kind == "auth-fail"


def test_no_trusted_ids_means_no_auth_fail() -> None:
    msg = make("Authentication-Results: mx1.g32.nl; dmarc=fail")
    assert run(msg, trusted_authserv_ids=frozenset()).kind == "human"


def test_spoofed_own_address_is_auth_fail_not_loop() -> None:
    msg = make("Authentication-Results: mx1.g32.nl; dmarc=fail", sender="G32 <info@G32.nl>")
    assert run(msg).kind == "auth-fail"


# --- loops -------------------------------------------------------------------------------------


@pytest.mark.parametrize("sender", ["G32 <info@G32.nl>", "info@g32.nl", '"INFO" <INFO@G32.NL>'])
def test_own_address_is_a_loop(sender: str) -> None:
    result = run(make(sender=sender))
    assert (result.kind, result.rule) == ("loop", "own-address")


def test_auto_reply_to_our_own_message_is_a_loop() -> None:
    msg = make(
        "Auto-Submitted: auto-replied",
        "In-Reply-To: <20171107100629.4d1c@g32.nl>",
        body="Ik ben tot en met vrijdag 10 november afwezig.",
        subject="Automatisch antwoord: Bevestiging aanmelding",
    )
    result = run(msg, own_message_id_domains=OWN_DOMAINS)
    assert (result.kind, result.rule) == ("loop", "auto-reply-to-own-mail")
    assert result.away_until == "2017-11-10"
    # Without knowing our Message-ID domain it is an ordinary auto-reply.
    assert run(msg).kind == "auto-reply"


def test_reference_to_own_subdomain_counts() -> None:
    msg = make("Auto-Submitted: auto-generated", "References: <a@x.org> <123.456@bot.g32.nl>")
    assert run(msg, own_message_id_domains=OWN_DOMAINS).kind == "loop"


def test_person_answering_our_mail_is_human() -> None:
    msg = make(
        "In-Reply-To: <20171107100629.4d1c@g32.nl>", "References: <20171107100629.4d1c@g32.nl>"
    )
    assert run(msg, own_message_id_domains=OWN_DOMAINS).kind == "human"


def test_auto_submitted_no_to_our_mail_is_human() -> None:
    msg = make("Auto-Submitted: no", "In-Reply-To: <20171107100629.4d1c@g32.nl>")
    assert run(msg, own_message_id_domains=OWN_DOMAINS).kind == "human"


# --- bounces -------------------------------------------------------------------------------------


def test_dsn_is_a_bounce_with_failed_addresses() -> None:
    msg = make(
        "Return-Path: <>",
        sender="MAILER-DAEMON@mx1.g32.nl (Mail Delivery System)",
        subject="Undelivered Mail Returned to Sender",
        content_type='multipart/report; report-type=delivery-status; boundary="BOUND"',
        body=DSN_FAILED,
    )
    result = run(msg)
    assert (result.kind, result.rule) == ("bounce", "delivery-report")
    assert result.failed_addresses == ("s.oosterhuis@almere.nl",)


def test_dsn_detected_by_structure_alone() -> None:
    msg = make(
        sender="Some Gateway <gateway@relay.example.org>",
        subject="Notification",
        content_type='multipart/report; report-type="delivery-status"; boundary="BOUND"',
        body=DSN_FAILED,
    )
    result = run(msg)
    assert result.kind == "bounce"
    assert result.failed_addresses == ("s.oosterhuis@almere.nl",)


def test_delay_report_is_a_bounce_without_failures() -> None:
    msg = make(
        sender="MAILER-DAEMON@mx1.g32.nl",
        subject="Delayed Mail (still being retried)",
        content_type='multipart/report; report-type=delivery-status; boundary="BOUND"',
        body=DSN_DELAYED,
    )
    result = run(msg)
    assert result.kind == "bounce"
    assert result.failed_addresses == ()
    assert "delayed" in result.reason


def test_x_failed_recipients() -> None:
    msg = make(
        "X-Failed-Recipients: Foo@Example.ORG",
        sender="Mail Delivery System <Mailer-Daemon@mail.example.org>",
        subject="Mail delivery failed: returning message to sender",
        body="This message was created automatically by mail delivery software.\n",
    )
    result = run(msg)
    assert result.kind == "bounce"
    assert result.failed_addresses == ("foo@example.org",)


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mail.almere.nl",
        "postmaster@almere.nl",
        "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        '"Mail Delivery System" <bounces@relay.example.org>',
    ],
)
def test_daemon_senders(sender: str) -> None:
    msg = make(sender=sender, subject="Mail", body="Something happened.\n")
    assert run(msg).kind == "bounce"


@pytest.mark.parametrize(
    "subject",
    [
        "Undeliverable: Uitnodiging G32 netwerkdag 30 november",
        "Onbestelbaar: Uitnodiging G32 netwerkdag 30 november",
        "Niet bezorgd: Bevestiging aanmelding",
        "Delivery Status Notification (Failure)",
        "Mail delivery failed: returning message to sender",
        "Returned mail: see transcript for details",
        "Unzustellbar: Einladung",
        "Undelivered Mail Returned to Sender",
        "[SPAM] Undeliverable: Bevestiging",
    ],
)
def test_ndr_subjects(subject: str) -> None:
    msg = make(sender="Microsoft Outlook <MicrosoftExchange329e71ec@almere.nl>", subject=subject)
    result = run(msg)
    assert (result.kind, result.rule) == ("bounce", "bounce-subject")


def test_null_return_path_and_delivery_subject() -> None:
    msg = make(
        "Return-Path: <>",
        sender="Gateway <gw@example.org>",
        subject="Bericht kon niet worden bezorgd",
    )
    assert run(msg).kind == "bounce"


def test_automatic_sender_with_bounce_text() -> None:
    msg = make(
        sender='"Jetmail System" <>',
        subject="Mail Error",
        body="Your mail cannot be delivered to the following address(es):\n\n dylan\n",
    )
    assert run(msg).kind == "bounce"


@pytest.mark.parametrize(
    "subject", ["Fwd: Returned mail: see transcript for details", "FW: Undeliverable: Uitnodiging"]
)
def test_person_forwarding_a_bounce_is_human(subject: str) -> None:
    body = (
        "Ter info: dit adres werkt niet meer, het nieuwe adres is j.jansen@almere.nl.\n\n"
        "----- Forwarded message -----\n"
        "The original message was received at Mon, 6 Nov 2017\n"
        "   ----- The following addresses had permanent fatal errors -----\n"
        "<old@almere.nl>\n"
        "    (reason: 550 5.1.1 User unknown)\n"
    )
    msg = make(sender="Secretariaat <bestuurssecretariaat@almere.nl>", subject=subject, body=body)
    assert run(msg).kind == "human"


# --- read receipts ------------------------------------------------------------------------------


def test_mdn_is_a_receipt() -> None:
    msg = make(
        subject="Gelezen: Uitnodiging G32 netwerkdag 30 november",
        content_type='multipart/report; report-type=disposition-notification; boundary="BOUND"',
        body=MDN,
    )
    result = run(msg)
    assert (result.kind, result.rule) == ("receipt", "read-receipt")


@pytest.mark.parametrize(
    "subject",
    [
        "Gelezen: Uitnodiging G32 netwerkdag 30 november",
        "Read: Uitnodiging G32 netwerkdag 30 november",
        "Gelesen: Einladung",
        "Niet gelezen: Uitnodiging G32 netwerkdag 30 november",
        "Not read: Uitnodiging G32 netwerkdag 30 november",
    ],
)
def test_receipt_subjects(subject: str) -> None:
    result = run(make(subject=subject, body="Uw bericht is gelezen op maandag 6 november.\n"))
    assert result.kind == "receipt"


@pytest.mark.parametrize(
    "subject", ["Re: Gelezen: Uitnodiging", "Gelezen en akkoord", "Reading list", "Readme"]
)
def test_receipt_look_alikes_are_human(subject: str) -> None:
    assert run(make(subject=subject)).kind == "human"


# --- auto-replies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: auto-replied (vacation)",
        "X-Autoreply: yes",
        "X-Autorespond: Out of office",
        "Precedence: auto_reply",
    ],
)
def test_auto_reply_headers(header: str) -> None:
    result = run(make(header))
    assert (result.kind, result.rule) == ("auto-reply", "auto-reply-header")


def test_auto_submitted_no_is_human() -> None:
    assert run(make("Auto-Submitted: no")).kind == "human"


def test_x_auto_response_suppress_alone_is_not_enough() -> None:
    # Outlook/Exchange and applications set it on ordinary mail too (our own outgoing mail does).
    msg = make(
        "X-Auto-Response-Suppress: All", "Thread-Topic: Uitnodiging G32 netwerkdag 30 november"
    )
    assert run(msg).kind == "human"
    msg = make("X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply")
    assert run(msg).kind == "human"


@pytest.mark.parametrize(
    ("extra", "body"),
    [
        ("Return-Path: <>", "Bedankt voor uw bericht."),
        ("X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent", "Bedankt voor uw bericht."),
        ("X-Comment: none", "I am out of the office until Monday 6 November with limited access."),
    ],
)
def test_x_auto_response_suppress_with_corroboration(extra: str, body: str) -> None:
    msg = make("X-Auto-Response-Suppress: All", extra, subject="Uitnodiging G32", body=body)
    result = run(msg)
    assert (result.kind, result.rule) == ("auto-reply", "exchange-auto-reply")


@pytest.mark.parametrize(
    "subject",
    [
        "Automatisch antwoord: Uitnodiging G32 netwerkdag 30 november",
        "Automatische reactie: Uitnodiging G32 netwerkdag 30 november",
        "Afwezig: Uitnodiging G32 netwerkdag 30 november",
        "Afwezigheid: Uitnodiging G32 netwerkdag 30 november",
        "Out of Office: Uitnodiging G32 netwerkdag 30 november",
        "Out of Office AutoReply: Uitnodiging G32 netwerkdag 30 november",
        "Autoreply: Uitnodiging G32 netwerkdag 30 november",
        "Auto-reply: Uitnodiging G32 netwerkdag 30 november",
        "Auto reply: Uitnodiging",
        "Abwesenheitsnotiz: Einladung",
        "Automatic reply: Uitnodiging G32 netwerkdag 30 november",
        "Niet aanwezig: Uitnodiging G32 netwerkdag 30 november",
        "AUTOMATISCH ANTWOORD: Uitnodiging",
        "Automatisch antwoord",
        "=?utf-8?q?Automatisch_antwoord=3A_Uitnodiging?=",
    ],
)
def test_auto_reply_subjects(subject: str) -> None:
    result = run(make(subject=subject, body="Ik ben afwezig."))
    assert (result.kind, result.rule) == ("auto-reply", "auto-reply-subject")


@pytest.mark.parametrize(
    "subject",
    [
        "Afwezig op 30 november",
        "Afwezig",
        "Niet aanwezig",
        "Re: Uitnodiging G32 netwerkdag - niet aanwezig",
        "Re: Automatisch antwoord: Uitnodiging",
        "Out of office op 30 november, dus helaas",
        "Aanmelding netwerkdag (ik ben 's ochtends afwezig)",
    ],
)
def test_declines_that_look_like_auto_replies_stay_human(subject: str) -> None:
    msg = make(subject=subject, body="Ik ben op 30 november helaas afwezig en kan niet komen.")
    assert run(msg).kind == "human"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tot en met vrijdag 10 november ben ik afwezig.", "2017-11-10"),
        ("Ik ben afwezig tot en met 20 november.", "2017-11-20"),
        ("Ik ben tot 20 november afwezig.", "2017-11-20"),
        ("Ik ben afwezig t/m 20-11-2017.", "2017-11-20"),
        ("Vanaf maandag 20 november ben ik weer aanwezig.", "2017-11-20"),
        ("Ik ben op maandag 20 november weer op kantoor.", "2017-11-20"),
        ("Ik ben afwezig van 2 november tot en met 12 november.", "2017-11-12"),
        ("I am out of the office until Monday 6 November with limited access.", "2017-11-06"),
        ("I am out of the office until November 20.", "2017-11-20"),
        ("I will be returning on Monday, November 20th.", "2017-11-20"),
        ("Ich bin bis zum 20. November nicht im Büro.", "2017-11-20"),
        ("Ab dem 20. November bin ich wieder erreichbar.", "2017-11-20"),
        ("I am away until 3 January.", "2018-01-03"),  # December-to-January rolls the year
        ("Ik ben afwezig tot 12.00 uur.", None),
        ("Bedankt voor uw bericht.", None),
    ],
)
def test_away_until(text: str, expected: str | None) -> None:
    assert away_until(text, date(2017, 11, 2)) == expected


def test_away_until_without_a_year_keeps_the_words() -> None:
    assert away_until("Ik ben afwezig tot en met 20 november.") == "20 november"


def test_auto_reply_carries_away_until() -> None:
    msg = make(
        "Auto-Submitted: auto-replied",
        subject="Automatisch antwoord: Uitnodiging",
        body="Geachte afzender,\n\nTot en met vrijdag 10 november ben ik afwezig.\n",
    )
    result = run(msg)
    assert result.kind == "auto-reply"
    assert result.away_until == "2017-11-10"


# --- bulk ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: list",
        "List-Id: Gemeentenieuws <weekoverzicht.example.nl>",
        "List-Unsubscribe: <https://example.nl/afmelden?u=1>",
    ],
)
def test_bulk(header: str) -> None:
    result = run(make(header))
    assert (result.kind, result.rule) == ("bulk", "bulk-mail")


def test_gmail_vacation_is_an_auto_reply_not_bulk() -> None:
    msg = make("X-Autoreply: yes", "Precedence: bulk", "Return-Path: <>", subject="Vakantie")
    assert run(msg).kind == "auto-reply"


# --- human, and never raising ---------------------------------------------------------------


def test_plain_registration_is_human() -> None:
    result = run(make())
    assert result == Classification("human", "no sign of automatic mail", "human")
    assert not result.is_automatic


def test_classify_all_lists_every_hit_first_is_classify() -> None:
    msg = make(
        "Auto-Submitted: auto-replied",
        "Precedence: bulk",
        "List-Id: <x.example.org>",
        subject="Automatisch antwoord: Uitnodiging",
    )
    hits = classify_all(msg, own_addresses=OWN, trusted_authserv_ids=TRUSTED)
    assert hits[0] == run(msg)
    assert [h.rule for h in hits] == ["auto-reply-header", "auto-reply-subject", "bulk-mail"]
    assert classify_all(make(), own_addresses=OWN, trusted_authserv_ids=TRUSTED) == [run(make())]


MALFORMED = [
    b"",
    b"\r\n\r\n",
    b"garbage without any header\n",
    b"From: \r\nSubject: =?utf-8?q?broken\r\n\r\nbody",
    b"From: <<<@@@>>>\r\nTo: ;;;\r\nSubject: \xff\xfe\x00\r\n\r\n\xff",
    b"Subject: x\r\nContent-Type: multipart/report; report-type=delivery-status\r\n\r\nno boundary",
    b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n--b',
    b"Content-Type: text/plain; charset=no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!",
    b"Authentication-Results: \r\nAuthentication-Results: ;;;\r\nFrom: a@b\r\n\r\n",
    b"Date: not a date\r\nAuto-Submitted: auto-replied\r\n\r\ntot en met 31 februari",
    b"From: =?x-unknown?b?AAAA?= <a@b.c>\r\nReturn-Path: \r\nIn-Reply-To: <<>>\r\n\r\n",
    b"\r\n\r\nFrom: MAILER-DAEMON@example.org\r\nSubject: Returned mail\r\n\r\nbody",
    b"X" * 2000 + b": y\r\n\r\n",
    b'Content-Type: multipart/alternative; boundary="a"\r\n\r\n--a\r\nContent-Type: multipart/alternative; boundary="a"\r\n\r\n--a--',
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_malformed_never_raises(raw: bytes) -> None:
    result = run(parse(raw), own_message_id_domains=OWN_DOMAINS)
    assert result.kind in KINDS
    classify_all(parse(raw), own_addresses=OWN, trusted_authserv_ids=TRUSTED)


def test_headerless_file_with_leading_blank_line_is_read_anyway() -> None:
    raw = b"\n   \nFrom: MAILER-DAEMON@example.org\nSubject: Returned mail\n\nUser unknown\n"
    assert run(parse(raw)).kind == "bounce"


def test_compat32_messages_work_too() -> None:
    msg = email.message_from_bytes(
        b"From: a@b.nl\r\nSubject: Automatic reply: x\r\n\r\nI am away.",
        policy=email.policy.compat32,
    )
    assert run(msg).kind == "auto-reply"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes_never_raise(raw: bytes) -> None:
    assert run(parse(raw), own_message_id_domains=OWN_DOMAINS).kind in KINDS


HEADER_NAMES = st.sampled_from(
    [
        "From",
        "Subject",
        "Return-Path",
        "Content-Type",
        "Auto-Submitted",
        "Authentication-Results",
        "In-Reply-To",
        "References",
        "Precedence",
        "X-Auto-Response-Suppress",
        "Date",
        "List-Id",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(HEADER_NAMES, st.text(max_size=80)), max_size=8), st.text(max_size=200))
def test_random_headers_never_raise(headers: list[tuple[str, str]], body: str) -> None:
    raw = "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n" + body
    msg = parse(raw.encode("utf-8", "surrogatepass"))
    assert run(msg, own_message_id_domains=OWN_DOMAINS).kind in KINDS


def test_person_forwarding_a_bounce_as_attachment_is_human() -> None:
    dsn = DSN_FAILED.replace("--BOUND", "--INNER")
    body = (
        "--OUTER\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Zie bijgaand: het adres van de burgemeester is veranderd.\r\n\r\n"
        "--OUTER\r\nContent-Type: message/rfc822\r\n\r\n"
        "From: MAILER-DAEMON@mx1.g32.nl\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="INNER"\r\n\r\n'
        + dsn
        + "\r\n--OUTER--\r\n"
    )
    msg = make(
        sender="Secretariaat <bestuurssecretariaat@almere.nl>",
        subject="FW: Undelivered Mail Returned to Sender",
        content_type='multipart/mixed; boundary="OUTER"',
        body=body,
    )
    assert run(msg).kind == "human"
