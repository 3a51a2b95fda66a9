"""CRUD semantics of the apiserver, as kube-apiserver's, through the real client."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import resource_template_pb2
from karmada.machinery.client import Client
from karmada.machinery.errors import AlreadyExists, Conflict, Invalid, NotFound
from karmada.machinery.scheme import CLUSTER, PROPAGATION_POLICY, template_kind
from karmada.machinery.structs import to_dict
from karmada.names import PP_PERMANENT_ID_LABEL

DEPLOYMENT = template_kind("apps/v1", "Deployment")


def new_cluster(name: str, **spec: object) -> cluster_pb2.Cluster:
    cluster = CLUSTER.new(name=name)
    cluster.spec.sync_mode = "Push"
    cluster.spec.api_endpoint = "https://127.0.0.1:6443"
    for key, value in spec.items():
        setattr(cluster.spec, key, value)
    return cluster


def new_deployment(
    namespace: str, name: str, replicas: int = 1
) -> resource_template_pb2.ResourceTemplate:
    obj = DEPLOYMENT.new(name=name, namespace=namespace)
    obj.body.update(
        {
            "spec": {
                "replicas": replicas,
                "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}},
            }
        }
    )
    return obj


async def test_create_sets_server_fields(client: Client, unique: str) -> None:
    cluster = new_cluster(f"c-{unique}")
    cluster.status.kubernetes_version = "ignored on create"
    cluster.metadata.uid = "client-chosen"
    created = await client.create(cluster)
    assert created.metadata.uid and created.metadata.uid != "client-chosen"
    assert created.metadata.generation == 1
    assert created.metadata.resource_version
    assert created.metadata.creation_timestamp.seconds > 0
    assert created.status == cluster_pb2.ClusterStatus()
    assert created.api_version == "cluster.karmada.io/v1alpha1" and created.kind == "Cluster"
    fetched = await client.get(CLUSTER, cluster.metadata.name)
    assert fetched == created


async def test_create_taken_name_is_already_exists(client: Client, unique: str) -> None:
    await client.create(new_cluster(f"c-{unique}"))
    with pytest.raises(AlreadyExists):
        await client.create(new_cluster(f"c-{unique}"))


async def test_get_missing_is_not_found(client: Client, unique: str) -> None:
    with pytest.raises(NotFound):
        await client.get(CLUSTER, f"missing-{unique}")


async def test_update_bumps_generation_only_on_spec_change(client: Client, unique: str) -> None:
    created = await client.create(new_cluster(f"c-{unique}"))
    created.metadata.labels["team"] = "a"
    relabelled = await client.update(created)
    assert relabelled.metadata.generation == 1
    assert int(relabelled.metadata.resource_version) > int(created.metadata.resource_version)
    relabelled.spec.region = "eu-west-1"
    respecced = await client.update(relabelled)
    assert respecced.metadata.generation == 2
    assert respecced.spec.region == "eu-west-1"


async def test_update_ignores_status_and_status_update_ignores_spec(
    client: Client, unique: str
) -> None:
    created = await client.create(new_cluster(f"c-{unique}"))
    created.status.kubernetes_version = "v1.30.0"
    updated = await client.update(created)
    assert updated.status.kubernetes_version == ""
    updated.status.kubernetes_version = "v1.30.0"
    updated.spec.region = "ignored"
    status_written = await client.update_status(updated)
    assert status_written.status.kubernetes_version == "v1.30.0"
    assert status_written.spec.region == ""
    assert status_written.metadata.generation == 1


async def test_stale_resource_version_is_aborted(client: Client, unique: str) -> None:
    created = await client.create(new_cluster(f"c-{unique}"))
    first = cluster_pb2.Cluster()
    first.CopyFrom(created)
    first.spec.region = "one"
    await client.update(first)
    created.spec.region = "two"
    with pytest.raises(Conflict):
        await client.update(created)
    with pytest.raises(Conflict):
        await client.delete(
            CLUSTER, created.metadata.name, resource_version=created.metadata.resource_version
        )


async def test_update_without_resource_version_always_lands(client: Client, unique: str) -> None:
    created = await client.create(new_cluster(f"c-{unique}"))
    created.metadata.resource_version = ""
    created.spec.region = "anywhere"
    updated = await client.update(created)
    assert updated.spec.region == "anywhere"


async def test_noop_update_keeps_resource_version(client: Client, unique: str) -> None:
    created = await client.create(new_cluster(f"c-{unique}"))
    same = await client.update(created)
    assert same.metadata.resource_version == created.metadata.resource_version


async def test_guaranteed_update_retries_conflicts(client: Client, unique: str) -> None:
    name = f"c-{unique}"
    await client.create(new_cluster(name))

    def add_label(index: int):  # type: ignore[no-untyped-def]
        def mutate(obj: cluster_pb2.Cluster) -> cluster_pb2.Cluster:
            obj.metadata.labels[f"k{index}"] = "v"
            return obj

        return mutate

    await asyncio.gather(
        *(client.guaranteed_update(CLUSTER, name, mutate=add_label(i)) for i in range(8))
    )
    final = await client.get(CLUSTER, name)
    assert sorted(final.metadata.labels) == [f"k{i}" for i in range(8)]


async def test_finalizers_hold_deletion(client: Client, unique: str) -> None:
    cluster = new_cluster(f"c-{unique}")
    cluster.metadata.finalizers.append("karmada.io/cluster-controller")
    created = await client.create(cluster)
    await client.delete(CLUSTER, created.metadata.name)
    marked = await client.get(CLUSTER, created.metadata.name)
    assert marked.metadata.HasField("deletion_timestamp")
    assert marked.metadata.generation == created.metadata.generation + 1
    marked.metadata.finalizers.append("example.com/new")
    with pytest.raises(Invalid) as err:
        await client.update(marked)
    assert err.value.violations[0].field == "metadata.finalizers"
    del marked.metadata.finalizers[:]
    await client.update(marked)
    with pytest.raises(NotFound):
        await client.get(CLUSTER, created.metadata.name)


async def test_delete_missing_is_not_found(client: Client, unique: str) -> None:
    with pytest.raises(NotFound):
        await client.delete(CLUSTER, f"missing-{unique}")


async def test_namespaced_create_needs_existing_namespace(client: Client, unique: str) -> None:
    with pytest.raises(NotFound) as err:
        await client.create(new_deployment(f"nope-{unique}", "web"))
    assert err.value.reason == "NAMESPACE_NOT_FOUND"


async def test_template_round_trip(client: Client, namespace: str) -> None:
    created = await client.create(new_deployment(namespace, "web", replicas=3))
    assert to_dict(created.body)["spec"]["replicas"] == 3
    fetched = await client.get(DEPLOYMENT, "web", namespace)
    assert fetched == created
    fetched.body.update({"spec": {**to_dict(fetched.body)["spec"], "replicas": 5}})
    updated = await client.update(fetched)
    assert updated.metadata.generation == 2
    updated.status.update({"readyReplicas": 5})
    with_status = await client.update_status(updated)
    assert to_dict(with_status.status) == {"readyReplicas": 5}
    assert with_status.metadata.generation == 2
    await client.delete(DEPLOYMENT, "web", namespace)
    with pytest.raises(NotFound):
        await client.get(DEPLOYMENT, "web", namespace)


async def test_policies_get_a_permanent_id_that_updates_keep(
    client: Client, namespace: str
) -> None:
    policy = PROPAGATION_POLICY.new(name="pp", namespace=namespace)
    policy.spec.resource_selectors.add(api_version="apps/v1", kind="Deployment")
    created = await client.create(policy)
    assigned = created.metadata.labels[PP_PERMANENT_ID_LABEL]
    assert str(uuid.UUID(assigned)) == assigned
    created.metadata.labels.clear()
    created.metadata.labels["team"] = "a"
    updated = await client.update(created)
    assert dict(updated.metadata.labels) == {"team": "a", PP_PERMANENT_ID_LABEL: assigned}
    chosen = PROPAGATION_POLICY.new(name="pp-chosen", namespace=namespace)
    chosen.spec.resource_selectors.add(api_version="apps/v1", kind="Deployment")
    chosen.metadata.labels[PP_PERMANENT_ID_LABEL] = "given-by-the-user"
    kept = await client.create(chosen)
    assert kept.metadata.labels[PP_PERMANENT_ID_LABEL] == "given-by-the-user"
