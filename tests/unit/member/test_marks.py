"""Karmada's ownership marks on member objects (names from karmada.md section 4)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from karmada.member.marks import (
    BindingRef,
    WorkRef,
    belongs_to,
    is_managed,
    recorded_keys,
    stamp,
)

WORK = WorkRef("karmada-es-member1", "web-6d4b7c", permanent_id="w-123")


def manifest() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "default",
            "labels": {"app": "web"},
            "annotations": {"team": "a"},
            "resourceVersion": "42",
            "uid": "u-1",
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "generation": 3,
            "managedFields": [{"manager": "kubectl"}],
            "finalizers": ["example.com/keep"],
        },
        "spec": {"replicas": 2},
        "status": {"replicas": 2},
    }


def test_stamp_for_a_resource_binding() -> None:
    original = manifest()
    desired = stamp(
        original,
        work=WORK,
        binding=BindingRef("web-deployment", namespace="default", permanent_id="rb-9"),
    )
    assert original == manifest(), "input must not be modified"
    metadata = desired["metadata"]
    assert metadata["labels"] == {
        "app": "web",
        "karmada.io/managed": "true",
        "work.karmada.io/permanent-id": "w-123",
        "resourcebinding.karmada.io/permanent-id": "rb-9",
    }
    assert metadata["annotations"] == {
        "team": "a",
        "work.karmada.io/namespace": "karmada-es-member1",
        "work.karmada.io/name": "web-6d4b7c",
        "resourcebinding.karmada.io/namespace": "default",
        "resourcebinding.karmada.io/name": "web-deployment",
        "work.karmada.io/conflict-resolution": "abort",
        "resourcetemplate.karmada.io/managed-labels": (
            "app,karmada.io/managed,resourcebinding.karmada.io/permanent-id,"
            "work.karmada.io/permanent-id"
        ),
        "resourcetemplate.karmada.io/managed-annotations": (
            "resourcebinding.karmada.io/name,resourcebinding.karmada.io/namespace,"
            "resourcetemplate.karmada.io/managed-annotations,"
            "resourcetemplate.karmada.io/managed-labels,team,"
            "work.karmada.io/conflict-resolution,work.karmada.io/name,work.karmada.io/namespace"
        ),
    }
    for server_field in (
        "resourceVersion",
        "uid",
        "creationTimestamp",
        "generation",
        "managedFields",
    ):
        assert server_field not in metadata
    assert metadata["finalizers"] == ["example.com/keep"]
    assert "status" not in desired
    assert desired["spec"] == {"replicas": 2}


def test_stamp_for_a_cluster_resource_binding_with_overwrite() -> None:
    desired = stamp(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}},
        work=WorkRef("karmada-es-m", "team-a-1"),
        binding=BindingRef("team-a-namespace", permanent_id="crb-1"),
        conflict_resolution="Overwrite",
    )
    labels = desired["metadata"]["labels"]
    annotations = desired["metadata"]["annotations"]
    assert labels == {
        "karmada.io/managed": "true",
        "clusterresourcebinding.karmada.io/permanent-id": "crb-1",
    }
    assert annotations["clusterresourcebinding.karmada.io/name"] == "team-a-namespace"
    assert "resourcebinding.karmada.io/name" not in annotations
    assert annotations["work.karmada.io/conflict-resolution"] == "overwrite"
    assert recorded_keys(desired, "resourcetemplate.karmada.io/managed-labels") == set(labels)
    assert recorded_keys(desired, "resourcetemplate.karmada.io/managed-annotations") == set(
        annotations
    )


def test_stamp_rejects_unknown_conflict_resolution() -> None:
    with pytest.raises(ValueError, match="Abort or Overwrite"):
        stamp(manifest(), work=WORK, conflict_resolution="overwrite")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("labels", "managed"),
    [
        ({"karmada.io/managed": "true"}, True),
        ({"karmada.io/managed": "false"}, False),
        ({"karmada.io/managed": "True"}, False),
        ({}, False),
        (None, False),
    ],
)
def test_is_managed(labels: dict[str, str] | None, managed: bool) -> None:
    assert is_managed({"metadata": {"labels": labels}}) is managed


def test_belongs_to_checks_the_work() -> None:
    desired = stamp(manifest(), work=WORK)
    assert belongs_to(desired, WORK)
    assert not belongs_to(desired, WorkRef("karmada-es-member1", "other"))
    unmanaged = copy.deepcopy(desired)
    del unmanaged["metadata"]["labels"]["karmada.io/managed"]
    assert not belongs_to(unmanaged, WORK)


def test_recorded_keys_tolerates_missing_and_empty_records() -> None:
    assert recorded_keys({}, "resourcetemplate.karmada.io/managed-labels") == set()
    obj = {"metadata": {"annotations": {"resourcetemplate.karmada.io/managed-labels": ""}}}
    assert recorded_keys(obj, "resourcetemplate.karmada.io/managed-labels") == set()
