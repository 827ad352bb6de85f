"""What a piece of text wants: register, decline, cancel, thank, ask.

Cues are the lexicon's phrases (rules/lexicon.toml) found as whole words in
folded text. The result lists every cue that hit, so the decision can weigh
them (sessions chosen beat a stray "helaas niet") and `explain` can show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot.core.fold import Token, find_phrase, words
from mailbot.core.types import Lexicon

KINDS = ("register", "decline", "cancel", "change", "thanks", "question", "tentative")
FIRST_PERSON = frozenset({"ik", "mij", "me", "mijn", "i", "my", "myself", "wij", "we", "ons"})
THIRD_PERSON = frozenset({"zij", "hij", "haar", "hem", "ze", "she", "he", "her", "him", "his", "zijn"})


@dataclass(frozen=True)
class Cues:
    hits: dict[str, tuple[str, ...]]  # kind -> phrases that occurred

    def has(self, kind: str) -> bool:
        return bool(self.hits.get(kind))

    def merged(self, other: Cues) -> Cues:
        keys = set(self.hits) | set(other.hits)
        return Cues({k: tuple(dict.fromkeys(self.hits.get(k, ()) + other.hits.get(k, ()))) for k in keys})


NONE = Cues({})


class PhraseBook:
    """The lexicon's phrases as word tuples, prepared once."""

    def __init__(self, lexicon: Lexicon) -> None:
        def prep(items: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
            return tuple(tuple(p.split()) if "*" in p else words(p) for p in items)

        self.by_kind = {k: prep(getattr(lexicon, k)) for k in KINDS}
        self.negation = prep(lexicon.negation)
        self.on_behalf = prep(lexicon.on_behalf)

    def cues(self, tokens: list[Token]) -> Cues:
        hits: dict[str, tuple[str, ...]] = {}
        for kind, phrases in self.by_kind.items():
            found = tuple(" ".join(p) for p in phrases if find_phrase(tokens, p))
            if kind == "question" and any(t.text == "?" for t in tokens):
                found = found + ("?",)
            elif kind == "question" and found:
                found = ()  # question words without a question mark are not a question
            if found:
                hits[kind] = found
        return Cues(hits)


def person_words(tokens: list[Token]) -> tuple[bool, bool]:
    """(first person, third person) pronouns present."""
    w = {t.text for t in tokens if t.is_word}
    return bool(w & FIRST_PERSON), bool(w & THIRD_PERSON)
