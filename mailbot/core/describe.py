"""Sessions named by what the invitation says about them, by number, by time or by part of the day.

People rarely copy a session's title. They write "de presentatie van MKB-Nederland",
"het gesprek met De Jonge en Blokhuis", "sessie 4 en 11", "de vergadering van half
vier" or "de hele middag". This module turns the event's configuration (each
session's title, aliases and `description`, the invitation's paragraph) into
evidence, derived once per event at start-up:

- description terms: names, organisations and topic words of one session's
  paragraph. A term several sessions share ("VNG", "regeerakkoord") decides nothing
  alone, but shared terms and a start time in the same clause are intersected
  ("om kwart over elf de presentatie van de VNG over de financiele gevolgen").
  Everyday Dutch words never count (a word-frequency list decides, not a list of
  ours), nor do place names (they say who the sender is).
- numbers: sessions are numbered in the invitation's order ("sessie 4 en 11").
- times: a start time written any common Dutch way ("13.00 uur", "om een uur",
  "half vier", "kwart over elf") beside a word for a session.
- parts of the day: the morning, the afternoon, the whole day. Every session of
  the part is named; where a slot has parallel sessions and nothing else chose
  among them, the decision sees two sessions in one slot and asks the sender.

Everything here is linear in the number of tokens.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import time
from functools import lru_cache

from mailbot.core.fold import BOUNDARY, SENTENCE_END, Token, words
from mailbot.core.types import Event

COMMON_ZIPF = 4.5  # a word at least this frequent in Dutch (wordfreq's Zipf scale) is no topic
RARE_ZIPF = 3.55  # a word rarer than this names its topic alone; a commoner one needs support
MIN_TERM = 4  # shorter words are topic terms only when they are acronyms or hold a digit
COMPOUND_TAIL = 6  # "woningcorporaties" names "corporaties": tails at least this long
TUSSENVOEGSELS = frozenset({"van", "de", "der", "den", "ter", "ten", "het", "'t", "in", "op", "te"})
# words for "a session" beside which a bare time or number names one
SESSION_NOUNS = frozenset({
    "sessie", "sessies", "themasessie", "themasessies", "themagroep", "themagroepen", "bijeenkomst",
    "bijeenkomsten", "vergadering", "onderdeel", "onderdelen", "programmaonderdeel", "programmaonderdelen",
    "pijler", "pijlers", "presentatie", "inleiding", "gesprek", "workshop", "session", "sessions", "nummer",
    "nummers", "nr", "nrs", "no", "punt", "punten", "item", "items",
})
NUMBER_NOUNS = frozenset({
    "sessie", "sessies", "themasessie", "nummer", "nummers", "nr", "nrs", "no", "onderdeel", "onderdelen",
    "programmaonderdeel", "programmaonderdelen", "punt", "punten", "session", "sessions", "#",
})
LIST_JOINERS = frozenset({",", "en", "&", "+", "/", "and", "of", "plus", "-"})
HOURS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
         "negen": 9, "tien": 10, "elf": 11, "twaalf": 12}
# "de ochtend", "'s middags", "het middagprogramma", "de hele dag": which part of the day
PARTS = {"ochtend": "morning", "ochtends": "morning", "morgens": "morning", "ochtendprogramma": "morning",
         "ochtendsessies": "morning", "ochtenddeel": "morning", "voormiddag": "morning", "morning": "morning",
         "middag": "afternoon", "middags": "afternoon", "middagprogramma": "afternoon",
         "middagsessies": "afternoon", "middagdeel": "afternoon", "namiddag": "afternoon",
         "afternoon": "afternoon"}
WHOLE = (("hele", "dag"), ("gehele", "dag"), ("hele", "programma"), ("gehele", "programma"),
         ("volledige", "programma"), ("hele", "netwerkdag"), ("alle", "sessies"), ("alle", "onderdelen"),
         ("overal",), ("whole", "day"), ("all", "sessions"))
PART_TRIGGERS = frozenset(PARTS) | frozenset(p[0] for p in WHOLE)
WHOLE_LABELS = frozenset(" ".join(p) for p in WHOLE)
NOON = time(12, 30)  # parts of the day: sessions starting before it are the morning


@dataclass(frozen=True)
class Hit:
    """Evidence found in text: the sessions it may mean, where, and why (for explain)."""

    sessions: frozenset[str]
    first: int  # token index
    last: int
    label: str
    how: str  # description | number | time | part
    strong: bool = True  # a description term that names its session alone


# --- word forms ----------------------------------------------------------------------


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light Dutch stem, so that inflected forms meet: financien, financiele, financieel
    -> financi; corporaties, corporatie -> corporati; personen, persoon -> person."""
    w = word
    for _ in range(2):
        for suffix in ("eel", "ele", "'s", "en", "e", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[: -len(suffix)]
                break
        else:
            break
    # persoon / personen: an open syllable writes one vowel where the closed writes two
    m = re.search(r"([aeou])\1([^aeiou])$", w)
    if m and len(w) > 5:
        w = w[: m.start()] + m.group(1) + m.group(2)
    return w


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """How common a word is in Dutch: wordfreq's Zipf scale (0 unknown, 7 the commonest)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "nl")


# --- the term table ----------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    single: dict[str, frozenset[str]]  # stem -> sessions
    phrases: dict[tuple[str, ...], frozenset[str]]  # folded word tuple (names with tussenvoegsel)
    labels: dict[object, str]
    strong: frozenset[object] = frozenset()  # names, organisations, title words, rare words


_NAME = re.compile(r"\b[A-Z][\w'-]*\.?(?:\s+[A-Z][\w'-]*\.?)*(?:\s+(?:van|de|der|den|ter|ten|het))*\s+[A-Z][a-z][\w-]*")


def _name_phrases(description: str) -> list[tuple[str, ...]]:
    """Surnames of the people a paragraph names, with their tussenvoegsel ("de jonge",
    "van buren") so that a common word that is also a surname is only found as a name."""
    out = []
    for m in _NAME.finditer(description):
        w = words(m.group())
        k = len(w) - 1
        while k > 0 and w[k - 1] in TUSSENVOEGSELS:
            k -= 1
        if 0 < k < len(w) - 1:  # a given name, a tussenvoegsel, the surname
            out.append(w[k:])
    return out


def _common(word: str) -> bool:
    """An everyday Dutch word, in any of its inflected forms (burgemeesters: burgemeester)."""
    forms = {word, word.rstrip("s"), word[:-2] if word.endswith("en") else word,
             word[:-1] if word.endswith("e") else word}
    return max((zipf(f) for f in forms if len(f) > 2), default=0.0) >= COMMON_ZIPF


def _first_names(description: str) -> set[str]:
    """Given names in a paragraph ("Erik Jan van Kempen"): a greeting ("Beste Erik") must
    never name a session, so only surnames count."""
    out: set[str] = set()
    for m in _NAME.finditer(description):
        w = words(m.group())
        if len(w) >= 2:
            out.update(x for x, raw in zip(w[:-1], m.group().split(), strict=False)
                       if x not in TUSSENVOEGSELS and len(x) <= 7 and not raw.isupper() and zipf(x) > 1.0)
    return out


def _candidates(text: str, ignore: frozenset[str]) -> set[str]:
    out = set()
    stems = {stem(w) for w in ignore}
    for raw in re.findall(r"[\w'-]+", text):
        for part in ([raw, *raw.split("-")] if "-" in raw else [raw]):
            folded = " ".join(words(part))
            if not folded or folded in ignore or stem(folded) in stems or folded.isdigit():
                continue
            acronym = (part.isupper() and 2 < len(part) <= 6) or (len(part) == 3 and not re.search("[aeiouy]", folded))
            if " " in folded:  # a hyphenated name: the parts count too
                if any(x in ignore for x in folded.split()):
                    continue
                folded = folded.replace(" ", "-")
            elif len(folded) < MIN_TERM and not acronym and not any(c.isdigit() for c in folded):
                continue
            if _common(folded.replace("-", "")):
                continue
            out.add(folded)
    return out


def _tails(word: str) -> list[str]:
    """The head of a compound when both halves are words: woningcorporaties -> corporaties.
    Never a tail shorter than COMPOUND_TAIL, an everyday word, or one after a non-word
    ("burge|meester" is no compound)."""
    out = []
    for i in range(4, len(word) - COMPOUND_TAIL + 1):
        head, tail = word[:i].rstrip("s"), word[i:]
        if zipf(tail) >= 2.5 and not _common(tail) and zipf(head) >= 3.0:
            out.append(tail)
    return out


def build_terms(event: Event) -> Terms:
    """Every term of every session's title, aliases and description, with the sessions it
    points to. Never a term: `event.not_topics` (place names, the intent lexicon's and
    everyday meeting words, so that "onder voorbehoud" in a paragraph never names that
    session), the words of the event's own name and venue, and given names."""
    single: dict[str, set[str]] = {}
    phrases: dict[tuple[str, ...], set[str]] = {}
    labels: dict[object, str] = {}
    strong: set[object] = set()
    ignore = event.not_topics | set(words(event.name)) | set(words(event.venue))
    ignored_stems = {stem(w) for w in ignore}
    for s in event.sessions:
        # titles and aliases are matched whole, as phrases; a word of the session's own title
        # ("fysieke", "pijler") is no term of its own unless it is rare ("statushouders")
        own_title = {w for w in words(s.title) if zipf(w) >= RARE_ZIPF}
        named = _named_words(s.title, s.description) - own_title
        text = " ".join([s.title, s.description])
        for w in _candidates(text, frozenset(ignore | _first_names(s.description))):
            for form in (w, *(t for t in _tails(w) if t not in ignore and stem(t) not in ignored_stems)):
                key = stem(form)
                single.setdefault(key, set()).add(s.id)
                labels.setdefault(key, form)
                # a compound's head inherits it; a common word of the title ("fysieke",
                # "jeugd") is only ever weak: it needs support to name the session
                if w not in own_title and (w in named or zipf(w.replace("-", "")) < RARE_ZIPF):
                    strong.add(key)
        for p in _name_phrases(s.description):
            if p[-1] in ignore:
                continue
            if _common(p[-1]) or len(p[-1]) < MIN_TERM:
                phrases.setdefault(p, set()).add(s.id)  # "de jonge": only as the name
                labels.setdefault(p, " ".join(p))
                strong.add(p)
    return Terms({k: frozenset(v) for k, v in single.items()},
                 {k: frozenset(v) for k, v in phrases.items()}, labels, frozenset(strong))


def _named_words(title: str, description: str) -> set[str]:
    """Words that name rather than describe: the title's, and those the paragraph writes
    with a capital inside a sentence (people, organisations, laws) or as an acronym."""
    out = set(words(title))
    for m in re.finditer(r"(?<![.!?:]\s)(?<!^)\b([A-Z][\w-]*\w)", description):
        w = m.group(1)
        out.update({" ".join(words(w)).replace(" ", "-"), *words(w)})
    return out


_TERMS: dict[int, tuple[Event, Terms]] = {}


def terms(event: Event) -> Terms:
    """`build_terms`, once per event."""
    hit = _TERMS.get(id(event))
    if hit is None or hit[0] is not event:
        hit = _TERMS[id(event)] = (event, build_terms(event))
    return hit[1]


# --- finding evidence in text ---------------------------------------------------------


def description_hits(tokens: list[Token], table: Terms, taken: set[int]) -> list[Hit]:
    """Terms of session descriptions in `tokens`; `taken` tokens (already read as a title
    or alias) are not read again."""
    out: list[Hit] = []
    n = len(tokens)
    covered: set[int] = set()
    for i, t in enumerate(tokens):
        if not t.is_word or i in taken:
            continue
        for p, named in table.phrases.items():
            k = len(p)
            if tokens[i].text == p[0] and i + k <= n and tuple(x.text for x in tokens[i:i + k]) == p:
                out.append(Hit(named, i, i + k - 1, table.labels[p], "description", p in table.strong))
                covered.update(range(i, i + k))
    for i, t in enumerate(tokens):
        if not t.is_word or i in taken or i in covered:
            continue
        # a hyphenated name ("mbo-raad", "mkb-nederland") is one term as well as two
        if i + 2 < n and tokens[i + 1].text == "-" and tokens[i + 2].is_word:
            joined = stem(t.text + "-" + tokens[i + 2].text)
            if joined in table.single:
                out.append(Hit(table.single[joined], i, i + 2, table.labels[joined], "description",
                               joined in table.strong))
                covered.update((i, i + 1, i + 2))
                continue
        key = stem(t.text)
        sessions: frozenset[str] | None = table.single.get(key)
        if sessions is None and len(key) > COMPOUND_TAIL + 3 and not _common(t.text):
            for j in range(4, len(key) - COMPOUND_TAIL + 1):  # a compound ending in a term
                sessions = table.single.get(key[j:])
                if sessions is not None:
                    key = key[j:]
                    break
        if sessions is not None:
            out.append(Hit(sessions, i, i, table.labels.get(key, t.text), "description", key in table.strong))
    return out


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 2 else None


def number_hits(tokens: list[Token], event: Event) -> list[Hit]:
    """"sessie 4 en 11", "nummers 2, 5 en 12", "nr. 7": numbers after a word for a session."""
    by_number = {s.number: s.id for s in event.sessions if s.number}
    nouns = NUMBER_NOUNS | SESSION_NOUNS | _title_nouns(event)
    out: list[Hit] = []
    i, n = 0, len(tokens)
    while i < n:
        if tokens[i].text not in nouns:
            i += 1
            continue
        j = i + 1
        if j < n and tokens[j].text in (".", ":"):
            j += 1
        found: list[tuple[int, int]] = []
        while j < n:
            value = _int(tokens[j].text)
            if value is None:
                break
            # "sessie 13.00" is a time, not session 13
            if j + 2 < n and tokens[j + 1].text in (".", ":") and len(tokens[j + 2].text) == 2 \
                    and tokens[j + 2].text.isdigit():
                found = []
                break
            found.append((value, j))
            k = j + 1
            if k < n and tokens[k].text == "(":  # "nummer 4 (Financien), 7 en 10"
                close = next((c for c in range(k + 1, min(n, k + 8)) if tokens[c].text == ")"), None)
                if close is not None:
                    k = close + 1
            while k < n and tokens[k].text in LIST_JOINERS:
                k += 1
            if k == j + 1 and not (k < n and _int(tokens[k].text) is not None):
                j = k
                break
            j = k
        for value, at in found:
            if value in by_number:
                out.append(Hit(frozenset({by_number[value]}), at, at, f"{tokens[i].text} {value}", "number"))
        i = max(j, i + 1)
    return out


_NOUNS: dict[int, tuple[Event, frozenset[str]]] = {}


def _title_nouns(event: Event) -> frozenset[str]:
    """What this event calls its sessions: the first word of each title ("Themagroep",
    "Werkgroep"), singular and plural, so "werkgroep 2 en 3" reads as numbers. Cached by
    identity: hashing a whole event on every call cost more than the lookup saved."""
    hit = _NOUNS.get(id(event))
    if hit is None or hit[0] is not event:
        first = {words(s.title)[0] for s in event.sessions if words(s.title)}
        hit = _NOUNS[id(event)] = (event, frozenset(first | {w + "en" for w in first} | {w + "s" for w in first}))
    return hit[1]


_ORDINAL = re.compile(r"(\d{1,2})(?:e|ste|de)")
ORDINAL_WORDS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7,
                 "achtste": 8, "negende": 9, "tiende": 10, "elfde": 11, "twaalfde": 12}


