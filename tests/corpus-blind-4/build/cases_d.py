"""Cases 501-520: a realistic inbox written blind (registrations, declines, a withdrawal, a change,
secretariats, a question, a remark, a non-member, a tentative answer, a bounce, a session ruled out).

Every case function returns a Case: the raw messages in ingest order and the expected outcome under
the contract's labelling rules. Message-IDs carry the prefix "blind4-" so that they never collide
with the other corpora.
"""
from __future__ import annotations

from datetime import timedelta

from case import Case, att, case, reply, secretariat
from clients import (AppleMail, Gmail, GroupWise, IPhone, Mail, Notes, OutlookAndroid, OutlookCom, OutlookMac,
                     OutlookO365, OWA, Outlook, Samsung, Thunderbird)
from mime import CRLF, Ids, Part, multipart, postfix_date, render, rfc2822, text_part, when
from texts import INVITATION_ID, INVITATION_SUBJECT, bot_msgid, confirmation, invitation, invitation_plain

DISCLAIMER = ("Dit e-mailbericht is uitsluitend bestemd voor de geadresseerde(n). Heeft u dit bericht "
              "onterecht ontvangen, stel dan de afzender op de hoogte en verwijder het bericht. Aan dit "
              "bericht kunnen geen rechten worden ontleend.")


def auth(domain: str) -> str:
    """Authentication-Results as mx1.g32.nl (the receiving server the config trusts) writes them."""
    return (f"mx1.g32.nl;{CRLF}\tspf=pass smtp.mailfrom={domain};{CRLF}\tdkim=pass header.d={domain};"
            f"{CRLF}\tdmarc=pass (p=none dis=none) header.from={domain}")


def send(client) -> tuple[bytes, str]:
    """Build one message; its Message-ID gets the blind4- prefix. Returns (raw bytes, Message-ID)."""
    client.msgid = "<blind4-" + client.msgid[1:]
    return client.build(), client.msgid


# ---------------------------------------------------------------------------------------------
# Ordinary registrations
# ---------------------------------------------------------------------------------------------
@case
def c501() -> Case:
    name, addr = "Marloes Lammers", "m.lammers@gouda.nl"
    text = (
        "Goedemorgen,\n"
        "\n"
        "Graag meld ik mij aan voor de netwerkdag van 30 november. Ik zou graag aansluiten bij:\n"
        "- de themasessie met Ton Heerts over jeugd en de aansluiting tussen onderwijs en arbeidsmarkt\n"
        "- de themagroep Financi\u00ebn\n"
        "- de Fysieke Pijler\n"
        "\n"
        "Met vriendelijke groet,\n"
        "\n"
        "Marloes Lammers\n"
        "Wethouder Wonen, Ruimtelijke Ordening en Duurzaamheid\n"
        "Gemeente Gouda | Postbus 1086 | 2800 BB Gouda\n"
        "T 0182 - 58 89 11 | m.lammers@gouda.nl\n"
        "\n"
        + DISCLAIMER + "\n"
    )
    m = Mail(501, 1, (name, addr), when(3, 8, 47, 12), "", text, quote=invitation(),
             charset="windows-1252", cte="quoted-printable", auth=auth("gouda.nl"))
    raw, _ = send(Outlook(m))
    return Case(501, "ordinary-heerts-financien-fysieke-pijler-cp1252", "registration",
                "Outlook (windows-1252, quoted-printable) reply with a bulleted list: 'de themasessie met Ton Heerts' "
                "(jeugd-onderwijs-arbeidsmarkt), 'de themagroep Financi\u00ebn', 'de Fysieke Pijler'; the signature's "
                "portfolio 'Wonen, ...' and the disclaimer add nothing",
                [raw], [att(name, sessions=["jeugd-onderwijs-arbeidsmarkt", "financien", "fysieke-pijler"],
                            email=True, role=True)],
                [reply(addr)], False)


