"""The scheduler process places bindings written through the API, end to end."""

from __future__ import annotations

from karmada.machinery.client import Client
from karmada.machinery.scheme import CLUSTER, CLUSTER_RESOURCE_BINDING, NAMESPACE, RESOURCE_BINDING
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2
from tests.integration.scheduler.conftest import Plane
from tests.integration.scheduler.objects import (
    bind,
    bind_cluster_scoped,
    cluster_status,
    join,
    placement,
    result,
    scheduled_condition,
)
from tests.support.waiting import eventually

APPLIED = "policy.karmada.io/applied-placement"


async def _namespace(client: Client, unique: str) -> str:
    await client.create(NAMESPACE.new(name=f"ns-{unique}"))
    return f"ns-{unique}"


async def wait_scheduled(
    client: Client, namespace: str, name: str, expected: dict[str, int], *, timeout: float = 15.0
) -> rb_pb2.ResourceBinding:
    async def probe() -> rb_pb2.ResourceBinding | None:
        binding = await client.get(RESOURCE_BINDING, name, namespace)
        condition = scheduled_condition(binding)
        if result(binding) == expected and condition is not None and condition.status == "True":
            return binding
        return None

    return await eventually(
        probe, timeout=timeout, what=f"{namespace}/{name} scheduled to {expected}"
    )


async def wait_condition(
    client: Client, namespace: str, name: str, status: str
) -> rb_pb2.ResourceBinding:
    async def probe() -> rb_pb2.ResourceBinding | None:
        binding = await client.get(RESOURCE_BINDING, name, namespace)
        condition = scheduled_condition(binding)
        return binding if condition is not None and condition.status == status else None

    return await eventually(probe, what=f"{namespace}/{name} Scheduled={status}")


async def test_static_weights_divide_with_webster_and_status_is_written(
    plane: Plane, unique: str
) -> None:
    client = plane.client
    label = ("e2e", unique)
    for name in ("a", "b"):
        await join(client, f"{name}-{unique}", labels={"e2e": unique})
    ns = await _namespace(client, unique)
    written = await bind(
        client,
        ns,
        "web",
        placement(label, weights=[(f"a-{unique}", 1), (f"b-{unique}", 2)]),
        replicas=9,
    )
    binding = await wait_scheduled(client, ns, "web", {f"a-{unique}": 3, f"b-{unique}": 6})
    assert binding.status.scheduler_observed_generation == binding.metadata.generation
    assert binding.status.last_scheduled_time.seconds >= written.metadata.creation_timestamp.seconds
    assert APPLIED in binding.metadata.annotations
    condition = scheduled_condition(binding)
    assert condition is not None and condition.reason == "Success"


async def test_scaling_the_binding_redivides(plane: Plane, unique: str) -> None:
    client = plane.client
    for name in ("a", "b"):
        await join(client, f"{name}-{unique}", labels={"e2e": unique})
    ns = await _namespace(client, unique)
    spec = placement(("e2e", unique), weights=[(f"a-{unique}", 1), (f"b-{unique}", 3)])
    await bind(client, ns, "web", spec, replicas=4)
    binding = await wait_scheduled(client, ns, "web", {f"a-{unique}": 1, f"b-{unique}": 3})
    binding.spec.replicas = 9
    await client.update(binding)
    await wait_scheduled(client, ns, "web", {f"a-{unique}": 2, f"b-{unique}": 7})


async def test_duplicated_gives_every_matching_cluster_all_replicas(
    plane: Plane, unique: str
) -> None:
    client = plane.client
    for name in ("a", "b", "c"):
        await join(client, f"{name}-{unique}", labels={"e2e": unique} if name != "c" else {})
    ns = await _namespace(client, unique)
    await bind(client, ns, "web", placement(("e2e", unique), scheduling="Duplicated"), replicas=3)
    await wait_scheduled(client, ns, "web", {f"a-{unique}": 3, f"b-{unique}": 3})


async def test_dynamic_weights_follow_capacity_and_a_shortfall_waits_for_capacity(
    plane: Plane, unique: str
) -> None:
    client = plane.client
    await join(client, f"a-{unique}", labels={"e2e": unique}, status=cluster_status(cpu="2"))
    await join(client, f"b-{unique}", labels={"e2e": unique}, status=cluster_status(cpu="4"))
    ns = await _namespace(client, unique)
    spec = placement(("e2e", unique), dynamic=True)
    await bind(client, ns, "web", spec, replicas=6, cpu="1")
    await wait_scheduled(client, ns, "web", {f"a-{unique}": 2, f"b-{unique}": 4})

    await bind(client, ns, "big", spec, replicas=12, cpu="1")
    failed = await wait_condition(client, ns, "big", "False")
    condition = scheduled_condition(failed)
    assert condition is not None and condition.reason == "NoClusterFit"
    assert "12" in condition.message and "6" in condition.message, condition.message
    assert not failed.spec.clusters

    cluster = await client.get(CLUSTER, f"a-{unique}")
    cluster.status.resource_summary.allocatable["cpu"] = "8"
    await client.update_status(cluster)
    big = await wait_condition(client, ns, "big", "True")
    assert sum(result(big).values()) == 12


