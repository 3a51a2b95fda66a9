"""Why clusters were filtered out, and the message users read when none is left.

The message has kube-scheduler's FitError shape, which Karmada reuses, so it
reads the same as a pod's FailedScheduling event:

    0/5 clusters are available: 2 cluster(s) had untolerated taint, 3 cluster(s) did not match the placement cluster affinity.

Each rejected cluster is counted once, under the first filter that rejected
it, and the "<count> cluster(s) <reason>" parts are sorted as plain strings,
exactly as kube-scheduler does (so "10 cluster(s) ..." sorts before
"2 cluster(s) ..."). The leading number is the clusters that passed every
filter: 0 when the filters left nothing, which is when the message is shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scheduler.framework.types import Result

__all__ = ["NO_CLUSTERS", "Diagnosis", "unschedulable_message"]

NO_CLUSTERS = "0/0 clusters are available: no cluster is registered."


@dataclass(slots=True)
class Diagnosis:
    """The outcome of one filter pass over the clusters, as Karmada's framework.Diagnosis."""

    total: int = 0
    """How many clusters were filtered."""
    failures: dict[str, Result] = field(default_factory=dict)
    """Rejected cluster name -> the result of the first filter that rejected it."""
    unschedulable_plugins: set[str] = field(default_factory=set)
    """Names of the filters that rejected at least one cluster."""

    def reason_counts(self) -> Counter[str]:
        """How many clusters were rejected for each reason."""
        return Counter(result.reason for result in self.failures.values())


def unschedulable_message(diagnosis: Diagnosis) -> str:
    """The "0/N clusters are available: ..." message for `diagnosis`."""
    if diagnosis.total == 0:
        return NO_CLUSTERS
    available = diagnosis.total - len(diagnosis.failures)
    head = f"{available}/{diagnosis.total} clusters are available"
    parts = sorted(f"{n} cluster(s) {reason}" for reason, n in diagnosis.reason_counts().items())
    return f"{head}: {', '.join(parts)}." if parts else f"{head}."
