"""Which binding states need which kind of schedule."""

from __future__ import annotations

import pytest

from karmada.meta.v1 import meta_pb2
from karmada.names import APPLIED_PLACEMENT_ANNOTATION
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2
from scheduler.triggers import ScheduleType, decide, placement_json


def _placement(scheduling: str = "Divided") -> policy_pb2.Placement:
    placement = policy_pb2.Placement()
    placement.replica_scheduling.replica_scheduling_type = scheduling
    return placement


def _scheduled(
    *, replicas: int = 4, clusters: dict[str, int] | None = None, scheduling: str = "Divided"
) -> tuple[meta_pb2.ObjectMeta, rb_pb2.ResourceBindingSpec, rb_pb2.ResourceBindingStatus]:
    """A binding in steady state: scheduled for its current placement and replicas."""
    spec = rb_pb2.ResourceBindingSpec(replicas=replicas, placement=_placement(scheduling))
    for name, count in (clusters if clusters is not None else {"a": 1, "b": 3}).items():
        spec.clusters.add(name=name, replicas=count)
    metadata = meta_pb2.ObjectMeta(name="web", namespace="ns", generation=2)
    metadata.annotations[APPLIED_PLACEMENT_ANNOTATION] = placement_json(spec.placement)
    status = rb_pb2.ResourceBindingStatus(scheduler_observed_generation=2)
    status.conditions.add(type="Scheduled", status="True", reason="Success")
    status.last_scheduled_time.FromSeconds(100)
    return metadata, spec, status


def _deleting(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    m.deletion_timestamp.FromSeconds(1)
    del m.annotations[APPLIED_PLACEMENT_ANNOTATION]


def _other_scheduler(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    s.scheduler_name = "my-scheduler"
    s.replicas = 9


def _suspended(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    s.suspension.scheduling = True
    s.replicas = 9


def _no_placement(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    s.ClearField("placement")


def _first(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    del m.annotations[APPLIED_PLACEMENT_ANNOTATION]
    del s.clusters[:]
    st.Clear()


def _placement_changed(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    s.placement.cluster_affinity.cluster_names.append("a")


def _scaled(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    s.replicas = 6


def _triggered(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    s.reschedule_triggered_at.FromSeconds(200)


def _old_trigger(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    s.reschedule_triggered_at.FromSeconds(50)


def _spec_changed(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    m.generation = 3


def _failed(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    st.conditions[0].status = "False"


def _unchanged(
    m: meta_pb2.ObjectMeta, s: rb_pb2.ResourceBindingSpec, st: rb_pb2.ResourceBindingStatus
) -> None:
    pass


@pytest.mark.parametrize(
    ("mutate", "cluster_changed", "expected"),
    [
        (_unchanged, False, None),
        (_unchanged, True, ScheduleType.RECONCILE),
        (_deleting, True, None),
        (_other_scheduler, True, None),
        (_suspended, True, None),
        (_no_placement, True, None),
        (_first, False, ScheduleType.RECONCILE),
        (_placement_changed, False, ScheduleType.RECONCILE),
        (_scaled, False, ScheduleType.SCALE),
        (_triggered, False, ScheduleType.FRESH),
        (_old_trigger, False, None),
        (_failed, False, ScheduleType.RECONCILE),
        (_spec_changed, False, ScheduleType.RECONCILE),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_decide(mutate: object, cluster_changed: bool, expected: ScheduleType | None) -> None:
    metadata, spec, status = _scheduled()
    assert callable(mutate)
    mutate(metadata, spec, status)
    assert decide(metadata, spec, status, cluster_changed=cluster_changed) is expected


@pytest.mark.parametrize(
    ("scheduling", "replicas", "clusters", "expected"),
    [
        ("Duplicated", 3, {"a": 3, "b": 3}, None),
        ("Duplicated", 4, {"a": 3, "b": 3}, ScheduleType.SCALE),
        ("Divided", 4, {"a": 1, "b": 3}, None),
        ("Divided", 0, {"a": 0, "b": 0}, None),
        ("Divided", 5, {"a": 1, "b": 3}, ScheduleType.SCALE),
    ],
)
def test_replica_changes_per_scheduling_type(
    scheduling: str, replicas: int, clusters: dict[str, int], expected: ScheduleType | None
) -> None:
    metadata, spec, status = _scheduled(replicas=replicas, clusters=clusters, scheduling=scheduling)
    assert decide(metadata, spec, status) is expected


def test_placement_json_is_stable_and_compact() -> None:
    placement = _placement()
    placement.cluster_affinity.cluster_names.extend(["b", "a"])
    text = placement_json(placement)
    assert (
        text
        == '{"clusterAffinity":{"clusterNames":["b","a"]},"replicaScheduling":{"replicaSchedulingType":"Divided"}}'
    )
    assert placement_json(policy_pb2.Placement.FromString(placement.SerializeToString())) == text
