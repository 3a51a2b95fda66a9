"""Tables as `kubectl get` prints them: the columns a user expects for each kind.

Pure functions over Kubernetes-style mappings (`objects.to_dict` of an API
object, or an object read from a member cluster), so the same columns serve
the control plane's copy and the members' copies. Columns are NAME, the
kind's own columns, AGE, then the `-o wide` extras; `-A` puts NAMESPACE
first and `--operation-scope members|all` adds CLUSTER after NAME and
ADOPTION at the end, as karmadactl does. Ages use kubectl's HumanDuration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from karmada.names import cluster_of_execution_space

__all__ = [
    "CONTROL_PLANE",
    "Row",
    "Table",
    "age",
    "build",
    "condition_status",
    "human_duration",
    "parse_time",
    "render",
]

CONTROL_PLANE: Final = "Karmada"
"""The CLUSTER column's value for the control plane's own objects."""

_MANAGED_LABEL: Final = "karmada.io/managed"


@dataclass(frozen=True, slots=True)
class Table:
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class Row:
    """One object and the member cluster it was read from ("" for the control plane)."""

    obj: Mapping[str, Any]
    cluster: str = ""


def render(table: Table) -> str:
    """The table as kubectl's tabwriter prints it (3 spaces of padding, columns of at least 6)."""
    lines = [table.columns, *table.rows]
    widths = [
        max(len(line[i]) if i < len(line) else 0 for line in lines)
        for i in range(len(table.columns))
    ]
    out = []
    for line in lines:
        cells = [cell.ljust(max(widths[i] + 3, 6)) for i, cell in enumerate(line[:-1])]
        out.append(("".join(cells) + line[-1]).rstrip())
    return "\n".join(out)


# -- time ------------------------------------------------------------------

_FRACTION = re.compile(r"\.(\d{6})\d+")


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp ("2024-05-01T10:00:00.123456789Z"), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r".\1", value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def human_duration(seconds: float) -> str:
    """kubectl's duration.HumanDuration: "5s", "3m20s", "2h", "4d3h", "2y"."""
    secs = int(seconds)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 120:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        rest = secs % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = secs // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y{days}d" if days else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def age(timestamp: Any, now: datetime) -> str:
    """The AGE column of an object created at `timestamp` ("<unknown>" without one)."""
    created = parse_time(timestamp)
    if created is None:
        return "<unknown>"
    return human_duration((now - created).total_seconds())


# -- field access ----------------------------------------------------------


def _get(obj: Mapping[str, Any], path: str, default: Any = None) -> Any:
    value: Any = obj
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return default
        value = value[key]
    return value


def _int(obj: Mapping[str, Any], path: str) -> int:
    value = _get(obj, path, 0)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _text(value: Any, empty: str = "<none>") -> str:
    if value is None or value in ("", [], {}):
        return empty
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def condition_status(obj: Mapping[str, Any], kind: str, default: str = "") -> str:
    """status.conditions[type=kind].status, or `default`."""
    for condition in _get(obj, "status.conditions", []) or []:
        if isinstance(condition, Mapping) and condition.get("type") == kind:
            return str(condition.get("status", default))
    return default


# -- columns per kind -------------------------------------------------------

Cell = Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    cell: Cell
    wide: bool = False


def _taints(obj: Mapping[str, Any]) -> str:
    taints = _get(obj, "spec.taints", []) or []
    out = []
    for taint in taints:
        value = f"={taint['value']}" if taint.get("value") else ""
        out.append(f"{taint.get('key', '')}{value}:{taint.get('effect', '')}")
    return _text(out)


def _zones(obj: Mapping[str, Any]) -> str:
    return _text(_get(obj, "spec.zones") or _get(obj, "spec.zone"))


def _selectors(obj: Mapping[str, Any]) -> str:
    out = []
    for selector in _get(obj, "spec.resourceSelectors", []) or []:
        text = str(selector.get("kind", ""))
        if selector.get("name"):
            text += f"/{selector['name']}"
        labels = _get(selector, "labelSelector.matchLabels") or {}
        if labels:
            text += "(" + ",".join(f"{k}={v}" for k, v in sorted(labels.items())) + ")"
        out.append(text)
    return _text(out)


