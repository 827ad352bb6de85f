"""Mail that only sends our own words back.

An auto-responder without Auto-Submitted (or a careless forward) may return our
clarification or confirmation with nothing added. Answering it asks the same question
again, and the responder answers that: a loop of one mail a reply. Such a message is
recognised by what remains of its new text once the sentences of our own templates,
and the lists our mails print (sessions, people, dates), are taken out: no words of the
sender's own means nothing to answer.
"""

from __future__ import annotations

import re

from mailbot.core.fold import words

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
MIN_FRAGMENT_WORDS = 3  # a fixed sentence part of ours at least this long is recognised
MAX_OWN_WORDS = 3  # new words beyond ours that still count as no words of the sender's own


def fragments(template_texts: list[str]) -> tuple[tuple[str, ...], ...]:
    """The fixed word runs of our templates (the parts between the placeholders)."""
    out = set()
    for text in template_texts:
        for part in _JINJA.split(text):
            for line in part.splitlines():
                w = words(line)
                if len(w) >= MIN_FRAGMENT_WORDS:
                    out.add(w)
    return tuple(sorted(out, key=len, reverse=True))


_LISTED = re.compile(r"^\s*(?:[-*•]|\d+\.)\s")  # "- 4. Themagroep Financiën (...)": a line our lists print


def is_echo(new_text: str, known: frozenset[str], own: tuple[tuple[str, ...], ...]) -> bool:
    """True when `new_text` holds at least two sentences of ours and, beside them, the
    lines our lists print and words our mails fill in (`known`: the event, dates, names,
    sessions), no more than a few words."""
    lines = [ln for ln in new_text.splitlines() if ln.strip() and not _LISTED.match(ln)]
    text = " " + " ".join(" ".join(words(ln)) for ln in lines) + " "
    if not text.strip():
        return False
    found = 0
    for frag in own:
        needle = " " + " ".join(frag) + " "
        if needle in text:
            found += text.count(needle)
            text = text.replace(needle, " ")
    if found < 2:
        return False
    rest = [w for w in text.split() if w not in known and not w.isdigit()]
    return len(rest) <= MAX_OWN_WORDS


_KNOWN: dict[int, tuple[object, frozenset[str]]] = {}
MONTHS_AND_DAYS = ("januari februari maart april mei juni juli augustus september oktober november december "
                   "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag heer mevrouw geachte beste uur")


def known_words(knowledge) -> frozenset[str]:
    """Words our mails fill into the templates: the event, its sessions, the people and
    places we know, dates."""
    hit = _KNOWN.get(id(knowledge))
    if hit is None or hit[0] is not knowledge:
        ev = knowledge.event
        texts = [ev.name, ev.venue, ev.sender_name, ev.address, MONTHS_AND_DAYS,
                 *(s.title for s in ev.sessions), *(m.name for m in knowledge.municipalities),
                 *(i.name for i in knowledge.invitees), *(i.role or "" for i in knowledge.invitees),
                 *knowledge.lexicon.roles]
        hit = _KNOWN[id(knowledge)] = (knowledge, frozenset(w for t in texts for w in words(t)))
    return hit[1]
