"""Cases 601-620: twenty blind cases in the mix of a real inbox (texts written for this set)."""
from __future__ import annotations

from case import Case, att, case, person, reply, secretariat
from clients import (AppleMail, ExchangeAutoReply, GroupWise, Gmail, IPhone, Mail, Notes, Outlook,
                     OutlookAndroid, OutlookMac, OutlookO365, OutlookPlain, OWA, Roundcube, Samsung,
                     Thunderbird)
from mime import CRLF, when
from texts import bot_msgid, confirmation, invitation

INV = invitation()


def send(cls, m: Mail, **kw) -> tuple[bytes, str]:
    """Build one message with the client; every Message-ID of this set starts with 'blind5-'."""
    c = cls(m, **kw)
    c.msgid = "<blind5-" + c.msgid[1:]
    return c.build(), c.msgid


def passed(domain: str, dkim: bool = True) -> str:
    """Authentication-Results as mx1.g32.nl (the trusted server) writes it for a genuine message."""
    d = f"dkim=pass header.d={domain} header.s=selector1" if dkim else "dkim=none (message not signed)"
    return (f"mx1.g32.nl;{CRLF}\t{d};{CRLF}\tspf=pass (mx1.g32.nl: domain of {domain} designates sender as "
            f"permitted){CRLF}\tsmtp.mailfrom={domain};{CRLF}\tdmarc=pass (p=none dis=none) header.from={domain}")


DISCLAIMER_EDE = (
    "Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde(n). Heeft u dit bericht onbedoeld "
    "ontvangen, verwijder het dan en stel de afzender op de hoogte. Aan de inhoud van dit bericht kunnen "
    "geen rechten worden ontleend.")


# --------------------------------------------------------------------------------------------
# Ordinary registrations
# --------------------------------------------------------------------------------------------
@case
def c601() -> Case:
    who = person("Rik Kok")
    text = (
        "Goedemorgen,\n\n"
        "Ik kom graag naar de netwerkdag. Wilt u mij noteren voor de volgende onderdelen:\n\n"
        "- jongeren en de aansluiting tussen school en arbeidsmarkt (10.00 uur);\n"
        "- het sluitend aanbod van wonen, welzijn en zorg;\n"
        "- de fysieke pijler.\n\n"
        "Met vriendelijke groet,\n\n"
        "Rik Kok\n"
        "Wethouder Economie, Werk en Inkomen en Sport\n"
        "Gemeente Ede | Postbus 9022 | 6710 HK Ede\n"
        "T 0318 - 68 09 11\n\n"
        + DISCLAIMER_EDE + "\n")
    raw, _ = send(Outlook, Mail(601, 1, who, when(6, 10, 12, 41), "", text, quote=INV,
                                charset="windows-1252", cte="quoted-printable", auth=passed("ede.nl")))
    return Case(601, "ordinary-paraphrased-titles-ede-cp1252", "registration",
                "Outlook (windows-1252, quoted-printable) reply, sessions by paraphrased title: 'jongeren en de "
                "aansluiting tussen school en arbeidsmarkt' (jeugd-onderwijs-arbeidsmarkt), 'het sluitend aanbod "
                "van wonen, welzijn en zorg', 'de fysieke pijler'; the portfolio 'Economie, Werk en Inkomen' in "
                "the signature and the disclaimer choose nothing",
                [raw], [att("Rik Kok", sessions=["jeugd-onderwijs-arbeidsmarkt", "wonen-welzijn-zorg",
                                                 "fysieke-pijler"], email=True, role=True)],
                [reply(who[1])], False)


