"""Progress messages for /ws/operations/{id}: in process by default, Redis pub/sub when configured,
so a client connected to one server process sees progress reported to another."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

log = logging.getLogger("app.server.bus")
CHANNEL_PREFIX = "fileorganizer:operation:"


class MemoryBus:
    """Subscribers are queues on the server's event loop; publish() may be called from any thread."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def close(self) -> None:
        self._subscribers.clear()

    def publish(self, operation_id: str, message: dict) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._deliver, operation_id, message)

    def _deliver(self, operation_id: str, message: dict) -> None:
        for queue in self._subscribers.get(operation_id, ()):
            queue.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, operation_id: str) -> AsyncIterator[AsyncIterator[dict]]:
        queue: asyncio.Queue = asyncio.Queue()
        self._subscribers.setdefault(operation_id, set()).add(queue)

        async def messages():
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            subs = self._subscribers.get(operation_id)
            if subs is not None:
                subs.discard(queue)
                if not subs:
                    del self._subscribers[operation_id]


class RedisBus:
    """Redis pub/sub: one channel per operation."""

    def __init__(self, url: str) -> None:
        import redis
        import redis.asyncio as aioredis

        self._sync = redis.Redis.from_url(url)
        self._async = aioredis.Redis.from_url(url)

    async def start(self) -> None:
        await self._async.ping()

    async def close(self) -> None:
        await self._async.aclose()
        self._sync.close()

    def publish(self, operation_id: str, message: dict) -> None:
        try:
            self._sync.publish(CHANNEL_PREFIX + operation_id, json.dumps(message))
        except Exception:
            log.exception("progress publish to Redis failed")

    @asynccontextmanager
    async def subscribe(self, operation_id: str) -> AsyncIterator[AsyncIterator[dict]]:
        pubsub = self._async.pubsub()
        await pubsub.subscribe(CHANNEL_PREFIX + operation_id)
        # Wait for Redis to confirm: from then on no message published to the channel is missed.
        for _ in range(50):
            confirmation = await pubsub.get_message(timeout=0.1)
            if confirmation and confirmation.get("type") == "subscribe":
                break

        async def messages():
            async for item in pubsub.listen():
                if item.get("type") == "message":
                    yield json.loads(item["data"])

        try:
            yield messages()
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()


def make_bus(redis_url: str) -> MemoryBus | RedisBus:
    return RedisBus(redis_url) if redis_url else MemoryBus()
