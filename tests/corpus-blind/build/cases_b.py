"""Cases 214-230: corrections, layout, people, remarks, identity."""
from __future__ import annotations

import html as _html

from case import Case, att, case, person, reply
from clients import (Gmail, IPhone, Mail, Notes, Outlook, OutlookAndroid, OutlookCom, OutlookO365, OutlookPlain,
                     Samsung, inline_image, logo_png)
from mime import when
from texts import ORDER, Orig, bot_msgid, confirmation, invitation

PASS = ("mx1.g32.nl; dkim=pass (2048-bit key; unprotected)\r\n header.d={d} header.i=@{d} "
        'header.b="{b}";\r\n\tspf=pass smtp.mailfrom={d};\r\n\tdmarc=pass (p=none dis=none) header.from={d}')


def own_mail(sender, date, subject, text, msgid) -> Orig:
    """One's own earlier mail, as Outlook quotes it when replying to it from Sent Items."""
    lines = text.rstrip("\n").split("\n")
    html = "\n".join(f'<p class="MsoNormal">{_html.escape(x) if x else "&nbsp;"}<o:p></o:p></p>' for x in lines)
    return Orig(sender, date, subject, "\n".join(lines), html, msgid, to="G32", to_addr="info@G32.nl")


# ---------------------------------------------------------------------------------------------
# 5. Corrections
# ---------------------------------------------------------------------------------------------
@case
def c214() -> Case:
    me = person("Thijs Willems")
    text = """Goedemiddag,

Mijn keuze voor 30 november:
- Themagroep Ondernemerschap
- Themasessie Regionale samenwerking
- Sociale Pijler
- Netwerkborrel

De Sociale Pijler kunt u doorstrepen, want daar gaat al iemand anders uit ons college naartoe. Zet mij in plaats daarvan bij de Fysieke Pijler.

Met vriendelijke groet,

Thijs Willems
Wethouder gemeente Zoetermeer
"""
    m = Mail(214, 1, me, when(10, 15, 30, 7), "", text, quote=invitation())
    return Case(214, "correction-doorstrepen-below-bulleted-list", "corrections",
                "Outlook 365 bulleted list of four sessions, then 'De Sociale Pijler kunt u doorstrepen ... Zet mij "
                "in plaats daarvan bij de Fysieke Pijler': the listed Sociale Pijler is replaced (no 14.00 clash)",
                [OutlookO365(m).build()],
                [att("Thijs Willems", sessions=["fysieke-pijler", "netwerkborrel", "ondernemerschap",
                                                "regionale-samenwerking"])],
                [reply(me[1])], False)


@case
def c215() -> Case:
    me = person("Ilse van Dijk")
    text = """Beste organisatie,

Ik schrijf me in voor de themasessie van tien uur over jeugd en onderwijs, ik bedoel die over wal en schip, en voor de vergadering waarin over onze toetreding wordt besloten.

Ilse van Dijk
wethouder Hilversum

PS De borrel graag ook.
"""
    m = Mail(215, 1, me, when(4, 9, 37, 58), "", text, quote=invitation())
    return Case(215, "correction-ik-bedoel-and-ps-candidate-hilversum", "corrections",
                "iPhone HTML + plain from candidate member Hilversum: 'de themasessie van tien uur over jeugd en "
                "onderwijs, ik bedoel die over wal en schip' takes the first back (no 10.00 clash); the AB as 'de "
                "vergadering waarin over onze toetreding wordt besloten'; a PS below the name adds the borrel",
                [IPhone(m, alt=True).build()],
                [att("Ilse van Dijk", sessions=["algemeen-bestuur", "netwerkborrel", "wal-en-schip"])],
                [reply(me[1])], False)


