"""Cases 701-712: twelve new blind cases (texts written for this set only)."""
from __future__ import annotations

from case import Case, att, case, person, reply, secretariat
from clients import (AppleMail, Gmail, GroupWise, IPhone, Mail, Notes, Outlook, OutlookO365, OutlookPlain, OWA, Roundcube,
                     Samsung, Thunderbird)
from mime import when
from texts import bot_msgid, confirmation, invitation

PREFIX = "<blind6-"


def send(cls, mail: Mail, **kw) -> tuple[bytes, str]:
    """Build one message with the client; its Message-ID carries this set's prefix."""
    cl = cls(mail, **kw)
    cl.msgid = PREFIX + cl.msgid[1:]
    return cl.build(), cl.msgid


def dmarc_pass(domain: str) -> str:
    return (f"mx1.g32.nl;\r\n\tspf=pass smtp.mailfrom={domain};\r\n\tdkim=pass header.d={domain};\r\n"
            f"\tdmarc=pass (p=none dis=none) header.from={domain}")


DISCLAIMER_ALMELO = (
    "Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde(n). Heeft u dit bericht per vergissing "
    "ontvangen, laat het ons dan weten en verwijder het bericht. Aan dit bericht kunnen geen rechten worden "
    "ontleend.")


@case
def c701() -> Case:
    name, addr = person("Linda Kok")
    text = (
        "Beste organisatie,\n\n"
        "Hierbij meld ik mij aan voor de netwerkdag op 30 november in Lelystad.\n\n"
        "Ik wil graag deelnemen aan:\n"
        "- de ochtendsessie over kwetsbare jongeren en de overstap van het mbo naar een baan\n"
        "- de doorstart van de groep die zich met statushouders bezighoudt\n"
        "- \u2019s middags het overleg van de sociale pijler\n\n"
        "Tot ziens in Lelystad!\n\n"
        "Met vriendelijke groet,\n\n"
        "Linda Kok\n"
        "Wethouder Werk, Inkomen en Participatie\n"
        "Gemeente Almelo\n"
        "T 0546 541 111\n\n"
        + DISCLAIMER_ALMELO + "\n")
    raw, _ = send(Outlook, Mail(701, 1, (name, addr), when(3, 10, 12), "", text, quote=invitation(),
                                charset="windows-1252", cte="quoted-printable"))
    return Case(701, "ordinary-paraphrase-jongeren-mbo-statushouders-outlook-cp1252", "registration",
                "Outlook reply (windows-1252, quoted-printable), a bulleted list of paraphrases: 'de ochtendsessie "
                "over kwetsbare jongeren en de overstap van het mbo naar een baan' (jeugd-onderwijs-arbeidsmarkt), "
                "'de doorstart van de groep die zich met statushouders bezighoudt', 'het overleg van de sociale "
                "pijler'; portfolio 'Werk, Inkomen en Participatie' and disclaimer choose nothing",
                [raw], [att(name, sessions=["jeugd-onderwijs-arbeidsmarkt", "statushouders", "sociale-pijler"],
                            email=True)],
                [reply(addr)], False)


@case
def c702() -> Case:
    name, addr = person("Pieter de Jong")
    text = (
        "Hallo,\n\n"
        "Ik kom graag naar Lelystad. Mijn keuzes:\n"
        "\u2019s ochtends het verhaal van Ton Heerts,\n"
        "daarna de presentatie van Valerie Vallenduuk en Marja Pelzer,\n"
        "na de lunch de sessie waarin prof. Teisman de introductie verzorgt,\n"
        "en vanaf twee uur wil ik Erik Jan van Kempen horen.\n\n"
        "Groet,\n"
        "Pieter de Jong\n"
        "wethouder Alkmaar\n")
    raw, _ = send(Gmail, Mail(702, 1, (name, addr), when(3, 21, 47), "", text, quote=invitation(),
                               auth=dmarc_pass("gmail.com")))
    return Case(702, "ordinary-speakers-heerts-pelzer-teisman-van-kempen-gmail", "registration",
                "Gmail web from the listed personal gmail address, sessions only by speaker: Ton Heerts "
                "(jeugd-onderwijs-arbeidsmarkt), Valerie Vallenduuk and Marja Pelzer (ondernemerschap), prof. Teisman "
                "(regionale-samenwerking), Erik Jan van Kempen (fysieke-pijler)",
                [raw], [att(name, sessions=["jeugd-onderwijs-arbeidsmarkt", "ondernemerschap",
                                            "regionale-samenwerking", "fysieke-pijler"], email=True)],
                [reply(addr)], False)


