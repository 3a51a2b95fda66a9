"""Tests for the work queue and its rate limiters (client-go workqueue semantics)."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter

import pytest
from prometheus_client import REGISTRY

from karmada.machinery.ratelimit import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    MaxOfRateLimiter,
    default_controller_rate_limiter,
)
from karmada.machinery.workqueue import WorkQueue

DEADLINE = 2.0
_queue_ids = itertools.count()


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def new_queue() -> WorkQueue[str]:
    return WorkQueue(f"test-{next(_queue_ids)}")


async def get_within_deadline(queue: WorkQueue[str]) -> str | None:
    return await asyncio.wait_for(queue.get(), DEADLINE)


async def assert_still_blocked(*tasks: asyncio.Task[str | None]) -> None:
    done, _ = await asyncio.wait(tasks, timeout=0.02)
    assert not done


async def cancel(*tasks: asyncio.Task[str | None]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def sample(metric: str, queue: WorkQueue[str]) -> float:
    value = REGISTRY.get_sample_value(metric, {"name": queue.name})
    assert value is not None, metric
    return value


@pytest.mark.parametrize(
    ("adds", "expected"),
    [
        (["a", "b", "c"], ["a", "b", "c"]),
        (["c", "a", "b"], ["c", "a", "b"]),
        (["a", "b", "a", "c", "b"], ["a", "b", "c"]),
        (["a", "a", "a"], ["a"]),
    ],
)
async def test_items_come_out_in_add_order_once(adds: list[str], expected: list[str]) -> None:
    queue = new_queue()
    for item in adds:
        queue.add(item)

    assert len(queue) == len(expected)
    got = [await get_within_deadline(queue) for _ in expected]

    assert got == expected
    assert len(queue) == 0
    queue.shutdown()


async def test_get_waits_for_add() -> None:
    queue = new_queue()
    getter = asyncio.create_task(queue.get())
    await assert_still_blocked(getter)

    queue.add("a")

    assert await asyncio.wait_for(getter, DEADLINE) == "a"
    queue.shutdown()


async def test_item_added_while_processing_is_requeued_after_done() -> None:
    queue = new_queue()
    queue.add("a")
    assert await get_within_deadline(queue) == "a"

    queue.add("a")
    queue.add("a")
    second_getter = asyncio.create_task(queue.get())
    await assert_still_blocked(second_getter)
    assert len(queue) == 0

    queue.done("a")

    assert await asyncio.wait_for(second_getter, DEADLINE) == "a"
    queue.done("a")
    assert len(queue) == 0
    queue.shutdown()


async def test_done_without_readd_does_not_requeue() -> None:
    queue = new_queue()
    queue.add("a")
    assert await get_within_deadline(queue) == "a"

    queue.done("a")

    assert len(queue) == 0
    queue.shutdown()


async def test_concurrent_workers_never_hold_the_same_item() -> None:
    queue = new_queue()
    keys = [f"key-{i}" for i in range(5)]
    holding: set[str] = set()
    overlaps: list[str] = []
    handled: Counter[str] = Counter()

    async def worker() -> None:
        while (key := await queue.get()) is not None:
            try:
                if key in holding:
                    overlaps.append(key)
                holding.add(key)
                handled[key] += 1
                for other in keys:
                    queue.add(other)
                # Yield while holding the key so other workers run and try to take it.
                await asyncio.sleep(0)
                holding.discard(key)
            finally:
                queue.done(key)
            if handled.total() >= 300:
                queue.shutdown()

    for key in keys:
        queue.add(key)
    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(8))), DEADLINE)

    assert overlaps == []
    assert set(handled) == set(keys)
    assert all(count > 1 for count in handled.values())


async def test_shutdown_unblocks_waiting_getters() -> None:
    queue = new_queue()
    getters = [asyncio.create_task(queue.get()) for _ in range(3)]
    await assert_still_blocked(*getters)

    queue.shutdown()

    assert await asyncio.wait_for(asyncio.gather(*getters), DEADLINE) == [None, None, None]
    assert queue.shutting_down


async def test_shutdown_hands_out_queued_items_then_none_and_ignores_adds() -> None:
    queue = new_queue()
    queue.add("a")
    queue.add("b")

    queue.shutdown()
    queue.add("c")
    queue.add_after("d", 0)

    assert [await get_within_deadline(queue) for _ in range(3)] == ["a", "b", None]


async def test_shutdown_with_drain_waits_for_items_in_flight() -> None:
    queue = new_queue()
    queue.add("a")
    assert await get_within_deadline(queue) == "a"

    drain = asyncio.create_task(queue.shutdown_with_drain())
    done, _ = await asyncio.wait([drain], timeout=0.02)
    assert not done
    assert queue.shutting_down

    queue.done("a")

    await asyncio.wait_for(drain, DEADLINE)


async def test_cancelled_getter_does_not_swallow_an_item() -> None:
    queue = new_queue()
    cancelled = asyncio.create_task(queue.get())
    waiting = asyncio.create_task(queue.get())
    await assert_still_blocked(cancelled, waiting)

    await cancel(cancelled)
    queue.add("a")

    assert await asyncio.wait_for(waiting, DEADLINE) == "a"
    queue.shutdown()


async def test_add_after_hands_items_out_in_deadline_order() -> None:
    queue = new_queue()
    queue.add_after("c", 0.15)
    queue.add_after("a", 0.05)
    queue.add_after("b", 0.1)
    assert len(queue) == 0

    got = [await get_within_deadline(queue) for _ in range(3)]

    assert got == ["a", "b", "c"]
    queue.shutdown()


async def test_add_after_without_delay_adds_at_once() -> None:
    queue = new_queue()
    queue.add_after("late", 0.05)

    queue.add_after("now", 0)

    assert len(queue) == 1
    assert await get_within_deadline(queue) == "now"
    assert await get_within_deadline(queue) == "late"
    queue.shutdown()


@pytest.mark.parametrize(
    "delays",
    [
        pytest.param((60.0, 0.05), id="sooner-replaces-later"),
        pytest.param((0.05, 60.0), id="later-is-ignored"),
    ],
)
async def test_add_after_keeps_the_sooner_deadline(delays: tuple[float, float]) -> None:
    queue = new_queue()
    for delay in delays:
        queue.add_after("a", delay)

    assert await get_within_deadline(queue) == "a"
    assert len(queue) == 0
    queue.done("a")
    queue.shutdown()


async def test_delayed_add_of_an_item_in_processing_waits_for_done() -> None:
    queue = new_queue()
    queue.add("a")
    queue.add_after("a", 0.05)
    queue.add_after("b", 0.1)
    assert await get_within_deadline(queue) == "a"

    assert await get_within_deadline(queue) == "b"
    assert len(queue) == 0

    queue.done("a")

    assert await get_within_deadline(queue) == "a"
    queue.shutdown()


async def test_shutdown_drops_delayed_items() -> None:
    queue = new_queue()
    queue.add_after("a", 0.05)
    getter = asyncio.create_task(queue.get())

    queue.shutdown()

    assert await asyncio.wait_for(getter, DEADLINE) is None
    assert len(queue) == 0


async def test_add_rate_limited_backs_off_and_forget_resets() -> None:
    limiter = ItemExponentialFailureRateLimiter[str](base_delay=0.01, max_delay=0.05)
    queue = WorkQueue(f"test-{next(_queue_ids)}", rate_limiter=limiter)

    for attempt in range(1, 4):
        queue.add_rate_limited("a")
        assert await get_within_deadline(queue) == "a"
        queue.done("a")
        assert queue.num_requeues("a") == attempt

    queue.forget("a")

    assert queue.num_requeues("a") == 0
    queue.shutdown()


@pytest.mark.parametrize(
    ("failures_before", "expected"),
    [
        (0, 0.005),
        (1, 0.01),
        (2, 0.02),
        (3, 0.04),
        (10, 5.12),
        (17, 655.36),
        (18, 1000.0),
        (30, 1000.0),
        (5000, 1000.0),
    ],
)
def test_exponential_backoff_doubles_up_to_the_cap(failures_before: int, expected: float) -> None:
    limiter = ItemExponentialFailureRateLimiter[str]()
    for _ in range(failures_before):
        limiter.when("a")

    assert limiter.when("a") == pytest.approx(expected)
    assert limiter.num_requeues("a") == failures_before + 1


def test_exponential_backoff_is_per_item_and_reset_by_forget() -> None:
    limiter = ItemExponentialFailureRateLimiter[str]()
    assert [limiter.when("a") for _ in range(4)] == pytest.approx([0.005, 0.01, 0.02, 0.04])
    assert limiter.when("b") == pytest.approx(0.005)

    limiter.forget("a")

    assert limiter.num_requeues("a") == 0
    assert limiter.when("a") == pytest.approx(0.005)
    assert limiter.num_requeues("b") == 1


def test_token_bucket_allows_burst_then_spaces_by_rate() -> None:
    clock = ManualClock()
    limiter = BucketRateLimiter(qps=10, burst=100, clock=clock)

    burst = [limiter.when(f"item-{i}") for i in range(100)]
    throttled = [limiter.when(f"late-{i}") for i in range(3)]

    assert burst == [0.0] * 100
    assert throttled == pytest.approx([0.1, 0.2, 0.3])
    assert limiter.num_requeues("item-0") == 0


@pytest.mark.parametrize(
    ("elapsed", "expected_waits"),
    [
        pytest.param(0.0, [0.4, 0.5], id="no-refill"),
        pytest.param(0.3, [0.1, 0.2], id="partial-refill"),
        pytest.param(0.5, [0.0, 0.0, 0.1], id="refill-past-debt"),
        pytest.param(1000.0, [0.0] * 100 + [0.1], id="refill-capped-at-burst"),
    ],
)
def test_token_bucket_refills_at_rate(elapsed: float, expected_waits: list[float]) -> None:
    clock = ManualClock()
    limiter = BucketRateLimiter(qps=10, burst=100, clock=clock)
    for i in range(103):
        limiter.when(i)

    clock.now += elapsed

    assert [limiter.when(i) for i in range(len(expected_waits))] == pytest.approx(expected_waits)


def test_max_of_limiter_takes_the_longest_wait() -> None:
    clock = ManualClock()
    limiter = MaxOfRateLimiter[str](
        ItemExponentialFailureRateLimiter(base_delay=0.5, max_delay=100),
        BucketRateLimiter(qps=1, burst=2, clock=clock),
    )

    waits = [limiter.when("a") for _ in range(4)]

    assert waits == pytest.approx([0.5, 1.0, 2.0, 4.0])
    assert limiter.when("b") == pytest.approx(3.0)
    assert limiter.num_requeues("a") == 4

    limiter.forget("a")

    assert limiter.num_requeues("a") == 0


def test_default_controller_rate_limiter_matches_client_go() -> None:
    clock = ManualClock()
    limiter: MaxOfRateLimiter[str] = default_controller_rate_limiter(clock=clock)

    first_per_item = [limiter.when(f"item-{i}") for i in range(100)]

    assert first_per_item == pytest.approx([0.005] * 100)
    assert limiter.when("item-100") == pytest.approx(0.1)
    clock.now += 3600
    assert [limiter.when("item-0") for _ in range(3)] == pytest.approx([0.01, 0.02, 0.04])


async def test_metrics_track_adds_depth_latency_and_retries() -> None:
    queue = new_queue()

    queue.add("a")
    queue.add("b")
    queue.add("a")

    assert sample("workqueue_adds_total", queue) == 2
    assert sample("workqueue_depth", queue) == 2

    assert await get_within_deadline(queue) == "a"

    assert sample("workqueue_depth", queue) == 1
    assert sample("workqueue_queue_duration_seconds_count", queue) == 1
    assert sample("workqueue_unfinished_work_seconds", queue) >= 0
    assert sample("workqueue_longest_running_processor_seconds", queue) >= 0

    queue.done("a")

    assert sample("workqueue_work_duration_seconds_count", queue) == 1
    assert sample("workqueue_unfinished_work_seconds", queue) == 0
    assert sample("workqueue_longest_running_processor_seconds", queue) == 0

    queue.add_rate_limited("c")
    queue.add_after("d", 0)

    assert sample("workqueue_retries_total", queue) == 2
    queue.shutdown()