@case
def c602() -> Case:
    who = person("Jeroen Jacobs")
    text = (
        "Beste mensen,\n\n"
        "Ik wil er op de 30e graag bij zijn. Zet mij maar op de lijst voor de inleiding van Nico van Buren "
        "van Platform31, na de lunch de sessie die Milo Schoenmaker leidt, en tot slot het gesprek met "
        "staatssecretaris Blokhuis.\n\n"
        "Groet,\n"
        "Jeroen Jacobs\n"
        "wethouder Delft\n")
    raw, _ = send(IPhone, Mail(602, 1, who, when(3, 21, 47, 12), "", text, quote=INV,
                               charset="utf-8", cte="quoted-printable", auth=passed("ziggo.nl", dkim=False)))
    return Case(602, "ordinary-speakers-van-buren-schoenmaker-blokhuis-iphone", "registration",
                "iPhone plain text from the listed personal ziggo address, sessions only by the people in the "
                "letter: Nico van Buren of Platform31 (wal-en-schip), 'de sessie die Milo Schoenmaker leidt' "
                "(regionale-samenwerking), 'het gesprek met staatssecretaris Blokhuis' (sociale-pijler)",
                [raw], [att("Jeroen Jacobs", sessions=["wal-en-schip", "regionale-samenwerking", "sociale-pijler"],
                            email=True)],
                [reply(who[1])], False)


@case
def c603() -> Case:
    who = person("Nadia Zwart")
    text = (
        "Goedemorgen,\n\n"
        "Graag meld ik mij aan voor de netwerkdag. Wat ik wil volgen: 's ochtends eerst de huisvesting van "
        "mensen aan de rafelranden van de woningmarkt, daarna het gesprek over de inzet van de steden nu het "
        "bestuursakkoord Asiel en Integratie afloopt, en 's middags NOVI en de Omgevingswet.\n\n"
        "Groeten,\n"
        "Nadia Zwart\n"
        "wethouder gemeente Assen\n")
    raw, _ = send(Samsung, Mail(603, 1, who, when(8, 7, 55, 3), "", text, quote=INV,
                                charset="utf-8", cte="base64", relay="smtp.assen.nl"))
    return Case(603, "ordinary-topics-rafelranden-asiel-novi-samsung-assen", "registration",
                "Samsung Email (base64) from candidate member Assen, sessions only by topic: 'de rafelranden van "
                "de woningmarkt' (wal-en-schip), 'de inzet ... nu het bestuursakkoord Asiel en Integratie afloopt' "
                "(statushouders), 'NOVI en de Omgevingswet' (fysieke-pijler)",
                [raw], [att("Nadia Zwart", sessions=["wal-en-schip", "statushouders", "fysieke-pijler"])],
                [reply(who[1])], False)


@case
def c604() -> Case:
    who = person("Yvonne de Haan")
    text = (
        "Hallo,\n\n"
        "'s Ochtends zit ik nog in een commissievergadering hier in Leeuwarden, dus ik sluit pas na de lunch "
        "aan. Noteert u mij voor de sessie van 13.00 uur, om twee uur voor de Sociale Pijler en daarna voor "
        "de vergadering van half vier.\n\n"
        "Met vriendelijke groet,\n"
        "Yvonne de Haan\n")
    raw, _ = send(Thunderbird, Mail(604, 1, who, when(9, 16, 20, 37), "", text, quote=INV,
                                    charset="iso-8859-1", cte="quoted-printable"), alt=True)
    return Case(604, "ordinary-by-time-na-de-lunch-half-vier-thunderbird", "registration",
                "Thunderbird HTML + plain (iso-8859-1): after a morning committee meeting she joins 'na de lunch': "
                "'de sessie van 13.00 uur' (regionale-samenwerking), 'om twee uur ... de Sociale Pijler' and 'de "
                "vergadering van half vier' (algemeen-bestuur); her own morning meeting is no session",
                [raw], [att("Yvonne de Haan", sessions=["regionale-samenwerking", "sociale-pijler",
                                                        "algemeen-bestuur"])],
                [reply(who[1])], False)


