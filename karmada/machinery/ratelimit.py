"""Rate limiters that decide how long a failed work-queue item waits before its retry.

A controller that retries a failing key at once spins on it, and a burst of failures
across many keys can swamp the apiserver. These limiters, ported from client-go's
``util/workqueue/default_rate_limiters.go``, answer "how long until this item may run
again": a per-item exponential backoff slows down one broken key, a global token bucket
bounds the retry rate of the whole queue, and `MaxOfRateLimiter` applies both.

They are pure bookkeeping: nothing here sleeps. Time is read from an injectable clock so
tests can drive it by hand.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

T = TypeVar("T", bound=Hashable)
T_contra = TypeVar("T_contra", bound=Hashable, contravariant=True)

Clock = Callable[[], float]

DEFAULT_BASE_DELAY_SECONDS = 0.005
DEFAULT_MAX_DELAY_SECONDS = 1000.0
DEFAULT_QPS = 10.0
DEFAULT_BURST = 100


class RateLimiter(Protocol[T_contra]):
    """Decides how long an item waits before it is retried."""

    def when(self, item: T_contra) -> float:
        """Record a failure of `item` and return the seconds to wait before retrying it."""
        ...

    def forget(self, item: T_contra) -> None:
        """Stop tracking `item`, typically because it was processed successfully."""
        ...

    def num_requeues(self, item: T_contra) -> int:
        """Return how many failures of `item` are being tracked."""
        ...


class ItemExponentialFailureRateLimiter(Generic[T]):
    """Per-item backoff: ``base_delay * 2**failures``, capped at `max_delay`.

    Args:
        base_delay: Seconds to wait after the first failure.
        max_delay: Upper bound on any single wait, in seconds.
    """

    def __init__(
        self,
        *,
        base_delay: float = DEFAULT_BASE_DELAY_SECONDS,
        max_delay: float = DEFAULT_MAX_DELAY_SECONDS,
    ) -> None:
        if base_delay < 0 or max_delay < 0:
            raise ValueError("delays must not be negative")
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._failures: dict[T, int] = {}

    def when(self, item: T) -> float:
        """Count a failure of `item` and return its backoff."""
        exponent = self._failures.get(item, 0)
        self._failures[item] = exponent + 1
        try:
            backoff = math.ldexp(self._base_delay, exponent)
        except OverflowError:
            return self._max_delay
        return min(backoff, self._max_delay)

    def forget(self, item: T) -> None:
        """Reset the backoff of `item` to `base_delay`."""
        self._failures.pop(item, None)

    def num_requeues(self, item: T) -> int:
        """Return the failures counted for `item` since it was last forgotten."""
        return self._failures.get(item, 0)


class BucketRateLimiter:
    """Global token bucket: `burst` retries at once, then `qps` per second, over all items.

    It behaves like Go's ``rate.Limiter.Reserve().Delay()``: each call takes a token
    even when the bucket is empty, so successive waits grow by ``1 / qps``.

    Args:
        qps: Tokens added per second.
        burst: Bucket size, which is also the number of tokens it starts with.
        clock: Returns the current time in seconds; defaults to `time.monotonic`.
    """

    def __init__(
        self,
        *,
        qps: float = DEFAULT_QPS,
        burst: int = DEFAULT_BURST,
        clock: Clock = time.monotonic,
    ) -> None:
        if qps <= 0:
            raise ValueError("qps must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self._qps = qps
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._last: float | None = None

    def when(self, item: object) -> float:
        """Take a token and return how long until it is actually available."""
        now = self._clock()
        if self._last is not None and now > self._last:
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._qps)
        self._last = now if self._last is None else max(now, self._last)
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self._qps

    def forget(self, item: object) -> None:
        """Do nothing: the bucket does not track items."""

    def num_requeues(self, item: object) -> int:
        """Return 0: the bucket does not track items."""
        return 0


class MaxOfRateLimiter(Generic[T]):
    """Combines limiters: the wait is the longest any of them asks for.

    Every limiter sees every call, so each keeps its own state up to date.
    """

    def __init__(self, *limiters: RateLimiter[T]) -> None:
        if not limiters:
            raise ValueError("at least one rate limiter is required")
        self._limiters = limiters

    def when(self, item: T) -> float:
        """Return the longest wait any limiter asks for `item`."""
        return max(limiter.when(item) for limiter in self._limiters)

    def forget(self, item: T) -> None:
        """Forget `item` in every limiter."""
        for limiter in self._limiters:
            limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """Return the highest failure count any limiter tracks for `item`."""
        return max(limiter.num_requeues(item) for limiter in self._limiters)


def default_controller_rate_limiter(*, clock: Clock = time.monotonic) -> MaxOfRateLimiter[T]:
    """Return client-go's ``DefaultControllerRateLimiter``.

    That is the larger of a per-item backoff from 5 ms doubling up to 1000 s, and a
    global bucket of 10 qps with a burst of 100.
    """
    return MaxOfRateLimiter(
        ItemExponentialFailureRateLimiter[T](),
        BucketRateLimiter(clock=clock),
    )
