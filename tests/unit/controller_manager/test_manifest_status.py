"""manifestStatuses entries and the Available condition of a Work, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.manifest_status import (
    Found,
    apply_summary,
    available_condition,
    describe,
    manifest_status,
    summarize,
)
from karmada.machinery.conditions import find_condition
from karmada.machinery.scheme import WORK
from karmada.machinery.structs import to_dict

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "apps"},
    "spec": {"replicas": 2},
}


def _live(ready: int, *, observed: int = 1) -> dict[str, Any]:
    return {
        **DEPLOYMENT,
        "metadata": {**DEPLOYMENT["metadata"], "generation": 1, "uid": "u"},
        "status": {
            "replicas": 2,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "updatedReplicas": 2,
            "observedGeneration": observed,
        },
    }


@pytest.mark.parametrize(
    ("live", "health"),
    [(_live(2), "Healthy"), (_live(1), "Unhealthy"), (_live(2, observed=0), "Unhealthy")],
)
def test_manifest_status_of_a_deployment(live: dict[str, Any], health: str) -> None:
    entry = manifest_status(3, DEPLOYMENT, Found(live, "deployments"))
    identifier = entry.identifier
    assert (identifier.ordinal, identifier.group, identifier.version) == (3, "apps", "v1")
    assert (identifier.kind, identifier.resource) == ("Deployment", "deployments")
    assert (identifier.namespace, identifier.name) == ("apps", "web")
    assert entry.health == health
    assert to_dict(entry.status)["readyReplicas"] == live["status"]["readyReplicas"]


def test_manifest_status_of_a_core_kind_without_status() -> None:
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "a"}}
    entry = manifest_status(0, config, Found(config, "configmaps"))
    assert (entry.identifier.group, entry.identifier.version) == ("", "v1")
    assert not entry.HasField("status")
    assert entry.health == "Healthy"


@pytest.mark.parametrize(
    ("manifest", "text"),
    [
        (DEPLOYMENT, "Deployment apps/web"),
        ({"kind": "Namespace", "metadata": {"name": "apps"}}, "Namespace apps"),
    ],
)
def test_describe(manifest: dict[str, Any], text: str) -> None:
    assert describe(manifest) == text


@pytest.mark.parametrize(
    ("missing", "unhealthy", "expected"),
    [
        (
            [],
            [],
            ("True", "WorkAvailable", "All manifests exist in the member cluster and are healthy"),
        ),
        (
            ["Deployment a/web"],
            [],
            ("False", "WorkNotAvailable", "not found in the member cluster: Deployment a/web"),
        ),
        (
            ["ConfigMap a/c"],
            ["Deployment a/web (Unhealthy)"],
            (
                "False",
                "WorkNotAvailable",
                "not found in the member cluster: ConfigMap a/c; "
                "not healthy: Deployment a/web (Unhealthy)",
            ),
        ),
        (
            [f"ConfigMap a/c{i}" for i in range(7)],
            [],
            (
                "False",
                "WorkNotAvailable",
                "not found in the member cluster: ConfigMap a/c0, ConfigMap a/c1, ConfigMap a/c2, "
                "ConfigMap a/c3, ConfigMap a/c4 and 2 more",
            ),
        ),
    ],
)
def test_available_condition(
    missing: list[str], unhealthy: list[str], expected: tuple[str, str, str]
) -> None:
    assert available_condition(missing=missing, unhealthy=unhealthy) == expected


CONFIG: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}


@pytest.mark.parametrize(
    ("found", "ordinals", "available"),
    [
        ([Found(_live(2), "deployments"), Found(CONFIG, "configmaps")], [0, 1], "True"),
        ([Found(_live(1), "deployments"), Found(CONFIG, "configmaps")], [0, 1], "False"),
        ([Found(None, "deployments"), Found(CONFIG, "configmaps")], [1], "False"),
        ([Found(None), Found(None)], [], "False"),
    ],
)
def test_summarize(found: list[Found], ordinals: list[int], available: str) -> None:
    summary = summarize([DEPLOYMENT, CONFIG], found)
    assert [entry.identifier.ordinal for entry in summary.statuses] == ordinals
    assert summary.available[0] == available


def test_apply_summary_reports_whether_anything_changed() -> None:
    work = WORK.new(name="w", namespace="karmada-es-m1")
    work.metadata.generation = 4
    summary = summarize([DEPLOYMENT], [Found(_live(2), "deployments")])
    assert apply_summary(work, summary)
    assert len(work.status.manifest_statuses) == 1
    condition = find_condition(work.status.conditions, "Available")
    assert condition is not None
    assert (condition.status, condition.observed_generation) == ("True", 4)
    assert not apply_summary(work, summary)
    assert apply_summary(work, summarize([DEPLOYMENT], [Found(None)]))
    assert len(work.status.manifest_statuses) == 0