@case
def c605() -> Case:
    who = person("Esther Ruiters")
    text = (
        "Beste G32,\n\n"
        "Bij dezen mijn aanmelding voor 30 november. Ik volg de themagroep Financi\u00ebn en ik blijf tot het "
        "eind: de laatste twee onderdelen van het programma, vanaf half vier, neem ik ook mee.\n\n"
        "Hartelijke groet,\n\n"
        "Esther Ruiters\n"
        "Wethouder Zaanstad\n")
    raw, _ = send(OutlookMac, Mail(605, 1, who, when(7, 13, 5, 50), "", text, quote=INV,
                                   charset="utf-8", cte="quoted-printable", auth=passed("zaanstad.nl")))
    return Case(605, "ordinary-last-two-items-of-the-programme-outlook-mac", "registration",
                "Outlook for Mac: 'de themagroep Financi\u00ebn' plus sessions by position, 'de laatste twee "
                "onderdelen van het programma, vanaf half vier' (algemeen-bestuur and netwerkborrel)",
                [raw], [att("Esther Ruiters", sessions=["financien", "algemeen-bestuur", "netwerkborrel"])],
                [reply(who[1])], False)


@case
def c606() -> Case:
    who = person("Marloes Timmermans")
    text = (
        "Geachte heer, mevrouw,\n\n"
        "Hierbij meld ik mij aan voor de G32 netwerkdag. Ik schrijf graag in voor:\n"
        "- Wonen/welzijn/zorg\n"
        "- Regionale samenw.\n"
        "- Platform stedelijke veiligheid\n"
        "- Borrel\n\n"
        "Met vriendelijke groet,\n\n"
        "Marloes Timmermans\n"
        "wethouder Wonen en Zorg\n"
        "Gemeente Nijmegen\n")
    raw, _ = send(Notes, Mail(606, 1, who, when(6, 15, 41, 9), "", text, quote=INV,
                              charset="iso-8859-1", cte="quoted-printable"))
    return Case(606, "ordinary-shortened-titles-notes-nijmegen", "registration",
                "IBM Notes (iso-8859-1, quoted-printable), a list of shortened titles: 'Wonen/welzijn/zorg', "
                "'Regionale samenw.', 'Platform stedelijke veiligheid' (veiligheid by its second name), 'Borrel'; "
                "the portfolio 'Wonen en Zorg' in the signature adds nothing",
                [raw], [att("Marloes Timmermans", sessions=["wonen-welzijn-zorg", "regionale-samenwerking",
                                                            "veiligheid", "netwerkborrel"])],
                [reply(who[1])], False)


@case
def c607() -> Case:
    who = person("Frank Dekker")
    text = (
        "Goedemiddag,\n\n"
        "Ik schuif graag aan op 30 november. Om 10.00 uur de themasessie Jeugd, om 11.15 uur de doorstart "
        "van Statushouders en om 14.00 uur Veiligheid.\n\n"
        "Vriendelijke groet,\n"
        "Frank Dekker\n"
        "Wethouder | Gemeente Arnhem\n")
    raw, _ = send(OWA, Mail(607, 1, who, when(13, 14, 2, 18), "", text, quote=INV,
                            charset="windows-1252", cte="quoted-printable"))
    return Case(607, "ordinary-owa-html-only-times-and-short-titles", "registration",
                "Outlook Web App, HTML only (windows-1252): each session with its slot and a short title: "
                "'Om 10.00 uur de themasessie Jeugd', 'om 11.15 uur de doorstart van Statushouders', 'om 14.00 "
                "uur Veiligheid'",
                [raw], [att("Frank Dekker", sessions=["jeugd-onderwijs-arbeidsmarkt", "statushouders",
                                                      "veiligheid"])],
                [reply(who[1])], False)


