"""karmadactl's cluster commands as a user types them, against a whole control plane.

join, cordon / uncordon, taint, promote and unjoin run as `python -m
karmadactl` subprocesses against real processes (apiserver, scheduler,
controller manager, member simulator); the members are checked with the
member client and the members' own official client, as a user would check
with kubectl. Tests share one plane and restore what they change (taints,
joined clusters), each working in its own namespace.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import yaml
from kubernetes.aio import client as k8s

from karmada.machinery import errors
from karmada.machinery.scheme import CLUSTER, NAMESPACE, PROPAGATION_POLICY, WORK
from karmada.member import NotFound
from karmada.names import UNSCHEDULABLE_TAINT, execution_space, work_name
from karmada.registration import CLUSTER_NAMESPACE, SECRET
from karmadactl.commands.promote import policy_name
from tests.integration.controller_manager.flows.conftest import FAST
from tests.integration.karmadactl.cluster_support import (
    CLUSTERS,
    DEPLOYMENT,
    apply,
    fails,
    join,
    kubeconfig,
    legacy_deployment,
    new_namespace,
    replicas,
    scheduled,
    succeeds,
    synced_namespace,
    taints,
    wait_ready,
    wait_replicas,
    workload,
)
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("karmadactl-clusters"),
        clusters=",".join(CLUSTERS),
        manager_args=FAST,
        simulator_args=("--pod-ready-delay=0.2",),
    )
    await started.start()
    try:
        for cluster in CLUSTERS:
            await join(started, cluster)
        await wait_ready(started, *CLUSTERS)
        yield started
    finally:
        await started.stop()


# -- join -------------------------------------------------------------------


async def test_join_registers_push_clusters_that_become_ready(plane: ControlPlane) -> None:
    for index, name in enumerate(CLUSTERS, start=1):
        cluster = await plane.client.get(CLUSTER, name)
        assert cluster.spec.sync_mode == "Push"
        assert cluster.spec.region == f"region-{index}"
        assert list(cluster.spec.zones) == [f"zone-{index}a", f"zone-{index}b"]
        assert dict(cluster.metadata.labels) == {"tier": f"t{index}", "cli": "yes"}
        assert cluster.spec.id, "the uid of the member's kube-system namespace"
        assert cluster.spec.secret_ref.name == name
        await plane.client.get(SECRET, name, CLUSTER_NAMESPACE)
        await plane.client.get(NAMESPACE, execution_space(name))
    ids = {(await plane.client.get(CLUSTER, name)).spec.id for name in CLUSTERS}
    assert len(ids) == len(CLUSTERS)


async def test_join_refuses_bad_input_in_one_line(plane: ControlPlane) -> None:
    missing = plane.directory / "missing.yaml"
    assert await fails(plane, "join", "member9", "--cluster-kubeconfig", str(missing)) == (
        f"error: failed to get joining cluster config: kubeconfig {missing} does not exist"
    )
    broken = plane.directory / "broken.yaml"
    broken.write_text("apiVersion: v1\nclusters: [\n")
    error = await fails(plane, "join", "member9", "--cluster-kubeconfig", str(broken))
    assert error.startswith(f"error: failed to get joining cluster config: {broken}:")
    assert await fails(
        plane,
        "join",
        "member9",
        "--cluster-kubeconfig",
        kubeconfig(plane, "member1"),
        "--cluster-context",
        "nope",
    ) == ("error: failed to get joining cluster config: context 'nope' not found in the kubeconfig")
    assert await fails(
        plane, "join", "member1", "--cluster-kubeconfig", kubeconfig(plane, "member1")
    ) == ("error: cluster member1 already exists")
    assert await fails(
        plane, "join", "again", "--cluster-kubeconfig", kubeconfig(plane, "member1")
    ) == ("error: the same cluster has been registered with name member1")
    error = await fails(
        plane, "join", "Bad_Name", "--cluster-kubeconfig", kubeconfig(plane, "member1")
    )
    assert error.startswith("error: invalid cluster name(Bad_Name): ")
    unreachable = plane.directory / "unreachable.yaml"
    unreachable.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "x", "cluster": {"server": "https://127.0.0.1:1"}}],
                "users": [{"name": "x", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "x", "user": "x"}}],
                "current-context": "x",
            }
        )
    )
    error = await fails(
        plane, "join", "member9", "--cluster-kubeconfig", str(unreachable), "--timeout", "5s"
    )
    assert error.startswith("error: cannot reach cluster(member9) at https://127.0.0.1:1: ")
    # Nothing was written for any of them.
    for name in ("member9", "again"):
        with pytest.raises(errors.NotFound):
            await plane.client.get(CLUSTER, name)
        with pytest.raises(errors.NotFound):
            await plane.client.get(SECRET, name, CLUSTER_NAMESPACE)


# -- cordon / uncordon ------------------------------------------------------


async def test_cordon_keeps_replicas_but_blocks_new_scheduling_until_uncordon(
    plane: ControlPlane,
) -> None:
    ns = await new_namespace(plane)
    await apply(plane, workload(ns, "web", 6, CLUSTERS))
    await wait_replicas(plane, ns, "web", {"member1": 2, "member2": 2, "member3": 2})

    assert await succeeds(plane, "cordon", "member3") == "cluster/member3 cordoned\n"
    try:
        assert await succeeds(plane, "cordon", "member3") == "cluster/member3 already cordoned\n"
        assert f"{UNSCHEDULABLE_TAINT}:NoSchedule" in await taints(plane, "member3")

        # A new workload is placed on the other two only...
        await apply(plane, workload(ns, "api", 6, CLUSTERS))
        await wait_replicas(plane, ns, "api", {"member1": 3, "member2": 3})
        assert await scheduled(plane, ns, "api") == {"member1": 3, "member2": 3}
        # ... while the one already there keeps its replicas on the cordoned cluster.
        assert await scheduled(plane, ns, "web") == {"member1": 2, "member2": 2, "member3": 2}
        assert await replicas(plane, ns, "web") == {"member1": 2, "member2": 2, "member3": 2}
    finally:
        assert await succeeds(plane, "uncordon", "member3") == "cluster/member3 uncordoned\n"
    assert await succeeds(plane, "uncordon", "member3") == "cluster/member3 already uncordoned\n"
    assert f"{UNSCHEDULABLE_TAINT}:NoSchedule" not in await taints(plane, "member3")

    # Re-tainting a cluster makes the scheduler reconsider the bindings that could use it
    # (docs/scheduler.md): the workload placed while it was cordoned spreads back.
    await wait_replicas(plane, ns, "api", {"member1": 2, "member2": 2, "member3": 2})
    assert await replicas(plane, ns, "web") == {"member1": 2, "member2": 2, "member3": 2}


async def test_cordon_of_an_unknown_cluster(plane: ControlPlane) -> None:
    for command in ("cordon", "uncordon"):
        assert await fails(plane, command, "member9") == (
            'error: clusters.cluster.karmada.io "member9" not found'
        )


# -- taint ------------------------------------------------------------------


async def test_no_execute_taint_evicts_bindings_that_enable_failover(plane: ControlPlane) -> None:
    ns = await new_namespace(plane)
    await apply(plane, workload(ns, "web", 4, ("member1", "member2"), failover=True))
    await wait_replicas(plane, ns, "web", {"member1": 2, "member2": 2})

    out = await succeeds(plane, "taint", "clusters", "member2", "maintenance=now:NoExecute")
    assert out == "cluster/member2 tainted\n"
    try:
        cluster = await plane.client.get(CLUSTER, "member2")
        [taint] = [t for t in cluster.spec.taints if t.key == "maintenance"]
        assert (taint.value, taint.effect) == ("now", "NoExecute")
        assert taint.HasField("time_added")

        # The taint manager evicts member2 from the binding (no toleration), purge
        # mode Directly: the replicas move to member1 and member2's copy goes.
        await wait_replicas(plane, ns, "web", {"member1": 4})
        assert await scheduled(plane, ns, "web") == {"member1": 4}
    finally:
        out = await succeeds(plane, "taint", "clusters", "member2", "maintenance:NoExecute-")
        assert out == "cluster/member2 untainted\n"
    # Untainted, member2 is a candidate again and the weights spread the replicas back.
    await wait_replicas(plane, ns, "web", {"member1": 2, "member2": 2})


async def test_taint_add_overwrite_and_remove(plane: ControlPlane) -> None:
    taint = ("taint", "clusters", "member1")
    assert await succeeds(plane, *taint, "dedicated=special-user:PreferNoSchedule") == (
        "cluster/member1 tainted\n"
    )
    try:
        assert await fails(plane, *taint, "dedicated=other:PreferNoSchedule") == (
            "error: cluster member1 already has dedicated taint(s) with same effect(s) "
            "and --overwrite is false"
        )
        assert await succeeds(plane, *taint, "dedicated=other:PreferNoSchedule", "--overwrite") == (
            "cluster/member1 modified\n"
        )
        assert "dedicated=other:PreferNoSchedule" in await taints(plane, "member1")
    finally:
        assert await succeeds(plane, *taint, "dedicated-") == "cluster/member1 untainted\n"
    assert not any(t.startswith("dedicated") for t in await taints(plane, "member1"))


async def test_bad_taint_specs_give_one_line_errors(plane: ControlPlane) -> None:
    before = await taints(plane, "member1")
    cases = {
        ("clusters", "member1", "key=value:Sometimes"): (
            "error: invalid taint effect: Sometimes, unsupported taint effect"
        ),
        ("clusters", "member1", "a=b=c:NoSchedule"): "error: invalid taint spec: a=b=c:NoSchedule",
        ("clusters", "member1", "a:b:c"): "error: invalid taint spec: a:b:c",
        ("nodes", "member1", "a:NoSchedule"): (
            'error: invalid resource type nodes, only ["cluster" "clusters"] are supported'
        ),
        ("clusters", "member9", "a:NoSchedule"): (
            'error: clusters.cluster.karmada.io "member9" not found'
        ),
        ("clusters", "member1", "gone:NoSchedule-"): 'error: taint "gone:NoSchedule" not found',
        ("clusters", "member1"): "error: at least one taint update is required",
        ("clusters", "member1", "a:NoSchedule", "member2"): (
            "error: all resources must be specified before taint changes: member2"
        ),
        ("clusters", "member1", "a:NoSchedule", "a-"): (
            "error: can not both modify and remove the following taint(s) in the same "
            'command: {"a":""}'
        ),
    }
    for arguments, message in cases.items():
        assert await fails(plane, "taint", *arguments) == message, arguments
    error = await fails(plane, "taint", "clusters", "member1", "_bad:NoSchedule")
    assert error.startswith("error: invalid taint spec: _bad:NoSchedule, ")
    assert await taints(plane, "member1") == before


# -- promote ----------------------------------------------------------------


async def test_promote_adopts_a_member_object_without_copying_it(plane: ControlPlane) -> None:
    ns = await synced_namespace(plane, "member2")
    apps = k8s.AppsV1Api(await plane.official("member2"))
    created = await apps.create_namespaced_deployment(ns, legacy_deployment("legacy", 2))
    assert created.metadata is not None
    uid = created.metadata.uid

    out = await succeeds(plane, "promote", "deployment", "legacy", "-n", ns, "-C", "member2")
    assert out == (
        f'Resource "apps/v1, Resource=deployments"({ns}/legacy) is promoted successfully\n'
    )
    template = await plane.client.get(DEPLOYMENT, "legacy", ns)
    assert template.metadata.annotations["work.karmada.io/conflict-resolution"] == "overwrite"
    policy = await plane.client.get(
        PROPAGATION_POLICY, policy_name(ns, "legacy", "apps/v1, Kind=Deployment"), ns
    )
    assert [(s.api_version, s.kind, s.name) for s in policy.spec.resource_selectors] == [
        ("apps/v1", "Deployment", "legacy")
    ]
    assert list(policy.spec.placement.cluster_affinity.cluster_names) == ["member2"]
    assert policy.spec.conflict_resolution == "Overwrite"

    async def adopted() -> bool:
        obj = await (await plane.member("member2")).get(
            "apps/v1", "Deployment", "legacy", namespace=ns
        )
        return (obj["metadata"].get("labels") or {}).get("karmada.io/managed") == "true"

    await eventually(adopted, timeout=60, what="the member object to be adopted")
    obj = await (await plane.member("member2")).get("apps/v1", "Deployment", "legacy", namespace=ns)
    assert obj["metadata"]["uid"] == uid, "updated in place, not recreated"
    assert await replicas(plane, ns, "legacy") == {"member2": 2}
    assert await scheduled(plane, ns, "legacy") == {"member2": 2}
    name = work_name("Deployment", "legacy", ns)
    work = await plane.client.get(WORK, name, execution_space("member2"))
    assert work.metadata.annotations["work.karmada.io/conflict-resolution"] == "overwrite"
    for other in ("member1", "member3"):
        with pytest.raises(errors.NotFound):
            await plane.client.get(WORK, name, execution_space(other))

    out = await succeeds(plane, "promote", "deployment", "legacy", "-n", ns, "-C", "member2")
    assert out == (
        f'Resource "apps/v1, Resource=deployments"({ns}/legacy) already exist in karmada '
        "control plane, you can edit PropagationPolicy and OverridePolicy to propagate it\n"
    )


async def test_promote_dry_output_and_errors(plane: ControlPlane) -> None:
    ns = await synced_namespace(plane, "member1")
    apps = k8s.AppsV1Api(await plane.official("member1"))
    await apps.create_namespaced_deployment(ns, legacy_deployment("shown", 1))
    out = await succeeds(
        plane, "promote", "deploy", "shown", "-n", ns, "-C", "member1", "-o", "yaml"
    )
    template, policy = yaml.safe_load_all(out)
    assert (template["kind"], template["metadata"]["name"]) == ("Deployment", "shown")
    assert "status" not in template and "uid" not in template["metadata"]
    assert policy["kind"] == "PropagationPolicy"
    assert policy["spec"]["placement"]["clusterAffinity"]["clusterNames"] == ["member1"]
    with pytest.raises(errors.NotFound):
        await plane.client.get(DEPLOYMENT, "shown", ns)

    assert await fails(plane, "promote", "deployment", "nope", "-n", ns, "-C", "member1") == (
        'error: failed to get resource in cluster(member1): deployments.apps "nope" not found'
    )
    assert await fails(plane, "promote", "deployment", "shown", "-n", ns) == (
        "error: the cluster cannot be empty (-C CLUSTER)"
    )
    assert await fails(plane, "promote", "deployment", "shown", "-n", ns, "-C", "member9") == (
        "error: cluster member9 is not joined"
    )
    assert await fails(plane, "promote", "gizmo", "shown", "-n", ns, "-C", "member1") == (
        'error: the server doesn\'t have a resource type "gizmo"'
    )


# -- unjoin -----------------------------------------------------------------


async def test_unjoin_removes_works_and_member_objects_before_the_cluster(
    plane: ControlPlane,
) -> None:
    ns = await new_namespace(plane)
    await apply(plane, workload(ns, "web", 3, CLUSTERS))
    await wait_replicas(plane, ns, "web", {"member1": 1, "member2": 1, "member3": 1})
    space = execution_space("member3")

    # Someone else's finalizer holds one Work: unjoin times out and says what is left.
    held = WORK.new(name="held", namespace=space)
    held.metadata.finalizers.append("example.com/hold")
    await plane.client.create(held)
    error = await fails(plane, "unjoin", "member3", "--wait", "5s")
    assert error.startswith("error: timed out after 5s: cluster member3 still has ")
    assert error.endswith(f" in {space}")

    # Once it is released, unjoining again finishes the job.
    def release(work: Any) -> Any:
        work.metadata.finalizers.remove("example.com/hold")
        return work

    await plane.client.guaranteed_update(WORK, "held", space, mutate=release)
    out = await succeeds(plane, "unjoin", "member3")
    assert out == "cluster(member3) is unjoined successfully\n"

    # Gone, in order: the member's objects, the Works, the namespace, the Cluster, the Secret.
    with pytest.raises(NotFound):
        await (await plane.member("member3")).get("apps/v1", "Deployment", "web", namespace=ns)
    works, _ = await plane.client.list_all(WORK, namespace=space)
    assert works == []
    with pytest.raises(errors.NotFound):
        await plane.client.get(NAMESPACE, space)
    with pytest.raises(errors.NotFound):
        await plane.client.get(CLUSTER, "member3")
    with pytest.raises(errors.NotFound):
        await plane.client.get(SECRET, "member3", CLUSTER_NAMESPACE)

    async def moved() -> bool:
        found = await replicas(plane, ns, "web")
        return set(found) == {"member1", "member2"} and sum(found.values()) == 3

    await eventually(moved, timeout=60, what="the replicas to move off member3")
    assert await fails(plane, "unjoin", "member3") == (
        "error: no cluster object member3 found in karmada control plane"
    )

    # Joining it again works, and it is used again.
    await join(plane, "member3")
    await wait_ready(plane, "member3")
    await wait_replicas(plane, ns, "web", {"member1": 1, "member2": 1, "member3": 1})
