"""Who may change a registration, and whom a reply may go to.

A registration is changed or withdrawn only by someone the address itself
ties to the person: their own listed (or recorded) address, their listed
secretariat, or an address on their municipality's domains (the exact
domain or a real subdomain of it). Anything else leaves the registration as
it stands and goes to staff with the reason: a lookalike of a member domain
("gemeente-zwolle.com", "zwolle.nl.example.com", "zwolIe.nl", punycode), or
an address that belongs to nobody on the list. A name in the text or in the
display name is never proof of who writes.

The same distrust applies to Reply-To: one confirmation never fans out to a
list of addresses the sender put there.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from mailbot.core.municipality import domain_of, on_domains
from mailbot.core.types import Attendee, Invitee, Knowledge, Mail, Municipality

# Letters from other scripts and digits that read as a Latin letter in a domain.
_CONFUSABLE = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ӏ": "l", "һ": "h", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ı": "i", "ο": "o", "α": "a", "ε": "e",
    "ν": "v", "τ": "t", "κ": "k", "ρ": "p", "ι": "i", "0": "o", "1": "l", "3": "e", "5": "s", "|": "l",
})
# Words a lookalike adds to a city's name: "gemeentezwolle.nl", "zwolle-stad.com".
_CIVIC = ("gemeente", "gem", "stad", "stadhuis", "raad", "griffie", "bestuur", "city", "municipality", "info",
          "mail", "secretariaat", "nl")
_SPLIT = re.compile(r"[.\-_]+")


@dataclass(frozen=True)
class Lookalike:
    municipality: str  # slug of the member the domain imitates
    how: str  # why it is a lookalike, for staff


def _decoded(domain: str) -> tuple[str, bool]:
    """The domain with punycode labels decoded; True when a label was punycode."""
    out, puny = [], False
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
                puny = True
            except (UnicodeError, ValueError):
                puny = True
        out.append(label)
    return ".".join(out), puny


def skeleton(domain: str) -> str:
    """A domain as it reads: accents dropped, homoglyphs and look-alike digits mapped to Latin letters."""
    text = unicodedata.normalize("NFKD", domain.lower())
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_CONFUSABLE)
    return text.replace("rn", "m").replace("vv", "w")


def _name_key(m: Municipality) -> set[str]:
    keys = {d.split(".")[0] for d in m.domains}
    for n in (m.name, *m.aliases):
        keys.add(re.sub(r"[^a-z]", "", skeleton(n)))
    return {k for k in keys if len(k) >= 3}


def _near(a: str, b: str) -> bool:
    """Edit distance at most one (a typo or one added, dropped or swapped letter)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def lookalike(address: str, municipalities: tuple[Municipality, ...]) -> Lookalike | None:
    """The member municipality whose domain this address imitates, or None.

    An address on a member's own domain or subdomain is never a lookalike.
    """
    raw = domain_of(address)
    if not raw or any(on_domains(address, m.domains) for m in municipalities):
        return None
    decoded, puny = _decoded(raw)
    skel = skeleton(decoded)
    labels = [x for x in _SPLIT.split(skel) if x]
    for m in municipalities:
        for d in m.domains:
            if skel == d or skel.endswith("." + d):
                how = "punycode" if puny else "homoglyph"
                return Lookalike(m.slug, f"{how}: {raw} leest als {d}")
            if skel.startswith(d + ".") or ("." + d + ".") in skel:
                return Lookalike(m.slug, f"{raw} begint met het domein {d}")
            base = d.rsplit(".", 1)[0]
            if len(base) >= 5 and _near(skel.rsplit(".", 1)[0].rsplit(".", 1)[-1], base):
                return Lookalike(m.slug, f"{raw} verschilt een letter van {d}")
        for key in _name_key(m):
            for label in labels:
                if label == key and labels[-1] != key:
                    return Lookalike(m.slug, f"{raw} bevat de naam {m.name} met een ander domein")
                rest = label.removeprefix(key) if label.startswith(key) else label.removesuffix(key)
                if rest != label and rest in _CIVIC:
                    return Lookalike(m.slug, f"{raw} plakt de naam {m.name} aan '{rest}'")
    return None


def listed(address: str, knowledge: Knowledge) -> bool:
    """The address is an invitee's or a secretariat's on the list."""
    a = address.lower()
    return any(i.email == a or i.secretary_email == a for i in knowledge.invitees)


def authority(address: str, attendee: Attendee | None, invitee: Invitee | None,
              knowledge: Knowledge) -> str | None:
    """Why this address may change the person's registration, or None when it may not.

    The grounds: the person's own listed or recorded address, their listed
    secretariat, an address on their municipality's domains; for someone not
    on the list, also the address that registered them.
    """
    a = address.lower()
    own = {x.lower() for x in (invitee.email if invitee else None, attendee.email if attendee else None) if x}
    if a in own:
        return "own-address"
    if invitee and invitee.secretary_email and a == invitee.secretary_email.lower():
        return "secretariat"
    slug = (invitee.municipality if invitee else None) or (attendee.municipality if attendee else None)
    m = next((x for x in knowledge.municipalities if x.slug == slug), None)
    if m is not None and on_domains(a, m.domains):
        return "municipality-domain"
    if invitee is None and attendee is not None and attendee.registered_by and a == attendee.registered_by.lower():
        return "registered-by"
    return None


def refusal(address: str, knowledge: Knowledge) -> str:
    """Why an address without authority was refused, in words for staff."""
    look = lookalike(address, knowledge.municipalities)
    if look is not None:
        return f"domein lijkt op dat van gemeente {look.municipality} ({look.how})"
    if any(on_domains(address, m.domains) for m in knowledge.municipalities):
        return "adres van een andere gemeente"
    if listed(address, knowledge):
        return "adres hoort bij iemand anders op de lijst"
    return "adres staat niet op de lijst en hoort bij geen gemeente"


def reply_targets(mail: Mail, knowledge: Knowledge) -> tuple[tuple[str, ...], str | None]:
    """Whom a reply goes to, and a note for staff when Reply-To was not followed.

    Reply-To is followed (contract rule 8) when it holds one address that is
    the sender's own, on the sender's domain, on a member domain or on the
    list. Several addresses, or one elsewhere: the reply goes to the sender
    plus at most one acceptable Reply-To, and staff hear why.
    """
    sender = mail.from_addr.lower()
    if not mail.reply_to:
        return ((sender,) if sender else ()), None

    def fits(r: str) -> bool:
        return (r.lower() == sender or domain_of(r) == domain_of(sender) or listed(r, knowledge)
                or any(on_domains(r, m.domains) for m in knowledge.municipalities))

    good = [r.lower() for r in mail.reply_to if fits(r)]
    if len(mail.reply_to) == 1 and good:
        return (good[0],), None
    to = tuple(dict.fromkeys(x for x in (sender, *good[:1]) if x))
    skipped = [r for r in mail.reply_to if r.lower() not in to]
    return to, f"Reply-To met {len(mail.reply_to)} adres(sen); niet beantwoord: {', '.join(skipped)}"
