"""Remarks staff must act on: dietary needs, access, arriving late or leaving early, someone along.

A remark is recorded with the attendee and put up for staff review; the bot
never pretends to have handled it. It is found by kind: a word that only
such a need uses ("vegetarisch", "rolstoel", "assistente"), or for timing a
late/early word next to a verb of arriving or leaving ("iets later binnen",
"moet eerder weg", "om 15.00 uur weg"). Coming for part of the day only
("alleen 's middags", "pas na de lunch") is a choice of sessions, not a
remark, and neither is "de sessies laten wij later weten".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailbot.core.describe import SESSION_NOUNS, parse_times
from mailbot.core.fold import fold, tokenize, words

# kind -> (label for staff, words that by themselves make the remark)
KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "dieet": ("dieetwens", frozenset({
        "vegetarisch", "vegetarische", "vegetarier", "veganistisch", "veganistische", "vegan", "veganist",
        "glutenvrij", "glutenvrije", "gluten", "lactosevrij", "lactosevrije", "lactose", "allergie", "allergisch",
        "notenallergie", "pinda-allergie", "pinda", "noten", "halal", "koosjer", "dieet", "dieetwens", "coeliakie",
        "vegetarian", "vegetable", "allergy", "allergic", "dietary", "diet", "glutenfree", "pescotarier",
        "pescetarisch", "visallergie"})),
    "toegang": ("toegankelijkheid", frozenset({
        "rolstoel", "rolstoelgebruiker", "rolstoeltoegankelijk", "rollator", "scootmobiel", "krukken",
        "slechtziend", "slechthorend", "doof", "blind", "ringleiding", "geleidehond", "invalidenparkeerplaats",
        "gehandicaptenparkeerplaats", "mindervalide", "mindervaliden", "invalidenparkeerkaart", "wheelchair",
        "toegankelijk", "toegankelijkheid", "traplift"})),
    "begeleiding": ("begeleiding", frozenset({
        "assistent", "assistente", "begeleider", "begeleidster", "chauffeur", "ondersteuner", "persvoorlichter",
        "vergezeld", "meenemen", "meebrengen", "tolk", "assistant"})),
}
_LATE = frozenset({"later", "pas", "vertraagd", "vertraging"})
_EARLY = frozenset({"eerder", "vroeger", "vroegtijdig"})
_ARRIVE = frozenset({"kom", "komt", "komen", "aankomen", "aanschuiven", "schuift", "schuif", "binnen", "sluit",
                     "arriveer", "arriveert", "arriveren", "aanwezig", "er", "late", "arrive"})
_LEAVE = frozenset({"weg", "vertrekken", "vertrek", "vertrekt", "verlaten", "verlaat", "leave", "afhaken", "haakt"})
# "alleen 's middags", "pas na de lunch": which part of the day, told by the sessions chosen
_DAYPART = frozenset({"ochtend", "middag", "middags", "ochtends", "lunch", "ochtendprogramma", "middagprogramma",
                      "morgens", "avond"})
_CLOCK = re.compile(r"\b\d{1,2}[.:]\d{2}\b|\b\d{1,2}\s*uur\b")
_ALSO_ANOTHER = re.compile(r"\bkomt\b.*\bmee\b|\bneem\w*\b.*\bmee\b|\bmet\s+(?:mijn|zijn|haar)\s+\w+\b.*\bmee\b")
_WINDOW = 3


@dataclass(frozen=True)
class Remark:
    kind: str  # dieet | toegang | tijd | begeleiding
    label: str  # for staff: "dieetwens"
    text: str  # the writer's own sentence

    def __str__(self) -> str:
        return f"{self.label}: {self.text}"


def _near(tokens: list[str], a: frozenset[str], b: frozenset[str]) -> bool:
    at = [i for i, t in enumerate(tokens) if t in a]
    return any(abs(i - j) <= _WINDOW for i in at for j, t in enumerate(tokens) if t in b and j != i)


def timing(unit: str) -> str | None:
    """'later' (arriving late), 'eerder' (leaving early) or None; part of the day alone is None."""
    tokens = list(words(unit))
    folded = fold(unit)
    daypart_only = bool(set(tokens) & _DAYPART) and not _CLOCK.search(folded)
    if daypart_only or "weten" in tokens and not (set(tokens) & (_ARRIVE - {"er"})):
        return None
    if _near(tokens, _LATE, _ARRIVE) or ("te" in tokens and "laat" in tokens):
        return "later"
    if "pas" in tokens and parse_times(tokenize(folded)):
        return "later"  # "schuift bij de eerste sessie pas rond kwart over tien aan"
    if _near(tokens, _EARLY, _LEAVE):
        return "eerder"
    if _CLOCK.search(folded) and ("weg" in tokens or {"vertrekken", "vertrek", "vertrekt"} & set(tokens)):
        return "eerder"
    return None


def find_remarks(unit: str) -> tuple[Remark, ...]:
    """The remarks one sentence makes, each kind once, with the sentence as the writer put it."""
    tokens = set(words(unit))
    text = " ".join(unit.split())
    out = [Remark(kind, label, text) for kind, (label, vocab) in KINDS.items() if tokens & vocab]
    # "neem ... mee" brings a person along, unless what is taken along is part of the
    # programme ("de laatste twee onderdelen neem ik ook mee")
    about_programme = bool(tokens & SESSION_NOUNS)
    if not any(r.kind == "begeleiding" for r in out) and not about_programme and _ALSO_ANOTHER.search(fold(unit)):
        out.append(Remark("begeleiding", KINDS["begeleiding"][0], text))
    when = timing(unit)
    if when is not None:
        out.append(Remark("tijd", "later aanwezig" if when == "later" else "eerder weg", text))
    return tuple(out)
