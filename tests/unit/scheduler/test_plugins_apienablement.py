"""APIEnablement: the cluster must serve the resource's kind."""

from __future__ import annotations

import pytest

from scheduler.framework.types import SUCCESS, ClusterInfo, Code, Result
from scheduler.plugins import apienablement
from tests.unit.scheduler.builders import binding, cluster

MISSING = Result(Code.UNSCHEDULABLE, "did not have the API resource")


def incomplete(name: str, kinds: list[tuple[str, str]]) -> ClusterInfo:
    info = cluster(name, api_enablements=kinds)
    info.complete_api_enablements = False
    return info


@pytest.mark.parametrize(
    ("api_version", "kind", "target", "previous", "expected"),
    [
        pytest.param("apps/v1", "Deployment", cluster("a"), {}, SUCCESS, id="served"),
        pytest.param("example.io/v1", "Widget", cluster("a"), {}, MISSING, id="kind-not-served"),
        pytest.param(
            "apps/v1beta1", "Deployment", cluster("a"), {}, MISSING, id="other-group-version"
        ),
        pytest.param(
            "example.io/v1",
            "Widget",
            incomplete("a", []),
            {"a": 1},
            SUCCESS,
            id="incomplete-and-scheduled-keeps-cluster",
        ),
        pytest.param(
            "example.io/v1",
            "Widget",
            incomplete("a", []),
            {"b": 1},
            MISSING,
            id="incomplete-but-not-scheduled",
        ),
        pytest.param(
            "example.io/v1",
            "Widget",
            cluster("a", api_enablements=[]),
            {"a": 1},
            MISSING,
            id="complete-and-scheduled",
        ),
    ],
)
def test_filter(
    api_version: str, kind: str, target: ClusterInfo, previous: dict[str, int], expected: Result
) -> None:
    subject = binding(api_version=api_version, kind=kind, previous=previous)

    assert apienablement.new().filter(subject, target) == expected


def test_a_new_binding_is_not_judged_by_the_previous_ones_kind() -> None:
    plugin = apienablement.new()
    served = cluster("a", api_enablements=[("v1", "ConfigMap")])

    assert plugin.filter(binding(api_version="v1", kind="ConfigMap"), served) == SUCCESS
    assert plugin.filter(binding(api_version="v1", kind="Secret"), served) == MISSING