@case
def c502() -> Case:
    name, addr = "Pieter de Jong", "pieter.dejong@gmail.com"
    text = (
        "hoi,\n"
        "\n"
        "ik kom naar lelystad. zet me maar neer voor de doorstart van de themagroep statushouders en voor het AB. "
        "en de borrel natuurlijk :)\n"
        "\n"
        "gr pieter\n"
        "\n"
        "--\n"
        "Pieter de Jong\n"
        "wethouder gemeente Alkmaar\n"
        "06 - 4817 2290\n"
    )
    m = Mail(502, 1, (name, addr), when(3, 22, 14, 40), "", text, quote=invitation(), cte="quoted-printable",
             auth=auth("gmail.com"))
    raw, _ = send(Gmail(m))
    return Case(502, "ordinary-gmail-lowercase-statushouders-ab-borrel", "registration",
                "Gmail web from the listed personal gmail address, all lower case and a smiley: 'de doorstart van de "
                "themagroep statushouders', 'het AB' and 'de borrel'; 'ik kom naar lelystad' names the venue, not "
                "his municipality (alkmaar)",
                [raw], [att(name, sessions=["statushouders", "algemeen-bestuur", "netwerkborrel"], email=True)],
                [reply(addr)], False)


@case
def c503() -> Case:
    name, addr = "Thijs Lammers", "t.lammers@zwolle.nl"
    text = (
        "Hallo,\n"
        "Ik ben erbij. Om 10 uur wal en schip, kwart over 11 wonen welzijn en zorg en om 2 uur de "
        "veiligheidsgroep.\n"
        "Groet,\n"
        "Thijs Lammers"
    )
    m = Mail(503, 1, (name, addr), when(4, 10, 2, 33), "", text, quote=invitation(), cte="quoted-printable",
             auth=auth("zwolle.nl"))
    raw, _ = send(IPhone(m))
    return Case(503, "ordinary-iphone-times-and-short-names", "registration",
                "iPhone plain text: each session with its start time and a short name ('Om 10 uur wal en schip, "
                "kwart over 11 wonen welzijn en zorg en om 2 uur de veiligheidsgroep'): wal-en-schip, "
                "wonen-welzijn-zorg, veiligheid",
                [raw], [att(name, sessions=["wal-en-schip", "wonen-welzijn-zorg", "veiligheid"], email=True)],
                [reply(addr)], False)


@case
def c504() -> Case:
    name, addr = "Arjen Meijer", "a.meijer@hilversum.nl"
    text = (
        "Goedemiddag,\n"
        "\n"
        "Hierbij mijn aanmelding voor 30/11:\n"
        "- Ondernemerschap (leer-werkmakelaar)\n"
        "- Regionale samenw.\n"
        "- AB, daar wil ik als kandidaat-lid uiteraard bij zijn\n"
        "\n"
        "Groet, Arjen Meijer\n"
        "Wethouder gemeente Hilversum\n"
    )
    m = Mail(504, 1, (name, addr), when(6, 13, 26, 5), "", text, quote=invitation(), cte="base64",
             auth=auth("hilversum.nl"))
    raw, _ = send(OutlookAndroid(m))
    return Case(504, "ordinary-android-candidate-hilversum-abbreviations", "registration",
                "Outlook for Android (base64) from candidate member Hilversum, a terse list with abbreviations: "
                "'Ondernemerschap (leer-werkmakelaar)', 'Regionale samenw.', 'AB'; candidate members count as "
                "members (review false)",
                [raw], [att(name, sessions=["ondernemerschap", "regionale-samenwerking", "algemeen-bestuur"],
                            email=True)],
                [reply(addr)], False)


@case
def c505() -> Case:
    name, addr = "Sander Visser", "s.visser@sittard-geleen.nl"
    text = (
        "Geachte heer, mevrouw,\n"
        "\n"
        "Hierbij meld ik mij aan voor de G32 netwerkdag van donderdag 30 november a.s. Ik neem graag deel "
        "aan de Themagroep Financi\u00ebn en aan de Sociale Pijler, en sluit de dag af met de vergadering van "
        "het Algemeen Bestuur.\n"
        "\n"
        "Met vriendelijke groet,\n"
        "\n"
        "S. Visser\n"
        "Wethouder Jeugd, Onderwijs en Sport\n"
        "Gemeente Sittard-Geleen\n"
        "Postbus 18, 6130 AA Sittard\n"
    )
    m = Mail(505, 1, (name, addr), when(6, 16, 40, 51), "Aanmelding G32 netwerkdag 30 november - wethouder Visser",
             text, charset="iso-8859-1", cte="quoted-printable", auth=auth("sittard-geleen.nl"))
    raw, _ = send(Notes(m))
    return Case(505, "ordinary-notes-formal-new-message-portfolio", "registration",
                "IBM Notes new message (iso-8859-1, quoted-printable), formal: Financi\u00ebn, the Sociale Pijler and "
                "'sluit de dag af met de vergadering van het Algemeen Bestuur' (no borrel); the signed 'S. Visser' "
                "is the listed sender and the portfolio 'Jeugd, Onderwijs en Sport' chooses nothing",
                [raw], [att(name, sessions=["financien", "sociale-pijler", "algemeen-bestuur"], email=True,
                            role=True)],
                [reply(addr)], False)