def ordinal_hits(tokens: list[Token], event: Event) -> list[Hit]:
    """"de 2e, de 5e en de 10e", "de derde sessie": places in the invitation's list. A
    lone ordinal is a date ("de 30e") unless a word for a session follows it; two or more
    in one list are places in the programme."""
    by_number = {s.number: s.id for s in event.sessions if s.number}
    nouns = NUMBER_NOUNS | SESSION_NOUNS | _title_nouns(event)

    def ordinal(t: str) -> int | None:
        m = _ORDINAL.fullmatch(t)
        return int(m.group(1)) if m else ORDINAL_WORDS.get(t)

    out: list[Hit] = []
    if not any(t.text[:1].isdigit() or t.text in ORDINAL_WORDS for t in tokens):
        return out
    i, n = 0, len(tokens)
    while i < n:
        if ordinal(tokens[i].text) is None:
            i += 1
            continue
        run: list[tuple[int, int]] = []
        j = i
        while j < n and (value := ordinal(tokens[j].text)) is not None:
            run.append((value, j))
            k = j + 1
            while k < n and tokens[k].text in LIST_JOINERS | {"de", "het"}:
                k += 1
            if k < n and ordinal(tokens[k].text) is not None:
                j = k
            else:
                j = k
                break
        followed = any(tokens[x].text in nouns for x in range(run[-1][1] + 1, min(n, run[-1][1] + 3)))
        if len(run) > 1 or followed:
            out += [Hit(frozenset({by_number[v]}), at, at, tokens[at].text, "number")
                    for v, at in run if v in by_number]
        i = max(j, i + 1)
    return out