@case
def c216() -> Case:
    me = person("Lars Vos")
    first = """Goedemorgen,

Op 30 november wil ik graag deelnemen aan de themagroep Financiën, de themagroep Veiligheid en het AB.

Met vriendelijke groet,

Lars Vos
Burgemeester van Zwolle
"""
    m1 = Mail(216, 1, me, when(6, 8, 52, 11), "Aanmelding netwerkdag 30 november", first)
    c1 = Outlook(m1)
    second = """Een kleine rectificatie op mijn mail van vanochtend: waar ik Financiën schreef, had Statushouders moeten staan. De overige twee onderdelen blijven zoals ze waren.

Lars Vos
"""
    own = own_mail(me, m1.date, m1.subject, first, c1.msgid)
    m2 = Mail(216, 2, me, when(6, 16, 41, 29), "", second, quote=own)
    return Case(216, "correction-rectificatie-later-mail-same-day", "corrections",
                "Outlook: a new-message registration (financien, veiligheid, AB), then a reply to his own mail "
                "'Een kleine rectificatie ...: waar ik Financiën schreef, had Statushouders moeten staan'; each "
                "mail is confirmed",
                [c1.build(), Outlook(m2, mailto=False).build()],
                [att("Lars Vos", sessions=["algemeen-bestuur", "statushouders", "veiligheid"])],
                [reply(me[1]), reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# 6. Layout carries the answer
# ---------------------------------------------------------------------------------------------
def _grid_html(header: list[str], rows: list[list[str]]) -> str:
    e = _html.escape
    td = ('<td valign="top" style="border:solid #A6A6A6 1.0pt;padding:0cm 5.4pt 0cm 5.4pt">'
          '<p class="MsoNormal"{align}>{text}<o:p></o:p></p></td>')
    out = ['<table class="MsoTable15Grid4Accent1" border="1" cellspacing="0" cellpadding="0" '
           'style="border-collapse:collapse;border:none">']
    out.append('<tr style="background:#4472C4">' + "".join(
        td.format(align="", text=f'<b><span style="color:white">{e(h) if h else "&nbsp;"}</span></b>')
        for h in header) + "</tr>")
    for r in rows:
        cells = [td.format(align="", text=f"<b>{e(r[0])}</b>")]
        cells += [td.format(align=' align="center" style="text-align:center"', text=e(v)) for v in r[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


@case
def c217() -> Case:
    sender = ("Bestuurssecretariaat Helmond", "bestuurssecretariaat@helmond.nl")
    header = ["", "10.00 uur", "11.15 uur", "13.00 uur (regionale samenwerking)", "14.00 uur",
              "15.30 uur (AB)", "16.00 uur (borrel)"]
    rows = [
        ["Burgemeester E. Meijer", "\u2013", "Financiën", "ja", "Veiligheid", "ja", "ja"],
        ["Wethouder B. Jansen", "Jeugd/onderwijs", "Ondernemerschap", "\u2013", "Fysieke Pijler", "\u2013", "ja"],
        ["Wethouder W. Kok", "Wal en schip", "Wonen, welzijn, zorg", "\u2013", "Sociale Pijler", "\u2013", "\u2013"],
    ]
    intro = ("Geachte organisatie,\n\nHierbij ontvangt u de aanmeldingen van de Helmondse bestuurders. In het overzicht staat per bestuurder "
             "en per tijdblok wat hij of zij bijwoont; een streepje betekent: bij dat onderdeel niet aanwezig.\n")
    outro = "\nMet vriendelijke groet,\n\nKarin Aerts\nBestuurssecretariaat\nGemeente Helmond\n"
    plain = intro + "\n" + "\n".join("\t".join(r) for r in [header] + rows) + "\n" + outro + "[Gemeente Helmond]\n"
    cid = "image001.png@01D3588E.4B1C2F60"
    p = '<p class="MsoNormal">{}<o:p></o:p></p>'
    blank = '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
    html = "\n".join([
        p.format("Geachte organisatie,"), blank,
        p.format("Hierbij ontvangt u de aanmeldingen van de Helmondse bestuurders. In het overzicht staat per bestuurder en per tijdblok wat "
                 "hij of zij bijwoont; een streepje betekent: bij dat onderdeel niet aanwezig."), blank,
        _grid_html(header, rows), blank, p.format("Met vriendelijke groet,"), blank,
        p.format("Karin Aerts<br>Bestuurssecretariaat<br>Gemeente Helmond"),
        p.format(f'<img width="140" height="42" id="Afbeelding_x0020_2" src="cid:{cid}" alt="Gemeente Helmond">'),
    ])
    m = Mail(217, 1, sender, when(8, 11, 15, 42), "Aanmeldingen gemeente Helmond \u2013 G32 netwerkdag 30 november",
             plain, html=html, inline=[inline_image("image001.png", cid, logo_png("217"))])
    return Case(217, "layout-grid-people-by-time-slot-helmond", "layout",
                "secretariat's Outlook HTML table with one row per person and one column per time slot; the cells "
                "hold a short session name, 'ja' or a dash (text part tab-separated, inline logo): three attendees "
                "with different sessions, one confirmation",
                [Outlook(m).build()],
                [att("Esther Meijer", sessions=["algemeen-bestuur", "financien", "netwerkborrel",
                                                "regionale-samenwerking", "veiligheid"], role=True),
                 att("Bas Jansen", sessions=["fysieke-pijler", "jeugd-onderwijs-arbeidsmarkt", "netwerkborrel",
                                             "ondernemerschap"], role=True),
                 att("Wendy Kok", sessions=["sociale-pijler", "wal-en-schip", "wonen-welzijn-zorg"], role=True)],
                [reply(sender[1])], False)


@case
def c218() -> Case:
    me = person("Hanneke Mulder")
    text = """Goedemiddag,

In het programma hieronder heb ik aangekruist waar ik bij ben.

Met vriendelijke groet,

Hanneke Mulder
Burgemeester van Ede
"""
    chosen = {"wal-en-schip", "statushouders", "veiligheid", "algemeen-bestuur"}
    marks = {sid: "[X]" if sid in chosen else "[ ]" for sid in ORDER}
    q = invitation(marks, plain_fmt="{mark} {line}")
    m = Mail(218, 1, me, when(9, 16, 3, 20), "", text, quote=q, charset="windows-1252")
    return Case(218, "layout-checkboxes-typed-into-quoted-programme", "layout",
                "Outlook plain-text mode (windows-1252): every programme line of the unindented quoted invitation "
                "got a '[ ]' or '[X]' in front; the four ticked lines are the choice, nothing above the quote "
                "names a session",
                [OutlookPlain(m).build()],
                [att("Hanneke Mulder", sessions=sorted(chosen), role=True)],
                [reply(me[1])], False)


@case
def c219() -> Case:
    me = person("Marloes Timmermans")
    m = Mail(219, 1, me, when(12, 19, 48, 4), "Netwerkdag 30/11: graag Denktank, sociale pijler en borrel", "")
    return Case(219, "layout-subject-only-ipad-empty-body", "layout",
                "iPad Mail new message whose body is only 'Verzonden vanaf mijn iPad'; the subject alone carries the "
                "answer: the Denktank session (regionale-samenwerking), the sociale pijler and the borrel",
                [IPhone(m, device="iPad").build()],
                [att("Marloes Timmermans", sessions=["netwerkborrel", "regionale-samenwerking", "sociale-pijler"])],
                [reply(me[1])], False)


@case
def c220() -> Case:
    me = person("Pieter de Jong")
    text = """Hallo,

Mijn planning voor de 30e:

10.00 jeugd & aansluiting onderwijs-arbeidsmarkt \u2714
11.15 statushouders \u2714 (financiën \u2718)
13.00 regionale samenwerking \u2718
14.00 veiligheid \u2714
15.30 AB \u2714
16.00 borrel \u2718

Groet,
Pieter de Jong
"""
    auth = PASS.format(d="gmail.com", b="Vb3nQ8xe")
    m = Mail(220, 1, me, when(11, 10, 19, 36), "", text, quote=invitation(), auth=auth)
    return Case(220, "layout-checkmark-list-per-slot-gmail", "layout",
                "Gmail web from the listed personal address: one line per time slot with a heavy check mark or a "
                "ballot X (financien crossed out on the 11.15 line, regionale samenwerking and the borrel crossed "
                "out): jeugd-onderwijs-arbeidsmarkt, statushouders, veiligheid and the AB",
                [Gmail(m).build()],
                [att("Pieter de Jong", sessions=["algemeen-bestuur", "jeugd-onderwijs-arbeidsmarkt", "statushouders",
                                                 "veiligheid"], email=True)],
                [reply(me[1])], False)


# ---------------------------------------------------------------------------------------------
# 7. Who is registered
# ---------------------------------------------------------------------------------------------
@case
def c221() -> Case:
    me = person("Noor Hoekstra")
    text = """Goedemiddag,

Ik mail namens mijn collega-wethouder Stefan van den Berg; hij zit deze week op een handelsmissie en kan niet bij zijn mail. Hij sluit op 30 november graag aan bij de themagroep Financiën en ’s middags bij het platform stedelijke veiligheid. De bevestiging mag naar mij.

Groet,
Noor Hoekstra
"""
    m = Mail(221, 1, me, when(3, 12, 40, 17), "", text, quote=invitation(), cte="base64")
    return Case(221, "people-colleague-registers-colleague-android", "people",
                "Outlook for Android (base64): wethouder Noor Hoekstra registers her colleague Stefan van den Berg "
                "('kan niet bij zijn mail' is no decline) for financien and 'het platform stedelijke veiligheid'; "
                "the sender herself is not registered and gets the confirmation",
                [OutlookAndroid(m).build()],
                [att("Stefan van den Berg", sessions=["financien", "veiligheid"], email=True, role=True)],
                [reply(me[1])], False)


@case
def c222() -> Case:
    sender = ("Bestuurssecretariaat Groningen", "bestuurssecretariaat@groningen.nl")
    first = """Geachte organisatie,

Burgemeester Bakker zal aanwezig zijn op de netwerkdag van 30 november in Lelystad. Haar keuze uit de sessies ontvangt u zo spoedig mogelijk van ons.

Met vriendelijke groet,

Esmée Bruins
Bestuurssecretariaat
Gemeente Groningen
"""
    m1 = Mail(222, 1, sender, when(2, 15, 22, 6), "", first, quote=invitation(), charset="iso-8859-1")
    c1 = Notes(m1)
    sent = when(2, 15, 23, 1)
    conf = confirmation(date=sent, msgid=bot_msgid(sent, "g222"), salutation="Geachte heer, mevrouw,",
                        sessions=[], to_name="Bestuurssecretariaat Groningen", to_addr=sender[1],
                        for_whom="burgemeester Anne Bakker", noted="haar", in_reply_to=c1.msgid)
    second = """Geachte organisatie,

Inmiddels weten wij welke onderdelen burgemeester Bakker bijwoont: de themagroep Financiën, de Fysieke Pijler en het Algemeen Bestuur.

Met vriendelijke groet,

Esmée Bruins
Bestuurssecretariaat
Gemeente Groningen
"""
    m2 = Mail(222, 2, sender, when(8, 9, 5, 33), "", second, quote=conf, charset="iso-8859-1")
    return Case(222, "people-burgemeester-bakker-komt-sessies-volgen-notes", "people",
                "IBM Notes (iso-8859-1): the Groningen secretariat registers 'Burgemeester Bakker' (Venlo's mayor is "
                "a Bakker too) with 'haar keuze uit de sessies ontvangt u ... van ons': registered without sessions; "
                "six days later, answering the confirmation, it names three sessions: two confirmations",
                [c1.build(), Notes(m2).build()],
                [att("Anne Bakker", sessions=["algemeen-bestuur", "financien", "fysieke-pijler"], email=True,
                     role=True)],
                [reply(sender[1]), reply(sender[1])], False)


@case
def c223() -> Case:
    sender = ("Bestuurssecretariaat Alkmaar", "bestuurssecretariaat@alkmaar.nl")
    text = """Geachte heer, mevrouw,

Namens het college van Alkmaar geef ik de volgende aanmeldingen door.

Burgemeester Scholten komt naar het Algemeen Bestuur en blijft daarna voor de netwerkborrel.
Wethouder Smits gaat naar de themagroep Ondernemerschap en 's middags naar de Fysieke Pijler.
Wethouder De Jong zit die dag in Den Haag en zal er helaas niet bij zijn.

Met vriendelijke groet,

Ria Kramer
Bestuurssecretariaat
Gemeente Alkmaar
"""
    m = Mail(223, 1, sender, when(10, 13, 34, 52), "Aanmeldingen college Alkmaar G32 netwerkdag 30 november", text,
             charset="windows-1252", cte="base64")
    return Case(223, "people-secretariat-three-one-declines-base64", "people",
                "Alkmaar secretariat (Outlook, windows-1252 base64) writes about three people by role and surname: "
                "the mayor and one wethouder are registered with their sessions, 'Wethouder De Jong ... zal er "
                "helaas niet bij zijn' (listed with a Gmail address) is declined; one confirmation",
                [Outlook(m).build()],
                [att("Esther Scholten", sessions=["algemeen-bestuur", "netwerkborrel"], email=True, role=True),
                 att("Jeroen Smits", sessions=["fysieke-pijler", "ondernemerschap"], email=True, role=True),
                 att("Pieter de Jong", "declined", email=True, role=True)],
                [reply(sender[1])], False)


@case
def c224() -> Case:
    me = person("Frank Dekker")
    sec = ("Bestuurssecretariaat Arnhem", "bestuurssecretariaat@arnhem.nl")
    first = """Goedemorgen,

Op de 30e ben ik van de partij. Zet u mij alstublieft op de deelnemerslijst van de themasessie Regionale samenwerking, de themagroep Veiligheid en het Algemeen Bestuur.

Met vriendelijke groet,

Frank Dekker
wethouder gemeente Arnhem
"""
    m1 = Mail(224, 1, me, when(4, 10, 5, 48), "", first, quote=invitation())
    second = """Geachte organisatie,

Helaas is wethouder Dekker op 30 november toch verhinderd. Zijn plaats wordt ingenomen door wethouder Tineke van den Heuvel; zij neemt deel aan dezelfde onderdelen waarvoor hij zich had aangemeld.

Met vriendelijke groet,

Sharon Peeters
Bestuurssecretariaat
Gemeente Arnhem
"""
    m2 = Mail(224, 2, sec, when(13, 14, 20, 3),
              "Wijziging aanmelding Arnhem: wethouder Van den Heuvel in plaats van wethouder Dekker", second,
              charset="windows-1252")
    return Case(224, "people-replacement-takes-over-same-sessions", "people",
                "a wethouder registers for three sessions (Outlook 365); nine days later the secretariat writes that "
                "he is 'toch verhinderd' and a colleague takes his place for 'dezelfde onderdelen': he is "
                "cancelled, she is registered with his sessions; the secretariat's mail gets a confirmation",
                [OutlookO365(m1).build(), Outlook(m2).build()],
                [att("Frank Dekker", "cancelled", email=True),
                 att("Tineke van den Heuvel", sessions=["algemeen-bestuur", "regionale-samenwerking", "veiligheid"],
                     email=True, role=True)],
                [reply(me[1]), reply(sec[1])], False)


@case
def c225() -> Case:
    me = ("Marco Veldhuizen", "marco.veldhuizen@gmail.com")
    text = """Geachte organisatie,

Als gemeentesecretaris van Dordrecht sluit ik op 30 november graag aan bij de themasessie Regionale samenwerking; de arbeidsmarktvraagstukken waar de Denktank zich over buigt, spelen in de Drechtsteden volop. Aan het eind van de dag blijf ik ook graag voor de borrel.

Excuses dat ik vanaf mijn privéadres mail: onze mailserver heeft vandaag een storing.

Met vriendelijke groet,

Marco Veldhuizen
"""
    auth = PASS.format(d="gmail.com", b="Hk2pW9sA")
    m = Mail(225, 1, me, when(7, 18, 26, 55), "Aanmelding netwerkdag 30 november \u2013 gemeente Dordrecht", text,
             auth=auth)
    return Case(225, "people-unlisted-gemeentesecretaris-personal-gmail", "people",
                "Gmail new message from an unlisted private address: the writer, not an invitee, says he is "
                "'gemeentesecretaris van Dordrecht' (also in the subject): recorded for dordrecht, confirmed to "
                "the Gmail address, and up for review as an unknown sender",
                [Gmail(m).build()],
                [att("Marco Veldhuizen", sessions=["netwerkborrel", "regionale-samenwerking"],
                     municipality="dordrecht", email_value=me[1])],
                [reply(me[1])], True)


# ---------------------------------------------------------------------------------------------
# 8. Remarks for staff: recorded and confirmed, and up for review
# ---------------------------------------------------------------------------------------------
@case
def c226() -> Case:
    me = person("Stefan Ruiters")
    text = """Goedenavond,

Op 30 november ben ik present bij de Sociale Pijler, en daarna blijf ik hangen voor de borrel.

Goed om te weten voor de catering: ik eet vegetarisch en ben allergisch voor noten.

Groet,
Stefan Ruiters
"""
    m = Mail(226, 1, me, when(5, 20, 10, 27), "", text, quote=invitation())
    return Case(226, "remark-vegetarisch-notenallergie-hotmail", "remarks",
                "Outlook.com from the listed hotmail address: a registration (sociale pijler, borrel) with a "
                "dietary remark for the catering (vegetarian, nut allergy): recorded and confirmed, and up for "
                "review",
                [OutlookCom(m).build()],
                [att("Stefan Ruiters", sessions=["netwerkborrel", "sociale-pijler"], email=True)],
                [reply(me[1])], True)


@case
def c227() -> Case:
    sender = ("Bestuurssecretariaat Leiden", "bestuurssecretariaat@leiden.nl")
    text = """Geachte organisatie,

Wethouder De Bruijn komt op 30 november naar Lelystad voor de themagroep Statushouders en de Fysieke Pijler.

De wethouder is rolstoelgebruiker. Wij gaan ervan uit dat het stadhuis en de vergaderzalen goed toegankelijk zijn, maar melden het u graag, zodat er bij de indeling rekening mee kan worden gehouden.

Met vriendelijke groet,

Fleur van Os
Bestuurssecretariaat
Gemeente Leiden
"""
    m = Mail(227, 1, sender, when(9, 11, 47, 39), "", text, quote=invitation(), cte="base64")
    return Case(227, "remark-rolstoel-secretariat-wethouder-de-bruijn", "remarks",
                "Leiden secretariat (Outlook 365, base64) registers 'Wethouder De Bruijn' (Deventer and Enschede "
                "have a wethouder De Bruijn too) for two sessions and reports that he uses a wheelchair: recorded "
                "and confirmed, and up for review",
                [OutlookO365(m).build()],
                [att("Niels de Bruijn", sessions=["fysieke-pijler", "statushouders"], email=True, role=True)],
                [reply(sender[1])], True)


@case
def c228() -> Case:
    me = person("Mehmet de Vries")
    text = """Goedemorgen,

Ik kom naar Lelystad, met twee kanttekeningen. Door een eerdere afspraak ben ik er pas rond half twaalf; ik schuif dan halverwege aan bij de themagroep Financiën. Na de lunch volg ik de themasessie Regionale samenwerking en daarna de Fysieke Pijler, maar daar moet ik om drie uur weg.

Groet,
Mehmet de Vries
wethouder Hengelo
"""
    m = Mail(228, 1, me, when(14, 7, 31, 12), "", text, quote=invitation(), cte="base64", relay="smtp.ziggo.nl")
    return Case(228, "remark-later-binnen-eerder-weg-samsung-ziggo", "remarks",
                "Samsung Email (base64) from the listed ziggo address: arrives halfway through financien and leaves "
                "the fysieke pijler at three: all three sessions recorded and confirmed, the remarks up for review",
                [Samsung(m).build()],
                [att("Mehmet de Vries", sessions=["financien", "fysieke-pijler", "regionale-samenwerking"],
                     email=True)],
                [reply(me[1])], True)


# ---------------------------------------------------------------------------------------------
# 9. Identity: someone else tries to undo or change a registration
# ---------------------------------------------------------------------------------------------
@case
def c229() -> Case:
    me = person("Saskia de Groot")
    first = """Beste organisatie,

Graag ben ik er de 30e bij, en wel bij de themagroep Sluitend aanbod van wonen, welzijn en zorg, bij de Sociale Pijler en bij de netwerkborrel.

Met vriendelijke groet,

Saskia de Groot
wethouder gemeente Zwolle
"""
    m1 = Mail(229, 1, me, when(6, 11, 20, 44), "", first, quote=invitation(),
              auth=PASS.format(d="zwolle.nl", b="Zw5kR1pc"))
    fake = ("Saskia de Groot", "s.degroot@zwolle-gemeente.nl")
    second = """Beste organisatie,

Onverwacht moet ik op 30 november in Den Haag zijn. Wilt u mijn aanmelding voor de netwerkdag intrekken?

Met vriendelijke groet,

Saskia de Groot
wethouder gemeente Zwolle
"""
    m2 = Mail(229, 2, fake, when(13, 6, 58, 2), "Intrekken aanmelding netwerkdag", second,
              auth=PASS.format(d="zwolle-gemeente.nl", b="q7TfLm0x"))
    return Case(229, "identity-lookalike-domain-withdraws-registration", "identity",
                "a genuine registration from zwolle.nl, then a withdrawal in her name from the lookalike domain "
                "zwolle-gemeente.nl (which passes its own DMARC): the registration stands, the lookalike gets no "
                "reply, and it is up for review",
                [OutlookO365(m1).build(), OutlookO365(m2).build()],
                [att("Saskia de Groot", sessions=["netwerkborrel", "sociale-pijler", "wonen-welzijn-zorg"],
                     email=True)],
                [reply(me[1])], True)


@case
def c230() -> Case:
    me = person("Bas Postma")
    first = """Geachte organisatie,

U kunt mij op 30 november verwachten bij de themagroep Financiën, de themagroep Veiligheid en het Algemeen Bestuur.

Met vriendelijke groet,

Bas Postma
Burgemeester van Tilburg
"""
    m1 = Mail(230, 1, me, when(2, 17, 2, 25), "", first, quote=invitation(),
              auth=PASS.format(d="tilburg.nl", b="Tb8sN2wd"))
    fake = ("Bas Postma", "b.postma.tilburg@gmail.com")
    second = """Goedenavond,

Een kleine wijziging in mijn aanmelding voor de netwerkdag: in plaats van Veiligheid ga ik om twee uur naar de Sociale Pijler. De borrel kunt u er ook bij zetten.

Ik mail even vanaf mijn privéadres.

Bas Postma
burgemeester van Tilburg
"""
    m2 = Mail(230, 2, fake, when(12, 22, 40, 8), "Wijziging aanmelding netwerkdag", second,
              auth=PASS.format(d="gmail.com", b="Gp4cX7ru"))
    return Case(230, "identity-unlisted-gmail-changes-mayors-sessions", "identity",
                "the mayor registers from tilburg.nl (Outlook); ten days later an unlisted Gmail address signing "
                "with his name asks to swap veiligheid for the sociale pijler and add the borrel: nothing changes, "
                "no reply to the Gmail address, up for review",
                [Outlook(m1).build(), Gmail(m2).build()],
                [att("Bas Postma", sessions=["algemeen-bestuur", "financien", "veiligheid"], email=True)],
                [reply(me[1])], True)