@case
def c506() -> Case:
    name, addr = "Sanne van Leeuwen", "sanne.vanleeuwen@xs4all.nl"
    text = (
        "Beste organisatie,\n"
        "\n"
        "Ik wil me graag aanmelden. 's Ochtends ga ik naar de inleidingen van Vliegenthart en Van Buren, na de "
        "lunch naar de introductie van Teisman, en om twee uur wil ik Erik Jan van Kempen horen.\n"
        "\n"
        "Hartelijke groet,\n"
        "Sanne van Leeuwen\n"
        "wethouder Groningen\n"
    )
    m = Mail(506, 1, (name, addr), when(7, 20, 5, 18), "", text, quote=invitation(), charset="utf-8", cte="8bit",
             auth=auth("xs4all.nl"))
    raw, _ = send(Thunderbird(m))
    return Case(506, "ordinary-speakers-only-thunderbird-xs4all", "registration",
                "Thunderbird plain text (utf-8, 8bit, format=flowed) from the listed xs4all address, sessions only "
                "by speakers: Vliegenthart and Van Buren (wal-en-schip), 'na de lunch ... Teisman' "
                "(regionale-samenwerking), Erik Jan van Kempen (fysieke-pijler)",
                [raw], [att(name, sessions=["wal-en-schip", "regionale-samenwerking", "fysieke-pijler"],
                            email=True)],
                [reply(addr)], False)


@case
def c507() -> Case:
    name, addr = "Petra Bos", "p.bos@breda.nl"
    text = (
        "Hallo G32,\n"
        "\n"
        "Ik kom graag. Mijn keuze:\n"
        "Jeugd & aansluiting onderwijs-arbeidsmarkt\n"
        "Sluitend aanbod wonen/welzijn/zorg\n"
        "Veiligheid\n"
        "+ borrel\n"
        "\n"
        "Vr. gr.\n"
        "Petra Bos\n"
        "Wethouder Zorg en Wijken | Gemeente Breda\n"
    )
    m = Mail(507, 1, (name, addr), when(8, 9, 12, 44), "", text, quote=invitation(), charset="iso-8859-1",
             cte="quoted-printable", auth=auth("breda.nl"))
    raw, _ = send(OWA(m))
    return Case(507, "ordinary-owa-html-only-short-titles", "registration",
                "Outlook Web App, HTML only (iso-8859-1): one short title per line ('Jeugd & aansluiting "
                "onderwijs-arbeidsmarkt', 'Sluitend aanbod wonen/welzijn/zorg', 'Veiligheid', '+ borrel') above the "
                "quoted invitation in HTML",
                [raw], [att(name, sessions=["jeugd-onderwijs-arbeidsmarkt", "wonen-welzijn-zorg", "veiligheid",
                                            "netwerkborrel"], email=True)],
                [reply(addr)], False)


@case
def c508() -> Case:
    name, addr = "Rik de Groot", "r.degroot@leiden.nl"
    text = "Ik ben erbij op 30 november.\n\nRik de Groot\n"
    m = Mail(508, 1, (name, addr), when(8, 18, 31, 2), "", text, quote=invitation(), cte="base64",
             auth=auth("leiden.nl"))
    raw, _ = send(Samsung(m))
    return Case(508, "ordinary-samsung-no-sessions-full-quote", "registration",
                "Samsung Email (base64): 'Ik ben erbij op 30 november.' above the unindented original invitation "
                "with every session title: registered with no sessions, confirmation",
                [raw], [att(name, sessions=[], email=True)], [reply(addr)], False)


