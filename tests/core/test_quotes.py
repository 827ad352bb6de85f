"""split_reply(): every reply shape the G32 mail brings, as small hand-written Dutch bodies."""

from __future__ import annotations

import pytest

from mailbot.core.quotes import InlineAnswer, ReplyParts, split_reply
from mailbot.core.text import DIVIDER_LINE

INVITE = """Aan de burgemeesters en wethouders van de G32-steden

Graag nodigen wij u uit voor de G32 netwerkdag op donderdag 30 november 2017.

10.00 – 11.00 uur   Themasessie Mensen tussen wal en schip
15.30 – 16.00 uur   Algemeen Bestuur
16.00 – 17.00 uur   Netwerkborrel

Met vriendelijke groet,

Ferd Crone"""

QUOTED_INVITE = "\n".join(("> " + line) if line else ">" for line in INVITE.splitlines())

SIG = "Met vriendelijke groet,\n\nJan de Vries\nWethouder Financiën\nGemeente Zwolle"
BODY = "Beste organisatie,\n\nGraag meld ik mij aan voor het Algemeen Bestuur."

# (id, text, in new, not in new, in signature, in quoted)
CASES = [
    ("no-quote-at-all", f"{BODY}\n\n{SIG}\n",
     ["Graag meld ik mij aan voor het Algemeen Bestuur."], ["Wethouder Financiën", "Met vriendelijke"],
     ["Met vriendelijke groet,", "Wethouder Financiën"], []),
    ("gmail-op-schreef", f"{BODY}\n\n{SIG}\n\nOp do 2 nov. 2017 om 09:30 schreef G32 <info@G32.nl>:\n\n{QUOTED_INVITE}\n",
     ["Algemeen Bestuur."], ["Graag nodigen", "schreef", "Netwerkborrel"], ["Jan de Vries"],
     ["Op do 2 nov. 2017 om 09:30 schreef G32 <info@G32.nl>:", "> Graag nodigen wij u uit"]),
    ("op-schreef-wrapped-over-two-lines",
     f"{BODY}\n\nOp do 2 nov. 2017 om 09:30 schreef G32 <\ninfo@G32.nl>:\n\n{QUOTED_INVITE}\n",
     ["Algemeen Bestuur."], ["schreef", "info@G32.nl", "Netwerkborrel"], [], ["info@G32.nl>:"]),
    ("op-schreef-thunderbird-short", f"{BODY}\n\nOp 2-11-2017 om 09:30 schreef G32:\n{QUOTED_INVITE}\n",
     ["Algemeen Bestuur."], ["schreef"], [], ["Op 2-11-2017 om 09:30 schreef G32:"]),
    ("apple-heeft-het-volgende-geschreven",
     "Ik kom. AB en borrel.\n\nGroet, Esther\n\nVerzonden vanaf mijn iPhone\n\n"
     "> Op 2 nov. 2017 om 09:30 heeft G32 <info@G32.nl> het volgende geschreven:\n>\n" + QUOTED_INVITE,
     ["Ik kom. AB en borrel."], ["Groet", "iPhone", "geschreven"], ["Groet, Esther", "Verzonden vanaf mijn iPhone"],
     ["het volgende geschreven:"]),
    ("english-on-wrote", f"I will attend the AB.\n\nKind regards,\nMehmet\n\nOn Thu, Nov 2, 2017 at 9:30 AM, G32 <info@G32.nl> wrote:\n{QUOTED_INVITE}",
     ["I will attend the AB."], ["wrote", "Kind regards"], ["Kind regards,"], ["wrote:"]),
    ("german-am-schrieb", f"Ich komme zum AB.\n\nMit freundlichen Grüßen\nHans\n\nAm 02.11.2017 um 09:30 schrieb G32 <info@G32.nl>:\n{QUOTED_INVITE}",
     ["Ich komme zum AB."], ["schrieb", "Grüßen"], ["Mit freundlichen Grüßen"], ["schrieb G32"]),
    ("outlook-van-verzonden-block",
     f"{BODY}\n\n{SIG}\n\nVan: G32 [mailto:info@G32.nl]\nVerzonden: donderdag 2 november 2017 09:30\nAan: G32\n"
     f"Onderwerp: Uitnodiging G32 netwerkdag 30 november\n\n{INVITE}",
     ["Algemeen Bestuur."], ["Van:", "Verzonden:", "Graag nodigen", "Netwerkborrel"], ["Gemeente Zwolle"],
     ["Van: G32 [mailto:info@G32.nl]", "Graag nodigen wij u uit"]),
    ("outlook-oorspronkelijk-bericht",
     f"{BODY}\n\n-----Oorspronkelijk bericht-----\nVan: G32 [mailto:info@G32.nl]\nVerzonden: donderdag 2 november 2017\n"
     f"Aan: G32\nOnderwerp: Uitnodiging\n\n{INVITE}",
     ["Algemeen Bestuur."], ["Oorspronkelijk", "Graag nodigen"], [], ["-----Oorspronkelijk bericht-----"]),
    ("outlook-original-message",
     f"Yes, the AB please.\n\n-----Original Message-----\nFrom: G32 [mailto:info@G32.nl]\nSent: Thursday, November 2\n"
     f"To: G32\nSubject: Uitnodiging\n\n{INVITE}",
     ["Yes, the AB please."], ["Original Message", "Graag nodigen"], [], ["From: G32"]),
    ("outlook-from-sent-to-subject", f"Yes please.\n\nFrom: G32 <info@G32.nl>\nSent: Thursday, 2 November 2017 09:30\n"
     f"To: G32 <info@G32.nl>\nSubject: Uitnodiging\n\n{INVITE}",
     ["Yes please."], ["From:", "Graag nodigen"], [], ["Sent: Thursday"]),
    ("doorgestuurd-bericht",
     f"Zie hieronder, graag de wethouder aanmelden voor de borrel.\n\n----- Doorgestuurd bericht -----\n"
     f"Van: G32 <info@G32.nl>\nDatum: 2 november 2017\nOnderwerp: Uitnodiging\n\n{INVITE}",
     ["wethouder aanmelden voor de borrel."], ["Doorgestuurd", "Graag nodigen"], [], ["----- Doorgestuurd bericht -----"]),
    ("begin-doorgestuurd-bericht",
     f"Ter info.\n\nBegin doorgestuurd bericht:\n\nVan: G32 <info@G32.nl>\nOnderwerp: Uitnodiging\nDatum: 2 november 2017\n\n{INVITE}",
     ["Ter info."], ["Begin doorgestuurd", "Graag nodigen"], [], ["Begin doorgestuurd bericht:"]),
    ("gmail-forwarded-message",
     f"Ter info, zie onder.\n\n---------- Forwarded message ---------\nFrom: G32 <info@G32.nl>\nDate: Thu, Nov 2, 2017\n"
     f"Subject: Uitnodiging\nTo: <secretariaat@zwolle.nl>\n\n{INVITE}",
     ["Ter info, zie onder."], ["Forwarded", "Graag nodigen"], [], ["---------- Forwarded message ---------"]),
    ("lotus-notes-colon-table",
     f"Graag aanmelden voor de Sociale Pijler.\n\nMet vriendelijke groet,\n\nRuud Jacobs\n\n\n\n"
     f"Van:    G32 <info@G32.nl>\nAan:    \"G32\" <info@G32.nl>\nDatum:  02-11-2017 09:30\nOnderwerp:      Uitnodiging\n\n\n\n{INVITE}",
     ["Graag aanmelden voor de Sociale Pijler."], ["Datum:", "Graag nodigen", "Netwerkborrel"], ["Ruud Jacobs"],
     ["Onderwerp:      Uitnodiging"]),
    ("lotus-notes-label-lines",
     f"Graag aanmelden voor de Sociale Pijler.\n\nRuud Jacobs\n\n\n\nG32 <info@G32.nl>\n02-11-2017 09:30\n\nAan\n"
     f"info@G32.nl\nKopie\n\nOnderwerp\nUitnodiging G32 netwerkdag 30 november\n\n{INVITE}",
     ["Graag aanmelden voor de Sociale Pijler.", "Ruud Jacobs"], ["02-11-2017", "Onderwerp", "Graag nodigen"], [],
     ["G32 <info@G32.nl>", "Onderwerp"]),
    ("lotus-notes-name-then-labels",
     f"Graag de Sociale Pijler.\n\nRuud\n\nFerd Crone/G32\nAan: info@G32.nl\nDatum: 02-11-2017 09:30\n"
     f"Onderwerp: Uitnodiging\n\n{INVITE}",
     ["Graag de Sociale Pijler.", "Ruud"], ["Ferd Crone/G32", "Datum:", "Graag nodigen"], [],
     ["Ferd Crone/G32\nAan: info@G32.nl"]),
    ("lotus-notes-schreef-op",
     f"Graag de Sociale Pijler.\n\nFerd Crone <info@G32.nl> schreef op 02-11-2017 09:30:\n\n{INVITE}",
     ["Graag de Sociale Pijler."], ["schreef", "Graag nodigen"], [], ["schreef op 02-11-2017 09:30:"]),
    ("groupwise-unindented",
     f"Ik kom naar de borrel.\n\nMet vriendelijke groet,\nMaarten Bos\n\n>>> G32 <info@G32.nl> 2-11-2017 10:12 >>>\n{INVITE}",
     ["Ik kom naar de borrel."], [">>>", "Graag nodigen", "Netwerkborrel"], ["Maarten Bos"],
     [">>> G32 <info@G32.nl> 2-11-2017 10:12 >>>", "Aan de burgemeesters"]),
    ("outlook-html-divider-line",
     f"Ik meld mij aan voor het AB.\n\n{DIVIDER_LINE}\nVan: G32 [info@G32.nl]\nVerzonden: donderdag 2 november 2017\n"
     f"Aan: G32\nOnderwerp: Uitnodiging\n\n{INVITE}",
     ["Ik meld mij aan voor het AB."], [DIVIDER_LINE, "Graag nodigen"], [], [DIVIDER_LINE]),
    ("divider-needs-a-header-below", f"Mijn keuze:\n{DIVIDER_LINE}\nFysieke Pijler\n", ["Mijn keuze:", "Fysieke Pijler"],
     [], [], []),
    ("nested-quotes", f"Klopt!\n\n> Ik kom naar de borrel.\n>> {INVITE.splitlines()[2]}\n>>> diep\n",
     ["Klopt!"], ["borrel", "nodigen", "diep"], [], [">> Graag nodigen", ">>> diep"]),
    ("quoted-session-lines-are-not-new", "> 10.00 Themasessie Mensen tussen wal en schip\n"
     ">   11.15 Themagroep Financiën\n\nAlleen de eerste graag.\n",
     ["Alleen de eerste graag."], ["Themasessie", "Financiën"], [], ["> 10.00 Themasessie"]),
    ("signature-portfolio-trap",
     "Graag meld ik mij aan voor de themasessie Mensen tussen wal en schip.\n\nMet vriendelijke groet,\n\nJeroen Bakker\n"
     "Wethouder Financiën, Economie en Ondernemerschap\nPortefeuillehouder Veiligheid en Zorg\n\nGemeente Maastricht\n\n"
     "Denk aan het milieu voordat u deze e-mail afdrukt.",
     ["Mensen tussen wal en schip."], ["Financiën", "Ondernemerschap", "Veiligheid", "milieu"],
     ["Portefeuillehouder Veiligheid en Zorg", "Denk aan het milieu"], []),
    ("disclaimer-without-valediction",
     "Graag de Fysieke Pijler.\n\nDe informatie verzonden met dit e-mailbericht is uitsluitend bestemd voor de "
     "geadresseerde. Gebruik van deze informatie door anderen is verboden.",
     ["Graag de Fysieke Pijler."], ["geadresseerde"], ["De informatie verzonden met dit e-mailbericht"], []),
    ("disclaimers-nl-en",
     "Ik kom.\n\nGroet,\nPetra\n\nDit bericht is uitsluitend bestemd voor de geadresseerde.\n\n"
     "The information contained in this e-mail is intended solely for the addressee.",
     ["Ik kom."], ["uitsluitend", "information"], ["Dit bericht is uitsluitend bestemd", "The information contained"], []),
    ("postscript-after-signature-is-new",
     "Ik kom naar het AB.\n\nGroet,\nJan\n\nPS: zet me ook op de borrel.\n",
     ["Ik kom naar het AB.", "PS: zet me ook op de borrel."], ["Jan"], ["Groet,"], []),
    ("greeting-sentence-is-not-a-signature",
     "Groeten aan de collega's, ik kom naar het AB.\nBeste Jan, ook de borrel graag.\nBedankt voor de uitnodiging.\n",
     ["Groeten aan de collega's, ik kom naar het AB.", "Beste Jan, ook de borrel graag.", "Bedankt voor de uitnodiging."],
     [], [], []),
    ("schreef-in-a-sentence-is-not-a-header",
     "Zoals ik eerder schreef:\nik kom naar de borrel.\n\nOp 30 november ben ik er.\n",
     ["Zoals ik eerder schreef:", "ik kom naar de borrel.", "Op 30 november ben ik er."], [], [], []),
    ("van-in-a-sentence-is-not-a-header", "Van: 10.00 tot 12.00 ben ik er.\nDatum: 30 november.\nGraag wal en schip.\n",
     ["Van: 10.00 tot 12.00 ben ik er.", "Graag wal en schip."], [], [], []),
    ("bulleted-list-end-is-not-a-dash-signature",
     "Mijn keuze:\n- Mensen tussen wal en schip\n- Netwerkborrel\n",
     ["- Mensen tussen wal en schip", "- Netwerkborrel"], [], [], []),
    ("crlf-line-endings", "Ik kom naar de borrel.\r\n\r\nGroet,\r\nJan\r\n\r\n> Graag nodigen wij u uit\r\n",
     ["Ik kom naar de borrel."], ["\r", "Graag nodigen"], ["Groet,\nJan"], ["> Graag nodigen wij u uit"]),
]

