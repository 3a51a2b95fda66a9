"""ClusterLocality: clusters in the current result score 100."""

from __future__ import annotations

import pytest

from scheduler.plugins import clusterlocality
from tests.unit.scheduler.builders import binding, cluster, scored


@pytest.mark.parametrize(
    ("previous", "expected"),
    [
        pytest.param({}, [0, 0, 0], id="first-schedule"),
        pytest.param({"b": 2}, [0, 100, 0], id="scheduled"),
        pytest.param({"a": 1, "c": 0, "z": 4}, [100, 0, 100], id="several"),
    ],
)
def test_score(previous: dict[str, int], expected: list[int]) -> None:
    plugin = clusterlocality.new()
    subject = binding(previous=previous)

    raw = [plugin.score(subject, scored(cluster(name))) for name in "abc"]

    assert plugin.normalize(subject, raw) == expected
