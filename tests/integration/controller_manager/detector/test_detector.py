"""The resource detector end to end: templates and policies in, claims and bindings out."""

from __future__ import annotations

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.client import Client
from karmada.machinery.scheme import (
    CLUSTER_PROPAGATION_POLICY,
    OVERRIDE_POLICY,
    PROPAGATION_POLICY,
    RESOURCE_BINDING,
)
from karmada.machinery.structs import to_dict
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb
from tests.integration.controller_manager.detector.objects import (
    CLUSTER_ROLE,
    CPP_ID,
    CPP_NAME,
    DEPLOYMENT,
    PP_ID,
    PP_NAME,
    PP_NAMESPACE,
    RB_ID,
    binding,
    cluster_binding,
    deployment,
    deployments,
    namespace,
    policy,
    unique,
)
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

TIMEOUT = 30


async def claimed_by(client: Client, namespace: str, name: str, policy_name: str) -> bool:
    template = await client.get(DEPLOYMENT, name, namespace)
    return template.metadata.annotations.get(PP_NAME) == policy_name


async def wait_policy_id(client: Client, namespace: str, name: str) -> str:
    async def probe() -> str:
        found = await client.get(PROPAGATION_POLICY, name, namespace)
        return found.metadata.labels.get(PP_ID, "")

    return await eventually(probe, timeout=TIMEOUT, what=f"policy {name} to get a permanent id")


async def test_policy_claims_template_and_binding_follows_it(plane: ControlPlane) -> None:
    client = plane.client
    ns = await namespace(client, prefix="claim")
    await client.create(deployment(ns, "web", replicas=3))
    await client.create(policy(ns, "web-pp", deployments(name="web")))
    policy_id = await wait_policy_id(client, ns, "web-pp")

    async def bound() -> rb_pb.ResourceBinding | None:
        found = await binding(client, ns, "web-deployment")
        return found if found is not None and found.spec.replicas == 3 else None

    rb = await eventually(bound, timeout=TIMEOUT, what="the binding of web")
    template = await client.get(DEPLOYMENT, "web", ns)
    assert template.metadata.labels[PP_ID] == policy_id
    assert template.metadata.annotations[PP_NAMESPACE] == ns
    assert template.metadata.annotations[PP_NAME] == "web-pp"

    resource = rb.spec.resource
    assert (resource.api_version, resource.kind, resource.namespace, resource.name) == (
        "apps/v1",
        "Deployment",
        ns,
        "web",
    )
    assert resource.uid == template.metadata.uid and resource.resource_version
    assert dict(rb.spec.replica_requirements.resource_request) == {"cpu": "100m", "memory": "64Mi"}
    assert list(rb.spec.placement.cluster_affinity.cluster_names) == ["member1"]
    assert rb.spec.scheduler_name == "default-scheduler"
    assert rb.spec.conflict_resolution == "Abort"
    owner = rb.metadata.owner_references[0]
    assert (owner.kind, owner.name, owner.uid, owner.controller) == (
        "Deployment",
        "web",
        template.metadata.uid,
        True,
    )
    assert rb.metadata.labels[PP_ID] == policy_id and rb.metadata.labels[RB_ID]
    assert rb.metadata.annotations[PP_NAME] == "web-pp"

    # Playing the scheduler: the detector must keep its result when the template scales.
    def schedule(current: rb_pb.ResourceBinding) -> rb_pb.ResourceBinding:
        current.spec.clusters.add(name="member1", replicas=3)
        return current

    await client.guaranteed_update(RESOURCE_BINDING, "web-deployment", ns, mutate=schedule)

    def scale(
        current: resource_template_pb2.ResourceTemplate,
    ) -> resource_template_pb2.ResourceTemplate:
        body = to_dict(current.body)
        body["spec"]["replicas"] = 5
        current.body.Clear()
        current.body.update(body)
        return current

    await client.guaranteed_update(DEPLOYMENT, "web", ns, mutate=scale)

    async def scaled() -> rb_pb.ResourceBinding | None:
        found = await binding(client, ns, "web-deployment")
        return found if found is not None and found.spec.replicas == 5 else None

    rb = await eventually(scaled, timeout=TIMEOUT, what="the binding to follow the scale")
    assert [(c.name, c.replicas) for c in rb.spec.clusters] == [("member1", 3)]
    assert rb.spec.resource.resource_version == (
        (await client.get(DEPLOYMENT, "web", ns)).metadata.resource_version
    )

    # A policy change reaches the binding too, still keeping the scheduler's result.
    def move(current: pp_pb.PropagationPolicy) -> pp_pb.PropagationPolicy:
        current.spec.placement.cluster_affinity.cluster_names[:] = ["member2"]
        current.spec.conflict_resolution = "Overwrite"
        return current

    await client.guaranteed_update(PROPAGATION_POLICY, "web-pp", ns, mutate=move)

    async def moved() -> rb_pb.ResourceBinding | None:
        found = await binding(client, ns, "web-deployment")
        names = list(found.spec.placement.cluster_affinity.cluster_names) if found else []
        return found if names == ["member2"] else None

    rb = await eventually(moved, timeout=TIMEOUT, what="the binding to follow the policy")
    assert rb.spec.conflict_resolution == "Overwrite"
    assert [(c.name, c.replicas) for c in rb.spec.clusters] == [("member1", 3)]

    await client.delete(DEPLOYMENT, "web", ns)

    async def gone() -> bool:
        return await binding(client, ns, "web-deployment") is None

    await eventually(gone, timeout=TIMEOUT, what="the binding of a deleted template to go")


