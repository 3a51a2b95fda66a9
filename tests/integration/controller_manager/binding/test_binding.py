"""The binding controller end to end: bindings in, one Work per target cluster out."""

from __future__ import annotations

import json
from typing import Any

from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.scheme import (
    CLUSTER,
    CLUSTER_OVERRIDE_POLICY,
    CLUSTER_RESOURCE_BINDING,
    NAMESPACE,
    OVERRIDE_POLICY,
    RESOURCE_BINDING,
    WORK,
    template_kind,
)
from karmada.machinery.structs import to_dict
from karmada.names import (
    APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
    APPLIED_OVERRIDES_ANNOTATION,
    BINDING_FINALIZER,
    CRB_FINALIZER,
    work_name,
)
from karmada.templates import to_template
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

TIMEOUT = 30.0


def deployment(namespace: str, *, image: str = "nginx:1.25", replicas: int = 5) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace, "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image}]},
            },
        },
    }


async def create_binding(
    client: Client, namespace: str, clusters: dict[str, int], *, replicas: int = 5
) -> rb_pb.ResourceBinding:
    """The namespace, the template, and a Divided ResourceBinding scheduled to `clusters`."""
    await client.create(NAMESPACE.new(name=namespace))
    template = await client.create(to_template(deployment(namespace, replicas=replicas)))
    binding = RESOURCE_BINDING.new(name="web-deployment", namespace=namespace)
    binding.metadata.labels["resourcebinding.karmada.io/permanent-id"] = f"{namespace}-id"
    spec = binding.spec
    spec.resource.CopyFrom(
        rb_pb.ObjectReference(
            api_version="apps/v1",
            kind="Deployment",
            namespace=namespace,
            name="web",
            uid=template.metadata.uid,
        )
    )
    spec.replicas = replicas
    spec.placement.replica_scheduling.replica_scheduling_type = "Divided"
    for name, count in clusters.items():
        spec.clusters.add(name=name, replicas=count)
    return await client.create(binding)


async def set_clusters(client: Client, namespace: str, clusters: dict[str, int]) -> None:
    def mutate(current: rb_pb.ResourceBinding) -> rb_pb.ResourceBinding:
        del current.spec.clusters[:]
        for name, count in clusters.items():
            current.spec.clusters.add(name=name, replicas=count)
        return current

    await client.guaranteed_update(RESOURCE_BINDING, "web-deployment", namespace, mutate=mutate)


def web_work(namespace: str) -> str:
    return work_name("Deployment", "web", namespace)


async def get_work(client: Client, cluster: str, name: str) -> work_pb2.Work | None:
    try:
        return await client.get(WORK, name, f"karmada-es-{cluster}")
    except errors.NotFound:
        return None


def manifest_of(work: work_pb2.Work) -> dict[str, Any]:
    return to_dict(work.spec.workload.manifests[0])


def image_of(work: work_pb2.Work) -> str:
    return str(manifest_of(work)["spec"]["template"]["spec"]["containers"][0]["image"])


