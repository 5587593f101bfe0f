"""Reconnection delays grow, stay within their cap, and start over after a success."""

from __future__ import annotations

import random

from app.viewer.core.backoff import Backoff


def test_delays_grow_to_the_cap_with_jitter_and_reset() -> None:
    backoff = Backoff(first_s=0.25, cap_s=10.0, _random=random.Random(7))
    delays = [backoff.next_delay() for _ in range(12)]
    ceilings = [min(10.0, 0.25 * 2**n) for n in range(12)]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert max(delays) <= 10.0 and delays[-1] >= 5.0
    assert len(set(delays)) == len(delays)  # jittered, not lock-step
    backoff.reset()
    assert backoff.next_delay() <= 0.25
