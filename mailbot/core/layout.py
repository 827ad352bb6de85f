"""Answers carried by layout rather than by sentences.

People answer the invitation by filling things in: a table with a mark per
person per session, a mark typed behind a programme line of the quoted
invitation ("<-- ja", ">> graag", a red "JA"), a box ticked in front of a line
("[X] Financiën"), a session struck through in HTML (withdrawn), or only the
subject line ("RE: Uitnodiging ... - graag Denktank en borrel"). Each of these
is read here as a kind, by its shape, never by a case's wording:

* a *mark* is a cell or a line's tail that holds nothing but a yes or a no
  (X, v, ✓, ja, graag / nee, -, ✘, helaas niet); anything more is text and is
  left to the sentence reader;
* a *table* is a run of lines with cells (tab or " | " separated): rows that
  name a session and columns of marks (a column per person, or one column for
  the writer), or columns that name a session and a row of marks per person;
* a *programme line* is a line that holds a session name and, apart from a
  bullet, a time and the title, only a mark (behind it, or a box in front);
* struck-through text (rendered "~~...~~" by core.text) withdraws the
  sessions it names.

The module is pure: text and the event in, mentions out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from mailbot.core.fold import Token, fold, tokenize
from mailbot.core.sessions import Mention, find_mentions
from mailbot.core.types import Event

__all__ = ["YES", "NO", "EMPTY", "TEXT", "Answer", "classify_mark", "initials", "initials_in", "line_answer", "quoted_answers",
           "names_session", "read_units", "strike", "subject_text", "table_units"]

YES, NO, EMPTY, TEXT = "yes", "no", "empty", "text"

#: Symbols that alone make a mark.
YES_SYMBOLS = frozenset("xv✓✔☑☒✅+●■")
NO_SYMBOLS = frozenset("-✘✗✕❌☐□o0")
#: Words that make a mark; FILLER words may stand beside them ("ja, graag", "ik kom").
YES_WORDS = frozenset({"ja", "yes", "jawel", "graag", "ok", "oke", "okay", "akkoord", "aanwezig", "present",
                       "wel", "deelname", "zeker", "prima", "kom", "x", "v"})
NO_WORDS = frozenset({"nee", "neen", "no", "niet", "geen", "afwezig", "nvt", "verhinderd", "helaas", "not"})
STRONG_YES = YES_WORDS - {"kom", "wel", "zeker"}  # a yes on its own; the others only beside one
FILLER = frozenset({"graag", "ik", "kom", "dit", "deze", "die", "svp", "aub", "er", "bij", "ook", "wel",
                    "zeker", "s.v.p", "please", "is", "de", "het", "hier", "then", "dan"})
MAX_MARK_WORDS = 5

# "<--", "<==", "<<", "←", "->": an arrow that points a mark at its line
_ARROW = re.compile(r"(?:<-+|<=+|<<+|←|⇐|-+>|=+>|>>+)")
_BULLET = re.compile(r"^\s*(?:[-*•·▪o]|\d{1,2}[.)]|[a-z][.)])\s+", re.I)
_BOX = re.compile(r"^\s*(?:\[\s*(?P<mark>[xXvV✓✔*])?\s*\]|\((?P<pmark>[xXvV✓✔])\)|(?P<sym>[☑☒✅☐□]))\s*")
_TIME = r"\d{1,2}[.:]\d{2}"
_TIME_PREFIX = re.compile(
    r"^\s*(?:(?:om|van|vanaf|at)\s+)?\(?" + _TIME + r"(?:\s*(?:[-–—]|tot|t/m)\s*" + _TIME + r")?\)?"
    r"\s*(?:uur|u\.?|h)?\s*[:|-]?\s*", re.I)
_TIME_BITS = re.compile(r"\(?\s*(?:van\s+|om\s+)?" + _TIME + r"(?:\s*(?:[-–—]|tot)\s*" + _TIME + r")?"
                        r"\s*(?:uur|u\.?)?\s*\)?", re.I)
_PAREN = re.compile(r"\([^()]*\)")
_CELL_SPLIT = re.compile(r"\t| \| |\|(?=\s*$)")
_JOIN = frozenset({"en", "and", "&", "+", "/", ",", "of", "plus"})
_LEAD = frozenset({"de", "het", "the", "sessie", "session"})
_QUOTE_PREFIX = re.compile(r"^\s*((?:>\s?)+)")
_STRIKE = "~~"


@dataclass(frozen=True)
class Answer:
    """Sessions a line or cell answers yes or no to."""

    sessions: tuple[str, ...]
    value: str  # YES | NO
    text: str  # the line, for explain
    people: tuple[str, ...] = ()  # whose answer, when the mark is people's initials ("JdV, SV")


# ---------------------------------------------------------------------------
# marks


def classify_mark(text: str, *, arrow: bool = False) -> str:
    """YES, NO, EMPTY or TEXT for a table cell or the tail of a programme line.

    `arrow`: the tail was pointed at its line with an arrow, so a bare
    "deze" or "graag" counts as yes.

    >>> classify_mark("X"), classify_mark("nee"), classify_mark(""), classify_mark("ja, graag")
    ('yes', 'no', 'empty', 'yes')
    """
    s = _PAREN.sub(" ", text).strip()
    arrow = arrow or bool(_ARROW.search(s))
    s = _ARROW.sub(" ", s)
    s = s.strip(" \t:;,.!|=*_\"'`[](){}")
    if not s:
        return EMPTY
    if len(s) == 1 or (len(s) <= 3 and len(set(s.lower())) == 1):
        c = s[0].lower()
        if c in YES_SYMBOLS:
            return YES
        if c in NO_SYMBOLS or c in "–—":
            return NO
    folded = fold(s).replace(".", "")
    if folded.strip(" -–—") == "" and folded:
        return NO
    tokens = [t.text for t in tokenize(folded)]
    words = [t for t in tokens if t[0].isalnum()]
    symbols = [t for t in tokens if not t[0].isalnum() and t not in ",;:!-"]
    if any(sym not in YES_SYMBOLS and sym not in NO_SYMBOLS for sym in symbols):
        return TEXT
    if not words:
        if symbols and all(sym in YES_SYMBOLS for sym in symbols):
            return YES
        if symbols and all(sym in NO_SYMBOLS for sym in symbols):
            return NO
        return TEXT
    if len(words) > MAX_MARK_WORDS:
        return TEXT
    if any(w in NO_WORDS for w in words) and all(w in NO_WORDS | FILLER | YES_WORDS for w in words):
        return NO
    if all(w in YES_WORDS | FILLER for w in words) and (arrow or any(w in STRONG_YES for w in words)):
        return YES
    return TEXT


# ---------------------------------------------------------------------------
# programme lines


def _word_spans(line: str) -> tuple[str, list[Token], list[tuple[int, int]]]:
    """The folded line, its tokens, and (start, end) offsets of each word token."""
    folded = fold(line)
    tokens = tokenize(folded)
    return folded, tokens, [(t.start, t.start + len(t.text)) for t in tokens]


def _mention_ends(mentions: list[Mention], tokens: list[Token]) -> list[tuple[int, int]]:
    """(start, end) offsets in the folded line of each mention's matched words."""
    out = []
    for m in mentions:
        n = max(1, len(m.matched.split()))
        k = m.token
        seen = 0
        end = tokens[k].start + len(tokens[k].text) if k < len(tokens) else 0
        while k < len(tokens) and seen < n:
            if tokens[k].is_word:
                seen += 1
                end = tokens[k].start + len(tokens[k].text)
            k += 1
        out.append((tokens[m.token].start if m.token < len(tokens) else 0, end))
    return out


