"""MISSION flow 2 end to end: templates and policies in, objects (and status) in the members.

Every test works in its own namespace of the shared control plane; the members
are checked through the member client, as a user would check with kubectl.
"""

from __future__ import annotations

import uuid
from typing import Any

from kubernetes.aio import client as k8s

from karmada.core.v1.resource_template_pb2 import ResourceTemplate
from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.scheme import (
    NAMESPACE,
    OVERRIDE_POLICY,
    PROPAGATION_POLICY,
    WORK,
    template_kind,
)
from karmada.machinery.structs import to_dict
from karmada.member import NotFound
from karmada.policy.v1alpha1 import override_policy_pb2, propagation_policy_pb2
from tests.integration.controller_manager.flows.conftest import CLUSTERS
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

DEPLOYMENT = template_kind("apps/v1", "Deployment")
CONFIGMAP = template_kind("v1", "ConfigMap")


async def new_namespace(client: Client) -> str:
    name = f"flow-{uuid.uuid4().hex[:6]}"
    await client.create(NAMESPACE.new(name=name))
    return name


def deployment_body(
    replicas: int, *, image: str = "nginx:1.27", config: str = ""
) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "containers": [
            {
                "name": "web",
                "image": image,
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
            }
        ]
    }
    if config:
        pod["volumes"] = [{"name": "config", "configMap": {"name": config}}]
    return {
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod},
        }
    }


async def create_deployment(
    client: Client, namespace: str, name: str, replicas: int, **kw: Any
) -> None:
    template = DEPLOYMENT.new(name=name, namespace=namespace)
    template.body.update(deployment_body(replicas, **kw))
    await client.create(template)


def weighted_policy(
    namespace: str, name: str, weights: dict[str, int], **spec: Any
) -> propagation_policy_pb2.PropagationPolicy:
    policy = PROPAGATION_POLICY.new(name=name, namespace=namespace)
    policy.spec.resource_selectors.add(api_version="apps/v1", kind="Deployment", name=name)
    strategy = policy.spec.placement.replica_scheduling
    strategy.replica_scheduling_type = "Divided"
    strategy.replica_division_preference = "Weighted"
    for cluster, weight in weights.items():
        rule = strategy.weight_preference.static_weight_list.add(weight=weight)
        rule.target_cluster.cluster_names.append(cluster)
    policy.spec.placement.cluster_affinity.cluster_names.extend(weights)
    for field, value in spec.items():
        setattr(policy.spec, field, value)
    return policy


async def member_replicas(plane: ControlPlane, namespace: str, name: str) -> dict[str, int]:
    """spec.replicas of the Deployment in each member that has it."""
    found: dict[str, int] = {}
    for cluster in CLUSTERS:
        member = await plane.member(cluster)
        try:
            obj = await member.get("apps/v1", "Deployment", name, namespace=namespace)
        except NotFound:
            continue
        found[cluster] = obj["spec"]["replicas"]
    return found


async def wait_replicas(
    plane: ControlPlane, namespace: str, name: str, expected: dict[str, int]
) -> None:
    async def probe() -> bool:
        return await member_replicas(plane, namespace, name) == expected

    await eventually(
        probe, timeout=60, what=f"{namespace}/{name} replicas {expected} in the members"
    )


async def test_divided_weights_land_with_karmada_marks_and_follow_scaling(
    plane: ControlPlane,
) -> None:
    client = plane.client
    ns = await new_namespace(client)
    await create_deployment(client, ns, "web", 6)
    await client.create(weighted_policy(ns, "web", {"member1": 1, "member2": 2, "member3": 3}))
    await wait_replicas(plane, ns, "web", {"member1": 1, "member2": 2, "member3": 3})

    member = await plane.member("member3")
    obj = await member.get("apps/v1", "Deployment", "web", namespace=ns)
    labels = obj["metadata"]["labels"]
    annotations = obj["metadata"]["annotations"]
    assert labels["karmada.io/managed"] == "true"
    assert "work.karmada.io/permanent-id" in labels
    assert annotations["work.karmada.io/namespace"] == "karmada-es-member3"
    assert annotations["resourcebinding.karmada.io/name"] == "web-deployment"

    def scale(template: ResourceTemplate) -> ResourceTemplate:
        template.body.update({"spec": {**to_dict(template.body)["spec"], "replicas": 12}})
        return template

    await client.guaranteed_update(DEPLOYMENT, "web", ns, mutate=scale)
    await wait_replicas(plane, ns, "web", {"member1": 2, "member2": 4, "member3": 6})


async def test_override_changes_the_image_in_one_cluster_only(plane: ControlPlane) -> None:
    client = plane.client
    ns = await new_namespace(client)
    override = OVERRIDE_POLICY.new(name="mirror", namespace=ns)
    override.spec.resource_selectors.add(api_version="apps/v1", kind="Deployment", name="web")
    rule = override.spec.override_rules.add()
    rule.target_cluster.cluster_names.append("member2")
    rule.overriders.image_overrider.append(
        override_policy_pb2.ImageOverrider(
            component="Registry", operator="replace", value="mirror.local"
        )
    )
    await client.create(override)
    await create_deployment(client, ns, "web", 2)
    await client.create(weighted_policy(ns, "web", {"member1": 1, "member2": 1}))
    await wait_replicas(plane, ns, "web", {"member1": 1, "member2": 1})

    async def images() -> dict[str, str]:
        out = {}
        for cluster in ("member1", "member2"):
            obj = await (await plane.member(cluster)).get(
                "apps/v1", "Deployment", "web", namespace=ns
            )
            out[cluster] = obj["spec"]["template"]["spec"]["containers"][0]["image"]
        return out

    async def overridden() -> dict[str, str] | None:
        found = await images()
        return (
            found
            if found == {"member1": "nginx:1.27", "member2": "mirror.local/nginx:1.27"}
            else None
        )

    await eventually(overridden, timeout=60, what="the override in member2 only")


