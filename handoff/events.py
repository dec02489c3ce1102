"""Live events between customer and agent sockets, wherever those sockets are.

One app process: an in-process fan-out. Several instances: Redis pub/sub, so a customer connected
to one instance and the agent connected to another still hear each other. Both implement
``EventBus``; ``make_bus`` picks by the Redis URL (none: in-process). Subscribing completes before the
``async with`` body runs, so nothing published afterwards is missed.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, AsyncIterator, Protocol

QUEUE_CHANNEL = "handoff:queue"


def customer_channel(conversation_id: str) -> str:
    """Events for the customer of a conversation: agent messages, typing, queue status, hand-back."""
    return f"handoff:conv:{conversation_id}"


def agent_channel(agent_id: int) -> str:
    """Events for one agent: customer messages and typing in their conversations, assignments."""
    return f"handoff:agent:{agent_id}"


class Subscription(Protocol):
    """Events on the subscribed channels, in publish order: iterate, or ``get`` with a timeout."""

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]: ...

    async def get(self, timeout: float | None = None) -> dict[str, Any] | None: ...


class EventBus(Protocol):
    async def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, *channels: str) -> AbstractAsyncContextManager[Subscription]: ...

    async def close(self) -> None: ...


class _QueueSubscription:
    """A subscriber's inbox, bound to the event loop of the socket that reads it."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()

    def deliver(self, event: dict[str, Any]) -> None:
        """Thread- and loop-safe hand-over (the publisher may run on another event loop)."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.queue.put_nowait(event)
        else:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, event)

    async def get(self, timeout: float | None = None) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return None

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            yield await self.queue.get()


class InProcessBus:
    """Fan-out inside one process; the default single-machine mode needs nothing else running."""

    def __init__(self) -> None:
        self._subs: dict[str, set[_QueueSubscription]] = {}

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        for sub in list(self._subs.get(channel, ())):
            sub.deliver(event)

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[_QueueSubscription]:
        sub = _QueueSubscription()
        for ch in channels:
            self._subs.setdefault(ch, set()).add(sub)
        try:
            yield sub
        finally:
            for ch in channels:
                subs = self._subs.get(ch)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subs[ch]

    async def close(self) -> None:
        self._subs.clear()


class RedisBus:
    """Redis pub/sub across app instances, over one subscriber connection per instance.

    Local sockets subscribe to a local fan-out; the instance subscribes in Redis to each channel
    at least one local socket needs, and waits for Redis to confirm before the caller proceeds.
    Channel names get ``prefix`` so deployments (and test runs) sharing a Redis stay apart.
    """

    def __init__(self, url: str, prefix: str = "bankbot:", max_connections: int = 64) -> None:
        from redis import asyncio as aioredis

        # A blocking pool makes a burst of publishes wait for a connection instead of failing.
        pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=max_connections,
                                                        timeout=10)
        self._redis = aioredis.Redis(connection_pool=pool)
        self._prefix = prefix
        self._local = InProcessBus()
        self._pubsub: Any = None
        self._reader: asyncio.Task | None = None
        self._lock = asyncio.Lock()
        self._counts: Counter[str] = Counter()
        self._confirmed: dict[str, asyncio.Event] = {}

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        await self._redis.publish(self._prefix + channel, json.dumps(event))

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[_QueueSubscription]:
        async with self._local.subscribe(*channels) as sub:
            await self._add(channels)
            try:
                yield sub
            finally:
                await self._remove(channels)

    async def _add(self, channels: tuple[str, ...]) -> None:
        async with self._lock:
            if self._pubsub is None:
                self._pubsub = self._redis.pubsub()
            new = [c for c in channels if self._counts[c] == 0]
            self._counts.update(channels)
            for c in new:
                self._confirmed[c] = asyncio.Event()
            if new:
                await self._pubsub.subscribe(*(self._prefix + c for c in new))
            if self._reader is None:
                self._reader = asyncio.create_task(self._read())
            waits = [self._confirmed[c].wait() for c in channels]
        await asyncio.wait_for(asyncio.gather(*waits), 10)

    async def _remove(self, channels: tuple[str, ...]) -> None:
        async with self._lock:
            self._counts.subtract(channels)
            gone = [c for c in set(channels) if self._counts[c] <= 0]
            for c in gone:
                del self._counts[c]
                self._confirmed.pop(c, None)
            if gone and self._pubsub is not None:
                await self._pubsub.unsubscribe(*(self._prefix + c for c in gone))

    async def _read(self) -> None:
        """Dispatch every Redis message to the local subscribers of its channel."""
        while True:
            msg = await self._pubsub.get_message(timeout=1.0)
            if msg is None:
                continue
            channel = msg["channel"].decode()[len(self._prefix):]
            if msg["type"] == "subscribe" and channel in self._confirmed:
                self._confirmed[channel].set()
            elif msg["type"] == "message":
                await self._local.publish(channel, json.loads(msg["data"]))

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._pubsub is not None:
            await self._pubsub.aclose()
        await self._redis.aclose()


def make_bus(redis_url: str | None) -> EventBus:
    """Redis when a URL is given (several instances), otherwise in-process."""
    return RedisBus(redis_url) if redis_url else InProcessBus()
