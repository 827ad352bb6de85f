"""Who a message is about: names in the text, matched to the invitee list.

Secretariats write "Namens burgemeester Boukhari", "Wethouder Meijer komt",
or a table of names; invitees sign with a first name only. Names are matched
to invitees.csv without case or accents, by full name or by surname within
the sender's municipality, with the role deciding between namesakes. A name
that matches nobody, or several people, stays as written: never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mailbot.core.fold import fold, words
from mailbot.core.types import Invitee, Lexicon

TUSSENVOEGSELS = ("van", "de", "der", "den", "ter", "ten", "te", "het", "'t", "in", "op", "la", "le", "du")
_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"
_TV = r"(?:[vV]an|[dD]e|[dD]er|[dD]en|[tT]er|[tT]en|'t)"
# A name: optional leading tussenvoegsels, then capitalised words, tussenvoegsels allowed between.
_TV_CAP = r"(?:Van|De|Der|Den|Ter|Ten)"
# Names never span a tab or a line break: those separate table cells and list items.
NAME = rf"(?:{_TV_CAP} +)*{_CAP}(?: +(?:{_TV} +)*{_CAP}){{0,3}}"
GREETING = re.compile(r"^\s*(geachte|beste|dear|hallo|hoi|goedemorgen|goedemiddag|goedenavond|l\.s\.|hi)\b", re.I)
NOT_NAMES = frozenset(
    {"ik", "zij", "hij", "wij", "graag", "hierbij", "namens", "de", "het", "een", "algemeen", "bestuur",
     "themagroep", "themasessie", "sociale", "fysieke", "netwerkborrel", "g32", "vng", "gemeente", "college"}
)


@dataclass(frozen=True)
class NamedPerson:
    name: str  # as written, titles stripped
    role: str | None
    start: int  # character offset in the text it was found in
    invitee: Invitee | None
    evidence: str


def strip_titles(name: str, lexicon: Lexicon) -> str:
    """Drop honorifics and academic titles: "dhr. drs. J. Bos" -> "J. Bos".

    Titles and roles are dropped where they stand before the name (and roles
    and postnominals such as "MSc" after it), never from its middle: in
    "Jan de Heer" the surname keeps its "Heer".
    """
    titles = {fold(t).rstrip(".") for t in lexicon.titles} | set(lexicon.roles)
    after = set(lexicon.roles) | POSTNOMINALS
    parts = name.replace(",", " , ").split()

    def key(i: int) -> str:
        return fold(parts[i]).rstrip(".")

    while parts:
        if parts[0] == ",":
            parts.pop(0)
        elif len(parts) > 1 and key(0) == "de" and key(1) == "heer":
            del parts[:2]
        elif key(0) in titles:
            parts.pop(0)
        else:
            break
    while parts and (parts[-1] == "," or key(-1) in after):
        parts.pop()
    return " ".join(parts).replace(" , ", ", ").strip(" ,")


POSTNOMINALS = frozenset({"msc", "ma", "ba", "bc", "mba", "llm", "phd", "bsc"})


def display_name(raw: str, lexicon: Lexicon) -> str:
    """A person's name from a From display name: "Beek, Dirk van" -> "Dirk van Beek".

    Also "Aydın, R. (Ruben) - DGBW" -> "Ruben Aydın": the department suffix is
    dropped and a first name in brackets replaces the initials.
    """
    name = raw.strip().strip('"').strip()
    name = re.sub(r"\s+-\s+\S+$", "", name)  # department suffix
    name = re.sub(r"\s*\[.*?\]", "", name)
    if "," in name:
        last, _, first = name.partition(",")
        first = first.strip()
        m = re.search(r"\(([^)]+)\)", first)
        if m:
            first = m.group(1).strip()
        first_words = first.split()
        tv = [w for w in first_words if w.lower() in TUSSENVOEGSELS]
        given = [w for w in first_words if w.lower() not in TUSSENVOEGSELS]
        name = " ".join([*given, *tv, last.strip()])
    name = re.sub(r"\s*\(.*?\)", "", name)
    return strip_titles(re.sub(r"\s+", " ", name), lexicon)


_NOT_A_NAME = re.compile(r"://|www\.|\ufffd|[<>{}\[\]|\\/=@#$%^*_~`]|\.(?:com|nl|net|org|io|ru|info)\b", re.I)


def plausible_name(name: str) -> bool:
    """Whether a display name can be put on a name card and in a mail that reads as ours:
    a few words of letters, not a URL, an address, markup or text that did not decode."""
    if not name or len(name) > 80 or _NOT_A_NAME.search(name):
        return False
    letters = sum(c.isalpha() for c in name)
    return letters >= 2 and letters >= 0.7 * len(name.replace(" ", "")) and len(name.split()) <= 7


@lru_cache(maxsize=4096)
def _key(name: str) -> tuple[str, ...]:
    return words(name)


@lru_cache(maxsize=4096)
def _written_out(name: str) -> tuple[str, re.Pattern[str]]:
    """An invitee's folded full name, and the pattern that finds it as whole words."""
    w = " ".join(_key(name))
    return w, re.compile(rf"(?<!\w){re.escape(w)}(?!\w)")


