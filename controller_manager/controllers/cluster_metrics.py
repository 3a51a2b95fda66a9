"""Karmada's cluster metrics (pkg/metrics/cluster.go), under Karmada's names and labels.

Dashboards built for Karmada read ``cluster_ready_state{member_cluster=...}``
and friends without a component prefix, so these keep Karmada's exact names
rather than the house ``karmada_<component>_`` prefix. The status controller
records them after every sync, from the status it wrote; a cluster that
leaves has its series removed. Quantities are exported as Karmada's
AsApproximateFloat64: memory in bytes, CPU in cores, pods as a count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from prometheus_client import Counter, Gauge, Histogram

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.conditions import is_true
from karmada.member.quantity import QuantityError, parse_quantity

__all__ = ["forget_cluster", "record_probe", "record_status", "record_sync_duration"]

LABEL = "member_cluster"

READY = Gauge("cluster_ready_state", "State of the cluster (1 if ready, 0 otherwise).", [LABEL])
NODES = Gauge("cluster_node_number", "Number of nodes in the cluster.", [LABEL])
READY_NODES = Gauge("cluster_ready_node_number", "Number of ready nodes in the cluster.", [LABEL])
MEMORY_ALLOCATABLE = Gauge(
    "cluster_memory_allocatable_bytes", "Allocatable cluster memory resource in bytes.", [LABEL]
)
CPU_ALLOCATABLE = Gauge(
    "cluster_cpu_allocatable_number", "Number of allocatable CPU in the cluster.", [LABEL]
)
POD_ALLOCATABLE = Gauge(
    "cluster_pod_allocatable_number", "Number of allocatable pods in the cluster.", [LABEL]
)
MEMORY_ALLOCATED = Gauge(
    "cluster_memory_allocated_bytes", "Allocated cluster memory resource in bytes.", [LABEL]
)
CPU_ALLOCATED = Gauge(
    "cluster_cpu_allocated_number", "Number of allocated CPU in the cluster.", [LABEL]
)
POD_ALLOCATED = Gauge(
    "cluster_pod_allocated_number", "Number of allocated pods in the cluster.", [LABEL]
)
SYNC_DURATION = Histogram(
    "cluster_sync_status_duration_seconds",
    "Duration in seconds for syncing the status of the cluster once.",
    [LABEL],
)
PROBE_SUCCESS = Gauge(
    "cluster_health_probe_success",
    "Result of the last health probe for the member cluster (1 for success, 0 for failure). "
    "Reflects the raw probe outcome before threshold adjustment.",
    [LABEL],
)
PROBE_DURATION = Histogram(
    "cluster_health_probe_duration_seconds",
    "Duration in seconds of the health probe to the member cluster.",
    [LABEL],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PROBES = Counter(
    "cluster_health_probe",
    "Total number of health probes to the member cluster, categorized by result.",
    [LABEL, "result"],
)

_PER_CLUSTER = (
    READY,
    NODES,
    READY_NODES,
    MEMORY_ALLOCATABLE,
    CPU_ALLOCATABLE,
    POD_ALLOCATABLE,
    MEMORY_ALLOCATED,
    CPU_ALLOCATED,
    POD_ALLOCATED,
    SYNC_DURATION,
    PROBE_SUCCESS,
    PROBE_DURATION,
)


def _amount(resources: Mapping[str, str], name: str) -> float:
    """A resource amount as a float; 0 when absent or malformed, as a zero Quantity."""
    try:
        return float(parse_quantity(resources.get(name, "0")))
    except QuantityError:
        return 0.0


def record_status(name: str, status: cluster_pb2.ClusterStatus) -> None:
    """Sets the gauges of cluster `name` from its status (RecordClusterStatus)."""
    READY.labels(name).set(1 if is_true(status.conditions, "Ready") else 0)
    if status.HasField("node_summary"):
        NODES.labels(name).set(status.node_summary.total_num)
        READY_NODES.labels(name).set(status.node_summary.ready_num)
    if status.HasField("resource_summary"):
        summary = status.resource_summary
        if summary.allocatable:
            MEMORY_ALLOCATABLE.labels(name).set(_amount(summary.allocatable, "memory"))
            CPU_ALLOCATABLE.labels(name).set(_amount(summary.allocatable, "cpu"))
            POD_ALLOCATABLE.labels(name).set(_amount(summary.allocatable, "pods"))
        if summary.allocated:
            MEMORY_ALLOCATED.labels(name).set(_amount(summary.allocated, "memory"))
            CPU_ALLOCATED.labels(name).set(_amount(summary.allocated, "cpu"))
            POD_ALLOCATED.labels(name).set(_amount(summary.allocated, "pods"))


def record_sync_duration(name: str, seconds: float) -> None:
    SYNC_DURATION.labels(name).observe(seconds)


def record_probe(name: str, *, healthy: bool, seconds: float) -> None:
    """The raw health probe outcome, before thresholds."""
    PROBE_SUCCESS.labels(name).set(1 if healthy else 0)
    PROBE_DURATION.labels(name).observe(seconds)
    PROBES.labels(name, "success" if healthy else "error").inc()


def forget_cluster(name: str) -> None:
    """Removes every series of a cluster that left (CleanupMetricsForCluster)."""
    for metric in _PER_CLUSTER:
        with contextlib.suppress(KeyError):
            metric.remove(name)
    for result in ("success", "error"):
        with contextlib.suppress(KeyError):
            PROBES.remove(name, result)
