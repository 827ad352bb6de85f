"""The reach of regret, negation and correction cues over the sessions they govern.

Dutch rules a session out in many shapes besides "niet naar X": the cue may
stand after the session ("het AB sla ik over", "voor de borrel ben ik helaas
verhinderd", "de themagroep X had ik graag bijgewoond, maar ..."), around it
("streep de borrel door"), or take back what was just written ("financien, nee
sorry, ondernemerschap"; "statushouders, ik bedoel wonen"). The lexicon's
negation list says which shape each phrase has, with X standing for the
session and Y for the session that replaces it:

- ``niet naar`` or ``jammer dat X``: the cue governs the session after it;
- ``X sla ik over``: the cue governs the session(s) before it in its clause;
- ``streep X door``: both halves around the session;
- ``X nee sorry Y``: the cue between two sessions retracts the first one;
- ``raadscommissie Z``: the session's name right after it names another body.

This module parses those shapes once and applies the two that need a view of
all mentions at once: retraction and an echo ("het AB sla ik over, en de
borrel ook": the echoed session shares the previous one's fate). It imports
nothing of sessions.py, so that module can call it; mentions are handled
through a small protocol of (token, end, negated).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from mailbot.core.fold import BOUNDARY, Token, WordIndex

SLOT = "x"  # the session a phrase is about
NEXT = "y"  # the session that replaces it (a retraction)
OTHER = "z"  # a session's name used for something else ("raadscommissie Financien")
# Words an echoed mention may stand among: "en de borrel ook", "het AB evenmin".
ECHO = frozenset({"ook", "eveneens", "evenmin", "too", "also", "either"})
ECHO_ALWAYS_NEGATES = frozenset({"evenmin", "either"})
_JOINERS = frozenset({"en", "and", "de", "het", "the", "ook"})
RETRACT_GAP = 6  # at most this many words between a retracted session and its replacement
# A cue between two sessions retracts only when nothing in the gap adds a session of its own.
_NOT_A_GAP = frozenset({"en", "and", "ook", "also"})


# "niet" before a word of missing out says the opposite: "de borrel wil ik niet missen".
_MISSING_OUT = frozenset({"missen", "mis", "overslaan", "over", "schieten", "lopen", "voorbijgaan", "voorbij",
                          "ontgaan", "ontlopen"})


def double_negative(words: list[str]) -> bool:
    """Whether the words after a session deny missing it ("mis ik niet", "wil ik niet missen")."""
    if "niet" not in words:
        return False
    at = words.index("niet")
    return bool(_MISSING_OUT & set(words[at + 1:at + 4])) or (
        at > 0 and words[at - 1] == "ik" and bool(_MISSING_OUT & set(words[max(0, at - 3):at])))


@dataclass(frozen=True)
class Scopes:
    """The lexicon's negation phrases sorted by where the session stands."""

    leading: tuple[tuple[str, ...], ...]  # cue, then the session
    trailing: tuple[tuple[str, ...], ...]  # the session, then the cue
    frames: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # cue, session, cue
    retract: tuple[tuple[str, ...], ...]  # session, cue, replacing session
    other: tuple[tuple[str, ...], ...] = ()  # words right before a name that make it another body's


@lru_cache(maxsize=32)
def scopes(negations: tuple[tuple[str, ...], ...]) -> Scopes:
    """Sort prepared negation phrases (word tuples) by the place of X and Y in them.

    >>> s = scopes((("niet", "naar"), ("x", "sla", "ik", "over"), ("x", "nee", "sorry", "y")))
    >>> s.leading, s.trailing, s.retract
    ((('niet', 'naar'),), (('sla', 'ik', 'over'),), (('nee', 'sorry'),))
    """
    leading: list[tuple[str, ...]] = []
    trailing: list[tuple[str, ...]] = []
    frames: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    retract: list[tuple[str, ...]] = []
    other: list[tuple[str, ...]] = []
    for p in negations:
        if p and p[-1] == OTHER:
            if p[:-1]:
                other.append(p[:-1])
            continue
        if SLOT not in p:
            leading.append(p)
            continue
        at = p.index(SLOT)
        pre, post = p[:at], p[at + 1:]
        if post and post[-1] == NEXT:
            if post[:-1]:
                retract.append(post[:-1])
        elif pre and post:
            frames.append((pre, post))
        elif pre:
            leading.append(pre)
        elif post:
            trailing.append(post)
    return Scopes(tuple(leading), tuple(trailing), tuple(frames), tuple(retract), tuple(other))


def named_otherwise(spans: list[tuple[int, int]], tokens: list[Token], prefixes: tuple[tuple[str, ...], ...]) -> set[int]:
    """Mentions that name another body, not a session: "onze raadscommissie Financiën",
    "portefeuille Financiën". They are reasons or titles, neither chosen nor ruled out."""
    out: set[int] = set()
    for k, (first, _last) in enumerate(spans):
        # right before, with nothing in between: "wethouder | Ondernemerschap" in a table is two cells
        before = tokens[max(0, first - 4):first]
        if any(len(p) <= len(before) and all(t.is_word for t in before[len(before) - len(p):])
               and tuple(t.text for t in before[len(before) - len(p):]) == p for p in prefixes):
            out.add(k)
    return out


def retracted(spans: list[tuple[int, int]], tokens: list[Token], cues: tuple[tuple[str, ...], ...]) -> set[int]:
    """Which mentions (by position in `spans`, each (first, last) token) a correction takes back.

    A mention is retracted when the next mention follows within a few words
    and a correction cue stands between them: "Financiën, nee sorry,
    Ondernemerschap". The replacement stands; an "en" in the gap means a list,
    not a correction ("Financiën, sorry voor de late reactie, en de borrel").
    """
    out: set[int] = set()
    if not cues:
        return out
    for k in range(len(spans) - 1):
        gap = tokens[spans[k][1] + 1:spans[k + 1][0]]
        gap_words = [t.text for t in gap if t.is_word]
        if not gap_words or len(gap_words) > RETRACT_GAP or set(gap_words) & _NOT_A_GAP:
            continue
        index = WordIndex(gap)
        if any(index.has(c) for c in cues):
            out.add(k)
    return out


def echoes(spans: list[tuple[int, int]], tokens: list[Token]) -> dict[int, bool | None]:
    """Mentions that only echo the one before: position -> negated (None: as the previous one).

    "Het AB sla ik over, en de borrel ook": the clause of "de borrel" holds
    nothing but joiners and an echo word, so the borrel shares the AB's fate.
    "De borrel evenmin" is negated whatever came before.
    """
    out: dict[int, bool | None] = {}
    for k in range(1, len(spans)):
        first, last = spans[k]
        i = first - 1
        while i > spans[k - 1][1] and tokens[i].text not in BOUNDARY:
            if tokens[i].is_word and tokens[i].text not in _JOINERS:
                break
            i -= 1
        if i > spans[k - 1][1] and tokens[i].text not in BOUNDARY:
            continue  # a word of its own before the session: not an echo
        after: list[str] = []
        j = last + 1
        while j < len(tokens) and tokens[j].text not in BOUNDARY:
            if tokens[j].is_word:
                after.append(tokens[j].text)
                if tokens[j].text not in ECHO:
                    break  # a word of its own: no echo (and no scan to the clause's end)
            j += 1
        if not after or not set(after) <= ECHO:
            continue
        out[k] = True if set(after) & ECHO_ALWAYS_NEGATES else None
    return out
