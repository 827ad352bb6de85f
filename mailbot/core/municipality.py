"""Which member municipality a sender belongs to, and how sure that is.

In order of trust: the sender's exact address in the invitee list (as invitee
or secretariat), the mail domain or a subdomain of it, and last the text or
signature ("wethouder gemeente Venlo"). Anything else is a non-member or an
unknown sender, which staff review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailbot.core.fold import fold
from mailbot.core.types import Invitee, Knowledge, Municipality


@dataclass(frozen=True)
class Sender:
    address: str
    invitee: Invitee | None  # the sender is this invitee
    secretariat_for: tuple[Invitee, ...]  # the sender is the listed secretariat of these
    municipality: str | None
    how: str  # invitee-address | secretariat-address | personal-reply-address | domain | subdomain | text | none

    @property
    def trusted(self) -> bool:
        """True when the address itself ties the sender to a member municipality."""
        return self.how in ("invitee-address", "secretariat-address", "personal-reply-address", "domain",
                            "subdomain")


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def on_domains(address: str, domains: tuple[str, ...]) -> bool:
    """The address is on one of the domains or on a real subdomain of one ("raad.zwolle.nl")."""
    d = domain_of(address)
    return any(d == x or d.endswith("." + x) for x in domains)


def by_domain(address: str, municipalities: tuple[Municipality, ...]) -> tuple[str | None, str]:
    domain = domain_of(address)
    for m in municipalities:
        if domain in m.domains:
            return m.slug, "domain"
        if on_domains(address, m.domains):
            return m.slug, "subdomain"
    return None, "none"


def _text_patterns(municipalities: tuple[Municipality, ...],
                   roles: tuple[str, ...] = ()) -> list[tuple[re.Pattern[str], str]]:
    """"gemeente Deventer", "burgemeester van Oss", and any role of the lexicon before the
    name ("als gemeentesecretaris van Dordrecht", "griffier gemeente Ede")."""
    role_words = sorted({"burgemeester", "wethouder", "raadslid", *(fold(r) for r in roles)}, key=len, reverse=True)
    role = "|".join(re.escape(r) for r in role_words)
    out = []
    for m in municipalities:
        names = "|".join(re.escape(fold(n)) for n in (m.name, *m.aliases))
        out.append((re.compile(
            rf"\b(?:gemeente|(?:{role})(?:\s+(?:van|in|bij))?(?:\s+(?:de\s+)?gemeente)?|"
            rf"city\s+of|mayor\s+of|municipality\s+of|stad)\s+(?:{names})\b"), m.slug))
    return out


# keyed by id(); the tuple is kept with its patterns so that its id is never reused
_PATTERNS: dict[tuple[int, tuple[str, ...]], tuple[tuple[Municipality, ...], list[tuple[re.Pattern[str], str]]]] = {}


def in_text(text: str, municipalities: tuple[Municipality, ...], roles: tuple[str, ...] = ()) -> str | None:
    """A member municipality the text names as the writer's ("gemeente Deventer")."""
    key = (id(municipalities), roles)
    hit = _PATTERNS.get(key)
    if hit is None or hit[0] is not municipalities:
        hit = _PATTERNS[key] = (municipalities, _text_patterns(municipalities, roles))
    folded = fold(text)
    hits = {slug for pat, slug in hit[1] if pat.search(folded)}
    return hits.pop() if len(hits) == 1 else None


def by_token(recipients: tuple[str, ...], knowledge: Knowledge) -> Invitee | None:
    """The invitee whose personal reply address (info+TOKEN@...) the mail was sent to."""
    own_local, _, own_domain = knowledge.event.address.lower().partition("@")
    for r in recipients:
        local, _, domain = r.lower().partition("@")
        base, plus, token = local.partition("+")
        if plus and base == own_local and domain == own_domain and token in knowledge.tokens:
            email = knowledge.tokens[token]
            return next((i for i in knowledge.invitees if i.email == email), None)
    return None


def identify(address: str, text: str, knowledge: Knowledge, recipients: tuple[str, ...] = ()) -> Sender:
    """Who the sender is: the address, then a personal reply address, then the domain, the text last."""
    addr = address.lower()
    inv = next((i for i in knowledge.invitees if i.email == addr), None)
    sec = tuple(i for i in knowledge.invitees if i.secretary_email == addr)
    if inv:
        return Sender(addr, inv, sec, inv.municipality, "invitee-address")
    if sec:
        return Sender(addr, None, sec, sec[0].municipality, "secretariat-address")
    token_inv = by_token(recipients, knowledge) if knowledge.tokens else None
    if token_inv is not None:
        slug, how = by_domain(addr, knowledge.municipalities)
        if slug is None or slug == token_inv.municipality:
            return Sender(addr, token_inv, (), token_inv.municipality, "personal-reply-address")
    slug, how = by_domain(addr, knowledge.municipalities)
    if slug:
        return Sender(addr, None, (), slug, how)
    slug = in_text(text, knowledge.municipalities, tuple(knowledge.lexicon.roles))
    return Sender(addr, None, (), slug, "text" if slug else "none")