def line_answer(line: str, event: Event, *, quoted: bool = False,
                who: dict[str, str] | None = None) -> Answer | None:
    """The answer a single programme-like line carries, or None when it is a sentence.

    "Themagroep Financiën: ja", "- Algemeen Bestuur (15.30)  nee",
    "11.15 uur  Themagroep Financiën  <-- ja", "[X] Netwerkborrel". With
    `quoted` (a line of the quoted invitation) only an explicit mark counts:
    an empty box there is the original's, not the writer's. `who` maps
    people's keys to their names: a tail of their initials ("JdV + SV")
    answers yes for them.
    """
    raw = line.strip()
    if not raw or len(raw) > 300:
        return None
    box = None
    body = _BULLET.sub("", raw, count=1)
    m = _BOX.match(body)
    if m:
        sym = m.group("mark") or m.group("pmark") or m.group("sym") or ""
        box = YES if sym and sym not in "☐□" else NO
        body = body[m.end():]
    body = _TIME_PREFIX.sub("", body, count=1)
    if m is None:
        m2 = _BOX.match(body)
        if m2:
            sym = m2.group("mark") or m2.group("pmark") or m2.group("sym") or ""
            box = YES if sym and sym not in "☐□" else NO
            body = body[m2.end():]
    arrow = _ARROW.search(body)
    head = body[:arrow.start()] if arrow else body
    mentions = _named(find_mentions(head, event))
    if not mentions:
        return None
    folded, tokens, _ = _word_spans(head)
    spans = _mention_ends(mentions, tokens)
    before = folded[:spans[0][0]]
    between = [folded[spans[i][1]:spans[i + 1][0]] for i in range(len(spans) - 1)]
    tail_head = folded[spans[-1][1]:]
    if not arrow:
        lead = [t.text for t in tokenize(before) if t.is_word]
        if any(w not in _LEAD and w not in _kind_words(event) for w in lead):
            return None
        for gap in between:
            gap_words = {t.text for t in tokenize(_TIME_BITS.sub(" ", gap)) if t.text not in "()"}
            if not gap_words <= _JOIN | _LEAD | {"|", ";"}:
                return None
    tail = _TIME_BITS.sub(" ", tail_head if not arrow else body[arrow.start():])
    value = classify_mark(tail, arrow=bool(arrow))
    sessions = tuple(dict.fromkeys(x.session for x in mentions))
    if value == TEXT and who:
        keys = initials_in(tail, who)
        if keys:
            return Answer(sessions, YES, raw, keys)
    if value not in (YES, NO):
        if value == EMPTY and box is not None and not (quoted and box == NO):
            value = box
        else:
            return None
    elif box is not None and box != value:
        return None  # "[ ] Financiën ja": contradicts itself
    return Answer(sessions, value, raw)


