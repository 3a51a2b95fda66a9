"""One control plane for the detector's end-to-end tests: only the detector and the distributor.

No scheduler runs and no cluster joins: the tests play the scheduler by
writing spec.clusters themselves, and check what the two controllers write.
Every test works in namespaces of its own, and cluster-wide policies select
by a label unique to their test, so the tests share the plane without
seeing each other's objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.plane import ControlPlane


@pytest.fixture(scope="package")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("detector"),
        clusters="member1",
        controllers="resourceDetector,dependenciesDistributor",
        scheduler=False,
    )
    await started.start()
    try:
        yield started
    finally:
        await started.stop()
