"""Reconnection delays: exponential with full jitter, capped, so a thousand kiosks that
lost the same cloud do not come back in lock-step."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    first_s: float = 0.25
    cap_s: float = 10.0
    factor: float = 2.0
    attempt: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def next_delay(self) -> float:
        ceiling = min(self.cap_s, self.first_s * self.factor**self.attempt)
        self.attempt += 1
        # Never less than half the ceiling: a reconnect storm stays spread but bounded.
        return ceiling / 2 + self._random.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.attempt = 0