def parse_times(tokens: list[Token]) -> list[tuple[int, int, time]]:
    """Clock times in any common Dutch way, as (first token, last token, time) in 24-hour
    time; an hour from 1 to 7 is the afternoon (a day programme runs from 10 to 17)."""
    out: list[tuple[int, int, time]] = []
    n = len(tokens)
    i = 0
    while i < n:
        t = tokens[i].text
        hour = minute = None
        last = i
        if t in ("half", "kwart") or (t in HOURS and i + 1 < n and tokens[i + 1].text == "uur"):
            if t == "half" and i + 1 < n and (tokens[i + 1].text in HOURS or _int(tokens[i + 1].text)):
                h = HOURS.get(tokens[i + 1].text) or _int(tokens[i + 1].text) or 0
                hour, minute, last = h - 1, 30, i + 1
            elif t == "kwart" and i + 2 < n and tokens[i + 1].text in ("over", "voor"):
                h = HOURS.get(tokens[i + 2].text) or _int(tokens[i + 2].text) or 0
                hour, minute, last = (h, 15, i + 2) if tokens[i + 1].text == "over" else (h - 1, 45, i + 2)
            elif t in HOURS:
                hour, minute, last = HOURS[t], 0, i + 1
        elif t.isdigit() and len(t) <= 2:
            if i + 2 < n and tokens[i + 1].text in (".", ":") and len(tokens[i + 2].text) == 2 \
                    and tokens[i + 2].text.isdigit():
                hour, minute, last = int(t), int(tokens[i + 2].text), i + 2
            elif i + 1 < n and tokens[i + 1].text in ("uur", "u"):
                hour, minute, last = int(t), 0, i + 1
        elif re.fullmatch(r"\d{1,2}[hu]\d{0,2}", t):  # "13u", "13h30"
            m = re.fullmatch(r"(\d{1,2})[hu](\d{0,2})", t)
            assert m is not None
            hour, minute, last = int(m.group(1)), int(m.group(2) or 0), i
        if hour is not None and minute is not None and 0 < hour <= 23 and 0 <= minute < 60:
            if hour <= 7:
                hour += 12
            out.append((i, last, time(hour, minute)))
            i = last + 1
            continue
        i += 1
    return out