@case
def c608() -> Case:
    who = person("Pieter de Jong")
    text = (
        "Beste organisatie,\n\n"
        "Hierbij bevestig ik mijn komst naar de netwerkdag. Ik neem deel aan:\n\n"
        "1. Themagroep Ondernemerschap (leer-werkmakelaar)\n"
        "2. Fysieke Pijler\n"
        "3. Algemeen Bestuur\n\n"
        "Met vriendelijke groet,\n"
        "Pieter de Jong\n"
        "wethouder gemeente Alkmaar\n")
    raw, _ = send(Gmail, Mail(608, 1, who, when(10, 22, 31, 44), "", text, quote=INV,
                              charset="utf-8", cte="quoted-printable", auth=passed("gmail.com")))
    return Case(608, "ordinary-gmail-numbered-list-personal-address", "registration",
                "Gmail web from the listed personal gmail address, a numbered list (HTML <ol>): Ondernemerschap "
                "'(leer-werkmakelaar)', Fysieke Pijler, Algemeen Bestuur; the list numbers are no session numbers",
                [raw], [att("Pieter de Jong", sessions=["ondernemerschap", "fysieke-pijler", "algemeen-bestuur"],
                            email=True)],
                [reply(who[1])], False)


# --------------------------------------------------------------------------------------------
# Declines
# --------------------------------------------------------------------------------------------
@case
def c609() -> Case:
    who = person("Anne van den Broek")
    text = (
        "Beste Ferd,\n\n"
        "Dank voor de uitnodiging. Op 30 november staat al maanden een werkbezoek aan Schiphol in mijn agenda "
        "dat ik niet kan verzetten. Ik zal er dus niet bij zijn; mijn wethouders laten zelf van zich horen.\n\n"
        "Hartelijke groet,\n"
        "Anne\n\n"
        "A. van den Broek\n"
        "Burgemeester van Haarlemmermeer\n")
    raw, _ = send(AppleMail, Mail(609, 1, who, when(4, 10, 2, 26), "", text, quote=INV,
                                  charset="utf-8", cte="quoted-printable", auth=passed("haarlemmermeer.nl")))
    return Case(609, "decline-werkbezoek-ik-zal-er-niet-bij-zijn-apple-mail", "decline",
                "Apple Mail, the mayor to the chair: a work visit that cannot be moved, 'Ik zal er dus niet bij "
                "zijn'; 'mijn wethouders laten zelf van zich horen' registers nobody: declined, acknowledgement",
                [raw], [att("Anne van den Broek", "declined")], [reply(who[1], "acknowledgement")], False)


@case
def c610() -> Case:
    who = person("Gijs de Haan")
    text = (
        "Beste organisatie,\n\n"
        "De netwerkdag moet ik helaas aan mij voorbij laten gaan: die donderdag behandelt onze raad de "
        "begroting. Veel succes met de besluitvorming over Assen en Hilversum!\n\n"
        "Gijs de Haan\n"
        "Wethouder Tilburg\n")
    raw, _ = send(OutlookAndroid, Mail(610, 1, who, when(12, 19, 14, 8), "", text, quote=INV,
                                       charset="utf-8", cte="base64"))
    return Case(610, "decline-aan-mij-voorbij-laten-gaan-outlook-android", "decline",
                "Outlook for Android (base64): 'De netwerkdag moet ik helaas aan mij voorbij laten gaan' (budget "
                "council); wishing luck with the decision on Assen and Hilversum chooses no AB: declined, "
                "acknowledgement",
                [raw], [att("Gijs de Haan", "declined")], [reply(who[1], "acknowledgement")], False)


