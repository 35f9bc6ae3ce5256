"""Sliding-window rate limits: per user (or per client address when anonymous) and overall.

In process by default. With Redis, one Lua script checks and records both windows atomically in
sorted sets scored by Redis' own clock, so every server process shares the same limits.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import deque
from dataclasses import dataclass


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the oldest counted request leaves the user's window
    retry_after: int  # seconds to wait when refused

    def headers(self) -> list[tuple[bytes, bytes]]:
        pairs = [(b"x-ratelimit-limit", self.limit), (b"x-ratelimit-remaining", self.remaining),
                 (b"x-ratelimit-reset", self.reset)]
        if not self.allowed:
            pairs.append((b"retry-after", self.retry_after))
        return [(k, str(v).encode()) for k, v in pairs]


def _decide(allowed: bool, ucount: int, gcount: int, ureset: float, greset: float,
            ulimit: int, glimit: int) -> Decision:
    remaining = max(0, min(ulimit - ucount, glimit - gcount))
    user_full = ucount >= ulimit
    retry = ureset if user_full else greset
    return Decision(allowed, ulimit, remaining, max(1, math.ceil(ureset)), max(1, math.ceil(retry)))


class MemoryLimiter:
    def __init__(self, user_limit: int, global_limit: int, window: float):
        self.user_limit, self.global_limit, self.window = user_limit, global_limit, window
        self._hits: dict[str, deque[float]] = {}
        self._global: deque[float] = deque()

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def _prune(self, hits: deque[float], now: float) -> None:
        while hits and hits[0] <= now - self.window:
            hits.popleft()

    async def ping(self) -> bool:
        return True

    async def hit(self, key: str) -> Decision:
        now = time.monotonic()
        hits = self._hits.setdefault(key, deque())
        self._prune(hits, now)
        self._prune(self._global, now)
        allowed = len(hits) < self.user_limit and len(self._global) < self.global_limit
        if allowed:
            hits.append(now)
            self._global.append(now)
        if len(self._hits) > 10000:  # forget idle clients
            for k in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                del self._hits[k]
        ureset = (hits[0] + self.window - now) if hits else self.window
        greset = (self._global[0] + self.window - now) if self._global else self.window
        return _decide(allowed, len(hits), len(self._global), ureset, greset,
                       self.user_limit, self.global_limit)


SLIDING_WINDOW_LUA = """
local ulimit, glimit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for _, key in ipairs(KEYS) do redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window) end
local ucount = redis.call('ZCARD', KEYS[1])
local gcount = redis.call('ZCARD', KEYS[2])
local allowed = 0
if ucount < ulimit and gcount < glimit then
  for _, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, ARGV[4])
    redis.call('PEXPIRE', key, math.ceil(window / 1000))
  end
  ucount = ucount + 1
  gcount = gcount + 1
  allowed = 1
end
local function reset(key)
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if oldest[2] then return tostring(tonumber(oldest[2]) + window - now) end
  return tostring(window)
end
return {allowed, ucount, gcount, reset(KEYS[1]), reset(KEYS[2])}
"""


class RedisLimiter:
    PREFIX = "fileorganizer:ratelimit:"

    def __init__(self, url: str, user_limit: int, global_limit: int, window: float):
        import redis.asyncio as aioredis

        self.user_limit, self.global_limit, self.window = user_limit, global_limit, window
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

    async def hit(self, key: str) -> Decision:
        window_us = int(self.window * 1_000_000)
        allowed, ucount, gcount, ureset, greset = await self._script(
            keys=[self.PREFIX + key, self.PREFIX + "*global*"],
            args=[self.user_limit, self.global_limit, window_us, uuid.uuid4().hex])
        return _decide(bool(allowed), int(ucount), int(gcount), float(ureset) / 1e6,
                       float(greset) / 1e6, self.user_limit, self.global_limit)


def make_limiter(redis_url: str, user_limit: int, global_limit: int, window: float):
    if redis_url:
        return RedisLimiter(redis_url, user_limit, global_limit, window)
    return MemoryLimiter(user_limit, global_limit, window)
