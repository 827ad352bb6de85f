"""A bare forward registers nobody; junk without a sender is called unreadable, not a question."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

from mailbot.config import load, load_invitees
from mailbot.core.decide import decide
from mailbot.core.mailparse import parse
from mailbot.core.types import Registry
from mailbot.core.understand import understand

ROOT = Path(__file__).resolve().parents[2]
CFG = load(ROOT / "config.toml")
K = replace(CFG.knowledge, invitees=load_invitees(ROOT / "rules" / "invitees.csv"))


def decision_for(raw: bytes):
    return decide(Registry(), understand(parse(raw), raw, K), K)


def test_forward_without_own_words_registers_nobody_and_goes_to_staff():
    m = EmailMessage()
    m["From"] = "Saskia de Groot <s.degroot@zwolle.nl>"
    m["To"] = "info@G32.nl"
    m["Subject"] = "FW: Uitnodiging G32 netwerkdag"
    m["Message-ID"] = "<fw1@zwolle.nl>"
    m.set_content("-----Original Message-----\nFrom: G32 <info@G32.nl>\nSent: donderdag 2 november 2017 09:30\n"
                  "To: Saskia\nSubject: Uitnodiging G32 netwerkdag\n\nGraag meld ik mij aan voor de Themagroep "
                  "Financiën en het Algemeen Bestuur.\n")
    d = decision_for(bytes(m))
    assert d.changes == () and d.replies == ()
    assert [r.reason for r in d.review] == ["Doorgestuurd bericht zonder eigen tekst; niets verwerkt."]


def test_junk_without_sender_is_unreadable_even_with_a_question_mark():
    d = decision_for(b"garbage \x00\xff?? is er iets\n")
    assert d.changes == () and d.replies == ()
    assert [r.reason for r in d.review] == ["Bericht onleesbaar: geen afzender gevonden."]