@case
def c703() -> Case:
    name, addr = person("Lars van Leeuwen")
    text = (
        "Goedemorgen,\n\n"
        "Graag aanmelden voor 30/11. Ik wil naar de sessie over mensen die noodgedwongen in vakantieparken, "
        "volkstuinhuisjes of leegstaande bedrijfspanden wonen, daarna naar het gesprek over de "
        "prestatieafspraken met de woningcorporaties en \u2019s middags naar ondermijning en de proeven met "
        "wietteelt.\n\n"
        "Groet,\n"
        "Lars van Leeuwen\n")
    raw, _ = send(IPhone, Mail(703, 1, (name, addr), when(6, 7, 58), "", text, quote=invitation(),
                               charset="utf-8", cte="quoted-printable"))
    return Case(703, "ordinary-topics-vakantieparken-corporaties-wietteelt-iphone", "registration",
                "iPhone plain text (utf-8, quoted-printable) from Heerlen (which has two Van Leeuwens), sessions only "
                "by topic: vakantieparken, volkstuinhuisjes and empty bedrijfspanden (wal-en-schip), prestatieafspraken "
                "with the corporaties (wonen-welzijn-zorg), ondermijning and 'de proeven met wietteelt' (veiligheid)",
                [raw], [att(name, sessions=["wal-en-schip", "wonen-welzijn-zorg", "veiligheid"], email=True)],
                [reply(addr)], False)


@case
def c704() -> Case:
    name, addr = person("Thijs Lammers")
    text = (
        "Beste mensen,\n\n"
        "Op 30 november zit ik 's ochtends nog in Zwolle, maar vanaf \u00e9\u00e9n uur ben ik in Lelystad. "
        "Zet u mij op de lijst voor de sessie die om 13.00 uur begint en voor het onderdeel van 15.30 uur. "
        "Het afsluitende samenzijn om vier uur laat ik me ook niet ontgaan.\n\n"
        "Tussen twee uur en half vier heb ik een belafspraak die ik niet kan verzetten; daarvoor zoek ik in "
        "het stadhuis wel een rustig plekje op.\n\n"
        "Met vriendelijke groet,\n\n"
        "Thijs Lammers\n"
        "wethouder gemeente Zwolle\n")
    raw, _ = send(Thunderbird, Mail(704, 1, (name, addr), when(7, 16, 20), "", text, quote=invitation(),
                                    charset="iso-8859-1", cte="8bit"))
    return Case(704, "ordinary-by-time-13-uur-15-30-vier-uur-thunderbird-latin1", "registration",
                "Thunderbird plain text (iso-8859-1, 8bit, format=flowed), sessions only by time: 'de sessie die om "
                "13.00 uur begint' (regionale-samenwerking), 'het onderdeel van 15.30 uur' (algemeen-bestuur), 'het "
                "afsluitende samenzijn om vier uur laat ik me ook niet ontgaan' (netwerkborrel); a phone call "
                "between two and half past three chooses nothing",
                [raw], [att(name, sessions=["regionale-samenwerking", "algemeen-bestuur", "netwerkborrel"],
                            email=True)],
                [reply(addr)], False)


