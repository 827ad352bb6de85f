"""changes.apply_change: a staff change is recorded with who and when, mails through the outbox
only when asked, and a refused or stale change leaves the store as it was."""

from __future__ import annotations

import email
import json
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from mailbot import config, db, service
from mailbot.changes import Refused, StaffRequest, StaleEdit, apply_change
from mailbot.core.staff_change import with_invitee

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2017, 11, 20, 10, 0, tzinfo=UTC)
ESTHER = "e.scholten@alkmaar.nl"
ALKMAAR_SEC = "bestuurssecretariaat@alkmaar.nl"


@pytest.fixture
def bot(tmp_path):
    b = service.open_bot(config.load(ROOT / "config.toml", storage=tmp_path / "storage"))
    yield b
    b.readers.close()


def register_esther(bot, *, notify: bool = False, at: datetime = NOW, sessions=("financien",)):
    req = with_invitee(StaffRequest(action="register", actor="anna", email=ESTHER,
                                    sessions=frozenset(sessions), notify=notify), bot.knowledge)
    return apply_change(bot, req, now=at)


def counts(bot) -> dict[str, int]:
    with Session(bot.engine) as s:
        return {t.__tablename__: s.exec(select(func.count()).select_from(t)).one()
                for t in (db.Attendee, db.History, db.Outbox, db.StaffAction, db.AttendeeSession)}


def attendee(bot, key: str = ESTHER) -> db.Attendee:
    with Session(bot.engine) as s:
        return s.exec(select(db.Attendee).where(db.Attendee.key == key)).one()


def outbox(bot) -> list[db.Outbox]:
    with Session(bot.engine) as s:
        return list(s.exec(select(db.Outbox).order_by(db.Outbox.id)).all())


def calendars(raw: bytes) -> list[email.message.Message]:
    msg = email.message_from_bytes(raw, policy=policy.default)
    return [p for p in msg.walk() if p.get_content_type() == "text/calendar"]


def test_a_registration_is_recorded_with_who_how_and_when(bot) -> None:
    decision, mailed = register_esther(bot)
    assert mailed == [] and outbox(bot) == []
    row = attendee(bot)
    assert (row.name, row.status, row.registered_via, row.version, row.registered_by) == (
        "Esther Scholten", "registered", "staff", 1, "balie: anna")
    with Session(bot.engine) as s:
        (h,) = s.exec(select(db.History)).all()
        (act,) = s.exec(select(db.StaffAction)).all()
    assert (h.what, h.actor, h.at.replace(tzinfo=UTC), json.loads(h.sessions)) == ("new", "anna", NOW, ["financien"])
    assert (act.actor, act.action, act.at.replace(tzinfo=UTC)) == ("anna", "attendee-register", NOW)
    assert json.loads(act.detail)["attendee"] == "Esther Scholten"


def test_the_usual_confirmation_is_queued_with_its_calendar_item(bot) -> None:
    _, mailed = register_esther(bot, notify=True)
    assert mailed == [ESTHER, ALKMAAR_SEC]
    (out,) = outbox(bot)
    assert (out.kind, json.loads(out.to), out.status) == ("confirmation", [ESTHER, ALKMAAR_SEC], "queued")
    msg = email.message_from_bytes(out.raw, policy=policy.default)
    assert (msg["To"], msg["Cc"]) == (ESTHER, ALKMAAR_SEC)  # the secretariat kept informed
    (cal,) = calendars(out.raw)
    assert cal.get_param("charset") == "utf-8" and cal.get_param("method") == "REQUEST"
    assert "Financi" in cal.get_content()
    with Session(bot.engine) as s:
        recipients = s.exec(select(db.OutboxRecipient.address)).all()
    assert sorted(recipients) == sorted([ESTHER, ALKMAAR_SEC])  # counted for the daily limit


def test_cancel_sends_the_acknowledgement_with_a_calendar_cancel(bot) -> None:
    register_esther(bot, notify=True)
    _, mailed = apply_change(bot, StaffRequest(action="cancel", actor="bert", key=ESTHER, notify=True),
                             now=NOW + timedelta(hours=1))
    assert mailed == [ESTHER]
    ack = outbox(bot)[-1]
    assert ack.kind == "acknowledgement"
    (cal,) = calendars(ack.raw)
    assert cal.get_param("method") == "CANCEL"
    row = attendee(bot)
    assert (row.status, row.version) == ("cancelled", 2)
    with Session(bot.engine) as s:
        assert s.exec(select(db.AttendeeSession)).all() == []


