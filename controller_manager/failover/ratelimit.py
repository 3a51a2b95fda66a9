"""How fast the taint manager may evict: a token bucket that never reserves.

When many clusters fail together, evicting every binding at once would pile
their replicas onto the survivors and flood the apiserver. Karmada evicts 0.5
bindings per second (``--resource-eviction-rate``, one every 2 s, lowered
further when many clusters are unhealthy). Here the same rate refills a
bucket of `EVICTION_BURST`, so a single failed cluster in a small federation
is emptied at once and only large batches are paced.

Unlike `karmada.machinery.ratelimit.BucketRateLimiter` (client-go's, which
reserves a token on every call), `take` only spends a token it has: an
eviction told to wait asks again later without growing the queue of
reservations.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["EVICTION_BURST", "EVICTION_RATE", "TokenBucket"]

EVICTION_RATE = 0.5
"""Evictions per second once the burst is spent (Karmada's --resource-eviction-rate default)."""

EVICTION_BURST = 10
"""Evictions allowed at once."""


class TokenBucket:
    """`burst` tokens, refilled at `rate` per second.

    Args:
        rate: Tokens added per second.
        burst: Bucket size; the bucket starts full.
        clock: Seconds, monotonic; `time.monotonic` by default.
    """

    def __init__(
        self,
        *,
        rate: float = EVICTION_RATE,
        burst: int = EVICTION_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()

    def take(self) -> float:
        """Spends a token and returns 0 if one is there; else the seconds until one will be."""
        now = self._clock()
        if now > self._last:
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
            self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self._rate
