"""The template's own status, aggregated from the status of its copies in member clusters.

Karmada's native aggregators (resourceinterpreter/default/native/
aggregatestatus.go); the binding status controller writes the result to the
template's status so that users (and GitOps tools reading
observedGeneration) see one object:

* Deployment, StatefulSet, DaemonSet (and ReplicaSet, which Karmada leaves
  out): the counters summed. ``observedGeneration`` becomes the template's
  generation only when every target cluster reported a status whose member
  controller observed its own generation and that was rendered from the
  current template generation (Karmada's FederatedGeneration check); until
  then it keeps its previous value. A member object without a recorded
  template generation is judged on its own generations alone.
* Service (type LoadBalancer) and Ingress: the ingress points of every
  member, each without a hostname labelled with its cluster's name.
* Job and CronJob: see jobs.py.
* Pod: the worst phase (Failed, Pending, Running, Succeeded; a member with
  no status yet counts as Pending) and every container's ready/state.
* PersistentVolume: the worst phase; PersistentVolumeClaim: Lost if any
  member lost it, else the last non-Bound phase, else Bound.
* PodDisruptionBudget: the counters summed, disrupted pods keyed
  ``<cluster>/<pod>``.

Other kinds have no aggregation: `aggregate_status` returns None and the
template's status is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from controller_manager.interpreter.jobs import StatusItem, aggregate_cron_job, aggregate_job
from controller_manager.interpreter.kinds import (
    CRON_JOB,
    DAEMON_SET,
    DEPLOYMENT,
    INGRESS,
    JOB,
    PDB,
    POD,
    PV,
    PVC,
    REPLICA_SET,
    SERVICE,
    STATEFUL_SET,
    GroupKind,
    as_int,
    as_map,
    group_kind,
    maps,
    nested,
)
from controller_manager.interpreter.status import (
    DAEMON_SET_FIELDS,
    DEPLOYMENT_FIELDS,
    PDB_FIELDS,
    STATEFUL_SET_FIELDS,
)

__all__ = ["aggregate_status"]

_Aggregator = Callable[
    [Mapping[str, Any], dict[str, Any], Sequence[StatusItem], datetime], "dict[str, Any] | None"
]


def aggregate_status(
    template_manifest: Mapping[str, Any],
    items: Sequence[StatusItem],
    *,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    """The new status of the template, or None when its kind has no aggregation.

    Args:
        template_manifest: the resource template as a Kubernetes object (its
            current status under "status").
        items: one (cluster, reflected status or None) per target cluster.
        now: the time new conditions are stamped with (Jobs); defaults to now.
    """
    aggregator = _AGGREGATORS.get(group_kind(template_manifest))
    if aggregator is None:
        return None
    old = dict(as_map(template_manifest.get("status")))
    return aggregator(template_manifest, old, items, now or datetime.now(UTC))


def _set(status: dict[str, Any], field: str, value: Any) -> None:
    """Sets `field`, or removes it for a zero value (Kubernetes' omitempty)."""
    if value:
        status[field] = value
    else:
        status.pop(field, None)


def _workload(fields: tuple[str, ...]) -> _Aggregator:
    def aggregate(
        template: Mapping[str, Any],
        old: dict[str, Any],
        items: Sequence[StatusItem],
        _now: datetime,
    ) -> dict[str, Any]:
        generation = as_int(nested(template, "metadata", "generation"))
        sums = dict.fromkeys(fields, 0)
        caught_up = 0
        for _cluster, status in items:
            if status is None:
                continue
            for field in fields:
                sums[field] += as_int(status.get(field))
            template_generation = as_int(status.get("resourceTemplateGeneration"))
            if as_int(status.get("generation")) == as_int(status.get("observedGeneration")) and (
                template_generation in (0, generation)
            ):
                caught_up += 1
        new = dict(old)
        for field, value in sums.items():
            _set(new, field, value)
        if caught_up == len(items):
            _set(new, "observedGeneration", generation)
        return new

    return aggregate


def _load_balancer(
    template: Mapping[str, Any], old: dict[str, Any], items: Sequence[StatusItem], _now: datetime
) -> dict[str, Any] | None:
    if group_kind(template) == SERVICE and nested(template, "spec", "type") != "LoadBalancer":
        return None
    points: list[dict[str, Any]] = []
    for cluster, status in items:
        if status is None:
            continue
        for found in maps(nested(status, "loadBalancer", "ingress")):
            point = dict(found)
            if not point.get("hostname"):
                point["hostname"] = cluster
            points.append(point)
    new = {k: v for k, v in old.items() if k != "loadBalancer"}
    new["loadBalancer"] = {"ingress": points} if points else {}
    return new


def _job(
    _template: Mapping[str, Any], old: dict[str, Any], items: Sequence[StatusItem], now: datetime
) -> dict[str, Any]:
    return aggregate_job(old, items, now)


def _cron_job(
    _template: Mapping[str, Any], old: dict[str, Any], items: Sequence[StatusItem], _now: datetime
) -> dict[str, Any]:
    return aggregate_cron_job(old, items)


def _worst(phases: set[str], order: tuple[str, ...]) -> str:
    return next((phase for phase in order if phase in phases), "")


def _pod(
    _template: Mapping[str, Any], old: dict[str, Any], items: Sequence[StatusItem], _now: datetime
) -> dict[str, Any] | None:
    if not items:
        return None
    phases: set[str] = set()
    containers: list[dict[str, Any]] = []
    init_containers: list[dict[str, Any]] = []
    for _cluster, status in items:
        if status is None:
            phases.add("Pending")
            continue
        phases.add(str(status.get("phase") or ""))
        for source, target in (
            (status.get("containerStatuses"), containers),
            (status.get("initContainerStatuses"), init_containers),
        ):
            for container in maps(source):
                target.append(
                    {"ready": bool(container.get("ready")), "state": as_map(container.get("state"))}
                )
    new: dict[str, Any] = {"containerStatuses": containers}
    if init_containers:
        new["initContainerStatuses"] = init_containers
    _set(new, "phase", _worst(phases, ("Failed", "Pending", "Running", "Succeeded")))
    return new


def _pv(
    _template: Mapping[str, Any], old: dict[str, Any], items: Sequence[StatusItem], _now: datetime
) -> dict[str, Any]:
    phases = {
        "Pending" if status is None else str(status.get("phase") or "") for _c, status in items
    }
    new: dict[str, Any] = {}
    _set(new, "phase", _worst(phases, ("Failed", "Pending", "Available", "Bound", "Released")))
    return new


def _pvc(
    _template: Mapping[str, Any], old: dict[str, Any], items: Sequence[StatusItem], _now: datetime
) -> dict[str, Any]:
    phase = "Bound"
    for _cluster, status in items:
        if status is None:
            continue
        member_phase = str(status.get("phase") or "")
        if member_phase == "Lost":
            phase = "Lost"
            break
        if member_phase != "Bound":
            phase = member_phase
    new: dict[str, Any] = {}
    _set(new, "phase", phase)
    return new


def _pdb(
    _template: Mapping[str, Any], old: dict[str, Any], items: Sequence[StatusItem], _now: datetime
) -> dict[str, Any]:
    sums = dict.fromkeys(PDB_FIELDS, 0)
    disrupted: dict[str, Any] = {}
    for cluster, status in items:
        if status is None:
            continue
        for field in PDB_FIELDS:
            sums[field] += as_int(status.get(field))
        for pod, when in as_map(status.get("disruptedPods")).items():
            disrupted[f"{cluster}/{pod}"] = when
    new: dict[str, Any] = {}
    for field, value in sums.items():
        _set(new, field, value)
    _set(new, "disruptedPods", disrupted)
    return new


_AGGREGATORS: Final[Mapping[GroupKind, _Aggregator]] = {
    DEPLOYMENT: _workload(DEPLOYMENT_FIELDS),
    STATEFUL_SET: _workload(STATEFUL_SET_FIELDS),
    DAEMON_SET: _workload(DAEMON_SET_FIELDS),
    REPLICA_SET: _workload(
        ("replicas", "readyReplicas", "availableReplicas", "fullyLabeledReplicas")
    ),
    SERVICE: _load_balancer,
    INGRESS: _load_balancer,
    JOB: _job,
    CRON_JOB: _cron_job,
    POD: _pod,
    PV: _pv,
    PVC: _pvc,
    PDB: _pdb,
}
