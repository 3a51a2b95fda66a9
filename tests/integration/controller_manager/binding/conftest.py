"""A control plane running only the binding controller, with three registered Clusters.

No scheduler and no other controller: the tests write each binding's
spec.clusters themselves and read the Works the binding controller writes.
The Clusters are plain API objects with their execution namespaces (the
binding controller never talks to members), so the simulator the plane
starts is not joined.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from karmada.machinery.scheme import CLUSTER, NAMESPACE
from karmada.names import execution_space
from tests.support.plane import ControlPlane

CLUSTERS = {"alpha": {"env": "prod"}, "beta": {"env": "dev"}, "gamma": {"env": "dev"}}


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("binding"),
        clusters="member1",
        controllers="binding",
        scheduler=False,
    )
    await started.start()
    try:
        for name, labels in CLUSTERS.items():
            cluster = CLUSTER.new(name=name)
            cluster.metadata.labels.update(labels)
            cluster.spec.sync_mode = "Push"
            cluster.spec.api_endpoint = f"https://{name}.invalid:6443"
            await started.client.create(cluster)
            # The cluster controller's job; it does not run here.
            await started.client.create(NAMESPACE.new(name=execution_space(name)))
        yield started
    finally:
        await started.stop()