# ---------------------------------------------------------------------------------------------
# Declines
# ---------------------------------------------------------------------------------------------
@case
def c509() -> Case:
    name, addr = "Ellen Scholten", "e.scholten@eindhoven.nl"
    text = (
        "Beste collega's van het G32-bureau,\n"
        "\n"
        "Dank voor de uitnodiging. Op 30 november ben ik in Brussel voor een vergadering van het Comit\u00e9 van "
        "de Regio's, dus ik kan er tot mijn spijt niet bij zijn. De verslagen lees ik graag na.\n"
        "\n"
        "Met vriendelijke groet,\n"
        "\n"
        "Ellen Scholten\n"
        "wethouder\n"
        "\n"
        "Gemeente Eindhoven\n"
        "Stadhuisplein 1 | 5611 EM Eindhoven\n"
    )
    m = Mail(509, 1, (name, addr), when(3, 11, 58, 20), "", text, quote=invitation(), cte="quoted-printable",
             auth=auth("eindhoven.nl"))
    raw, _ = send(OutlookO365(m))
    return Case(509, "decline-brussel-tot-mijn-spijt-o365", "decline",
                "Outlook 365 reply: in Brussels that day, 'dus ik kan er tot mijn spijt niet bij zijn': declined, "
                "acknowledgement; 'Stadhuisplein 1' in the signature is Eindhoven's, not the venue",
                [raw], [att(name, "declined", email=True)], [reply(addr, "acknowledgement")], False)


@case
def c510() -> Case:
    name, addr = "Stefan Ruiters", "stefan.ruiters@hotmail.com"
    text = (
        "Goedenavond,\n"
        "\n"
        "Voor de netwerkdag moet ik deze keer passen: die donderdag brengt de commissaris van de Koning een "
        "werkbezoek aan Zoetermeer en daar kan ik niet onderuit.\n"
        "\n"
        "Groeten,\n"
        "Stefan Ruiters\n"
        "wethouder Zoetermeer\n"
    )
    m = Mail(510, 1, (name, addr), when(9, 21, 7, 45), "", text, quote=invitation(), cte="quoted-printable",
             auth=auth("hotmail.com"))
    raw, _ = send(OutlookCom(m))
    return Case(510, "decline-moet-ik-passen-outlook-com", "decline",
                "Outlook.com from the listed hotmail address: 'Voor de netwerkdag moet ik deze keer passen' (a "
                "work visit he 'kan niet onderuit'), no usual decline word: declined, acknowledgement",
                [raw], [att(name, "declined", email=True)], [reply(addr, "acknowledgement")], False)


# ---------------------------------------------------------------------------------------------
# Cancellation and change (two mails each)
# ---------------------------------------------------------------------------------------------
@case
def c511() -> Case:
    name, addr = "Noor Hoekstra", "n.hoekstra@apeldoorn.nl"
    text1 = (
        "Goedemiddag,\n"
        "\n"
        "Graag aanmelden voor de doorstart van de themagroep Statushouders en voor de Sociale Pijler.\n"
        "\n"
        "Met vriendelijke groet,\n"
        "\n"
        "Noor Hoekstra\n"
        "Wethouder\n"
        "Gemeente Apeldoorn\n"
    )
    m1 = Mail(511, 1, (name, addr), when(6, 14, 3, 9), "", text1, quote=invitation(), charset="windows-1252",
              cte="quoted-printable", auth=auth("apeldoorn.nl"))
    raw1, id1 = send(Outlook(m1))
    conf_at = when(6, 14, 5, 40)
    conf = confirmation(date=conf_at, msgid=bot_msgid(conf_at, "blind4-511"), salutation="Geachte mevrouw Hoekstra,",
                        sessions=["statushouders", "sociale-pijler"], to_name=name, to_addr=addr, in_reply_to=id1)
    text2 = (
        "Helaas, er is op 30/11 een extra raadsvergadering ingepland, dus ik kan er toch niet bij zijn. "
        "Wilt u mijn aanmelding schrappen? Excuses voor het ongemak.\n"
        "\n"
        "Noor"
    )
    m2 = Mail(511, 2, (name, addr), when(14, 7, 52, 30), "", text2, quote=conf, cte="quoted-printable",
              auth=auth("apeldoorn.nl"))
    raw2, _ = send(IPhone(m2))
    return Case(511, "cancel-aanmelding-schrappen-iphone", "cancellation",
                "registration (Outlook, windows-1252) for statushouders and the sociale pijler, then eight days "
                "later an iPhone reply to the confirmation: 'ik kan er toch niet bij zijn. Wilt u mijn aanmelding "
                "schrappen?': cancelled, confirmation then acknowledgement",
                [raw1, raw2], [att(name, "cancelled", email=True)],
                [reply(addr), reply(addr, "acknowledgement")], False)


