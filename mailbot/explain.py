"""`mailbot explain`: what the bot read in a message and why, for staff.

Runs the same understand and decide functions as the pipeline against the
current registry, and writes nothing.
"""

from __future__ import annotations

from sqlmodel import Session

from mailbot import store
from mailbot.core.decide import decide
from mailbot.core.mailparse import parse
from mailbot.core.understand import understand
from mailbot.service import Bot

# the kind of evidence behind a session, in the words staff read
HOW = {"exact": "titel of alias", "fuzzy": "titel met tikfout", "description": "uit de beschrijving",
       "number": "nummer", "time": "begintijd", "part": "dagdeel", "inline": "antwoord in het citaat",
       "mark": "markering", "subject": "onderwerpregel", "quote": "markering in het citaat",
       "strike": "doorgestreept"}

def explain_message(bot: Bot, raw: bytes) -> dict:
    msg = parse(raw)
    reading = understand(msg, raw, bot.knowledge)
    with Session(bot.engine) as s:
        decision = decide(store.registry_view(s), reading, bot.knowledge)  # reads only whom it asks for
    c = reading.classification
    return {
        "message_id": reading.mail.message_id,
        "from": reading.mail.from_addr,
        "subject": reading.mail.subject,
        "classification": {"kind": c.kind, "rule": c.rule, "reason": c.reason},
        "text_source": reading.text_source,
        "new_text": reading.new_text,
        "sender": {"municipality": reading.sender.municipality, "how": reading.sender.how,
                   "invitee": reading.sender.invitee.name if reading.sender.invitee else None},
        "cues": {k: list(v) for k, v in reading.cues.hits.items()},
        "people": [
            {"name": p.name, "role": p.role, "municipality": p.municipality, "on_invitee_list": p.on_invitee_list,
             "is_sender": p.is_sender, "evidence": list(p.evidence), "remarks": list(p.remarks),
             "cues": {k: list(v) for k, v in p.cues.hits.items()},
             "sessions": [{"session": m.session, "matched": m.matched, "how": m.how, "negated": m.negated,
                           "cue": m.cue}
                          for m in p.mentions]}
            for p in reading.people
        ],
        "decision": {
            "outcome": decision.outcome,
            "rules": list(decision.rules),
            "attendees": [{"name": ch.attendee.name, "status": ch.attendee.status,
                           "sessions": sorted(ch.attendee.sessions), "what": ch.what,
                           "remarks": list(ch.attendee.remarks)} for ch in decision.changes],
            "replies": [{"kind": r.kind, "to": list(r.to)} for r in decision.replies],
            "review": [{"reason": r.reason, "summary": r.summary} for r in decision.review],
        },
        "problems": list(reading.problems),
    }


def as_text(r: dict) -> str:
    lines = [
        f"Bericht   {r['message_id']} van {r['from']}",
        f"Onderwerp {r['subject']}",
        f"Soort     {r['classification']['kind']} ({r['classification']['rule']}: {r['classification']['reason']})",
        f"Afzender  gemeente {r['sender']['municipality'] or '-'} (via {r['sender']['how']})"
        + (f", genodigde {r['sender']['invitee']}" if r["sender"]["invitee"] else ""),
        "", "Nieuwe tekst:", *("  | " + ln for ln in r["new_text"].splitlines()), "",
    ]
    if r["cues"]:
        lines.append("Signalen: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in r["cues"].items()))
    for p in r["people"]:
        lines.append(f"Persoon   {p['name']} ({p['role'] or '-'}, {p['municipality'] or '-'})"
                     + (" [afzender]" if p["is_sender"] else "") + ("" if p["on_invitee_list"] else " [niet op lijst]"))
        for remark in p.get("remarks", ()):
            lines.append(f"  opmerking {remark}")
        for m in p["sessions"]:
            how = HOW.get(m["how"], m["how"])
            dropped = (f", valt af door '{m['cue']}'" if m.get("cue") else ", valt af") if m["negated"] else ""
            lines.append(f"  sessie {m['session']:<28} '{m['matched']}' ({how}{dropped})")
    d = r["decision"]
    lines += ["", f"Besluit   {d['outcome']} (regels: {', '.join(d['rules']) or '-'})"]
    for a in d["attendees"]:
        lines.append(f"  {a['name']}: {a['status']} {', '.join(a['sessions'])} [{a['what']}]")
    for rep in d["replies"]:
        lines.append(f"  antwoord: {rep['kind']} aan {', '.join(rep['to'])}")
    for rv in d["review"]:
        lines.append(f"  ter controle: {rv['reason']} {rv['summary']}")
    for p in r["problems"]:
        lines.append(f"  let op: {p}")
    return "\n".join(lines)