def quoted_answers(quoted_text: str, event: Event, who: dict[str, str] | None = None) -> list[Answer]:
    """Marks the writer typed into the quoted programme.

    Lines of the quoted text (any quote depth up to one level, or the
    unindented original below a reply header) that carry a mark; a line that
    is only a mark ("JA", "<-- ja") answers the nearest line above it that
    names a session, within the same block of lines. `who` as for
    line_answer: initials of the people named in the new text.
    """
    out: list[Answer] = []
    last: tuple[int, tuple[str, ...]] | None = None  # (line index, sessions) of the last programme line
    for i, raw in enumerate(quoted_text.splitlines()):
        qm = _QUOTE_PREFIX.match(raw)
        depth = qm.group(1).count(">") if qm else 0
        line = raw[qm.end():] if qm else raw
        if depth > 1:
            last = None
            continue
        if not line.strip():
            last = None
            continue
        ans = line_answer(line, event, quoted=True, who=who)
        if ans is not None:
            out.append(ans)
            last = (i, ans.sessions)
            continue
        named = [x.session for x in _named(find_mentions(_ARROW.split(line)[0], event))]
        if named:
            last = (i, tuple(dict.fromkeys(named)))
            continue
        if last is not None and i - last[0] <= 2:
            value = classify_mark(line, arrow=bool(_ARROW.search(line)))
            if value in (YES, NO) and (len(line.strip()) <= 40):
                out.append(Answer(last[1], value, line.strip()))
                last = None
    return out


_PARTICLES = frozenset({"van", "de", "der", "den", "het", "ter", "ten", "te", "la", "le", "von", "op", "in", "'t"})
_INITIALS_SPLIT = re.compile(r"\s*(?:[,;/&+]|\ben\b|\band\b)\s*|\s+", re.I)


def initials(name: str) -> frozenset[str]:
    """The ways a name's initials are written, folded and without dots.

    >>> sorted(initials("Jan-Willem de Vries"))
    ['jdv', 'jv', 'jwdv', 'jwv']
    """
    parts = fold(name).replace(".", " ").split()
    if len(parts) < 2:
        return frozenset()
    first = [p[0] for p in re.split(r"-", parts[0]) if p]
    rest = [p[0] for p in parts[1:] if p]
    rest_core = [p[0] for p in parts[1:] if p and p not in _PARTICLES]
    out = {"".join(f + r) for f in (first, first[:1]) for r in (rest, rest_core)}
    return frozenset(x for x in out if len(x) >= 2 and x.isalpha())


