"""Graceful eviction tasks: evicting a cluster and deciding when a task ends."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from google.protobuf import timestamp_pb2

from controller_manager.failover.tasks import (
    Assessment,
    assess_tasks,
    cluster_failover_enabled,
    cluster_purge_mode,
    graceful_evict_cluster,
    healthy_elsewhere,
    purge_mode,
)
from karmada.machinery.structs import from_dict
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2

NOW = 1_000_000
TIMEOUT = 600.0


def stamp(seconds: float) -> timestamp_pb2.Timestamp:
    result = timestamp_pb2.Timestamp()
    result.FromNanoseconds(int(seconds * 1e9))
    return result


def spec_with(
    clusters: Sequence[tuple[str, int]], tasks: Sequence[rb_pb2.GracefulEvictionTask] = ()
) -> rb_pb2.ResourceBindingSpec:
    spec = rb_pb2.ResourceBindingSpec(replicas=sum(r for _, r in clusters))
    spec.clusters.extend(rb_pb2.TargetCluster(name=n, replicas=r) for n, r in clusters)
    spec.graceful_eviction_tasks.extend(tasks)
    return spec


def task(
    cluster: str = "old",
    *,
    mode: str = "Gracefully",
    age: float | None = 10.0,
    grace: int | None = None,
    suppress: bool | None = None,
) -> rb_pb2.GracefulEvictionTask:
    result = rb_pb2.GracefulEvictionTask(
        from_cluster=cluster, purge_mode=mode, reason="TaintUntolerated", producer="TaintManager"
    )
    if age is not None:
        result.creation_timestamp.CopyFrom(stamp(NOW - age))
    if grace is not None:
        result.grace_period_seconds = grace
    if suppress is not None:
        result.suppress_deletion = suppress
    return result


def item(cluster: str, health: str, **status: int) -> rb_pb2.AggregatedStatusItem:
    result = rb_pb2.AggregatedStatusItem(cluster_name=cluster, health=health, applied=True)
    if status:
        result.status.CopyFrom(from_dict(dict(status)))
    return result


def status_with(*items: rb_pb2.AggregatedStatusItem) -> rb_pb2.ResourceBindingStatus:
    return rb_pb2.ResourceBindingStatus(aggregated_status=list(items))


# -- evicting ------------------------------------------------------------------


def test_graceful_evict_cluster_moves_the_cluster_into_a_task() -> None:
    spec = spec_with([("a", 2), ("b", 3)])
    evicted = graceful_evict_cluster(
        spec,
        "a",
        purge_mode="Gracefully",
        reason="TaintUntolerated",
        producer="TaintManager",
        message="m" * 2000,
        now=stamp(NOW),
    )
    assert evicted
    assert [(t.name, t.replicas) for t in spec.clusters] == [("b", 3)]
    [added] = spec.graceful_eviction_tasks
    assert added.from_cluster == "a"
    assert added.replicas == 2
    assert (added.purge_mode, added.reason, added.producer) == (
        "Gracefully",
        "TaintUntolerated",
        "TaintManager",
    )
    assert len(added.message) == 1024
    assert added.creation_timestamp == stamp(NOW)
    assert not added.HasField("grace_period_seconds")


def test_graceful_evict_cluster_leaves_replicas_unset_for_kinds_without_replicas() -> None:
    spec = spec_with([("a", 0), ("b", 0)])
    assert graceful_evict_cluster(
        spec, "a", purge_mode="Directly", reason="r", producer="p", now=stamp(NOW)
    )
    assert not spec.graceful_eviction_tasks[0].HasField("replicas")


def test_graceful_evict_cluster_ignores_clusters_outside_the_result() -> None:
    spec = spec_with([("b", 3)])
    assert not graceful_evict_cluster(
        spec, "a", purge_mode="Gracefully", reason="r", producer="p", now=stamp(NOW)
    )
    assert spec == spec_with([("b", 3)])


def test_graceful_evict_cluster_adds_no_second_task_for_a_cluster() -> None:
    spec = spec_with([("a", 1), ("b", 1)], [task("a", age=100)])
    assert graceful_evict_cluster(
        spec, "a", purge_mode="Directly", reason="r", producer="p", now=stamp(NOW)
    )
    assert [t.name for t in spec.clusters] == ["b"]
    assert [(t.from_cluster, t.purge_mode) for t in spec.graceful_eviction_tasks] == [
        ("a", "Gracefully")
    ]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("", "Gracefully"),
        ("Gracefully", "Gracefully"),
        ("Graciously", "Gracefully"),
        ("Directly", "Directly"),
        ("Immediately", "Directly"),
        ("Never", "Never"),
    ],
)
def test_purge_mode_resolves_legacy_names(mode: str, expected: str) -> None:
    assert purge_mode(mode) == expected


@pytest.mark.parametrize(
    ("failover", "enabled", "mode"),
    [
        (None, False, "Gracefully"),
        (policy_pb2.FailoverBehavior(), False, "Gracefully"),
        (
            policy_pb2.FailoverBehavior(
                application=policy_pb2.ApplicationFailoverBehavior(purge_mode="Directly")
            ),
            False,
            "Gracefully",
        ),
        (
            policy_pb2.FailoverBehavior(cluster=policy_pb2.ClusterFailoverBehavior()),
            True,
            "Gracefully",
        ),
        (
            policy_pb2.FailoverBehavior(
                cluster=policy_pb2.ClusterFailoverBehavior(purge_mode="Directly")
            ),
            True,
            "Directly",
        ),
    ],
    ids=["unset", "empty", "application-only", "cluster-default", "cluster-directly"],
)
def test_cluster_failover_switch_and_purge_mode(
    failover: policy_pb2.FailoverBehavior | None, enabled: bool, mode: str
) -> None:
    spec = rb_pb2.ResourceBindingSpec()
    if failover is not None:
        spec.failover.CopyFrom(failover)
    assert cluster_failover_enabled(spec) is enabled
    assert cluster_purge_mode(spec.failover) == mode


# -- health on the new clusters --------------------------------------------------


@pytest.mark.parametrize(
    ("clusters", "items", "expected"),
    [
        ([("new", 4)], [item("new", "Healthy")], True),
        ([("new", 4)], [item("new", "Unhealthy")], False),
        ([("new", 4)], [item("new", "Unknown")], False),
        ([("new", 4)], [], False),
        ([("new", 2), ("other", 2)], [item("new", "Healthy")], False),
        ([("new", 2), ("other", 2)], [item("new", "Healthy"), item("other", "Healthy")], True),
        ([("old", 2), ("new", 2)], [item("new", "Healthy"), item("old", "Unhealthy")], True),
        ([], [], False),
        ([("old", 4)], [item("old", "Healthy")], False),
        ([("new", 4)], [item("new", "Healthy", availableReplicas=2)], False),
        ([("new", 4)], [item("new", "Healthy", availableReplicas=4)], True),
        ([("new", 4)], [item("new", "Healthy", availableReplicas=5)], True),
        ([("new", 0)], [item("new", "Healthy", availableReplicas=0)], True),
    ],
    ids=[
        "healthy",
        "unhealthy",
        "unknown",
        "not-reported",
        "one-cluster-not-reported",
        "all-healthy",
        "evicting-cluster-ignored",
        "no-cluster-left",
        "only-the-evicting-cluster",
        "stale-available-replicas",
        "available-replicas-caught-up",
        "more-available-than-assigned",
        "no-replicas-assigned",
    ],
)
def test_healthy_elsewhere(
    clusters: list[tuple[str, int]], items: list[rb_pb2.AggregatedStatusItem], expected: bool
) -> None:
    spec = spec_with(clusters)
    assert healthy_elsewhere("old", spec.clusters, items) is expected


# -- when tasks end ---------------------------------------------------------------

HEALTHY_NEW = status_with(item("new", "Healthy"))
UNHEALTHY_NEW = status_with(item("new", "Unhealthy"))


@pytest.mark.parametrize(
    ("task_", "status", "scheduled", "ends", "recheck_after"),
    [
        (task(mode="Directly"), UNHEALTHY_NEW, False, True, None),
        (task(mode="Immediately"), UNHEALTHY_NEW, False, True, None),
        (task(mode="Directly", age=None), UNHEALTHY_NEW, False, True, None),
        (task(mode="Never", age=10_000), UNHEALTHY_NEW, True, False, None),
        (task(age=10), UNHEALTHY_NEW, True, False, 590.0),
        (task(mode="", age=10), UNHEALTHY_NEW, True, False, 590.0),
        (task(mode="Graciously", age=10), UNHEALTHY_NEW, True, False, 590.0),
        (task(age=10), HEALTHY_NEW, True, True, None),
        (task(age=10), HEALTHY_NEW, False, False, 590.0),
        (task(age=600), UNHEALTHY_NEW, False, True, None),
        (task(age=599), UNHEALTHY_NEW, False, False, 1.0),
        (task(age=10, grace=30), UNHEALTHY_NEW, True, False, 20.0),
        (task(age=30, grace=30), UNHEALTHY_NEW, True, True, None),
        (task(age=10, grace=3000), UNHEALTHY_NEW, True, False, 2990.0),
        (task(age=10_000, suppress=True), HEALTHY_NEW, True, False, None),
        (task(age=10, suppress=False), UNHEALTHY_NEW, False, True, None),
        (task(age=None), UNHEALTHY_NEW, True, False, 600.0),
    ],
    ids=[
        "directly-at-once",
        "immediately-is-directly",
        "directly-without-timestamp",
        "never-stays",
        "gracefully-waits-for-health",
        "empty-mode-is-gracefully",
        "graciously-is-gracefully",
        "gracefully-ends-when-healthy",
        "healthy-but-not-rescheduled-yet",
        "timeout",
        "just-before-timeout",
        "grace-period-instead-of-timeout",
        "grace-period-over",
        "grace-period-longer-than-timeout",
        "suppressed-deletion-stays",
        "suppression-lifted-ends",
        "new-task-gets-a-timestamp",
    ],
)
def test_assess_one_task(
    task_: rb_pb2.GracefulEvictionTask,
    status: rb_pb2.ResourceBindingStatus,
    scheduled: bool,
    ends: bool,
    recheck_after: float | None,
) -> None:
    spec = spec_with([("new", 4)], [task_])
    result = assess_tasks(spec, status, scheduled=scheduled, timeout=TIMEOUT, now=stamp(NOW))
    assert result.ended == (["old"] if ends else [])
    assert [t.from_cluster for t in result.tasks] == ([] if ends else ["old"])
    assert result.recheck_after == recheck_after
    assert result.changed is (ends or not task_.HasField("creation_timestamp"))


def test_assess_fills_in_creation_timestamps_and_keeps_the_order() -> None:
    spec = spec_with(
        [("new", 4)],
        [task("a", age=None), task("b", mode="Directly"), task("c", age=100)],
    )
    result = assess_tasks(spec, UNHEALTHY_NEW, scheduled=True, timeout=TIMEOUT, now=stamp(NOW))
    assert [t.from_cluster for t in result.tasks] == ["a", "c"]
    assert result.tasks[0].creation_timestamp == stamp(NOW)
    assert result.ended == ["b"]
    assert result.recheck_after == 500.0
    assert not spec.graceful_eviction_tasks[0].HasField("creation_timestamp"), "input unchanged"


def test_assess_without_tasks_changes_nothing() -> None:
    result = assess_tasks(
        spec_with([("new", 4)]), HEALTHY_NEW, scheduled=True, timeout=TIMEOUT, now=stamp(NOW)
    )
    assert result == Assessment()
