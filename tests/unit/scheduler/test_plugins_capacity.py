"""AvailableReplicas: capacity scored relative to the roomiest cluster."""

from __future__ import annotations

import pytest

from scheduler.framework.types import MAX_REPLICAS
from scheduler.plugins import capacity
from tests.unit.scheduler.builders import binding, cluster, scored


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        pytest.param([], [], id="no-clusters"),
        pytest.param([40, 80, 20], [50, 100, 25], id="proportional"),
        pytest.param([99, 100], [99, 100], id="close-estimates-score-close"),
        pytest.param([1, 3], [33, 100], id="rounds-down"),
        pytest.param([7, 7, 7], [100, 100, 100], id="all-equal"),
        pytest.param([0, 0], [0, 0], id="no-room-anywhere"),
        pytest.param([-5, 10], [0, 100], id="negative-is-zero"),
        pytest.param([MAX_REPLICAS, MAX_REPLICAS], [100, 100], id="all-unlimited"),
        pytest.param([MAX_REPLICAS, 10, 5], [100, 100, 50], id="unlimited-does-not-squash"),
        pytest.param([MAX_REPLICAS, 0], [100, 0], id="unlimited-and-full"),
    ],
)
def test_score(available: list[int], expected: list[int]) -> None:
    plugin = capacity.new()
    subject = binding(replicas=3)

    raw = [
        plugin.score(subject, scored(cluster(f"c{i}"), available=n))
        for i, n in enumerate(available)
    ]

    assert plugin.normalize(subject, raw) == expected
