"""Deletion propagation (Orphan, Foreground, Background) in the registry and garbage collector."""

from __future__ import annotations

from typing import Any

import pytest

from membersim import errors
from membersim.cluster import SimCluster
from membersim.controllers import gc
from membersim.controllers.common import ClusterState, Context
from membersim.handlers import _propagation
from membersim.options import ClusterConfig
from membersim.registry import (
    FOREGROUND_FINALIZER,
    ORPHAN_FINALIZER,
    DeleteOptions,
    Propagation,
)
from membersim.resources import CONFIGMAPS


@pytest.fixture
def cluster() -> SimCluster:
    sim = SimCluster(ClusterConfig("c1", nodes=0), history_size=50)
    sim.bootstrap()
    return sim


def collect(cluster: SimCluster) -> None:
    gc.reconcile(Context(cluster, 0, ClusterState(), 0.5, 1.0, lambda delay: None))


def make(
    cluster: SimCluster, name: str, *owners: dict[str, Any], block: bool = False, **meta: Any
) -> dict[str, Any]:
    refs = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "name": o["metadata"]["name"],
            "uid": o["metadata"]["uid"],
            "blockOwnerDeletion": block,
        }
        for o in owners
    ]
    body: dict[str, Any] = {"metadata": {"name": name, **meta}}
    if refs:
        body["metadata"]["ownerReferences"] = refs
    return cluster.registry.create(CONFIGMAPS, "default", body).decode()


def read(cluster: SimCluster, name: str) -> dict[str, Any] | None:
    stored = cluster.store.get(CONFIGMAPS.key, "default", name)
    return None if stored is None else stored.decode()


def delete(cluster: SimCluster, name: str, propagation: Propagation | None) -> bool:
    _, gone = cluster.registry.delete(
        CONFIGMAPS, "default", name, DeleteOptions(propagation=propagation)
    )
    return gone


def test_orphan_removes_the_owner_reference_then_the_owner(cluster: SimCluster) -> None:
    owner = make(cluster, "owner")
    other = make(cluster, "other")
    make(cluster, "only", owner)
    make(cluster, "shared", owner, other)
    assert not delete(cluster, "owner", "Orphan")
    held = read(cluster, "owner")
    assert held is not None
    assert held["metadata"]["finalizers"] == [ORPHAN_FINALIZER]
    assert held["metadata"]["deletionTimestamp"]
    collect(cluster)
    assert read(cluster, "owner") is None
    only, shared = read(cluster, "only"), read(cluster, "shared")
    assert only is not None and "ownerReferences" not in only["metadata"]
    assert shared is not None
    assert [r["name"] for r in shared["metadata"]["ownerReferences"]] == ["other"]
    assert not cluster.registry.gc_pending


def test_foreground_waits_for_blocking_dependents(cluster: SimCluster) -> None:
    owner = make(cluster, "owner")
    make(cluster, "blocking", owner, block=True, finalizers=["example.com/hold"])
    make(cluster, "free", owner)
    assert not delete(cluster, "owner", "Foreground")
    held = read(cluster, "owner")
    assert held is not None and held["metadata"]["finalizers"] == [FOREGROUND_FINALIZER]
    collect(cluster)
    assert read(cluster, "free") is None
    blocking = read(cluster, "blocking")
    assert blocking is not None and blocking["metadata"]["deletionTimestamp"]
    assert read(cluster, "owner") is not None
    blocking["metadata"]["finalizers"] = []
    cluster.registry.update(CONFIGMAPS, "default", "blocking", blocking)
    collect(cluster)
    assert read(cluster, "owner") is None
    assert not cluster.registry.gc_pending


def test_foreground_cascades_down_a_chain(cluster: SimCluster) -> None:
    top = make(cluster, "top")
    middle = make(cluster, "middle", top, block=True)
    make(cluster, "leaf", middle, block=True)
    delete(cluster, "top", "Foreground")
    collect(cluster)
    middle_now = read(cluster, "middle")
    assert middle_now is not None
    assert middle_now["metadata"]["finalizers"] == [FOREGROUND_FINALIZER]
    for _ in range(3):
        collect(cluster)
    assert [read(cluster, n) for n in ("top", "middle", "leaf")] == [None, None, None]


@pytest.mark.parametrize("policy", ["Orphan", "Foreground", "Background", None])
def test_without_dependents_the_object_goes_at_once(
    cluster: SimCluster, policy: Propagation | None
) -> None:
    make(cluster, "alone")
    assert delete(cluster, "alone", policy)
    assert read(cluster, "alone") is None


def test_background_leaves_unknown_owner_kinds_alone(cluster: SimCluster) -> None:
    owner = make(cluster, "owner")
    make(cluster, "dep", owner)
    assert delete(cluster, "owner", "Background")
    collect(cluster)
    assert read(cluster, "dep") is not None


def test_policy_on_an_object_already_deleting(cluster: SimCluster) -> None:
    owner = make(cluster, "owner", finalizers=["example.com/hold"])
    make(cluster, "dep", owner)
    assert not delete(cluster, "owner", None)
    assert not delete(cluster, "owner", "Orphan")
    held = read(cluster, "owner")
    assert held is not None
    assert held["metadata"]["finalizers"] == ["example.com/hold", ORPHAN_FINALIZER]
    collect(cluster)
    dep = read(cluster, "dep")
    assert dep is not None and "ownerReferences" not in dep["metadata"]
    held = read(cluster, "owner")
    assert held is not None and held["metadata"]["finalizers"] == ["example.com/hold"]


@pytest.mark.parametrize(
    ("query", "body", "expected"),
    [
        ({}, {}, None),
        ({}, {"propagationPolicy": "Orphan"}, "Orphan"),
        ({"propagationPolicy": "Foreground"}, {}, "Foreground"),
        ({}, {"orphanDependents": True}, "Orphan"),
        ({}, {"orphanDependents": False}, "Background"),
        ({"orphanDependents": "true"}, {}, "Orphan"),
        ({}, {"propagationPolicy": ""}, None),
    ],
)
def test_parse_propagation(
    query: dict[str, str], body: dict[str, Any], expected: Propagation | None
) -> None:
    assert _propagation(query, body) == expected


@pytest.mark.parametrize(
    "body",
    [{"propagationPolicy": "Sideways"}, {"propagationPolicy": "Orphan", "orphanDependents": True}],
)
def test_parse_propagation_rejects(body: dict[str, Any]) -> None:
    with pytest.raises(errors.ApiError) as err:
        _propagation({}, body)
    assert err.value.code == 422