def scheduled(obj: Mapping[str, Any]) -> str:
    """Where a binding's replicas go: "member1:3,member2:6" (or the Scheduled status)."""
    clusters = _get(obj, "spec.clusters", []) or []
    if clusters:
        return ",".join(f"{c.get('name', '')}:{int(c.get('replicas', 0))}" for c in clusters)
    return condition_status(obj, "Scheduled", "<none>")


def _binding_resource(obj: Mapping[str, Any]) -> str:
    resource = _get(obj, "spec.resource", {}) or {}
    return f"{resource.get('kind', '')}/{resource.get('name', '')}"


def _work_kinds(obj: Mapping[str, Any]) -> str:
    manifests = _get(obj, "spec.workload.manifests", []) or []
    return _text(sorted({str(m.get("kind", "")) for m in manifests if isinstance(m, Mapping)}))


def _images(obj: Mapping[str, Any]) -> str:
    containers = _get(obj, "spec.template.spec.containers", []) or []
    return _text([c.get("image", "") for c in containers])


def _containers(obj: Mapping[str, Any]) -> str:
    containers = _get(obj, "spec.template.spec.containers", []) or []
    return _text([c.get("name", "") for c in containers])


def _match_labels(obj: Mapping[str, Any]) -> str:
    labels = _get(obj, "spec.selector.matchLabels", {}) or {}
    return _text(",".join(f"{k}={v}" for k, v in sorted(labels.items())))


def _ports(obj: Mapping[str, Any]) -> str:
    ports = _get(obj, "spec.ports", []) or []
    return _text([f"{p.get('port', '')}/{p.get('protocol', 'TCP')}" for p in ports])


def _desired(obj: Mapping[str, Any]) -> int:
    replicas = _get(obj, "spec.replicas")
    return 1 if replicas is None else _int(obj, "spec.replicas")


_WORKLOAD_WIDE = (
    Column("CONTAINERS", _containers, wide=True),
    Column("IMAGES", _images, wide=True),
    Column("SELECTOR", _match_labels, wide=True),
)

_COLUMNS: dict[tuple[str, str], tuple[Column, ...]] = {
    ("cluster.karmada.io", "Cluster"): (
        Column("VERSION", lambda o: _text(_get(o, "status.kubernetesVersion"))),
        Column("MODE", lambda o: _text(_get(o, "spec.syncMode"), "Push")),
        Column("READY", lambda o: condition_status(o, "Ready", "Unknown")),
        Column("ZONES", _zones, wide=True),
        Column("REGION", lambda o: _text(_get(o, "spec.region")), wide=True),
        Column("PROVIDER", lambda o: _text(_get(o, "spec.provider")), wide=True),
        Column("API-ENDPOINT", lambda o: _text(_get(o, "spec.apiEndpoint")), wide=True),
        Column("TAINTS", _taints, wide=True),
    ),
    ("work.karmada.io", "ResourceBinding"): (
        Column("SCHEDULED", scheduled),
        Column("FULLYAPPLIED", lambda o: condition_status(o, "FullyApplied", "<none>")),
        Column("RESOURCE", _binding_resource, wide=True),
        Column("REPLICAS", lambda o: str(_int(o, "spec.replicas")), wide=True),
    ),
    ("work.karmada.io", "Work"): (
        Column("CLUSTER", lambda o: cluster_of_execution_space(_get(o, "metadata.namespace", ""))),
        Column("APPLIED", lambda o: condition_status(o, "Applied", "<none>")),
        Column("WORKLOAD-KIND", _work_kinds, wide=True),
    ),
    ("apps", "Deployment"): (
        Column("READY", lambda o: f"{_int(o, 'status.readyReplicas')}/{_desired(o)}"),
        Column("UP-TO-DATE", lambda o: str(_int(o, "status.updatedReplicas"))),
        Column("AVAILABLE", lambda o: str(_int(o, "status.availableReplicas"))),
        *_WORKLOAD_WIDE,
    ),
    ("apps", "StatefulSet"): (
        Column("READY", lambda o: f"{_int(o, 'status.readyReplicas')}/{_desired(o)}"),
        Column("CONTAINERS", _containers, wide=True),
        Column("IMAGES", _images, wide=True),
    ),
    ("apps", "DaemonSet"): (
        Column("DESIRED", lambda o: str(_int(o, "status.desiredNumberScheduled"))),
        Column("CURRENT", lambda o: str(_int(o, "status.currentNumberScheduled"))),
        Column("READY", lambda o: str(_int(o, "status.numberReady"))),
        Column("UP-TO-DATE", lambda o: str(_int(o, "status.updatedNumberScheduled"))),
        Column("AVAILABLE", lambda o: str(_int(o, "status.numberAvailable"))),
        *_WORKLOAD_WIDE,
    ),
    ("", "Namespace"): (Column("STATUS", lambda o: _text(_get(o, "status.phase"), "Active")),),
    ("", "ConfigMap"): (Column("DATA", lambda o: str(len(_get(o, "data", {}) or {}))),),
    ("", "Secret"): (
        Column("TYPE", lambda o: _text(_get(o, "type"), "Opaque")),
        Column("DATA", lambda o: str(len(_get(o, "data", {}) or {}))),
    ),
    ("", "Service"): (
        Column("TYPE", lambda o: _text(_get(o, "spec.type"), "ClusterIP")),
        Column("CLUSTER-IP", lambda o: _text(_get(o, "spec.clusterIP"))),
        Column("PORT(S)", _ports),
    ),
}
_POLICY_COLUMNS = (
    Column("PRIORITY", lambda o: str(_int(o, "spec.priority")), wide=True),
    Column("SELECTORS", _selectors, wide=True),
)
for _kind in ("PropagationPolicy", "ClusterPropagationPolicy"):
    _COLUMNS[("policy.karmada.io", _kind)] = _POLICY_COLUMNS
