"""Text folding and tokenising shared by the understanding modules.

Replies spell the same thing many ways (Financiën / financien / FINANCIEN,
onderwijs–arbeidsmarkt with an en dash, ’s middags with a curly quote). The
matchers compare folded word tokens so that spelling noise never decides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TRANSLATE = str.maketrans(
    {"ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "ł": "l", "đ": "d", "’": "'", "‘": "'",
     "–": "-", "—": "-", "\u00a0": " ", "\t": " | "}
)
_TOKEN = re.compile(r"\n|\w+|[^\w\s]")
BOUNDARY = frozenset(".,;:!?\n()|")
SENTENCE_END = frozenset({".", "!", "?", "\n", ";"})  # where a sentence (not a clause) ends


def fold(text: str) -> str:
    """Lower-case, accent-free text with uniform dashes and quotes."""
    # lower first: the table (and NFKD) only know the lower-case ø, æ, ł, ß
    text = text.lower().translate(_TRANSLATE)
    if text.isascii():  # nothing to decompose: most replies are plain ASCII
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # offset in the folded text
    is_word: bool


def tokenize(folded: str) -> list[Token]:
    """Words and punctuation (newlines kept: they end clauses and list items)."""
    return [Token(m.group(), m.start(), m.group()[0].isalnum() or m.group()[0] == "_")
            for m in _TOKEN.finditer(folded)]


def words(phrase: str) -> tuple[str, ...]:
    """The folded word tokens of a phrase, punctuation dropped."""
    return tuple(t.text for t in tokenize(fold(phrase)) if t.is_word)


def find_phrase(tokens: list[Token], phrase: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans (first, last token index) where `phrase` occurs as whole words.

    A "*" in the phrase stands for up to four words, so the lexicon can say
    "meld * af" for "meld ik burgemeester Bakker af".
    """
    return WordIndex(tokens).find(phrase)


class WordIndex:
    """The word tokens of a token list, indexed by word: many phrase look-ups, one pass.

    Looking up a phrase only tries the places where its first word occurs, so
    checking a lexicon of a hundred phrases against a sentence costs little
    more than reading the sentence once.
    """

    __slots__ = ("idx", "text", "at", "skip")

    def __init__(self, tokens: list[Token], skip: frozenset[str] = frozenset()) -> None:
        """`skip`: filler words a phrase may have inside it in the text without saying so
        ("moet ik deze keer passen" is "moet ik passen"); at most MAX_SKIPPED in a row."""
        self.skip = skip
        self.idx = [i for i, t in enumerate(tokens) if t.is_word]
        self.text = [tokens[i].text for i in self.idx]
        at: dict[str, list[int]] = {}
        for k, w in enumerate(self.text):
            at.setdefault(w, []).append(k)
        self.at = at

    def find(self, phrase: tuple[str, ...]) -> list[tuple[int, int]]:
        """Spans (first, last token index) of `phrase`, as find_phrase."""
        if not phrase:
            return []
        if phrase[0] == "*":
            raise ValueError("a phrase cannot start with *")
        out: list[tuple[int, int]] = []
        for s in self.at.get(phrase[0], ()):
            end = _match_from(self.text, s, phrase, self.skip)
            if end is not None:
                out.append((self.idx[s], self.idx[end]))
        return out

    def has(self, phrase: tuple[str, ...]) -> bool:
        return bool(self.find(phrase))


MAX_SKIPPED = 3  # filler words in a row a phrase may step over


def _match_from(text: list[str], s: int, phrase: tuple[str, ...],
                skip: frozenset[str] = frozenset()) -> int | None:
    if phrase[0] == "*":
        raise ValueError("a phrase cannot start with *")
    i = s
    for k, w in enumerate(phrase):
        if w == "*":
            continue
        if k > 0 and phrase[k - 1] == "*":
            for j in range(i, min(i + 5, len(text))):
                if text[j] == w:
                    i = j
                    break
            else:
                return None
        else:
            if k > 0 and skip:
                stepped = 0
                while i < len(text) and text[i] != w and text[i] in skip and stepped < MAX_SKIPPED:
                    i, stepped = i + 1, stepped + 1
            if i >= len(text) or text[i] != w:
                return None
        i += 1
    return i - 1


def has_phrase(tokens: list[Token], phrases: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    """The first of `phrases` that occurs, or None."""
    index = WordIndex(tokens)
    for p in phrases:
        if index.has(p):
            return p
    return None
