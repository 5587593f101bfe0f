"""Waiting for a condition on in-process state that has no event of its own: checked
each time the loop turns (every few ms), bounded by a deadline, failing with what was
awaited. Never a fixed sleep standing in for "long enough"."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def eventually(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {timeout_s} s for {what}"
        await asyncio.sleep(0.005)


async def eventually_async(
    condition: Callable[[], Awaitable[bool]], timeout_s: float, what: str
) -> None:
    """The same for a condition that must ask something (the cloud's API): asked again
    as soon as the last answer came, bounded by the deadline."""
    deadline = time.monotonic() + timeout_s
    while not await condition():
        assert time.monotonic() < deadline, f"still waiting after {timeout_s} s for {what}"
        await asyncio.sleep(0.02)
