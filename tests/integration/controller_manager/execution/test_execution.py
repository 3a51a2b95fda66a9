"""End to end: Works in execution namespaces reach Push members and stay there.

Real apiserver, controller manager (cluster, execution, workStatus) and member
simulator; the tests play the binding controller (they write Works) and the
members' own users (they edit objects with the official client).
"""

from __future__ import annotations

import uuid
from typing import Any

from kubernetes.aio.client import AppsV1Api, CoreV1Api, V1ConfigMap, V1Namespace, V1ObjectMeta

from karmada.machinery import errors
from karmada.machinery.conditions import find_condition
from karmada.machinery.scheme import NAMESPACE, WORK
from karmada.machinery.structs import to_dict
from karmada.member import MemberClient, NotFound
from karmada.member.marks import MANAGED_LABEL, WORK_NAME_ANNOTATION, WORK_NAMESPACE_ANNOTATION
from karmada.meta.v1 import meta_pb2
from karmada.names import EXECUTION_FINALIZER, execution_space
from karmada.work.v1alpha1 import work_pb2
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

TIMEOUT = 30.0


def _namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def _deployment(namespace: str, name: str, replicas: int = 2) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    }


def _config_map(namespace: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": data,
    }


async def _write_work(
    plane: ControlPlane,
    cluster: str,
    name: str,
    manifests: list[dict[str, Any]],
    *,
    annotations: dict[str, str] | None = None,
    suspend: bool | None = None,
) -> work_pb2.Work:
    work = WORK.new(name=name, namespace=execution_space(cluster))
    work.metadata.annotations.update(annotations or {})
    for manifest in manifests:
        work.spec.workload.manifests.add().update(manifest)
    if suspend is not None:
        work.spec.suspend_dispatching = suspend
    return await plane.client.create(work)


async def _work(plane: ControlPlane, cluster: str, name: str) -> work_pb2.Work | None:
    try:
        return await plane.client.get(WORK, name, execution_space(cluster))
    except errors.NotFound:
        return None


def _condition(work: work_pb2.Work | None, type_: str) -> meta_pb2.Condition | None:
    return None if work is None else find_condition(work.status.conditions, type_)


async def _wait_condition(
    plane: ControlPlane,
    cluster: str,
    name: str,
    type_: str,
    status: str,
    *,
    timeout: float = TIMEOUT,
) -> meta_pb2.Condition:
    async def probe() -> meta_pb2.Condition | None:
        condition = _condition(await _work(plane, cluster, name), type_)
        return condition if condition is not None and condition.status == status else None

    return await eventually(probe, timeout=timeout, what=f"{type_}={status} on Work {name}")


async def _member_object(
    member: MemberClient, api_version: str, kind: str, name: str, namespace: str = ""
) -> dict[str, Any] | None:
    try:
        return await member.get(api_version, kind, name, namespace=namespace)
    except NotFound:
        return None


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


async def test_work_is_applied_with_marks_and_reports_status(plane: ControlPlane) -> None:
    namespace, name = _unique("apps"), _unique("web")
    # The Namespace comes second on purpose: it must still be created first.
    await _write_work(plane, "member1", name, [_deployment(namespace, name), _namespace(namespace)])
    member = await plane.member("member1")

    deployment = await eventually(
        lambda: _member_object(member, "apps/v1", "Deployment", name, namespace),
        timeout=TIMEOUT,
        what="the Deployment in member1",
    )
    metadata = deployment["metadata"]
    assert metadata["labels"][MANAGED_LABEL] == "true"
    assert metadata["annotations"][WORK_NAMESPACE_ANNOTATION] == execution_space("member1")
    assert metadata["annotations"][WORK_NAME_ANNOTATION] == name

    applied = await _wait_condition(plane, "member1", name, "Applied", "True")
    assert (applied.reason, applied.message) == (
        "AppliedSuccessful",
        "Manifest has been successfully applied",
    )
    dispatching = _condition(await _work(plane, "member1", name), "Dispatching")
    assert dispatching is not None and dispatching.reason == "Dispatching"
    available = await _wait_condition(plane, "member1", name, "Available", "True")
    assert available.reason == "WorkAvailable"

    work = await _work(plane, "member1", name)
    assert work is not None
    assert EXECUTION_FINALIZER in work.metadata.finalizers
    by_kind = {s.identifier.kind: s for s in work.status.manifest_statuses}
    status = by_kind["Deployment"]
    assert (status.identifier.ordinal, status.identifier.group, status.identifier.version) == (
        0,
        "apps",
        "v1",
    )
    assert (status.identifier.resource, status.identifier.namespace) == ("deployments", namespace)
    assert status.health == "Healthy"
    assert to_dict(status.status)["readyReplicas"] == 2
    assert by_kind["Namespace"].identifier.ordinal == 1


