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
from dataclasses import dataclass, replace

from rapidfuzz.fuzz import ratio

from mailbot.core import describe, regret
from mailbot.core.fold import BOUNDARY, Token, WordIndex, fold, tokenize, words
from mailbot.core.types import Event

FUZZY_MIN_SCORE = 88.0  # below this, typos like "finacien" still match; no corpus word does
FUZZY_MIN_LENGTH = 8  # shorter aliases ("ab", "borrel") must match exactly
# A typo drops a letter or two ("finacien") or adds one ("onderneemerschap");
# a word two letters longer is another word ("financieren").
FUZZY_SHORTER = 2
FUZZY_LONGER = 1
NEGATION_WINDOW = 6  # words before a mention in which a negation cue counts
NO_MARKS = frozenset({"✘", "✗", "❌", "✖", "nee", "no"})
# a clause that points back at the one before ("..., daarvoor hoef ik niet te komen")
BACKREF = frozenset({"daarvoor", "daar", "daarbij", "daaraan", "daarheen", "hiervoor", "hierbij", "die", "dat",
                     "deze", "dit", "waarvoor", "waar"})
TRAILING_WINDOW = 16  # tokens after a mention in which a dropping cue ("laat ik schieten") counts
TRAILING_DROP = (("laat", "ik"), ("sla", "ik", "over"), ("laat", "ik", "schieten"), ("vervalt",),
                 ("kan", "ik", "niet"), ("hoeft", "niet"), ("niet",))
# Words that end a clause for negation purposes, besides punctuation.
CLAUSE_WORDS = frozenset({"wel", "maar", "but", "en", "and"})


@dataclass(frozen=True)
class Mention:
    session: str
    token: int  # index of the first token of the match
    matched: str  # the words that matched, for explain
    how: str  # exact | fuzzy | description | number | time | part | inline | mark | subject
    negated: bool = False
    cue: str = ""  # the words that ruled it out, for explain


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


_VOCAB: dict[int, tuple[Event, frozenset[str], frozenset[tuple[str, str]]]] = {}


def _alias_vocabulary(event: Event) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """Words of the titles and aliases, and the word pairs they contain (cached per event)."""
    hit = _VOCAB.get(id(event))
    if hit is None or hit[0] is not event:
        table = aliases(event)
        vocab = frozenset(w for alias, _ in table for w in alias if len(w) >= 5)
        pairs = frozenset((a, b) for alias, _ in table for a, b in zip(alias, alias[1:], strict=False))
        hit = _VOCAB[id(event)] = (event, vocab, pairs)
    return hit[1], hit[2]


def expand_abbreviations(tokens: list[Token], event: Event) -> list[Token]:
    """"soc. pijler", "fin.", "alg. bestuur", "reg. samenwerking": a word cut short and
    closed with a dot stands for the one title or alias word it begins (the one that
    forms an alias with the next word, where several do). Token positions stay the same."""
    vocab, pairs = _alias_vocabulary(event)
    out = tokens
    for i, t in enumerate(tokens):
        if not (t.is_word and 3 <= len(t.text) <= 6 and i + 1 < len(tokens) and tokens[i + 1].text == "."):
            continue
        if t.text in vocab or describe.zipf(t.text) >= 3.8:
            continue  # a word in its own right ("naar werk."), not a word cut short
        found = sorted(w for w in vocab if w.startswith(t.text))
        if not found:
            continue
        nxt = next((x.text for x in tokens[i + 2:i + 3] if x.is_word), None)
        paired = [w for w in found if (w, nxt) in pairs]
        if len(paired) == 1 or (not paired and len(found) == 1):
            if out is tokens:
                out = list(tokens)
            out[i] = Token((paired or found)[0], t.start, True)
    return out


_HEADS: dict[int, tuple[Event, dict[str, str]]] = {}


def title_heads(event: Event) -> dict[str, str]:
    """Words of a title that belong to that session alone ("jeugd", "aansluiting", "asiel"):
    after a meeting noun they name it ("de themasessie Jeugd", "het onderdeel Aansluiting").
    Cached per event."""
    hit = _HEADS.get(id(event))
    if hit is None or hit[0] is not event:
        owners: dict[str, set[str]] = {}
        for s in event.sessions:
            for name in (s.title, s.id.replace("-", " "), *s.aliases):
                for w in words(name):
                    owners.setdefault(w, set()).add(s.id)
        tails = set(event.compound_tails)
        heads = {w: next(iter(ids)) for w, ids in owners.items()
                 if len(ids) == 1 and len(w) >= 4 and w not in tails and w not in event.not_topics}
        hit = _HEADS[id(event)] = (event, heads)
    return hit[1]


