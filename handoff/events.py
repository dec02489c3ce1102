"""Live events between customer and agent sockets, wherever those sockets are.

One app process: an in-process fan-out. Several instances: Redis pub/sub, so a customer connected
to one instance and the agent connected to another still hear each other. Both implement
``EventBus``; ``make_bus`` picks by ``settings.redis_url``. Subscribing completes before the
``async with`` body runs, so nothing published afterwards is missed.
"""
from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Protocol

from bot.settings import Settings

QUEUE_CHANNEL = "handoff:queue"


def customer_channel(conversation_id: str) -> str:
    """Events for the customer of a conversation: agent messages, typing, queue status, hand-back."""
    return f"handoff:conv:{conversation_id}"


def agent_channel(agent_id: int) -> str:
    """Events for one agent: customer messages and typing in their conversations, assignments."""
    return f"handoff:agent:{agent_id}"


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[dict[str, Any]]: ...

    async def get(self, timeout: float | None = None) -> dict[str, Any] | None: ...


class EventBus(Protocol):
    async def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, *channels: str) -> Any:
        """An async context manager yielding a ``Subscription``."""

    async def close(self) -> None: ...


class _QueueSubscription:
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


class _RedisSubscription:
    def __init__(self, pubsub: Any) -> None:
        self._pubsub = pubsub

    async def get(self, timeout: float | None = None) -> dict[str, Any] | None:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - loop.time())
            msg = await self._pubsub.get_message(ignore_subscribe_messages=True,
                                                 timeout=1.0 if left is None else left)
            if msg is not None and msg.get("type") == "message":
                return json.loads(msg["data"])
            if deadline is not None and loop.time() >= deadline:
                return None

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            event = await self.get(None)
            if event is not None:
                yield event


class RedisBus:
    """Redis pub/sub fan-out across app instances; channel names get ``prefix`` for isolation."""

    def __init__(self, url: str, prefix: str = "bankbot:") -> None:
        from redis import asyncio as aioredis

        self._redis = aioredis.Redis.from_url(url)
        self._prefix = prefix

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        await self._redis.publish(self._prefix + channel, json.dumps(event))

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[_RedisSubscription]:
        pubsub = self._redis.pubsub()
        names = [self._prefix + ch for ch in channels]
        await pubsub.subscribe(*names)
        try:
            yield _RedisSubscription(pubsub)
        finally:
            await pubsub.unsubscribe(*names)
            await pubsub.aclose()

    async def close(self) -> None:
        await self._redis.aclose()


def make_bus(settings: Settings) -> EventBus:
    """Redis when ``BANKBOT_REDIS_URL`` is set (several instances), otherwise in-process."""
    return RedisBus(settings.redis_url) if settings.redis_url else InProcessBus()