async def test_drift_by_hand_is_reverted_and_deletion_recreated(plane: ControlPlane) -> None:
    namespace, name = _unique("drift"), _unique("web")
    await _write_work(plane, "member1", name, [_namespace(namespace), _deployment(namespace, name)])
    await _wait_condition(plane, "member1", name, "Applied", "True")
    member = await plane.member("member1")
    apps = AppsV1Api(await plane.official("member1"))

    live = await apps.read_namespaced_deployment(name, namespace)
    live.spec.replicas = 5
    await apps.replace_namespaced_deployment(name, namespace, live)

    async def reverted() -> bool:
        obj = await _member_object(member, "apps/v1", "Deployment", name, namespace)
        return obj is not None and obj["spec"]["replicas"] == 2

    await eventually(reverted, timeout=TIMEOUT, what="replicas edited by hand reverted to 2")

    original = await member.get("apps/v1", "Deployment", name, namespace=namespace)
    await apps.delete_namespaced_deployment(name, namespace)

    async def recreated() -> bool:
        obj = await _member_object(member, "apps/v1", "Deployment", name, namespace)
        return obj is not None and obj["metadata"]["uid"] != original["metadata"]["uid"]

    await eventually(recreated, timeout=TIMEOUT, what="the Deployment deleted by hand recreated")


async def test_conflict_abort_leaves_object_then_overwrite_adopts(plane: ControlPlane) -> None:
    namespace, name = _unique("conflict"), _unique("settings")
    core = CoreV1Api(await plane.official("member1"))
    await core.create_namespace(V1Namespace(metadata=V1ObjectMeta(name=namespace)))
    await core.create_namespaced_config_map(
        namespace,
        V1ConfigMap(metadata=V1ObjectMeta(name=name), data={"owner": "member"}),
    )
    await _write_work(plane, "member1", name, [_config_map(namespace, name, {"owner": "karmada"})])

    failed = await _wait_condition(plane, "member1", name, "Applied", "False")
    assert failed.reason == "AppliedFailed"
    assert "not managed by Karmada" in failed.message
    assert "conflictResolution" in failed.message
    member = await plane.member("member1")
    live = await member.get("v1", "ConfigMap", name, namespace=namespace)
    assert live["data"] == {"owner": "member"}
    assert MANAGED_LABEL not in (live["metadata"].get("labels") or {})

    def overwrite(work: work_pb2.Work) -> work_pb2.Work:
        work.metadata.annotations["work.karmada.io/conflict-resolution"] = "overwrite"
        return work

    await plane.client.guaranteed_update(WORK, name, execution_space("member1"), mutate=overwrite)
    await _wait_condition(plane, "member1", name, "Applied", "True")
    adopted = await member.get("v1", "ConfigMap", name, namespace=namespace)
    assert adopted["data"] == {"owner": "karmada"}
    assert adopted["metadata"]["labels"][MANAGED_LABEL] == "true"