async def replicas_in(client: Client, namespace: str, clusters: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for cluster in clusters:
        work = await get_work(client, cluster, web_work(namespace))
        if work is not None:
            out[cluster] = int(manifest_of(work)["spec"]["replicas"])
    return out


async def test_one_work_per_cluster_with_its_share(plane: ControlPlane) -> None:
    client = plane.client
    binding = await create_binding(client, "shop-works", {"alpha": 3, "beta": 2})
    name = web_work("shop-works")

    async def works() -> dict[str, int] | None:
        found = await replicas_in(client, "shop-works", ["alpha", "beta", "gamma"])
        return found if found == {"alpha": 3, "beta": 2} else None

    await eventually(works, timeout=TIMEOUT, what="Works with 3 and 2 replicas")
    work = await get_work(client, "alpha", name)
    assert work is not None
    assert work.metadata.labels["resourcebinding.karmada.io/permanent-id"] == "shop-works-id"
    assert work.metadata.labels["work.karmada.io/permanent-id"]
    assert dict(work.metadata.annotations) == {
        "resourcebinding.karmada.io/namespace": "shop-works",
        "resourcebinding.karmada.io/name": "web-deployment",
        "work.karmada.io/conflict-resolution": "abort",
    }
    assert work.spec.HasField("suspend_dispatching") and not work.spec.suspend_dispatching
    manifest = manifest_of(work)
    assert manifest["metadata"]["labels"]["karmada.io/managed"] == "true"
    assert manifest["metadata"]["annotations"]["work.karmada.io/name"] == name
    assert manifest["metadata"]["annotations"]["resourcetemplate.karmada.io/uid"] == (
        binding.spec.resource.uid
    )
    assert "status" not in manifest

    current = await client.get(RESOURCE_BINDING, "web-deployment", "shop-works")
    assert BINDING_FINALIZER in current.metadata.finalizers


async def test_override_policy_for_one_cluster(plane: ControlPlane) -> None:
    client = plane.client
    namespace = "shop-overrides"
    await create_binding(client, namespace, {"alpha": 3, "beta": 2})
    policy = OVERRIDE_POLICY.new(name="mirror", namespace=namespace)
    policy.spec.resource_selectors.add(api_version="apps/v1", kind="Deployment", name="web")
    rule = policy.spec.override_rules.add()
    rule.target_cluster.cluster_names.append("alpha")
    rule.overriders.image_overrider.add(
        component="Registry", operator="replace", value="mirror.example.com"
    )
    await client.create(policy)
    name = web_work(namespace)

    async def overridden() -> work_pb2.Work | None:
        work = await get_work(client, "alpha", name)
        return work if work is not None and image_of(work).startswith("mirror.") else None

    work = await eventually(overridden, timeout=TIMEOUT, what="alpha's image overridden")
    assert image_of(work) == "mirror.example.com/nginx:1.25"
    assert json.loads(work.metadata.annotations[APPLIED_OVERRIDES_ANNOTATION]) == [
        {
            "policyName": "mirror",
            "overriders": {
                "imageOverrider": [
                    {"component": "Registry", "operator": "replace", "value": "mirror.example.com"}
                ]
            },
        }
    ]
    beta = await get_work(client, "beta", name)
    assert beta is not None
    assert image_of(beta) == "nginx:1.25"
    assert APPLIED_OVERRIDES_ANNOTATION not in beta.metadata.annotations

    await client.delete(OVERRIDE_POLICY, "mirror", namespace)

    async def restored() -> bool:
        work = await get_work(client, "alpha", name)
        return (
            work is not None
            and image_of(work) == "nginx:1.25"
            and APPLIED_OVERRIDES_ANNOTATION not in work.metadata.annotations
        )

    await eventually(restored, timeout=TIMEOUT, what="alpha's image back once the policy is gone")


async def test_cluster_labels_select_cluster_overrides(plane: ControlPlane) -> None:
    client = plane.client
    namespace = "shop-labels"
    await create_binding(client, namespace, {"beta": 2, "gamma": 3})
    policy = CLUSTER_OVERRIDE_POLICY.new(name="canary-tag")
    policy.spec.resource_selectors.add(
        api_version="apps/v1", kind="Deployment", namespace=namespace
    )
    rule = policy.spec.override_rules.add()
    rule.target_cluster.label_selector.match_labels["canary"] = "yes"
    rule.overriders.image_overrider.add(component="Tag", operator="replace", value="1.26")
    await client.create(policy)
    name = web_work(namespace)

    async def both_written() -> bool:
        works = [await get_work(client, c, name) for c in ("beta", "gamma")]
        return all(w is not None for w in works)

    await eventually(both_written, timeout=TIMEOUT, what="the Works of beta and gamma")

    def label(cluster: Any) -> Any:
        cluster.metadata.labels["canary"] = "yes"
        return cluster

    await client.guaranteed_update(CLUSTER, "gamma", mutate=label)

    async def gamma_canary() -> work_pb2.Work | None:
        work = await get_work(client, "gamma", name)
        return work if work is not None and image_of(work) == "nginx:1.26" else None

    work = await eventually(gamma_canary, timeout=TIMEOUT, what="gamma's tag overridden")
    assert (
        json.loads(work.metadata.annotations[APPLIED_CLUSTER_OVERRIDES_ANNOTATION])[0]["policyName"]
        == "canary-tag"
    )
    beta = await get_work(client, "beta", name)
    assert beta is not None and image_of(beta) == "nginx:1.25"


async def test_rescheduling_updates_and_removes_works(plane: ControlPlane) -> None:
    client = plane.client
    namespace = "shop-scale"
    await create_binding(client, namespace, {"alpha": 3, "beta": 2})
    clusters = ["alpha", "beta", "gamma"]

    async def have(expected: dict[str, int]) -> bool:
        return await replicas_in(client, namespace, clusters) == expected

    await eventually(lambda: have({"alpha": 3, "beta": 2}), timeout=TIMEOUT, what="first Works")
    await set_clusters(client, namespace, {"alpha": 1, "beta": 1, "gamma": 3})
    await eventually(
        lambda: have({"alpha": 1, "beta": 1, "gamma": 3}), timeout=TIMEOUT, what="scaled Works"
    )
    await set_clusters(client, namespace, {"alpha": 5})
    await eventually(lambda: have({"alpha": 5}), timeout=TIMEOUT, what="beta's and gamma's gone")

    def template_change(current: Any) -> Any:
        current.body.get_or_create_struct("spec")["template"]["spec"]["containers"][0]["image"] = (
            "nginx:1.27"
        )
        return current

    await client.guaranteed_update(
        template_kind("apps/v1", "Deployment"), "web", namespace, mutate=template_change
    )

    async def new_image() -> bool:
        work = await get_work(client, "alpha", web_work(namespace))
        return work is not None and image_of(work) == "nginx:1.27"

    await eventually(new_image, timeout=TIMEOUT, what="the template's new image in the Work")


async def test_binding_deleted_deletes_works(plane: ControlPlane) -> None:
    client = plane.client
    namespace = "shop-delete"
    await create_binding(client, namespace, {"alpha": 2, "beta": 3})
    clusters = ["alpha", "beta"]

    async def written() -> bool:
        current = await client.get(RESOURCE_BINDING, "web-deployment", namespace)
        found = await replicas_in(client, namespace, clusters)
        return BINDING_FINALIZER in current.metadata.finalizers and len(found) == 2

    await eventually(written, timeout=TIMEOUT, what="both Works and the finalizer")
    await client.delete(RESOURCE_BINDING, "web-deployment", namespace)

    async def gone() -> bool:
        try:
            await client.get(RESOURCE_BINDING, "web-deployment", namespace)
        except errors.NotFound:
            return await replicas_in(client, namespace, clusters) == {}
        return False

    await eventually(gone, timeout=TIMEOUT, what="the binding and its Works gone")


async def test_cluster_resource_binding(plane: ControlPlane) -> None:
    client = plane.client
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "reader"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
    }
    template = await client.create(to_template(role))
    binding = CLUSTER_RESOURCE_BINDING.new(name="reader-clusterrole")
    binding.metadata.labels["clusterresourcebinding.karmada.io/permanent-id"] = "crb-id"
    binding.spec.resource.CopyFrom(
        rb_pb.ObjectReference(
            api_version="rbac.authorization.k8s.io/v1",
            kind="ClusterRole",
            name="reader",
            uid=template.metadata.uid,
        )
    )
    binding.spec.conflict_resolution = "Overwrite"
    binding.spec.clusters.add(name="alpha")
    await client.create(binding)
    name = work_name("ClusterRole", "reader")

    async def work() -> work_pb2.Work | None:
        return await get_work(client, "alpha", name)

    written = await eventually(work, timeout=TIMEOUT, what="the ClusterRole's Work")
    assert written.metadata.labels["clusterresourcebinding.karmada.io/permanent-id"] == "crb-id"
    assert written.metadata.annotations["clusterresourcebinding.karmada.io/name"] == (
        "reader-clusterrole"
    )
    assert written.metadata.annotations["work.karmada.io/conflict-resolution"] == "overwrite"
    manifest = manifest_of(written)
    assert manifest["metadata"]["name"] == "reader"
    assert manifest["rules"] == role["rules"]

    async def finalized() -> bool:
        current = await client.get(CLUSTER_RESOURCE_BINDING, "reader-clusterrole")
        return CRB_FINALIZER in current.metadata.finalizers

    await eventually(finalized, timeout=TIMEOUT, what="the CRB finalizer")
    await client.delete(CLUSTER_RESOURCE_BINDING, "reader-clusterrole")

    async def gone() -> bool:
        return await get_work(client, "alpha", name) is None

    await eventually(gone, timeout=TIMEOUT, what="the ClusterRole's Work gone")


