"""Per-process caps that keep one client from using up the cloud: WebSocket connections
per address and in all, and a sliding-window rate for one account's calls."""

from __future__ import annotations

import collections
import contextlib
import time
from collections.abc import Callable, Iterator

from app.cloud.errors import TooManyRequests


class TooManyConnections(Exception):
    """Over a cap: the connection is closed with 4429 and this message."""


class ConnectionCaps:
    def __init__(self, *, per_address: int, total: int) -> None:
        self.per_address = per_address
        self.total = total
        self._open: collections.Counter[str] = collections.Counter()

    @property
    def open(self) -> int:
        return sum(self._open.values())

    @contextlib.contextmanager
    def hold(self, address: str) -> Iterator[None]:
        """One connection from ``address`` for the block; TooManyConnections if over."""
        if self.open >= self.total:
            raise TooManyConnections("The cloud is at capacity just now; try again shortly.")
        if self._open[address] >= self.per_address:
            raise TooManyConnections(
                "Too many connections from your address; close some and try again."
            )
        self._open[address] += 1
        try:
            yield
        finally:
            self._open[address] -= 1
            if self._open[address] <= 0:
                del self._open[address]


class RateLimit:
    """At most ``count`` calls per key within ``window_s`` (a sliding window)."""

    def __init__(
        self, count: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.count = count
        self.window_s = window_s
        self._clock = clock
        self._calls: dict[str, collections.deque[float]] = {}

    def check(self, key: str, what: str) -> None:
        """Count one call, or TooManyRequests (with when to retry) if over the rate."""
        now = self._clock()
        calls = self._calls.setdefault(key, collections.deque())
        while calls and calls[0] <= now - self.window_s:
            calls.popleft()
        if len(calls) >= self.count:
            wait = calls[0] + self.window_s - now
            raise TooManyRequests(
                f"Too many {what} in a minute. Try again in {max(1, round(wait))} seconds.",
                retry_after_s=wait,
            )
        calls.append(now)
        if len(self._calls) > 100_000:  # forget idle keys rather than grow for ever
            for idle in [
                k for k, c in self._calls.items() if not c or c[-1] <= now - self.window_s
            ]:
                del self._calls[idle]
