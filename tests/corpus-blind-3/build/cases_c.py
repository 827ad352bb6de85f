"""Cases 401-420: a realistic mix of ordinary registrations, declines, a cancellation, a change and harder
cases (descriptions, numbers, start times, regret, correction, secretariat, remark, impostor, auto-reply)."""
from __future__ import annotations

from case import Case, att, case, person, reply
from clients import (AppleMail, Gmail, IPhone, Mail, Notes, OWA, Outlook, OutlookAndroid, OutlookMac, OutlookO365,
                     OutlookPlain, Samsung, Thunderbird)
from mime import when
from texts import INVITATION_ID, INVITATION_SUBJECT, Orig, bot_msgid, confirmation, invitation

PASS = ("mx1.g32.nl; dkim=pass (2048-bit key; unprotected)\r\n header.d={d} header.i=@{d} "
        'header.b="{b}";\r\n\tspf=pass smtp.mailfrom={d};\r\n\tdmarc=pass (p=none dis=none) header.from={d}')


# ---------------------------------------------------------------------------------------------
# Ordinary registrations (titles, short names, typos, abbreviations)
# ---------------------------------------------------------------------------------------------
@case
def c401() -> Case:
    me = person("Lars Mulder")
    text = """Goedemorgen,

Graag aanmelden voor de themagroep fin. en het AB.

Met vriendelijke groet,

Lars Mulder
Wethouder Economie, Sport en Veiligheid
Gemeente Zoetermeer
"""
    m = Mail(401, 1, me, when(2, 11, 4, 37), "", text, quote=invitation(), charset="windows-1252")
    return Case(401, "ordinary-fin-en-ab-cp1252", "registration",
                "Outlook (windows-1252, quoted-printable) above the quoted invitation: 'de themagroep fin. en het AB' "
                "(financien, algemeen-bestuur); 'Veiligheid' in the signature's portfolio is no choice",
                [Outlook(m).build()],
                [att("Lars Mulder", sessions=["algemeen-bestuur", "financien"], email=True, role=True)],
                [reply(me[1])], False)


@case
def c402() -> Case:
    me = person("Pieter de Jong")
    text = """ik kom graag! zet me maar op soc. pijler en de borrel

gr pieter
"""
    m = Mail(402, 1, me, when(3, 22, 41, 9), "", text, quote=invitation(),
             auth=PASS.format(d="gmail.com", b="Pd4kLw0e"))
    return Case(402, "ordinary-gmail-lowercase-soc-pijler-borrel", "registration",
                "Gmail web from the listed personal gmail address, all lower case: 'soc. pijler en de borrel' "
                "(sociale-pijler, netwerkborrel) above the '> ' quoted invitation",
                [Gmail(m).build()],
                [att("Pieter de Jong", sessions=["netwerkborrel", "sociale-pijler"], email=True)],
                [reply(me[1])], False)


@case
def c403() -> Case:
    me = person("Ilse van Dijk")
    text = """Hoi, ik meld me aan voor statushouders, regionale samenwerkig en natuurlijk het AB \U0001F60A
Groet Ilse
"""
    m = Mail(403, 1, me, when(4, 8, 12, 55), "", text, quote=invitation())
    return Case(403, "ordinary-iphone-candidate-hilversum-typo-emoji", "registration",
                "iPhone plain text from candidate member Hilversum with a typo and an emoji: statushouders, "
                "'regionale samenwerkig', 'het AB'; candidate members are treated as members (review false)",
                [IPhone(m).build()],
                [att("Ilse van Dijk", sessions=["algemeen-bestuur", "regionale-samenwerking", "statushouders"],
                     email=True)],
                [reply(me[1])], False)


