"""The plugin registry and the framework runner: order, diagnosis, scores, metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pytest
from prometheus_client import REGISTRY

from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from scheduler.framework.diagnosis import unschedulable_message
from scheduler.framework.registry import DEFAULT_PLUGINS, build, default_registry, enabled
from scheduler.framework.runtime import Framework, PluginError
from scheduler.framework.types import (
    SUCCESS,
    BindingInfo,
    ClusterInfo,
    Code,
    Result,
    ScoredCluster,
)
from tests.unit.scheduler.builders import binding, cluster, placement, scored, static_weight, taint


class Reject:
    """A filter rejecting the named clusters; records what it saw."""

    name: ClassVar[str] = "Reject"

    def __init__(self, name: str, rejects: Sequence[str], result: Result | None = None) -> None:
        self.name = name  # type: ignore[misc]  # a per-instance name keeps metrics apart
        self.rejects = set(rejects)
        self.result = result or Result(Code.UNSCHEDULABLE, f"failed {name}")
        self.seen: list[str] = []
        self.prepared = 0

    def prepare(self, binding: BindingInfo) -> None:
        self.prepared += 1

    def filter(self, binding: BindingInfo, cluster: ClusterInfo) -> Result:
        self.seen.append(cluster.name)
        return self.result if cluster.name in self.rejects else SUCCESS


class Fixed:
    """A score plugin whose normalized scores are given."""

    name: ClassVar[str] = "Fixed"

    def __init__(self, name: str, normalized: Sequence[int]) -> None:
        self.name = name  # type: ignore[misc]
        self.normalized = list(normalized)

    def score(self, binding: BindingInfo, cluster: ScoredCluster) -> int:
        return 0

    def normalize(self, binding: BindingInfo, scores: list[int]) -> list[int]:
        return self.normalized


class Broken:
    name: ClassVar[str] = "Broken"

    def filter(self, binding: BindingInfo, cluster: ClusterInfo) -> Result:
        raise RuntimeError("bug")


def names(clusters: Sequence[ClusterInfo]) -> list[str]:
    return [c.name for c in clusters]


def plugin_runs(plugin: str, extension_point: str, result: str) -> float:
    labels = {"plugin": plugin, "extension_point": extension_point, "result": result}
    sample = "karmada_scheduler_plugin_execution_duration_seconds_count"
    return REGISTRY.get_sample_value(sample, labels) or 0.0


def point_runs(extension_point: str, result: str) -> float:
    labels = {"extension_point": extension_point, "result": result}
    sample = "karmada_scheduler_framework_extension_point_duration_seconds_count"
    return REGISTRY.get_sample_value(sample, labels) or 0.0


@pytest.mark.parametrize(
    ("plugins", "expected"),
    [
        pytest.param(None, list(DEFAULT_PLUGINS), id="default"),
        pytest.param(["*"], list(DEFAULT_PLUGINS), id="star"),
        pytest.param([], [], id="none"),
        pytest.param(
            ["*", "-ClusterLocality"],
            [p for p in DEFAULT_PLUGINS if p != "ClusterLocality"],
            id="star-minus",
        ),
        pytest.param(
            ["-TaintToleration", "*"],
            [p for p in DEFAULT_PLUGINS if p != "TaintToleration"],
            id="minus-before-star",
        ),
        pytest.param(
            ["*", "-AvailableReplicas"],
            [
                "APIEnablement",
                "TaintToleration",
                "ClusterAffinity",
                "SpreadConstraint",
                "ClusterLocality",
                "ClusterEviction",
            ],
            id="opt-out",
        ),
        pytest.param(
            ["ClusterEviction", "APIEnablement"],
            ["APIEnablement", "ClusterEviction"],
            id="registry-order",
        ),
    ],
)
def test_enabled(plugins: list[str] | None, expected: list[str]) -> None:
    assert enabled(plugins, default_registry()) == expected


@pytest.mark.parametrize("plugins", [["Nope"], ["*", "-Nope"], ["clusteraffinity"]])
def test_build_rejects_unknown_names(plugins: list[str]) -> None:
    unknown = plugins[-1].removeprefix("-")
    with pytest.raises(ValueError, match=f"unknown scheduler plugin '{unknown}'"):
        build(plugins)


def test_build_sorts_plugins_by_extension_point() -> None:
    framework = build()

    assert [p.name for p in framework.filters] == [
        "APIEnablement",
        "TaintToleration",
        "ClusterAffinity",
        "SpreadConstraint",
        "ClusterEviction",
    ]
    assert [p.name for p in framework.scores] == [
        "ClusterAffinity",
        "ClusterLocality",
        "AvailableReplicas",
    ]
    assert id(framework.filters[2]) == id(framework.scores[0])


def test_a_cluster_stops_at_its_first_failing_filter() -> None:
    first = Reject("First", ["b", "d"])
    second = Reject("Second", ["b", "c"])
    third = Reject("Third", [])
    clusters = [cluster(n) for n in "abcde"]

    feasible, diagnosis = Framework(filters=[first, second, third]).run_filters(binding(), clusters)

    assert names(feasible) == ["a", "e"]
    assert first.seen == ["a", "b", "c", "d", "e"]
    assert second.seen == ["a", "c", "e"]
    assert third.seen == ["a", "e"]
    assert diagnosis.total == 5
    assert diagnosis.failures == {"b": first.result, "d": first.result, "c": second.result}
    assert diagnosis.unschedulable_plugins == {"First", "Second"}
    assert [first.prepared, second.prepared, third.prepared] == [1, 1, 1]


def test_filters_after_the_last_cluster_is_rejected_do_not_run() -> None:
    later = Reject("Later", [])

    feasible, diagnosis = Framework(filters=[Reject("All", "ab"), later]).run_filters(
        binding(), [cluster("a"), cluster("b")]
    )

    assert feasible == []
    assert (later.seen, later.prepared) == ([], 0)
    assert (
        unschedulable_message(diagnosis) == "0/2 clusters are available: 2 cluster(s) failed All."
    )


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        pytest.param(Result(Code.ERROR, "estimator down"), "estimator down", id="error"),
        pytest.param(Result(Code.UNSCHEDULABLE), "were rejected by Quiet", id="no-reason"),
    ],
)
def test_a_failed_result_always_has_a_reason(result: Result, reason: str) -> None:
    _, diagnosis = Framework(filters=[Reject("Quiet", ["a"], result)]).run_filters(
        binding(), [cluster("a")]
    )

    assert diagnosis.failures["a"] == Result(result.code, reason)


def test_default_filters_explain_why_nothing_fits() -> None:
    clusters = [
        cluster("tainted-1", taints=[taint("gpu")]),
        cluster("tainted-elsewhere", region="us", taints=[taint("gpu")]),
        cluster("us-1", region="us"),
        cluster("us-2", region="us"),
        cluster("ap-1", region="ap"),
    ]
    subject = binding()
    subject.affinity = policy_pb2.ClusterAffinity(cluster_names=["tainted-1"])

    feasible, diagnosis = build().run_filters(subject, clusters)

    assert feasible == []
    assert unschedulable_message(diagnosis) == (
        "0/5 clusters are available: 2 cluster(s) had untolerated taint, "
        "3 cluster(s) did not match the placement cluster affinity."
    )


def test_scores_are_the_sum_of_normalized_scores() -> None:
    feasible = [scored(cluster(n), score=99) for n in "abc"]
    framework = Framework(scores=[Fixed("One", [10, 0, 100]), Fixed("Two", [5, 50, 100])])

    framework.run_scores(binding(), feasible)

    assert [c.score for c in feasible] == [15, 50, 200]


def test_default_scores() -> None:
    feasible = [scored(cluster(n, region=r)) for n, r in [("a", "eu"), ("b", "us"), ("c", "eu")]]
    scheduling = placement(static_weights=[static_weight(2, region="eu"), static_weight(1, "b")])

    build().run_scores(binding(placement=scheduling, previous={"b": 1}), feasible)

    # Affinity (static weight) + locality + capacity (unlimited everywhere: 100 each).
    assert [c.score for c in feasible] == [200, 250, 200]


@pytest.mark.parametrize(
    "normalized",
    [
        pytest.param([1, 2], id="too-few"),
        pytest.param([1, 2, 101], id="above-max"),
        pytest.param([-1, 2, 3], id="negative"),
    ],
)
def test_a_score_plugin_breaking_its_contract_fails_the_pass(normalized: list[int]) -> None:
    feasible = [scored(cluster(n)) for n in "abc"]

    with pytest.raises(PluginError, match="score plugin Bad normalized"):
        Framework(scores=[Fixed("Bad", normalized)]).run_scores(binding(), feasible)


def test_each_plugin_is_timed_once_per_pass() -> None:
    filters = [Reject("TimedPasses", []), Reject("TimedRejects", ["b"])]
    framework = Framework(filters=filters, scores=[Fixed("TimedScores", [1, 2])])
    before = (
        plugin_runs("TimedPasses", "Filter", "Success"),
        plugin_runs("TimedRejects", "Filter", "Unschedulable"),
        plugin_runs("TimedScores", "Score", "Success"),
        point_runs("Filter", "Success"),
        point_runs("Score", "Success"),
    )

    feasible, _ = framework.run_filters(binding(), [cluster(n) for n in "abc"])
    framework.run_scores(binding(), [scored(c) for c in feasible])

    after = (
        plugin_runs("TimedPasses", "Filter", "Success"),
        plugin_runs("TimedRejects", "Filter", "Unschedulable"),
        plugin_runs("TimedScores", "Score", "Success"),
        point_runs("Filter", "Success"),
        point_runs("Score", "Success"),
    )
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1, 1]
    assert plugin_runs("TimedRejects", "Filter", "Success") == 0


def test_a_raising_filter_is_timed_as_an_error() -> None:
    before = (plugin_runs("Broken", "Filter", "Error"), point_runs("Filter", "Error"))

    with pytest.raises(RuntimeError, match="bug"):
        Framework(filters=[Broken()]).run_filters(binding(), [cluster("a")])

    after = (plugin_runs("Broken", "Filter", "Error"), point_runs("Filter", "Error"))
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1]
