"""`mailbot explain` names, for every session it records, the words and the kind of
evidence, and for every session it drops, the cue that dropped it."""

from __future__ import annotations

import botrun

MAIL = (
    "From: Lars Vos <l.vos@zwolle.nl>\r\nTo: info@G32.nl\r\nSubject: aanmelding\r\n"
    "Message-ID: <explain@zwolle.nl>\r\nDate: Mon, 06 Nov 2017 10:00:00 +0100\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Ik kom graag naar het onderdeel over cannabisteelt en sessie 11.\r\n"
    "De vergadering van 13.00 uur graag ook. Ondernemerschap sla ik over.\r\n"
)


def test_explain_shows_evidence_and_cues(tmp_path):
    bot = botrun.Bot.make(tmp_path)
    path = tmp_path / "m.eml"
    path.write_bytes(MAIL.encode())
    out = bot.run("explain", str(path)).stdout
    lines = {ln.split()[1]: ln for ln in out.splitlines() if ln.strip().startswith("sessie ")}
    assert "'cannabisteelt' (uit de beschrijving)" in lines["veiligheid"]
    assert "(nummer)" in lines["algemeen-bestuur"]
    assert "(begintijd)" in lines["regionale-samenwerking"]
    assert "valt af door 'sla ik over'" in lines["ondernemerschap"]