@case
def c512() -> Case:
    name, addr = "Bram de Bruijn", "b.debruijn@deventer.nl"
    text1 = (
        "Goedemorgen,\n"
        "\n"
        "Ik meld me aan voor Mensen tussen wal en schip, de themagroep Financi\u00ebn en het Algemeen Bestuur.\n"
        "\n"
        "Groet,\n"
        "Bram de Bruijn\n"
        "wethouder gemeente Deventer\n"
    )
    m1 = Mail(512, 1, (name, addr), when(3, 9, 41, 27), "", text1, quote=invitation(), charset="utf-8",
              cte="quoted-printable", auth=auth("deventer.nl"))
    raw1, id1 = send(Thunderbird(m1, alt=True))
    conf_at = when(3, 9, 44, 2)
    conf = confirmation(date=conf_at, msgid=bot_msgid(conf_at, "blind4-512"), salutation="Geachte heer De Bruijn,",
                        sessions=["wal-en-schip", "financien", "algemeen-bestuur"], to_name=name, to_addr=addr,
                        in_reply_to=id1)
    text2 = (
        "Goedemiddag,\n"
        "\n"
        "Bij nader inzien ruil ik de sessie Mensen tussen wal en schip om voor de jeugdsessie met Ton Heerts. "
        "Financi\u00ebn en het AB blijven zoals ze zijn.\n"
        "\n"
        "Groet,\n"
        "Bram de Bruijn\n"
    )
    m2 = Mail(512, 2, (name, addr), when(9, 15, 18, 56), "", text2, quote=conf, charset="utf-8",
              cte="quoted-printable", auth=auth("deventer.nl"))
    raw2, _ = send(Thunderbird(m2, alt=True))
    return Case(512, "change-ruil-wal-en-schip-om-voor-jeugd-thunderbird", "change",
                "Thunderbird HTML + plain: wal-en-schip, financien and the AB, then a reply to the confirmation "
                "'ruil ik de sessie Mensen tussen wal en schip om voor de jeugdsessie met Ton Heerts. Financi\u00ebn "
                "en het AB blijven': jeugd-onderwijs-arbeidsmarkt replaces wal-en-schip; two confirmations",
                [raw1, raw2], [att(name, sessions=["jeugd-onderwijs-arbeidsmarkt", "financien", "algemeen-bestuur"],
                                   email=True)],
                [reply(addr), reply(addr)], False)


# ---------------------------------------------------------------------------------------------
# Secretariats
# ---------------------------------------------------------------------------------------------
@case
def c513() -> Case:
    addr = secretariat("Bas Postma")
    text = (
        "Goedemiddag,\n"
        "\n"
        "Burgemeester Postma komt graag naar de G32 netwerkdag. Wilt u hem aanmelden voor de Themagroep "
        "Veiligheid / platform stedelijke veiligheid en voor het Algemeen Bestuur? Hij vertrekt direct na "
        "het AB.\n"
        "\n"
        "Met vriendelijke groet,\n"
        "\n"
        "Ingrid Verbeek\n"
        "Managementondersteuner burgemeester\n"
        "Bestuurssecretariaat | Gemeente Tilburg\n"
        "T 013 - 542 85 00\n"
        "\n"
        + DISCLAIMER + "\n"
    )
    m = Mail(513, 1, ("Bestuurssecretariaat Tilburg", addr), when(7, 14, 22, 8),
             "Aanmelding burgemeester Postma - G32 netwerkdag 30 november", text, charset="windows-1252",
             cte="quoted-printable", auth=auth("tilburg.nl"))
    raw, _ = send(Outlook(m))
    return Case(513, "secretariat-burgemeester-postma-tilburg", "secretariat",
                "Tilburg secretariat (Outlook, windows-1252, new message) registers 'Burgemeester Postma' (Zaanstad "
                "and Heerlen have a wethouder Postma) for veiligheid by its full title and the AB; 'vertrekt direct "
                "na het AB' leaves the borrel out; reply to the secretariat",
                [raw], [att("Bas Postma", sessions=["veiligheid", "algemeen-bestuur"], email=True, role=True)],
                [reply(addr)], False)