def time_hits(tokens: list[Token], event: Event) -> list[Hit]:
    """Start times of sessions: every session starting then (one, or a slot's parallel ones)."""
    out = []
    for first, last, at in parse_times(tokens):
        if first > 0 and tokens[first - 1].text in ("vanaf", "tot", "na", "voor", "rond", "tussen", "uiterlijk",
                                                     "ongeveer", "omstreeks", "sinds", "until", "from", "after"):
            continue
        sessions = frozenset(s.id for s in event.sessions if s.start == at)
        if sessions:
            out.append(Hit(sessions, first, last, " ".join(x.text for x in tokens[first:last + 1]), "time"))
    return out


RANGE_FROM = frozenset({"vanaf", "from"})  # "vanaf half vier": every session starting then or later
RANGE_AFTER = frozenset({"na", "after"})  # "na drie uur": every session starting later
RANGE_UNTIL = frozenset({"tot", "until"})  # "tot twee uur": every session over by then
# a stretch names sessions only where the sentence speaks of the programme ("de laatste twee
# onderdelen, vanaf half vier", "alles na de lunch tot vier uur"); "ik ben er vanaf 09.45"
# tells when someone arrives, which core.remarks notes
PROGRAMME = SESSION_NOUNS | frozenset({"programma", "rest", "alles", "allemaal", "eind", "einde", "laatste"})


