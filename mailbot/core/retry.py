"""How long to wait before trying again: capped exponential backoff with jitter.

Pure: the caller passes the random draw, so tests can pin it. The first
retry comes at the next cycle (no wait), because a poll interval has passed
by then anyway; later ones wait longer, up to the cap.
"""

from __future__ import annotations


def backoff_seconds(attempt: int, *, base: float = 30.0, cap: float = 3600.0, draw: float = 1.0) -> float:
    """Wait before retry number `attempt` (1 = the first retry); `draw` in [0, 1) spreads it by up to half."""
    if attempt <= 1:
        return 0.0
    wait = min(cap, base * 2 ** (attempt - 2))
    return wait * (0.5 + 0.5 * draw)
