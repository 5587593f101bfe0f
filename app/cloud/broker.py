"""Fan-out of live events between the parts of the cloud.

Topics are strings ("account:<id>" for viewers and portals, "computer:<id>" for the
computer's control link); payloads are JSON text so a networked broker (Redis pub/sub,
``app/cloud/redis_broker.py``, for several cloud processes) carries them unchanged.

Delivery is best effort, as with Redis pub/sub: the database is the truth, events only
say "look again". A listener that misses some (it fell behind, or the broker's
connection dropped) is ended, so its client reconnects and reloads.
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
        #: Why it ended, in words for the client: "fell behind", "lost its broker"...
        self.end_reason = ""
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(SUBSCRIPTION_QUEUE_SIZE)

    def deliver(self, payload: str) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(payload)
        except asyncio.QueueFull:
            self.end("this connection fell behind")

    async def get(self) -> str | None:
        """The next payload, or None once the subscription overflowed."""
        return await self._queue.get()

    async def __aiter__(self) -> AsyncIterator[str]:
        while (payload := await self.get()) is not None:
            yield payload

    def end(self, reason: str) -> None:
        """Wake the listener with the end marker: it missed events and must reload."""
        if self.overflowed:
            return
        self.overflowed = True
        self.end_reason = reason
        if self._queue.full():
            self._queue.get_nowait()  # room for the marker: it matters more than any event
        self._queue.put_nowait(None)


class Broker(Protocol):
    async def subscribe(self, topic: str) -> Subscription:
        """Listen to a topic; once this returns, every later publish reaches it."""
        ...

    def unsubscribe(self, subscription: Subscription) -> None: ...

    async def publish(self, topic: str, payload: str) -> bool:
        """Send to every listener of the topic, in any process; False if it could not."""
        ...

    async def close(self) -> None: ...


class Listeners:
    """This process's listeners, by topic."""

    def __init__(self) -> None:
        self._by_topic: defaultdict[str, set[Subscription]] = defaultdict(set)

    def add(self, subscription: Subscription) -> bool:
        """Adds; True if it is the topic's first listener here."""
        listeners = self._by_topic[subscription.topic]
        listeners.add(subscription)
        return len(listeners) == 1

    def remove(self, subscription: Subscription) -> bool:
        """Removes; True if the topic has no listener left here."""
        listeners = self._by_topic.get(subscription.topic)
        if listeners is None or subscription not in listeners:
            return False
        listeners.discard(subscription)
        if listeners:
            return False
        del self._by_topic[subscription.topic]
        return True

    def deliver(self, topic: str, payload: str) -> None:
        for subscription in tuple(self._by_topic.get(topic, ())):
            subscription.deliver(payload)

    def topics(self) -> list[str]:
        return list(self._by_topic)

    def end_all(self, reason: str) -> None:
        for listeners in self._by_topic.values():
            for subscription in listeners:
                subscription.end(reason)


class LocalBroker:
    """The broker of a single cloud process."""

    def __init__(self) -> None:
        self._listeners = Listeners()

    async def subscribe(self, topic: str) -> Subscription:
        subscription = Subscription(topic)
        self._listeners.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._listeners.remove(subscription)

    async def publish(self, topic: str, payload: str) -> bool:
        self._listeners.deliver(topic, payload)
        return True

    async def close(self) -> None:
        self._listeners.end_all("the cloud is stopping")


def account_topic(account_id: str) -> str:
    return f"account:{account_id}"


def computer_topic(computer_id: str) -> str:
    return f"computer:{computer_id}"