def range_hits(tokens: list[Token], event: Event) -> list[Hit]:
    """An open-ended stretch of the day named by a clock time: "vanaf half vier", "na drie
    uur", "tot twaalf uur". Like a part of the day it covers every session in it (a slot
    with parallel sessions is asked back) and counts only in a sentence about being there,
    never in one that says no ("vanaf drie uur kan ik niet")."""
    out = []
    texts = [t.text for t in tokens]
    for first, last, at in parse_times(tokens):
        word = texts[first - 1] if first > 0 else ""
        if word in RANGE_FROM:
            sessions = frozenset(s.id for s in event.sessions if s.start >= at)
        elif word in RANGE_AFTER:
            sessions = frozenset(s.id for s in event.sessions if s.start > at)
        elif word in RANGE_UNTIL:
            sessions = frozenset(s.id for s in event.sessions if s.end <= at)
        else:
            continue
        lo = first
        while lo > 0 and texts[lo - 1] not in SENTENCE_END:
            lo -= 1
        hi = last
        while hi + 1 < len(texts) and texts[hi + 1] not in SENTENCE_END:
            hi += 1
        sentence = texts[lo:hi + 1]
        whole_day = len(sessions) == len(event.sessions)  # from before the start: an arrival time
        if sessions and not whole_day and PROGRAMME.intersection(sentence) and _attending(sentence) \
                and not NEGATIVE.intersection(sentence):
            out.append(Hit(sessions, first - 1, last, " ".join(texts[first - 1:last + 1]), "part"))
    return out


