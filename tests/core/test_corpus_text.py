"""extract + split_reply over every corpus message: the new text is there and holds no quoted history.

Labelling rule 1: only what the attendee wrote in the new part counts, never the quoted
invitation, an earlier message, a signature or a disclaimer. The invitation names every
session, so any of its lines in `new` would register people for sessions they never chose.
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from mailbot.core.quotes import split_reply
from mailbot.core.text import extract

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

# Cases whose messages carry no words of an attendee: the bot's own invitation (054),
# auto-replies (055-057), a bounce (058) and a read receipt (059).
NO_NEW_TEXT_EXPECTED = {"054", "055", "056", "057", "058", "059"}

# Lines that only occur in mail the bot sent (invitation, confirmation, a speaker request).
TELL_TALES = (
    "Graag nodigen wij u uit",
    "Aan de burgemeesters en wethouders",
    "Sessies die op hetzelfde tijdstip",
    "Wij zien u graag op 30 november",
    "Voorzitter G32-stedennetwerk",
    "mede namens Ina Adema",
    "Over de huisvesting van moeilijk bereikbare",
    "Met Ton Heerts, voorzitter van de MBO Raad",
    "Bespreking van de uitkomsten",
    "Wij hebben u genoteerd voor",
    "genoteerd voor:",
    "Klopt dit niet of wilt u iets wijzigen",
    "Wil je ons laten weten of je ook bij het Algemeen Bestuur",
    "Uitnodiging G32 netwerkdag 30 november",
)

# Case-specific checks: (message, snippets that must be in new, snippets that must not).
SPECIFIC = {
    "012-thunderbird-inline-answers/1.eml": (["Ja, deze graag.", "Hier ook bij.", "En natuurlijk de borrel."],
                                             ["Themasessie", "Netwerkborrel", "Jeroen Jacobs"]),
    "014-signature-portfolio-trap/1.eml": (["Mensen tussen wal en schip"],
                                           ["Financiën", "Ondernemerschap", "Portefeuillehouder"]),
    "005-typo-ondernemerschp-new-message/1.eml": (["11.15 uur themagroep ondernemerschp", "daarna het AB"],
                                                  ["Werk en Onderwijs"]),
    "021-secretariat-three-people-html-table/1.eml": (
        ["Niels de Bruijn\twethouder\tStatushouders, Sociale pijler, netwerkborrel"], ["Daan Verkerk"]),
    "030-register-then-swap/2.eml": (["in plaats van Financiën"], ["Themagroep Financiën (11.15"]),
    "031-register-then-drop-and-add/2.eml": (["Fysieke Pijler"], ["Mijn keuze:", "Mensen tussen wal en schip"]),
    "033-thank-you-after-confirmation/2.eml": (["Dank voor de bevestiging!"], ["Veiligheid"]),
    "034-klopt-after-confirmation/2.eml": (["Klopt, dank u wel."], ["Sociale Pijler"]),
    "044-nonmember-amsterdam-speaker/1.eml": (["Sociale Pijler"], ["netwerkborrel", "Algemeen Bestuur"]),
    "019-secretariat-registers-mayor-logo-disclaimer/1.eml": (["Themagroep Financiën"], ["geadresseerde"]),
}

MESSAGES = sorted(CORPUS.glob("*/*.eml")) if CORPUS.is_dir() else []


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_corpus_is_present():
    assert len(MESSAGES) >= 60, f"copy the cases: cp -r shared/corpus/cases/. {CORPUS}/"


@pytest.mark.parametrize("path", MESSAGES, ids=_id)
def test_new_text_excludes_history(path: Path):
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    extracted = extract(msg)
    parts = split_reply(extracted.text)
    case = path.parent.name[:3]
    if case not in NO_NEW_TEXT_EXPECTED:
        assert parts.new.strip(), f"no new text found in {_id(path)}"
        assert not parts.forwarded
        for tell_tale in TELL_TALES:
            assert tell_tale.lower() not in parts.new.lower(), f"{tell_tale!r} leaked into new text"
    assert not any(line.lstrip().startswith(">") for line in parts.new.splitlines())
    present, absent = SPECIFIC.get(_id(path), ([], []))
    for snippet in present:
        assert snippet in parts.new
    for snippet in absent:
        assert snippet not in parts.new


def test_inline_answers_of_case_012_keep_their_session_context():
    path = CORPUS / "012-thunderbird-inline-answers" / "1.eml"
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    inline = split_reply(extract(msg).text).inline
    pairs = [(a.answer, a.context.splitlines()[-1]) for a in inline]
    assert ("Ja, deze graag.", "Met Ton Heerts, voorzitter van de MBO Raad") in pairs
    assert ("Hier ook bij.", "Bespreking van de uitkomsten van de 4e VNG Denktank") in pairs
    assert any(a.answer == "En natuurlijk de borrel." and "Netwerkborrel" in a.context for a in inline)


def test_signatures_are_kept_for_sender_identification():
    path = CORPUS / "047-unknown-personal-address-signature-names-city" / "1.eml"
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    parts = split_reply(extract(msg).text)
    assert "wethouder gemeente Deventer" in parts.signature
    assert "Deventer" not in parts.new


def test_bounce_does_not_read_the_returned_message():
    path = CORPUS / "058-bounce-delivery-status" / "1.eml"
    extracted = extract(email.message_from_bytes(path.read_bytes(), policy=email.policy.default))
    assert "genoteerd" not in extracted.text
    assert any(a.startswith("message/") for a in extracted.attachments)
