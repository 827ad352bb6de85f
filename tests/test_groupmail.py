"""One mail to a group, without the desk: who gets it, what it says, and never twice.

What staff and recipients notice: declined, cancelled and bounced people get
nothing; a registered person gets it at their own address with their
secretariat copied; the mail greets them by name, carries the staff text
exactly (never as HTML) and our usual signature; the same send twice queues
nothing new.
"""

from __future__ import annotations

import email
import json
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot import config, db, groupmail, service
from mailbot.core.types import Attendee, Invitee, Knowledge, Registry

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2017, 11, 20, 10, 0, tzinfo=UTC)

ANNA = Invitee("Anna Bakker", "wethouder", "zwolle", "a.bakker@zwolle.nl", "secretariaat@zwolle.nl")
BERT = Invitee("Bert Mulder", "burgemeester", "almere", "b.mulder@almere.nl", "secretariaat@almere.nl")
CEES = Invitee("Cees Visser", "wethouder", "almere", "c.visser@almere.nl", None)
DINA = Invitee("Dina Smit", "wethouder", "leiden", "d.smit@leiden.nl", "secretariaat@leiden.nl")
EVA = Invitee("Eva de Wit", "wethouder", "leiden", "e.dewit@leiden.nl", "secretariaat@leiden.nl")
INVITEES = (ANNA, BERT, CEES, DINA, EVA)


def person(inv: Invitee | None, status: str = "registered", sessions=(), *, email_: str | None = None,
           by: str | None = None, name: str = "", key: str = "") -> Attendee:
    address = email_ if email_ is not None else (inv.email if inv else None)
    return Attendee(key=key or (address or name), name=name or (inv.name if inv else ""), role=None,
                    email=address, municipality=inv.municipality if inv else None, status=status,
                    sessions=frozenset(sessions), registered_by=by or address,
                    addresses=frozenset(x for x in (address, by) if x))


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory) -> Knowledge:
    return config.load(REPO / "config.toml", storage=tmp_path_factory.mktemp("groupmail")).knowledge


def registry() -> Registry:
    return Registry((
        person(ANNA, sessions=("financien", "netwerkborrel")),
        person(BERT, "declined"),
        person(CEES, "cancelled"),
        person(DINA, sessions=("netwerkborrel",), by="secretariaat@leiden.nl"),
    ))


def test_all_registered_leaves_out_declined_and_cancelled_and_copies_the_secretariat():
    recs = groupmail.recipients("registered", registry(), INVITEES, frozenset())
    assert [(r.to, r.cc, r.names) for r in recs] == [
        ("a.bakker@zwolle.nl", ("secretariaat@zwolle.nl",), ("Anna Bakker",)),
        ("d.smit@leiden.nl", ("secretariaat@leiden.nl",), ("Dina Smit",)),
    ]


def test_a_session_audience_is_only_who_is_registered_for_it():
    recs = groupmail.recipients("session:financien", registry(), INVITEES, frozenset())
    assert [r.to for r in recs] == ["a.bakker@zwolle.nl"]
    waiting = Registry((Attendee("k", "Fien Kok", None, "f.kok@x.nl", None, "registered",
                                 waitlist=frozenset({"financien"})),))
    assert groupmail.recipients("session:financien", waiting, (), frozenset()) == []


def test_unanswered_is_the_reminders_audience_with_the_secretariat_copied():
    recs = groupmail.recipients("unanswered", registry(), INVITEES, frozenset())
    assert [(r.to, r.cc) for r in recs] == [("e.dewit@leiden.nl", ("secretariaat@leiden.nl",))]


def test_bounced_addresses_are_skipped_and_a_bounced_secretariat_is_not_copied():
    recs = groupmail.recipients("unanswered", registry(), INVITEES, frozenset({"e.dewit@leiden.nl"}))
    assert recs == []
    recs = groupmail.recipients("registered", registry(), INVITEES, frozenset({"secretariaat@zwolle.nl"}))
    assert recs[0].to == "a.bakker@zwolle.nl" and recs[0].cc == ()


def test_without_an_own_address_the_mail_goes_to_who_registered_them_without_copying_them_twice():
    reg = Registry((
        person(None, sessions=("netwerkborrel",), email_="", by="secretariaat@leiden.nl", name="Gijs Gast",
               key="gijs"),
        person(None, sessions=("netwerkborrel",), email_="", by="secretariaat@leiden.nl", name="Hanna Gast",
               key="hanna"),
    ))
    recs = groupmail.recipients("registered", reg, INVITEES, frozenset())
    assert [(r.to, r.cc, r.names) for r in recs] == [("secretariaat@leiden.nl", (), ("Gijs Gast", "Hanna Gast"))]


