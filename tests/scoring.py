"""Compare an exported state with a corpus case's expectations, in process.

This mirrors compare() in ../shared/tools/score-corpus (the acceptance
scorer; the format is in ../shared/contract/README.md) so that tests can judge
a case without spawning the CLI. Keep the two in step: names are compared
without case, accents, punctuation or titles; attendees match one to one
(municipality, status and sessions always, email and role only where the case
gives them); the replies sent are exactly the expected (to, kind) pairs, the
address compared without case and found among the recipients; `review` is
whether anything is up for staff review (a review item or an attendee flagged
needs_review). `null` for a part of the expectations means: not compared.
"""

from __future__ import annotations

import re
import unicodedata

FOLD = str.maketrans({"ı": "i", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "ł": "l", "Ł": "L", "đ": "d"})
REPLY_KINDS = frozenset({"confirmation", "acknowledgement", "clarification"})
TITLES = frozenset({
    "dhr", "mw", "mevr", "mevrouw", "heer", "de heer", "drs", "dr", "mr", "ir", "ing",
    "prof", "bc", "ba", "msc", "ma", "burgemeester", "wethouder", "loco-burgemeester",
})


def norm_name(name: str | None) -> str:
    """A name as the scorer compares it: "Dhr. drs. Jan Bos" -> "jan bos"."""
    if not name:
        return ""
    text = name.translate(FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[.,()]", " ", text)
    text = " ".join(w for w in text.split() if w not in TITLES)
    return text.removeprefix("de heer ")


def compare(expect: dict, state: dict) -> list[str]:
    """Every way `state` (the export JSON) differs from `expect`; [] when the case passes."""
    problems: list[str] = []
    attendees = state.get("attendees", [])

    want = expect.get("attendees")
    if want is not None:
        got = {norm_name(a.get("name")): a for a in attendees}
        if len(got) != len(attendees):
            problems.append("two exported attendees share a name")
        for w in want:
            a = got.pop(norm_name(w["name"]), None)
            if a is None:
                problems.append(f"missing attendee {w['name']!r}")
                continue
            for key in ("municipality", "status", "email", "role"):
                if key not in w:
                    continue
                have, expected = a.get(key) or None, w[key] or None
                if key == "email" and (have or "").lower() == (expected or "").lower():
                    continue
                if have != expected:
                    problems.append(f"{w['name']}: {key} {a.get(key)!r}, expected {w[key]!r}")
            have_s, want_s = sorted(a.get("sessions") or []), sorted(w.get("sessions") or [])
            if have_s != want_s:
                problems.append(f"{w['name']}: sessions {have_s}, expected {want_s}")
        for extra in got.values():
            problems.append(f"unexpected attendee {extra.get('name')!r} ({extra.get('status')})")

    want_replies = expect.get("replies")
    if want_replies is not None:
        unmatched = [o for o in state.get("outbox", []) if o.get("kind") in REPLY_KINDS]
        for r in want_replies:
            hit = next((o for o in unmatched if o.get("kind") == r["kind"]
                        and r["to"].lower() in [t.lower() for t in o.get("to", [])]), None)
            if hit is None:
                problems.append(f"no {r['kind']} to {r['to']}")
            else:
                unmatched.remove(hit)
        for o in unmatched:
            problems.append(f"unexpected {o.get('kind')} to {', '.join(o.get('to', []))}")

    want_review = expect.get("review")
    if want_review is not None:
        got_review = bool(state.get("review")) or any(a.get("needs_review") for a in attendees)
        if got_review != want_review:
            problems.append(f"review {got_review}, expected {want_review}")
    return problems
