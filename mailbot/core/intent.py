"""What a piece of text wants: register, decline, cancel, thank, ask.

Cues are the lexicon's phrases (rules/lexicon.toml) found as whole words in
folded text. The result lists every cue that hit, so the decision can weigh
them (sessions chosen beat a stray "helaas niet") and `explain` can show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot.core.fold import SENTENCE_END, Token, WordIndex, words
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
        self.by_kind = {k: prepare(getattr(lexicon, k)) for k in KINDS}
        # a decline or withdrawal said of one session rules out that session
        # ("voor het AB ben ik verhinderd", "ik meld mij af voor de borrel"): the
        # phrases govern the session on either side of them, within its clause
        said_no = tuple(dict.fromkeys(self.by_kind["decline"] + self.by_kind["cancel"]))
        self.negation = prepare(lexicon.negation) + said_no + tuple(("x", *p) for p in said_no)
        self.on_behalf = prepare(lexicon.on_behalf)
        self.not_cues = prepare(lexicon.not_cues)
        self.requests = prepare(lexicon.requests)
        self.fillers = frozenset(w for f in lexicon.fillers for w in words(f))
        # after "dan" the verb comes first: "ik kom" is said "dan kom ik", "ik ben erbij" "dan ben ik erbij"
        self._inverted = tuple((p[1], p[0], *p[2:]) for p in self.by_kind["register"]
                               if len(p) >= 2 and p[0] in _SUBJECTS and p[1] != "*")
        # first word -> (kind, place in the kind's list, phrase): a text is only
        # checked for the phrases whose first word it contains
        self._first: dict[str, list[tuple[str, int, tuple[str, ...]]]] = {}
        for kind, phrases in self.by_kind.items():
            for pos, p in enumerate(phrases):
                if p:
                    self._first.setdefault(p[0], []).append((kind, pos, p))

    def cues(self, tokens: list[Token]) -> Cues:
        index = WordIndex(tokens, self.fillers)
        # "zo spoedig mogelijk" holds "mogelijk" but is not tentative: a cue inside one of
        # these phrases does not count
        masked = {k for p in self.not_cues for a, b in index.find(p) for k in range(a, b + 1)}
        found: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for w in index.at:
            for kind, pos, p in self._first.get(w, ()):
                if index.has(p) and (not masked or any(
                        not masked.issuperset(range(a, b + 1)) for a, b in index.find(p))):
                    found.setdefault(kind, []).append((pos, p))
        acts = any(found.get(k) for k in ("register", "decline", "cancel", "change"))
        hits: dict[str, tuple[str, ...]] = {}
        for kind in self.by_kind:
            phrases = tuple(" ".join(p) for _, p in sorted(found.get(kind, ())))
            if kind == "question" and any(t.text == "?" for t in tokens):
                # "Wilt u mijn naam van de lijst halen?" asks us to act, it asks nothing
                if acts and any(index.find(p) for p in self.requests):
                    continue
                phrases = phrases + ("?",)
            elif kind == "question" and phrases:
                phrases = ()  # question words without a question mark are not a question
            if kind == "tentative" and self._attendance_on_condition(tokens):
                phrases = phrases + (CONDITIONAL,)
            if phrases:
                hits[kind] = phrases
        return Cues(hits)

    def _attendance_on_condition(self, tokens: list[Token]) -> bool:
        """Coming stated as the consequence of a condition: "Gaat de raad niet door, dan kom
        ik graag", "Lukt het, dan ben ik erbij". The clause after ", dan" holds a registration
        cue; what came before it is the condition, so the answer is not yet a yes.

        Only a registration counts: "Mocht er iets wijzigen, dan laat ik het weten" is a
        promise, not a doubt about coming."""
        for k in range(len(tokens) - 2):
            if tokens[k].text != "," or tokens[k + 1].text != "dan":
                continue
            end = k + 2
            while end < len(tokens) and tokens[end].text not in SENTENCE_END:
                end += 1
            clause = WordIndex(tokens[k + 2:end], self.fillers)
            if any(clause.has(p) for p in self.by_kind["register"] + self._inverted):
                return True
        return False


CONDITIONAL = "…, dan kom ik"  # the cue `explain` shows for an attendance on a condition
_SUBJECTS = frozenset({"ik", "wij", "we"})


def prepare(items: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Lexicon phrases as folded word tuples; "*" (up to four words) is kept as a word."""
    return tuple(tuple(w for part in p.split() for w in (("*",) if part == "*" else words(part)))
                 for p in items)


def person_words(tokens: list[Token]) -> tuple[bool, bool]:
    """(first person, third person) pronouns present."""
    w = {t.text for t in tokens if t.is_word}
    return bool(w & FIRST_PERSON), bool(w & THIRD_PERSON)
