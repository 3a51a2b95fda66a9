"""The member client against the member simulator, through the official client's wire protocol.

Member-side changes (a user or controller in the member adding labels,
finalizers, or an unmanaged object) are made with the official
``kubernetes`` client, as they would be in a real cluster.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest
from kubernetes.aio.client import (
    ApiClient,
    BatchV1Api,
    CoreV1Api,
    V1ConfigMap,
    V1ObjectMeta,
)

from karmada.member import (
    LISTED,
    BindingRef,
    ClientOptions,
    ConflictError,
    DeleteResult,
    Expired,
    Invalid,
    MemberClient,
    MemberClients,
    NoKindMatch,
    NotFound,
    Seen,
    WatchEvent,
)
from karmada.member.marks import (
    MANAGED_LABEL,
    WORK_NAME_ANNOTATION,
    WORK_NAMESPACE_ANNOTATION,
)
from tests.integration.member.conftest import CLUSTERS
from tests.support.membersim import SimulatorProcess

WORK_NS = "karmada-es-member1"
NS = "default"


def service(name: str, *, labels: dict[str, str], ports: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": NS, "labels": labels},
        "spec": {"selector": {"app": name}, "ports": ports},
    }


def configmap(name: str, data: dict[str, str], **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": NS, "labels": dict(labels)},
        "data": data,
    }


async def apply(
    client: MemberClient, manifest: dict[str, Any], *, work: str = "w", **kwargs: Any
) -> dict[str, Any]:
    return await client.apply(manifest, work_namespace=WORK_NS, work_name=work, **kwargs)


async def test_create_then_update_keeps_member_owned_fields(
    member1: MemberClient, official: ApiClient, name: str
) -> None:
    core = CoreV1Api(official)
    created = await apply(
        member1,
        service(name, labels={"app": name, "tier": "fe"}, ports=[{"name": "http", "port": 80}]),
        binding=BindingRef("web-service", namespace=NS, permanent_id="rb-1"),
        work_permanent_id="w-1",
    )
    metadata = created["metadata"]
    assert metadata["labels"] == {
        "app": name,
        "tier": "fe",
        MANAGED_LABEL: "true",
        "work.karmada.io/permanent-id": "w-1",
        "resourcebinding.karmada.io/permanent-id": "rb-1",
    }
    assert metadata["annotations"][WORK_NAMESPACE_ANNOTATION] == WORK_NS
    assert metadata["annotations"][WORK_NAME_ANNOTATION] == "w"
    assert metadata["annotations"]["resourcebinding.karmada.io/name"] == "web-service"

    # The member's own users and controllers add a label, an annotation and a finalizer.
    await core.patch_namespaced_service(
        name,
        NS,
        {
            "metadata": {
                "labels": {"member-added": "yes"},
                "annotations": {"member.example.com/note": "keep me"},
                "finalizers": ["member.example.com/protect"],
            }
        },
    )

    # The template changes: "tier" is dropped, a port is added.
    updated = await apply(
        member1,
        service(
            name,
            labels={"app": name},
            ports=[{"name": "http", "port": 80}, {"name": "https", "port": 443}],
        ),
        binding=BindingRef("web-service", namespace=NS, permanent_id="rb-1"),
        work_permanent_id="w-1",
    )
    metadata = updated["metadata"]
    assert metadata["uid"] == created["metadata"]["uid"]
    assert metadata["creationTimestamp"] == created["metadata"]["creationTimestamp"]
    assert metadata["resourceVersion"] != created["metadata"]["resourceVersion"]
    assert [p["port"] for p in updated["spec"]["ports"]] == [80, 443]
    assert "tier" not in metadata["labels"], "a label removed from the template is removed"
    assert metadata["labels"]["member-added"] == "yes"
    assert metadata["labels"][MANAGED_LABEL] == "true"
    assert metadata["annotations"]["member.example.com/note"] == "keep me"
    assert metadata["finalizers"] == ["member.example.com/protect"]

    # Let the member's finalizer go, then delete.
    await core.patch_namespaced_service(name, NS, {"metadata": {"finalizers": None}})
    assert await member1.delete("v1", "Service", name, namespace=NS) is DeleteResult.DELETED
    with pytest.raises(NotFound):
        await member1.get("v1", "Service", name, namespace=NS)


async def test_update_keeps_the_allocated_cluster_ip(member1: MemberClient, name: str) -> None:
    created = await apply(member1, service(name, labels={}, ports=[{"port": 80}]))
    cluster_ip = created["spec"]["clusterIP"]
    assert cluster_ip and cluster_ip != "None"
    updated = await apply(member1, service(name, labels={}, ports=[{"port": 8080}]))
    assert updated["spec"]["clusterIP"] == cluster_ip
    assert updated["spec"].get("clusterIPs", [cluster_ip])[0] == cluster_ip
    assert [p["port"] for p in updated["spec"]["ports"]] == [8080]
    assert await member1.delete("v1", "Service", name, namespace=NS) is DeleteResult.DELETED


async def test_unchanged_apply_does_not_write_but_reverts_member_drift(
    member1: MemberClient, official: ApiClient, name: str
) -> None:
    manifest = configmap(name, {"k": "v1"}, app=name)
    first = await apply(member1, manifest)
    again = await apply(member1, manifest)
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]

    # Drift in the member: someone edits the data and adds a label.
    core = CoreV1Api(official)
    await core.patch_namespaced_config_map(
        name, NS, {"metadata": {"labels": {"member-added": "yes"}}, "data": {"k": "edited"}}
    )
    reverted = await apply(member1, manifest)
    assert reverted["data"] == {"k": "v1"}
    assert reverted["metadata"]["labels"]["member-added"] == "yes"
    assert await member1.delete("v1", "ConfigMap", name, namespace=NS) is DeleteResult.DELETED


async def test_conflict_on_unmanaged_object_and_adoption_with_overwrite(
    member1: MemberClient, official: ApiClient, name: str
) -> None:
    core = CoreV1Api(official)
    await core.create_namespaced_config_map(
        NS,
        V1ConfigMap(
            metadata=V1ObjectMeta(name=name, labels={"legacy": "yes"}), data={"k": "legacy"}
        ),
    )
    manifest = configmap(name, {"k": "from-karmada"}, app=name)
    with pytest.raises(ConflictError) as caught:
        await apply(member1, manifest)
    assert str(caught.value) == (
        f"cluster member1: ConfigMap {NS}/{name} already exists in cluster member1 and is not "
        "managed by Karmada; set conflictResolution: Overwrite to adopt it"
    )
    untouched = await member1.get("v1", "ConfigMap", name, namespace=NS)
    assert untouched["data"] == {"k": "legacy"}
    assert MANAGED_LABEL not in untouched["metadata"]["labels"]
    # Deleting an unmanaged object is refused too.
    assert await member1.delete("v1", "ConfigMap", name, namespace=NS) is DeleteResult.NOT_MANAGED
    await member1.get("v1", "ConfigMap", name, namespace=NS)

    adopted = await apply(member1, manifest, conflict_resolution="Overwrite")
    assert adopted["data"] == {"k": "from-karmada"}
    assert adopted["metadata"]["labels"] == {"legacy": "yes", "app": name, MANAGED_LABEL: "true"}
    assert adopted["metadata"]["annotations"]["work.karmada.io/conflict-resolution"] == (
        "overwrite"
    )
    # Once adopted it is managed: later applies need no Overwrite.
    again = await apply(member1, configmap(name, {"k": "v2"}, app=name))
    assert again["data"] == {"k": "v2"}
    assert await member1.delete("v1", "ConfigMap", name, namespace=NS) is DeleteResult.DELETED


async def test_apply_trusting_a_seen_copy(
    member1: MemberClient, official: ApiClient, name: str
) -> None:
    manifest = configmap(name, {"k": "v1"}, app=name)
    # Seen absent: created straight away.
    first = await apply(member1, manifest, seen=Seen(None))
    assert first["data"] == {"k": "v1"}
    # Seen as it is: nothing to write.
    again = await apply(member1, manifest, seen=Seen(first))
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    # A stale copy (the member's data was edited since): the rejected write re-reads and lands.
    core = CoreV1Api(official)
    await core.patch_namespaced_config_map(name, NS, {"data": {"k": "edited"}})
    updated = await apply(member1, configmap(name, {"k": "v2"}, app=name), seen=Seen(first))
    assert updated["data"] == {"k": "v2"}
    # A copy saying absent when the object exists: the create fails, then an update.
    after = await apply(member1, configmap(name, {"k": "v3"}, app=name), seen=Seen(None))
    assert after["data"] == {"k": "v3"}
    assert (await member1.get("v1", "ConfigMap", name, namespace=NS))["data"] == {"k": "v3"}
    assert await member1.delete("v1", "ConfigMap", name, namespace=NS) is DeleteResult.DELETED


async def test_seen_absent_never_adopts_an_unmanaged_object(
    member1: MemberClient, official: ApiClient, name: str
) -> None:
    core = CoreV1Api(official)
    await core.create_namespaced_config_map(
        NS, V1ConfigMap(metadata=V1ObjectMeta(name=name), data={"k": "legacy"})
    )
    with pytest.raises(ConflictError):
        await apply(member1, configmap(name, {"k": "mine"}, app=name), seen=Seen(None))
    untouched = await member1.get("v1", "ConfigMap", name, namespace=NS)
    assert untouched["data"] == {"k": "legacy"}
    await core.delete_namespaced_config_map(name, NS)


async def test_delete_only_what_karmada_manages(member1: MemberClient, name: str) -> None:
    await apply(member1, configmap(name, {"k": "v"}), work="owner")
    assert (
        await member1.delete(
            "v1", "ConfigMap", name, namespace=NS, work_namespace=WORK_NS, work_name="other"
        )
        is DeleteResult.NOT_MANAGED
    )
    await member1.get("v1", "ConfigMap", name, namespace=NS)
    assert (
        await member1.delete(
            "v1", "ConfigMap", name, namespace=NS, work_namespace=WORK_NS, work_name="owner"
        )
        is DeleteResult.DELETED
    )
    assert await member1.delete("v1", "ConfigMap", name, namespace=NS) is DeleteResult.NOT_FOUND
    assert (
        await member1.delete("example.io/v1", "Nothing", name, namespace=NS)
        is DeleteResult.NOT_FOUND
    )


async def test_status_read_back(member1: MemberClient, official: ApiClient, name: str) -> None:
    # A CronJob: the simulator runs no controller that would write its status.
    cronjob: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "schedule": "*/5 * * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [{"name": "app", "image": "busybox"}],
                        }
                    }
                }
            },
        },
        "status": {"lastScheduleTime": "2020-01-01T00:00:00Z"},  # a template's status is never sent
    }
    created = await apply(member1, cronjob)
    assert "lastScheduleTime" not in (created.get("status") or {})
    # The member's controller reports status through the status subresource.
    batch = BatchV1Api(official)
    status = {
        "lastScheduleTime": "2026-01-01T00:00:00Z",
        "lastSuccessfulTime": "2026-01-01T00:01:00Z",
    }
    await batch.patch_namespaced_cron_job_status(name, NS, {"status": status})
    read = await member1.get_status("batch/v1", "CronJob", name, namespace=NS)
    assert {k: read[k] for k in status} == status
    # Re-applying a changed template keeps the member's status.
    changed = copy.deepcopy(cronjob)
    changed["spec"]["schedule"] = "*/10 * * * *"
    updated = await apply(member1, changed)
    assert updated["spec"]["schedule"] == "*/10 * * * *"
    assert updated["status"]["lastScheduleTime"] == status["lastScheduleTime"]
    assert await member1.delete("batch/v1", "CronJob", name, namespace=NS) is (DeleteResult.DELETED)


async def test_cluster_scoped_kind(member1: MemberClient, name: str) -> None:
    manifest = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    created = await member1.apply(
        manifest,
        work_namespace=WORK_NS,
        work_name="ns",
        binding=BindingRef(f"{name}-namespace", permanent_id="crb-1"),
    )
    assert "namespace" not in created["metadata"]
    assert created["metadata"]["annotations"]["clusterresourcebinding.karmada.io/name"] == (
        f"{name}-namespace"
    )
    assert await member1.delete("v1", "Namespace", name) is DeleteResult.DELETED


async def test_errors_are_typed(member1: MemberClient, name: str) -> None:
    with pytest.raises(NotFound):
        await member1.get("v1", "ConfigMap", name, namespace=NS)
    with pytest.raises(NotFound):
        await member1.get_status("v1", "ConfigMap", name, namespace=NS)
    with pytest.raises(NoKindMatch, match=r"does not serve kind Widget in example\.io/v1"):
        await apply(
            member1,
            {
                "apiVersion": "example.io/v1",
                "kind": "Widget",
                "metadata": {"name": name, "namespace": NS},
            },
        )
    with pytest.raises(Invalid, match=r"needs metadata\.namespace"):
        await apply(member1, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
    with pytest.raises(Invalid, match=r"needs apiVersion, kind and metadata\.name"):
        await apply(member1, {"kind": "ConfigMap", "metadata": {"name": name}})
    with pytest.raises(Invalid, match="is namespaced"):
        await member1.get("v1", "ConfigMap", name)
    with pytest.raises(Invalid, match="is namespaced"):
        await member1.delete("v1", "ConfigMap", name)
    with pytest.raises(Invalid) as caught:
        await apply(member1, configmap("Not_A_DNS_Name", {}))
    assert caught.value.status == 422
    assert "Not_A_DNS_Name" in caught.value.message


async def test_cluster_status_probes(member1: MemberClient) -> None:
    health = await member1.health()
    assert (health.online, health.healthy, health.reason) == (True, True, "ClusterReady")
    assert (await member1.version()).startswith("v1.")
    enablements = await member1.api_enablements()
    assert enablements.complete
    by_gv = {
        e.group_version: {r.kind: r.name for r in e.resources} for e in enablements.enablements
    }
    assert by_gv["v1"]["Pod"] == "pods"
    assert by_gv["apps/v1"]["Deployment"] == "deployments"
    assert by_gv["multicluster.x-k8s.io/v1alpha1"]["ServiceExport"] == "serviceexports"
    assert all("/" not in name for kinds in by_gv.values() for name in kinds.values())
    nodes, resources = await member1.summaries()
    assert (nodes.total, nodes.ready) == (3, 3)
    assert await member1.node_summary() == nodes
    assert resources.allocatable["cpu"] == "24"
    assert resources.allocatable["memory"] == "96Gi"
    assert resources.allocatable["pods"] == "330"
    assert {"cpu", "memory", "pods"} <= resources.allocated.keys()


async def next_event(events: AsyncIterator[WatchEvent], *, of: str = "") -> WatchEvent:
    """The next event (for object `of`, if given), within a deadline."""
    async with asyncio.timeout(10):
        async for event in events:
            if not of or event.object.get("metadata", {}).get("name") == of:
                return event
    raise AssertionError("the watch ended")


async def test_list_and_watch_sees_drift(
    member1: MemberClient, official: ApiClient, name: str
) -> None:
    selector = f"{MANAGED_LABEL}=true,watch-test={name}"
    events = member1.list_and_watch("v1", "ConfigMap", namespace=NS, label_selector=selector)
    try:
        listed = await next_event(events)
        assert listed.type == LISTED and listed.resource_version

        await apply(member1, configmap(name, {"k": "v"}, **{"watch-test": name}))
        added = await next_event(events, of=name)
        assert added.type == "ADDED"

        core = CoreV1Api(official)
        await core.patch_namespaced_config_map(name, NS, {"data": {"k": "drifted"}})
        modified = await next_event(events, of=name)
        assert modified.type == "MODIFIED"
        assert modified.object["data"] == {"k": "drifted"}

        await member1.delete("v1", "ConfigMap", name, namespace=NS)
        deleted = await next_event(events, of=name)
        assert deleted.type == "DELETED"
    finally:
        await events.aclose()


async def test_list_and_watch_resumes_after_the_member_was_unreachable(
    membersim: SimulatorProcess, name: str
) -> None:
    member2 = await MemberClient.from_kubeconfig_file(
        "member2", membersim.kubeconfig("member2"), options=ClientOptions(timeout=5)
    )
    async with member2:
        selector = f"{MANAGED_LABEL}=true,watch-test={name}"
        events = member2.list_and_watch("v1", "ConfigMap", namespace=NS, label_selector=selector)
        try:
            listed = await next_event(events)
            assert listed.type == LISTED
            # The fault cuts the open watch at once; the loop keeps retrying meanwhile.
            await asyncio.to_thread(membersim.faults, "member2", "POST", {"unreachable": True})
            await asyncio.to_thread(membersim.faults, "member2", "DELETE")
            await apply(member2, configmap(name, {"k": "v"}, **{"watch-test": name}))
            resumed = await next_event(events)
            assert (resumed.type, resumed.object["metadata"]["name"]) == ("ADDED", name)
            await member2.delete("v1", "ConfigMap", name, namespace=NS)
            # Resumed from its last version: a relist would have put LISTED in between.
            following = await next_event(events)
            assert (following.type, following.object["metadata"]["name"]) == ("DELETED", name)
        finally:
            await events.aclose()
            await asyncio.to_thread(membersim.faults, "member2", "DELETE")


async def test_watch_resumes_from_a_version(member1: MemberClient, name: str) -> None:
    listing = await member1.list("v1", "ConfigMap", namespace=NS, label_selector=f"w={name}")
    assert listing.items == []
    await apply(member1, configmap(name, {"k": "v"}, w=name))
    events = member1.watch(
        "v1",
        "ConfigMap",
        namespace=NS,
        label_selector=f"w={name}",
        resource_version=listing.resource_version,
    )
    try:
        event = await next_event(events, of=name)
        assert event.type == "ADDED"
        assert event.object["metadata"]["labels"][MANAGED_LABEL] == "true"
    finally:
        await events.aclose()
    await member1.delete("v1", "ConfigMap", name, namespace=NS)


async def test_watch_from_a_compacted_version_is_expired(member1: MemberClient) -> None:
    events = member1.watch("v1", "ConfigMap", namespace=NS, resource_version="1")
    with pytest.raises(Expired):
        async with asyncio.timeout(10):
            await anext(events)
    await events.aclose()


async def test_list_pages_through_everything(
    member1: MemberClient, membersim: SimulatorProcess, name: str
) -> None:
    for i in range(5):
        await apply(member1, configmap(f"{name}-{i}", {"i": str(i)}, page=name))
    paged = await MemberClient.from_kubeconfig_file(
        "member1", membersim.kubeconfig("member1"), options=ClientOptions(page_size=2)
    )
    async with paged:
        listing = await paged.list("v1", "ConfigMap", namespace=NS, label_selector=f"page={name}")
    assert sorted(o["metadata"]["name"] for o in listing.items) == [f"{name}-{i}" for i in range(5)]
    assert all(o["kind"] == "ConfigMap" for o in listing.items)
    assert listing.resource_version
    for i in range(5):
        await member1.delete("v1", "ConfigMap", f"{name}-{i}", namespace=NS)


async def test_registry_builds_from_kubeconfig_content(membersim: SimulatorProcess) -> None:
    async with MemberClients(options=ClientOptions(timeout=5)) as clients:
        for cluster in CLUSTERS:
            content = membersim.kubeconfig(cluster).read_bytes()
            client = await clients.get(cluster, content)
            assert client.host == membersim.urls[cluster]
            assert (await client.health()).healthy
