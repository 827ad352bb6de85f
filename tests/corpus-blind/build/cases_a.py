"""Cases 201-213: sessions by description, by number, by part of the day; regret, negation, declines."""
from __future__ import annotations

from case import Case, att, case, person, reply
from clients import (AppleMail, IPhone, Mail, Notes, OWA, Outlook, OutlookMac, OutlookO365, OutlookPlain,
                     Samsung, Thunderbird)
from mime import when
from texts import bot_msgid, confirmation, invitation


# ---------------------------------------------------------------------------------------------
# 1. Sessions named only through what the letter says about them
# ---------------------------------------------------------------------------------------------
@case
def c201() -> Case:
    me = person("Stefan van den Berg")
    text = """Goedemiddag,

Dank voor de uitnodiging. Op de 30e reis ik naar Lelystad. Ik begin de dag bij de inleidingen van Nico van Buren en de Amsterdamse wethouder over mensen die in volkstuinhuisjes en leegstaande bedrijfspanden wonen. Aansluitend schuif ik aan bij het overleg waarin we met VNG, G4 en Divosa bepalen hoe we onze inzet op inburgering het best kunnen richten. Na de lunch hoor ik graag de introductie van Geert Teisman.

Met vriendelijke groet,

Stefan van den Berg
Wethouder Werk, Inkomen en Zorg
Gemeente Apeldoorn
"""
    m = Mail(201, 1, me, when(6, 13, 47, 5), "", text, quote=invitation())
    return Case(201, "description-van-buren-volkstuinen-divosa-teisman", "sessions by description",
                "Outlook 365 reply naming sessions only by the letter's content: Nico van Buren and 'de Amsterdamse "
                "wethouder' on people living in allotment huts and empty business premises (wal-en-schip), the "
                "meeting with VNG, G4 and Divosa on inburgering (statushouders), Geert Teisman's introduction "
                "(regionale-samenwerking); the signature's 'Zorg' portfolio is no choice",
                [OutlookO365(m).build()],
                [att("Stefan van den Berg", sessions=["regionale-samenwerking", "statushouders", "wal-en-schip"],
                     email=True)],
                [reply(me[1])], False)


@case
def c202() -> Case:
    me = person("Petra Bos")
    text = """Goedemorgen,

Zet u mij neer voor het verhaal van Heerts over kwetsbare jongeren en de overgang van school naar werk. 's Middags hoor ik graag van de directeur Woningmarkt van BZK wat het regeerakkoord voor het wonen betekent. En het besluit over de twee nieuwe leden wil ik natuurlijk niet missen.

Groet,
Petra"""
    m = Mail(202, 1, me, when(9, 7, 55, 31), "", text, quote=invitation())
    return Case(202, "description-heerts-directeur-woningmarkt-nieuwe-leden", "sessions by description",
                "iPhone plain text signed with a first name: 'het verhaal van Heerts over kwetsbare jongeren' "
                "(jeugd-onderwijs-arbeidsmarkt), 'de directeur Woningmarkt van BZK' (fysieke-pijler, not financien "
                "although the regeerakkoord is named), 'het besluit over de twee nieuwe leden ... niet missen' "
                "(algemeen-bestuur: a double negative that chooses)",
                [IPhone(m).build()],
                [att("Petra Bos", sessions=["algemeen-bestuur", "fysieke-pijler", "jeugd-onderwijs-arbeidsmarkt"])],
                [reply(me[1])], False)