def test_cancel_without_the_tick_mails_nobody(bot) -> None:
    register_esther(bot)
    apply_change(bot, StaffRequest(action="cancel", actor="bert", key=ESTHER), now=NOW)
    assert outbox(bot) == [] and attendee(bot).status == "cancelled"


def test_a_refused_change_leaves_nothing_behind(bot) -> None:
    register_esther(bot)
    before = counts(bot)
    req = StaffRequest(action="change", actor="bert", key=ESTHER, notify=True,
                       sessions=frozenset({"wal-en-schip", "jeugd-onderwijs-arbeidsmarkt"}))
    with pytest.raises(Refused, match="hetzelfde tijdvak"):
        apply_change(bot, req, now=NOW, version=1)
    assert counts(bot) == before
    assert attendee(bot).version == 1


def test_a_save_from_a_form_opened_before_another_save_is_refused(bot) -> None:
    register_esther(bot)
    opened = attendee(bot).version
    apply_change(bot, StaffRequest(action="change", actor="anna", key=ESTHER, remarks=("vegetarisch",)),
                 now=NOW, version=opened)
    before = counts(bot)
    with pytest.raises(StaleEdit, match="Iemand anders"):
        apply_change(bot, StaffRequest(action="change", actor="bert", key=ESTHER,
                                       sessions=frozenset({"statushouders"})), now=NOW, version=opened)
    assert counts(bot) == before
    row = attendee(bot)
    assert (json.loads(row.remarks), row.version) == (["vegetarisch"], opened + 1)


def test_a_staff_edit_of_a_mail_registration_keeps_how_it_came_in(bot) -> None:
    raw = (ROOT / "tests" / "corpus" / "002-gmail-personal-address-short-names" / "1.eml").read_bytes()
    service.process(bot, raw, now=NOW)
    key = "pieter.dejong@gmail.com"
    row = attendee(bot, key)
    assert (row.registered_via, row.version) == ("mail", 0)
    apply_change(bot, StaffRequest(action="change", actor="anna", key=key, remarks=("komt later",)),
                 now=NOW, version=0)
    row = attendee(bot, key)
    assert (row.registered_via, row.version, json.loads(row.remarks)) == ("mail", 1, ["komt later"])
    with Session(bot.engine) as s:
        actors = s.exec(select(db.History.actor, db.History.what).order_by(db.History.id)).all()
    assert actors == [(None, "new"), ("anna", "details")]


def test_within_a_callers_session_the_caller_commits(bot) -> None:
    with Session(bot.engine) as s, s.begin():
        req = with_invitee(StaffRequest(action="register", actor="anna", email=ESTHER,
                                        sessions=frozenset({"financien"})), bot.knowledge)
        apply_change(bot, req, now=NOW, s=s)
        s.rollback()
    assert counts(bot)["attendee"] == 0


def test_a_save_that_lands_while_another_is_being_decided_is_refused(bot, monkeypatch) -> None:
    """Both forms carry the same version and both pass the first check: the database lets one through."""
    import mailbot.changes as changes

    register_esther(bot)
    real = changes.decide_staff
    interfered = []

    def decide_while_bert_saves(registry, req, knowledge):
        if not interfered:
            interfered.append(True)
            apply_change(bot, StaffRequest(action="change", actor="bert", key=ESTHER, remarks=("glutenvrij",)),
                         now=NOW, version=1)
        return real(registry, req, knowledge)

    monkeypatch.setattr(changes, "decide_staff", decide_while_bert_saves)
    with pytest.raises(StaleEdit):
        apply_change(bot, StaffRequest(action="change", actor="anna", key=ESTHER,
                                       sessions=frozenset({"statushouders"})), now=NOW, version=1)
    row = attendee(bot)
    assert (json.loads(row.remarks), row.version) == (["glutenvrij"], 2)
    with Session(bot.engine) as s:
        assert s.exec(select(db.AttendeeSession.session_id)).all() == ["financien"]
        assert [a.actor for a in s.exec(select(db.StaffAction).order_by(db.StaffAction.id))] == ["anna", "bert"]