def test_the_same_form_is_the_same_send_and_a_changed_text_is_another(knowledge):
    a = groupmail.clean_draft("registered", " Zaal  gewijzigd ", "Eerste regel\r\n\r\nTweede regel  \r\n", knowledge)
    b = groupmail.clean_draft("registered", "Zaal gewijzigd", "Eerste regel\n\nTweede regel", knowledge)
    c = groupmail.clean_draft("registered", "Zaal gewijzigd", "Eerste regel\n\nDerde regel", knowledge)
    d = groupmail.clean_draft("unanswered", "Zaal gewijzigd", "Eerste regel\n\nTweede regel", knowledge)
    assert a == b and a.send_id == b.send_id
    assert len({a.send_id, c.send_id, d.send_id}) == 3


@pytest.mark.parametrize("audience, subject, text, message", [
    ("", "Onderwerp", "Tekst", "Kies aan wie"),
    ("session:bestaat-niet", "Onderwerp", "Tekst", "Kies aan wie"),
    ("registered", "  ", "Tekst", "onderwerp"),
    ("registered", "Onderwerp", " \r\n ", "tekst"),
])
def test_an_incomplete_form_is_refused_in_dutch(knowledge, audience, subject, text, message):
    with pytest.raises(groupmail.Invalid, match=message):
        groupmail.clean_draft(audience, subject, text, knowledge)


def test_the_mail_greets_by_name_keeps_the_staff_text_as_text_and_signs_like_the_others(knowledge):
    draft = groupmail.clean_draft("registered", "Zaal gewijzigd", "De <b>zaal</b> is 2.14 & niet 1.10.\n\nTot dan.",
                                  knowledge)
    rec = groupmail.Recipient("a.bakker@zwolle.nl", ("secretariaat@zwolle.nl",), ("Anna Bakker",), ("wethouder",))
    msg = email.message_from_bytes(bytes(groupmail.compose(draft, rec, knowledge, NOW)), policy=policy.default)
    assert msg["Subject"] == "Zaal gewijzigd"
    assert msg["To"] == "a.bakker@zwolle.nl" and msg["Cc"] == "secretariaat@zwolle.nl"
    assert msg["Auto-Submitted"] == "auto-generated" and msg["X-Mailbot-Kind"] == "group"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = msg.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Geachte wethouder Bakker,\n\nDe <b>zaal</b> is 2.14 & niet 1.10.\n\nTot dan.\n")
    assert "Met vriendelijke groet" in text and knowledge.event.address in text
    assert "<p>Geachte wethouder Bakker,</p>" in html
    nobody = groupmail.Recipient("x@zwolle.nl", (), ("Anna Bakker",))  # function unknown
    assert groupmail.render_mail(draft, nobody, knowledge)[1].startswith("Geachte heer/mevrouw Bakker,")
    assert "De &lt;b&gt;zaal&lt;/b&gt; is 2.14 &amp; niet 1.10." in html and "<b>" not in html
    assert "<p>Tot dan.</p>" in html and "Met vriendelijke groet" in html


def test_a_mail_for_several_people_greets_them_politely_without_names(knowledge):
    draft = groupmail.clean_draft("registered", "Zaal", "Tekst", knowledge)
    rec = groupmail.Recipient("secretariaat@leiden.nl", (), ("Gijs Gast", "Hanna Gast"))
    _, text, html = groupmail.render_mail(draft, rec, knowledge)
    assert text.startswith("Geachte heer, mevrouw,\n") and "Gijs" not in text


def test_line_breaks_in_the_staff_text_survive_in_the_html(knowledge):
    assert groupmail.paragraphs("a\nb\n\n\n\nc") == [["a", "b"], ["c"]]


@pytest.fixture
def bot(tmp_path):
    cfg = config.load(REPO / "config.toml", storage=tmp_path / "storage")
    b = service.open_bot(cfg)
    yield b
    b.readers.close()


def _register(bot, inv_email: str, name: str, status: str = "registered", sessions=()) -> None:
    with Session(bot.engine) as s, s.begin():
        a = db.Attendee(key=inv_email, name=name, email=inv_email, status=status, registered_by=inv_email,
                        addresses=json.dumps([inv_email]), created_at=NOW, updated_at=NOW)
        s.add(a)
        s.flush()
        for sid in sessions:
            s.add(db.AttendeeSession(attendee_id=a.id, session_id=sid, created_at=NOW))