def split_compounds(tokens: list[Token], event: Event) -> list[Token]:
    """"de veiligheidsgroep", "de jeugdsessie", "het financien-overleg": a session's word
    glued to a meeting noun (the lexicon's compound tails, with the Dutch linking -s- or a
    hyphen) stands for that word, when it is a word of the session titles and aliases.
    Token positions stay the same."""
    tails = event.compound_tails
    if not tails:
        return tokens
    vocab, _pairs = _alias_vocabulary(event)
    out = tokens
    for i, t in enumerate(tokens):
        w = t.text
        if not t.is_word or len(w) < 8 or w in vocab:
            continue
        for tail in tails:
            if not w.endswith(tail) or len(w) - len(tail) < 4:
                continue
            head = w[:-len(tail)]
            for candidate in (head, head[:-1] if head.endswith(("s", "-")) else None):
                if candidate and candidate in vocab:
                    if out is tokens:
                        out = list(tokens)
                    out[i] = Token(candidate, t.start, True)
                    break
            if out is not tokens and out[i] is not t:
                break
    return out


def find_mentions(text: str, event: Event, negations: tuple[tuple[str, ...], ...] = ()) -> list[Mention]:
    """Every session mention in `text`, in reading order. Remembered per text: the layout
    reader asks about the same lines (the quoted programme) in message after message."""
    key = (id(event), id(negations), text)
    hit = _FOUND.get(key)
    if hit is not None and hit[0] is event and hit[1] is negations:
        return list(hit[2])
    found = mentions_in_tokens(tokenize(fold(text)), event, negations)
    if len(_FOUND) >= FOUND_CACHE:
        _FOUND.clear()
    _FOUND[key] = (event, negations, tuple(found))
    return found


FOUND_CACHE = 4096  # texts remembered by find_mentions (cleared when full: memory stays bounded)
_FOUND: dict[tuple, tuple[Event, tuple, tuple[Mention, ...]]] = {}


def mentions_in_tokens(tokens: list[Token], event: Event,
                       negations: tuple[tuple[str, ...], ...] = ()) -> list[Mention]:
    """Titles and aliases (exact, then with small typos), then what `describe` finds:
    description terms, numbers, times, parts of the day, words cut short."""
    tokens = split_compounds(expand_abbreviations(tokens, event), event)
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
            if any(c.isdigit() for c in window) != any(c.isdigit() for c in joined):
                continue  # "werkgroep 2" is a number, not a typo of "werkgroep a"
            if ratio(window, joined) >= FUZZY_MIN_SCORE:
                for k in range(s, s + n):
                    taken[k] = True
                found.append((Mention(sid, widx[s], window, "fuzzy"), widx[s + n - 1]))
    # "de themasessie Jeugd": a meeting noun, then a word of one session's title alone
    heads, tails = title_heads(event), frozenset(event.compound_tails)
    for k in range(len(wtext) - 1):
        owner = heads.get(wtext[k + 1])
        if owner and wtext[k] in tails and not taken[k] and not taken[k + 1] and widx[k + 1] == widx[k] + 1:
            taken[k] = taken[k + 1] = True
            found.append((Mention(owner, widx[k], f"{wtext[k]} {wtext[k + 1]}", "exact"), widx[k + 1]))
    taken_tokens = {widx[k] for k, t in enumerate(taken) if t}
    named = [m.token for m, _end in found]
    for h in describe.resolve(tokens, event, taken_tokens, named):
        found.append((Mention(next(iter(h.sessions)), h.first, h.label, h.how), h.last))
    found.sort(key=lambda x: x[0].token)
    out: list[Mention] = []
    for k, (m, end) in enumerate(found):
        same = out and found[k - 1][0].token == m.token and found[k - 1][0].how == m.how
        if same:  # one phrase naming several sessions ("de ochtend"): one negation for all
            out.append(replace(m, negated=out[-1].negated))
            continue
        prev = (out[-1], found[k - 1][1]) if k else None
        next_start = found[k + 1][0].token if k + 1 < len(found) else len(tokens)
        out.append(_with_negation(m, end, tokens, negations, prev, next_start))
    out = _backref_negation(out, tokens)
    return parts_yield(_corrected(out, [e for _, e in found], tokens, negations), event)


def _corrected(mentions: list[Mention], ends: list[int], tokens: list[Token],
               negations: tuple[tuple[str, ...], ...]) -> list[Mention]:
    """Echoes share the previous mention's fate; a correction rules out what it takes back;
    a name used for another body ("raadscommissie Financiën") is no mention.

    A session taken back in favour of itself ("het AB, ik bedoel het Algemeen
    Bestuur") is only a repetition: that mention is dropped, the next one stands.
    """
    spans = [(m.token, e) for m, e in zip(mentions, ends, strict=True)]
    other = regret.named_otherwise(spans, tokens, regret.scopes(negations).other)
    if other:
        keep = [k for k in range(len(mentions)) if k not in other]
        mentions, spans, ends = [mentions[k] for k in keep], [spans[k] for k in keep], [ends[k] for k in keep]
    if len(mentions) < 2:
        return mentions
    out = list(mentions)
    for k, neg in regret.echoes(spans, tokens).items():
        out[k] = replace(out[k], negated=out[k - 1].negated if neg is None else neg)
    gone = regret.retracted(spans, tokens, regret.scopes(negations).retract)
    for k in gone:
        out[k] = replace(out[k], negated=True)
    return [m for k, m in enumerate(out) if k not in gone or m.session != out[k + 1].session]