def part_hits(tokens: list[Token], event: Event) -> list[Hit]:
    """"de ochtend", "'s middags", "de hele dag", "overal": every session of that part."""
    morning = frozenset(s.id for s in event.sessions if s.start < NOON)
    afternoon = frozenset(s.id for s in event.sessions if s.start >= NOON)
    texts = [t.text for t in tokens]
    if not PART_TRIGGERS.intersection(texts):
        return []
    out = []
    clause_of = _clause_index(tokens)
    clause_words: dict[int, list[str]] = {}
    for i, w in enumerate(texts):
        clause_words.setdefault(clause_of[i], []).append(w)

    def attending(i: int) -> bool:
        # in the clause itself ("de ochtend ben ik er", or ruled out: "helaas niet in de
        # ochtend"), and not "die middag" (a time said of something else)
        own = clause_words[clause_of[i]]
        partial = any(w in PARTIAL for w in texts[max(0, i - 4):i])  # "het laatste deel van de middag"
        return ((_attending(own) or bool(NEGATIVE.intersection(own))) and not partial
                and not (i > 0 and texts[i - 1] in DEICTIC))

    for i, w in enumerate(texts):
        part = PARTS.get(w)
        if part and attending(i):
            out.append(Hit(morning if part == "morning" else afternoon, i, i, w, "part"))
            continue
        for phrase in WHOLE:
            if tuple(texts[i:i + len(phrase)]) == phrase and attending(i):
                out.append(Hit(morning | afternoon, i, i + len(phrase) - 1, " ".join(phrase), "part"))
    return out


