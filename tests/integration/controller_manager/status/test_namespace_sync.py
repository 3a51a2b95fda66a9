"""The namespace controller end to end: control-plane namespaces reach every member.

Runs the cluster controller (execution namespaces), cluster status (Ready
members), the namespace controller and the execution controller, so a
namespace is followed all the way into the simulated members.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.conditions import is_true
from karmada.machinery.scheme import CLUSTER, NAMESPACE, WORK
from karmada.machinery.structs import to_dict
from karmada.member.errors import NotFound as MemberNotFound
from karmada.names import SKIP_AUTO_PROPAGATION_LABEL, execution_space, work_name
from karmada.work.v1alpha1 import work_pb2
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

FAST = (
    "--cluster-status-update-frequency=1",
    "--cluster-success-threshold=1",
    "--cluster-failure-threshold=2",
    "--cluster-monitor-period=0.5",
)
FIRST = ("member1", "member2")


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("namespace-sync"),
        clusters="member1,member2,member3",
        controllers="cluster,clusterStatus,namespace,execution",
        scheduler=False,
        manager_args=FAST,
    )
    await started.start()
    try:
        for name in FIRST:
            await started.join(name)

        async def ready() -> bool:
            clusters = [await started.client.get(CLUSTER, name) for name in FIRST]
            return all(is_true(list(c.status.conditions), "Ready") for c in clusters)

        await eventually(ready, timeout=60, what="member1 and member2 Ready")
        yield started
    finally:
        await started.stop()


async def namespace_work(client: Client, cluster: str, namespace: str) -> work_pb2.Work | None:
    try:
        return await client.get(WORK, work_name("Namespace", namespace), execution_space(cluster))
    except errors.NotFound:
        return None


async def in_member(plane: ControlPlane, cluster: str, namespace: str) -> bool:
    member = await plane.member(cluster)
    try:
        await member.get("v1", "Namespace", namespace)
    except MemberNotFound:
        return False
    return True


async def test_namespace_reaches_members_and_leaves_with_deletion(plane: ControlPlane) -> None:
    client = plane.client
    namespace = NAMESPACE.new(name="team-a")
    namespace.metadata.labels["team"] = "a"
    await client.create(namespace)

    async def works() -> list[work_pb2.Work] | None:
        found = [await namespace_work(client, cluster, "team-a") for cluster in FIRST]
        return [w for w in found if w is not None] if all(found) else None

    for work in await eventually(
        works, timeout=30, what="team-a's Works in both execution namespaces"
    ):
        assert [to_dict(m) for m in work.spec.workload.manifests] == [
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": "team-a", "labels": {"team": "a"}},
            }
        ]
        assert [(r.kind, r.name) for r in work.metadata.owner_references] == [
            ("Namespace", "team-a")
        ]

    async def everywhere() -> bool:
        return all([await in_member(plane, cluster, "team-a") for cluster in FIRST])

    await eventually(everywhere, timeout=30, what="team-a in member1 and member2")
    member = await plane.member("member1")
    assert (await member.get("v1", "Namespace", "team-a"))["metadata"]["labels"]["team"] == "a"

    # A Work deleted by hand comes back.
    await client.delete(WORK, work_name("Namespace", "team-a"), execution_space("member2"))

    async def recreated() -> bool:
        work = await namespace_work(client, "member2", "team-a")
        return work is not None and not work.metadata.HasField("deletion_timestamp")

    await eventually(recreated, timeout=30, what="the hand-deleted Work rewritten")

    # A label change reaches the members.
    current = await client.get(NAMESPACE, "team-a")
    current.metadata.labels["team"] = "b"
    await client.update(current)

    async def relabelled() -> bool:
        obj = await member.get("v1", "Namespace", "team-a")
        return bool(obj["metadata"].get("labels", {}).get("team") == "b")

    await eventually(relabelled, timeout=30, what="the new label in member1")

    await client.delete(NAMESPACE, "team-a")

    async def gone() -> bool:
        works_left = [await namespace_work(client, cluster, "team-a") for cluster in FIRST]
        members = [await in_member(plane, cluster, "team-a") for cluster in FIRST]
        return not any(works_left) and not any(members)

    await eventually(gone, timeout=30, what="team-a's Works and member namespaces removed")


async def test_reserved_and_skipped_namespaces_stay_home(plane: ControlPlane) -> None:
    client = plane.client
    skipped = NAMESPACE.new(name="private")
    skipped.metadata.labels[SKIP_AUTO_PROPAGATION_LABEL] = "true"
    await client.create(skipped)
    for name in ("default", "kube-system"):
        with contextlib.suppress(errors.AlreadyExists):
            await client.create(NAMESPACE.new(name=name))
    await client.create(NAMESPACE.new(name="control"))

    async def control_propagated() -> bool:
        return all(
            [await namespace_work(client, cluster, "control") is not None for cluster in FIRST]
        )

    await eventually(control_propagated, timeout=30, what="the control namespace's Works")
    for name in ("private", "default", "kube-system"):
        for cluster in FIRST:
            assert await namespace_work(client, cluster, name) is None, (name, cluster)
    all_works, _ = await client.list_all(WORK, namespace=execution_space("member1"))
    carried = {to_dict(m)["metadata"]["name"] for w in all_works for m in w.spec.workload.manifests}
    assert carried.isdisjoint({"private", "default", "kube-system", "karmada-es-member1"})
    assert "control" in carried


async def test_joining_cluster_gets_existing_namespaces(plane: ControlPlane) -> None:
    client = plane.client
    await client.create(NAMESPACE.new(name="before-join"))

    async def propagated() -> bool:
        return all(
            [await namespace_work(client, cluster, "before-join") is not None for cluster in FIRST]
        )

    await eventually(propagated, timeout=30, what="before-join's Works in the first members")
    await plane.join("member3")

    async def in_member3() -> bool:
        return await namespace_work(
            client, "member3", "before-join"
        ) is not None and await in_member(plane, "member3", "before-join")

    await eventually(in_member3, timeout=60, what="before-join in the newly joined member3")