async def test_aggregated_uses_as_few_clusters_as_fit(plane: Plane, unique: str) -> None:
    client = plane.client
    await join(client, f"a-{unique}", labels={"e2e": unique}, status=cluster_status(cpu="3"))
    await join(client, f"b-{unique}", labels={"e2e": unique}, status=cluster_status(cpu="10"))
    await join(client, f"c-{unique}", labels={"e2e": unique}, status=cluster_status(cpu="5"))
    ns = await _namespace(client, unique)
    await bind(
        client, ns, "web", placement(("e2e", unique), division="Aggregated"), replicas=8, cpu="1"
    )
    await wait_scheduled(client, ns, "web", {f"b-{unique}": 8})


async def test_spread_by_region_picks_one_cluster_per_region(plane: Plane, unique: str) -> None:
    client = plane.client
    for name, region in (("a", "east"), ("b", "east"), ("c", "west"), ("d", "north")):
        await join(client, f"{name}-{unique}", labels={"e2e": unique}, region=region)
    ns = await _namespace(client, unique)
    spread = [
        policy_pb2.SpreadConstraint(spread_by_field="region", min_groups=2, max_groups=2),
        policy_pb2.SpreadConstraint(spread_by_field="cluster", min_groups=2, max_groups=2),
    ]
    await bind(
        client,
        ns,
        "web",
        placement(("e2e", unique), scheduling="Duplicated", spread=spread),
        replicas=1,
    )
    binding = await wait_condition(client, ns, "web", "True")
    chosen = result(binding)
    assert len(chosen) == 2
    regions = {"a": "east", "b": "east", "c": "west", "d": "north"}
    assert len({regions[name.split("-")[0]] for name in chosen}) == 2, chosen


async def test_spread_by_label_is_supported(plane: Plane, unique: str) -> None:
    client = plane.client
    for name, rack in (("a", "r1"), ("b", "r1"), ("c", "r2")):
        await join(client, f"{name}-{unique}", labels={"e2e": unique, "rack": rack})
    ns = await _namespace(client, unique)
    spread = [
        policy_pb2.SpreadConstraint(spread_by_label="rack", min_groups=2, max_groups=2),
        policy_pb2.SpreadConstraint(spread_by_field="cluster", min_groups=2, max_groups=2),
    ]
    await bind(
        client,
        ns,
        "web",
        placement(("e2e", unique), scheduling="Duplicated", spread=spread),
        replicas=1,
    )
    binding = await wait_condition(client, ns, "web", "True")
    chosen = result(binding)
    assert f"c-{unique}" in chosen and len(chosen) == 2, chosen


async def test_cluster_affinities_fall_back_group_by_group(plane: Plane, unique: str) -> None:
    client = plane.client
    await join(client, f"backup-{unique}", labels={"e2e": unique, "tier": "backup"})
    ns = await _namespace(client, unique)
    spec = placement(("e2e", unique), scheduling="Duplicated")
    spec.ClearField("cluster_affinity")
    primary = spec.cluster_affinities.add(affinity_name="primary")
    primary.label_selector.match_labels.update({"e2e": unique, "tier": "primary"})
    backup = spec.cluster_affinities.add(affinity_name="backup")
    backup.label_selector.match_labels.update({"e2e": unique, "tier": "backup"})
    await bind(client, ns, "web", spec, replicas=2)
    binding = await wait_scheduled(client, ns, "web", {f"backup-{unique}": 2})
    assert binding.status.scheduler_observing_affinity_name == "backup"


async def test_cluster_scoped_bindings_and_non_workloads(plane: Plane, unique: str) -> None:
    client = plane.client
    for name in ("a", "b"):
        await join(client, f"{name}-{unique}", labels={"e2e": unique})
    await bind_cluster_scoped(
        client,
        f"role-{unique}",
        placement(("e2e", unique), weights=[(f"a-{unique}", 1)]),
        kind=("rbac.authorization.k8s.io/v1", "ClusterRole"),
    )

    async def probe() -> dict[str, int] | None:
        binding = await client.get(CLUSTER_RESOURCE_BINDING, f"role-{unique}")
        return result(binding) or None

    # Without replicas every selected cluster gets the object, whatever the division says.
    assert await eventually(probe, what="cluster binding scheduled") == {
        f"a-{unique}": 0,
        f"b-{unique}": 0,
    }


async def test_a_kind_the_cluster_does_not_serve_is_not_placed_there(
    plane: Plane, unique: str
) -> None:
    client = plane.client
    await join(client, f"a-{unique}", labels={"e2e": unique})
    await join(
        client,
        f"b-{unique}",
        labels={"e2e": unique},
        status=cluster_status(kinds=[("v1", "ConfigMap")]),
    )
    ns = await _namespace(client, unique)
    await bind(client, ns, "web", placement(("e2e", unique), scheduling="Duplicated"), replicas=1)
    await wait_scheduled(client, ns, "web", {f"a-{unique}": 1})