@case
def c705() -> Case:
    name, addr = person("Nadia Zwart")
    text = (
        "Dag G32,\n\n"
        "Ik kom graag. Mijn keuze uit het programma:\n\n"
        "1) Mensen tussen wal en schip\n"
        "2) Financi\u00ebn\n"
        "3) Regionale samenwerking\n"
        "4) Sociale Pijler\n"
        "5) AB (over ons eigen lidmaatschap, dus die mis ik niet!)\n\n"
        "Hartelijke groet,\n"
        "Nadia Zwart\n"
        "Wethouder gemeente Assen\n")
    raw, _ = send(Samsung, Mail(705, 1, (name, addr), when(8, 12, 34), "", text, quote=invitation(),
                                charset="utf-8", cte="base64"))
    return Case(705, "ordinary-numbered-short-titles-samsung-base64-assen", "registration",
                "Samsung Email (utf-8, base64) from candidate member Assen, a list numbered '1)' to '5)' with short "
                "titles: wal en schip, Financi\u00ebn, Regionale samenwerking, Sociale Pijler, 'AB' "
                "(algemeen-bestuur); the list numbers are no session numbers",
                [raw], [att(name, sessions=["wal-en-schip", "financien", "regionale-samenwerking", "sociale-pijler",
                                            "algemeen-bestuur"], email=True)],
                [reply(addr)], False)


@case
def c706() -> Case:
    name, addr = person("Anne Verhoeven")
    text = (
        "Geachte heer, mevrouw,\n\n"
        "Hierbij laat ik weten dat ik op 30 november naar Lelystad kom. Ik neem deel aan de themagroep over het "
        "leer-werkmakelaarsproject bij Haagse mkb'ers, aan de denktanksessie over samenwerking in de regio en "
        "aan het bestuurlijk overleg met de directeur Woningmarkt van BZK. Na afloop drink ik graag nog wat mee "
        "op de netwerkborrel.\n\n"
        "Met vriendelijke groet,\n\n"
        "Anne Verhoeven\n"
        "Wethouder Economische Zaken en Ruimte\n"
        "Gemeente Maastricht\n")
    raw, _ = send(Notes, Mail(706, 1, (name, addr), when(9, 11, 5), "", text, quote=invitation(),
                              charset="iso-8859-1", cte="quoted-printable"))
    return Case(706, "ordinary-paraphrase-leer-werkmakelaar-denktank-bzk-notes", "registration",
                "IBM Notes (iso-8859-1, quoted-printable) from Maastricht (the mayor is also a Verhoeven): 'het "
                "leer-werkmakelaarsproject bij Haagse mkb'ers' (ondernemerschap), 'de denktanksessie over samenwerking "
                "in de regio' (regionale-samenwerking), 'het bestuurlijk overleg met de directeur Woningmarkt van BZK' "
                "(fysieke-pijler) and the netwerkborrel; the portfolio in the signature chooses nothing",
                [raw], [att(name, sessions=["ondernemerschap", "regionale-samenwerking", "fysieke-pijler",
                                            "netwerkborrel"], email=True)],
                [reply(addr)], False)


@case
def c707() -> Case:
    name, addr = person("Noor Schouten")
    text = (
        "Beste Ferd,\n\n"
        "Dank voor de uitnodiging. Tot mijn spijt moet ik voor de netwerkdag van 30 november verstek laten gaan: "
        "die dag wordt in onze veiligheidsregio de nieuwe regionale commandant brandweer ge\u00efnstalleerd, en "
        "daar wordt de voorzitter uiteraard bij verwacht.\n\n"
        "Ik wens jullie een vruchtbare dag in Lelystad.\n\n"
        "Hartelijke groet,\n\n"
        "Noor Schouten\n"
        "burgemeester van Dordrecht\n")
    raw, _ = send(OutlookO365, Mail(707, 1, (name, addr), when(6, 14, 40), "", text, quote=invitation(),
                                    charset="utf-8", cte="base64", auth=dmarc_pass("dordrecht.nl")))
    return Case(707, "decline-verstek-laten-gaan-veiligheidsregio-o365-base64", "decline",
                "Outlook 365 (utf-8, base64), the mayor to the chair: 'moet ik voor de netwerkdag ... verstek laten "
                "gaan' because of an installation in her veiligheidsregio; the word veiligheidsregio chooses no "
                "session: declined, acknowledgement",
                [raw], [att(name, "declined", email=True)], [reply(addr, "acknowledgement")], False)


