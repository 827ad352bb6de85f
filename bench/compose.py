"""CPU cost of one outgoing confirmation: its .ics and the composed message.

In-process, no servers. Times, per call, what service._process does for each
confirmation on realistic inputs (the shipped config.toml; an attendee with
accents in the name, one or two sessions, and a threaded original):

  ics          calendar.ics()
  message      compose.build() + add_attachment(.ics) + bytes(), bodies rendered beforehand
  confirmation compose_reply() (templates included) + ics() + add_attachment + bytes()

    .venv/bin/python bench/compose.py            # N = 500
    .venv/bin/python bench/compose.py --n 2000

CPU time (time.process_time), best of five rounds of N calls, so that other
work on the machine disturbs the figures less. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

from mailbot import config  # noqa: E402
from mailbot.core.types import Attendee, Knowledge, Mail, Reply  # noqa: E402
from mailbot.mail.calendar import filename, ics  # noqa: E402
from mailbot.mail.compose import build, compose_reply, facts, people_context, render  # noqa: E402

NOW = datetime(2017, 11, 16, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
ROUNDS = 5


def case(knowledge: Knowledge, i: int) -> tuple[Attendee, Reply, Mail]:
    """The i-th confirmation: its attendee, the decided reply and the mail it answers."""
    sessions = [s.id for s in knowledge.event.sessions]
    chosen = frozenset(sessions[i % len(sessions)::5][:2])
    who = Attendee(key=f"inv:{i}", name=f"Ayşe Öztürk {i}", role="wethouder", email=f"a{i}@alkmaar.nl",
                   municipality=knowledge.municipalities[i % len(knowledge.municipalities)].slug,
                   status="registered", sessions=chosen)
    person = {"name": who.name, "role": who.role, "municipality": who.municipality, "status": who.status,
              "sessions": sorted(chosen), "waitlist": [], "what": "new"}
    reply = Reply("confirmation", (f"a{i}@alkmaar.nl",), "confirmation", {"people": [person], "conflicts": {}})
    mail = Mail(message_id=f"<vraag{i}@alkmaar.nl>", from_addr=f"a{i}@alkmaar.nl", from_name=who.name,
                reply_to=(), to=("info@G32.nl",), cc=(), subject="Aanmelding netwerkdag – Öztürk", date=NOW,
                in_reply_to="<eerder@G32.nl>", references=("<begin@alkmaar.nl>", "<eerder@G32.nl>"))
    return who, reply, mail


def ms_per_call(fn, n: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        for i in range(n):
            fn(i)
        best = min(best, (time.process_time() - started) / n * 1000)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=500)
    n = ap.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        k = config.load(h.SHIPPED_CONFIG, storage=Path(tmp)).knowledge
    cases = [case(k, i) for i in range(n)]
    calendars = [ics(who, k, sequence=1, now=NOW) for who, _, _ in cases]
    bodies = [render("confirmation", {**facts(k), "people": people_context(reply.context["people"], k),
                                      "conflicts": [], "original_subject": mail.subject, "kind": "confirmation"})
              for _, reply, mail in cases]

    def one_ics(i: int) -> bytes:
        return ics(cases[i][0], k, sequence=i % 3, now=NOW)

    def message(i: int) -> bytes:
        who, reply, mail = cases[i]
        subject, text, html = bodies[i]
        out = build(kind="confirmation", to=reply.to, subject=subject, text=text, html=html, knowledge=k,
                    now=NOW, reply_to=mail)
        out.add_attachment(calendars[i], maintype="text", subtype="calendar", filename=filename(who),
                           params={"method": "REQUEST"})
        return bytes(out)

    def confirmation(i: int) -> bytes:
        who, reply, mail = cases[i]
        out = compose_reply(reply, mail, k, NOW)
        out.add_attachment(one_ics(i), maintype="text", subtype="calendar", filename=filename(who),
                           params={"method": "REQUEST"})
        return bytes(out)

    for fn in (one_ics, message, confirmation):
        fn(0)  # template compilation and first-use work outside the figures
    figures = {"ics_ms": ms_per_call(one_ics, n), "message_ms": ms_per_call(message, n),
               "confirmation_ms": ms_per_call(confirmation, n)}
    print(f"N = {n}, CPU ms per call, best of {ROUNDS} rounds, {h.load()}")
    print(f"  ics()                                           {figures['ics_ms']:7.3f}")
    print(f"  build + add_attachment(.ics) + bytes            {figures['message_ms']:7.3f}")
    print(f"  compose_reply + ics + add_attachment + bytes    {figures['confirmation_ms']:7.3f}")
    h.result("compose", n=n, **{key: round(v, 3) for key, v in figures.items()})


if __name__ == "__main__":
    main()
