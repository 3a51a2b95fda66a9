"""What the execution and work status controllers read off Works and member objects."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.works import (
    apply_order,
    binding_index_values,
    binding_of,
    cluster_of,
    cluster_ready,
    conflict_resolution_of,
    drifted,
    is_push,
    kinds_of,
    manifests_of,
    object_key,
    permanent_id_of,
    protected_keys,
    status_view,
    work_key_of,
)
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.scheme import CLUSTER, WORK
from karmada.member.marks import BindingRef
from karmada.meta.v1 import meta_pb2
from karmada.work.v1alpha1 import work_pb2


def manifest(api_version: str, kind: str, name: str, namespace: str = "") -> dict[str, Any]:
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata}


def work(
    *manifests: dict[str, Any],
    namespace: str = "karmada-es-member1",
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
) -> work_pb2.Work:
    result = WORK.new(name="w", namespace=namespace)
    result.metadata.labels.update(labels or {})
    result.metadata.annotations.update(annotations or {})
    for item in manifests:
        result.spec.workload.manifests.add().update(item)
    return result


DEPLOYMENT = manifest("apps/v1", "Deployment", "web", "apps")
NAMESPACE = manifest("v1", "Namespace", "apps")
CRD = manifest("apiextensions.k8s.io/v1", "CustomResourceDefinition", "foos.example.io")
CONFIG = manifest("v1", "ConfigMap", "cfg", "apps")


@pytest.mark.parametrize(
    ("manifests", "order"),
    [
        ([], []),
        ([DEPLOYMENT], [0]),
        ([DEPLOYMENT, NAMESPACE], [1, 0]),
        ([DEPLOYMENT, CRD, CONFIG, NAMESPACE], [3, 1, 0, 2]),
        ([CONFIG, DEPLOYMENT], [0, 1]),
        ([manifest("example.io/v1", "Namespace", "x"), NAMESPACE], [1, 0]),
    ],
)
def test_apply_order_puts_namespaces_then_crds_first(
    manifests: list[dict[str, Any]], order: list[int]
) -> None:
    assert apply_order(manifests) == order


@pytest.mark.parametrize(
    ("obj", "key"),
    [
        (DEPLOYMENT, ("apps", "Deployment", "apps", "web")),
        (NAMESPACE, ("", "Namespace", "", "apps")),
        ({"kind": "X"}, ("", "X", "", "")),
    ],
)
def test_object_key(obj: dict[str, Any], key: tuple[str, str, str, str]) -> None:
    assert object_key(obj) == key


def test_protected_keys_cover_misplaced_namespaces_of_cluster_scoped_manifests() -> None:
    misplaced = manifest("rbac.authorization.k8s.io/v1", "ClusterRole", "reader", "apps")
    keys = protected_keys([DEPLOYMENT, misplaced])
    assert ("apps", "Deployment", "apps", "web") in keys
    assert ("rbac.authorization.k8s.io", "ClusterRole", "", "reader") in keys
    assert ("apps", "Deployment", "other", "web") not in keys


def test_kinds_and_manifests_of_a_work() -> None:
    source = work(DEPLOYMENT, NAMESPACE, {"kind": "NoVersion", "metadata": {"name": "x"}})
    assert kinds_of(source) == {("apps/v1", "Deployment"), ("v1", "Namespace")}
    assert manifests_of(source)[0] == DEPLOYMENT


@pytest.mark.parametrize(
    ("labels", "annotations", "expected"),
    [
        ({}, {}, None),
        (
            {"resourcebinding.karmada.io/permanent-id": "rb-id"},
            {
                "resourcebinding.karmada.io/name": "web-deployment",
                "resourcebinding.karmada.io/namespace": "apps",
            },
            BindingRef(name="web-deployment", namespace="apps", permanent_id="rb-id"),
        ),
        (
            {"clusterresourcebinding.karmada.io/permanent-id": "crb-id"},
            {"clusterresourcebinding.karmada.io/name": "reader-clusterrole"},
            BindingRef(name="reader-clusterrole", permanent_id="crb-id"),
        ),
    ],
)
def test_binding_of(
    labels: dict[str, str], annotations: dict[str, str], expected: BindingRef | None
) -> None:
    assert binding_of(work(labels=labels, annotations=annotations)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "Abort"),
        ("abort", "Abort"),
        ("overwrite", "Overwrite"),
        ("Overwrite", "Overwrite"),
        ("bogus", "Abort"),
    ],
)
def test_conflict_resolution_of(value: str, expected: str) -> None:
    annotations = {"work.karmada.io/conflict-resolution": value} if value else {}
    assert conflict_resolution_of(work(annotations=annotations)) == expected


def test_permanent_id_and_cluster_of_a_work() -> None:
    labelled = work(labels={"work.karmada.io/permanent-id": "abc"})
    assert permanent_id_of(labelled) == "abc"
    assert cluster_of(labelled) == "member1"
    assert cluster_of(work(namespace="default")) == ""


def _member(annotations: dict[str, str]) -> dict[str, Any]:
    return {"metadata": {"name": "web", "namespace": "apps", "annotations": annotations}}


@pytest.mark.parametrize(
    ("annotations", "cluster", "expected"),
    [
        (
            {"work.karmada.io/namespace": "karmada-es-member1", "work.karmada.io/name": "w"},
            "member1",
            "karmada-es-member1/w",
        ),
        (
            {"work.karmada.io/namespace": "karmada-es-member2", "work.karmada.io/name": "w"},
            "member1",
            None,
        ),
        ({"work.karmada.io/namespace": "karmada-es-member1"}, "member1", None),
        ({}, "member1", None),
    ],
)
def test_work_key_of_member_objects(
    annotations: dict[str, str], cluster: str, expected: str | None
) -> None:
    assert work_key_of(_member(annotations), cluster) == expected


LIVE: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "resourceVersion": "1", "generation": 1, "labels": {"a": "1"}},
    "spec": {"replicas": 2},
    "status": {"readyReplicas": 0},
}


def _changed(**changes: Any) -> dict[str, Any]:
    result = {**LIVE, **{k: v for k, v in changes.items() if k != "metadata"}}
    result["metadata"] = {**LIVE["metadata"], **changes.get("metadata", {})}
    return result


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (LIVE, _changed(status={"readyReplicas": 2}, metadata={"resourceVersion": "2"}), False),
        (LIVE, _changed(metadata={"managedFields": [{}], "resourceVersion": "3"}), False),
        (LIVE, _changed(spec={"replicas": 5}, metadata={"generation": 2}), True),
        (LIVE, _changed(metadata={"labels": {}}), True),
        (None, LIVE, True),
        (LIVE, None, True),
    ],
)
def test_drifted_ignores_status_and_bookkeeping(
    old: dict[str, Any] | None, new: dict[str, Any] | None, expected: bool
) -> None:
    assert drifted(old, new) is expected


def _cluster(sync_mode: str, ready: str | None) -> cluster_pb2.Cluster:
    cluster = CLUSTER.new(name="member1")
    cluster.spec.sync_mode = sync_mode
    if ready is not None:
        cluster.status.conditions.append(meta_pb2.Condition(type="Ready", status=ready))
    return cluster


@pytest.mark.parametrize(
    ("sync_mode", "ready", "push", "readiness"),
    [("Push", "True", True, "True"), ("Pull", "False", False, "False"), ("", None, True, "")],
)
def test_cluster_mode_and_readiness(
    sync_mode: str, ready: str | None, push: bool, readiness: str
) -> None:
    cluster = _cluster(sync_mode, ready)
    assert is_push(cluster) is push
    assert cluster_ready(cluster) == readiness


MARKED: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "namespace": "shop",
        "uid": "u",
        "resourceVersion": "7",
        "generation": 3,
        "managedFields": [{"manager": "x"}],
        "labels": {"karmada.io/managed": "true", "app": "web", "work.karmada.io/permanent-id": "p"},
        "annotations": {
            "work.karmada.io/namespace": "karmada-es-m1",
            "work.karmada.io/name": "web-687f7fb96f",
            "resourcetemplate.karmada.io/generation": "2",
            "resourcetemplate.karmada.io/managed-labels": "app,karmada.io/managed",
        },
    },
    "spec": {"replicas": 2, "template": {"spec": {"containers": []}}},
    "status": {"readyReplicas": 2},
}


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (
            MARKED,
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": "web",
                    "namespace": "shop",
                    "uid": "u",
                    "resourceVersion": "7",
                    "generation": 3,
                    "labels": {"karmada.io/managed": "true"},
                    "annotations": {
                        "work.karmada.io/namespace": "karmada-es-m1",
                        "work.karmada.io/name": "web-687f7fb96f",
                        "resourcetemplate.karmada.io/generation": "2",
                    },
                },
                "spec": {"replicas": 2},
                "status": {"readyReplicas": 2},
            },
        ),
        (
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "c"},
                "data": {"k": "v"},
            },
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}},
        ),
    ],
)
def test_status_view_keeps_what_status_and_ownership_read(
    obj: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert status_view(obj) == expected


@pytest.mark.parametrize(
    ("annotations", "values"),
    [
        ({}, []),
        (
            {
                "resourcebinding.karmada.io/name": "web-deployment",
                "resourcebinding.karmada.io/namespace": "shop",
            },
            ["rb:shop/web-deployment"],
        ),
        ({"clusterresourcebinding.karmada.io/name": "role-clusterrole"}, ["crb:role-clusterrole"]),
    ],
)
def test_binding_index_values(annotations: dict[str, str], values: list[str]) -> None:
    work = WORK.new(name="w", namespace="karmada-es-m1")
    work.metadata.annotations.update(annotations)
    assert binding_index_values(work) == values
