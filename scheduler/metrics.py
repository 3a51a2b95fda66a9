"""The scheduler's Prometheus metrics, named as Karmada's (pkg/scheduler/metrics/metrics.go)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "ALGORITHM_DURATION",
    "E2E_DURATION",
    "EXTENSION_POINT_DURATION",
    "INCOMING_BINDINGS",
    "PENDING_BINDINGS",
    "PLUGIN_DURATION",
    "SCHEDULE_ATTEMPTS",
]

_FAST = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
_SLOW = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

SCHEDULE_ATTEMPTS = Counter(
    "karmada_scheduler_schedule_attempts_total",
    "Scheduling attempts by result (scheduled, unschedulable, error) and schedule type.",
    ["result", "schedule_type"],
)
E2E_DURATION = Histogram(
    "karmada_scheduler_e2e_scheduling_duration_seconds",
    "Time from taking a binding off the queue to its result being written.",
    ["result", "schedule_type"],
    buckets=_SLOW,
)
ALGORITHM_DURATION = Histogram(
    "karmada_scheduler_scheduling_algorithm_duration_seconds",
    "Time spent in each step of the scheduling algorithm.",
    ["schedule_step"],
    buckets=_FAST,
)
EXTENSION_POINT_DURATION = Histogram(
    "karmada_scheduler_framework_extension_point_duration_seconds",
    "Time spent running all plugins of one extension point for one binding.",
    ["extension_point", "result"],
    buckets=_FAST,
)
PLUGIN_DURATION = Histogram(
    "karmada_scheduler_plugin_execution_duration_seconds",
    "Time one plugin spent on one binding at one extension point (all clusters).",
    ["plugin", "extension_point", "result"],
    buckets=_FAST,
)
INCOMING_BINDINGS = Counter(
    "karmada_scheduler_queue_incoming_bindings_total",
    "Bindings added to the scheduling queues, by event.",
    ["event"],
)
PENDING_BINDINGS = Gauge(
    "karmada_scheduler_pending_bindings",
    "Bindings waiting in each scheduling queue (active, backoff, unschedulable).",
    ["queue"],
)
