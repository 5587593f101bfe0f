"""Fan-out of live events between the parts of the cloud.

Topics are strings ("account:<id>" for viewers and portals, "computer:<id>" for the
computer's control link); payloads are JSON text so a networked broker (Redis pub/sub,
for several cloud processes) can carry them unchanged.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Protocol

SUBSCRIPTION_QUEUE_SIZE = 256


class Subscription:
    """What one listener receives. A listener that falls this far behind is cut off rather
    than letting its queue grow without bound; it reconnects and reloads."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.overflowed = False
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(SUBSCRIPTION_QUEUE_SIZE)

    def deliver(self, payload: str) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(payload)
        except asyncio.QueueFull:
            self.overflowed = True
            # Make room for the end marker so the listener wakes up and sees the overflow.
            self._queue.get_nowait()
            self._queue.put_nowait(None)

    async def get(self) -> str | None:
        """The next payload, or None once the subscription overflowed."""
        return await self._queue.get()

    async def __aiter__(self) -> AsyncIterator[str]:
        while (payload := await self.get()) is not None:
            yield payload


class Broker(Protocol):
    def subscribe(self, topic: str) -> Subscription: ...

    def unsubscribe(self, subscription: Subscription) -> None: ...

    async def publish(self, topic: str, payload: str) -> None: ...


class LocalBroker:
    """The broker of a single cloud process."""

    def __init__(self) -> None:
        self._subscriptions: defaultdict[str, set[Subscription]] = defaultdict(set)

    def subscribe(self, topic: str) -> Subscription:
        subscription = Subscription(topic)
        self._subscriptions[topic].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        listeners = self._subscriptions.get(subscription.topic)
        if listeners is not None:
            listeners.discard(subscription)
            if not listeners:
                del self._subscriptions[subscription.topic]

    async def publish(self, topic: str, payload: str) -> None:
        for subscription in tuple(self._subscriptions.get(topic, ())):
            subscription.deliver(payload)


def account_topic(account_id: str) -> str:
    return f"account:{account_id}"


def computer_topic(computer_id: str) -> str:
    return f"computer:{computer_id}"