# --------------------------------------------------------------------------------------------
# Cancellation and change
# --------------------------------------------------------------------------------------------
@case
def c611() -> Case:
    who = person("Lars Mulder")
    text1 = (
        "Goedemorgen,\n\n"
        "Graag meld ik mij aan voor de netwerkdag in Lelystad, voor de themagroep Financi\u00ebn en de "
        "themagroep Veiligheid. Aan het eind drink ik graag nog iets mee op de netwerkborrel.\n\n"
        "Met vriendelijke groet,\n\n"
        "Lars Mulder\n"
        "Wethouder Sociaal Domein en Jeugd\n"
        "Gemeente Zoetermeer\n")
    d1 = when(3, 11, 20, 15)
    raw1, id1 = send(OutlookO365, Mail(611, 1, who, d1, "", text1, quote=INV,
                                       charset="utf-8", cte="quoted-printable", auth=passed("zoetermeer.nl")))
    d_conf = when(3, 11, 24, 2)
    conf = confirmation(date=d_conf, msgid=bot_msgid(d_conf, "c3b1e07a"), salutation="Geachte heer Mulder,",
                        sessions=["financien", "veiligheid", "netwerkborrel"], to_name="Lars Mulder",
                        to_addr=who[1], in_reply_to=id1)
    text2 = (
        "Beste organisatie,\n\n"
        "Een spoeddebat in de raad gooit roet in het eten. Ik trek mij terug voor de netwerkdag; haal mij "
        "alstublieft van de deelnemerslijst. Excuses voor de moeite.\n\n"
        "Lars Mulder\n")
    raw2, _ = send(IPhone, Mail(611, 2, who, when(13, 8, 5, 33), "", text2, quote=conf,
                                charset="utf-8", cte="quoted-printable", auth=passed("zoetermeer.nl")))
    return Case(611, "cancel-trek-mij-terug-after-registration", "cancellation",
                "Outlook 365 registration (financien, veiligheid, the borrel; the portfolio 'Sociaal Domein en "
                "Jeugd' in the signature adds nothing), then ten days later an iPhone reply to the "
                "confirmation: 'Ik trek mij terug voor de netwerkdag; haal mij ... van de deelnemerslijst': "
                "cancelled, confirmation then acknowledgement",
                [raw1, raw2], [att("Lars Mulder", "cancelled")],
                [reply(who[1]), reply(who[1], "acknowledgement")], False)


@case
def c612() -> Case:
    who = person("Dirk Jonker")
    text1 = (
        "Goedemiddag,\n\n"
        "Ik meld mij aan voor de netwerkdag op 30 november: de doorstart van de themagroep Statushouders en "
        "daarna de themagroep Veiligheid.\n\n"
        "Groet,\n"
        "Dirk Jonker\n"
        "wethouder Amersfoort\n")
    d1 = when(2, 14, 10, 22)
    raw1, id1 = send(Roundcube, Mail(612, 1, who, d1, "", text1, quote=INV, cte="quoted-printable",
                                     auth=passed("xs4all.nl", dkim=False)))
    d_conf = when(2, 14, 13, 40)
    conf = confirmation(date=d_conf, msgid=bot_msgid(d_conf, "5d20aa91"), salutation="Geachte heer Jonker,",
                        sessions=["statushouders", "veiligheid"], to_name="Dirk Jonker", to_addr=who[1],
                        in_reply_to=id1)
    text2 = (
        "Goedemorgen,\n\n"
        "Graag een wijziging in mijn aanmelding: in plaats van Veiligheid ga ik om 14.00 uur naar de Fysieke "
        "Pijler. Statushouders blijft staan. Ook voor de borrel mag u mij noteren.\n\n"
        "Dank u wel,\n"
        "Dirk Jonker\n")
    raw2, _ = send(Roundcube, Mail(612, 2, who, when(9, 8, 47, 5), "", text2, quote=conf, cte="quoted-printable",
                                   auth=passed("xs4all.nl", dkim=False)))
    return Case(612, "change-in-plaats-van-veiligheid-fysieke-pijler-plus-borrel", "change",
                "XS4ALL Roundcube from the listed personal address: statushouders and veiligheid, then a week "
                "later a reply to the confirmation 'in plaats van Veiligheid ga ik ... naar de Fysieke Pijler. "
                "Statushouders blijft staan' and the borrel added: statushouders, fysieke-pijler, netwerkborrel; "
                "two confirmations",
                [raw1, raw2], [att("Dirk Jonker", sessions=["statushouders", "fysieke-pijler", "netwerkborrel"],
                                   email=True)],
                [reply(who[1]), reply(who[1])], False)