@case
def c708() -> Case:
    name, addr = person("Thijs Huisman")
    text = (
        "Goedenavond,\n\n"
        "Helaas moet ik passen voor de G32-netwerkdag van 30 november: ik ben die week met verlof in het "
        "buitenland.\n\n"
        "Vriendelijke groet,\n"
        "Thijs Huisman\n"
        "wethouder Venlo\n")
    raw, _ = send(AppleMail, Mail(708, 1, (name, addr), when(10, 19, 15), "Netwerkdag 30 november", text,
                                  charset="utf-8", cte="quoted-printable"))
    return Case(708, "decline-moet-ik-passen-verlof-apple-mail-kpnmail", "decline",
                "Apple Mail new message from the listed personal kpnmail address: 'Helaas moet ik passen voor de "
                "G32-netwerkdag' (leave abroad): declined, acknowledgement",
                [raw], [att(name, "declined", email=True)], [reply(addr, "acknowledgement")], False)


@case
def c709() -> Case:
    name, addr = person("Erik de Vries")
    t1 = when(3, 9, 5)
    text1 = (
        "Goedemorgen,\n\n"
        "Ik meld mij aan voor de netwerkdag in Lelystad, voor de volgende onderdelen:\n"
        "- Sluitend aanbod wonen, welzijn en zorg (11.15 uur)\n"
        "- Sociale Pijler (14.00 uur)\n"
        "- Algemeen Bestuur\n\n"
        "Met vriendelijke groet,\n"
        "Erik de Vries\n"
        "Wethouder Zorg en Welzijn, gemeente Hengelo\n")
    raw1, mid1 = send(OutlookPlain, Mail(709, 1, (name, addr), t1, "", text1, quote=invitation(),
                                         charset="iso-8859-1", cte="quoted-printable"))
    sessions = ["wonen-welzijn-zorg", "sociale-pijler", "algemeen-bestuur"]
    t_conf = when(3, 9, 7, 12)
    conf = confirmation(date=t_conf, msgid=bot_msgid(t_conf, "c709"), salutation="Geachte heer De Vries,",
                        sessions=sessions, to_name=name, to_addr=addr, in_reply_to=mid1)
    text2 = (
        "Beste medewerkers van het G32-secretariaat,\n\n"
        "Een extra raadsvergadering op 30 november gooit helaas roet in het eten. Ik moet mijn aanmelding voor "
        "de netwerkdag daarom intrekken en verzoek u mij van de deelnemerslijst te schrappen.\n\n"
        "Excuses voor de moeite.\n\n"
        "Erik de Vries\n")
    raw2, _ = send(IPhone, Mail(709, 2, (name, addr), when(14, 18, 32), "", text2, quote=conf,
                                charset="utf-8", cte="quoted-printable"), alt=True)
    return Case(709, "cancel-aanmelding-intrekken-after-registration-hengelo", "cancellation",
                "Outlook plain-text registration (iso-8859-1) for wonen-welzijn-zorg, the sociale pijler and the AB, "
                "then eleven days later an iPhone reply (HTML + plain) to the confirmation: 'Ik moet mijn aanmelding "
                "... intrekken en verzoek u mij van de deelnemerslijst te schrappen': cancelled, confirmation then acknowledgement; the "
                "quoted confirmation lists sessions that do not count",
                [raw1, raw2], [att(name, "cancelled", email=True)],
                [reply(addr), reply(addr, "acknowledgement")], False)


