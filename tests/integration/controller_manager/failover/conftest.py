"""A control plane per module with only the failover controllers and the scheduler.

The tests play every other part themselves: they create Clusters with a
Ready status through the API (the cluster status controller's job), taint
them (the cluster controller's), write ResourceBindings (the detector's) and
report health in aggregatedStatus (the binding status controller's), so what
they see is the taint manager, the graceful eviction controller and the
scheduler alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.plane import ControlPlane

CONTROLLERS = "taintManager,gracefulEviction"


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("failover"),
        clusters="member1",
        controllers=CONTROLLERS,
        scheduler=True,
    )
    await started.start()
    try:
        yield started
    finally:
        await started.stop()