def _clause_index(tokens: list[Token]) -> list[int]:
    """The clause number of every token (-1 for the punctuation between clauses)."""
    out = [-1] * len(tokens)
    for k, (lo, hi) in enumerate(clauses(tokens)):
        out[lo:hi + 1] = [k] * (hi + 1 - lo)
    return out


def _in_number(tokens: list[Token], i: int) -> bool:
    """"10.00", "11:15": the dot of a time ends no clause."""
    return (tokens[i].text in ".:" and 0 < i < len(tokens) - 1
            and tokens[i - 1].text.isdigit() and tokens[i + 1].text.isdigit())


ATTEND = frozenset({"kom", "komen", "komt", "aanwezig", "erbij", "bij", "naar", "mee", "deel", "aan", "graag",
                    "noteren", "noteer", "volgen", "volg", "volgt", "bijwonen", "present", "attend", "join", "blijf", "blijft",
                    "alleen"})
PARTIAL = frozenset({"deel", "stuk", "begin", "eind", "einde", "laatste", "eerste", "helft"})
NEGATIVE = frozenset({"niet", "geen", "helaas", "nooit", "not"})
TIME_GLUE = frozenset({"van", "om", "at", "of", "die", "dan", "begint", "vanaf"})  # "de sessie van 13.00"
DEICTIC = frozenset({"die", "deze", "dezelfde", "diezelfde", "elke", "iedere", "volgende", "vorige", "zelfde"})
ABOUT = frozenset({"over", "about", "inzake", "rond", "rondom", "omtrent", "betreffende", "waar", "waarin",
                   "waarbij"})


def _attending(texts: list[str]) -> bool:
    """A part of the day names sessions only where the text speaks of being there
    ("'s middags ben ik er", "de hele ochtend"), not in "'s middags moet ik weg"."""
    if ATTEND.intersection(texts):
        return True
    return ("ben" in texts or "zijn" in texts) and "er" in texts  # "ben ik er", "zijn we er"


def clauses(tokens: list[Token]) -> list[tuple[int, int]]:
    """(first, last) token index of each clause: the text between punctuation."""
    out, start = [], 0
    for i, t in enumerate(tokens):
        if t.text in BOUNDARY and not _in_number(tokens, i):
            if i > start:
                out.append((start, i - 1))
            start = i + 1
    if start < len(tokens):
        out.append((start, len(tokens) - 1))
    return out


