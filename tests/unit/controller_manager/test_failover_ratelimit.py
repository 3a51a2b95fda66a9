"""The eviction token bucket (controller_manager.failover.ratelimit)."""

from __future__ import annotations

import pytest

from controller_manager.failover.ratelimit import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("rate", "burst", "steps", "expected"),
    [
        (0.5, 1, [0, 0, 0], [0.0, 2.0, 2.0]),
        (0.5, 1, [0, 1, 1], [0.0, 1.0, 0.0]),
        (0.5, 3, [0, 0, 0, 0], [0.0, 0.0, 0.0, 2.0]),
        (0.5, 3, [0, 0, 0, 0, 2], [0.0, 0.0, 0.0, 2.0, 0.0]),
        (2.0, 2, [0, 0, 0, 100, 0, 0, 0], [0.0, 0.0, 0.5, 0.0, 0.0, 0.5, 0.5]),
    ],
    ids=[
        "one-every-two-seconds",
        "waits-only-the-remainder",
        "burst-then-paced",
        "refilled-after-waiting",
        "refill-capped-at-burst",
    ],
)
def test_take(rate: float, burst: int, steps: list[float], expected: list[float]) -> None:
    clock = Clock()
    bucket = TokenBucket(rate=rate, burst=burst, clock=clock)
    waits = []
    for step in steps:
        clock.now += step
        waits.append(bucket.take())
    assert waits == pytest.approx(expected)


def test_waiting_spends_nothing() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=1, clock=clock)
    assert bucket.take() == 0.0
    assert [bucket.take() for _ in range(5)] == [1.0] * 5
    clock.now += 1.0
    assert bucket.take() == 0.0


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0)])
def test_rejects_bad_settings(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate=rate, burst=burst)
