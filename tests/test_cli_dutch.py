"""What staff read on the command line is plain Dutch, with local times (issue 13, items 8 and 9).

Ingest outcomes per file, `status`, `explain`, the help of every command and
option, and error lines say what happened in words, never in the bot's codes
("review", "human", "via invitee-address", "change-unchanged"). Times carry
their date and are shown in the event's time zone (Europe/Amsterdam), never as
bare UTC. Command and option names stay as the contract has them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailbot.cli import cli

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config.toml"
CORPUS = REPO / "tests" / "corpus"
NOW = "2017-11-16T09:00:00+01:00"
CODES = re.compile(r"\b(?:recorded|review|ignored|duplicate|skipped|human|invitee-address|secretariat-address|"
                   r"change-unchanged|register-new|registered|confirmation|acknowledgement|clarification)\b")
ENGLISH = re.compile(r"\b(?:the|and|to|with|from|for|when|without|every|this|which)\b")
CLICK_OWN = ("Show this message and exit.", "Usage:", "Options:", "Commands:")  # click's own words
STAFF_COMMANDS = (("ingest",), ("poll",), ("run",), ("export",), ("explain",), ("invitees",),
                  ("invitees", "import"), ("invite",), ("purge",), ("status",), ("rebuild",), ("demo",),
                  ("attendees",), ("namecards",))


def corpus_file(case: str) -> Path:
    return next(CORPUS.glob(f"{case}-*")) / "1.eml"


def run(storage: Path, *args: str, now: str = NOW):
    return CliRunner().invoke(cli, ["--config", str(CONFIG), "--storage", str(storage), "--now", now, *args],
                              catch_exceptions=False)


def test_ingest_says_per_file_what_became_of_it_in_dutch(tmp_path):
    files = [corpus_file(c) for c in ("042", "055", "024")]  # non-member, out-of-office, a decline
    result = run(tmp_path, "ingest", *map(str, files), str(files[0]))  # the first one delivered twice
    lines = result.stderr.splitlines()
    assert lines == [
        f"{files[0]}: voor controle door een medewerker (1 antwoord)",
        f"{files[1]}: genegeerd (geen antwoord nodig)",
        f"{files[2]}: verwerkt (1 antwoord)",
        f"{files[0]}: al eerder ontvangen, niet opnieuw verwerkt",
    ], result.stderr


def fields(output: str) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in output.splitlines())}


def test_status_is_dutch_and_shows_the_last_poll_in_local_time(tmp_path):
    assert run(tmp_path, "poll", "--once").exit_code == 0
    result = run(tmp_path, "status", now="2017-11-16T09:05:00+01:00")
    assert result.exit_code == 0, result.output
    shown = fields(result.stdout)
    assert shown["laatste ophaalronde"] == "do 16 nov 2017 09.00"  # 08.00 UTC, shown as the clock in Lelystad
    assert shown["status"] == "ok" and shown["open ter controle"] == "0"
    assert not CODES.search(result.stdout) and "+00:00" not in result.stdout


def test_status_in_summer_time_is_still_the_local_clock(tmp_path):
    assert run(tmp_path, "poll", "--once", now="2017-07-03T14:30:00+00:00").exit_code == 0
    shown = fields(run(tmp_path, "status", now="2017-07-03T14:31:00+00:00").stdout)
    assert shown["laatste ophaalronde"] == "ma 3 jul 2017 16.30"


def test_explain_names_kinds_and_rules_in_words(tmp_path):
    run(tmp_path, "ingest", str(corpus_file("042")))
    result = run(tmp_path, "explain", str(corpus_file("042")))  # read again: nothing changes
    out = result.stdout
    assert "persoonlijk bericht" in out and "wijziging zonder verandering" in out and "bevestiging aan" in out
    assert not CODES.search(out), CODES.search(out)
    assert "via niet te bepalen" in out  # a non-member: how the sender's municipality was found


@pytest.mark.parametrize("command", STAFF_COMMANDS, ids=" ".join)
def test_every_help_text_is_dutch(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    own = "\n".join(line for line in result.output.splitlines() if not any(w in line for w in CLICK_OWN))
    assert not ENGLISH.search(own), (ENGLISH.search(own), own)


def test_an_unknown_municipality_in_an_invitee_list_is_reported_in_dutch(tmp_path, capsys, monkeypatch):
    import sys

    from mailbot.cli import main

    csv = tmp_path / "extra.csv"
    csv.write_text("name,role,municipality,email,secretary_email\nAnne Bos,wethouder,atlantis,a@b.nl,\n",
                   encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["mailbot", "--config", str(CONFIG), "--storage", str(tmp_path / "s"),
                                      "invitees", "import", str(csv)])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 2
    assert err == f"mailbot: {csv}: onbekende gemeente 'atlantis' bij a@b.nl"
