"""Read one message: who it is from, who it is about, and what each wants.

The new text is cut into units (sentences and list lines). Each unit is
assigned to a person: the people it names, else the person a pronoun points
back to ("Zij neemt deel aan ..."), else the sender when it speaks in the
first person. Each person then collects the cues and session mentions of their
units. The quoted history and the signature never add sessions or people;
the signature only helps to tell who the sender is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from email.message import EmailMessage

from mailbot.core import layout
from mailbot.core import municipality as muni
from mailbot.core.classify import Classification, classify
from mailbot.core.fold import Token, fold, tokenize
from mailbot.core.intent import FIRST_PERSON, NONE, Cues, PhraseBook, person_words
from mailbot.core.mailfacts import read_mail
from mailbot.core.people import (
    display_name,
    find_people,
    job_title,
    match_invitee,
    organisation,
    plausible_name,
    role_predicates,
    same_name,
    sender_role,
)
from mailbot.core.quotes import split_reply
from mailbot.core.remarks import find_remarks
from mailbot.core.sessions import (
    Mention,
    inline_mentions,
    mentions_in_tokens,
    parts_yield,
    session_words,
)
from mailbot.core.text import extract
from mailbot.core.types import Knowledge, Lexicon, Mail

SELF_WORDS = frozenset({"mij", "me", "myself"})
OBJECT_PRONOUNS = frozenset({"haar", "hem", "hen", "hun", "ze", "her", "him", "them"})
HE_OR_SHE = frozenset({"zij", "hij", "haar", "hem", "she", "he", "her", "him"})
SELF_PHRASES = (("ik", "kom"), ("kom", "ik"), ("ik", "ben"), ("ben", "ik"), ("en", "ik"), ("ik", "en"),
                ("i", "will"))
_UNIT_SPLIT = re.compile(r"\n|(?<=[!?])\s+|(?<![0-9]\.)(?<!\b[A-Za-z]\.)(?<!dhr\.)(?<!mw\.)(?<=\.)\s+(?=\S)")
_ORG_NAME = re.compile(r"secretariaat|bestuur|gemeente|griffie|team|afdeling|info|office|kabinet", re.I)


FORWARD_ONLY = "forwarded message without words of the sender's own"
TOO_LONG = "new text longer than a reply to an invitation; only its start was read"
MAX_NEW_TEXT = 20_000  # characters of new text read; the rest goes to staff with the message


@dataclass(frozen=True)
class PersonReading:
    key: str
    name: str
    role: str | None
    email: str | None
    municipality: str | None
    on_invitee_list: bool
    is_sender: bool
    cues: Cues
    mentions: tuple[Mention, ...]
    evidence: tuple[str, ...] = ()
    remarks: tuple[str, ...] = ()  # dietary needs, access, timing, company (core.remarks)
    organisation: str | None = None  # a non-member's organisation (VNG, BZK, ...), from the mail

    @property
    def chosen(self) -> frozenset[str]:
        """Sessions named and never ruled out: a later "correctie: niet de X" or an
        earlier regret beats a plain mention (when unsure, nothing is chosen)."""
        return frozenset(m.session for m in self.mentions if not m.negated) - self.dropped

    @property
    def dropped(self) -> frozenset[str]:
        """Sessions ruled out. A vague "niet de hele dag" does not rule out a session
        that is also named outright ("..., alleen de Sociale Pijler")."""
        named = {m.session for m in self.mentions if not m.negated}
        return frozenset(m.session for m in self.mentions
                         if m.negated and not (m.how == "part" and m.session in named))


@dataclass(frozen=True)
class Reading:
    mail: Mail
    classification: Classification
    text_source: str
    new_text: str
    signature: str
    sender: muni.Sender
    people: tuple[PersonReading, ...]
    cues: Cues
    calendar: str | None = None  # PARTSTAT of a calendar reply
    problems: tuple[str, ...] = field(default=())


# keyed by id(); the lexicon is kept with its book so that its id is never reused
_BOOKS: dict[int, tuple[Lexicon, PhraseBook]] = {}


def phrasebook(knowledge: Knowledge) -> PhraseBook:
    lexicon = knowledge.lexicon
    hit = _BOOKS.get(id(lexicon))
    if hit is None or hit[0] is not lexicon:
        hit = _BOOKS[id(lexicon)] = (lexicon, PhraseBook(lexicon))
    return hit[1]


_ABBREVIATION_END = re.compile(
    r"\b(?:nr|nrs|no|nos|o\.a|bijv|evt|ca|resp|dhr|mw|mevr|drs|ir|ing|prof|dr|mr|t\.a\.v|vs|zgn|m\.b\.t|i\.v\.m|"
    r"ivm|mbt|tav|d\.w\.z|incl|excl|etc|e\.d)\.$", re.I)
_CUT_SHORT = re.compile(r"(?:^|\s)[a-z]{2,5}\.$")  # "op soc." before "pijler": a word cut short
_NUMBER_END = re.compile(r"(?<=[a-z,] \d)\.\s+(?=[A-Z])|(?<=[a-z,] \d\d)\.\s+(?=[A-Z])")


def units(text: str) -> list[str]:
    """Sentences and lines, the smallest pieces a person can be assigned to. A number
    ends a sentence too ("kiest hij 7 en 10. Bij het AB ..."), but not as the label of
    a numbered line ("1. Themasessie ...")."""
    out: list[str] = []
    for u in _UNIT_SPLIT.split(text):
        for v in _NUMBER_END.split(u or ""):
            v = v.strip()
            if not v:
                continue
            if out and (_ABBREVIATION_END.search(out[-1]) or _CUT_SHORT.search(out[-1]) and v[:1].islower()):
                out[-1] = f"{out[-1]} {v}"  # "nr. 1, 7 en 8": an abbreviation ends no sentence
            else:
                out.append(v)
    return out


def sender_name(mail: Mail, signature: str, knowledge: Knowledge) -> str:
    name = display_name(mail.from_name, knowledge.lexicon) if mail.from_name else ""
    if not plausible_name(name):
        name = ""
    if name and len(name.split()) > 1 and not _ORG_NAME.search(name):
        return name  # one word ("Divosa", "Griffie") is a last resort, after the signature
    for line in signature.splitlines()[:6]:
        line = line.strip()
        if re.fullmatch(r"(?:[A-ZÀ-Þ][\w'’.-]*\s+){0,1}(?:(?:van|de|der|den|ter|ten)\s+)*[A-ZÀ-Þ][\w'’.-]+"
                        r"(?:\s+[A-ZÀ-Þ][\w'’.-]+)?", line) and not _ORG_NAME.search(line):
            return line
    return name or mail.from_addr


def understand(msg: EmailMessage, raw: bytes, knowledge: Knowledge) -> Reading:
    mail = read_mail(msg, raw)
    cls = classify(msg, own_addresses=knowledge.own_addresses,
                   trusted_authserv_ids=knowledge.trusted_authserv_ids,
                   own_message_id_domains=frozenset({knowledge.event.address.rpartition("@")[2].lower()}))
    ext = extract(msg)
    parts = split_reply(ext.text)
    sender = muni.identify(mail.from_addr, parts.new + "\n" + parts.signature, knowledge, mail.to + mail.cc)
    calendar = ext.calendar.partstat if ext.calendar else None
    if cls.kind != "human":
        return Reading(mail, cls, ext.source, parts.new, parts.signature, sender, (), NONE, calendar,
                       tuple(ext.problems))
    book = phrasebook(knowledge)
    event = knowledge.event
    # a forward with no words of the sender's own: its text is someone else's (rule 1)
    new_text = "" if parts.forwarded else parts.new
    problems = tuple(ext.problems) + ((FORWARD_ONLY,) if parts.forwarded else ())
    if ext.calendar and ext.calendar.comment:
        new_text = (new_text + "\n" + ext.calendar.comment).strip()
    if len(new_text) > MAX_NEW_TEXT:  # nobody answers an invitation in a novel: staff read it
        new_text = new_text[:MAX_NEW_TEXT]
        problems += (TOO_LONG,)

    # who the sender is as a person
    s_name = sender.invitee.name if sender.invitee else sender_name(mail, parts.signature, knowledge)
    s_inv = sender.invitee
    if s_inv is None and sender.municipality:
        s_inv = match_invitee(s_name, None, knowledge.invitees, sender.municipality)
    if s_inv is None and not sender.trusted:
        # an unknown address signing with an invitee's full name speaks as that invitee, so that
        # decide's identity check guards the invitee's registration instead of a second attendee
        s_inv = same_name(s_name, knowledge.invitees)
    s_key = s_inv.email if s_inv else f"addr:{mail.from_addr}"

    people: dict[str, dict] = {}
    order: list[str] = []

    def person(key: str, **facts) -> dict:
        if key not in people:
            people[key] = {**facts, "cues": NONE, "mentions": [], "evidence": [], "remarks": []}
            order.append(key)
        return people[key]

    # the writer's own role, also for senders not on the list: "ben ik wethouder", a signature line
    s_role = sender_role(new_text, parts.signature, knowledge.lexicon)

    def the_sender() -> dict:
        return person(s_key, name=s_inv.name if s_inv else s_name, role=s_inv.role if s_inv else s_role,
                      email=s_inv.email if s_inv else mail.from_addr,
                      municipality=s_inv.municipality if s_inv else sender.municipality,
                      listed=s_inv is not None, is_sender=True)

    others_named = False
    sender_self_cue = False
    last_key: str | None = None
    last_other: str | None = None  # "zij", "hem": the last person named other than the writer
    all_cues = NONE
    unchosen: set[int] = set()  # mentions in sentences that neither register, change nor affirm
    # layout: tables and marked lines come read; marks typed into the quote; the subject line
    body = list(layout.read_units(new_text, event, units))
    read_quote = not any(f for _, f in body) and not layout.names_session(new_text, event)
    marked = layout.quoted_answers(parts.quoted, event) if read_quote else []
    subject = "" if parts.forwarded else layout.subject_text(mail.subject, parts.quoted)
    any_mention = bool(marked)
    for n, (unit, forced) in enumerate(body + ([(subject, None)] if subject else [])):
        tokens = tokenize(fold(unit))
        if forced is not None:
            mentions = forced
        else:
            mentions = layout.strike(tokens, mentions_in_tokens(tokens, event, book.negation))
        if n == len(body) and (any_mention or not mentions):
            break  # the subject counts only when the body names no session (088, 089)
        any_mention = any_mention or bool(mentions)
        cues = book.cues(tokens)
        all_cues = all_cues.merged(cues)
        if forced is None:
            mentions = _scoped_by_sentence(mentions, tokens, cues)
            bare = all(len(t.text) <= 3 or t.text in session_words(event) for t in tokens if t.is_word)
            if not bare and not _chooses(tokens, cues):  # a bare list of sessions is an answer
                unchosen.update(id(m) for m in mentions)
        named = find_people(unit, knowledge.lexicon, knowledge.invitees, sender.municipality,
                            session_words(event))
        first, third = person_words(tokens)
        targets: list[str] = []
        where: dict[str, int] = {}  # person -> offset in the folded unit where they are named
        predicates = role_predicates(unit, knowledge.lexicon)
        for np in named:
            inv = np.invitee
            if inv is None and (np.start in predicates or job_title(unit, np)):
                continue  # "ben ik wethouder Sociaal Domein", "(directeur Woningmarkt bij BZK)": nobody new
            if inv is not None and s_inv is not None and inv.email == s_inv.email:
                the_sender()
                targets.append(s_key)
                where.setdefault(s_key, len(fold(unit[:np.start])))
                sender_self_cue = True
                continue
            key = inv.email if inv else f"name:{' '.join(fold(np.name).split())}|{sender.municipality or ''}"
            person(key, name=inv.name if inv else np.name, role=np.role or (inv.role if inv else None),
                   email=inv.email if inv else None,
                   municipality=inv.municipality if inv else sender.municipality,
                   listed=inv is not None, is_sender=False)["evidence"].append(np.evidence)
            targets.append(key)
            where.setdefault(key, len(fold(unit[:np.start])))
            others_named = True
        if named and first and (_self_word(tokens) or _has_self_phrase(tokens)):
            the_sender()
            targets.append(s_key)
            where.setdefault(s_key, next(t.start for t in tokens if t.text in FIRST_PERSON))
            sender_self_cue = True
        if not targets:
            if third and last_key is not None:
                # a third-person pronoun never points at the writer
                targets = [last_other if last_other and _he_or_she(tokens) else last_key]
            elif first or last_key is None:
                the_sender()
                targets = [s_key]
                if _self_word(tokens) or _has_self_phrase(tokens):
                    sender_self_cue = True
            else:
                targets = [last_key]
        targets = list(dict.fromkeys(targets))
        if len(targets) > 1 and all(k in where for k in targets):
            shares = _split_by_person(tokens, mentions, {k: where[k] for k in targets}, book)
        else:
            shares = {k: (cues, mentions) for k in targets}
        said = [str(r) for r in find_remarks(unit)] if n < len(body) else []
        for key in targets:
            p = people[key]
            p["cues"] = p["cues"].merged(shares[key][0])
            p["mentions"].extend(shares[key][1])
            p["remarks"].extend(r for r in said if r not in p["remarks"])
        last_key = targets[-1]
        last_other = next((k for k in reversed(targets) if not people[k]["is_sender"]), last_other)

    if read_quote and others_named:  # initials in the quote may stand for the people named ("JdV, SV")
        marked = layout.quoted_answers(parts.quoted, event,
                                       {k: p["name"] for k, p in people.items() if not p["is_sender"]})
    for a in marked:
        if a.people:
            owners = [people[k] for k in a.people]
        else:
            owners = [people[last_key] if others_named and not sender_self_cue and last_key else the_sender()]
        for owner in owners:
            owner["mentions"].extend(Mention(sid, 0, a.text, "mark", a.value == layout.NO) for sid in a.sessions)
    inline = inline_mentions(ext.text, event, book.negation)
    if inline:
        the_sender()["mentions"].extend(inline)

    if (all_cues.has("decline") or all_cues.has("cancel")) and not (all_cues.has("register") or all_cues.has("change")):
        # a message that only says no: a session named in passing ("succes met het Algemeen
        # Bestuur") is no choice; one named with "graag" or "wel" still is
        for p in people.values():
            p["mentions"] = [m for m in p["mentions"] if id(m) not in unchosen or m.negated]
    # a non-member's employer, for the people this mail ties to no member municipality
    org = None if sender.municipality else organisation(
        parts.signature, new_text, mail.from_name, mail.from_addr, knowledge.lexicon)
    readings = []
    for key in order:
        p = people[key]
        if p["is_sender"] and others_named and not sender_self_cue:
            continue
        readings.append(PersonReading(
            key=key, name=p["name"], role=p["role"], email=p["email"], municipality=p["municipality"],
            on_invitee_list=p["listed"], is_sender=p["is_sender"], cues=p["cues"],
            mentions=tuple(parts_yield(p["mentions"], event)), evidence=tuple(p["evidence"]), remarks=tuple(p["remarks"]),
            organisation=None if p["municipality"] else org,
        ))
    return Reading(mail, cls, ext.source, new_text, parts.signature, sender, tuple(readings), all_cues,
                   calendar, problems)


_AFFIRM_WORDS = frozenset({"graag", "wel", "ja", "yes", "gladly"})
_COUNTERFACTUAL = frozenset({"had", "hadden", "was", "waren", "zou", "zouden"})


def _scoped_by_sentence(mentions: list[Mention], tokens: list[Token], cues: Cues) -> list[Mention]:
    """What a whole sentence says about the sessions it names.

    A question chooses nothing ("komen de stukken voor het AB ook in iBabs?")
    unless it also registers or changes. A sentence that declines or regrets
    and neither registers nor affirms ("op die dag ben ik de hele dag in
    Brussel, dus ik moet helaas verstek laten gaan") rules out every session it
    names, also those outside the clause of the cue.
    """
    if not mentions:
        return mentions
    says_yes = cues.has("register") or cues.has("change")
    if cues.has("question") and not says_yes:
        return []
    # "graag" affirms, except in a wish that did not come true ("had ik graag bijgewoond")
    if (cues.has("decline") or cues.has("cancel")) and not _chooses(tokens, cues):
        return [m if m.negated else replace(m, negated=True) for m in mentions]
    return mentions


def _chooses(tokens: list[Token], cues: Cues) -> bool:
    """Whether a sentence says yes to something: a register or change cue, or an affirming word."""
    said = {t.text for t in tokens}
    affirms = said & _AFFIRM_WORDS - ({"graag"} if said & _COUNTERFACTUAL else set())
    return cues.has("register") or cues.has("change") or bool(affirms)


def _split_by_person(tokens: list[Token], mentions: list[Mention], where: dict[str, int],
                     book: PhraseBook) -> dict[str, tuple[Cues, list[Mention]]]:
    """Share one sentence naming several people out among them.

    "Ik kom naar het AB en wethouder Smits komt naar de borrel": each person
    gets the cues and sessions from where they are named up to the next
    person. A part with nothing of its own shares the next part ("Burgemeester
    Bakker en wethouder Smits komen naar de borrel"), or at the end the part
    before ("..., wethouder Smits ook"). What stands before the first person
    ("Voor het AB meld ik aan: ...") counts for everyone.
    """
    order = sorted(where.items(), key=lambda kv: kv[1])
    starts = [off for _, off in order]
    mention_at = [(tokens[m.token].start, m) for m in mentions]

    def part(lo: int, hi: int) -> tuple[Cues, list[Mention]]:
        toks = [t for t in tokens if lo <= t.start < hi]
        return book.cues(toks), [m for at, m in mention_at if lo <= at < hi]

    head_cues, head_mentions = part(-1, starts[0])
    groups: list[tuple[list[str], Cues, list[Mention]]] = []
    waiting: list[str] = []
    for i, (key, lo) in enumerate(order):
        hi = starts[i + 1] if i + 1 < len(order) else len(tokens[-1].text) + tokens[-1].start + 1
        c, ms = part(lo, hi)
        waiting.append(key)
        if c.hits or ms:
            groups.append((waiting, c, ms))
            waiting = []
    if waiting:
        if groups:
            groups[-1][0].extend(waiting)
        else:
            groups.append((waiting, NONE, []))
    out: dict[str, tuple[Cues, list[Mention]]] = {}
    for keys, c, ms in groups:
        for k in keys:
            out[k] = (head_cues.merged(c), head_mentions + ms)
    return out


def _self_word(tokens: list[Token]) -> bool:
    """A reflexive "mij"/"me" that is the writer taking part, not "vroeg mij haar aan te melden"
    (the writer asked to register someone else: a third-person object follows)."""
    text = [t.text for t in tokens if t.is_word]
    return any(w in SELF_WORDS and (i + 1 >= len(text) or text[i + 1] not in OBJECT_PRONOUNS)
               for i, w in enumerate(text))


def _he_or_she(tokens: list[Token]) -> bool:
    """A personal pronoun that can only mean a person ("zij", "hem"), not "zijn" or "ze" as a verb or plural."""
    return any(t.text in HE_OR_SHE for t in tokens)


def _has_self_phrase(tokens) -> bool:
    text = [t.text for t in tokens if t.is_word]
    pairs = set(zip(text, text[1:], strict=False))
    return any(p in pairs for p in SELF_PHRASES if len(p) == 2)