async def test_priority_then_specificity_then_preemption(plane: ControlPlane) -> None:
    client = plane.client
    ns = await namespace(client, prefix="rank")
    await client.create(policy(ns, "a-kind", deployments()))
    await client.create(policy(ns, "b-label", deployments(labels={"tier": "front"})))
    await client.create(policy(ns, "c-name-low", deployments(name="web"), priority=-1))
    for name in ("a-kind", "b-label", "c-name-low"):
        await wait_policy_id(client, ns, name)
    await client.create(deployment(ns, "web", labels={"tier": "front"}))
    await client.create(deployment(ns, "api", labels={"tier": "back"}))

    async def claims() -> dict[str, str] | None:
        found = {}
        for name in ("web", "api"):
            rb = await binding(client, ns, f"{name}-deployment")
            if rb is None:
                return None
            found[name] = rb.metadata.annotations.get(PP_NAME, "")
        return found

    async def expect(expected: dict[str, str]) -> None:
        async def probe() -> dict[str, str] | None:
            found = await claims()
            return found if found == expected else None

        await eventually(probe, timeout=TIMEOUT, what=f"claims {expected}")

    # web: label selector beats kind-only and beats a name match of lower priority.
    await expect({"web": "b-label", "api": "a-kind"})

    # A higher-priority policy with preemption (which must name what it takes) takes both.
    top = policy(
        ns,
        "z-top",
        deployments(name="web"),
        deployments(name="api"),
        priority=10,
        preemption="Always",
    )
    await client.create(top)
    await expect({"web": "z-top", "api": "z-top"})
    assert await claimed_by(client, ns, "web", "z-top")


async def test_deleted_policy_releases_its_templates(plane: ControlPlane) -> None:
    client = plane.client
    ns = await namespace(client, prefix="release")
    await client.create(deployment(ns, "web"))
    await client.create(policy(ns, "first", deployments(name="web")))

    async def claim_of_binding(expected: str | None) -> rb_pb.ResourceBinding:
        async def probe() -> rb_pb.ResourceBinding | None:
            rb = await binding(client, ns, "web-deployment")
            if rb is None or rb.metadata.annotations.get(PP_NAME) != expected:
                return None
            return rb

        return await eventually(probe, timeout=TIMEOUT, what=f"the binding claimed by {expected}")

    first = await claim_of_binding("first")
    await client.delete(PROPAGATION_POLICY, "first", ns)

    # As Karmada: the claim goes from template and binding; the binding (and its
    # placement, so the workload keeps running) stays until the template goes.
    released = await claim_of_binding(None)
    assert released.metadata.uid == first.metadata.uid
    assert PP_ID not in released.metadata.labels
    assert released.spec.placement == first.spec.placement

    async def template_released() -> bool:
        template = await client.get(DEPLOYMENT, "web", ns)
        return (
            PP_ID not in template.metadata.labels and PP_NAME not in template.metadata.annotations
        )

    # The template and the binding are released by separate writes.
    await eventually(template_released, timeout=TIMEOUT, what="the template's claim to go")

    # Another policy takes the template and its binding over.
    second = policy(ns, "second", deployments(name="web"))
    second.spec.placement.cluster_affinity.cluster_names[:] = ["member2"]
    await client.create(second)
    taken = await claim_of_binding("second")
    assert list(taken.spec.placement.cluster_affinity.cluster_names) == ["member2"]

    # A policy that stops selecting the template releases it too.
    def retarget(current: pp_pb.PropagationPolicy) -> pp_pb.PropagationPolicy:
        current.spec.resource_selectors[0].name = "other"
        return current

    await client.guaranteed_update(PROPAGATION_POLICY, "second", ns, mutate=retarget)
    await claim_of_binding(None)


