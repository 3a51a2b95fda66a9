"""Success/failure thresholds for a cluster's Ready condition (Karmada's clusterConditionStore).

One failed probe must not mark a cluster NotReady (the network blips; the
scheduler and failover react to Ready), and one good probe must not mark a
failing cluster Ready again. So the status controller remembers, per cluster,
the last raw probe outcome and since when it has held; a change of Ready
between True and not-True is published only once the new outcome has held
for the failure threshold (True -> not True) or the success threshold
(not True -> True). Between False and Unknown there is no threshold: both
are "not ready".

As in Karmada (pkg/controllers/status/cluster_condition_cache.go), the first
observation of a cluster by this process is published at once (a freshly
joined cluster, or a restart), and a cluster with no Ready condition yet
takes the observation at once too. Observations are in-memory only.

Pure: callers pass `now` (any monotonic clock).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Observation", "ThresholdStore", "adjust"]

TRUE = "True"


@dataclass(frozen=True, slots=True)
class Observation:
    """The last raw probe outcome of one cluster and when it started to hold."""

    status: str
    since: float


def adjust(
    saved: Observation | None,
    *,
    observed: str,
    current: str | None,
    now: float,
    success_threshold: float,
    failure_threshold: float,
) -> tuple[bool, Observation]:
    """Decides whether the observed Ready status is published.

    Args:
        saved: What was remembered for the cluster (None on its first observation).
        observed: The Ready status the probe just produced.
        current: The Ready status the Cluster carries now (None if it has none).
        now: The current time.
        success_threshold: Seconds healthy before not-True turns True.
        failure_threshold: Seconds unhealthy before True turns not-True.

    Returns:
        (publish, remembered): publish True to write the observed condition,
        False to keep the current one; and the new remembered observation.
    """
    if saved is None:
        # Held "since forever", as Karmada's zero thresholdStartTime.
        return True, Observation(observed, float("-inf"))
    if saved.status != observed:
        saved = Observation(observed, now)
    if current is None:
        return True, saved
    threshold = success_threshold if observed == TRUE else failure_threshold
    crosses = (observed == TRUE) != (current == TRUE)
    if crosses and now < saved.since + threshold:
        return False, saved
    return True, saved


class ThresholdStore:
    """The remembered observations of every cluster, with the thresholds applied."""

    def __init__(self, *, success_threshold: float, failure_threshold: float) -> None:
        self.success_threshold = success_threshold
        self.failure_threshold = failure_threshold
        self._saved: dict[str, Observation] = {}

    def publish(self, cluster: str, *, observed: str, current: str | None, now: float) -> bool:
        """Whether `observed` should replace the cluster's current Ready status now."""
        publish, self._saved[cluster] = adjust(
            self._saved.get(cluster),
            observed=observed,
            current=current,
            now=now,
            success_threshold=self.success_threshold,
            failure_threshold=self.failure_threshold,
        )
        return publish

    def forget(self, cluster: str) -> None:
        self._saved.pop(cluster, None)