@case
def c203() -> Case:
    me = person("Gijs van Beek")
    text = """Beste organisatie,

Voor de netwerkdag kunt u mij inschrijven voor:
- om 11.15 uur het gesprek over de schaarste aan goedkope woningen en de verdringing die daardoor ontstaat;
- 's middags het vervolg op het gesprek dat in Sittard-Geleen met Kees van der Burg is begonnen, over de toekomst van het sociaal domein.

Het project van de Leer-werkmakelaar ken ik al uit een eerdere bijeenkomst, daarvoor hoef ik niet te komen.

Groet,
Gijs van Beek
wethouder gemeente Groningen
"""
    m = Mail(203, 1, me, when(3, 20, 31, 44), "", text, quote=invitation(), charset="windows-1252")
    return Case(203, "description-verdringing-van-der-burg-leerwerkmakelaar-skipped", "sessions by description",
                "Thunderbird HTML + plain (windows-1252, quoted-printable), a bulleted list of descriptions: "
                "scarcity of cheap housing and 'verdringing' (wonen-welzijn-zorg), the follow-up of the Sittard-"
                "Geleen talk with Kees van der Burg on the social domain (sociale-pijler); the Leer-werkmakelaar "
                "(ondernemerschap) is named only to be left out",
                [Thunderbird(m, alt=True).build()],
                [att("Gijs van Beek", sessions=["sociale-pijler", "wonen-welzijn-zorg"])],
                [reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# 2. Session numbers, in the order the invitation lists them
# ---------------------------------------------------------------------------------------------
@case
def c204() -> Case:
    me = person("Rik Kok")
    text = """Goedemiddag,

Graag sessie 3 en 11 voor mij noteren.

Groeten,
Rik Kok
wethouder Ede
"""
    m = Mail(204, 1, me, when(10, 12, 3, 18), "", text, quote=invitation(), cte="base64")
    return Case(204, "numbers-sessie-3-en-11-samsung", "session numbers",
                "Samsung Email (base64): 'sessie 3 en 11', counted in the order the invitation lists the sessions: "
                "the third is Ondernemerschap, the eleventh the Algemeen Bestuur",
                [Samsung(m).build()],
                [att("Rik Kok", sessions=["algemeen-bestuur", "ondernemerschap"])],
                [reply(me[1])], False)


@case
def c205() -> Case:
    sender = ("Bestuurssecretariaat Haarlemmermeer", "bestuurssecretariaat@haarlemmermeer.nl")
    text = """Geachte organisatie,

Wethouder Sanders neemt deel aan de G32 netwerkdag in Lelystad. Van de bijeenkomsten die in de uitnodigingsbrief worden opgesomd, kiest hij nummer 4 (Financiën), 7 en 10. Bij het algemeen bestuur en de borrel is hij niet aanwezig; hij heeft die middag nog een raadscommissie.

Met vriendelijke groet,

Marjolein de Wit
Bestuurssecretariaat
Gemeente Haarlemmermeer
"""
    m = Mail(205, 1, sender, when(7, 9, 18, 40), "", text, quote=invitation(), charset="windows-1252")
    return Case(205, "numbers-secretariat-nummer-4-7-en-10", "session numbers",
                "Haarlemmermeer secretariat (Outlook, windows-1252 quoted-printable) registers 'wethouder Sanders' "
                "for 'nummer 4 (Financiën), 7 en 10' of the letter's list (financien, regionale-samenwerking, "
                "fysieke-pijler); the AB and borrel are explicitly not attended",
                [Outlook(m).build()],
                [att("Frank Sanders", sessions=["financien", "fysieke-pijler", "regionale-samenwerking"], email=True,
                     role=True)],
                [reply(sender[1])], False)


@case
def c206() -> Case:
    me = person("Saskia Kuipers")
    text = """Beste organisatie,

Op de 30e schuif ik aan bij de onderdelen 2, 5, 6 en 12 uit de uitnodiging.

Hartelijke groet,
Saskia Kuipers
Wethouder gemeente Hoorn
"""
    m = Mail(206, 1, me, when(8, 17, 20, 9), "", text, quote=invitation())
    return Case(206, "numbers-2-5-6-12-slot-clash", "session numbers",
                "Outlook for Mac: 'de onderdelen 2, 5, 6 en 12 uit de uitnodiging'; 5 (wonen-welzijn-zorg) and 6 (statushouders) share "
                "the 11.15 slot, so only 2 (jeugd-onderwijs-arbeidsmarkt) and 12 (netwerkborrel) are recorded and "
                "the bot asks back",
                [OutlookMac(m).build()],
                [att("Saskia Kuipers", sessions=["jeugd-onderwijs-arbeidsmarkt", "netwerkborrel"])],
                [reply(me[1], "clarification")], None)


# ---------------------------------------------------------------------------------------------
# 3. Parts of the day and start times
# ---------------------------------------------------------------------------------------------
@case
def c207() -> Case:
    me = person("Bas Jansen")
    text = """Beste organisatie,

Op de ochtend van de 30e heb ik in Helmond een raadsinformatiebijeenkomst, dus ik kom pas na de lunch. Om één uur sluit ik aan bij de sessie die dan begint, om twee uur kies ik voor de Fysieke Pijler, en de vergadering van half vier maak ik ook mee. De borrel laat ik deze keer schieten.

Met vriendelijke groet,

Bas Jansen
Wethouder gemeente Helmond
"""
    m = Mail(207, 1, me, when(13, 11, 2, 37), "", text, quote=invitation(), charset="windows-1252")
    return Case(207, "daypart-start-times-een-uur-half-vier", "parts of the day",
                "Outlook (windows-1252): sessions by start time only, 'om één uur ... de sessie die dan begint' "
                "(regionale-samenwerking) and 'de vergadering van half vier' (algemeen-bestuur), plus the Fysieke "
                "Pijler; 'De borrel laat ik deze keer schieten' leaves the borrel out",
                [Outlook(m).build()],
                [att("Bas Jansen", sessions=["algemeen-bestuur", "fysieke-pijler", "regionale-samenwerking"])],
                [reply(me[1])], False)


@case
def c208() -> Case:
    me = person("Gerda Smit")
    text = """Goedemiddag,

Op 30 november kan ik alleen 's middags, maar dan ben ik er ook het hele middagprogramma, tot en met de borrel.

Met vriendelijke groet,

Gerda Smit
wethouder gemeente 's-Hertogenbosch
"""
    m = Mail(208, 1, me, when(6, 15, 40, 22), "", text, quote=invitation(), charset="iso-8859-1")
    return Case(208, "daypart-hele-middagprogramma-pijler-open-owa", "parts of the day",
                "Outlook Web App, HTML only (iso-8859-1): 'het hele middagprogramma, tot en met de borrel' covers "
                "the single sessions at 13.00, 15.30 and 16.00 (recorded) and the 14.00 slot with three pillars "
                "(not recorded): the bot asks which pillar",
                [OWA(m).build()],
                [att("Gerda Smit", sessions=["algemeen-bestuur", "netwerkborrel", "regionale-samenwerking"])],
                [reply(me[1], "clarification")], None)


@case
def c209() -> Case:
    me = person("Linda de Vries")
    text = """Geachte organisatie,

Ik ben op 30 november de hele dag in Lelystad. Om tien uur ga ik naar de themasessie over jeugd en de aansluiting van het onderwijs op de arbeidsmarkt, om kwart over elf naar de themagroep Financiën en om twee uur naar de themagroep Veiligheid. Voor de rest doe ik overal aan mee, behalve aan de borrel: die avond vergadert onze raad.

Met vriendelijke groet,

Linda de Vries
Burgemeester van Breda
"""
    m = Mail(209, 1, me, when(14, 8, 44, 50), "", text, quote=invitation(), cte="base64")
    return Case(209, "daypart-hele-dag-alles-behalve-de-borrel", "parts of the day",
                "Outlook (utf-8 base64): 'de hele dag' with a choice for each parallel slot, then 'voor de rest doe "
                "ik overal aan mee, behalve aan de borrel': regionale-samenwerking and the AB are included, the "
                "borrel is not",
                [Outlook(m).build()],
                [att("Linda de Vries", sessions=["algemeen-bestuur", "financien", "jeugd-onderwijs-arbeidsmarkt",
                                                 "regionale-samenwerking", "veiligheid"], role=True)],
                [reply(me[1])], False)


@case
def c210() -> Case:
    me = person("Hanneke van Leeuwen")
    text = """Beste organisatie,

Op 30 november ben ik er de hele ochtend, tot de lunch. Om tien uur kies ik voor de inleidingen over wonen in de rafelranden van de woningmarkt.

Met vriendelijke groet,
Hanneke van Leeuwen
burgemeester van Heerlen
"""
    m = Mail(210, 1, me, when(5, 21, 12, 3), "", text, quote=invitation())
    return Case(210, "daypart-hele-ochtend-1115-open-apple-mail", "parts of the day",
                "Apple Mail: 'de hele ochtend, tot de lunch' with only the 10.00 choice made ('de rafelranden van "
                "de woningmarkt', wal-en-schip); the 11.15 slot with four groups is covered but not chosen, so the "
                "bot asks back",
                [AppleMail(m).build()],
                [att("Hanneke van Leeuwen", sessions=["wal-en-schip"])],
                [reply(me[1], "clarification")], None)


# ---------------------------------------------------------------------------------------------
# 4. Regret and negation without "niet naar X"; declines and cancellations
# ---------------------------------------------------------------------------------------------
@case
def c211() -> Case:
    me = person("Saskia Jonker")
    text = """Goedemorgen,

Ik kom op 30 november naar Lelystad. De themasessie over mensen tussen wal en schip moet ik helaas missen: dan zit ik nog in de trein vanuit Den Bosch. Om kwart over elf ben ik er wel, voor de themagroep Statushouders.
Om twee uur wel het platform stedelijke veiligheid, niet de Sociale Pijler; daar gaat onze burgemeester al heen. Het AB kunt u ook bij mij noteren. Bij de borrel ben ik er helaas niet meer bij.

Met vriendelijke groet,
Saskia Jonker
wethouder gemeente 's-Hertogenbosch
"""
    m = Mail(211, 1, me, when(7, 10, 26, 13), "", text, quote=invitation(), charset="iso-8859-1")
    return Case(211, "regret-moet-missen-wel-x-niet-y-plain", "regret and negation",
                "Outlook plain-text mode (iso-8859-1): 'moet ik helaas missen' (wal-en-schip), scoped 'wel het "
                "platform stedelijke veiligheid, niet de Sociale Pijler' (no 14.00 clash) and 'Bij de borrel ben "
                "ik er helaas niet meer bij'; statushouders, veiligheid and the AB are chosen",
                [OutlookPlain(m).build()],
                [att("Saskia Jonker", sessions=["algemeen-bestuur", "statushouders", "veiligheid"])],
                [reply(me[1])], False)


@case
def c212() -> Case:
    sender = ("Bestuurssecretariaat Zaanstad", "bestuurssecretariaat@zaanstad.nl")
    text = """Geachte organisatie,

Tot haar spijt is wethouder Ruiters op 30 november verhinderd; die dag staat al geruime tijd een werkbezoek aan de provincie in haar agenda. Zij wenst u een geslaagde netwerkdag toe.

Met vriendelijke groet,

Anouk Vermeulen
Bestuurssecretariaat
Gemeente Zaanstad
"""
    m = Mail(212, 1, sender, when(9, 14, 51, 26), "", text, quote=invitation(), charset="iso-8859-1")
    return Case(212, "decline-secretariat-wethouder-ruiters-verhinderd-notes", "regret and negation",
                "IBM Notes (iso-8859-1): the Zaanstad secretariat writes 'Tot haar spijt is wethouder Ruiters ... "
                "verhinderd' (Zoetermeer and Apeldoorn have a Ruiters too): a whole-message decline for Esther "
                "Ruiters, acknowledged to the secretariat",
                [Notes(m).build()],
                [att("Esther Ruiters", "declined", email=True, role=True)],
                [reply(sender[1], "acknowledgement")], False)


@case
def c213() -> Case:
    me = person("Bas Hoekstra")
    first = """Beste organisatie,

Zet u mij op de lijst voor de themagroep Financiën, de vergadering van het algemeen bestuur en de afsluitende borrel.

Met vriendelijke groet,

Bas Hoekstra
Burgemeester van Roosendaal
"""
    m1 = Mail(213, 1, me, when(3, 16, 12, 50), "", first, quote=invitation())
    c1 = OutlookO365(m1)
    sent = when(3, 16, 13, 41)
    conf = confirmation(date=sent, msgid=bot_msgid(sent, "b213"), salutation="Geachte heer Hoekstra,",
                        sessions=["financien", "algemeen-bestuur", "netwerkborrel"], to_name="Bas Hoekstra",
                        to_addr=me[1], in_reply_to=c1.msgid)
    second = """Beste organisatie,

Door een ingelast crisisoverleg in onze veiligheidsregio kan ik er op de 30e toch niet bij zijn. Wilt u mijn naam van de deelnemerslijst halen? Excuses voor het ongemak.

Bas Hoekstra"""
    m2 = Mail(213, 2, me, when(13, 22, 7, 15), "", second, quote=conf)
    return Case(213, "cancel-toch-niet-bij-zijn-naam-van-de-lijst-iphone", "regret and negation",
                "registration (Outlook 365), then ten days later an iPhone reply to the confirmation: 'kan ik er op "
                "de 30e toch niet bij zijn. Wilt u mijn naam van de deelnemerslijst halen?' is a cancellation "
                "('veiligheidsregio' is no session): cancelled, confirmation then acknowledgement",
                [c1.build(), IPhone(m2).build()],
                [att("Bas Hoekstra", "cancelled")],
                [reply(me[1]), reply(me[1], "acknowledgement")], False)
