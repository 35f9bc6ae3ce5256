"""Sign-in throttling and registration limits, whatever token comes with the request.

Failed sign-ins slow down per target account and per client address: the first few are free,
then each attempt must wait a back-off that doubles with every failure (capped: a slowing
back-off, never a permanent lock). The attempt is counted *before* the password is checked, so
parallel guesses cannot slip in before their failures are recorded; a success takes its own
attempt back (so sign-ins from a busy address never add up) and clears the account's failures.
Registrations are counted per client address in a fixed window. An address that signed in to
an account before is remembered (``remember``/``known``), so that guesses from elsewhere cannot
keep the owner out: from a known address the account's back-off is counted for that address only.

In process by default; with Redis, small Lua scripts keep the counters atomic and shared
between server processes, on Redis' clock.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass
class Backoff:
    free: int          # attempts allowed before any wait
    base: float        # seconds: the first wait
    cap: float         # seconds: the longest wait
    ttl: float         # seconds without attempts after which they are forgotten

    def wait(self, attempts: int) -> float:
        """Seconds that must pass after the last of `attempts` counted attempts."""
        if attempts < self.free:
            return 0.0
        return min(self.cap, self.base * 2 ** min(attempts - self.free, 40))


class MemoryThrottle:
    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._attempts: dict[str, tuple[int, float]] = {}   # key -> (count, last attempt)
        self._windows: dict[str, tuple[int, float]] = {}    # key -> (count, window end)
        self._known: dict[str, float] = {}                  # key -> forgotten at

    def attempt(self, key: str, rule: Backoff) -> float:
        """0 and the attempt is counted; else the seconds to wait (nothing counted)."""
        with self._lock:
            now = self._clock()
            count, last = self._attempts.get(key, (0, now))
            if now - last > rule.ttl:
                count = 0
            left = last + rule.wait(count) - now if count else 0.0
            if left > 0:
                return left
            self._attempts[key] = (count + 1, now)
            if len(self._attempts) > 100_000:
                self._attempts = {k: v for k, v in self._attempts.items() if now - v[1] <= rule.ttl}
            return 0.0

    def succeeded(self, key: str, *, clear: bool) -> None:
        """A sign-in succeeded: clear the key's failures, or take back this one attempt."""
        with self._lock:
            if clear or key not in self._attempts:
                self._attempts.pop(key, None)
                return
            count, last = self._attempts[key]
            self._attempts[key] = (max(0, count - 1), last)

    def count(self, key: str, window: float) -> tuple[int, float]:
        """Count one more event in the key's fixed window: (events so far, seconds left)."""
        with self._lock:
            now = self._clock()
            count, end = self._windows.get(key, (0, 0.0))
            if now >= end:
                count, end = 0, now + window
            self._windows[key] = (count + 1, end)
            return count + 1, end - now

    def remember(self, key: str, ttl: float) -> None:
        with self._lock:
            now = self._clock()
            self._known[key] = now + ttl
            if len(self._known) > 100_000:
                self._known = {k: v for k, v in self._known.items() if v > now}

    def known(self, key: str) -> bool:
        with self._lock:
            return self._known.get(key, 0) > self._clock()

    def close(self) -> None:
        pass


ATTEMPT_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free, base, cap, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local count = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
if count >= free then
  local wait = math.min(cap, base * 2 ^ math.min(count - free, 40))
  local left = last + wait - now
  if left > 0 then return left end
end
redis.call('HSET', KEYS[1], 'n', count + 1, 't', now)
redis.call('EXPIRE', KEYS[1], ttl)
return 0
"""

SUCCEEDED_LUA = """
if ARGV[1] == '1' then return redis.call('DEL', KEYS[1]) end
local count = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if count > 0 then redis.call('HSET', KEYS[1], 'n', count - 1) end
return 0
"""

COUNT_LUA = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""


class RedisThrottle:
    PREFIX = "fileorganizer:throttle:"

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._attempt = self._redis.register_script(ATTEMPT_LUA)
        self._succeeded = self._redis.register_script(SUCCEEDED_LUA)
        self._count = self._redis.register_script(COUNT_LUA)

    def attempt(self, key: str, rule: Backoff) -> float:
        left = self._attempt(keys=[self.PREFIX + key],
                             args=[rule.free, int(rule.base * 1000), int(rule.cap * 1000),
                                   max(1, int(rule.ttl))])
        return float(left) / 1000

    def succeeded(self, key: str, *, clear: bool) -> None:
        self._succeeded(keys=[self.PREFIX + key], args=["1" if clear else "0"])

    def count(self, key: str, window: float) -> tuple[int, float]:
        count, pttl = self._count(keys=[self.PREFIX + key], args=[max(1, int(window * 1000))])
        return int(count), max(0.0, float(pttl) / 1000)

    def remember(self, key: str, ttl: float) -> None:
        self._redis.set(self.PREFIX + key, 1, ex=max(1, int(ttl)))

    def known(self, key: str) -> bool:
        return bool(self._redis.exists(self.PREFIX + key))

    def close(self) -> None:
        self._redis.close()


def make_throttle(redis_url: str) -> MemoryThrottle | RedisThrottle:
    return RedisThrottle(redis_url) if redis_url else MemoryThrottle()