@case
def c404() -> Case:
    me = ("Anouk Verbeek", "a.verbeek@divosa.nl")
    text = """Geachte heer, mevrouw,

Namens Divosa meld ik mij graag aan voor de G32 netwerkdag op 30 november a.s. in Lelystad. Ik neem deel aan de Doorstart themagroep Statushouders en aan de Sociale Pijler.

Met vriendelijke groet,

drs. A. (Anouk) Verbeek
Beleidsadviseur Werk en Inkomen
Divosa
"""
    m = Mail(404, 1, me, when(6, 14, 27, 3), "Aanmelding G32 netwerkdag d.d. 30 november 2017", text,
             charset="iso-8859-1")
    return Case(404, "ordinary-nonmember-divosa-owa-html-only", "registration",
                "Outlook Web App, HTML only (iso-8859-1), new message from a Divosa policy adviser (a partner, not "
                "on the list) registering formally for statushouders and the sociale pijler: municipality null, "
                "recorded and confirmed, review true (rule 9)",
                [OWA(m).build()],
                [att("Anouk Verbeek", sessions=["sociale-pijler", "statushouders"], municipality=None)],
                [reply(me[1])], True)


@case
def c405() -> Case:
    me = person("Bas Jansen")
    text = """Aanmelding Bas Jansen (Helmond) voor 30/11:
- wal en schip
- ondernemrschap
- veilgheid
- borrel
"""
    m = Mail(405, 1, me, when(7, 17, 50, 22), "netwerkdag 30/11", text, cte="base64")
    return Case(405, "ordinary-samsung-typo-list-base64", "registration",
                "Samsung Email (base64) new message with a terse list of four sessions, two of them misspelt "
                "('ondernemrschap', 'veilgheid'): wal-en-schip, ondernemerschap, veiligheid, netwerkborrel",
                [Samsung(m).build()],
                [att("Bas Jansen", sessions=["netwerkborrel", "ondernemerschap", "veiligheid", "wal-en-schip"],
                     email=True)],
                [reply(me[1])], False)


@case
def c406() -> Case:
    sender = ("Bestuurssecretariaat Heerlen", "bestuurssecretariaat@heerlen.nl")
    text = """Goedemiddag,

Namens burgemeester Van Leeuwen meld ik haar aan voor de netwerkdag van 30 november. Zij neemt deel aan de Fysieke Pijler, het AB en de afsluitende borrel.

Met vriendelijke groet,

Kim Vliegen
Bestuurssecretariaat burgemeester en wethouders
Gemeente Heerlen
"""
    m = Mail(406, 1, sender, when(8, 13, 15, 40), "", text, quote=invitation(), charset="iso-8859-1")
    return Case(406, "ordinary-secretariat-burgemeester-van-leeuwen-plain", "secretariat",
                "Outlook in plain-text mode (iso-8859-1, '-----Oorspronkelijk bericht-----'): the Heerlen "
                "secretariat registers 'burgemeester Van Leeuwen' (Heerlen also has wethouder Lars van Leeuwen) "
                "for the fysieke pijler, the AB and the borrel; reply to the secretariat",
                [OutlookPlain(m).build()],
                [att("Hanneke van Leeuwen", sessions=["algemeen-bestuur", "fysieke-pijler", "netwerkborrel"],
                     email=True, role=True)],
                [reply(sender[1])], False)


# ---------------------------------------------------------------------------------------------
# Declines, cancellation, change
# ---------------------------------------------------------------------------------------------
@case
def c407() -> Case:
    me = person("Gerda Smit")
    text = """Beste organisatoren,

Dank voor de uitnodiging. Helaas kan ik op 30 november niet aanwezig zijn, ik heb die dag de begrotingsbehandeling in onze raad. Ik wens jullie een goede bijeenkomst!

Hartelijke groet,
Gerda Smit
"""
    m = Mail(407, 1, me, when(3, 9, 2, 18), INVITATION_SUBJECT, text, subject_prefix="RE: ", in_reply_to=INVITATION_ID, references=[INVITATION_ID])
    return Case(407, "decline-helaas-niet-aanwezig-begroting", "decline",
                "Outlook 365 reply without the original quoted: 'Helaas kan ik op 30 november niet aanwezig zijn' (the raad's begrotings"
                "behandeling is the reason, not a session): declined, acknowledgement",
                [OutlookO365(m).build()],
                [att("Gerda Smit", "declined", email=True)],
                [reply(me[1], "acknowledgement")], False)


