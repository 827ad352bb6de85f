"""Cases 301-320, written blind from the contract, the letter and the earlier corpora (new texts)."""
from __future__ import annotations

import html as _html

from case import Case, att, case, person, reply, secretariat
from clients import (AppleMail, Gmail, GroupWise, IPhone, Mail, Notes, OWA, Outlook, OutlookAndroid, OutlookCom,
                     OutlookMac, OutlookO365, OutlookPlain, Thunderbird, inline_image, logo_png)
from mime import when
from texts import ORDER, SESSIONS, bot_msgid, confirmation, invitation

PASS = ("mx1.g32.nl; dkim=pass (2048-bit key; unprotected)\r\n header.d={d} header.i=@{d} "
        'header.b="{b}";\r\n\tspf=pass smtp.mailfrom={d};\r\n\tdmarc=pass (p=none dis=none) header.from={d}')


# ---------------------------------------------------------------------------------------------
# 1. Sessions named only through what the letter says about them
# ---------------------------------------------------------------------------------------------
@case
def c301() -> Case:
    me = person("Marloes Timmermans")
    text = """Goedemorgen,

Ik kom graag naar Lelystad. Om kwart over elf wil ik de presentatie van Marja Pelzer van MKB-Nederland bijwonen. Na de lunch eerst de sessie die de burgemeester van Gouda leidt, daarna het verhaal van BZK over de Omgevingswet en NOVI.

Met vriendelijke groet,

Marloes Timmermans
Wethouder Economie, Werk en Inkomen
Gemeente Nijmegen
"""
    m = Mail(301, 1, me, when(3, 9, 12, 40), "", text, quote=invitation(), charset="windows-1252")
    return Case(301, "description-pelzer-burgemeester-gouda-omgevingswet", "sessions by description",
                "Outlook on premises (windows-1252, quoted-printable): 'de presentatie van Marja Pelzer van "
                "MKB-Nederland' (ondernemerschap), 'de sessie die de burgemeester van Gouda leidt' (regionale-"
                "samenwerking, led by Milo Schoenmaker), 'het verhaal van BZK over de Omgevingswet en NOVI' "
                "(fysieke-pijler); the signature's portfolio 'Economie, Werk en Inkomen' is no choice",
                [Outlook(m).build()],
                [att("Marloes Timmermans", sessions=["fysieke-pijler", "ondernemerschap", "regionale-samenwerking"],
                     email=True)],
                [reply(me[1])], False)