@case
def c514() -> Case:
    addr = secretariat("Lieke Boukhari")
    text = (
        "Goedemorgen,\n"
        "\n"
        "Namens twee van onze wethouders de volgende aanmeldingen voor 30 november:\n"
        "\n"
        "Wethouder Boukhari: Mensen tussen wal en schip (10.00 uur) en de Sociale Pijler (14.00 uur).\n"
        "Wethouder Scholten: Themagroep Ondernemerschap, de Fysieke Pijler en de netwerkborrel.\n"
        "\n"
        "Met vriendelijke groet,\n"
        "\n"
        "Anouk de Wit\n"
        "Bestuurssecretariaat\n"
        "Gemeente Lelystad\n"
    )
    m = Mail(514, 1, ("Anouk de Wit", addr), when(9, 10, 36, 14), "", text, quote=invitation(),
             charset="windows-1252", cte="8bit", auth=auth("lelystad.nl"))
    raw, _ = send(GroupWise(m))
    return Case(514, "secretariat-two-aldermen-lelystad-groupwise", "secretariat",
                "GroupWise (windows-1252, 8bit) from the host city's secretariat: two lines 'Wethouder Boukhari: ...' "
                "and 'Wethouder Scholten: ...' (Enschede has a wethouder Boukhari, four cities a Scholten): two "
                "attendees with their own sessions, one confirmation to the secretariat",
                [raw], [att("Lieke Boukhari", sessions=["wal-en-schip", "sociale-pijler"], email=True, role=True),
                        att("Renske Scholten", sessions=["ondernemerschap", "fysieke-pijler", "netwerkborrel"],
                            email=True, role=True)],
                [reply(addr)], False)


# ---------------------------------------------------------------------------------------------
# Question, remark, non-member, tentative
# ---------------------------------------------------------------------------------------------
@case
def c515() -> Case:
    name, addr = "Renske de Bruijn", "r.debruijn@enschede.nl"
    text = (
        "Goedemiddag,\n"
        "\n"
        "Ik schuif graag aan bij de themagroep Financi\u00ebn en bij de themasessie Regionale samenwerking.\n"
        "\n"
        "Nog een praktische vraag: is er bij het stadhuis parkeergelegenheid voor bezoekers, of kan ik beter "
        "met de trein komen?\n"
        "\n"
        "Met vriendelijke groet,\n"
        "Renske de Bruijn\n"
        "Wethouder Economie en Werk | Gemeente Enschede\n"
    )
    m = Mail(515, 1, (name, addr), when(10, 13, 9, 37), "Aanmelding netwerkdag 30 november", text,
             cte="quoted-printable", auth=auth("enschede.nl"))
    raw, _ = send(OutlookO365(m))
    return Case(515, "question-parking-plus-registration-o365", "question",
                "Outlook 365 new message: financien and regionale-samenwerking, plus a question whether there is "
                "parking at the town hall or the train is better: recorded and confirmed, and up for review "
                "(rule 18)",
                [raw], [att(name, sessions=["financien", "regionale-samenwerking"], email=True)],
                [reply(addr)], True)


@case
def c516() -> Case:
    name, addr = "Tineke van den Heuvel", "t.vandenheuvel@arnhem.nl"
    text = (
        "Ik meld me aan voor de sessie regionale samenwerking, de themagroep veiligheid en het AB.\n"
        "\n"
        "Ter info: sinds een val loop ik op krukken en trappen gaan moeizaam. Fijn als daar bij de "
        "zaalindeling rekening mee gehouden wordt.\n"
        "\n"
        "Groet, Tineke van den Heuvel"
    )
    m = Mail(516, 1, (name, addr), when(13, 8, 15, 3), "", text, quote=invitation(), cte="quoted-printable",
             auth=auth("arnhem.nl"))
    raw, _ = send(IPhone(m, alt=True))
    return Case(516, "remark-krukken-zaalindeling-iphone", "remark",
                "iPhone (HTML + plain) reply: regionale-samenwerking, veiligheid and the AB, and a remark for staff "
                "('loop ik op krukken ... rekening mee gehouden wordt'): recorded and confirmed, review true",
                [raw], [att(name, sessions=["regionale-samenwerking", "veiligheid", "algemeen-bestuur"],
                            email=True)],
                [reply(addr)], True)