@case
def c408() -> Case:
    sender = ("Bestuurssecretariaat Emmen", "bestuurssecretariaat@emmen.nl")
    text = """Geachte heer/mevrouw,

Burgemeester Smit is op donderdag 30 november verhinderd en zal de G32 netwerkdag helaas niet kunnen bijwonen.

Met vriendelijke groet,

Ans Lubbers
Secretariaat burgemeester
Gemeente Emmen
"""
    m = Mail(408, 1, sender, when(9, 10, 33, 6), "", text, quote=invitation(), charset="iso-8859-1")
    return Case(408, "decline-secretariat-burgemeester-smit-notes", "decline",
                "IBM Notes (iso-8859-1): the Emmen secretariat writes that 'Burgemeester Smit' (Emmen also has "
                "wethouder Ruud Smit) is verhinderd: Joost Smit declined, acknowledgement to the secretariat",
                [Notes(m).build()],
                [att("Joost Smit", "declined", email=True, role=True)],
                [reply(sender[1], "acknowledgement")], False)


@case
def c409() -> Case:
    me = person("Yvonne de Haan")
    first = """Goedemiddag,

Graag aanmelden voor Ondernemerschap en het Algemeen Bestuur.

Groet,
Yvonne de Haan
"""
    m1 = Mail(409, 1, me, when(3, 15, 48, 11), "", first, quote=invitation())
    c1 = Outlook(m1)
    sent = when(3, 15, 49, 2)
    conf = confirmation(date=sent, msgid=bot_msgid(sent, "c409"), salutation="Geachte mevrouw De Haan,",
                        sessions=["ondernemerschap", "algemeen-bestuur"], to_name="Yvonne de Haan",
                        to_addr=me[1], in_reply_to=c1.msgid)
    second = """Beste G32,

Door een extra ingelaste raadsvergadering op de 30e moet ik mij helaas toch afmelden.

Groet, Yvonne
"""
    m2 = Mail(409, 2, me, when(14, 7, 21, 40), "", second, quote=conf, cte="base64")
    return Case(409, "cancel-toch-afmelden-android-after-confirmation", "cancellation",
                "registration (Outlook) for ondernemerschap and the AB, then eleven days later an Outlook for "
                "Android reply (base64) to the confirmation: 'moet ik mij helaas toch afmelden': cancelled, "
                "confirmation then acknowledgement",
                [c1.build(), OutlookAndroid(m2).build()],
                [att("Yvonne de Haan", "cancelled", email=True)],
                [reply(me[1]), reply(me[1], "acknowledgement")], False)