async def test_dropped_manifest_and_deleted_work_remove_member_objects(
    plane: ControlPlane,
) -> None:
    namespace, name = _unique("cleanup"), _unique("web")
    config = _config_map(namespace, f"{name}-config", {"k": "v"})
    await _write_work(
        plane, "member1", name, [_namespace(namespace), _deployment(namespace, name), config]
    )
    await _wait_condition(plane, "member1", name, "Applied", "True")
    member = await plane.member("member1")
    assert await _member_object(member, "v1", "ConfigMap", f"{name}-config", namespace)

    def drop_config(work: work_pb2.Work) -> work_pb2.Work:
        del work.spec.workload.manifests[2]
        return work

    await plane.client.guaranteed_update(WORK, name, execution_space("member1"), mutate=drop_config)

    async def config_gone() -> bool:
        return await _member_object(member, "v1", "ConfigMap", f"{name}-config", namespace) is None

    await eventually(config_gone, timeout=TIMEOUT, what="the dropped ConfigMap removed")
    assert await _member_object(member, "apps/v1", "Deployment", name, namespace)

    await plane.client.delete(WORK, name, execution_space("member1"))

    async def deployment_gone() -> bool:
        return await _member_object(member, "apps/v1", "Deployment", name, namespace) is None

    await eventually(deployment_gone, timeout=TIMEOUT, what="the Deployment of the deleted Work")

    async def work_gone() -> bool:
        return await _work(plane, "member1", name) is None

    await eventually(work_gone, timeout=TIMEOUT, what="the Work released by its finalizer")


async def test_suspended_work_is_not_dispatched_until_resumed(plane: ControlPlane) -> None:
    namespace, name = _unique("suspend"), _unique("settings")
    await _write_work(
        plane,
        "member1",
        name,
        [_namespace(namespace), _config_map(namespace, name, {"k": "v"})],
        suspend=True,
    )
    dispatching = await _wait_condition(plane, "member1", name, "Dispatching", "False")
    assert dispatching.reason == "SuspendDispatching"
    member = await plane.member("member1")
    assert await _member_object(member, "v1", "Namespace", namespace) is None
    assert _condition(await _work(plane, "member1", name), "Applied") is None

    def resume(work: work_pb2.Work) -> work_pb2.Work:
        work.spec.suspend_dispatching = False
        return work

    await plane.client.guaranteed_update(WORK, name, execution_space("member1"), mutate=resume)
    await _wait_condition(plane, "member1", name, "Applied", "True")
    assert await _member_object(member, "v1", "ConfigMap", name, namespace)


async def test_unreachable_member_fails_the_work_and_recovers(plane: ControlPlane) -> None:
    namespace, name = _unique("outage"), _unique("web")
    plane.simulator.faults("member2", "POST", {"unreachable": True})
    try:
        await _write_work(
            plane, "member2", name, [_namespace(namespace), _deployment(namespace, name)]
        )
        failed = await _wait_condition(plane, "member2", name, "Applied", "False")
        assert failed.reason == "AppliedFailed"
        assert "member2" in failed.message

        # Other clusters are still served while member2 is down.
        other = _unique("web")
        await _write_work(plane, "member1", other, [_namespace(other), _deployment(other, other)])
        await _wait_condition(plane, "member1", other, "Applied", "True")
    finally:
        plane.simulator.faults("member2", "DELETE")

    await _wait_condition(plane, "member2", name, "Applied", "True", timeout=60)
    member = await plane.member("member2")
    assert await _member_object(member, "apps/v1", "Deployment", name, namespace)
    await _wait_condition(plane, "member2", name, "Available", "True")


async def test_work_of_an_unregistered_cluster_is_released_on_deletion(plane: ControlPlane) -> None:
    cluster = _unique("ghost")
    await plane.client.create(NAMESPACE.new(name=execution_space(cluster)))
    work = WORK.new(name="orphan", namespace=execution_space(cluster))
    work.metadata.finalizers.append(EXECUTION_FINALIZER)
    work.spec.workload.manifests.add().update(_namespace(cluster))
    await plane.client.create(work)
    await plane.client.delete(WORK, "orphan", execution_space(cluster))

    async def released() -> bool:
        return await _work(plane, cluster, "orphan") is None

    await eventually(released, timeout=TIMEOUT, what="the finalizer of a Work without a cluster")