async def test_dependencies_follow_and_status_is_aggregated(plane: ControlPlane) -> None:
    client = plane.client
    ns = await new_namespace(client)
    config = CONFIGMAP.new(name="web-config", namespace=ns)
    config.body.update({"data": {"index.html": "hello"}})
    await client.create(config)
    await create_deployment(client, ns, "web", 4, config="web-config")
    await client.create(
        weighted_policy(ns, "web", {"member1": 1, "member3": 1}, propagate_deps=True)
    )
    await wait_replicas(plane, ns, "web", {"member1": 2, "member3": 2})

    async def config_everywhere() -> bool:
        for cluster in ("member1", "member3"):
            try:
                await (await plane.member(cluster)).get(
                    "v1", "ConfigMap", "web-config", namespace=ns
                )
            except NotFound:
                return False
        return True

    await eventually(config_everywhere, timeout=60, what="the ConfigMap to follow the Deployment")

    async def ready_replicas() -> dict[str, Any] | None:
        status = to_dict((await client.get(DEPLOYMENT, "web", ns)).status)
        return status if status.get("readyReplicas") == 4 else None

    status = await eventually(
        ready_replicas, timeout=60, what="summed readyReplicas in the template"
    )
    assert status["replicas"] == 4
    assert status["availableReplicas"] == 4


async def test_members_converge_back_and_deletion_cleans_up(plane: ControlPlane) -> None:
    client = plane.client
    ns = await new_namespace(client)
    await create_deployment(client, ns, "web", 2)
    await client.create(weighted_policy(ns, "web", {"member1": 1, "member2": 1}))
    await wait_replicas(plane, ns, "web", {"member1": 1, "member2": 1})

    member1 = await plane.member("member1")
    await member1.delete("apps/v1", "Deployment", "web", namespace=ns)
    await wait_replicas(plane, ns, "web", {"member1": 1, "member2": 1})

    await client.delete(DEPLOYMENT, "web", ns)
    await wait_replicas(plane, ns, "web", {})


async def test_unmanaged_objects_are_left_alone_under_abort_and_taken_over_under_overwrite(
    plane: ControlPlane,
) -> None:
    client = plane.client
    ns = await new_namespace(client)
    member1 = await plane.member("member1")

    # The namespace reaches members through namespace sync; wait for it, then plant a
    # Deployment nobody manages, as the member's own users would.
    async def namespace_in_member() -> bool:
        try:
            await member1.get("v1", "Namespace", ns)
        except NotFound:
            return False
        return True

    await eventually(namespace_in_member, timeout=60, what="namespace sync")
    apps = k8s.AppsV1Api(await plane.official("member1"))
    legacy: Any = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "legacy", "namespace": ns},
        **deployment_body(5, image="legacy:1"),
    }
    await apps.create_namespaced_deployment(ns, legacy)
    await create_deployment(client, ns, "legacy", 1)
    await client.create(weighted_policy(ns, "legacy", {"member1": 1}))

    async def abort_condition() -> str | None:
        works, _ = await client.list_all(WORK, namespace="karmada-es-member1")
        for work in works:
            if work.metadata.name.startswith("legacy-"):
                for condition in work.status.conditions:
                    if condition.type == "Applied" and condition.status == "False":
                        return str(condition.message)
        return None

    message = await eventually(
        abort_condition, timeout=60, what="Applied=False on the conflicting Work"
    )
    assert "not managed by Karmada" in message or "already exists" in message, message
    kept = await member1.get("apps/v1", "Deployment", "legacy", namespace=ns)
    assert kept["spec"]["replicas"] == 5

    def overwrite(
        policy: propagation_policy_pb2.PropagationPolicy,
    ) -> propagation_policy_pb2.PropagationPolicy:
        policy.spec.conflict_resolution = "Overwrite"
        return policy

    await client.guaranteed_update(PROPAGATION_POLICY, "legacy", ns, mutate=overwrite)
    await wait_replicas_one(plane, ns, "legacy", "member1", 1)


async def wait_replicas_one(
    plane: ControlPlane, namespace: str, name: str, cluster: str, replicas: int
) -> None:
    member = await plane.member(cluster)

    async def probe() -> bool:
        try:
            obj = await member.get("apps/v1", "Deployment", name, namespace=namespace)
        except NotFound:
            return False
        return bool(obj["spec"]["replicas"] == replicas)

    await eventually(probe, timeout=60, what=f"{name} taken over in {cluster}")


async def test_rejected_policy_changes_nothing(plane: ControlPlane) -> None:
    client = plane.client
    ns = await new_namespace(client)
    policy = weighted_policy(ns, "web", {"member1": 1})
    del policy.spec.resource_selectors[:]
    try:
        await client.create(policy)
    except errors.Invalid as error:
        assert any("resourceSelectors" in v.field for v in error.violations)
    else:
        raise AssertionError("a policy without resourceSelectors was accepted")