# --------------------------------------------------------------------------------------------
# Secretariats
# --------------------------------------------------------------------------------------------
@case
def c613() -> Case:
    sec = secretariat("Esther Meijer")
    text = (
        "Geachte heer/mevrouw,\n\n"
        "Namens burgemeester Meijer meld ik haar aan voor de G32 netwerkdag op donderdag 30 november in "
        "Lelystad. Zij neemt deel aan de themagroep Financi\u00ebn, de vergadering van het Algemeen Bestuur "
        "en de netwerkborrel.\n\n"
        "Met vriendelijke groet,\n\n"
        "Marieke van Rooij\n"
        "Bestuurssecretariaat\n"
        "Gemeente Helmond\n"
        "Postbus 950 | 5700 AZ Helmond\n\n"
        "Disclaimer: de informatie in dit bericht is vertrouwelijk en uitsluitend bedoeld voor de "
        "geadresseerde.\n")
    raw, _ = send(Outlook, Mail(613, 1, ("Bestuurssecretariaat Helmond", sec), when(6, 9, 3, 57),
                                "Aanmelding burgemeester Meijer \u2013 G32 netwerkdag 30 november", text,
                                charset="windows-1252", cte="quoted-printable", auth=passed("helmond.nl")))
    return Case(613, "secretariat-burgemeester-meijer-helmond-new-message", "secretariat",
                "Helmond secretariat, new Outlook message (windows-1252, en dash in the subject): 'Namens "
                "burgemeester Meijer meld ik haar aan' (Hilversum has a wethouder Meijer) for financien, the AB "
                "and the borrel; the secretary's name in the signature is no attendee; reply to the secretariat",
                [raw], [att("Esther Meijer", sessions=["financien", "algemeen-bestuur", "netwerkborrel"],
                            email=True, role=True)],
                [reply(sec)], False)


@case
def c614() -> Case:
    sec = secretariat("Gijs van Beek")
    text = (
        "Goedemiddag,\n\n"
        "Graag melden wij twee wethouders van de gemeente Groningen aan voor de netwerkdag van 30 november.\n\n"
        "Wethouder Van Beek: Mensen tussen wal en schip, Sluitend aanbod van wonen, welzijn en zorg en de "
        "Sociale Pijler.\n"
        "Wethouder Van Leeuwen: Jeugd en aansluiting onderwijs-arbeidsmarkt, Ondernemerschap en Veiligheid.\n\n"
        "Met vriendelijke groet,\n\n"
        "Joke Vermeulen\n"
        "Bestuurssecretariaat gemeente Groningen\n")
    raw, _ = send(OutlookO365, Mail(614, 1, ("Bestuurssecretariaat Groningen", sec), when(8, 14, 36, 11), "", text,
                                    quote=INV, charset="utf-8", cte="base64", auth=passed("groningen.nl")))
    return Case(614, "secretariat-two-aldermen-by-surname-groningen-base64", "secretariat",
                "Groningen secretariat (Outlook 365, base64) registers 'Wethouder Van Beek' and 'Wethouder Van "
                "Leeuwen', one line each with three sessions (four other cities have a Van Beek, Heerlen has two "
                "Van Leeuwens; Sanne van Leeuwen's listed address is a personal xs4all one): two attendees, one "
                "confirmation to the secretariat",
                [raw], [att("Gijs van Beek", sessions=["wal-en-schip", "wonen-welzijn-zorg", "sociale-pijler"],
                            email=True),
                        att("Sanne van Leeuwen", sessions=["jeugd-onderwijs-arbeidsmarkt", "ondernemerschap",
                                                           "veiligheid"], email=True)],
                [reply(sec)], False)


