"""The detector's metrics, under Karmada's names (pkg/metrics/resource.go).

Dashboards built for Karmada read ``resource_match_policy_duration_seconds``,
``resource_apply_policy_duration_seconds``, ``policy_apply_attempts_total``
and ``policy_preemption_total``; the reconcile counters and queue metrics
every controller has come from the shared controller base.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ["APPLY_ATTEMPTS", "APPLY_DURATION", "MATCH_DURATION", "PREEMPTIONS"]

MATCH_DURATION = Histogram(
    "resource_match_policy_duration_seconds",
    "Time to find the policy a resource template belongs to.",
)
APPLY_DURATION = Histogram(
    "resource_apply_policy_duration_seconds",
    "Time to apply a policy to a resource template (claim and binding).",
    ["result"],
)
APPLY_ATTEMPTS = Counter(
    "policy_apply_attempts_total", "Attempts to apply a policy to a resource template.", ["result"]
)
PREEMPTIONS = Counter(
    "policy_preemption_total", "Templates a policy took from another by preemption.", ["result"]
)
