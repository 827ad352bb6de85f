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
from bisect import bisect_right
from dataclasses import dataclass, replace

from rapidfuzz.fuzz import ratio

from mailbot.core.fold import BOUNDARY, Token, WordIndex, fold, tokenize, words
from mailbot.core.types import Event

FUZZY_MIN_SCORE = 88.0  # below this, typos like "finacien" still match; no corpus word does
FUZZY_MIN_LENGTH = 8  # shorter aliases ("ab", "borrel") must match exactly
# A typo drops a letter or two ("finacien") or adds one ("onderneemerschap");
# a word two letters longer is another word ("financieren").
FUZZY_SHORTER = 2
FUZZY_LONGER = 1
NEGATION_WINDOW = 6  # words before a mention in which a negation cue counts
TRAILING_DROP = (("laat", "ik"), ("sla", "ik", "over"), ("laat", "ik", "schieten"), ("vervalt",),
                 ("kan", "ik", "niet"), ("hoeft", "niet"), ("niet",))
# Words that end a clause for negation purposes, besides punctuation.
CLAUSE_WORDS = frozenset({"wel", "maar", "but", "en", "and"})


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


# Per-event caches keyed by id(); the event is kept with its entry, so a
# later event can never reuse the id of one that has been freed.
_TABLES: dict[int, tuple[Event, list[tuple[tuple[str, ...], str]], frozenset[str]]] = {}


def _tables(event: Event) -> tuple[Event, list[tuple[tuple[str, ...], str]], frozenset[str]]:
    hit = _TABLES.get(id(event))
    if hit is None or hit[0] is not event:
        table = _alias_table(event)
        hit = (event, table, frozenset(w for alias, _ in table for w in alias if len(w) > 3))
        _TABLES[id(event)] = hit
    return hit


def aliases(event: Event) -> list[tuple[tuple[str, ...], str]]:
    """Alias word tuples, longest first, cached per event."""
    return _tables(event)[1]


def session_words(event: Event) -> frozenset[str]:
    """Single words that name a session: never a person's name ("Ondernemerschap")."""
    return _tables(event)[2]


def find_mentions(text: str, event: Event, negations: tuple[tuple[str, ...], ...] = ()) -> list[Mention]:
    """Every session mention in `text`, in reading order."""
    tokens = tokenize(fold(text))
    return mentions_in_tokens(tokens, event, negations)


def mentions_in_tokens(tokens: list[Token], event: Event,
                       negations: tuple[tuple[str, ...], ...] = ()) -> list[Mention]:
    index = WordIndex(tokens)
    widx, wtext = index.idx, index.text
    taken = [False] * len(wtext)
    found: list[tuple[Mention, int]] = []  # (mention, index of its last token)
    table = aliases(event)
    for alias, sid in table:
        n = len(alias)
        for s in index.at.get(alias[0], ()):
            if s + n > len(wtext) or any(taken[s:s + n]) or tuple(wtext[s:s + n]) != alias:
                continue
            for k in range(s, s + n):
                taken[k] = True
            found.append((Mention(sid, widx[s], " ".join(alias), "exact"), widx[s + n - 1]))
    by_initial: dict[str, list[int]] = {}
    prefix = [0]  # prefix[k]: total length of the first k words, to size a window without joining it
    for k, w in enumerate(wtext):
        by_initial.setdefault(w[0], []).append(k)
        prefix.append(prefix[-1] + len(w))
    for alias, sid in table:
        joined = " ".join(alias)
        if len(joined) < FUZZY_MIN_LENGTH:
            continue
        n = len(alias)
        for s in by_initial.get(joined[0], ()):
            if s + n > len(wtext):
                continue
            size = prefix[s + n] - prefix[s] + n - 1
            if not -FUZZY_SHORTER <= size - len(joined) <= FUZZY_LONGER or any(taken[s:s + n]):
                continue
            window = " ".join(wtext[s:s + n])
            if ratio(window, joined) >= FUZZY_MIN_SCORE:
                for k in range(s, s + n):
                    taken[k] = True
                found.append((Mention(sid, widx[s], window, "fuzzy"), widx[s + n - 1]))
    found.extend(_time_mentions(tokens, event))
    found.sort(key=lambda x: x[0].token)
    out: list[Mention] = []
    for k, (m, end) in enumerate(found):
        prev = (out[-1], found[k - 1][1]) if k else None
        next_start = found[k + 1][0].token if k + 1 < len(found) else len(tokens)
        out.append(_with_negation(m, end, tokens, negations, prev, next_start))
    return out