# --------------------------------------------------------------------------------------------
# Question, remark, non-member, tentative, automatic, ruled out
# --------------------------------------------------------------------------------------------
@case
def c615() -> Case:
    who = person("Olga Jacobs")
    text = (
        "Goedemorgen,\n\n"
        "Ik kom naar de netwerkdag en wil graag naar de doorstart van de themagroep Statushouders en naar de "
        "themasessie Regionale samenwerking.\n\n"
        "Een vraag: mag ik mijn beleidsadviseur integratie meenemen naar de sessie over statushouders, of is "
        "die alleen voor bestuurders bedoeld?\n\n"
        "Met vriendelijke groet,\n"
        "Olga Jacobs\n"
        "wethouder gemeente Dordrecht\n")
    raw, _ = send(GroupWise, Mail(615, 1, who, when(7, 9, 48, 30), "", text, quote=INV,
                                  charset="windows-1252", cte="quoted-printable"))
    return Case(615, "question-beleidsadviseur-meenemen-plus-registration-groupwise", "question",
                "GroupWise (windows-1252): statushouders and regionale-samenwerking, plus the question whether her "
                "policy adviser may come along to the statushouders session: she alone is recorded and confirmed, "
                "and the mail is up for review (rule 18)",
                [raw], [att("Olga Jacobs", sessions=["statushouders", "regionale-samenwerking"])],
                [reply(who[1])], True)


@case
def c616() -> Case:
    who = person("Noor Hoekstra")
    text = (
        "Hallo,\n\n"
        "Ik meld me aan voor Mensen tussen wal en schip, Financi\u00ebn en de Sociale Pijler.\n\n"
        "Ik eet veganistisch; fijn als daar bij de lunch rekening mee gehouden kan worden.\n\n"
        "Groetjes,\n"
        "Noor Hoekstra\n")
    raw, _ = send(IPhone, Mail(616, 1, who, when(10, 12, 30, 19), "", text, quote=INV,
                               charset="utf-8", cte="quoted-printable", auth=passed("apeldoorn.nl")), alt=True)
    return Case(616, "remark-veganistisch-lunch-iphone-html", "remark",
                "iPhone (HTML + plain): wal-en-schip, financien and the sociale pijler, and a remark for staff "
                "('Ik eet veganistisch; fijn als daar bij de lunch rekening mee gehouden kan worden'): recorded "
                "and confirmed, review true",
                [raw], [att("Noor Hoekstra", sessions=["wal-en-schip", "financien", "sociale-pijler"])],
                [reply(who[1])], True)


@case
def c617() -> Case:
    who = ("Karin Oudshoorn", "k.oudshoorn@minvenj.nl")
    text = (
        "Geachte organisatie,\n\n"
        "Vanuit de directie Ondermijning van het ministerie van Justitie en Veiligheid volgen wij het platform "
        "stedelijke veiligheid op de voet. Graag meld ik mij aan voor de themagroep Veiligheid / platform "
        "stedelijke veiligheid op 30 november, en aansluitend voor de netwerkborrel.\n\n"
        "Met vriendelijke groet,\n\n"
        "drs. Karin Oudshoorn\n"
        "Senior beleidsmedewerker\n"
        "Directoraat-generaal Politie en Veiligheidsregio's | Directie Ondermijning\n"
        "Ministerie van Justitie en Veiligheid\n"
        "Turfmarkt 147 | 2511 DP | Den Haag\n\n"
        "Dit bericht kan informatie bevatten die niet voor u is bestemd. Indien u niet de geadresseerde bent "
        "of dit bericht abusievelijk aan u is toegezonden, wordt u verzocht dat aan de afzender te melden en "
        "het bericht te verwijderen.\n")
    raw, _ = send(OutlookO365, Mail(617, 1, who, when(9, 11, 7, 45), "Aanmelding themagroep Veiligheid 30 november",
                                    text, charset="utf-8", cte="quoted-printable", auth=passed("minvenj.nl")))
    return Case(617, "nonmember-ministry-jenv-veiligheid-borrel", "non-member",
                "Outlook 365 new message from a policy officer of the ministry of Justitie en Veiligheid (not a "
                "member): the themagroep Veiligheid and the borrel; municipality null, recorded, confirmed, "
                "review true (rule 9); 'drs.' is a title, not part of the name",
                [raw], [att("Karin Oudshoorn", sessions=["veiligheid", "netwerkborrel"], municipality=None)],
                [reply(who[1])], True)


