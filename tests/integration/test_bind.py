"""Bind, the scheduler's one write per result (as kube's pods/binding), against the real apiserver.

A bind must land spec.clusters, the applied-placement annotation and the
scheduler's status fields in a single revision, keep Update's generation rule
and conflict semantics, leave the spec alone when scheduling failed, and set
the Scheduled condition with meta.SetStatusCondition's transition rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest

from karmada.machinery.client import Client, WatchEvent
from karmada.machinery.errors import Conflict, Invalid, NotFound
from karmada.machinery.scheme import CLUSTER, CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING
from karmada.meta.v1 import meta_pb2
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2
from tests.support.processes import ApiServerProcess

APPLIED = "policy.karmada.io/applied-placement"
PLACEMENT = '{"clusterAffinity":{"clusterNames":["m1","m2"]}}'
GRPCURL = str(Path(sys.executable).parent / "grpcurl")

Events = AsyncGenerator[WatchEvent[rb_pb2.ResourceBinding], None]


def new_binding(namespace: str, name: str) -> rb_pb2.ResourceBinding:
    binding = RESOURCE_BINDING.new(name=name, namespace=namespace)
    binding.spec.resource.api_version = "apps/v1"
    binding.spec.resource.kind = "Deployment"
    binding.spec.resource.namespace = namespace
    binding.spec.resource.name = name
    binding.spec.replicas = 3
    return binding


def targets(**replicas: int) -> list[rb_pb2.TargetCluster]:
    return [rb_pb2.TargetCluster(name=name, replicas=n) for name, n in replicas.items()]


def scheduled(status: str = "True", reason: str = "Success") -> meta_pb2.Condition:
    return meta_pb2.Condition(
        type="Scheduled", status=status, reason=reason, message=f"{reason} message"
    )


def condition_of(binding: rb_pb2.ResourceBinding, type_: str) -> meta_pb2.Condition:
    found = [c for c in binding.status.conditions if c.type == type_]
    assert len(found) == 1, list(binding.status.conditions)
    return found[0]


def watch(client: Client, namespace: str, resource_version: str) -> Events:
    stream = client.watch(RESOURCE_BINDING, namespace=namespace, resource_version=resource_version)
    return cast(Events, stream)


async def events_until(
    stream: AsyncIterator[WatchEvent[rb_pb2.ResourceBinding]],
    resource_version: str,
    *,
    timeout: float = 10.0,
) -> list[WatchEvent[rb_pb2.ResourceBinding]]:
    """Every non-bookmark event up to and including the one at `resource_version`."""
    out: list[WatchEvent[rb_pb2.ResourceBinding]] = []

    async def read() -> None:
        async for event in stream:
            if event.type == "BOOKMARK":
                continue
            out.append(event)
            if int(event.resource_version) >= int(resource_version):
                return

    await asyncio.wait_for(read(), timeout)
    return out


async def bind_scheduled(
    client: Client,
    binding: rb_pb2.ResourceBinding,
    clusters: list[rb_pb2.TargetCluster],
    *,
    applied_placement: str = PLACEMENT,
    affinity_name: str = "",
) -> rb_pb2.ResourceBinding:
    return await client.bind(
        RESOURCE_BINDING,
        name=binding.metadata.name,
        namespace=binding.metadata.namespace,
        resource_version=binding.metadata.resource_version,
        clusters=clusters,
        applied_placement=applied_placement,
        affinity_name=affinity_name,
        condition=scheduled(),
    )


async def bind_failed(
    client: Client, binding: rb_pb2.ResourceBinding, *, reason: str = "NoClusterFit"
) -> rb_pb2.ResourceBinding:
    return await client.bind(
        RESOURCE_BINDING,
        name=binding.metadata.name,
        namespace=binding.metadata.namespace,
        resource_version=binding.metadata.resource_version,
        clusters=targets(ignored=1),
        applied_placement="ignored",
        affinity_name="ignored",
        condition=scheduled("False", reason),
    )


async def test_success_writes_spec_annotation_and_status_in_one_revision(
    client: Client, namespace: str
) -> None:
    created = await client.create(new_binding(namespace, "web"))
    async with contextlib.aclosing(
        watch(client, namespace, created.metadata.resource_version)
    ) as stream:
        bound = await bind_scheduled(client, created, targets(m1=2, m2=1), affinity_name="primary")
        events = await events_until(stream, bound.metadata.resource_version)
    assert [(e.type, e.resource_version) for e in events] == [
        ("MODIFIED", bound.metadata.resource_version)
    ]
    assert events[0].object == bound
    assert await client.get(RESOURCE_BINDING, "web", namespace) == bound
    assert int(bound.metadata.resource_version) > int(created.metadata.resource_version)
    assert list(bound.spec.clusters) == targets(m1=2, m2=1)
    assert bound.metadata.annotations[APPLIED] == PLACEMENT
    assert bound.metadata.generation == 2
    status = bound.status
    assert status.scheduler_observed_generation == 2
    assert status.scheduler_observing_affinity_name == "primary"
    assert status.last_scheduled_time.seconds >= created.metadata.creation_timestamp.seconds
    condition = condition_of(bound, "Scheduled")
    assert (condition.status, condition.reason, condition.message) == (
        "True",
        "Success",
        "Success message",
    )
    assert condition.observed_generation == 2
    assert condition.last_transition_time.seconds > 0
    # Everything else is the stored object's.
    assert bound.metadata.uid == created.metadata.uid
    assert bound.spec.resource == created.spec.resource


async def test_generation_bumps_only_when_clusters_change(client: Client, namespace: str) -> None:
    created = await client.create(new_binding(namespace, "web"))
    first = await bind_scheduled(client, created, targets(m1=3))
    assert first.metadata.generation == 2
    same = await bind_scheduled(client, first, targets(m1=3), applied_placement="{}")
    assert same.metadata.annotations[APPLIED] == "{}"
    assert same.metadata.generation == 2
    assert same.status.scheduler_observed_generation == 2
    moved = await bind_scheduled(client, same, targets(m2=3))
    assert moved.metadata.generation == 3
    assert moved.status.scheduler_observed_generation == 3
    assert condition_of(moved, "Scheduled").observed_generation == 3


async def test_empty_applied_placement_removes_the_annotation(
    client: Client, namespace: str
) -> None:
    binding = new_binding(namespace, "web")
    binding.metadata.annotations[APPLIED] = PLACEMENT
    binding.metadata.annotations["other"] = "kept"
    created = await client.create(binding)
    bound = await bind_scheduled(client, created, targets(m1=3), applied_placement="")
    assert dict(bound.metadata.annotations) == {"other": "kept"}


async def test_last_transition_time_moves_only_when_status_flips(
    client: Client, namespace: str
) -> None:
    created = await client.create(new_binding(namespace, "web"))
    first = await bind_scheduled(client, created, targets(m1=3))
    await asyncio.sleep(1.1)  # timestamps have second precision
    again = await bind_scheduled(client, first, targets(m2=3))
    assert (
        condition_of(again, "Scheduled").last_transition_time
        == condition_of(first, "Scheduled").last_transition_time
    )
    assert (
        again.status.last_scheduled_time.ToNanoseconds()
        > first.status.last_scheduled_time.ToNanoseconds()
    )
    failed = await bind_failed(client, again)
    assert (
        condition_of(failed, "Scheduled").last_transition_time.seconds
        > condition_of(again, "Scheduled").last_transition_time.seconds
    )


async def test_failure_changes_status_only(client: Client, namespace: str) -> None:
    created = await client.create(new_binding(namespace, "web"))
    bound = await bind_scheduled(client, created, targets(m1=3), affinity_name="primary")
    with_other = rb_pb2.ResourceBinding()
    with_other.CopyFrom(bound)
    with_other.status.conditions.add(type="FullyApplied", status="True", reason="Applied")
    with_other = await client.update_status(with_other)
    failed = await bind_failed(client, with_other, reason="NoClusterFit")
    assert failed.spec == bound.spec
    assert dict(failed.metadata.annotations) == dict(bound.metadata.annotations)
    assert failed.metadata.generation == bound.metadata.generation == 2
    assert failed.status.last_scheduled_time == bound.status.last_scheduled_time
    assert failed.status.scheduler_observing_affinity_name == "primary"
    assert failed.status.scheduler_observed_generation == 2
    condition = condition_of(failed, "Scheduled")
    assert (condition.status, condition.reason, condition.observed_generation) == (
        "False",
        "NoClusterFit",
        2,
    )
    assert condition_of(failed, "FullyApplied") == condition_of(with_other, "FullyApplied")


async def test_a_bind_that_changes_nothing_does_not_write(client: Client, namespace: str) -> None:
    created = await client.create(new_binding(namespace, "web"))
    failed = await bind_failed(client, created)
    again = await bind_failed(client, failed)
    assert again == failed


async def test_invalid_result_is_rejected_and_changes_nothing(
    client: Client, namespace: str
) -> None:
    created = await client.create(new_binding(namespace, "web"))
    clusters = [rb_pb2.TargetCluster(name="m1"), rb_pb2.TargetCluster(name="m1", replicas=-1)]
    with pytest.raises(Invalid) as caught:
        await bind_scheduled(client, created, clusters)
    assert [v.field for v in caught.value.violations] == [
        "spec.clusters[1].name",
        "spec.clusters[1].replicas",
    ]
    assert await client.get(RESOURCE_BINDING, "web", namespace) == created


async def test_stale_resource_version_is_conflict(client: Client, namespace: str) -> None:
    created = await client.create(new_binding(namespace, "web"))
    relabelled = rb_pb2.ResourceBinding()
    relabelled.CopyFrom(created)
    relabelled.metadata.labels["team"] = "a"
    relabelled = await client.update(relabelled)
    with pytest.raises(Conflict):
        await bind_scheduled(client, created, targets(m1=3))
    assert await client.get(RESOURCE_BINDING, "web", namespace) == relabelled


async def test_missing_binding_is_not_found(client: Client, namespace: str) -> None:
    missing = new_binding(namespace, "missing")
    missing.metadata.resource_version = "1"
    with pytest.raises(NotFound):
        await bind_scheduled(client, missing, targets(m1=3))


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        pytest.param(
            {"condition": meta_pb2.Condition(type="Ready", status="True")},
            ["condition.type"],
            id="type",
        ),
        pytest.param(
            {"condition": meta_pb2.Condition(type="Scheduled", status="Unknown")},
            ["condition.status"],
            id="status",
        ),
        pytest.param(
            {"condition": meta_pb2.Condition()},
            ["condition.type", "condition.status"],
            id="empty-condition",
        ),
        pytest.param(
            {"name": "", "resource_version": ""},
            ["name", "resourceVersion"],
            id="name-and-version",
        ),
    ],
)
async def test_bad_request_is_invalid(
    client: Client, namespace: str, overrides: dict[str, Any], fields: list[str]
) -> None:
    request: dict[str, Any] = {
        "name": "web",
        "resource_version": "1",
        "condition": scheduled(),
        **overrides,
    }
    with pytest.raises(Invalid) as caught:
        await client.bind(RESOURCE_BINDING, namespace=namespace, clusters=targets(m1=1), **request)
    assert [v.field for v in caught.value.violations] == fields


async def test_deleting_binding_can_still_be_bound(client: Client, namespace: str) -> None:
    binding = new_binding(namespace, "web")
    binding.metadata.finalizers.append("karmada.io/test")
    created = await client.create(binding)
    await client.delete(RESOURCE_BINDING, "web", namespace)
    deleting = await client.get(RESOURCE_BINDING, "web", namespace)
    assert deleting.metadata.HasField("deletion_timestamp")
    bound = await bind_scheduled(client, deleting, targets(m1=3))
    assert list(bound.spec.clusters) == targets(m1=3)
    assert bound.metadata.deletion_timestamp == deleting.metadata.deletion_timestamp
    assert list(bound.metadata.finalizers) == list(created.metadata.finalizers)


async def test_watch_sees_one_modified_event_per_bind(client: Client, namespace: str) -> None:
    created = await client.create(new_binding(namespace, "web"))
    async with contextlib.aclosing(
        watch(client, namespace, created.metadata.resource_version)
    ) as stream:
        first = await bind_scheduled(client, created, targets(m1=3))
        second = await bind_scheduled(client, first, targets(m1=1, m2=2))
        third = await bind_failed(client, second)
        events = await events_until(stream, third.metadata.resource_version)
    assert [(e.type, e.object) for e in events] == [
        ("MODIFIED", first),
        ("MODIFIED", second),
        ("MODIFIED", third),
    ]


async def test_cluster_resource_binding(client: Client, unique: str) -> None:
    binding = CLUSTER_RESOURCE_BINDING.new(name=f"crb-{unique}")
    binding.spec.resource.api_version = "v1"
    binding.spec.resource.kind = "Namespace"
    binding.spec.resource.name = f"ns-{unique}"
    created = await client.create(binding)
    bound: crb_pb2.ClusterResourceBinding = await client.bind(
        CLUSTER_RESOURCE_BINDING,
        name=created.metadata.name,
        resource_version=created.metadata.resource_version,
        clusters=targets(m1=0, m2=0),
        applied_placement=PLACEMENT,
        affinity_name="primary",
        condition=scheduled(),
    )
    assert list(bound.spec.clusters) == targets(m1=0, m2=0)
    assert bound.metadata.annotations[APPLIED] == PLACEMENT
    assert bound.metadata.generation == bound.status.scheduler_observed_generation == 2
    assert bound.status.scheduler_observing_affinity_name == "primary"
    assert [c.type for c in bound.status.conditions] == ["Scheduled"]
    failed = await client.bind(
        CLUSTER_RESOURCE_BINDING,
        name=created.metadata.name,
        resource_version=bound.metadata.resource_version,
        clusters=[],
        condition=scheduled("False", "NoClusterFit"),
    )
    assert failed.spec == bound.spec
    assert failed.status.conditions[0].status == "False"
    with pytest.raises(Conflict):
        await client.bind(
            CLUSTER_RESOURCE_BINDING,
            name=created.metadata.name,
            resource_version=created.metadata.resource_version,
            clusters=[],
            condition=scheduled(),
        )
    with pytest.raises(NotFound):
        await client.bind(
            CLUSTER_RESOURCE_BINDING,
            name=f"missing-{unique}",
            resource_version="1",
            clusters=[],
            condition=scheduled(),
        )


async def test_kinds_without_bind_are_refused_by_the_client(client: Client) -> None:
    with pytest.raises(TypeError):
        await client.bind(
            CLUSTER, name="m1", resource_version="1", clusters=[], condition=scheduled()
        )


async def test_reflection_describes_bind(apiserver: ApiServerProcess) -> None:
    outputs: list[str] = []
    for service in (
        "karmada.work.v1alpha2.ResourceBindingService",
        "karmada.work.v1alpha2.ClusterResourceBindingService",
    ):
        process = await asyncio.create_subprocess_exec(
            GRPCURL,
            "-plaintext",
            apiserver.address,
            "describe",
            service,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, err.decode()
        outputs.append(out.decode())
    assert (
        "rpc BindResourceBinding ( .karmada.work.v1alpha2.BindResourceBindingRequest )"
        in (outputs[0])
    )
    assert "rpc BindClusterResourceBinding" in outputs[1]