@case
def c517() -> Case:
    name, addr = "Joris Wijnberg", "j.wijnberg@rotterdam.nl"
    text = (
        "Geachte organisatie,\n"
        "\n"
        "In het programma lees ik dat bij de doorstart van de themagroep Statushouders ook de samenwerking "
        "met VNG, G4 en Divosa aan de orde komt. Namens de gemeente Rotterdam wil ik daar graag bij zijn. "
        "Wilt u mij daarvoor aanmelden, en ook voor de Sociale Pijler?\n"
        "\n"
        "Met vriendelijke groet,\n"
        "\n"
        "Joris Wijnberg\n"
        "Senior beleidsadviseur Inburgering\n"
        "Cluster Maatschappelijke Ontwikkeling\n"
        "Gemeente Rotterdam\n"
    )
    m = Mail(517, 1, (name, addr), when(10, 16, 47, 22), "Aanmelding G32 netwerkdag \u2013 gemeente Rotterdam", text,
             cte="quoted-printable", auth=auth("rotterdam.nl"))
    raw, _ = send(OutlookO365(m))
    return Case(517, "nonmember-g4-rotterdam-statushouders", "non-member",
                "Outlook 365 new message (en dash in the subject) from a policy adviser of G4 city Rotterdam, not a "
                "member: statushouders and the sociale pijler; municipality null, recorded, confirmed, review true "
                "(rule 9)",
                [raw], [att(name, sessions=["statushouders", "sociale-pijler"], municipality=None,
                            email_value=addr)],
                [reply(addr)], True)


@case
def c518() -> Case:
    name, addr = "Petra Timmermans", "p.timmermans@haarlem.nl"
    text = (
        "Hallo,\n"
        "\n"
        "Of ik op 30 november kan komen, hangt af van de raad: als de extra raadsvergadering over de begroting "
        "die middag doorgaat, moet ik in Haarlem blijven. Gaat die niet door, dan kom ik graag naar de "
        "Fysieke Pijler en het Algemeen Bestuur. Zodra ik het zeker weet, laat ik het u weten.\n"
        "\n"
        "Groet,\n"
        "Petra Timmermans\n"
        "wethouder gemeente Haarlem\n"
    )
    m = Mail(518, 1, (name, addr), when(13, 17, 3, 58), "", text, quote=invitation(), cte="quoted-printable",
             auth=auth("haarlem.nl"))
    raw, _ = send(OutlookMac(m))
    return Case(518, "tentative-hangt-af-van-de-raad-outlook-mac", "tentative",
                "Outlook for Mac: 'hangt af van de raad ... Gaat die niet door, dan kom ik graag naar de Fysieke "
                "Pijler en het Algemeen Bestuur': conditional, review true; what is recorded and replied is not "
                "compared (rule 24)",
                [raw], None, None, True)


