"""ClusterAffinity: filter by the affinity in force, score by static weights."""

from __future__ import annotations

import pytest

from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from scheduler.framework.types import SUCCESS, Code, Result
from scheduler.plugins import clusteraffinity
from tests.unit.scheduler.builders import binding, cluster, placement, scored, static_weight

UNMATCHED = Result(Code.UNSCHEDULABLE, "did not match the placement cluster affinity")


@pytest.mark.parametrize(
    ("affinity", "name", "expected"),
    [
        pytest.param(None, "a", SUCCESS, id="no-affinity"),
        pytest.param(policy_pb2.ClusterAffinity(cluster_names=["a"]), "a", SUCCESS, id="match"),
        pytest.param(policy_pb2.ClusterAffinity(cluster_names=["a"]), "b", UNMATCHED, id="miss"),
    ],
)
def test_filter(affinity: policy_pb2.ClusterAffinity | None, name: str, expected: Result) -> None:
    subject = binding()
    subject.affinity = affinity

    assert clusteraffinity.new().filter(subject, cluster(name)) == expected


def test_filter_follows_the_affinity_term_being_tried() -> None:
    plugin = clusteraffinity.new()
    subject = binding()
    subject.affinity = policy_pb2.ClusterAffinity(cluster_names=["a"])
    assert plugin.filter(subject, cluster("b")) == UNMATCHED

    subject.affinity = policy_pb2.ClusterAffinity(cluster_names=["b"])

    assert plugin.filter(subject, cluster("b")) == SUCCESS


CLUSTERS = [
    cluster("a", region="eu"),
    cluster("b", region="us"),
    cluster("c", region="eu"),
    cluster("d", region="ap"),
]


@pytest.mark.parametrize(
    ("scheduling", "expected"),
    [
        pytest.param(placement(), [0, 0, 0, 0], id="no-weights"),
        pytest.param(
            placement(static_weights=[static_weight(1, region="eu"), static_weight(3, "b")]),
            [33, 100, 33, 0],
            id="relative-to-heaviest",
        ),
        pytest.param(
            placement(static_weights=[static_weight(2, region="eu"), static_weight(4, "a")]),
            [100, 0, 50, 0],
            id="largest-matching-rule",
        ),
        pytest.param(
            placement(
                static_weights=[static_weight(1, region="eu")], dynamic_weight="AvailableReplicas"
            ),
            [0, 0, 0, 0],
            id="dynamic-weight-overrides",
        ),
    ],
)
def test_score(scheduling: policy_pb2.Placement, expected: list[int]) -> None:
    plugin = clusteraffinity.new()
    subject = binding(placement=scheduling)

    raw = [plugin.score(subject, scored(c)) for c in CLUSTERS]

    assert plugin.normalize(subject, raw) == expected
