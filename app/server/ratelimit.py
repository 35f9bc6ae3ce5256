"""Sliding-window rate limits over several buckets at once (per user, per client address, and an
optional overall one): a request is allowed only when every bucket it counts in has room, and
then it is counted in all of them.

In process by default. With Redis, one Lua script checks and records every bucket atomically in
sorted sets scored by Redis' own clock, so every server process shares the same limits.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import deque
from dataclasses import dataclass

Bucket = tuple[str, int]   # (key, limit per window)


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the oldest counted request leaves the first bucket's window
    retry_after: int  # seconds to wait when refused

    def headers(self) -> list[tuple[bytes, bytes]]:
        pairs = [(b"x-ratelimit-limit", self.limit), (b"x-ratelimit-remaining", self.remaining),
                 (b"x-ratelimit-reset", self.reset)]
        if not self.allowed:
            pairs.append((b"retry-after", self.retry_after))
        return [(k, str(v).encode()) for k, v in pairs]


def _decide(allowed: bool, buckets: list[Bucket], counts: list[int],
            resets: list[float]) -> Decision:
    """The headers speak of the first bucket (the caller's own); remaining and retry-after
    of the tightest one."""
    remaining = max(0, min(limit - count for (_, limit), count in zip(buckets, counts, strict=True)))
    full = [r for (_, limit), count, r in zip(buckets, counts, resets, strict=True) if count >= limit]
    retry = max(full) if full else resets[0]
    return Decision(allowed, buckets[0][1], remaining, max(1, math.ceil(resets[0])),
                    max(1, math.ceil(retry)))


class MemoryLimiter:
    def __init__(self, window: float, clock=time.monotonic):
        self.window, self._clock = window, clock
        self._hits: dict[str, deque[float]] = {}

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def ping(self) -> bool:
        return True

    async def hit(self, buckets: list[Bucket]) -> Decision:
        now = self._clock()
        queues = []
        for key, _ in buckets:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            queues.append(hits)
        allowed = all(len(q) < limit for q, (_, limit) in zip(queues, buckets, strict=True))
        if allowed:
            for q in queues:
                q.append(now)
        if len(self._hits) > 10000:  # forget idle clients
            for k in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                del self._hits[k]
        resets = [(q[0] + self.window - now) if q else self.window for q in queues]
        return _decide(allowed, buckets, [len(q) for q in queues], resets)


SLIDING_WINDOW_LUA = """
local window = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local allowed = 1
local counts = {}
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  counts[i] = redis.call('ZCARD', key)
  if counts[i] >= tonumber(ARGV[2 + i]) then allowed = 0 end
end
if allowed == 1 then
  for i, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, ARGV[2])
    redis.call('PEXPIRE', key, math.ceil(window / 1000))
    counts[i] = counts[i] + 1
  end
end
local out = {allowed}
for i, key in ipairs(KEYS) do
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local reset = window
  if oldest[2] then reset = tonumber(oldest[2]) + window - now end
  table.insert(out, counts[i])
  table.insert(out, tostring(reset))
end
return out
"""


class RedisLimiter:
    PREFIX = "fileorganizer:ratelimit:"

    def __init__(self, url: str, window: float):
        import redis.asyncio as aioredis

        self.window = window
        self._redis = aioredis.Redis.from_url(url)
        self._script = self._redis.register_script(SLIDING_WINDOW_LUA)

    async def start(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except Exception:
            return False

    async def hit(self, buckets: list[Bucket]) -> Decision:
        window_us = int(self.window * 1_000_000)
        out = await self._script(keys=[self.PREFIX + key for key, _ in buckets],
                                 args=[window_us, uuid.uuid4().hex, *(lim for _, lim in buckets)])
        counts = [int(out[i]) for i in range(1, len(out), 2)]
        resets = [float(out[i]) / 1e6 for i in range(2, len(out), 2)]
        return _decide(bool(out[0]), buckets, counts, resets)


def make_limiter(redis_url: str, window: float):
    return RedisLimiter(redis_url, window) if redis_url else MemoryLimiter(window)
