"""The dependencies distributor end to end: a workload's ConfigMap follows its clusters."""

from __future__ import annotations

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.client import Client
from karmada.machinery.scheme import RESOURCE_BINDING
from karmada.machinery.structs import to_dict
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb
from tests.integration.controller_manager.detector.objects import (
    CONFIGMAP,
    DEPLOYMENT,
    RB_ID,
    binding,
    deployment,
    deployments,
    namespace,
    policy,
)
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

TIMEOUT = 30
DEPENDED_BY = "resourcebinding.karmada.io/depended-by-"


async def schedule(client: Client, namespace: str, name: str, *clusters: str) -> None:
    """Plays the scheduler: writes spec.clusters of a binding."""

    def mutate(current: rb_pb.ResourceBinding) -> rb_pb.ResourceBinding:
        del current.spec.clusters[:]
        for cluster in clusters:
            current.spec.clusters.add(name=cluster, replicas=1)
        return current

    await client.guaranteed_update(RESOURCE_BINDING, name, namespace, mutate=mutate)


async def wait_required_by(
    client: Client, namespace: str, expected: list[str]
) -> rb_pb.ResourceBinding:
    async def probe() -> rb_pb.ResourceBinding | None:
        attached = await binding(client, namespace, "cfg-configmap")
        if attached is None or len(attached.spec.required_by) != 1:
            return None
        snapshot = attached.spec.required_by[0]
        if (snapshot.namespace, snapshot.name) != (namespace, "web-deployment"):
            return None
        return attached if [c.name for c in snapshot.clusters] == expected else None

    return await eventually(probe, timeout=TIMEOUT, what=f"cfg required on {expected}")


async def test_configmap_follows_the_workload_clusters(plane: ControlPlane) -> None:
    client = plane.client
    ns = await namespace(client, prefix="deps")
    config = CONFIGMAP.new(name="cfg", namespace=ns)
    config.body.update({"data": {"key": "value"}})
    config = await client.create(config)
    await client.create(deployment(ns, "web", config="cfg"))
    await client.create(policy(ns, "web-pp", deployments(name="web"), propagate_deps=True))

    async def independent() -> rb_pb.ResourceBinding | None:
        rb = await binding(client, ns, "web-deployment")
        return rb if rb is not None and rb.spec.propagate_deps else None

    web = await eventually(independent, timeout=TIMEOUT, what="the workload's binding")
    await schedule(client, ns, "web-deployment", "member1")

    attached = await wait_required_by(client, ns, ["member1"])
    assert not attached.spec.HasField("placement")
    assert attached.spec.resource.kind == "ConfigMap" and attached.spec.resource.name == "cfg"
    assert attached.metadata.owner_references[0].uid == config.metadata.uid
    depended = [k for k in attached.metadata.labels if k.startswith(DEPENDED_BY)]
    assert len(depended) == 1
    assert attached.metadata.labels[depended[0]] == web.metadata.labels[RB_ID]
    recorded = (await binding(client, ns, "web-deployment")) or web
    assert (
        '"name":"cfg"' in recorded.metadata.annotations["resourcebinding.karmada.io/dependencies"]
    )

    # The snapshot follows the scheduling result.
    await schedule(client, ns, "web-deployment", "member1", "member2")
    await wait_required_by(client, ns, ["member1", "member2"])

    # Deleted by hand, the attached binding comes back.
    await client.delete(RESOURCE_BINDING, "cfg-configmap", ns)
    await wait_required_by(client, ns, ["member1", "member2"])

    # When the workload stops referring to the ConfigMap nobody requires it: it goes.
    def drop_volume(
        current: resource_template_pb2.ResourceTemplate,
    ) -> resource_template_pb2.ResourceTemplate:
        body = to_dict(current.body)
        body["spec"]["template"]["spec"].pop("volumes")
        current.body.Clear()
        current.body.update(body)
        return current

    await client.guaranteed_update(DEPLOYMENT, "web", ns, mutate=drop_volume)

    async def gone() -> bool:
        return await binding(client, ns, "cfg-configmap") is None

    await eventually(gone, timeout=TIMEOUT, what="the unrequired attached binding to go")