def _backref_negation(mentions: list[Mention], tokens: list[Token]) -> list[Mention]:
    """"Het project van de Leer-werkmakelaar ken ik al, daarvoor hoef ik niet te komen":
    a clause that starts by pointing back and says no, names nothing itself, rules out
    what the clause before it named."""
    if not mentions:
        return mentions
    spans = describe.clauses(tokens)
    out = list(mentions)
    for i in range(1, len(spans)):
        lo, hi = spans[i]
        texts = {tokens[k].text for k in range(lo, hi + 1)}
        if tokens[lo].text not in BACKREF or not texts & {"niet", "geen", "not"}:
            continue
        if any(lo <= m.token <= hi for m in mentions):
            continue
        plo, phi = spans[i - 1]
        out = [replace(m, negated=True) if plo <= m.token <= phi else m for m in out]
    return out


def parts_yield(mentions: list[Mention], event: Event) -> list[Mention]:
    """A part of the day ("de ochtend") names no session in a slot where the text chose
    one itself ("de hele ochtend, om tien uur de sessie over wal en schip")."""
    if not any(m.how == "part" for m in mentions):
        return mentions
    keep = describe.parts_yield([(m.session, m.how, m.negated) for m in mentions], event)
    return [m for m, k in zip(mentions, keep, strict=True) if k]


_AND = frozenset({"en", "and", "&"})


def _lists_on(tokens: list[Token], j: int, next_start: int) -> bool:
    """Whether the "en" at `j` joins the next session to a list ("Veiligheid en de borrel
    laat ik schieten"), so that a cue after the list still covers the first one."""
    k = j + 1
    while k < len(tokens) and (not tokens[k].is_word or tokens[k].text in _ARTICLES) \
            and tokens[k].text not in BOUNDARY:
        k += 1
    return j < next_start <= k


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
    def by(cue: tuple[str, ...] | str) -> Mention:  # ruled out, with the words that did it (explain)
        return replace(m, negated=True, cue=cue if isinstance(cue, str) else " ".join(cue))
    if next_start is None:
        next_start = len(tokens)
    floor = prev[1] if prev else -1
    if prev is not None:
        between = {t.text for t in tokens[floor + 1:m.token]}
        if between & _LIST_JOIN and between <= _LIST_JOIN | _ARTICLES:
            return replace(m, negated=True, cue=prev[0].cue) if prev[0].negated else m
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
    sc = regret.scopes(negations)
    before: set[tuple[str, ...]] = set()  # the cues found before the mention
    if back:
        lo = min(back)
        # the cue may run into the mention's own first words: "niet de borrel"
        window = WordIndex(tokens[lo:end + 1])
        for p in sc.leading:
            if any(lo + a < m.token for a, _ in window.find(p)):
                return by(p)
        before = {pre for pre, _ in sc.frames if any(lo + a < m.token for a, _ in window.find(pre))}
    if before:
        # "streep de borrel (maar) door": the second half may stand after a "maar"
        k = end + 1
        while k < len(tokens) and tokens[k].text not in BOUNDARY and k < next_start:
            k += 1
        rest = WordIndex(tokens[end + 1:k])
        for pre, post in sc.frames:
            if pre in before and rest.has(post):
                return by(pre + ("...",) + post)
    # a no-mark right behind the name: "financien ✘", "AB (nee)"
    k = end + 1
    while k < len(tokens) and k <= end + 3 and tokens[k].text in ("(", ")", ":", "-", "="):
        k += 1
    if k < len(tokens) and k <= end + 3 and tokens[k].text in NO_MARKS:
        return by(tokens[k].text)
    # look ahead to the end of the clause for a dropping cue ("laat ik schieten")
    j = end + 1
    stop = min(len(tokens), end + 1 + TRAILING_WINDOW)  # bounded: reading stays linear in the text
    while j < stop and tokens[j].text not in BOUNDARY and tokens[j].text not in {"maar", "but", "wel"}:
        if tokens[j].text in _AND and not _lists_on(tokens, j, next_start):
            break  # "het AB en wethouder Smits is verhinderd": the cue is about the next part
        j += 1
    ahead = WordIndex(tokens[end + 1:j])
    if regret.double_negative(ahead.text):
        return m
    for p in TRAILING_DROP + sc.trailing:
        for a, _ in ahead.find(p):
            if end + 1 + a < next_start < j:
                continue  # the cue stands before the next mention: it is that one's
            if p != ("niet",) or a <= 5:
                return by(p)
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
