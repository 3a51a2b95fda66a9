"""The store and registry of one simulated cluster, in process (no HTTP)."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from karmada.machinery.labels import parse_selector
from membersim import crds, errors, fieldselector
from membersim.cluster import SimCluster
from membersim.options import ClusterConfig
from membersim.registry import DeleteOptions, ListOptions
from membersim.resources import (
    CONFIGMAPS,
    CUSTOMRESOURCEDEFINITIONS,
    DEPLOYMENTS,
    NAMESPACES,
    NODES,
)
from membersim.store import Store


@pytest.fixture
def cluster() -> SimCluster:
    sim = SimCluster(
        ClusterConfig("c1", region="r", zones=("z1", "z2"), provider="sim", nodes=3),
        history_size=50,
    )
    sim.bootstrap()
    return sim


def cm(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}, "data": {"k": name}}


def test_bootstrap(cluster: SimCluster) -> None:
    reg = cluster.registry
    nodes = [s.decode() for s in reg.store.list_objects(NODES.key)]
    assert [n["metadata"]["name"] for n in nodes] == ["c1-node-1", "c1-node-2", "c1-node-3"]
    assert [n["metadata"]["labels"]["topology.kubernetes.io/zone"] for n in nodes] == [
        "z1",
        "z2",
        "z1",
    ]
    assert nodes[0]["spec"]["providerID"] == "sim://c1/c1-node-1"
    assert nodes[0]["status"]["capacity"]["pods"] == "110"
    assert reg.types.lookup("multicluster.x-k8s.io", "v1alpha1", "serviceexports") is not None
    # Clusters with the same kinds share one type set (and its documents).
    other = SimCluster(ClusterConfig("c2"))
    other.bootstrap()
    assert other.registry.types is reg.types


def test_create_update_semantics(cluster: SimCluster) -> None:
    reg = cluster.registry
    made = reg.create(CONFIGMAPS, "default", cm("a")).decode()
    assert made["apiVersion"] == "v1" and made["kind"] == "ConfigMap"
    assert made["metadata"]["uid"] and made["metadata"]["creationTimestamp"]
    assert "generation" not in made["metadata"]
    with pytest.raises(errors.ApiError) as err:
        reg.create(CONFIGMAPS, "default", cm("a"))
    assert (err.value.code, err.value.reason) == (409, "AlreadyExists")

    same = reg.update(CONFIGMAPS, "default", "a", copy.deepcopy(made))
    assert same.resource_version == int(made["metadata"]["resourceVersion"])
    changed = copy.deepcopy(made)
    changed["data"] = {"k": "2"}
    after = reg.update(
        CONFIGMAPS, "default", "a", copy.deepcopy(changed)
    )  # the registry consumes bodies
    assert after.resource_version > same.resource_version
    with pytest.raises(errors.ApiError) as err:
        reg.update(CONFIGMAPS, "default", "a", changed)  # carries the old resourceVersion
    assert (err.value.code, err.value.reason) == (409, "Conflict")
    with pytest.raises(errors.ApiError) as err:
        reg.update(CONFIGMAPS, "default", "b", cm("a"))
    assert err.value.code == 400
    with pytest.raises(errors.ApiError) as err:
        reg.create(CONFIGMAPS, "default", {"apiVersion": "v2", "metadata": {"name": "x"}})
    assert err.value.code == 400
    with pytest.raises(errors.ApiError) as err:
        reg.create(CONFIGMAPS, "default", {"metadata": {"name": "x", "namespace": "other"}})
    assert err.value.code == 400


def test_generation_and_status(cluster: SimCluster) -> None:
    reg = cluster.registry
    body = {
        "metadata": {"name": "d"},
        "spec": {
            "replicas": 1,
            "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}},
        },
        "status": {"replicas": 5},
    }
    made = reg.create(DEPLOYMENTS, "default", body).decode()
    assert made["metadata"]["generation"] == 1 and "status" not in made
    made["status"] = {"replicas": 1}
    with_status = reg.update(DEPLOYMENTS, "default", "d", made, status_only=True).decode()
    assert with_status["status"] == {"replicas": 1} and with_status["metadata"]["generation"] == 1
    with_status["spec"]["replicas"] = 3
    with_status["status"] = {"replicas": 99}
    bumped = reg.update(DEPLOYMENTS, "default", "d", with_status).decode()
    assert bumped["metadata"]["generation"] == 2 and bumped["status"] == {"replicas": 1}
    patched = reg.patch(
        DEPLOYMENTS, "default", "d", "strategic", {"metadata": {"labels": {"a": "b"}}}
    ).decode()
    assert patched["metadata"]["generation"] == 2


def test_list_pages_and_selectors(cluster: SimCluster) -> None:
    reg = cluster.registry
    for i in range(5):
        reg.create(CONFIGMAPS, "default", cm(f"c{i}", parity="odd" if i % 2 else "even"))
    reg.create(CONFIGMAPS, "kube-system", cm("other"))
    everything = reg.list(CONFIGMAPS, None, ListOptions())
    assert [s.name for s in everything.items] == ["c0", "c1", "c2", "c3", "c4", "other"]
    odd = reg.list(CONFIGMAPS, "default", ListOptions(labels=parse_selector("parity=odd")))
    assert [s.name for s in odd.items] == ["c1", "c3"]
    named = reg.list(
        CONFIGMAPS, "default", ListOptions(fields=fieldselector.parse("metadata.name=c2"))
    )
    assert [s.name for s in named.items] == ["c2"]
    first = reg.list(CONFIGMAPS, None, ListOptions(limit=4))
    assert [s.name for s in first.items] == ["c0", "c1", "c2", "c3"] and first.remaining == 2
    rest = reg.list(CONFIGMAPS, None, ListOptions(limit=4, continue_token=first.continue_token))
    assert [s.name for s in rest.items] == ["c4", "other"] and not rest.continue_token
    assert rest.resource_version == first.resource_version
    with pytest.raises(errors.ApiError):
        reg.list(CONFIGMAPS, None, ListOptions(continue_token="garbage!"))


def test_history_expiry() -> None:
    store = Store(history_size=3)
    start = store.resource_version
    for i in range(5):
        store.put(("", "configmaps"), {"metadata": {"name": f"n{i}", "namespace": "d"}})
    assert [e.object.name for e in store.events_since(None, start + 2)] == ["n2", "n3", "n4"]
    assert store.events_since(None, store.resource_version) == []
    with pytest.raises(errors.ApiError) as err:
        store.events_since(None, start + 1)
    assert err.value.code == 410
    with pytest.raises(errors.ApiError) as err:
        store.events_since(None, store.resource_version + 1)
    assert err.value.code == 504


async def test_subscription_sees_commits_in_order(cluster: SimCluster) -> None:
    reg = cluster.registry
    watcher = reg.store.watch(CONFIGMAPS.key)
    reg.create(CONFIGMAPS, "default", cm("w"))
    reg.patch(CONFIGMAPS, "default", "w", "merge", {"data": {"k": "2"}})
    reg.delete(CONFIGMAPS, "default", "w", DeleteOptions())
    reg.create(DEPLOYMENTS, "default", {"metadata": {"name": "ignored"}, "spec": {}})
    events = [await asyncio.wait_for(watcher.next(), 5) for _ in range(3)]
    assert [(e.type if e else None) for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    watcher.close()
    assert await watcher.next() is None


def test_crd_lifecycle(cluster: SimCluster) -> None:
    reg = cluster.registry
    crd = copy.deepcopy(crds.DEFAULT_CRDS[0])
    crd["metadata"]["name"] = "gadgets.example.com"
    crd["spec"].update(group="example.com", names={"kind": "Gadget", "plural": "gadgets"})
    crd["spec"]["versions"] = [
        {"name": "v1beta1", "served": True, "storage": True},
        {"name": "v1", "served": True, "storage": False},
    ]
    made = reg.create(CUSTOMRESOURCEDEFINITIONS, None, crd)
    again = reg.update(CUSTOMRESOURCEDEFINITIONS, None, "gadgets.example.com", made.decode())
    assert again.resource_version == made.resource_version  # an unchanged CRD is a no-op
    v1 = reg.resolve("example.com", "v1", "gadgets")
    beta = reg.resolve("example.com", "v1beta1", "gadgets")
    assert reg.types.groups()["example.com"] == ["v1", "v1beta1"]
    stored = reg.create(v1, "default", {"apiVersion": "example.com/v1", "metadata": {"name": "g"}})
    assert stored.decode()["apiVersion"] == "example.com/v1beta1"
    assert b'"example.com/v1"' in reg.present(v1, stored)
    assert reg.get(beta, "default", "g").name == "g"
    with pytest.raises(errors.ApiError) as err:
        reg.patch(v1, "default", "g", "strategic", {"spec": {}})
    assert err.value.code == 415
    reg.delete(CUSTOMRESOURCEDEFINITIONS, None, "gadgets.example.com", DeleteOptions())
    assert reg.store.get(v1.key, "default", "g") is None
    with pytest.raises(errors.ApiError) as err:
        reg.resolve("example.com", "v1", "gadgets")
    assert err.value.code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"metadata": {"name": "wrong.example.com"}},
        {"spec": {"scope": "Galaxy"}},
        {"spec": {"versions": []}},
        {"spec": {"group": "nodots"}},
    ],
)
def test_invalid_crds(cluster: SimCluster, change: dict[str, Any]) -> None:
    crd = copy.deepcopy(crds.DEFAULT_CRDS[0])
    crd["metadata"]["name"] = "things.example.com"
    crd["spec"].update(group="example.com", names={"kind": "Thing", "plural": "things"})
    for key, value in change.items():
        crd[key].update(value)
    with pytest.raises(errors.ApiError) as err:
        cluster.registry.create(CUSTOMRESOURCEDEFINITIONS, None, crd)
    assert err.value.code == 422


def test_namespace_rules(cluster: SimCluster) -> None:
    reg = cluster.registry
    with pytest.raises(errors.ApiError) as err:
        reg.create(CONFIGMAPS, "missing", cm("a"))
    assert err.value.code == 404
    reg.create(NAMESPACES, None, {"metadata": {"name": "n"}})
    reg.create(CONFIGMAPS, "n", cm("a"))
    removed, gone = reg.delete(NAMESPACES, None, "n", DeleteOptions())
    assert gone and removed.decode()["status"]["phase"] == "Terminating"
    assert reg.store.get(CONFIGMAPS.key, "n", "a") is None