def resolve(tokens: list[Token], event: Event, taken: set[int], named: list[int]) -> list[Hit]:
    """The evidence in one unit of text that names sessions, as hits of one session each
    (a part of the day or a slot's time gives several: the decision asks which).

    `taken`: token indexes already read as titles or aliases; `named`: the first token
    of each such mention. In a clause that names a session already (by title, alias,
    a unique term or a number), shared terms and times add nothing.
    """
    table = terms(event)
    desc = description_hits(tokens, table, taken)
    numbers = number_hits(tokens, event) + ordinal_hits(tokens, event)
    times = time_hits(tokens, event)
    parts = part_hits(tokens, event) + range_hits(tokens, event)
    nouns = [i for i, t in enumerate(tokens) if t.text in SESSION_NOUNS]
    texts = [t.text for t in tokens]
    out: list[Hit] = []
    for lo, hi in clauses(tokens):
        def inside(h: Hit, lo: int = lo, hi: int = hi) -> bool:
            return lo <= h.first <= hi
        clocks = [h for h in times if inside(h)]
        slot_sessions = frozenset().union(*(h.sessions for h in clocks))
        unique = _supported([h for h in desc if inside(h) and len(h.sessions) == 1], tokens, slot_sessions)
        shared = [h for h in desc if inside(h) and len(h.sessions) > 1]
        nums = [h for h in numbers if inside(h)]
        out += unique + nums
        explicit = bool(unique or nums or any(lo <= k <= hi for k in named))
        # shared terms between two explicit names are intersected, with a time among them:
        # "voor de VNG-presentatie over de financiele gevolgen, en voor X" names financien
        fences = sorted({h.first for h in unique + nums} | {k for k in named if lo <= k <= hi})
        groups: dict[int, list[Hit]] = {}
        for h in shared + clocks:
            groups.setdefault(bisect_right(fences, h.first), []).append(h)
        resolved = False
        for group in groups.values():
            if not any(h.how == "description" for h in group):
                continue
            together = frozenset.intersection(*(h.sessions for h in group))
            if len(together) == 1 and len(group) > 1:
                out.append(Hit(together, min(h.first for h in group), max(h.last for h in group),
                               " + ".join(h.label for h in group), "description"))
                resolved = True
        if resolved:
            continue
        for h in clocks:
            # "de sessie van 13.00 uur" names the session starting then, whatever else the
            # clause names; a time elsewhere in a clause about a session only when nothing did
            attached = any(k < h.first and set(texts[k + 1:h.first]) <= TIME_GLUE for k in nouns
                           if h.first - k <= 3)
            # "13.00 uur (wat daar gepland staat)": a short line that starts with a time
            programme_line = h.first == 0 and sum(t.is_word for t in tokens) <= 10 and not explicit
            if attached or programme_line or (not explicit and any(lo <= k <= hi for k in nouns)):
                out += [Hit(frozenset({sid}), h.first, h.last, h.label, "time") for sid in sorted(h.sessions)]
        for h in parts:
            # "'s ochtends ga ik naar X" only says when X is; "de middag" alone chooses it all
            if inside(h) and (h.label in WHOLE_LABELS or not explicit):
                out += [Hit(frozenset({sid}), h.first, h.last, h.label, "part") for sid in sorted(h.sessions)]
    return out


def _supported(hits: list[Hit], tokens: list[Token], slot_sessions: frozenset[str]) -> list[Hit]:
    """Unique terms that stand: a strong one alone; a weaker word ("begroting",
    "verzorgen") only with support: a second term of the same session, a start time of
    its slot in the clause, or as what something is about ("de vergadering over het
    lidmaatschap"), never as a verb of the writer's own sentence."""
    weak: dict[str, set[str]] = {}
    for h in hits:
        if not h.strong:
            weak.setdefault(next(iter(h.sessions)), set()).add(h.label)

    def about(h: Hit) -> bool:
        return any(t.text in ABOUT for t in tokens[max(0, h.first - 4):h.first])

    return [h for h in hits if h.strong or len(weak[next(iter(h.sessions))]) > 1
            or h.sessions <= slot_sessions or about(h)]


def parts_yield(mentions: list[tuple[str, str, bool]], event: Event) -> list[bool]:
    """Which (session, how, negated) mentions stand: a part of the day names no session
    that the text names itself (chosen or ruled out: "de hele dag behalve de borrel"),
    nor any session of a slot where the text chose one ("de ochtend, om tien uur X")."""
    start = {s.id: s.start for s in event.sessions}
    own = {sid for sid, how, _neg in mentions if how != "part"}
    slots = {start[sid] for sid, how, neg in mentions if how != "part" and not neg and sid in start}
    return [how != "part" or neg or (sid not in own and start.get(sid) not in slots)
            for sid, how, neg in mentions]


def numbered_programme(event: Event) -> list[str]:
    """"4. Themagroep Financiën (11:15-12:15)": the numbered lines mails show."""
    return [f"{s.number}. {s.title} ({s.start:%H:%M}-{s.end:%H:%M})" for s in event.sessions]