async def test_gracefully_evicted_cluster_keeps_its_work_until_the_task_ends(
    plane: ControlPlane,
) -> None:
    client = plane.client
    namespace = "shop-evict"
    await create_binding(client, namespace, {"alpha": 2, "beta": 3})
    clusters = ["alpha", "beta"]

    async def have(expected: dict[str, int]) -> bool:
        return await replicas_in(client, namespace, clusters) == expected

    await eventually(lambda: have({"alpha": 2, "beta": 3}), timeout=TIMEOUT, what="first Works")

    def evict(current: rb_pb.ResourceBinding) -> rb_pb.ResourceBinding:
        del current.spec.clusters[:]
        current.spec.clusters.add(name="alpha", replicas=5)
        current.spec.graceful_eviction_tasks.add(
            from_cluster="beta", purge_mode="Gracefully", reason="TaintUntolerated", producer="test"
        )
        return current

    await client.guaranteed_update(RESOURCE_BINDING, "web-deployment", namespace, mutate=evict)
    # The reconcile that scales alpha up has already removed orphans: beta's Work stays.
    await eventually(
        lambda: have({"alpha": 5, "beta": 3}), timeout=TIMEOUT, what="alpha scaled, beta kept"
    )

    def done(current: rb_pb.ResourceBinding) -> rb_pb.ResourceBinding:
        del current.spec.graceful_eviction_tasks[:]
        return current

    await client.guaranteed_update(RESOURCE_BINDING, "web-deployment", namespace, mutate=done)
    await eventually(lambda: have({"alpha": 5}), timeout=TIMEOUT, what="beta's Work gone")