# ---------------------------------------------------------------------------------------------
# Bounce
# ---------------------------------------------------------------------------------------------
@case
def c519() -> Case:
    ids = Ids("corpus-blind-4/519/1")
    t = when(2, 9, 31, 6)
    sent = when(2, 9, 30, 12)
    queue = f"3y{ids.alnum(12)}"  # the original's queue id at mail.hoorn.nl
    own = f"3y{ids.alnum(12)}"  # the bounce's own queue id
    rcpt = "s.kuipers@hoorn.nl"
    notice = (
        "This is the mail system at host mail.hoorn.nl.\n"
        "\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n"
        "\n"
        "For further assistance, please send mail to postmaster.\n"
        "\n"
        "If you do so, please include this problem report. You can\n"
        "delete your own text from the attached returned message.\n"
        "\n"
        "                   The mail system\n"
        "\n"
        f"<{rcpt}>: host exch01.ad.hoorn.nl[10.20.1.15] said: 552 5.2.2\n"
        "    Mailbox full; quota exceeded (in reply to end of DATA command)\n"
    )
    status = (
        "Reporting-MTA: dns; mail.hoorn.nl\n"
        f"X-Postfix-Queue-ID: {queue}\n"
        "X-Postfix-Sender: rfc822; info@G32.nl\n"
        f"Arrival-Date: {postfix_date(sent + timedelta(seconds=29))}\n"
        "\n"
        f"Final-Recipient: rfc822; {rcpt}\n"
        f"Original-Recipient: rfc822;{rcpt}\n"
        "Action: failed\n"
        "Status: 5.2.2\n"
        "Remote-MTA: dns; exch01.ad.hoorn.nl\n"
        "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full; quota exceeded\n"
    )
    inner_body = text_part("plain", invitation_plain(), "utf-8", "quoted-printable", order="quoted")
    inner_head = [
        ("Received", f"from AM4PR07MB1524.eurprd07.prod.outlook.com (104.47.2.51){CRLF}\tby mail.hoorn.nl "
                     f"(Postfix) with ESMTPS id {queue}{CRLF}\tfor <{rcpt}>; {postfix_date(sent + timedelta(seconds=29))}"),
        ("From", "G32 <info@G32.nl>"), ("To", "G32 <info@G32.nl>"), ("Subject", INVITATION_SUBJECT),
        ("Date", rfc2822(sent)), ("Message-ID", INVITATION_ID), ("Content-Language", "nl-NL"),
    ]
    inner = render(inner_head, inner_body)
    b = f"{own}.{int(t.timestamp())}/mail.hoorn.nl"
    parts = [
        Part([("Content-Description", "Notification"), ("Content-Type", "text/plain; charset=us-ascii")],
             notice.replace("\n", CRLF).encode("ascii")),
        Part([("Content-Description", "Delivery report"), ("Content-Type", "message/delivery-status")],
             status.replace("\n", CRLF).encode("ascii")),
        Part([("Content-Description", "Undelivered Message"), ("Content-Type", "message/rfc822"),
              ("Content-Transfer-Encoding", "8bit")], inner),
    ]
    body = multipart("report", parts, b, params="report-type=delivery-status", fold_boundary=False)
    head = [
        ("Return-Path", "<>"),
        ("Received", f"from mx1.g32.nl (localhost [127.0.0.1]){CRLF}\tby mail.g32.nl (Postfix) with ESMTP id "
                     f"3y{ids.alnum(12)}{CRLF}\tfor <info@g32.nl>; {postfix_date(t + timedelta(seconds=4))}"),
        ("Received", f"from mail.hoorn.nl (mail.hoorn.nl [{ids.ip('203.0.113.')}]){CRLF}\tby mx1.g32.nl (Postfix) "
                     f"with ESMTPS id 3y{ids.alnum(12)}{CRLF}\tfor <info@G32.nl>; "
                     f"{postfix_date(t + timedelta(seconds=2))}"),
        ("Received", f"by mail.hoorn.nl (Postfix){CRLF}\tid {own}; {postfix_date(t)}"),
        ("Date", postfix_date(t)),
        ("From", "MAILER-DAEMON@mail.hoorn.nl (Mail Delivery System)"),
        ("Subject", "Undelivered Mail Returned to Sender"),
        ("To", "info@G32.nl"),
        ("Auto-Submitted", "auto-replied"),
        ("MIME-Version", "1.0"),
        body.headers[0],
        ("Content-Transfer-Encoding", "8bit"),
        ("Message-Id", f"<blind4-{t:%Y%m%d%H%M%S}.{ids.hex(10, upper=True)}@mail.hoorn.nl>"),
    ]
    raw = render(head, Part([], body.body), mime_version="")
    return Case(519, "bounce-postfix-mailbox-full-hoorn", "bounce",
                "Postfix delivery report (multipart/report) from MAILER-DAEMON on the member subdomain mail.hoorn.nl: "
                "the invitation to a listed Hoorn wethouder bounced (mailbox full) and comes back whole as "
                "message/rfc822 with every session title: nothing recorded, no reply, review false (rule 12)",
                [raw], [], [], False)


# ---------------------------------------------------------------------------------------------
# A session ruled out
# ---------------------------------------------------------------------------------------------
@case
def c520() -> Case:
    name, addr = "Jeroen Bakker", "j.bakker@maastricht.nl"
    text = (
        "Goedemorgen,\n"
        "\n"
        "Ik kom naar de netwerkdag en meld me aan voor de doorstart van de themagroep Statushouders en voor "
        "de Sociale Pijler.\n"
        "\n"
        "Aan de themasessie Regionale samenwerking kom ik niet toe: op dat uur heb ik een afspraak met de "
        "gedeputeerde die ik niet kan verzetten.\n"
        "\n"
        "Met vriendelijke groet,\n"
        "\n"
        "Jeroen Bakker\n"
        "Wethouder | Gemeente Maastricht\n"
        "\n"
        + DISCLAIMER + "\n"
    )
    m = Mail(520, 1, (name, addr), when(15, 9, 24, 50), "", text, quote=invitation(), cte="base64",
             html_cte="base64", auth=auth("maastricht.nl"))
    raw, _ = send(OutlookO365(m))
    return Case(520, "ruled-out-kom-ik-niet-toe-o365-base64", "session ruled out",
                "Outlook 365 (base64): statushouders and the sociale pijler chosen; 'Aan de themasessie Regionale "
                "samenwerking kom ik niet toe' names that session by its full title without choosing it",
                [raw], [att(name, sessions=["statushouders", "sociale-pijler"], email=True)],
                [reply(addr)], False)
