"""replicas_of / revise_replicas: Karmada's native replica interpreters, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.interpreter import InterpretError, replicas_of, revise_replicas


def workload(kind: str, api_version: str = "apps/v1", **spec: Any) -> dict[str, Any]:
    pod_spec = spec.pop("pod", {"containers": [{"name": "c", "image": "nginx"}]})
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "w", "namespace": "ns"},
        "spec": {**spec, "template": {"spec": pod_spec}},
    }


def requests(cpu: str = "", memory: str = "") -> dict[str, Any]:
    resources = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    return {"name": "c", "image": "nginx", "resources": {"requests": resources}}


@pytest.mark.parametrize(
    ("manifest", "replicas"),
    [
        (workload("Deployment", replicas=3), 3),
        (workload("Deployment"), 1),
        (workload("Deployment", replicas=0), 0),
        (workload("StatefulSet", replicas=5), 5),
        (workload("ReplicaSet", replicas=2), 2),
        (workload("Job", "batch/v1", parallelism=4, completions=8), 4),
        (workload("Job", "batch/v1"), 1),
        ({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}, 1),
        (workload("DaemonSet"), 0),
        ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}, 0),
        (workload("Deployment", "apps/v1beta2", replicas=7), 7),
    ],
    ids=[
        "deployment",
        "deployment-default",
        "deployment-zero",
        "statefulset",
        "replicaset",
        "job-parallelism",
        "job-default",
        "pod",
        "daemonset",
        "configmap",
        "deployment-other-version",
    ],
)
def test_replica_count(manifest: dict[str, Any], replicas: int) -> None:
    assert replicas_of(manifest)[0] == replicas


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        ({"containers": [{"name": "c"}]}, None),
        (
            {"containers": [requests(cpu="100m", memory="128Mi"), requests(cpu="200m")]},
            {"cpu": "300m", "memory": "128Mi"},
        ),
        (
            {
                "containers": [requests(cpu="100m")],
                "initContainers": [requests(cpu="1", memory="1Gi")],
            },
            {"cpu": "1", "memory": "1Gi"},
        ),
        (
            {
                "containers": [
                    {"name": "c", "resources": {"limits": {"cpu": "500m"}}},
                ],
            },
            {"cpu": "500m"},
        ),
        ({"containers": [requests(cpu="0")]}, None),
    ],
    ids=["no-requests", "summed", "init-peak", "limits-stand-in", "zero-dropped"],
)
def test_resource_requests(pod: dict[str, Any], expected: dict[str, str] | None) -> None:
    _, requirements = replicas_of(workload("Deployment", replicas=1, pod=pod))
    if expected is None:
        assert requirements is None
    else:
        assert requirements is not None
        assert dict(requirements.resource_request) == expected
        assert requirements.namespace == "ns"


def test_node_claim_and_priority() -> None:
    pod = {
        "containers": [{"name": "c"}],
        "nodeSelector": {"disk": "ssd"},
        "tolerations": [
            {
                "key": "k",
                "operator": "Equal",
                "value": "v",
                "effect": "NoExecute",
                "tolerationSeconds": 30,
            }
        ],
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "zone", "operator": "In", "values": ["a", "b"]}
                            ]
                        }
                    ]
                }
            }
        },
        "priorityClassName": "high",
    }
    _, requirements = replicas_of(workload("StatefulSet", replicas=2, pod=pod))
    assert requirements is not None
    claim = requirements.node_claim
    assert dict(claim.node_selector) == {"disk": "ssd"}
    assert len(claim.tolerations) == 1
    toleration = claim.tolerations[0]
    assert (toleration.key, toleration.operator, toleration.value, toleration.effect) == (
        "k",
        "Equal",
        "v",
        "NoExecute",
    )
    assert toleration.toleration_seconds == 30
    expression = claim.hard_node_affinity.node_selector_terms[0].match_expressions[0]
    assert (expression.key, expression.operator, list(expression.values)) == (
        "zone",
        "In",
        ["a", "b"],
    )
    assert requirements.priority_class_name == "high"
    assert dict(requirements.resource_request) == {}


def test_pod_requirements_come_from_its_own_spec() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"containers": [requests(memory="64Mi")]},
    }
    replicas, requirements = replicas_of(pod)
    assert replicas == 1
    assert requirements is not None
    assert dict(requirements.resource_request) == {"memory": "64Mi"}


@pytest.mark.parametrize(
    "manifest",
    [
        workload("Deployment", replicas="three"),
        workload("Deployment", replicas=-1),
        workload("Deployment", replicas=True),
        workload("Deployment", replicas=1, pod={"containers": [requests(cpu="lots")]}),
    ],
    ids=["string", "negative", "bool", "bad-quantity"],
)
def test_bad_input_raises_interpret_error(manifest: dict[str, Any]) -> None:
    with pytest.raises(InterpretError):
        replicas_of(manifest)


@pytest.mark.parametrize(
    ("manifest", "path"),
    [
        (workload("Deployment", replicas=6), ("spec", "replicas")),
        (workload("StatefulSet", replicas=6), ("spec", "replicas")),
        (workload("ReplicaSet", replicas=6), ("spec", "replicas")),
        (workload("Job", "batch/v1", parallelism=6, completions=6), ("spec", "parallelism")),
        (workload("Deployment"), ("spec", "replicas")),
    ],
    ids=["deployment", "statefulset", "replicaset", "job", "unset"],
)
def test_revise_sets_the_replica_field(manifest: dict[str, Any], path: tuple[str, str]) -> None:
    before = repr(manifest)
    revised = revise_replicas(manifest, 2)
    assert revised[path[0]][path[1]] == 2
    assert repr(manifest) == before
    if manifest["kind"] == "Job":
        assert revised["spec"]["completions"] == 6


def test_revise_leaves_other_kinds_alone() -> None:
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {"a": "b"},
    }
    assert revise_replicas(config_map, 3) == config_map
    daemon_set = workload("DaemonSet")
    assert revise_replicas(daemon_set, 3) == daemon_set
