"""Which sessions a piece of text chooses, and which it rules out.

A mention is a session named by title, id, alias, speaker or start time,
found in folded word tokens, with small typos tolerated (rapidfuzz, bounded
so that no ordinary word matches). Each mention is marked negated when a
negation cue stands before it in the same clause ("niet naar veiligheid",
"in plaats van Financiën") or a dropping cue follows it ("de borrel laat ik
schieten").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.fuzz import ratio

from mailbot.core.fold import BOUNDARY, Token, find_phrase, fold, tokenize, words
from mailbot.core.types import Event

FUZZY_MIN_SCORE = 88.0  # below this, typos like "finacien" still match; no corpus word does
FUZZY_MIN_LENGTH = 8  # shorter aliases ("ab", "borrel") must match exactly
NEGATION_WINDOW = 6  # words before a mention in which a negation cue counts
TRAILING_DROP = (("laat", "ik"), ("sla", "ik", "over"), ("laat", "ik", "schieten"), ("vervalt",),
                 ("kan", "ik", "niet"), ("hoeft", "niet"), ("niet",))
# Words that end a clause for negation purposes, besides punctuation.
CLAUSE_WORDS = frozenset({"wel", "maar", "but", "en", "and"})
_TIME = re.compile(r"\b(?:sessie|themasessie|themagroep|bijeenkomst|session)\s+(?:van|om|at|of)\s+(\d{1,2})[.:](\d{2})")


@dataclass(frozen=True)
class Mention:
    session: str
    token: int  # index of the first token of the match
    matched: str  # the words that matched, for explain
    how: str  # exact | fuzzy | time | inline
    negated: bool = False


def _alias_table(event: Event) -> list[tuple[tuple[str, ...], str]]:
    table: list[tuple[tuple[str, ...], str]] = []
    for s in event.sessions:
        names = {s.title, s.id.replace("-", " "), *s.aliases}
        for n in names:
            w = words(n)
            if w:
                table.append((w, s.id))
    table.sort(key=lambda x: -len(" ".join(x[0])))
    return table


_TABLES: dict[int, list[tuple[tuple[str, ...], str]]] = {}


def aliases(event: Event) -> list[tuple[tuple[str, ...], str]]:
    """Alias word tuples, longest first, cached per event."""
    key = id(event)
    if key not in _TABLES:
        _TABLES[key] = _alias_table(event)
    return _TABLES[key]


def session_words(event: Event) -> frozenset[str]:
    """Single words that name a session: never a person's name ("Ondernemerschap")."""
    return frozenset(w for alias, _ in aliases(event) for w in alias if len(w) > 3)


def find_mentions(text: str, event: Event, negations: tuple[tuple[str, ...], ...] = ()) -> list[Mention]:
    """Every session mention in `text`, in reading order."""
    tokens = tokenize(fold(text))
    return mentions_in_tokens(tokens, event, negations)


def mentions_in_tokens(tokens: list[Token], event: Event,
                       negations: tuple[tuple[str, ...], ...] = ()) -> list[Mention]:
    widx = [i for i, t in enumerate(tokens) if t.is_word]
    wtext = [tokens[i].text for i in widx]
    taken = [False] * len(wtext)
    found: list[Mention] = []
    for alias, sid in aliases(event):
        n = len(alias)
        for s in range(len(wtext) - n + 1):
            if any(taken[s:s + n]) or tuple(wtext[s:s + n]) != alias:
                continue
            for k in range(s, s + n):
                taken[k] = True
            found.append(Mention(sid, widx[s], " ".join(alias), "exact"))
    for alias, sid in aliases(event):
        joined = " ".join(alias)
        if len(joined) < FUZZY_MIN_LENGTH:
            continue
        n = len(alias)
        for s in range(len(wtext) - n + 1):
            if any(taken[s:s + n]) or wtext[s][0] != joined[0]:
                continue
            window = " ".join(wtext[s:s + n])
            if abs(len(window) - len(joined)) > 2:
                continue
            if ratio(window, joined) >= FUZZY_MIN_SCORE:
                for k in range(s, s + n):
                    taken[k] = True
                found.append(Mention(sid, widx[s], window, "fuzzy"))
    found.extend(_time_mentions(tokens, event))
    found.sort(key=lambda m: m.token)
    return [_with_negation(m, tokens, negations) for m in found]


