"""A control plane of its own for the execution and work status controllers.

The cluster controller runs too (it makes the execution namespaces), the
scheduler does not: the tests write Works straight into
``karmada-es-<cluster>`` as the binding controller would. Two simulated
members are joined in push mode; member2 is the one made unreachable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from karmada.machinery import errors
from karmada.machinery.scheme import NAMESPACE
from karmada.names import execution_space
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

CLUSTERS = ("member1", "member2")


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("execution"),
        clusters=",".join(CLUSTERS),
        controllers="cluster,execution,workStatus",
        scheduler=False,
        manager_args=("--member-timeout=3",),
    )
    await started.start()
    try:
        for cluster in CLUSTERS:
            await started.join(cluster)

        async def spaces_exist() -> bool:
            for cluster in CLUSTERS:
                try:
                    await started.client.get(NAMESPACE, execution_space(cluster))
                except errors.NotFound:
                    return False
            return True

        await eventually(spaces_exist, timeout=30, what="execution namespaces")
        yield started
    finally:
        await started.stop()