for _kind in ("OverridePolicy", "ClusterOverridePolicy"):
    _COLUMNS[("policy.karmada.io", _kind)] = (Column("SELECTORS", _selectors, wide=True),)
_COLUMNS[("work.karmada.io", "ClusterResourceBinding")] = _COLUMNS[
    ("work.karmada.io", "ResourceBinding")
]


def _adoption(row: Row) -> str:
    if not row.cluster:
        return "-"
    labels = _get(row.obj, "metadata.labels", {}) or {}
    return "Y" if labels.get(_MANAGED_LABEL) == "true" else "N"


def build(
    group: str,
    kind: str,
    rows: Sequence[Row],
    *,
    now: datetime,
    wide: bool = False,
    namespaces: bool = False,
    clusters: bool = False,
    name_prefix: str = "",
) -> Table:
    """The table of `rows`, all of kind group/kind.

    Args:
        now: the time ages are measured against.
        wide: add the `-o wide` columns.
        namespaces: add NAMESPACE first (`-A`).
        clusters: add CLUSTER after NAME and ADOPTION last (members scope).
        name_prefix: put before each name ("deployment.apps/", when several kinds are shown).
    """
    own = [c for c in _COLUMNS.get((group, kind), ()) if wide or not c.wide]
    narrow = [c for c in own if not c.wide]
    extra = [c for c in own if c.wide]
    columns = (
        (["NAMESPACE"] if namespaces else [])
        + ["NAME"]
        + (["CLUSTER"] if clusters else [])
        + [c.name for c in narrow]
        + ["AGE"]
        + [c.name for c in extra]
        + (["ADOPTION"] if clusters else [])
    )
    body = []
    for row in rows:
        obj = row.obj
        cells = [_text(_get(obj, "metadata.namespace"), "")] if namespaces else []
        cells.append(name_prefix + str(_get(obj, "metadata.name", "")))
        if clusters:
            cells.append(row.cluster or CONTROL_PLANE)
        cells += [c.cell(obj) for c in narrow]
        cells.append(age(_get(obj, "metadata.creationTimestamp"), now))
        cells += [c.cell(obj) for c in extra]
        if clusters:
            cells.append(_adoption(row))
        body.append(cells)
    return Table(columns, body)
