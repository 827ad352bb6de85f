"""Identity before change, through the real CLI: only an address tied to a person may touch their registration.

The mayor of Zwolle (Lars Vos, l.vos@zwolle.nl, secretariat
bestuurssecretariaat@zwolle.nl) registers from his own address. Then a
lookalike domain or an unlisted Gmail address tries to cancel, decline,
change or re-register him: the registration stands, the impostor gets no
mail, and staff get a review item saying why. A message whose Reply-To lists
many addresses gets one reply to the sender only.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import botrun
import pytest

MAYOR = "l.vos@zwolle.nl"
T0 = datetime(2017, 11, 6, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def _mail(path: Path, n: int, sender: str, body: str, *, name: str = "Lars Vos",
          reply_to: str | None = None, subject: str = "G32 netwerkdag 30 november") -> Path:
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>"
    msg["To"] = "G32 <info@G32.nl>"
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(T0 + timedelta(hours=n))
    msg["Message-ID"] = f"<identity-{n}-{abs(hash(sender)) % 10**8}@test.example>"
    msg.set_content(body)
    f = path / f"{n}.eml"
    f.write_bytes(bytes(msg))
    return f


REGISTER = "Goedemorgen,\n\nGraag meld ik mij aan voor de themagroep Financien en het Algemeen Bestuur.\n\nLars Vos\n"


@pytest.fixture()
def bot(tmp_path: Path) -> botrun.Bot:
    bot = botrun.Bot.make(tmp_path)
    bot.ingest(_mail(tmp_path, 1, MAYOR, REGISTER))
    return bot


def _mayor(state: dict) -> list[dict]:
    return [a for a in state["attendees"] if "vos" in a["name"].lower()]


IMPOSTORS = ["l.vos@zwolle-gemeente.nl", "l.vos@gemeente-zwolle.com", "l.vos@zwolle.nl.example.com",
             "l.vos@xn--zwlle-kye.nl", "larsvos1961@gmail.com"]
ATTEMPTS = {
    "cancel": "Beste,\n\nHierbij meld ik burgemeester Lars Vos af voor de netwerkdag.\n\nMet vriendelijke groet\n",
    "self-cancel": "Beste,\n\nIk trek mijn aanmelding in, ik kan helaas niet komen.\n\nLars Vos\nburgemeester van Zwolle\n",
    "change": "Beste,\n\nBurgemeester Lars Vos wil graag ook naar de themagroep Veiligheid.\n\nGroet\n",
    "register-again": "Beste,\n\nHierbij melden wij burgemeester Lars Vos aan voor de netwerkborrel.\n\nGroet\n",
}


@pytest.mark.parametrize("impostor", IMPOSTORS)
@pytest.mark.parametrize("attempt", sorted(ATTEMPTS))
def test_an_address_without_authority_changes_nothing(bot: botrun.Bot, tmp_path: Path, impostor: str,
                                                      attempt: str) -> None:
    bot.ingest(_mail(tmp_path, 2, impostor, ATTEMPTS[attempt], name="Lars Vos"))
    state = bot.export()
    mayor = _mayor(state)
    assert len(mayor) == 1, mayor  # never a second attendee for him
    assert mayor[0]["status"] == "registered"
    assert mayor[0]["sessions"] == ["algemeen-bestuur", "financien"]
    assert all(impostor not in o["to"] for o in state["outbox"])
    assert state["review"], "staff must hear of the attempt"
    assert any(r["reason"].startswith("Niet verwerkt") for r in state["review"])


def test_a_lookalike_review_item_says_why(bot: botrun.Bot, tmp_path: Path) -> None:
    bot.ingest(_mail(tmp_path, 2, "l.vos@gemeente-zwolle.com", ATTEMPTS["cancel"]))
    reasons = " ".join(r["reason"] for r in bot.export()["review"])
    assert "lijkt op" in reasons and "zwolle" in reasons


def test_the_secretariat_and_a_subdomain_may_change(bot: botrun.Bot, tmp_path: Path) -> None:
    bot.ingest(_mail(tmp_path, 2, "bestuurssecretariaat@zwolle.nl", ATTEMPTS["change"], name="Secretariaat"))
    assert _mayor(bot.export())[0]["sessions"] == ["algemeen-bestuur", "financien", "veiligheid"]
    bot.ingest(_mail(tmp_path, 3, "a.assistent@raad.zwolle.nl", ATTEMPTS["cancel"], name="A. Assistent"))
    assert _mayor(bot.export())[0]["status"] == "cancelled"


def test_reply_to_with_many_addresses_gets_one_reply_to_the_sender(tmp_path: Path) -> None:
    bot = botrun.Bot.make(tmp_path)
    many = ", ".join(f"x{i}@example.org" for i in range(20))
    bot.ingest(_mail(tmp_path, 1, MAYOR, REGISTER, reply_to=many))
    state = bot.export()
    assert [o["kind"] for o in state["outbox"]] == ["confirmation"]
    assert state["outbox"][0]["to"] == [MAYOR]
    assert _mayor(state)[0]["status"] == "registered"
    assert any("Reply-To" in r["reason"] for r in state["review"])


def test_one_reply_to_on_the_member_domain_is_followed(tmp_path: Path) -> None:
    bot = botrun.Bot.make(tmp_path)
    bot.ingest(_mail(tmp_path, 1, MAYOR, REGISTER, reply_to="bestuurssecretariaat@zwolle.nl"))
    state = bot.export()
    assert state["outbox"][0]["to"] == ["bestuurssecretariaat@zwolle.nl"]
    assert state["review"] == []
