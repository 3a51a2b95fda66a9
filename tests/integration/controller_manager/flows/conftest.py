"""One whole control plane with three simulated members, joined in push mode, for the flow tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from karmada.machinery.conditions import is_true
from karmada.machinery.scheme import CLUSTER
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

CLUSTERS = ("member1", "member2", "member3")
FAST = (
    "--cluster-status-update-frequency=1",
    "--cluster-success-threshold=1",
    "--cluster-failure-threshold=2",
    "--cluster-monitor-period=0.5",
    "--graceful-eviction-timeout=60",
)


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("flows"),
        clusters=",".join(CLUSTERS),
        manager_args=FAST,
        simulator_args=("--pod-ready-delay=0.2",),
    )
    await started.start()
    try:
        for index, name in enumerate(CLUSTERS):
            await started.join(name, region=f"region-{index + 1}", labels={"flows": "yes"})

        async def ready() -> bool:
            clusters = [await started.client.get(CLUSTER, name) for name in CLUSTERS]
            return all(is_true(list(c.status.conditions), "Ready") for c in clusters)

        await eventually(ready, timeout=60, what="the three members to be Ready")
        yield started
    finally:
        await started.stop()
