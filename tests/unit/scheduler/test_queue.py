"""The scheduling queue moves keys between active, backoff and unschedulable as events say."""

from __future__ import annotations

import asyncio

import pytest

from scheduler.queue import Outcome, SchedulingQueue


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _queue(clock: Clock) -> SchedulingQueue:
    return SchedulingQueue(
        initial_backoff=1.0, max_backoff=4.0, unschedulable_timeout=60.0, clock=clock
    )


async def _pop_now(queue: SchedulingQueue) -> str | None:
    """The key pop() hands out at once, or None if it would wait."""
    try:
        async with asyncio.timeout(0.05):
            return await queue.pop()
    except TimeoutError:
        return None


async def test_keys_come_out_once_in_order() -> None:
    queue = _queue(Clock())
    for key in ("a", "b", "a", "c"):
        queue.add(key, "BindingAdd")
    assert queue.pending() == {"active": 3, "backoff": 0, "unschedulable": 0}
    assert [await _pop_now(queue) for _ in range(3)] == ["a", "b", "c"]
    assert await _pop_now(queue) is None


async def test_an_event_during_scheduling_requeues_after_done() -> None:
    queue = _queue(Clock())
    queue.add("a", "BindingAdd")
    assert await _pop_now(queue) == "a"
    queue.add("a", "BindingUpdate")
    assert await _pop_now(queue) is None, "never handed to two workers"
    queue.done("a", Outcome.UNSCHEDULABLE)
    assert queue.pending()["active"] == 1
    assert await _pop_now(queue) == "a"


@pytest.mark.parametrize(
    ("outcome", "pending"),
    [
        (Outcome.SCHEDULED, {"active": 0, "backoff": 0, "unschedulable": 0}),
        (Outcome.UNSCHEDULABLE, {"active": 0, "backoff": 0, "unschedulable": 1}),
        (Outcome.ERROR, {"active": 0, "backoff": 1, "unschedulable": 0}),
    ],
)
async def test_outcomes_route_keys(outcome: Outcome, pending: dict[str, int]) -> None:
    queue = _queue(Clock())
    queue.add("a", "BindingAdd")
    assert await _pop_now(queue) == "a"
    queue.done("a", outcome)
    assert queue.pending() == pending


async def test_conflicts_retry_after_a_moment_without_growing_the_backoff() -> None:
    clock = Clock()
    queue = _queue(clock)
    queue.add("a", "BindingAdd")
    for _ in range(3):
        assert await _pop_now(queue) == "a"
        queue.done("a", Outcome.CONFLICT)
        assert queue.pending()["backoff"] == 1
        clock.now += 0.02
    assert await _pop_now(queue) == "a"
    queue.done("a", Outcome.ERROR)
    clock.now += 1.0
    assert await _pop_now(queue) == "a", "conflicts did not count as failures"


async def test_errors_back_off_exponentially_up_to_the_cap() -> None:
    clock = Clock()
    queue = _queue(clock)
    queue.add("a", "BindingAdd")
    for expected in (1.0, 2.0, 4.0, 4.0):
        assert await _pop_now(queue) == "a"
        queue.done("a", Outcome.ERROR)
        clock.now += expected - 0.01
        assert await _pop_now(queue) is None
        clock.now += 0.01
    assert await _pop_now(queue) == "a"
    queue.done("a", Outcome.SCHEDULED)
    queue.add("a", "BindingUpdate")
    assert await _pop_now(queue) == "a"
    queue.done("a", Outcome.ERROR)
    clock.now += 1.0
    assert await _pop_now(queue) == "a", "success resets the backoff"


async def test_unschedulable_keys_wait_for_a_cluster_event_or_the_timeout() -> None:
    clock = Clock()
    queue = _queue(clock)
    for key in ("a", "b"):
        queue.add(key, "BindingAdd")
        assert await _pop_now(queue) == key
        queue.done(key, Outcome.UNSCHEDULABLE)
    assert await _pop_now(queue) is None
    assert queue.move_unschedulable("ClusterUpdated") == 2
    assert [await _pop_now(queue) for _ in range(2)] == ["a", "b"]
    queue.done("a", Outcome.UNSCHEDULABLE)
    queue.done("b", Outcome.SCHEDULED)
    clock.now += 60.0
    assert await _pop_now(queue) == "a"


async def test_an_event_pulls_a_key_out_of_backoff_and_forget_drops_it() -> None:
    queue = _queue(Clock())
    queue.add("a", "BindingAdd")
    assert await _pop_now(queue) == "a"
    queue.done("a", Outcome.ERROR)
    queue.add("a", "BindingUpdate")
    assert queue.pending() == {"active": 1, "backoff": 0, "unschedulable": 0}
    queue.forget("a")
    assert len(queue) == 0
    assert await _pop_now(queue) is None


async def test_a_waiting_pop_wakes_on_add_and_close_ends_it() -> None:
    queue = _queue(Clock())
    waiter = asyncio.create_task(queue.pop())
    await asyncio.sleep(0)
    queue.add("a", "BindingAdd")
    assert await asyncio.wait_for(waiter, 1.0) == "a"
    closer = asyncio.create_task(queue.pop())
    await asyncio.sleep(0)
    queue.close()
    assert await asyncio.wait_for(closer, 1.0) is None
