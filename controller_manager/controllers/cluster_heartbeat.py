"""Heartbeats of Pull clusters: Ready becomes Unknown when a cluster's agent goes silent.

Push clusters are probed by this controller manager's status controller; a
Pull cluster reports itself, through its agent, by posting Cluster.status
and renewing the Lease ``karmada-cluster/<cluster>``. If the agent dies or
the cluster is cut off, nobody would ever change Ready, so the cluster
controller watches the heartbeat, as Karmada's ``tryUpdateClusterHealth``:

* the heartbeat is "probed" whenever the Ready condition changes, or the
  Lease's renewTime moves forward;
* a cluster that has never posted Ready is measured from its creation with
  the startup grace period (60 s); otherwise from the last probe with the
  monitor grace period (40 s);
* past the grace period, Ready becomes Unknown with reason
  ``ClusterStatusNeverUpdated`` ("Cluster status controller never posted
  cluster status.") or ``ClusterStatusUnknown`` ("Cluster status controller
  stopped posting cluster status."), Karmada's reasons and messages.

Heartbeat state lives in memory; after a restart every cluster gets a fresh
grace period (Karmada too). Pure: callers pass wall-clock `now` (seconds),
since creation and renew times are wall-clock.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MONITOR_GRACE_SECONDS",
    "STARTUP_GRACE_SECONDS",
    "Heartbeat",
    "ReadyVerdict",
    "observe",
    "verdict",
]

MONITOR_GRACE_SECONDS = 40.0
"""Karmada's --cluster-monitor-grace-period default."""
STARTUP_GRACE_SECONDS = 60.0
"""Karmada's --cluster-startup-grace-period default."""

NEVER_UPDATED_REASON = "ClusterStatusNeverUpdated"
NEVER_UPDATED_MESSAGE = "Cluster status controller never posted cluster status."
STATUS_UNKNOWN_REASON = "ClusterStatusUnknown"
STATUS_UNKNOWN_MESSAGE = "Cluster status controller stopped posting cluster status."


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """What was last seen of one cluster's heartbeat.

    Attributes:
        probed: When the heartbeat was last seen alive.
        ready: The Ready condition then, serialized (None if it had none).
        renewed: The Lease renewTime then (None if no Lease was seen).
    """

    probed: float
    ready: bytes | None
    renewed: float | None


@dataclass(frozen=True, slots=True)
class ReadyVerdict:
    """The Ready condition to write because the heartbeat timed out."""

    reason: str
    message: str


def observe(
    saved: Heartbeat | None,
    *,
    ready: bytes | None,
    renewed: float | None,
    created: float,
    now: float,
) -> Heartbeat:
    """The heartbeat after looking at the cluster's Ready condition and Lease now."""
    if saved is None:
        beat = Heartbeat(probed=created if ready is None else now, ready=ready, renewed=None)
    elif saved.ready != ready:
        beat = Heartbeat(probed=now, ready=ready, renewed=saved.renewed)
    else:
        beat = saved
    if renewed is not None and (beat.renewed is None or beat.renewed < renewed):
        beat = Heartbeat(probed=now, ready=beat.ready, renewed=renewed)
    return beat


def verdict(
    beat: Heartbeat,
    *,
    ready_status: str | None,
    now: float,
    monitor_grace: float = MONITOR_GRACE_SECONDS,
    startup_grace: float = STARTUP_GRACE_SECONDS,
) -> ReadyVerdict | None:
    """Ready Unknown if the heartbeat is older than its grace period and Ready is not Unknown yet."""
    grace = startup_grace if ready_status is None else monitor_grace
    if now <= beat.probed + grace:
        return None
    if ready_status is None:
        return ReadyVerdict(NEVER_UPDATED_REASON, NEVER_UPDATED_MESSAGE)
    if ready_status != "Unknown":
        return ReadyVerdict(STATUS_UNKNOWN_REASON, STATUS_UNKNOWN_MESSAGE)
    return None