def initials_in(tail: str, who: dict[str, str]) -> tuple[str, ...]:
    """The people whose initials make up all of `tail` ("JdV, SV"), or () when anything else is there."""
    table: dict[str, set[str]] = {}
    for key, name in who.items():
        for x in initials(name):
            table.setdefault(x, set()).add(key)
    s = _ARROW.sub(" ", _PAREN.sub(" ", tail)).strip(" \t:;,.!|-–—")
    if not s:
        return ()
    keys: list[str] = []
    for part in _INITIALS_SPLIT.split(s):
        part = fold(part).replace(".", "").strip()
        if not part:
            continue
        hit = table.get(part)
        if not hit or len(hit) != 1:
            return ()
        keys.append(next(iter(hit)))
    return tuple(dict.fromkeys(keys))


# ---------------------------------------------------------------------------
# tables


def _cells(line: str) -> list[str] | None:
    if "\t" not in line and "|" not in line:
        return None
    parts = [c.strip() for c in _CELL_SPLIT.split(line.rstrip())]
    if len(parts) < 2:
        return None
    return parts


def _sessions_in(cell: str, event: Event) -> tuple[str, ...]:
    if not cell.strip():
        return ()
    found = _named([m for m in find_mentions(cell, event) if not m.negated])
    return tuple(dict.fromkeys(m.session for m in found))


_KIND_WORDS: dict[int, tuple[Event, frozenset[str]]] = {}


def _kind_words(event: Event) -> frozenset[str]:
    """Words several session titles share ("themagroep", "pijler"): they say what kind, not which."""
    hit = _KIND_WORDS.get(id(event))
    if hit is None or hit[0] is not event:
        seen: dict[str, int] = {}
        for s in event.sessions:
            for w in set(tokenize(fold(s.title))):
                if w.is_word:
                    seen[w.text] = seen.get(w.text, 0) + 1
        hit = _KIND_WORDS[id(event)] = (event, frozenset(w for w, n in seen.items() if n > 1 and len(w) > 3))
    return hit[1]


def _named(mentions: list[Mention]) -> list[Mention]:
    """Mentions by name; a time beside a name ("Financiën (11.15)") only says when it is."""
    by_name = [m for m in mentions if m.how != "time"]
    if by_name:
        return by_name
    return mentions if len({m.session for m in mentions}) == 1 else []


def table_units(rows: list[list[str]], event: Event) -> list[tuple[str, list[Mention]]] | None:
    """Read a table of marks: one (label, mentions) per person column or person row.

    Rows that name a session with marks in the other cells give one unit per
    mark column, labelled by its header cell ("Wethouder Visser", or
    "Aanwezig" for the writer). A header row whose cells name sessions with
    rows of marks below gives one unit per row, labelled by its other cells
    (the person's name and role). None when the table holds no marks: then it
    is text (a list of names and the sessions written out) for the sentence
    reader.
    """
    if len(rows) < 2:
        return None
    width = max(len(r) for r in rows)
    grid = [r + [""] * (width - len(r)) for r in rows]
    row_sessions = [_sessions_in(r[0], event) for r in grid]
    head_sessions = [_sessions_in(c, event) for c in grid[0]]

    # sessions down the first column, a column of marks per person
    if sum(1 for s in row_sessions if len(s) == 1) >= 2:
        header = grid[0] if not row_sessions[0] else [""] * width
        out: list[tuple[str, list[Mention]]] = []
        for col in range(1, width):
            marks = [(row_sessions[k][0], classify_mark(grid[k][col]), grid[k][col]) for k in range(len(grid))
                     if len(row_sessions[k]) == 1]
            kinds = [v for _, v, _ in marks]
            if not any(v in (YES, NO) for v in kinds) or kinds.count(TEXT) > sum(v in (YES, NO) for v in kinds):
                continue
            mentions = [Mention(sid, 0, cell, "table", negated=v == NO) for sid, v, cell in marks if v in (YES, NO)]
            out.append((header[col], mentions))
        return out or None

    # sessions across the header, a row of marks per person
    session_cols = [c for c in range(1, width) if len(head_sessions[c]) == 1]
    if len(session_cols) >= 2 and not any(row_sessions):
        out = []
        for r in grid[1:]:
            marks = [(head_sessions[c][0], classify_mark(r[c]), r[c]) for c in session_cols]
            kinds = [v for _, v, _ in marks]
            if not any(v in (YES, NO) for v in kinds) or kinds.count(TEXT) > sum(v in (YES, NO) for v in kinds):
                continue
            label = " ".join(r[c] for c in range(width) if c not in session_cols and r[c])
            mentions = [Mention(sid, 0, cell, "table", negated=v == NO) for sid, v, cell in marks if v in (YES, NO)]
            out.append((label, mentions))
        return out or None
    return None


# ---------------------------------------------------------------------------
# the new text as units