_TIME = re.compile(r"\b(?:sessie|themasessie|themagroep|bijeenkomst|session)\s+(?:van|om|at|of)\s+"
                   r"(\d{1,2}) ?[.:] ?(\d{2})\b")


def _time_mentions(tokens: list[Token], event: Event) -> list[tuple[Mention, int]]:
    """"de sessie van 13.00 uur": a start time that only one session has."""
    if not tokens:
        return []
    # the tokens joined by single spaces, with each token's offset in that string
    starts: list[int] = []
    pos = 0
    for t in tokens:
        starts.append(pos)
        pos += len(t.text) + 1
    joined = " ".join(t.text for t in tokens)
    out = []
    for m in _TIME.finditer(joined):
        hh, mm = int(m.group(1)), int(m.group(2))
        hits = [s for s in event.sessions if s.start.hour == hh and s.start.minute == mm]
        if len(hits) == 1:
            first = bisect_right(starts, m.start()) - 1
            last = bisect_right(starts, m.end() - 1) - 1
            out.append((Mention(hits[0].id, first, " ".join(m.group(0).split()), "time"), last))
    return out


# Words that may join two mentions under one negation: "niet naar veiligheid of de sociale pijler".
_LIST_JOIN = frozenset({"of", "or", "noch", "nor", "/", "&"})
_ARTICLES = frozenset({"de", "het", "the"})


def _with_negation(m: Mention, end: int, tokens: list[Token], negations: tuple[tuple[str, ...], ...],
                   prev: tuple[Mention, int] | None = None, next_start: int | None = None) -> Mention:
    """Mark `m` negated by a cue before it in its clause, or a dropping cue after it.

    `prev` is the mention just before (with its last token index): a cue before
    that mention belongs to it, not to this one ("in plaats van Financiën graag
    Statushouders"), except across a bare "of" ("geen AB of borrel").
    `next_start` is where the next mention starts: a trailing "niet" in front of
    it belongs to that mention ("Financiën en niet de borrel").
    """
    negated = replace(m, negated=True)
    if next_start is None:
        next_start = len(tokens)
    floor = prev[1] if prev else -1
    if prev is not None:
        between = {t.text for t in tokens[floor + 1:m.token]}
        if between & _LIST_JOIN and between <= _LIST_JOIN | _ARTICLES:
            return negated if prev[0].negated else m
    # look back within the clause, no further than the previous mention
    i = m.token - 1
    seen = 0
    back: list[int] = []
    while i > floor and seen < NEGATION_WINDOW:
        t = tokens[i]
        if t.text in BOUNDARY or t.text in CLAUSE_WORDS:
            break
        if t.is_word:
            back.append(i)
            seen += 1
        i -= 1
    if back:
        lo = min(back)
        # the cue may run into the mention's own first words: "niet de borrel"
        window = WordIndex(tokens[lo:end + 1])
        for p in negations:
            if any(lo + a < m.token for a, _ in window.find(p)):
                return negated
    # look ahead to the end of the clause for a dropping cue ("laat ik schieten")
    j = end + 1
    while j < len(tokens) and tokens[j].text not in BOUNDARY and tokens[j].text not in {"maar", "but", "wel"}:
        j += 1
    ahead = WordIndex(tokens[end + 1:j])
    for p in TRAILING_DROP:
        for a, _ in ahead.find(p):
            if end + 1 + a < next_start < j:
                continue  # the cue stands before the next mention: it is that one's
            if p != ("niet",) or a <= 3:
                return negated
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