def _surname(invitee_name: str) -> tuple[str, ...]:
    parts = invitee_name.split()
    # the first name is the first whitespace-separated part, hyphens included ("Jan-Willem")
    return _key(" ".join(parts[1:])) if len(parts) > 1 else _key(invitee_name)


def match_invitee(name: str, role: str | None, invitees: tuple[Invitee, ...],
                  municipality: str | None = None) -> Invitee | None:
    """The one invitee this name denotes, or None when nobody or several fit."""
    key = tuple(w for w in _key(name) if w not in ("dhr", "mw", "mevrouw", "heer"))
    if not key:
        return None
    pool = [i for i in invitees if municipality is None or i.municipality == municipality]
    exact = [i for i in pool if _key(i.name) == key]
    if not exact:
        exact = [i for i in pool if _surname(i.name) == key]
    if not exact and len(key) > 1:
        # initial + surname: "J. Bos" or "J Bos"
        first, rest = key[0], key[1:]
        exact = [i for i in pool if _surname(i.name) == rest and _key(i.name)[0].startswith(first)]
    if len(exact) > 1 and role:
        exact = [i for i in exact if i.role == role]
    return exact[0] if len(exact) == 1 else None


_ROLE_PREDICATE: dict[int, tuple[Lexicon, re.Pattern[str]]] = {}


def _role_predicate(lexicon: Lexicon) -> re.Pattern[str]:
    """A role said of the writer: "ben ik wethouder", "ik ben sinds kort raadslid", "als griffier"."""
    hit = _ROLE_PREDICATE.get(id(lexicon))
    if hit is None or hit[0] is not lexicon:
        roles = "|".join(re.escape(r) for r in sorted(lexicon.roles, key=len, reverse=True))
        hit = _ROLE_PREDICATE[id(lexicon)] = (lexicon, re.compile(
            rf"\b(?:ik\s+ben|ben\s+ik|i\s+am|als|as)\s+(?:[\w.]+\s+){{0,3}}?(?:(?:de|het|een|the|a)\s+)?"
            rf"(?:(?:nieuwe|new|kersverse)\s+)?(?P<role>{roles})\b", re.I))
    return hit[1]


def role_predicates(text: str, lexicon: Lexicon) -> dict[int, str]:
    """Offsets in `text` where a role the writer says they hold begins, with the role.

    What follows such a role is a portfolio ("wethouder Sociaal Domein"), not a person.
    """
    return {m.start("role"): lexicon.roles[m.group("role").lower()]
            for m in _role_predicate(lexicon).finditer(text) if m.group("role").lower() in lexicon.roles}


def sender_role(text: str, signature: str, lexicon: Lexicon) -> str | None:
    """The writer's role from their own words, else from a signature line that starts with a role.

    "Wethouder Financien" in a signature gives the role only; its portfolio never chooses sessions.
    """
    said = set(role_predicates(text, lexicon).values())
    if len(said) == 1:
        return said.pop()
    for line in signature.splitlines()[:8]:
        w = line.strip().lower().split()
        for n in (3, 2, 1):
            if len(w) >= n and " ".join(w[:n]).strip(",.") in lexicon.roles:
                return lexicon.roles[" ".join(w[:n]).strip(",.")]
    return None


_APPOSITION_END = re.compile(r"\s*(?:bij|at)\s", re.I)


def job_title(text: str, person: NamedPerson) -> bool:
    """Whether a role + name match is someone's job title rather than a person:
    in brackets after the person it describes ("Van Kempen (directeur Woningmarkt bij BZK)"),
    or a department of an organisation ("directeur Woningmarkt bij BZK")."""
    before = text[:person.start].rstrip()
    end = person.start + len(person.evidence)
    return before.endswith("(") or bool(_APPOSITION_END.match(text, end))


def same_name(name: str, invitees: tuple[Invitee, ...]) -> Invitee | None:
    """The one invitee, in any municipality, whose full name this is (titles and case aside)."""
    key = _key(name)
    hits = [i for i in invitees if len(key) > 1 and _key(i.name) == key]
    return hits[0] if len(hits) == 1 else None


