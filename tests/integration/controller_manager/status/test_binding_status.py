"""The binding status controller end to end: Works written through the API -> binding and template status.

The controller manager runs only ``bindingStatus``; the Works and their
statuses are written here the way the binding, execution and work status
controllers write them, so every input is known and every output is the
controller's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from karmada.machinery.scheme import CLUSTER_RESOURCE_BINDING, NAMESPACE, RESOURCE_BINDING, WORK
from karmada.machinery.structs import to_dict
from karmada.member.marks import CRB_PERMANENT_ID_LABEL, RB_PERMANENT_ID_LABEL
from karmada.names import execution_space
from karmada.templates import to_template
from karmada.work.v1alpha2 import cluster_resource_binding_pb2, resource_binding_pb2
from tests.integration.controller_manager.status.objects import (
    DEPLOYMENT,
    PV,
    Binding,
    binding_spec,
    create_deployment,
    create_namespace,
    create_work,
    deployment_status,
    fully_applied,
    items_of,
    reconciles,
    report,
)
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("binding-status"),
        clusters="member1",
        controllers="bindingStatus",
        scheduler=False,
    )
    await started.start()
    try:
        for cluster in ("member1", "member2"):
            await started.client.create(NAMESPACE.new(name=execution_space(cluster)))
        yield started
    finally:
        await started.stop()


async def test_resource_binding_and_deployment_status(plane: ControlPlane) -> None:
    client = plane.client
    await create_namespace(client, "shop")
    template = await create_deployment(client, "shop", "web", 3)
    binding = RESOURCE_BINDING.new(name="web-deployment", namespace="shop")
    binding.metadata.labels[RB_PERMANENT_ID_LABEL] = "rb-web-1"
    binding_spec(binding, template, {"member1": 2, "member2": 1})
    binding = await client.create(binding)

    async def binding_state(
        expected_items: list[Any], expected_condition: tuple[str, str]
    ) -> Binding | None:
        current = await client.get(RESOURCE_BINDING, "web-deployment", "shop")
        ok = items_of(current) == expected_items and fully_applied(current) == expected_condition
        return current if ok else None

    # Scheduled, nothing dispatched yet: both clusters listed, neither applied.
    await eventually(
        lambda: binding_state(
            [("member1", False, "", "Unknown", None), ("member2", False, "", "Unknown", None)],
            ("False", "FullyAppliedFailed"),
        ),
        timeout=30,
        what="both target clusters unapplied",
    )

    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
    }
    work1 = await create_work(client, "member1", binding, manifest)
    work2 = await create_work(client, "member2", binding, manifest)
    await report(client, work1, applied=True, status=deployment_status(2), health="Healthy")
    await report(client, work2, applied=False, message="Failed to apply all manifests (0/1): boom")

    await eventually(
        lambda: binding_state(
            [
                ("member1", True, "", "Healthy", deployment_status(2)),
                ("member2", False, "Failed to apply all manifests (0/1): boom", "Unknown", None),
            ],
            ("False", "FullyAppliedFailed"),
        ),
        timeout=30,
        what="member1 applied, member2 failed",
    )

    async def template_status(expected: dict[str, Any]) -> dict[str, Any] | None:
        status = to_dict((await client.get(DEPLOYMENT, "web", "shop")).status)
        return status if status == expected else None

    # member2 has reported nothing yet, so observedGeneration is not claimed.
    await eventually(
        lambda: template_status(
            {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 2}
        ),
        timeout=30,
        what="the template status summed from member1 alone",
    )

    await report(client, work2, applied=True, status=deployment_status(1), health="Unhealthy")
    await eventually(
        lambda: binding_state(
            [
                ("member1", True, "", "Healthy", deployment_status(2)),
                ("member2", True, "", "Unhealthy", deployment_status(1)),
            ],
            ("True", "FullyAppliedSuccess"),
        ),
        timeout=30,
        what="both applied",
    )
    await eventually(
        lambda: template_status(
            {
                "replicas": 3,
                "readyReplicas": 3,
                "availableReplicas": 3,
                "updatedReplicas": 3,
                "observedGeneration": 1,
            }
        ),
        timeout=30,
        what="the template status summed from both, observed",
    )

    # The template moves to generation 2; members still report generation 1.
    current = await client.get(DEPLOYMENT, "web", "shop")
    body = to_dict(current.body)
    body["spec"]["replicas"] = 4
    current.body.Clear()
    current.body.update(body)
    updated = await client.update(current)
    assert updated.metadata.generation == 2
    await report(client, work1, applied=True, status=deployment_status(3), health="Healthy")
    await eventually(
        lambda: template_status(
            {
                "replicas": 4,
                "readyReplicas": 4,
                "availableReplicas": 4,
                "updatedReplicas": 4,
                "observedGeneration": 1,
            }
        ),
        timeout=30,
        what="observedGeneration kept while members render the old template",
    )
    await report(
        client,
        work1,
        applied=True,
        status=deployment_status(3, template_generation=2),
        health="Healthy",
    )
    await report(
        client,
        work2,
        applied=True,
        status=deployment_status(1, template_generation=2),
        health="Healthy",
    )
    await eventually(
        lambda: template_status(
            {
                "replicas": 4,
                "readyReplicas": 4,
                "availableReplicas": 4,
                "updatedReplicas": 4,
                "observedGeneration": 2,
            }
        ),
        timeout=30,
        what="observedGeneration 2 once every member rendered generation 2",
    )

    # Rescheduled away from member2: its Work (not yet removed) no longer counts.
    current_binding = await client.get(RESOURCE_BINDING, "web-deployment", "shop")
    del current_binding.spec.clusters[:]
    current_binding.spec.clusters.add(name="member1", replicas=4)
    await client.update(current_binding)
    await eventually(
        lambda: binding_state(
            [("member1", True, "", "Healthy", deployment_status(3, template_generation=2))],
            ("True", "FullyAppliedSuccess"),
        ),
        timeout=30,
        what="only member1 listed",
    )
    await eventually(
        lambda: template_status(
            {
                "replicas": 3,
                "readyReplicas": 3,
                "availableReplicas": 3,
                "updatedReplicas": 3,
                "observedGeneration": 2,
            }
        ),
        timeout=30,
        what="the template status from member1 alone",
    )

    # A change that alters nothing is reconciled without writing either status.
    settled_binding = await client.get(RESOURCE_BINDING, "web-deployment", "shop")
    settled_template = await client.get(DEPLOYMENT, "web", "shop")
    before = await reconciles(plane)
    touched = await client.get(WORK, work1.metadata.name, work1.metadata.namespace)
    touched.metadata.labels["touched"] = "yes"
    await client.update(touched)

    async def reconciled_again() -> bool:
        return await reconciles(plane) > before

    await eventually(reconciled_again, timeout=30, what="a reconcile after the Work was touched")
    after_binding = await client.get(RESOURCE_BINDING, "web-deployment", "shop")
    after_template = await client.get(DEPLOYMENT, "web", "shop")
    assert after_binding.metadata.resource_version == settled_binding.metadata.resource_version
    assert after_template.metadata.resource_version == settled_template.metadata.resource_version


async def test_work_of_an_older_binding_is_ignored(plane: ControlPlane) -> None:
    client = plane.client
    await create_namespace(client, "older")
    template = await create_deployment(client, "older", "api", 1)
    binding = RESOURCE_BINDING.new(name="api-deployment", namespace="older")
    binding.metadata.labels[RB_PERMANENT_ID_LABEL] = "rb-api-new"
    binding_spec(binding, template, {"member1": 1})
    binding = await client.create(binding)
    stale = RESOURCE_BINDING.new(name="api-deployment", namespace="older")
    stale.metadata.labels[RB_PERMANENT_ID_LABEL] = "rb-api-old"
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "older"},
    }
    work = await create_work(client, "member1", stale, manifest)
    await report(client, work, applied=True, status=deployment_status(1), health="Healthy")

    async def state() -> resource_binding_pb2.ResourceBinding | None:
        current = await client.get(RESOURCE_BINDING, "api-deployment", "older")
        return current if current.status.aggregated_status else None

    current = await eventually(state, timeout=30, what="the binding's aggregated status")
    assert items_of(current) == [("member1", False, "", "Unknown", None)]
    assert fully_applied(current) == ("False", "FullyAppliedFailed")


async def test_cluster_resource_binding_and_volume_status(plane: ControlPlane) -> None:
    client = plane.client
    volume = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "data-1"},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteOnce"],
            "hostPath": {"path": "/d"},
        },
    }
    template = await client.create(to_template(volume))
    binding = CLUSTER_RESOURCE_BINDING.new(name="data-1-persistentvolume")
    binding.metadata.labels[CRB_PERMANENT_ID_LABEL] = "crb-data-1"
    binding_spec(binding, template, {"member1": 0, "member2": 0})
    binding = await client.create(binding)
    manifest = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "data-1"}}
    work1 = await create_work(client, "member1", binding, manifest)
    work2 = await create_work(client, "member2", binding, manifest)
    await report(client, work1, applied=True, status={"phase": "Bound"}, health="Healthy")
    await report(client, work2, applied=True, status={"phase": "Available"}, health="Healthy")

    async def state() -> cluster_resource_binding_pb2.ClusterResourceBinding | None:
        current = await client.get(CLUSTER_RESOURCE_BINDING, "data-1-persistentvolume")
        return current if fully_applied(current) == ("True", "FullyAppliedSuccess") else None

    current = await eventually(state, timeout=30, what="the ClusterResourceBinding fully applied")
    assert items_of(current) == [
        ("member1", True, "", "Healthy", {"phase": "Bound"}),
        ("member2", True, "", "Healthy", {"phase": "Available"}),
    ]

    async def volume_status() -> bool:
        return to_dict((await client.get(PV, "data-1")).status) == {"phase": "Available"}

    # Bound in member1 and Available in member2: the worse phase, Available, is the volume's.
    await eventually(volume_status, timeout=30, what="the volume's aggregated phase")
