"""The resource interpreter: what the controllers need to know about a Kubernetes kind.

Karmada's native (built-in) resource interpreter
(pkg/resourceinterpreter/default/native) as pure functions on plain
Kubernetes object dicts, one module per concern:

* replicas.py: `replicas_of` (count and per-replica requirements) and
  `revise_replicas` (a copy with a cluster's share);
* status.py: `reflect_status` (what of a member object's status to record
  in its Work);
* health.py: `health_of` ("Healthy" / "Unhealthy" / "Unknown");
* aggregate.py and jobs.py: `aggregate_status` (the template's status from
  its members');
* dependencies.py: `dependencies_of` (ConfigMaps, Secrets, ServiceAccounts
  and PVCs a workload refers to, for propagateDeps).

Kinds are matched by API group and kind, whatever the version. None of the
functions touch the network or mutate their arguments.
"""

from __future__ import annotations

from controller_manager.interpreter.aggregate import aggregate_status
from controller_manager.interpreter.dependencies import Dependency, dependencies_of
from controller_manager.interpreter.health import HEALTHY, UNHEALTHY, UNKNOWN, Health, health_of
from controller_manager.interpreter.jobs import StatusItem
from controller_manager.interpreter.kinds import InterpretError, group_kind
from controller_manager.interpreter.replicas import pod_spec_of, replicas_of, revise_replicas
from controller_manager.interpreter.status import reflect_status, template_generation_of

__all__ = [
    "HEALTHY",
    "UNHEALTHY",
    "UNKNOWN",
    "Dependency",
    "Health",
    "InterpretError",
    "StatusItem",
    "aggregate_status",
    "dependencies_of",
    "group_kind",
    "health_of",
    "pod_spec_of",
    "reflect_status",
    "replicas_of",
    "revise_replicas",
    "template_generation_of",
]
