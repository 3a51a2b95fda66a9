"""ClusterEviction: a cluster the resource is being evicted from is not chosen again."""

from __future__ import annotations

import pytest

from scheduler.framework.types import SUCCESS, Code, Result
from scheduler.plugins import clustereviction
from tests.unit.scheduler.builders import binding, cluster

EVICTING = Result(Code.UNSCHEDULABLE, "were in the process of eviction")


@pytest.mark.parametrize(
    ("eviction_from", "name", "expected"),
    [
        pytest.param([], "a", SUCCESS, id="no-evictions"),
        pytest.param(["a"], "a", EVICTING, id="evicting"),
        pytest.param(["b", "c"], "a", SUCCESS, id="evicting-elsewhere"),
        pytest.param(["b", "a"], "a", EVICTING, id="one-of-several"),
    ],
)
def test_filter(eviction_from: list[str], name: str, expected: Result) -> None:
    subject = binding(eviction_from=eviction_from, previous={"a": 1})

    assert clustereviction.new().filter(subject, cluster(name)) == expected