def test_sending_queues_one_mail_each_once_and_records_who_sent_it(bot):
    inv = bot.knowledge.invitees[0]
    _register(bot, inv.email, inv.name, sessions=("financien",))
    draft = groupmail.clean_draft("session:financien", "Zaal gewijzigd", "Zaal 2.14.", bot.knowledge)
    with Session(bot.engine) as s:
        before = groupmail.preview(s, bot.knowledge, draft)
        assert len(before.recipients) == 1 and before.already == 0
        assert s.exec(select(db.Outbox)).all() == []  # a preview queues nothing
    first = groupmail.send(bot.engine, bot.knowledge, draft, actor="anna", now=NOW)
    again = groupmail.send(bot.engine, bot.knowledge, draft, actor="bert", now=NOW)
    assert (first.queued, first.already) == (1, 0) and (again.queued, again.already) == (0, 1)
    with Session(bot.engine) as s:
        rows = s.exec(select(db.Outbox)).all()
        assert [(json.loads(r.to), r.kind, r.dedupe) for r in rows] == [
            ([inv.email, inv.secretary_email], "group", f"group:{draft.send_id}:{inv.email}")]
        assert groupmail.preview(s, bot.knowledge, draft).already == 1
        past = groupmail.history(s)
    assert [(p.actor, p.count, p.subject) for p in past] == [("anna", 1, "Zaal gewijzigd")]
    assert "sessie" in past[0].audience and "Financi" in past[0].audience


def test_someone_new_in_the_group_gets_the_mail_sent_before_and_only_they(bot):
    a, b = bot.knowledge.invitees[:2]
    _register(bot, a.email, a.name)
    draft = groupmail.clean_draft("registered", "Parkeren", "Parkeren kan achter het stadhuis.", bot.knowledge)
    groupmail.send(bot.engine, bot.knowledge, draft, actor="anna", now=NOW)
    _register(bot, b.email, b.name)
    later = groupmail.send(bot.engine, bot.knowledge, draft, actor="anna", now=NOW)
    assert (later.queued, later.already) == (1, 1)
    with Session(bot.engine) as s:
        assert sorted(json.loads(r.to)[0] for r in s.exec(select(db.Outbox)).all()) == sorted([a.email, b.email])


def test_a_colleague_sending_the_same_mail_at_the_same_moment_queues_nothing_twice(bot, monkeypatch):
    """The second desk read the outbox before the first one's send was committed."""
    inv = bot.knowledge.invitees[0]
    _register(bot, inv.email, inv.name)
    draft = groupmail.clean_draft("registered", "Parkeren", "Parkeren kan achter het stadhuis.", bot.knowledge)
    groupmail.send(bot.engine, bot.knowledge, draft, actor="anna", now=NOW)
    real, stale = groupmail._already, [True]

    def read_before_the_other_commit(s, d, recs):
        return set() if stale and stale.pop() else real(s, d, recs)

    monkeypatch.setattr(groupmail, "_already", read_before_the_other_commit)
    second = groupmail.send(bot.engine, bot.knowledge, draft, actor="bert", now=NOW)
    assert (second.queued, second.already) == (0, 1)
    with Session(bot.engine) as s:
        assert len(s.exec(select(db.Outbox)).all()) == 1
        assert [p.actor for p in groupmail.history(s)] == ["anna"]


def test_the_counts_on_the_form_are_the_numbers_of_mails_each_audience_gets(tmp_path):
    """The form's counts (one pass) equal what sending would queue, audience by audience."""
    from datetime import UTC, datetime

    from sqlmodel import Session

    from mailbot import config, groupmail
    from mailbot.changes import StaffRequest, apply_change
    from mailbot.service import open_bot

    bot = open_bot(config.load(Path(__file__).resolve().parent.parent / "config.toml", storage=tmp_path / "s"))
    try:
        at = datetime(2017, 11, 20, 9, tzinfo=UTC)
        people = [("Kees Arend", "k.arend@almere.nl", {"financien", "algemeen-bestuur"}),
                  ("Mila Thuis", "m.thuis@almere.nl", {"financien"}),
                  ("Ruud Vos", None, {"statushouders"})]
        for name, email, sessions in people:
            apply_change(bot, StaffRequest("register", "anna", name=name, email=email, municipality="almere",
                                           sessions=frozenset(sessions),
                                           extra_addresses=() if email else ("secretariaat@almere.nl",)),
                         now=at)
        with Session(bot.engine) as s:
            counts = groupmail.audience_counts(s, bot.knowledge)
            from mailbot import store
            from mailbot.jobs import bounced

            reg, gone = store.registry(s), bounced(s)
            for value, _ in groupmail.audiences(bot.knowledge):
                assert counts[value] == len(groupmail.recipients(value, reg, bot.knowledge.invitees, gone)), value
        assert counts["session:financien"] == 2 and counts["session:wal-en-schip"] == 0
    finally:
        bot.readers.close()