def _honorifics(lexicon: Lexicon) -> frozenset[str]:
    """The lexicon's titles as single folded words ("de heer" gives "heer")."""
    return frozenset(w for t in (*lexicon.titles, "mevrouw", "heer") for w in words(t) if w != "de")


def find_people(text: str, lexicon: Lexicon, invitees: tuple[Invitee, ...],
                municipality: str | None, not_names: frozenset[str] = frozenset()) -> list[NamedPerson]:
    """People named as the subject of the text, in reading order.

    Found as role + name ("wethouder Marloes Timmermans"), "namens" + name, or
    an invitee's full name written out (tables). Greeting lines are skipped:
    "Geachte heer Crone" names the addressee, not an attendee.
    """
    pattern = _people_pattern(lexicon)
    found: list[NamedPerson] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        if not GREETING.match(line):
            for m in pattern.finditer(line):
                raw = m.group("n1") or m.group("n2")
                role_word = (m.group("role") or m.group("role2") or "").lower()
                name = strip_titles(_trim_name(raw), lexicon)
                if not name or fold(name) in not_names or words(name)[0] in not_names:
                    continue
                role = lexicon.roles.get(role_word) if role_word else None
                inv = match_invitee(name, role, invitees, municipality) or (
                    match_invitee(name, role, invitees) if municipality is None else None)
                if not role_word and inv is None and len(words(name)) < 2 and not (
                        set(words(m.group(0))) & _honorifics(lexicon)):
                    continue  # "namens Divosa": one word, no role, no "mevrouw": an organisation
                found.append(NamedPerson(name, role or (inv.role if inv else None), offset + m.start(),
                                         inv, m.group(0).strip()))
        offset += len(line)
    folded = fold(text)
    pool = [i for i in invitees if municipality is None or i.municipality == municipality]
    for inv in pool:
        w, written = _written_out(inv.name)
        if not w or w not in folded:
            continue
        for m in written.finditer(folded):
            line_start = folded.rfind("\n", 0, m.start()) + 1
            if GREETING.match(folded[line_start:m.start() + 1]):
                continue
            if not any(p.invitee == inv and abs(p.start - m.start()) < 40 for p in found):
                found.append(NamedPerson(inv.name, inv.role, m.start(), inv, inv.name))
    found.sort(key=lambda p: p.start)
    return found


# keyed by id(); the lexicon is kept with its pattern so that its id is never reused
_PATTERNS: dict[int, tuple[Lexicon, re.Pattern[str]]] = {}


def _people_pattern(lexicon: Lexicon) -> re.Pattern[str]:
    """role + name, or "namens" + (title) (role) + name; honorifics may stand before the name."""
    hit = _PATTERNS.get(id(lexicon))
    if hit is None or hit[0] is not lexicon:
        roles = sorted(lexicon.roles, key=len, reverse=True)
        role_re = "|".join(re.escape(r) for r in roles)
        titles = sorted({t.rstrip(".") for t in (*lexicon.titles, "de heer", "mevrouw")}, key=len, reverse=True)
        title_re = "|".join(re.escape(t).replace(r"\ ", " +") for t in titles)
        honorific = rf"(?:(?i:{title_re})\.? +)*"
        hit = _PATTERNS[id(lexicon)] = (lexicon, re.compile(
            rf"\b(?:(?P<role>(?i:{role_re})) +{honorific}(?P<n1>{NAME})|(?i:namens) +{honorific}"
            rf"(?:(?P<role2>(?i:{role_re})) +{honorific})?(?P<n2>{NAME}))"
        ))
    return hit[1]


def _trim_name(raw: str) -> str:
    """Cut a captured name at the first word that cannot be part of a name."""
    out: list[str] = []
    for w in raw.split():
        if fold(w) in NOT_NAMES and not (out == [] and fold(w) in TUSSENVOEGSELS) and fold(w) not in TUSSENVOEGSELS:
            break
        out.append(w)
    while out and fold(out[-1]) in TUSSENVOEGSELS:
        out.pop()
    return " ".join(out).strip(".,")


# --- a non-member's organisation ---------------------------------------------