def _time_mentions(tokens: list[Token], event: Event) -> list[Mention]:
    """"de sessie van 13.00 uur": a start time that only one session has."""
    if not tokens:
        return []
    text = " ".join(t.text for t in tokens)
    # rebuild offsets on the joined string to map back to a token index
    starts, pos = [], 0
    for t in tokens:
        starts.append(pos)
        pos += len(t.text) + 1
    out = []
    joined = text.replace(" . ", ".").replace(" : ", ":")
    for m in _TIME.finditer(joined):
        hh, mm = int(m.group(1)), int(m.group(2))
        hits = [s for s in event.sessions if s.start.hour == hh and s.start.minute == mm]
        if len(hits) == 1:
            word = m.group(0).split()[0]
            idx = next((i for i, t in enumerate(tokens) if t.text == word), 0)
            out.append(Mention(hits[0].id, idx, m.group(0), "time"))
    return out


def _with_negation(m: Mention, tokens: list[Token], negations: tuple[tuple[str, ...], ...]) -> Mention:
    # look back within the clause
    i = m.token - 1
    seen = 0
    back: list[int] = []
    while i >= 0 and seen < NEGATION_WINDOW:
        t = tokens[i]
        if t.text in BOUNDARY or t.text in CLAUSE_WORDS:
            break
        if t.is_word:
            back.append(i)
            seen += 1
        i -= 1
    if back:
        lo, hi = min(back), m.token - 1
        window = tokens[lo:hi + 1]
        for p in negations:
            if find_phrase(window, p):
                return Mention(m.session, m.token, m.matched, m.how, True)
    # look ahead to the end of the clause for a dropping cue ("laat ik schieten")
    j = m.token + 1
    ahead: list[Token] = []
    while j < len(tokens) and tokens[j].text not in BOUNDARY and tokens[j].text not in {"maar", "but", "wel"}:
        ahead.append(tokens[j])
        j += 1
    for p in TRAILING_DROP:
        spans = find_phrase(ahead, p)
        if spans and (p != ("niet",) or spans[0][0] <= 3):
            return Mention(m.session, m.token, m.matched, m.how, True)
    return m


_AFFIRM = re.compile(r"\b(ja|graag|deze|die|hier ook|ook bij|yes|ok|akkoord|aanwezig)\b")


def inline_mentions(full_text: str, event: Event, negations: tuple[tuple[str, ...], ...] = ()) -> list[Mention]:
    """Answers written between quoted lines ("Ja, deze graag." under a session).

    An unquoted block that sits between quoted lines and names no session
    itself, but affirms, chooses the last session named in the quoted lines
    just above it.
    """
    lines = full_text.splitlines()
    quoted = [ln.lstrip().startswith(">") for ln in lines]
    if not any(quoted):
        return []
    out: list[Mention] = []
    i = 0
    while i < len(lines):
        if quoted[i] or not lines[i].strip():
            i += 1
            continue
        j = i
        while j < len(lines) and not quoted[j]:
            j += 1
        before = [k for k in range(i) if quoted[k]]
        after = any(quoted[j:])
        block = "\n".join(lines[i:j])
        if before and after:
            own = find_mentions(block, event, negations)
            if own:
                out.extend(Mention(m.session, 0, m.matched, "inline", m.negated) for m in own)
            elif _AFFIRM.search(fold(block)) and not re.search(r"\b(niet|geen|nee|no)\b", fold(block)):
                start = max(before[-1] - 6, 0)
                above = "\n".join(ln.lstrip(" >") for k, ln in enumerate(lines[start:i], start) if quoted[k])
                prev = find_mentions(above, event)
                if prev:
                    out.append(Mention(prev[-1].session, 0, block.strip(), "inline"))
        i = j
    return out