def read_units(text: str, event: Event, split: Callable[[str], list[str]]) -> Iterator[tuple[str, list[Mention] | None]]:
    """The new text as (unit, mentions) in reading order.

    Tables of marks and programme lines with a mark come out with their
    mentions already read (a unit per person for a table); everything else
    comes out as `split` cuts it, with None: read it as sentences.
    """
    lines = text.split("\n")
    plain: list[str] = []

    def flush() -> Iterator[tuple[str, list[Mention] | None]]:
        if plain:
            for u in split("\n".join(plain)):
                yield u, None
            plain.clear()

    i = 0
    while i < len(lines):
        j = i
        rows: list[list[str]] = []
        while j < len(lines):
            cells = _cells(lines[j])
            if cells is None and rows and _bare_title(lines[j], event):
                cells = [lines[j].strip()]  # a row whose empty cells lost their tabs
            if cells is None:
                break
            rows.append(cells)
            j += 1
        if len(rows) >= 2:
            read = table_units(rows, event)
            if read is not None:
                yield from flush()
                yield from read
                i = j
                continue
        ans = line_answer(lines[i], event)
        if ans is not None:
            yield from flush()
            yield lines[i].strip(), [Mention(sid, 0, ans.text, "mark", negated=ans.value == NO)
                                     for sid in ans.sessions]
        else:
            plain.append(lines[i])
        i += 1
    yield from flush()


def _bare_title(line: str, event: Event) -> bool:
    """A line that is only a session's name (a table row whose empty cells lost their tabs)."""
    body = _TIME_PREFIX.sub("", _BULLET.sub("", line.strip(), count=1), count=1)
    mentions = _named(find_mentions(body, event))
    if not mentions:
        return False
    folded, tokens, _ = _word_spans(body)
    spans = _mention_ends(mentions, tokens)
    rest = folded[:spans[0][0]] + " " + _TIME_BITS.sub(" ", folded[spans[-1][1]:])
    lead = _LEAD | _kind_words(event)
    return all(t.text in lead or (not t.is_word and t.text in "()-|:") for t in tokenize(rest))


def names_session(text: str, event: Event) -> bool:
    """Does `text` name any session at all (chosen or not)?"""
    return bool(find_mentions(text, event))


# ---------------------------------------------------------------------------
# strikethrough


def strike(tokens: list[Token], mentions: list[Mention]) -> list[Mention]:
    """Mentions inside "~~...~~" (HTML strikethrough as core.text renders it) are withdrawn."""
    marks = [i for i in range(len(tokens) - 1)
             if tokens[i].text == "~" and tokens[i + 1].text == "~" and tokens[i + 1].start == tokens[i].start + 1]
    if len(marks) < 2:
        return mentions
    spans = list(zip(marks[0::2], marks[1::2], strict=False))
    out = []
    for m in mentions:
        if any(a < m.token < b for a, b in spans):
            out.append(replace(m, negated=True))
        else:
            out.append(m)
    return out


# ---------------------------------------------------------------------------
# the subject line

_REPLY_PREFIX = re.compile(r"^\s*(?:\[[^\]]{1,30}\]\s*)?(?:re|aw|antw|antwoord|fw|fwd|doorst|wg|tr|sv|vs|rv|r)"
                           r"\s*(?:\[\d+\]|\(\d+\))?\s*:\s*", re.I)
_ORIGINAL_SUBJECT = re.compile(r"^\W{0,3}(?:onderwerp|subject|betreff|objet)\s*:\s*(?P<s>.+)$", re.I | re.M)


def _strip_prefixes(subject: str) -> str:
    s = subject or ""
    while True:
        t = _REPLY_PREFIX.sub("", s, count=1)
        if t == s:
            return s.strip()
        s = t


def subject_text(subject: str, quoted: str) -> str:
    """What the writer wrote in the subject: reply prefixes and the quoted original's subject removed.

    "RE: Uitnodiging G32 netwerkdag - graag Denktank en borrel", quoting a
    mail whose subject was "Uitnodiging G32 netwerkdag", gives "graag Denktank
    en borrel".
    """
    s = _strip_prefixes(subject)
    m = _ORIGINAL_SUBJECT.search(quoted or "")
    if m:
        original = _strip_prefixes(m.group("s").lstrip("> ").strip())
        fs, fo = fold(s), fold(original)
        if fo and fs.startswith(fo):
            s = s[len(original):] if len(s) >= len(original) else ""
    return s.strip(" -–—:|,;")