SIGNATURE_OPENERS = [
    "Met vriendelijke groet", "Met vriendelijke groet,", "Met vriendelijke groeten", "Vriendelijke groet",
    "Vriendelijke groeten,", "Groet,", "Groeten", "Groet, Esther Meijer", "Gr Lieke Boukhari", "Mvg", "Mvg,", "MVG Jan",
    "Hartelijke groet,", "Hartelijke groeten", "Met hartelijke groet", "Kind regards,", "Best regards", "Regards,",
    "-- ", "--", "Verzonden vanaf mijn iPhone", "Verstuurd vanaf mijn iPad", "Sent from my iPhone",
    "Verstuurd vanaf mijn Samsung Galaxy-smartphone.", "Verzonden vanaf mijn Samsung Galaxy-smartphone.",
    "Verzonden vanuit Outlook", "Verzonden vanuit Mail voor Windows 10", "Outlook voor iOS downloaden",
    "Get Outlook for iOS", "Von meinem iPhone gesendet", "Mit freundlichen Grüßen",
    "De informatie verzonden met dit e-mailbericht is uitsluitend bestemd voor de geadresseerde.",
    "Dit bericht is uitsluitend bestemd voor de geadresseerde.",
    "Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde(n).",
    "The information contained in this e-mail is intended solely for the addressee.",
    "Denk aan het milieu voordat u deze e-mail afdrukt.",
]


