"""What of a member object's status is worth carrying back to the control plane.

Karmada's native reflectors (resourceinterpreter/default/native/
reflectstatus.go): the work status controller records the result in
``Work.status.manifestStatuses[].status`` and the binding status controller
copies it into ``aggregatedStatus``, from which the template's own status is
aggregated (see aggregate.py).

* Deployment, DaemonSet, StatefulSet: the counters, ``observedGeneration``,
  and the member object's ``generation`` and the template generation it was
  rendered from (annotation resourcetemplate.karmada.io/generation, as
  ``resourceTemplateGeneration``), so aggregation can tell whether every
  member has caught up with the current template. Karmada leaves
  ``observedGeneration`` out for StatefulSets, so their federated
  observedGeneration never advances; it is kept here.
* ReplicaSet: the same counters as a Deployment (Karmada reflects its whole
  status; the counters are what aggregation needs).
* Service: the load balancer status, only for type LoadBalancer.
* Job: active/succeeded/failed, conditions and start/completion times.
* PodDisruptionBudget and HorizontalPodAutoscaler: their counters.
* Anything else: the whole status. No status at all reflects as None.

Integers that are 0 are left out, as Kubernetes' JSON encoding does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from controller_manager.interpreter.kinds import (
    DAEMON_SET,
    DEPLOYMENT,
    JOB,
    PDB,
    REPLICA_SET,
    SERVICE,
    STATEFUL_SET,
    GroupKind,
    as_int,
    as_map,
    group_kind,
    nested,
)
from karmada.names import TEMPLATE_GENERATION_ANNOTATION

__all__ = ["reflect_status", "template_generation_of"]

DEPLOYMENT_FIELDS: Final = (
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
)
STATEFUL_SET_FIELDS: Final = (
    "replicas",
    "readyReplicas",
    "currentReplicas",
    "updatedReplicas",
    "availableReplicas",
)
DAEMON_SET_FIELDS: Final = (
    "currentNumberScheduled",
    "desiredNumberScheduled",
    "numberAvailable",
    "numberMisscheduled",
    "numberReady",
    "updatedNumberScheduled",
    "numberUnavailable",
)
PDB_FIELDS: Final = ("disruptionsAllowed", "expectedPods", "desiredHealthy", "currentHealthy")
_HPA: Final[GroupKind] = ("autoscaling", "HorizontalPodAutoscaler")


def reflect_status(member_obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """The status to record for `member_obj`, or None when it has none worth recording."""
    status = member_obj.get("status")
    if not isinstance(status, dict):
        return None
    reflector = _REFLECTORS.get(group_kind(member_obj))
    if reflector is None:
        return dict(status)
    return reflector(member_obj, status)


def template_generation_of(member_obj: Mapping[str, Any]) -> int:
    """The template generation a member object was rendered from; 0 when not recorded."""
    text = nested(member_obj, "metadata", "annotations", TEMPLATE_GENERATION_ANNOTATION)
    try:
        return int(str(text)) if text is not None else 0
    except ValueError:
        return 0


def _counters(status: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: value for field in fields if (value := as_int(status.get(field)))}


def _generations(member_obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any]:
    values = {
        "observedGeneration": as_int(status.get("observedGeneration")),
        "generation": as_int(nested(member_obj, "metadata", "generation")),
        "resourceTemplateGeneration": template_generation_of(member_obj),
    }
    return {field: value for field, value in values.items() if value}


def _workload(
    fields: tuple[str, ...],
) -> Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any] | None]:
    def reflect(member_obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any] | None:
        reflected = _counters(status, fields) | _generations(member_obj, status)
        return reflected or None

    return reflect


def _service(member_obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any] | None:
    if nested(member_obj, "spec", "type") != "LoadBalancer":
        return None
    return {"loadBalancer": as_map(status.get("loadBalancer"))}


def _job(_member_obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any] | None:
    reflected = _counters(status, ("active", "succeeded", "failed"))
    for field in ("conditions", "startTime", "completionTime"):
        if status.get(field):
            reflected[field] = status[field]
    return reflected


def _pdb(_member_obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any] | None:
    reflected = _counters(status, PDB_FIELDS)
    if isinstance(status.get("disruptedPods"), dict) and status["disruptedPods"]:
        reflected["disruptedPods"] = dict(status["disruptedPods"])
    return reflected


def _hpa(_member_obj: Mapping[str, Any], status: Mapping[str, Any]) -> dict[str, Any] | None:
    return _counters(status, ("currentReplicas", "desiredReplicas"))


_REFLECTORS: Final[
    Mapping[GroupKind, Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any] | None]]
] = {
    DEPLOYMENT: _workload(DEPLOYMENT_FIELDS),
    REPLICA_SET: _workload(
        ("replicas", "readyReplicas", "availableReplicas", "fullyLabeledReplicas")
    ),
    STATEFUL_SET: _workload(STATEFUL_SET_FIELDS),
    DAEMON_SET: _workload(DAEMON_SET_FIELDS),
    SERVICE: _service,
    JOB: _job,
    PDB: _pdb,
    _HPA: _hpa,
}