@case
def c710() -> Case:
    name, _ = person("Rik de Groot")
    sec = secretariat("Rik de Groot")
    text = (
        "Goedemiddag,\n\n"
        "Namens wethouder De Groot meld ik hem graag aan voor de G32-netwerkdag op donderdag 30 november in "
        "Lelystad. Hij neemt deel aan de themagroep Financi\u00ebn, aan het overleg over veiligheid en "
        "ondermijning en aan de vergadering van het Algemeen Bestuur.\n\n"
        "Met vriendelijke groet,\n\n"
        "Marjolein Haverkamp\n"
        "Bestuurssecretariaat\n"
        "Gemeente Leiden\n")
    raw, _ = send(OWA, Mail(710, 1, ("Bestuurssecretariaat Leiden", sec), when(7, 13, 50),
                            "Aanmelding wethouder De Groot \u2013 G32 netwerkdag 30 november", text,
                            charset="windows-1252", cte="quoted-printable"))
    return Case(710, "secretariat-wethouder-de-groot-leiden-owa", "secretariat",
                "Leiden secretariat, new Outlook Web App message (HTML only, windows-1252, en dash in the subject): "
                "'Namens wethouder De Groot meld ik hem graag aan' (two other cities have a wethouder De Groot) for "
                "financien, 'het overleg over veiligheid en ondermijning' (veiligheid) and the AB; the secretary "
                "signing is no attendee; reply to the secretariat",
                [raw], [att(name, sessions=["financien", "veiligheid", "algemeen-bestuur"])],
                [reply(sec)], False)


@case
def c711() -> Case:
    name, addr = person("Dirk Jonker")
    text = (
        "Beste organisatie,\n\n"
        "Ik kom graag naar de netwerkdag en schrijf mij in voor de doorstart van de themagroep Statushouders en "
        "voor de Sociale Pijler.\n\n"
        "Nog een vraag: is er bij het stadhuis parkeergelegenheid voor bezoekers, of kan ik beter met de trein "
        "komen? Ik hoor het graag.\n\n"
        "Met vriendelijke groet,\n"
        "Dirk Jonker\n"
        "wethouder gemeente Amersfoort\n")
    raw, _ = send(Roundcube, Mail(711, 1, (name, addr), when(8, 20, 10), "", text, quote=invitation(),
                                  cte="quoted-printable"))
    return Case(711, "question-parkeren-of-trein-plus-registration-roundcube", "question",
                "XS4ALL Roundcube from the listed personal address: statushouders and the sociale pijler, plus the "
                "question whether there is visitor parking at the stadhuis or the train is better: recorded and "
                "confirmed, and up for review (rule 18)",
                [raw], [att(name, sessions=["statushouders", "sociale-pijler"], email=True)],
                [reply(addr)], True)


@case
def c712() -> Case:
    name, addr = person("Maarten Bos")
    text = (
        "Geachte G32,\n\n"
        "Ik meld mij aan voor 30 november. \u2019s Ochtends ga ik naar Jeugd en aansluiting "
        "onderwijs-arbeidsmarkt en daarna naar Ondernemerschap. Om 14.00 uur kies ik voor de Sociale Pijler; "
        "Veiligheid valt voor mij af, dat dossier ligt bij een collega. De borrel aan het eind sla ik niet "
        "over.\n\n"
        "Met vriendelijke groet,\n\n"
        "M. Bos\n"
        "wethouder gemeente Emmen\n")
    raw, _ = send(GroupWise, Mail(712, 1, (name, addr), when(13, 10, 30), "", text, quote=invitation(),
                                  charset="windows-1252", cte="quoted-printable"))
    return Case(712, "ruled-out-veiligheid-valt-af-sociale-pijler-groupwise", "session ruled out",
                "GroupWise (windows-1252): jeugd-onderwijs-arbeidsmarkt, ondernemerschap, 'Om 14.00 uur kies ik voor "
                "de Sociale Pijler; Veiligheid valt voor mij af' (veiligheid ruled out, so no slot conflict) and 'De "
                "borrel aan het eind sla ik niet over' (netwerkborrel chosen)",
                [raw], [att(name, sessions=["jeugd-onderwijs-arbeidsmarkt", "ondernemerschap", "sociale-pijler",
                                            "netwerkborrel"], email=True)],
                [reply(addr)], False)