@pytest.mark.parametrize("text, in_new, not_in_new, in_sig, in_quoted", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_split_reply_shapes(text, in_new, not_in_new, in_sig, in_quoted):
    parts = split_reply(text)
    assert isinstance(parts, ReplyParts)
    for snippet in in_new:
        assert snippet in parts.new
    for snippet in not_in_new:
        assert snippet not in parts.new
    for snippet in in_sig:
        assert snippet in parts.signature
    for snippet in in_quoted:
        assert snippet in parts.quoted
    assert not any(line.lstrip().startswith(">") for line in parts.new.splitlines())


@pytest.mark.parametrize("opener", SIGNATURE_OPENERS)
def test_signature_openers(opener):
    parts = split_reply(f"Graag de Themagroep Ondernemerschap.\n\n{opener}\nWethouder Financiën\n")
    assert parts.new == "Graag de Themagroep Ondernemerschap."
    assert parts.signature.startswith(opener.strip()) and "Wethouder Financiën" in parts.signature


def test_thunderbird_inline_answers_are_new_with_context():
    text = (
        "Mijn keuzes staan hieronder tussen de tekst.\n\n"
        "Op 2-11-2017 om 09:30 schreef G32:\n"
        "> Programma\n>\n"
        "> 10.00 – 11.00 uur   Themasessie Mensen tussen wal en schip\n"
        "> 10.00 – 11.00 uur   Themasessie Jeugd en aansluiting onderwijs-arbeidsmarkt\n"
        ">                     Met Ton Heerts, voorzitter van de MBO Raad\n\n"
        "Ja, deze graag.\n\n"
        "> 16.00 – 17.00 uur   Netwerkborrel\n\n"
        "En natuurlijk de borrel.\n\n"
        "> Met vriendelijke groet,\n> Ferd Crone\n\n"
        "Groet,\nJeroen Jacobs\nwethouder gemeente Delft\n"
    )
    parts = split_reply(text)
    assert parts.new == "Mijn keuzes staan hieronder tussen de tekst.\n\nJa, deze graag.\n\nEn natuurlijk de borrel."
    assert parts.signature == "Groet,\nJeroen Jacobs\nwethouder gemeente Delft"
    assert "Themasessie" not in parts.new and "Netwerkborrel" not in parts.new
    assert parts.inline == (
        InlineAnswer(
            context="Programma\n10.00 – 11.00 uur   Themasessie Mensen tussen wal en schip\n"
                    "10.00 – 11.00 uur   Themasessie Jeugd en aansluiting onderwijs-arbeidsmarkt\n"
                    "Met Ton Heerts, voorzitter van de MBO Raad",
            answer="Ja, deze graag."),
        InlineAnswer(context="16.00 – 17.00 uur   Netwerkborrel", answer="En natuurlijk de borrel."),
    )


def test_forward_without_own_words_is_flagged():
    text = ("Van: Burgemeester Scholten <e.scholten@alkmaar.nl>\nVerzonden: maandag 6 november 2017 10:00\n"
            "Aan: Secretariaat <secretariaat@alkmaar.nl>\nOnderwerp: netwerkdag\n\nIk kom naar het AB.\n\n"
            f"-----Oorspronkelijk bericht-----\nVan: G32\nVerzonden: 2 november\nAan: G32\nOnderwerp: Uitnodiging\n\n{INVITE}")
    parts = split_reply(text)
    assert parts.forwarded
    assert parts.new == "Ik kom naar het AB."
    assert "Graag nodigen" in parts.quoted and "Van: Burgemeester Scholten" in parts.quoted


def test_reply_with_own_words_is_not_flagged():
    assert not split_reply(f"Ja.\n\nVan: G32\nVerzonden: 2 november\nAan: G32\nOnderwerp: x\n\n{INVITE}").forwarded


@pytest.mark.parametrize("text", ["", "\n\n", "   ", "> alleen een citaat", "Met vriendelijke groet,\nJan"])
def test_nothing_new(text):
    parts = split_reply(text)
    assert parts.new == ""


def test_thanks_alone_stays_new():
    assert split_reply("Bedankt!").new == "Bedankt!"
    assert split_reply("Klopt, dank u wel.\n\nMet vriendelijke groet,\nPetra").new == "Klopt, dank u wel."


def test_every_line_lands_in_exactly_one_part():
    text = f"{BODY}\n\nOp 2-11-2017 om 09:30 schreef G32:\n{QUOTED_INVITE}\n\nJa.\n\n{SIG}\n"
    parts = split_reply(text)
    out = [line for part in (parts.new, parts.quoted, parts.signature) for line in part.splitlines() if line.strip()]
    assert sorted(out) == sorted(line for line in text.splitlines() if line.strip())
