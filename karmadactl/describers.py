"""What `karmadactl describe` says about each kind, from Kubernetes-style mappings.

Pure: the command reads the object and what relates to it (a template's
binding and Works, a policy's claimed templates) and hands them here.
Clusters show mode, endpoint, location, taints, conditions and capacity;
templates where they landed; policies their selectors, placement and the
templates they claim; bindings and Works their scheduling and apply state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import yaml

from karmada.names import cluster_of_execution_space
from karmadactl.describing import Writer, get, selector_text
from karmadactl.tables import age

__all__ = [
    "binding",
    "cluster",
    "generic",
    "override_policy",
    "placement",
    "propagation_policy",
    "template",
    "work",
]

Obj = Mapping[str, Any]

_WORKLOADS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job"})


def _affinity_text(affinity: Obj | None) -> str:
    if not affinity:
        return ""
    parts = []
    if names := affinity.get("clusterNames"):
        parts.append("clusters " + ",".join(names))
    if labels := selector_text(affinity.get("labelSelector")):
        parts.append(f"labels {labels}")
    for expression in get(affinity, "fieldSelector.matchExpressions", []) or []:
        values = ",".join(expression.get("values") or [])
        parts.append(f"{expression.get('key')} {str(expression.get('operator')).lower()} {values}")
    if exclude := affinity.get("exclude"):
        parts.append("excluding " + ",".join(exclude))
    return "; ".join(parts)


def placement(
    writer: Writer, spec_placement: Obj | None, *, level: int = 1, title: str = "Placement"
) -> None:
    """The placement summary: affinity, tolerations, spread constraints, replica scheduling."""
    data = spec_placement or {}
    writer.title(level - 1, title)
    writer.field(level, "Cluster Affinity", _affinity_text(data.get("clusterAffinity")) or "all")
    for term in data.get("clusterAffinities") or []:
        writer.field(level, f"Affinity {term.get('affinityName', '')}", _affinity_text(term))
    tolerations = [
        f"{t.get('key', '')}:{t.get('effect', '')}"
        + (f" for {t['tolerationSeconds']}s" if t.get("tolerationSeconds") else "")
        for t in data.get("clusterTolerations") or []
    ]
    writer.field(level, "Tolerations", tolerations)
    spread = [
        f"{s.get('spreadByField') or s.get('spreadByLabel')} "
        f"min={s.get('minGroups', 0)} max={s.get('maxGroups', 0)}"
        for s in data.get("spreadConstraints") or []
    ]
    writer.field(level, "Spread Constraints", spread)
    strategy = data.get("replicaScheduling") or {}
    kind = strategy.get("replicaSchedulingType", "Divided")
    division = strategy.get("replicaDivisionPreference", "")
    writer.field(level, "Replica Scheduling", f"{kind} {division}".strip())
    weights = strategy.get("weightPreference") or {}
    if static := weights.get("staticWeightList"):
        text = [f"{_affinity_text(w.get('targetCluster'))}: {w.get('weight', 0)}" for w in static]
        writer.field(level, "Static Weights", text)
    if dynamic := weights.get("dynamicWeight"):
        writer.field(level, "Dynamic Weight", dynamic)


def _selectors(writer: Writer, spec: Obj) -> None:
    rows = [
        (
            s.get("apiVersion", ""),
            s.get("kind", ""),
            s.get("namespace", "") or "-",
            s.get("name", "") or "*",
            selector_text(s.get("labelSelector")) or "-",
        )
        for s in spec.get("resourceSelectors") or []
    ]
    writer.title(0, "Resource Selectors")
    writer.table(1, ("API Version", "Kind", "Namespace", "Name", "Labels"), rows)


def propagation_policy(writer: Writer, obj: Obj, claimed: Sequence[Obj]) -> None:
    spec = obj.get("spec") or {}
    writer.field(0, "Priority", spec.get("priority", 0))
    writer.field(0, "Preemption", spec.get("preemption", "Never"))
    writer.field(0, "Propagate Deps", bool(spec.get("propagateDeps")))
    writer.field(0, "Conflict Resolution", spec.get("conflictResolution", "Abort"))
    _selectors(writer, spec)
    placement(writer, spec.get("placement"))
    if claimed:
        writer.title(0, "Claimed Resources")
        rows = [
            (c.get("kind", ""), get(c, "metadata.namespace", "") or "-", get(c, "metadata.name"))
            for c in claimed
        ]
        writer.table(1, ("Kind", "Namespace", "Name"), rows)
    else:
        writer.field(0, "Claimed Resources", None)


def override_policy(writer: Writer, obj: Obj) -> None:
    spec = obj.get("spec") or {}
    _selectors(writer, spec)
    rules = spec.get("overrideRules") or []
    if not rules:
        writer.field(0, "Override Rules", None)
        return
    writer.title(0, "Override Rules")
    for rule in rules:
        writer.field(1, "Target Cluster", _affinity_text(rule.get("targetCluster")) or "all")
        for name, value in sorted((rule.get("overriders") or {}).items()):
            writer.field(2, name, json.dumps(value, separators=(",", ":")))


def cluster(writer: Writer, obj: Obj, now: datetime) -> None:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    writer.field(0, "Mode", spec.get("syncMode", "Push"))
    writer.field(0, "API Endpoint", spec.get("apiEndpoint"))
    writer.field(0, "Kubernetes Version", status.get("kubernetesVersion"))
    writer.field(0, "Provider", spec.get("provider"))
    writer.field(0, "Region", spec.get("region"))
    writer.field(0, "Zones", spec.get("zones") or spec.get("zone"))
    taints = [
        f"{t.get('key', '')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect', '')}"
        + (f" (added {age(t['timeAdded'], now)} ago)" if t.get("timeAdded") else "")
        for t in spec.get("taints") or []
    ]
    writer.field(0, "Taints", taints)
    nodes = status.get("nodeSummary") or {}
    writer.field(0, "Nodes", f"{nodes.get('readyNum', 0)} ready of {nodes.get('totalNum', 0)}")
    summary = status.get("resourceSummary") or {}
    names = sorted(set(summary.get("allocatable") or {}) | set(summary.get("allocated") or {}))
    if names:
        writer.title(0, "Resources")
        rows = [
            (
                n,
                (summary.get("allocatable") or {}).get(n, "0"),
                (summary.get("allocated") or {}).get(n, "0"),
                (summary.get("allocating") or {}).get(n, "0"),
            )
            for n in names
        ]
        writer.table(1, ("Resource", "Allocatable", "Allocated", "Allocating"), rows)
    enablements = status.get("apiEnablements") or []
    resources = sum(len(e.get("resources") or []) for e in enablements)
    writer.field(0, "API Enablements", f"{len(enablements)} group versions, {resources} resources")


def _replicas_line(obj: Obj) -> str:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    desired = int(spec.get("replicas", 1))
    available = int(status.get("availableReplicas", 0))
    return (
        f"{desired} desired | {int(status.get('updatedReplicas', 0))} updated | "
        f"{int(status.get('replicas', 0))} total | {available} available | "
        f"{max(desired - available, 0)} unavailable"
    )


def template(writer: Writer, obj: Obj, binding_obj: Obj | None, works: Sequence[Obj]) -> None:
    """A resource template: its workload summary, then where it landed and how it is doing."""
    kind = obj.get("kind", "")
    if kind in _WORKLOADS:
        if kind not in {"Job", "DaemonSet"}:
            writer.field(0, "Replicas", _replicas_line(obj))
        writer.field(0, "Selector", selector_text(get(obj, "spec.selector")))
        containers = get(obj, "spec.template.spec.containers", []) or []
        writer.field(0, "Images", [c.get("image", "") for c in containers])
    annotations = get(obj, "metadata.annotations", {}) or {}
    policy = annotations.get("propagationpolicy.karmada.io/name")
    if policy:
        where = annotations.get("propagationpolicy.karmada.io/namespace", "")
        writer.field(0, "Policy", f"PropagationPolicy {where}/{policy}")
    elif cpp := annotations.get("clusterpropagationpolicy.karmada.io/name"):
        writer.field(0, "Policy", f"ClusterPropagationPolicy {cpp}")
    else:
        writer.field(0, "Policy", "<none> (no propagation policy matches; not propagated)")
    if binding_obj is None:
        writer.field(0, "Binding", None)
        return
    writer.field(0, "Binding", f"{binding_obj.get('kind')} {get(binding_obj, 'metadata.name')}")
    _landing(writer, binding_obj)
    _works(writer, works)


def _landing(writer: Writer, binding_obj: Obj, title: str = "Placement") -> None:
    targets = {
        c.get("name", ""): c.get("replicas", 0) for c in get(binding_obj, "spec.clusters", [])
    }
    statuses = {
        s.get("clusterName", ""): s for s in get(binding_obj, "status.aggregatedStatus", [])
    }
    if not targets and not statuses:
        writer.field(0, title, "<none> (not scheduled yet)")
        return
    rows = []
    for name in sorted(set(targets) | set(statuses)):
        status = statuses.get(name, {})
        ready = get(status, "status.readyReplicas")
        replicas = targets.get(name)
        rows.append(
            (
                name,
                targets.get(name, "-") if name in targets else "- (leaving)",
                str(bool(status.get("applied"))) if status else "-",
                status.get("health", "-") or "-",
                "-" if ready is None else f"{ready}/{replicas if replicas else '-'}",
                status.get("appliedMessage", ""),
            )
        )
    writer.title(0, title)
    writer.table(1, ("Cluster", "Replicas", "Applied", "Health", "Ready", "Message"), rows)


def _condition(obj: Obj, kind: str) -> str:
    for c in get(obj, "status.conditions", []) or []:
        if c.get("type") == kind:
            return str(c.get("status", ""))
    return "-"


def _works(writer: Writer, works: Sequence[Obj]) -> None:
    if not works:
        writer.field(0, "Works", None)
        return
    rows = [
        (
            cluster_of_execution_space(get(w, "metadata.namespace", "")),
            get(w, "metadata.namespace", ""),
            get(w, "metadata.name", ""),
            _condition(w, "Applied"),
        )
        for w in works
    ]
    writer.title(0, "Works")
    writer.table(1, ("Cluster", "Namespace", "Name", "Applied"), rows)


def binding(writer: Writer, obj: Obj, works: Sequence[Obj], now: datetime) -> None:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    resource = spec.get("resource") or {}
    where = "/".join(p for p in (resource.get("namespace"), resource.get("name")) if p)
    writer.field(
        0, "Resource", f"{resource.get('apiVersion', '')} {resource.get('kind', '')} {where}"
    )
    writer.field(0, "Replicas", spec.get("replicas", 0))
    writer.field(0, "Scheduled Generation", status.get("schedulerObservedGeneration", 0))
    scheduled = status.get("lastScheduledTime")
    writer.field(0, "Last Scheduled", f"{age(scheduled, now)} ago" if scheduled else None)
    placement(writer, spec.get("placement"))
    _landing(writer, obj, "Clusters")
    tasks = spec.get("gracefulEvictionTasks") or []
    if tasks:
        writer.title(0, "Graceful Eviction Tasks")
        rows = [
            (
                t.get("fromCluster", ""),
                t.get("purgeMode", "") or "-",
                t.get("reason", "") or "-",
                t.get("producer", "") or "-",
                age(t.get("creationTimestamp"), now),
            )
            for t in tasks
        ]
        writer.table(1, ("From Cluster", "Purge Mode", "Reason", "Producer", "Age"), rows)
    else:
        writer.field(0, "Graceful Eviction Tasks", None)
    _works(writer, works)


def work(writer: Writer, obj: Obj) -> None:
    namespace = get(obj, "metadata.namespace", "")
    writer.field(0, "Cluster", cluster_of_execution_space(namespace) or None)
    manifests = get(obj, "spec.workload.manifests", []) or []
    rows = [
        (
            m.get("apiVersion", ""),
            m.get("kind", ""),
            get(m, "metadata.namespace", "") or "-",
            get(m, "metadata.name", ""),
        )
        for m in manifests
    ]
    writer.title(0, "Manifests")
    writer.table(1, ("API Version", "Kind", "Namespace", "Name"), rows)
    if get(obj, "spec.suspendDispatching"):
        writer.field(0, "Dispatching", "suspended")
    statuses = get(obj, "status.manifestStatuses", []) or []
    if statuses:
        writer.title(0, "Manifest Statuses")
        status_rows = [
            (
                get(s, "identifier.kind", ""),
                get(s, "identifier.namespace", "") or "-",
                get(s, "identifier.name", ""),
                s.get("health", "") or "-",
            )
            for s in statuses
        ]
        writer.table(1, ("Kind", "Namespace", "Name", "Health"), status_rows)
    else:
        writer.field(0, "Manifest Statuses", None)


def generic(writer: Writer, obj: Obj) -> None:
    """Any other kind: its content (spec or body) and status as indented YAML."""
    for key, value in obj.items():
        if key in ("apiVersion", "kind", "metadata", "status") or value in (None, {}, []):
            continue
        _yaml_block(writer, key.capitalize(), value)
    if obj.get("status"):
        _yaml_block(writer, "Status", obj["status"])


def _yaml_block(writer: Writer, title: str, value: Any) -> None:
    if not isinstance(value, (Mapping, list)):
        writer.field(0, title, value)
        return
    writer.title(0, title)
    for line in yaml.safe_dump(value, sort_keys=False).rstrip("\n").splitlines():
        writer.raw(1, line)