@case
def c618() -> Case:
    who = person("Bas van Wijk")
    text = (
        "Geachte organisatie,\n\n"
        "Ik meld mij voorlopig aan voor de themagroep Ondernemerschap en de Fysieke Pijler. Of ik er werkelijk "
        "bij kan zijn, hoor ik pas volgende week: op 30 november staat mogelijk een bezoek van de minister aan "
        "Schiedam gepland. Zodra dat duidelijk is, laat ik het u weten.\n\n"
        "Met vriendelijke groet,\n\n"
        "Bas van Wijk\n"
        "wethouder gemeente Schiedam\n")
    raw, _ = send(OutlookPlain, Mail(618, 1, who, when(8, 17, 2, 51), "", text, quote=INV,
                                     charset="iso-8859-1", cte="quoted-printable", auth=passed("schiedam.nl")))
    return Case(618, "tentative-voorlopig-aangemeld-ministersbezoek-outlook-plain", "tentative",
                "Outlook in plain-text mode (iso-8859-1): 'Ik meld mij voorlopig aan voor ... Ondernemerschap en de "
                "Fysieke Pijler. Of ik er werkelijk bij kan zijn, hoor ik pas volgende week': tentative, review "
                "true; what is recorded and replied is not compared (rule 24)",
                [raw], None, None, True)


@case
def c619() -> Case:
    who = person("Petra Timmermans")
    text = (
        "Dank voor uw bericht.\n\n"
        "Ik ben afwezig tot en met maandag 13 november en lees mijn e-mail in die periode niet. Uw bericht "
        "wordt niet doorgestuurd.\n\n"
        "Voor dringende zaken en voor afspraken in mijn agenda kunt u contact opnemen met het "
        "bestuurssecretariaat via bestuurssecretariaat@haarlem.nl of 023 - 511 51 15.\n\n"
        "Met vriendelijke groet,\n"
        "Petra Timmermans\n"
        "Wethouder gemeente Haarlem\n")
    raw, _ = send(ExchangeAutoReply, Mail(619, 1, who, when(2, 9, 31, 4), "", text, quote=INV,
                                          charset="utf-8", cte="quoted-printable", auth=passed("haarlem.nl")))
    return Case(619, "automatic-exchange-out-of-office-haarlem", "automatic",
                "Exchange out-of-office answer to the invitation (null Return-Path, Auto-Submitted: auto-generated, "
                "X-Auto-Response-Suppress, subject 'Automatisch antwoord: ...') from a listed Haarlem wethouder, "
                "naming the secretariat's address: nothing recorded, no reply, review false (rule 12)",
                [raw], [], [], False)


@case
def c620() -> Case:
    who = person("Frank Lammers")
    text = (
        "Beste organisatie,\n\n"
        "Ik kom graag naar de netwerkdag. Ik heb gekozen voor de themagroep Financi\u00ebn en 's middags de "
        "Fysieke Pijler. Op mij hoeft u bij het Algemeen Bestuur niet te rekenen, daar vertegenwoordigt onze "
        "burgemeester Breda. De borrel pak ik wel mee.\n\n"
        "Met vriendelijke groet,\n"
        "Frank Lammers\n"
        "wethouder Breda\n")
    raw, _ = send(Thunderbird, Mail(620, 1, who, when(13, 20, 40, 16), "", text, quote=INV,
                                    charset="utf-8", cte="8bit", auth=passed("xs4all.nl", dkim=False)))
    return Case(620, "ruled-out-op-mij-hoeft-u-niet-te-rekenen-ab-thunderbird", "session ruled out",
                "Thunderbird plain text (utf-8, 8bit, format=flowed) from the listed xs4all address: financien, "
                "the fysieke pijler and 'De borrel pak ik wel mee'; 'Op mij hoeft u bij het Algemeen Bestuur niet "
                "te rekenen' rules the AB out (the mayor goes, and is not registered)",
                [raw], [att("Frank Lammers", sessions=["financien", "fysieke-pijler", "netwerkborrel"],
                            email=True)],
                [reply(who[1])], False)
