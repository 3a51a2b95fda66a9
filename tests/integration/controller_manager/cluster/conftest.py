"""A control plane of its own for the cluster and cluster status controllers.

Only those two controllers and the execution controller (whose Work
finalizer removes member objects when a cluster leaves) run, with no
scheduler, short periods and
thresholds, so joining, health changes and leaving take seconds; the three
simulated members are joined by the tests themselves. One plane serves the
whole package: every test works on clusters of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.plane import ControlPlane

FAILURE_THRESHOLD = 2.0
SUCCESS_THRESHOLD = 2.0

MANAGER_ARGS = (
    "--cluster-status-update-frequency=1",
    f"--cluster-success-threshold={SUCCESS_THRESHOLD}",
    f"--cluster-failure-threshold={FAILURE_THRESHOLD}",
    "--cluster-monitor-period=0.5",
    "--member-timeout=3",
)


@pytest.fixture(scope="package")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("cluster-controllers"),
        clusters="member1,member2,member3",
        controllers="cluster,clusterStatus,execution",
        scheduler=False,
        manager_args=MANAGER_ARGS,
    )
    await started.start()
    try:
        yield started
    finally:
        await started.stop()