_SEGMENTS = re.compile(r"\s*(?:[|,;•·/]|\s[-–—]\s)\s*")
_CONNECTOR = r"(?:van|voor|en|der|de|den|het|of|for|and)"
_ORG_WORD = r"[A-ZÀ-Þ0-9][\w'’&.-]*"
_ORG_TAIL = re.compile(rf"(?:\s+(?:{_CONNECTOR}\s+)*{_ORG_WORD})*")
# "namens de VNG", "vanuit Platform31", "werkzaam bij het ministerie van BZK": the writer's own employer
_AFFILIATION = re.compile(r"\b(?:namens|vanuit|werkzaam\s+(?:bij|voor)|ik\s+werk\s+(?:bij|voor)|on\s+behalf\s+of)"
                          r"\s+(?:(?:de|het|the)\s+)?", re.I)
_NOT_ORG_LINE = re.compile(r"@|https?:|www\.", re.I)
SIGNATURE_LINES = 8  # a signature's name, function and employer come first; disclaimers follow
_ORG_PATTERNS: dict[int, tuple[Lexicon, re.Pattern[str]]] = {}


def _org_pattern(lexicon: Lexicon) -> re.Pattern[str]:
    """The lexicon's non-member organisations, any case, with a space or a hyphen between words."""
    hit = _ORG_PATTERNS.get(id(lexicon))
    if hit is None or hit[0] is not lexicon:
        phrases = sorted({" ".join(re.split(r"[\s-]+", o.strip())) for o in lexicon.nonmember_orgs if o.strip()},
                         key=len, reverse=True)
        alternatives = "|".join(r"[\s-]+".join(re.escape(w) for w in p.split()) for p in phrases) or r"(?!x)x"
        hit = _ORG_PATTERNS[id(lexicon)] = (lexicon, re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.I))
    return hit[1]


def _as_shown(name: str) -> str:
    """"ministerie van BZK" -> "Ministerie van BZK", "vng" -> "VNG": as a name card shows it."""
    if name.islower() and len(name) <= 4 and " " not in name:
        return name.upper()
    return name[:1].upper() + name[1:]


def _organisation_at(text: str, start: int, lexicon: Lexicon) -> str | None:
    """The organisation the lexicon knows that begins at `start`, with the capitalised words
    that complete its name ("Ministerie" + "van Binnenlandse Zaken en Koninkrijksrelaties")."""
    m = _org_pattern(lexicon).match(text, start)
    if m is None:
        return None
    tail = _ORG_TAIL.match(text, m.end())
    return _as_shown((m.group(0) + (tail.group(0) if tail else "")).strip())


def _organisation_in_line(line: str, lexicon: Lexicon) -> str | None:
    """The organisation a signature line names, in whichever part of it: "Projectleider |
    Platform31", "Senior adviseur, VNG", "Gemeente Amsterdam", "Secretariaat bestuur MBO Raad"."""
    if _NOT_ORG_LINE.search(line):
        return None
    for segment in _SEGMENTS.split(line.strip()):
        m = _org_pattern(lexicon).search(segment)
        if m is not None:
            return _organisation_at(segment, m.start(), lexicon)
    return None


def _organisation_of_domain(address: str, lexicon: Lexicon) -> str | None:
    """An organisation whose name is the mail domain ("vng.nl", "mboraad.nl", "minbzk.nl")."""
    labels = address.rpartition("@")[2].lower().split(".")[:-1]
    for org in sorted(lexicon.nonmember_orgs, key=len, reverse=True):
        compact = re.sub(r"[\s-]+", "", org.lower())
        if len(compact) >= 3 and any(label == compact or label.endswith(compact) for label in labels):
            spaced = " ".join(re.split(r"[\s-]+", org.strip()))
            return " ".join(w.upper() if len(w) <= 3 and w not in TUSSENVOEGSELS else w.capitalize()
                            for w in spaced.split())
    return None


def organisation(signature: str, text: str, from_name: str, address: str, lexicon: Lexicon) -> str | None:
    """The non-member organisation a writer works for, so that a name card and a head count
    can say "VNG" or "Platform31" where a member's municipality would stand.

    The signature says it best (its first lines, where name, function and employer are);
    then the display name ("Secretariaat MBO Raad"), then the writer's own words about
    whom they speak for ("namens de VNG", "vanuit Platform31"), and last the mail domain.
    A session merely named after an organisation ("de sessie van de VNG") is no employer.
    """
    lines = [ln for ln in signature.splitlines() if ln.strip()][:SIGNATURE_LINES]
    for line in lines:
        if len(line.split()) <= 10:
            found = _organisation_in_line(line, lexicon)
            if found:
                return found
    found = _organisation_in_line(from_name, lexicon) if from_name else None
    if found:
        return found
    for m in _AFFILIATION.finditer(text):
        found = _organisation_at(text, m.end(), lexicon)
        if found:
            return found
    return _organisation_of_domain(address, lexicon)