@case
def c410() -> Case:
    me = person("Rik de Groot")
    first = """Hallo,

Ik wil me graag aanmelden voor de netwerkdag van 30 november: themagroep wonen, welzijn en zorg en de sociale pijler.

Groet,
Rik de Groot
wethouder Leiden
"""
    m1 = Mail(410, 1, me, when(6, 10, 2, 51), "Aanmelding G32 netwerkdag", first)
    c1 = OutlookO365(m1)
    sent = when(6, 10, 3, 30)
    conf = confirmation(date=sent, msgid=bot_msgid(sent, "c410"), salutation="Geachte heer De Groot,",
                        sessions=["wonen-welzijn-zorg", "sociale-pijler"], to_name="Rik de Groot",
                        to_addr=me[1], in_reply_to=c1.msgid)
    second = """Kleine wijziging: in plaats van de sociale pijler graag de fysieke pijler. En zet de borrel er ook maar bij.

Rik
"""
    m2 = Mail(410, 2, me, when(8, 16, 40, 12), "", second, quote=conf)
    return Case(410, "change-swap-pijler-add-borrel-o365", "change",
                "Outlook 365 new message (wonen-welzijn-zorg, sociale-pijler), then a reply to the confirmation "
                "(which still lists the sociale pijler): 'in plaats van de sociale pijler graag de fysieke pijler' "
                "and the borrel added; two confirmations",
                [c1.build(), OutlookO365(m2).build()],
                [att("Rik de Groot", sessions=["fysieke-pijler", "netwerkborrel", "wonen-welzijn-zorg"], email=True)],
                [reply(me[1]), reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# Harder ones
# ---------------------------------------------------------------------------------------------
@case
def c411() -> Case:
    me = person("Sanne van Leeuwen")
    text = """Beste mensen,

Ik kom graag naar Lelystad. 's Ochtends wil ik de presentatie van Present Your Startup en MKB-Nederland over de Haagse MKB-bedrijven bijwonen. Na de lunch sluit ik aan bij het gesprek onder leiding van Milo Schoenmaker, en daarna bij de bijeenkomst over ondermijning en de aanpak van verwarde personen.

Met vriendelijke groet,
Sanne van Leeuwen
wethouder Economie en Werk, gemeente Groningen
"""
    m = Mail(411, 1, me, when(5, 19, 3, 27), "", text, quote=invitation(), cte="8bit",
             relay="smtp.xs4all.nl")
    return Case(411, "description-present-your-startup-schoenmaker-verwarde-personen", "sessions by description",
                "Thunderbird plain text (utf-8, 8bit, format=flowed) from the listed xs4all address, sessions only "
                "by the letter's content: the presentation by Present Your Startup and MKB-Nederland "
                "(ondernemerschap), the talk led by Milo Schoenmaker (regionale-samenwerking), ondermijning and "
                "verwarde personen (veiligheid)",
                [Thunderbird(m).build()],
                [att("Sanne van Leeuwen", sessions=["ondernemerschap", "regionale-samenwerking", "veiligheid"],
                     email=True)],
                [reply(me[1])], False)


@case
def c412() -> Case:
    me = person("Olga Huisman")
    text = """Goedemiddag,

Voor de netwerkdag graag noteren: de bijeenkomsten 2, 6 en 9 uit de uitnodiging (van boven af geteld), en tot slot natuurlijk de borrel.

Groet,
Olga Huisman
"""
    m = Mail(412, 1, me, when(7, 12, 36, 49), INVITATION_SUBJECT, text, subject_prefix="RE: ", in_reply_to=INVITATION_ID, references=[INVITATION_ID])
    return Case(412, "numbers-2-6-9-en-de-borrel-outlook-mac", "session numbers",
                "Outlook for Mac reply without the quoted letter: 'de bijeenkomsten 2, 6 en 9 uit de uitnodiging (van boven af geteld)' are "
                "jeugd-onderwijs-arbeidsmarkt, statushouders and sociale-pijler in the letter's order (wal-en-schip=1 "
                "... netwerkborrel=12); the borrel is named",
                [OutlookMac(m).build()],
                [att("Olga Huisman",
                     sessions=["jeugd-onderwijs-arbeidsmarkt", "netwerkborrel", "sociale-pijler", "statushouders"],
                     email=True)],
                [reply(me[1])], False)


@case
def c413() -> Case:
    me = person("Arjen Hendriks")
    text = """Goedemorgen,

Ik ben er op de 30e vanaf het begin: om tien uur schuif ik aan bij de themasessie, om kwart over elf bij de themagroep Financiën en na de lunch bij de sessie van één uur. Daarna ga ik terug naar Leeuwarden.

Groet,
Arjen Hendriks
"""
    m = Mail(413, 1, me, when(9, 8, 44, 30), "", text, quote=invitation())
    return Case(413, "daypart-themasessie-van-tien-uur-open-apple-mail", "parts of the day",
                "Apple Mail: 'om tien uur ... de themasessie' covers a slot with two parallel themasessies and makes "
                "no choice (not recorded, the bot asks back); financien by name and 'de sessie van één uur' "
                "(regionale-samenwerking) are recorded; leaving after that is no remark",
                [AppleMail(m).build()],
                [att("Arjen Hendriks", sessions=["financien", "regionale-samenwerking"], email=True)],
                [reply(me[1], "clarification")], None)


@case
def c414() -> Case:
    me = person("Wendy Kok")
    text = """Beste G32,

Ik kom naar Lelystad. De themagroep Financiën laat ik deze keer aan mijn collega van Financiën over; zelf ga ik naar Wonen, welzijn en zorg. 's Middags Veiligheid. Bij het Algemeen Bestuur ben ik dan alweer onderweg terug naar Helmond, dus de borrel schiet er ook bij in.

Met vriendelijke groet,
Wendy Kok
wethouder Zorg en Wonen, gemeente Helmond
"""
    m = Mail(414, 1, me, when(10, 16, 5, 2), "", text, quote=invitation(), charset="windows-1252", cte="base64")
    return Case(414, "regret-laat-ik-aan-collega-over-onderweg-terug", "regret and negation",
                "Outlook (windows-1252, base64): 'De themagroep Financiën laat ik ... aan mijn collega over' "
                "(not chosen, and no unnamed colleague is registered), wonen-welzijn-zorg and veiligheid chosen, "
                "'Bij het Algemeen Bestuur ben ik dan alweer onderweg terug' and 'de borrel schiet er ook bij in' "
                "leave the AB and the borrel out",
                [Outlook(m).build()],
                [att("Wendy Kok", sessions=["veiligheid", "wonen-welzijn-zorg"], email=True)],
                [reply(me[1])], False)


@case
def c415() -> Case:
    me = person("Sander Visser")
    text = """Aanmelden voor 30/11: fysieke pijler en borrel. O wacht, om 14u toch liever de sociale pijler ipv de fysieke.
Gr Sander
"""
    m = Mail(415, 1, me, when(11, 21, 17, 58), "aanmelding 30/11", text, cte="base64")
    return Case(415, "correction-o-wacht-liever-sociale-ipv-fysieke-android", "corrections",
                "Outlook for Android new message (base64): 'fysieke pijler en borrel. O wacht, om 14u toch liever de sociale "
                "pijler ipv de fysieke' replaces the fysieke pijler in the same message: sociale-pijler and "
                "netwerkborrel",
                [OutlookAndroid(m).build()],
                [att("Sander Visser", sessions=["netwerkborrel", "sociale-pijler"], email=True)],
                [reply(me[1])], False)


@case
def c416() -> Case:
    sender = ("Bestuurssecretariaat Deventer", "bestuurssecretariaat@deventer.nl")
    text = """Goedemorgen,

Vanuit Deventer komen op 30 november drie collegeleden naar Lelystad:

- burgemeester De Graaf: Algemeen Bestuur en netwerkborrel
- wethouder De Bruijn: themagroep Financiën en de Fysieke Pijler
- wethouder Huisman: jeugd & onderwijs-arbeidsmarkt (10.00 uur) en de Sociale Pijler

Met vriendelijke groet,

Monique Hulshof
Bestuurssecretariaat
Gemeente Deventer
"""
    m = Mail(416, 1, sender, when(10, 9, 12, 20), "Aanmeldingen Deventer G32 netwerkdag 30-11", text)
    return Case(416, "secretariat-three-people-deventer-by-surname", "secretariat",
                "Deventer secretariat (Outlook 365, new message) registers three people by role and surname, each "
                "with other sessions (Almelo and Leiden have a mayor De Graaf, Enschede and Leiden a wethouder "
                "De Bruijn, Haarlem and Venlo a wethouder Huisman): three attendees, one confirmation",
                [OutlookO365(m).build()],
                [att("Mirjam de Graaf", sessions=["algemeen-bestuur", "netwerkborrel"], email=True, role=True),
                 att("Bram de Bruijn", sessions=["financien", "fysieke-pijler"], email=True, role=True),
                 att("Pieter Huisman", sessions=["jeugd-onderwijs-arbeidsmarkt", "sociale-pijler"], email=True,
                     role=True)],
                [reply(sender[1])], False)


@case
def c417() -> Case:
    me = person("Gijs el Amrani")
    text = """Goedemiddag,

Ik meld me aan voor financien en de soc. pijler. Ik eet halal, zou u dat aan de catering willen doorgeven?

Gijs el Amrani
wethouder Schiedam
"""
    m = Mail(417, 1, me, when(12, 13, 8, 44), "Netwerkdag 30 nov", text, relay="smtp.ziggo.nl")
    return Case(417, "remark-halal-iphone-ziggo", "remarks",
                "iPhone new message (HTML + plain) from the listed ziggo address: financien and 'de soc. pijler' with a "
                "dietary request for the catering (halal): recorded and confirmed, and up for review",
                [IPhone(m, alt=True).build()],
                [att("Gijs el Amrani", sessions=["financien", "sociale-pijler"], email=True)],
                [reply(me[1])], True)


@case
def c418() -> Case:
    me = person("Joost Brouwer")
    first = """Goedemiddag,

Ik schuif graag aan bij de themagroep Veiligheid en het Algemeen Bestuur.

Met vriendelijke groet,

Joost Brouwer
Wethouder gemeente Roosendaal
"""
    m1 = Mail(418, 1, me, when(4, 14, 55, 9), "", first, quote=invitation(),
              auth=PASS.format(d="roosendaal.nl", b="Rs3mQ8vb"))
    fake = ("Joost Brouwer", "j.brouwer@roosendaa1.nl")
    second = """Geachte organisatie,

Helaas moet ik mijn deelname aan de netwerkdag van 30 november annuleren. Wilt u mij van de deelnemerslijst verwijderen?

Met vriendelijke groet,

Joost Brouwer
Wethouder gemeente Roosendaal
"""
    m2 = Mail(418, 2, fake, when(9, 23, 12, 47), "Annulering deelname netwerkdag 30 november", second,
              auth=PASS.format(d="roosendaa1.nl", b="x0Kq9Tzr"))
    return Case(418, "identity-lookalike-roosendaa1-cancels-registration", "identity",
                "a genuine registration from roosendaal.nl (veiligheid, AB), then a cancellation in his name from "
                "the lookalike domain roosendaa1.nl (digit one for the l; passes its own DMARC): the registration "
                "stands, the lookalike gets no reply, up for review",
                [OutlookO365(m1).build(), OutlookO365(m2).build()],
                [att("Joost Brouwer", sessions=["algemeen-bestuur", "veiligheid"], email=True)],
                [reply(me[1])], True)


@case
def c419() -> Case:
    me = person("Renske Scholten")
    text = """Dank voor uw bericht. Ik ben van 30 oktober tot en met 10 november met vakantie en lees mijn mail niet. Voor dringende zaken kunt u contact opnemen met het bestuurssecretariaat via bestuurssecretariaat@lelystad.nl.

Met vriendelijke groet,
Renske Scholten
wethouder gemeente Lelystad
"""
    m = Mail(419, 1, me, when(2, 9, 30, 41), INVITATION_SUBJECT, text, subject_prefix="Automatisch antwoord: ",
             in_reply_to=INVITATION_ID, references=[INVITATION_ID],
             extra=[("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")])
    return Case(419, "ooo-automatisch-antwoord-vakantie", "auto-reply",
                "Exchange out-of-office reply ('Automatisch antwoord:', Auto-Submitted: auto-replied, In-Reply-To "
                "the invitation) from a Lelystad wethouder; '30 oktober' is no session or date to act on: "
                "nothing recorded, no reply, review false",
                [Outlook(m).build()],
                [], [], False)


@case
def c420() -> Case:
    sender = ("Bestuurssecretariaat Nijmegen", "bestuurssecretariaat@nijmegen.nl")
    text = """Goedemiddag,

Burgemeester Dekker komt op 30 november alleen voor het laatste deel van de middag naar Lelystad: zij is er om half vier voor de vergadering die dan begint en blijft tot het einde van de dag.

Met vriendelijke groet,

Esra Yildiz
Kabinet van de burgemeester
Gemeente Nijmegen
"""
    m = Mail(420, 1, sender, when(13, 11, 26, 5), "Aanmelding burgemeester Dekker netwerkdag 30 november", text,
             charset="windows-1252")
    return Case(420, "daypart-half-vier-tot-het-einde-secretariat", "parts of the day",
                "Nijmegen secretariat (Outlook, windows-1252) registers 'Burgemeester Dekker' (Arnhem has a "
                "wethouder Dekker) only by time: 'om half vier voor de vergadering die dan begint' (algemeen-bestuur) "
                "'en blijft tot het einde van de dag' (the 16.00 slot has only the borrel): a plain confirmation",
                [Outlook(m).build()],
                [att("Ellen Dekker", sessions=["algemeen-bestuur", "netwerkborrel"], email=True, role=True)],
                [reply(sender[1])], False)