async def test_cluster_policy_cluster_scoped_and_system_namespaces(plane: ControlPlane) -> None:
    client = plane.client
    mark = unique("mark")
    cpp = CLUSTER_PROPAGATION_POLICY.new(name=unique("cpp"))
    cpp.spec.resource_selectors.append(deployments(labels={"test": mark}))
    role_name = unique("reader")
    cpp.spec.resource_selectors.add(
        api_version="rbac.authorization.k8s.io/v1", kind="ClusterRole", name=role_name
    )
    cpp.spec.placement.cluster_affinity.cluster_names.append("member1")
    await client.create(cpp)

    role = CLUSTER_ROLE.new(name=role_name)
    role.body.update({"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]})
    await client.create(role)

    async def crb() -> bool:
        found = await cluster_binding(client, f"{role_name}-clusterrole")
        return found is not None and found.metadata.annotations.get(CPP_NAME) == cpp.metadata.name

    await eventually(crb, timeout=TIMEOUT, what="a ClusterResourceBinding for the ClusterRole")
    stored_role = await client.get(CLUSTER_ROLE, role_name)
    assert stored_role.metadata.annotations[CPP_NAME] == cpp.metadata.name
    assert stored_role.metadata.labels[CPP_ID]
    found = await cluster_binding(client, f"{role_name}-clusterrole")
    assert found is not None and found.spec.resource.uid == stored_role.metadata.uid
    assert found.metadata.labels["clusterresourcebinding.karmada.io/permanent-id"]

    skipped = [
        await namespace(client, name)
        for name in ("kube-" + unique("sys"), "karmada-system", "karmada-es-" + unique("m"))
    ]
    for system in skipped:
        await client.create(deployment(system, mark, labels={"test": mark}))
    ns = await namespace(client, prefix="apps")
    await client.create(deployment(ns, "web", labels={"test": mark}))

    async def namespaced() -> rb_pb.ResourceBinding | None:
        rb = await binding(client, ns, "web-deployment")
        return rb if rb is not None and rb.metadata.annotations.get(CPP_NAME) else None

    # A namespaced template claimed by a ClusterPropagationPolicy gets a ResourceBinding.
    rb = await eventually(namespaced, timeout=TIMEOUT, what="the CPP's ResourceBinding")
    assert rb.metadata.labels[CPP_ID] == stored_role.metadata.labels[CPP_ID]

    # The system namespaces' templates were queued before web's, and need less work.
    for system in skipped:
        assert await binding(client, system, f"{mark}-deployment") is None
        template = await client.get(DEPLOYMENT, mark, system)
        assert CPP_ID not in template.metadata.labels

    await client.delete(CLUSTER_ROLE, role_name)

    async def crb_gone() -> bool:
        return await cluster_binding(client, f"{role_name}-clusterrole") is None

    await eventually(crb_gone, timeout=TIMEOUT, what="the ClusterResourceBinding to go")
    for system in skipped:
        await client.delete(DEPLOYMENT, mark, system)


async def test_policy_waits_for_its_dependent_overrides(plane: ControlPlane) -> None:
    client = plane.client
    ns = await namespace(client, prefix="deps-ov")
    await client.create(
        policy(ns, "waits", deployments(name="web"), dependent_overrides=["mirror"])
    )
    await wait_policy_id(client, ns, "waits")
    await client.create(deployment(ns, "web"))
    await client.create(deployment(ns, "api"))
    await client.create(policy(ns, "free", deployments(name="api")))

    async def bound(name: str) -> bool:
        return await binding(client, ns, f"{name}-deployment") is not None

    # web was queued before api, and needs no write while it waits.
    await eventually(lambda: bound("api"), timeout=TIMEOUT, what="api's binding")
    assert not await bound("web")
    assert PP_ID not in (await client.get(DEPLOYMENT, "web", ns)).metadata.labels

    override = OVERRIDE_POLICY.new(name="mirror", namespace=ns)
    override.spec.resource_selectors.append(deployments(name="web"))
    await client.create(override)
    await eventually(lambda: bound("web"), timeout=TIMEOUT, what="web's binding")