@case
def c302() -> Case:
    me = person("Pieter de Jong")
    text = """hoi,

zet me maar op de lijst voor de 30e. om 10 uur graag het verhaal over mensen in de rafelranden van de woningmarkt, daarna iets met het aflopende bestuursakkoord asiel en integratie. om 13.00 heb ik een lunchafspraak buiten de deur, om 2 uur de bijeenkomst waar staatssecretaris Blokhuis aanschuift. en de borrel natuurlijk

groet
pieter
"""
    m = Mail(302, 1, me, when(4, 22, 47, 3), "", text, quote=invitation())
    return Case(302, "description-rafelranden-bestuursakkoord-blokhuis-gmail", "sessions by description",
                "Gmail, all lower case, from the listed gmail address: 'de rafelranden van de woningmarkt' at 10 "
                "(wal-en-schip), 'het aflopende bestuursakkoord asiel en integratie' (statushouders), 'de "
                "bijeenkomst waar staatssecretaris Blokhuis aanschuift' (sociale-pijler) and the borrel; the 13.00 "
                "lunch appointment is a reason, not a session",
                [Gmail(m).build()],
                [att("Pieter de Jong", sessions=["netwerkborrel", "sociale-pijler", "statushouders", "wal-en-schip"],
                     email=True)],
                [reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# 2. Session numbers (the order of the letter: wal-en-schip=1 ... netwerkborrel=12)
# ---------------------------------------------------------------------------------------------
@case
def c303() -> Case:
    me = person("Arjen Hendriks")
    text = """Goedemiddag,

Ik meld me aan voor nr. 1, 7 en 8 uit de uitnodigingsbrief. De borrel laat ik schieten, dan ben ik al onderweg naar Leeuwarden.

Met vriendelijke groet,
Arjen Hendriks
wethouder gemeente Leeuwarden
"""
    m = Mail(303, 1, me, when(7, 14, 5, 51), "", text, quote=invitation(), charset="iso-8859-1")
    return Case(303, "numbers-nr-1-7-8-owa-borrel-schieten", "session numbers",
                "Outlook Web App, HTML only (iso-8859-1): 'nr. 1, 7 en 8 uit de uitnodigingsbrief' = wal-en-schip, "
                "regionale-samenwerking, veiligheid; 'de borrel laat ik schieten' chooses nothing",
                [OWA(m).build()],
                [att("Arjen Hendriks", sessions=["regionale-samenwerking", "veiligheid", "wal-en-schip"])],
                [reply(me[1])], False)


@case
def c304() -> Case:
    me = person("Dirk Jonker")
    text = """Beste mensen,

Uit de opsomming in de brief kies ik de 2e, de 5e en de 10e. Plus het AB uiteraard.

Groeten,
Dirk Jonker
(wethouder Amersfoort)
"""
    m = Mail(304, 1, me, when(8, 19, 33, 17), "", text, quote=invitation(), cte="8bit")
    return Case(304, "numbers-ordinals-2e-5e-10e-thunderbird", "session numbers",
                "Thunderbird plain text (utf-8, 8bit, format=flowed) from the listed xs4all address: ordinals "
                "'de 2e, de 5e en de 10e' from the letter's list (jeugd-onderwijs-arbeidsmarkt, wonen-welzijn-zorg, "
                "fysieke-pijler) plus 'het AB'",
                [Thunderbird(m).build()],
                [att("Dirk Jonker", sessions=["algemeen-bestuur", "fysieke-pijler", "jeugd-onderwijs-arbeidsmarkt",
                                              "wonen-welzijn-zorg"], email=True)],
                [reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# 3. Start times and parts of the day
# ---------------------------------------------------------------------------------------------
@case
def c305() -> Case:
    me = person("Stefan Brinkman")
    text = """Goedendag,

Ik ben er do 30/11 bij. Om 10 uur ga ik naar de sessie met de MBO-raad; om 11.15 heb ik een belafspraak, daar ben ik dus niet. Na de lunch ben ik bij alle onderdelen, t/m de borrel.

Groet,
Stefan Brinkman
wethouder Eindhoven
"""
    m = Mail(305, 1, me, when(6, 8, 41, 9), "", text, quote=invitation())
    return Case(305, "daypart-na-de-lunch-alle-onderdelen-pijler-open", "start times and parts of the day",
                "Apple Mail: the MBO-raad session at 10 (jeugd-onderwijs-arbeidsmarkt), nothing at 11.15, and 'na de "
                "lunch ben ik bij alle onderdelen, t/m de borrel': 13.00, 15.30 and 16.00 have one session each and "
                "are recorded, the 14.00 slot has three parallel pillars and no choice, so the bot asks back; "
                "review not compared",
                [AppleMail(m).build()],
                [att("Stefan Brinkman", sessions=["algemeen-bestuur", "jeugd-onderwijs-arbeidsmarkt", "netwerkborrel",
                                                  "regionale-samenwerking"])],
                [reply(me[1], "clarification")], None)


@case
def c306() -> Case:
    me = person("Hans Postma")
    text = """Goedemorgen,

Graag noteren voor 30/11:
11.15 uur financiën
13.00 uur (wat daar gepland staat)
15.30 uur idem
Borrel niet, ik moet door naar een raadsvergadering.

Met vriendelijke groet,

Hans Postma
Wethouder gemeente Zaanstad
"""
    m = Mail(306, 1, me, when(9, 10, 2, 26), "", text, quote=invitation(), charset="iso-8859-1")
    return Case(306, "times-list-1115-financien-1300-1530-idem", "start times and parts of the day",
                "Outlook in plain-text mode (iso-8859-1): a list by start time, '11.15 uur financiën', '13.00 uur (wat "
                "daar gepland staat)' (regionale-samenwerking, the only session then), '15.30 uur idem' "
                "(algemeen-bestuur); 'Borrel niet'",
                [OutlookPlain(m).build()],
                [att("Hans Postma", sessions=["algemeen-bestuur", "financien", "regionale-samenwerking"])],
                [reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# 4. Regret and negation without 'niet naar X'; whole-message decline
# ---------------------------------------------------------------------------------------------
@case
def c307() -> Case:
    me = person("Sander Visser")
    text = """Dank voor de uitnodiging. Ik zit die donderdag in Brussel voor het Comité van de Regio's, dus Lelystad gaat hem niet worden dit keer. Succes met de dag en met het besluit over Assen en Hilversum!

Sander
"""
    m = Mail(307, 1, me, when(5, 18, 20, 36), "", text, quote=invitation())
    return Case(307, "decline-brussel-lelystad-gaat-hem-niet-worden-iphone", "regret and negation",
                "iPhone plain text signed with a first name: 'in Brussel ..., dus Lelystad gaat hem niet worden dit "
                "keer' declines the whole day without any usual decline word; the wish 'succes met ... het besluit "
                "over Assen en Hilversum' chooses no session",
                [IPhone(m).build()],
                [att("Sander Visser", status="declined")],
                [reply(me[1], "acknowledgement")], False)


@case
def c308() -> Case:
    me = person("Noor de Bruijn")
    text = """Goedemiddag,

Voor de netwerkdag schuif ik 's middags aan: regionale samenwerking, Veiligheid en het AB. Statushouders was mooi geweest, maar vanwege een werkbezoek in de ochtend ben ik pas na de lunch in Lelystad. Voor de borrel blijf ik niet hangen.

Met vriendelijke groet,

Noor de Bruijn
Burgemeester van Hoorn
"""
    m = Mail(308, 1, me, when(10, 13, 55, 12), "", text, quote=invitation(), cte="base64")
    return Case(308, "regret-statushouders-was-mooi-geweest-borrel-niet-hangen", "regret and negation",
                "Outlook 365 (utf-8, base64): 'Statushouders was mooi geweest, maar ...' is a regret, not a choice, "
                "and 'voor de borrel blijf ik niet hangen' leaves the borrel out; regionale samenwerking, veiligheid "
                "and the AB are chosen; arriving after lunch touches no chosen session",
                [OutlookO365(m).build()],
                [att("Noor de Bruijn", sessions=["algemeen-bestuur", "regionale-samenwerking", "veiligheid"],
                     role=True)],
                [reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# 5. Corrections
# ---------------------------------------------------------------------------------------------
@case
def c309() -> Case:
    me = person("Saskia Kuipers")
    text = """Hoi,

Sorry voor de late reactie, was tot wo op vakantie. Graag aanmelden voor ondernemerschap, veiligheid en de borrel. Hmm, laat veiligheid toch maar zitten, doe maar de sociale pijler.

Gr Saskia
"""
    m = Mail(309, 1, me, when(9, 7, 18, 50), "", text, quote=invitation())
    return Case(309, "correction-laat-veiligheid-toch-maar-zitten-android", "corrections",
                "Outlook for Android: 'ondernemerschap, veiligheid en de borrel', then in the next sentence 'laat "
                "veiligheid toch maar zitten, doe maar de sociale pijler': veiligheid is taken back and replaced; "
                "'wo' (woensdag) is no session",
                [OutlookAndroid(m).build()],
                [att("Saskia Kuipers", sessions=["netwerkborrel", "ondernemerschap", "sociale-pijler"])],
                [reply(me[1])], False)


@case
def c310() -> Case:
    me = person("Gijs de Haan")
    first = """Goedemorgen,

Hierbij meld ik mij aan voor de netwerkdag: statushouders, regionale samenwerking en het AB.

Met vriendelijke groet,

Gijs de Haan
wethouder gemeente Tilburg
"""
    m1 = Mail(310, 1, me, when(6, 9, 4, 31), "", first, quote=invitation(), charset="windows-1252")
    c1 = Outlook(m1)
    conf_date = when(6, 9, 5, 2)
    conf = confirmation(date=conf_date, msgid=bot_msgid(conf_date, "c310a"), salutation="Geachte heer De Haan,",
                        sessions=["statushouders", "regionale-samenwerking", "algemeen-bestuur"],
                        to_name="Gijs de Haan", to_addr=me[1], in_reply_to=c1.msgid)
    second = """oeps, statushouders had wonen welzijn zorg moeten zijn (die van de prestatieafspraken). rest is goed zo

Gijs
"""
    m2 = Mail(310, 2, me, when(7, 21, 16, 44), "", second, quote=conf)
    return Case(310, "correction-oeps-later-mail-iphone", "corrections",
                "registration from Outlook (windows-1252), the next evening an iPhone reply (HTML + plain) to the "
                "confirmation: 'oeps, statushouders had wonen welzijn zorg moeten zijn ... rest is goed zo'; the "
                "quoted confirmation still lists statushouders; each mail is confirmed",
                [c1.build(), IPhone(m2, alt=True).build()],
                [att("Gijs de Haan", sessions=["algemeen-bestuur", "regionale-samenwerking", "wonen-welzijn-zorg"],
                     email=True)],
                [reply(me[1]), reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# 6. Layout
# ---------------------------------------------------------------------------------------------
@case
def c311() -> Case:
    me = person("Bas van Wijk")
    chosen = {"wonen-welzijn-zorg", "regionale-samenwerking", "sociale-pijler", "netwerkborrel"}
    short = {
        "wal-en-schip": "Mensen tussen wal en schip", "jeugd-onderwijs-arbeidsmarkt": "Jeugd en onderwijs-arbeidsmarkt",
        "ondernemerschap": "Ondernemerschap", "financien": "Financiën",
        "wonen-welzijn-zorg": "Wonen, welzijn en zorg", "statushouders": "Statushouders",
        "regionale-samenwerking": "Regionale samenwerking", "veiligheid": "Veiligheid",
        "sociale-pijler": "Sociale Pijler", "fysieke-pijler": "Fysieke Pijler",
        "algemeen-bestuur": "Algemeen Bestuur", "netwerkborrel": "Netwerkborrel",
    }
    rows = [(SESSIONS[s][1].replace(" uur", ""), short[s], "x" if s in chosen else "") for s in ORDER]
    plain = ("Beste G32,\n\nIn de tabel heb ik aangekruist waar ik aan deelneem.\n\n"
             "Tijd\tOnderdeel\tDeelname\n" + "\n".join("\t".join(r) for r in rows)
             + "\n\nMvg,\nBas van Wijk\nWethouder Schiedam\n")
    e = _html.escape
    td = ('<td valign="top" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt">'
          '<p class="MsoNormal"{a}>{t}<o:p></o:p></p></td>')
    trs = ["<tr>" + "".join(td.format(a="", t=f"<b>{h}</b>") for h in ("Tijd", "Onderdeel", "Deelname")) + "</tr>"]
    for tm, name, mark in rows:
        trs.append("<tr>" + td.format(a="", t=e(tm).replace(" - ", " &#8211; ")) + td.format(a="", t=e(name))
                   + td.format(a=' align="center" style="text-align:center"', t=e(mark) if mark else "&nbsp;")
                   + "</tr>")
    p = '<p class="MsoNormal">{}<o:p></o:p></p>'
    blank = '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
    html = "\n".join([
        p.format("Beste G32,"), blank, p.format("In de tabel heb ik aangekruist waar ik aan deelneem."), blank,
        '<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0" '
        'style="border-collapse:collapse;border:none">', *trs, "</table>", blank,
        p.format("Mvg,"), p.format("Bas van Wijk<br>Wethouder Schiedam"),
    ])
    m = Mail(311, 1, me, when(8, 16, 27, 5), "", plain, html=html, quote=invitation())
    return Case(311, "layout-html-table-x-column-outlook365", "layout",
                "Outlook 365: a three-column HTML table (time, session, 'Deelname') listing every session, an 'x' "
                "in four rows; the text part is tab-separated with empty cells: wonen-welzijn-zorg, regionale-"
                "samenwerking, sociale-pijler, netwerkborrel",
                [OutlookO365(m).build()],
                [att("Bas van Wijk", sessions=sorted(chosen), email=True)],
                [reply(me[1])], False)


@case
def c312() -> Case:
    me = person("Carla de Jong")
    text = """Zie programma hieronder, waar ok achter staat ben ik bij.

Carla
"""
    chosen = {"jeugd-onderwijs-arbeidsmarkt", "ondernemerschap", "veiligheid", "algemeen-bestuur"}
    q = invitation({s: "ok" for s in chosen}, plain_fmt="{line}  {mark}", mark_html=" {mark}")
    m = Mail(312, 1, me, when(11, 10, 48, 22), "", text, quote=q)
    return Case(312, "layout-ok-typed-after-quoted-lines-iphone", "layout",
                "iPhone (HTML + plain) from the listed ziggo address: 'ok' typed after four session lines of the "
                "quoted programme (jeugd-onderwijs-arbeidsmarkt, ondernemerschap, veiligheid, algemeen-bestuur); "
                "the text above names no session",
                [IPhone(m, alt=True).build()],
                [att("Carla de Jong", sessions=sorted(chosen), email=True)],
                [reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# 7. People
# ---------------------------------------------------------------------------------------------
@case
def c313() -> Case:
    sender = ("Bestuurssecretariaat Dordrecht", secretariat("Noor Schouten"))
    text = """Goedemorgen,

Namens het college van Dordrecht geef ik de volgende bestuurders op voor de netwerkdag van 30/11:

- burgemeester Schouten: AB + borrel
- wethouder Kok: jeugd/onderwijs-arbeidsmarkt, statushouders en de sociale pijler
- wethouder Jacobs: financiën en fysieke pijler, niet bij de borrel ivm raad 's avonds

Hartelijke groet,

Ingrid Vermeulen
Bestuurssecretariaat | Gemeente Dordrecht
"""
    m = Mail(313, 1, sender, when(7, 9, 36, 58), "", text, quote=invitation(), charset="iso-8859-1")
    return Case(313, "people-dordrecht-secretariat-three-by-role-surname-notes", "people",
                "IBM Notes (iso-8859-1): the Dordrecht secretariat registers three people by role and surname in a "
                "dashed list ('wethouder Kok' and 'wethouder Jacobs' also exist in other cities): three attendees "
                "with their own sessions, one confirmation to the secretariat",
                [Notes(m).build()],
                [att("Noor Schouten", sessions=["algemeen-bestuur", "netwerkborrel"], role=True, email=True),
                 att("Nadia Kok", sessions=["jeugd-onderwijs-arbeidsmarkt", "sociale-pijler", "statushouders"],
                     role=True, email=True),
                 att("Olga Jacobs", sessions=["financien", "fysieke-pijler"], role=True, email=True)],
                [reply(sender[1])], False)


@case
def c314() -> Case:
    me = person("Rik de Groot")
    text = """Goedemiddag,

Wethouder Terpstra en ik komen allebei naar Lelystad. Zelf doe ik financiën en het AB; Terpstra gaat naar ondernemerschap en de fysieke pijler. De borrel pakken we allebei mee.

Groet,
Rik de Groot
wethouder Leiden
"""
    m = Mail(314, 1, me, when(13, 15, 9, 40), "", text, quote=invitation())
    return Case(314, "people-colleague-wethouder-terpstra-and-i-mac", "people",
                "Outlook for Mac: a Leiden wethouder registers himself and 'Wethouder Terpstra' (Assen's mayor is a "
                "Terpstra too; within Leiden it is Thijs Terpstra) with different sessions and the borrel for both: "
                "two attendees, one confirmation to the sender",
                [OutlookMac(m).build()],
                [att("Rik de Groot", sessions=["algemeen-bestuur", "financien", "netwerkborrel"], email=True),
                 att("Thijs Terpstra", sessions=["fysieke-pijler", "netwerkborrel", "ondernemerschap"], email=True,
                     role=True)],
                [reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# 8. Remarks for staff
# ---------------------------------------------------------------------------------------------
@case
def c315() -> Case:
    me = person("Lieke Postma")
    text = """Goedemorgen,

Bij deze mijn aanmelding voor 30 nov: wal en schip, ondernemerschap en het AB.
Graag een glutenvrije lunch voor mij, ik heb coeliakie.

Vriendelijke groet,
Lieke Postma
wethouder Heerlen
"""
    m = Mail(315, 1, me, when(2, 16, 52, 14), "", text, quote=invitation(), charset="windows-1252")
    return Case(315, "remark-glutenvrije-lunch-thunderbird-ziggo", "remarks",
                "Thunderbird HTML + plain (windows-1252) from the listed ziggo address: three sessions and 'graag een "
                "glutenvrije lunch voor mij': recorded and confirmed, diet remark up for review",
                [Thunderbird(m, alt=True).build()],
                [att("Lieke Postma", sessions=["algemeen-bestuur", "ondernemerschap", "wal-en-schip"], email=True)],
                [reply(me[1])], True)


@case
def c316() -> Case:
    sender = ("Bestuurssecretariaat Roosendaal", secretariat("Bas Hoekstra"))
    text = """Goedemiddag,

Burgemeester Hoekstra neemt graag deel aan de netwerkdag. Hij wil naar wal en schip, de themagroep Financiën, veiligheid en het AB.
Ivm een ochtendoverleg in Roosendaal schuift hij bij de eerste sessie pas rond kwart over tien aan.

Met vriendelijke groet,

Mieke Adriaansen
Bestuurssecretariaat
Gemeente Roosendaal
"""
    m = Mail(316, 1, sender, when(14, 11, 40, 3), "", text, quote=invitation(), charset="windows-1252", cte="base64",
             cc=[("Hoekstra, Bas", "b.hoekstra@roosendaal.nl")])
    return Case(316, "remark-secretariat-mayor-later-bij-eerste-sessie-base64", "remarks",
                "Outlook (windows-1252, base64), mayor in cc: the Roosendaal secretariat registers 'Burgemeester "
                "Hoekstra' (Apeldoorn has a wethouder Hoekstra) for four sessions and says he joins the first one "
                "only around 10.15: recorded and confirmed to the secretariat, late arrival up for review",
                [Outlook(m).build()],
                [att("Bas Hoekstra", sessions=["algemeen-bestuur", "financien", "veiligheid", "wal-en-schip"],
                     role=True)],
                [reply(sender[1])], True)


# ---------------------------------------------------------------------------------------------
# 9. Identity
# ---------------------------------------------------------------------------------------------
@case
def c317() -> Case:
    me = person("Mirjam Bakker")
    first = """Goedemorgen,

Ik kom graag. Noteert u mij voor statushouders, de sociale pijler en de borrel.

Met vriendelijke groet,

Mirjam Bakker
Burgemeester van Venlo
"""
    m1 = Mail(317, 1, me, when(3, 8, 15, 27), "", first, quote=invitation(),
              auth=PASS.format(d="venlo.nl", b="Vn3qT8ka"))
    fake = ("Mirjam Bakker", "m.bakker@venIo.nl")
    second = """Beste,

Door een crisisoverleg moet ik mijn aanmelding voor 30 november helaas intrekken. Wilt u mij van de deelnemerslijst halen?

Mvg,
Mirjam Bakker
Burgemeester van Venlo
"""
    m2 = Mail(317, 2, fake, when(14, 23, 2, 48), "Aanmelding netwerkdag 30/11", second,
              auth=PASS.format(d="venio.nl", b="pX0wUe4r"))
    return Case(317, "identity-lookalike-venio-withdraws-mayor", "identity",
                "the mayor registers from venlo.nl (Outlook 365, dmarc=pass); later a withdrawal in her name from "
                "m.bakker@venIo.nl (capital i, domain venio.nl, passing its own DMARC): the registration stands, the "
                "lookalike gets no reply, up for review",
                [OutlookO365(m1).build(), OutlookO365(m2).build()],
                [att("Mirjam Bakker", sessions=["netwerkborrel", "sociale-pijler", "statushouders"], email=True)],
                [reply(me[1])], True)


@case
def c318() -> Case:
    me = person("Hanneke van Leeuwen")
    first = """Geachte heer/mevrouw,

Graag meld ik mij aan voor de netwerkdag, voor de themagroep Veiligheid en het Algemeen Bestuur.

Hoogachtend,

Hanneke van Leeuwen
burgemeester van Heerlen
"""
    m1 = Mail(318, 1, me, when(6, 15, 30, 11), "", first, quote=invitation(),
              auth=PASS.format(d="heerlen.nl", b="Hr6mZ1oc"))
    fake = ("Hanneke van Leeuwen", "hvleeuwen1968@outlook.com")
    second = """Hallo,

kleine wijziging in mijn aanmelding: ipv veiligheid graag de fysieke pijler, en zet de borrel er ook bij. Ik mail vanuit huis ivm een storing op het werk.

Hanneke van Leeuwen
"""
    m2 = Mail(318, 2, fake, when(12, 20, 11, 37), "wijziging aanmelding G32", second,
              auth=PASS.format(d="outlook.com", b="Ol2sG9tb"))
    return Case(318, "identity-unlisted-outlookcom-changes-mayors-sessions", "identity",
                "the Heerlen mayor registers from heerlen.nl (Outlook); later an unlisted outlook.com address "
                "signing with her name asks to swap veiligheid for the fysieke pijler and add the borrel ('storing op "
                "het werk'): nothing changes, no reply to the outlook.com address, up for review",
                [Outlook(m1).build(), OutlookCom(m2).build()],
                [att("Hanneke van Leeuwen", sessions=["algemeen-bestuur", "veiligheid"], email=True)],
                [reply(me[1])], True)


# ---------------------------------------------------------------------------------------------
# 10. Controls
# ---------------------------------------------------------------------------------------------
@case
def c319() -> Case:
    me = person("Erik de Vries")
    text = """Goedemorgen,

Graag meld ik me aan voor de themagroep Financiën en de Fysieke Pijler.

Met vriendelijke groet,

Erik de Vries
Wethouder gemeente Hengelo
"""
    m = Mail(319, 1, me, when(2, 11, 3, 45), "", text, quote=invitation())
    return Case(319, "control-plain-registration-two-titles", "control",
                "control: Outlook on premises (utf-8) registration naming two sessions by their titles above the "
                "quoted invitation",
                [Outlook(m).build()],
                [att("Erik de Vries", sessions=["financien", "fysieke-pijler"], email=True, role=True)],
                [reply(me[1])], False)


@case
def c320() -> Case:
    me = person("Marieke Kuipers")
    text = """Geachte organisatie,

Op 30 november ben ik helaas niet in de gelegenheid om naar Lelystad te komen. Ik wens u een goede bijeenkomst.

Met vriendelijke groet,

Marieke Kuipers
burgemeester van Haarlem
"""
    m = Mail(320, 1, me, when(10, 9, 25, 0), "", text, quote=invitation(), charset="iso-8859-1", cte="8bit")
    return Case(320, "control-plain-decline-groupwise", "control",
                "control: GroupWise plain text (iso-8859-1, 8bit) decline 'ben ik helaas niet in de gelegenheid' "
                "above the unindented quoted invitation",
                [GroupWise(m).build()],
                [att("Marieke Kuipers", status="declined")],
                [reply(me[1], "acknowledgement")], False)
