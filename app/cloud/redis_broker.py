"""The broker of a deployment with several cloud processes: Redis pub/sub.

Each process keeps one pub/sub connection, subscribed to the topics its own listeners
want (a topic's first listener here subscribes it, its last one unsubscribes), and
publishes on a pooled connection. ``subscribe`` returns only once Redis confirmed the
subscription, so nothing published after it is missed.

When the connection drops, every listener of this process is ended (its agents and
viewers reconnect and reload what they show: the database is the truth) and the
connection comes back with backoff, re-subscribing the topics still wanted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from app.cloud.broker import Listeners, Subscription

log = logging.getLogger(__name__)
CONFIRM_TIMEOUT_S = 5.0
MAX_BACKOFF_S = 10.0


class BrokerUnavailable(Exception):
    """Redis cannot be reached right now; the caller should tell its client to retry."""


class RedisBroker:
    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=5, health_check_interval=30
        )
        self._listeners = Listeners()
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._ready = asyncio.Event()
        self._lock = asyncio.Lock()  # one SUBSCRIBE/UNSUBSCRIBE exchange at a time

    async def start(self) -> None:
        """Connects; fails at start-up, with the reason, if Redis is not there."""
        try:
            await self._client.ping()
            await self._open_pubsub()
        except (RedisError, OSError) as exc:
            raise BrokerUnavailable(f"cannot reach Redis: {exc}") from exc
        self._reader = asyncio.create_task(self._read_forever(), name="redis-broker")

    async def subscribe(self, topic: str) -> Subscription:
        subscription = Subscription(topic)
        if not self._ready.is_set():
            raise BrokerUnavailable("the connection to Redis is being restored")
        async with self._lock:
            if self._listeners.add(subscription):
                try:
                    await self._subscribe_confirmed(topic)
                except (RedisError, OSError, TimeoutError) as exc:
                    self._listeners.remove(subscription)
                    raise BrokerUnavailable(f"cannot subscribe: {exc}") from exc
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if self._listeners.remove(subscription) and self._ready.is_set():
            # Nobody here listens any more; a failure only leaves a harmless subscription.
            task = asyncio.ensure_future(self._unsubscribe(subscription.topic))
            task.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def publish(self, topic: str, payload: str) -> bool:
        try:
            await self._client.publish(topic, payload)
        except (RedisError, OSError) as exc:
            log.warning("could not publish on %s: %s", topic.split(":", 1)[0], exc)
            return False
        return True

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        self._listeners.end_all("the cloud is stopping")
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self._client.aclose()

    async def _open_pubsub(self) -> None:
        self._pubsub = self._client.pubsub()
        # Topics still wanted after a reconnection; confirmed by the reader as it starts.
        topics = self._listeners.topics()
        if topics:
            await self._pubsub.subscribe(*topics)
        else:
            await self._pubsub.connect()
        self._ready.set()

    async def _subscribe_confirmed(self, topic: str) -> None:
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations[topic] = confirmed
        try:
            await self._pubsub.subscribe(topic)
            async with asyncio.timeout(CONFIRM_TIMEOUT_S):
                await confirmed
        finally:
            self._confirmations.pop(topic, None)

    async def _unsubscribe(self, topic: str) -> None:
        async with self._lock:
            if topic not in self._listeners.topics():  # nobody came back meanwhile
                await self._pubsub.unsubscribe(topic)

    async def _read_forever(self) -> None:
        failures = 0
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
                failures = 0
            except (RedisError, OSError) as exc:
                failures += 1
                await self._lost(exc, failures)
                continue
            if message is None:
                continue
            kind, topic = message["type"], message["channel"]
            if kind == "message":
                self._listeners.deliver(topic, message["data"])
            elif kind == "subscribe":
                confirmed = self._confirmations.get(topic)
                if confirmed is not None and not confirmed.done():
                    confirmed.set_result(None)

    async def _lost(self, exc: BaseException, failures: int) -> None:
        if self._ready.is_set():
            log.warning("lost the connection to Redis (%s); listeners will reconnect", exc)
        self._ready.clear()
        # They may have missed events: end them now, their clients reconnect and reload.
        self._listeners.end_all("the cloud lost its connection to its message broker")
        for confirmed in self._confirmations.values():
            if not confirmed.done():
                confirmed.set_exception(BrokerUnavailable("connection lost"))
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        delay = min(MAX_BACKOFF_S, 0.25 * 2**failures)
        await asyncio.sleep(delay / 2 + random.random() * delay / 2)
        with contextlib.suppress(RedisError, OSError):
            await self._open_pubsub()
            log.warning("reconnected to Redis")
