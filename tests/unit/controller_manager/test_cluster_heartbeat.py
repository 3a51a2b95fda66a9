"""Pull-cluster heartbeats: Ready changes and Lease renewals are signs of life; silence is Unknown."""

from __future__ import annotations

import pytest

from controller_manager.controllers.cluster_heartbeat import (
    NEVER_UPDATED_REASON,
    STATUS_UNKNOWN_REASON,
    Heartbeat,
    ReadyVerdict,
    observe,
    verdict,
)

A = b"ready-a"
B = b"ready-b"


@pytest.mark.parametrize(
    ("saved", "ready", "renewed", "now", "expected"),
    [
        # First look: without Ready, measured from creation; with Ready, from now.
        (None, None, None, 100.0, Heartbeat(probed=10.0, ready=None, renewed=None)),
        (None, A, None, 100.0, Heartbeat(probed=100.0, ready=A, renewed=None)),
        # A Lease seen for the first time is a sign of life.
        (None, A, 90.0, 100.0, Heartbeat(probed=100.0, ready=A, renewed=90.0)),
        (None, None, 90.0, 100.0, Heartbeat(probed=100.0, ready=None, renewed=90.0)),
        # Nothing new: the heartbeat stays as it was.
        (Heartbeat(50.0, A, 40.0), A, 40.0, 100.0, Heartbeat(50.0, A, 40.0)),
        (Heartbeat(50.0, A, None), A, None, 100.0, Heartbeat(50.0, A, None)),
        # Ready changed: alive now; the Lease memory is kept.
        (Heartbeat(50.0, A, 40.0), B, 40.0, 100.0, Heartbeat(100.0, B, 40.0)),
        # Lease renewed: alive now.
        (Heartbeat(50.0, A, 40.0), A, 45.0, 100.0, Heartbeat(100.0, A, 45.0)),
        # An older renewTime is no sign of life.
        (Heartbeat(50.0, A, 40.0), A, 30.0, 100.0, Heartbeat(50.0, A, 40.0)),
    ],
)
def test_observe(
    saved: Heartbeat | None,
    ready: bytes | None,
    renewed: float | None,
    now: float,
    expected: Heartbeat,
) -> None:
    assert observe(saved, ready=ready, renewed=renewed, created=10.0, now=now) == expected


@pytest.mark.parametrize(
    ("probed", "ready_status", "now", "expected"),
    [
        # Never posted: startup grace (60 s).
        (0.0, None, 60.0, None),
        (0.0, None, 60.5, ReadyVerdict(NEVER_UPDATED_REASON, "")),
        # Posted before: monitor grace (40 s).
        (0.0, "True", 40.0, None),
        (0.0, "True", 41.0, ReadyVerdict(STATUS_UNKNOWN_REASON, "")),
        (0.0, "False", 41.0, ReadyVerdict(STATUS_UNKNOWN_REASON, "")),
        # Already Unknown: nothing more to write.
        (0.0, "Unknown", 1000.0, None),
    ],
)
def test_verdict(
    probed: float, ready_status: str | None, now: float, expected: ReadyVerdict | None
) -> None:
    got = verdict(Heartbeat(probed, None, None), ready_status=ready_status, now=now)
    assert (got and got.reason) == (expected and expected.reason)
    if got is not None:
        assert got.message.startswith("Cluster status controller")


def test_grace_periods_are_configurable() -> None:
    beat = Heartbeat(0.0, A, None)
    assert verdict(beat, ready_status="True", now=5.0, monitor_grace=4.0) is not None
    assert verdict(beat, ready_status=None, now=5.0, startup_grace=10.0) is None
