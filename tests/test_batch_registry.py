"""store.BatchRegistry answers exactly as the plain Registry over the same attendees.

What a user notices: during a backlog, a full session's waiting list, a
secretariat's registrations and a person writing from a second address are
judged as they would be one message at a time (seats, lookups by address,
order of first registration).
"""

from __future__ import annotations

import random

from mailbot.core.types import Attendee, Change, Decision, Registry
from mailbot.store import BatchRegistry

SESSIONS = ("a", "b", "c", "d")
ADDRESSES = tuple(f"p{i}@zwolle.nl" for i in range(6)) + ("Secretariaat@Zwolle.nl".lower(),)


def _attendee(rng: random.Random, key: str) -> Attendee:
    return Attendee(key=key, name=key.title(), role=None, email=None, municipality="zwolle",
                    status=rng.choice(("registered", "registered", "declined", "cancelled")),
                    sessions=frozenset(rng.sample(SESSIONS, rng.randrange(0, 3))),
                    addresses=frozenset(rng.sample(ADDRESSES, rng.randrange(1, 3))),
                    waitlist=frozenset(rng.sample(SESSIONS, rng.randrange(0, 2))))


def _same(batch: BatchRegistry, plain: Registry) -> None:
    assert batch.attendees == plain.attendees
    for key in {a.key for a in plain.attendees} | {"nobody"}:
        assert batch.find(key) == plain.find(key)
    for addr in ADDRESSES + ("P0@Zwolle.nl", "unknown@x.nl"):
        assert batch.find_by_address(addr) == plain.find_by_address(addr), addr
    for sid in SESSIONS:
        assert batch.seats_taken(sid) == plain.seats_taken(sid), sid


def test_batch_registry_follows_every_change_like_a_fresh_read():
    rng = random.Random(32)
    start = tuple(_attendee(rng, f"k{i}") for i in range(5))
    batch = BatchRegistry(start)
    current = {a.key: a for a in start}  # insertion order is the order of first registration
    _same(batch, Registry(tuple(current.values())))
    for _ in range(300):
        key = f"k{rng.randrange(0, 12)}"
        a = _attendee(rng, key)
        batch.record(Decision("recorded", changes=(Change(a, "changed" if key in current else "new"),)))
        current[key] = a
        _same(batch, Registry(tuple(current.values())))
