"""Defaulting of PropagationPolicy / ClusterPropagationPolicy, as Karmada's mutating webhook."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from apiserver.registry import propagation_policy
from karmada.names import NOT_READY_TAINT, UNREACHABLE_TAINT
from tests.unit.apiserver.support import build, to_dict

PP = propagation_policy.STRATEGY
CPP = propagation_policy.CLUSTER_STRATEGY
NS = "apps"

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"}
BASE: dict[str, Any] = {
    "resourceSelectors": [DEPLOYMENT],
    "placement": {"clusterAffinity": {"clusterNames": ["member1", "member2"]}},
}


def spec(**overrides: Any) -> dict[str, Any]:
    """BASE with top-level spec fields replaced."""
    out = copy.deepcopy(BASE)
    out.update(overrides)
    return out


def placement(**fields: Any) -> dict[str, Any]:
    return spec(placement=fields)


def defaulted(body: dict[str, Any], *, cluster: bool = False) -> dict[str, Any]:
    strategy = CPP if cluster else PP
    obj = build(strategy, body, name="p", namespace="" if cluster else NS)
    strategy.default(obj)
    return to_dict(obj)


DEFAULT_TOLERATIONS = [
    {
        "key": NOT_READY_TAINT,
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": "300",
    },
    {
        "key": UNREACHABLE_TAINT,
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": "300",
    },
]


def test_defaults_of_a_minimal_policy() -> None:
    body = {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}]}
    assert defaulted(body) == {
        "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "namespace": NS}],
        "placement": {"clusterTolerations": DEFAULT_TOLERATIONS},
        "priority": 0,
        "preemption": "Never",
        "schedulerName": "default-scheduler",
        "conflictResolution": "Abort",
    }


def test_cluster_policy_selectors_keep_an_empty_namespace() -> None:
    body = {"resourceSelectors": [{"apiVersion": "v1", "kind": "Namespace"}]}
    assert defaulted(body, cluster=True)["resourceSelectors"] == [
        {"apiVersion": "v1", "kind": "Namespace"}
    ]


@pytest.mark.parametrize(
    ("placement_in", "expected"),
    [
        pytest.param(
            {"spreadConstraints": [{"maxGroups": 3}, {"spreadByLabel": "rack", "minGroups": 2}]},
            {
                "spreadConstraints": [
                    {"spreadByField": "cluster", "maxGroups": 3, "minGroups": 1},
                    {"spreadByLabel": "rack", "minGroups": 2},
                ]
            },
            id="spread-constraints",
        ),
        pytest.param(
            {"replicaScheduling": {}},
            {
                "replicaScheduling": {
                    "replicaSchedulingType": "Divided",
                    "replicaDivisionPreference": "Weighted",
                }
            },
            id="replica-scheduling-divided-weighted",
        ),
        pytest.param(
            {"replicaScheduling": {"replicaSchedulingType": "Duplicated"}},
            {"replicaScheduling": {"replicaSchedulingType": "Duplicated"}},
            id="duplicated-keeps-no-preference",
        ),
        pytest.param(
            {
                "replicaScheduling": {
                    "replicaSchedulingType": "Divided",
                    "replicaDivisionPreference": "Aggregated",
                }
            },
            {
                "replicaScheduling": {
                    "replicaSchedulingType": "Divided",
                    "replicaDivisionPreference": "Aggregated",
                }
            },
            id="explicit-preference-kept",
        ),
    ],
)
def test_placement_defaults(placement_in: dict[str, Any], expected: dict[str, Any]) -> None:
    out = defaulted(spec(placement=placement_in))["placement"]
    assert out == {**expected, "clusterTolerations": DEFAULT_TOLERATIONS}


def test_default_tolerations_are_not_duplicated() -> None:
    own = {
        "key": NOT_READY_TAINT,
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": "30",
    }
    out = defaulted(placement(clusterTolerations=[own]))["placement"]["clusterTolerations"]
    assert out == [own, DEFAULT_TOLERATIONS[1]]


@pytest.mark.parametrize(
    ("failover", "expected"),
    [
        pytest.param(
            {"application": {}},
            {
                "application": {
                    "decisionConditions": {"tolerationSeconds": 300},
                    "purgeMode": "Gracefully",
                    "gracePeriodSeconds": 600,
                }
            },
            id="application",
        ),
        pytest.param(
            {"application": {"purgeMode": "Directly"}},
            {
                "application": {
                    "decisionConditions": {"tolerationSeconds": 300},
                    "purgeMode": "Directly",
                }
            },
            id="no-grace-period-for-direct-purge",
        ),
        pytest.param(
            {"application": {"purgeMode": "Graciously", "gracePeriodSeconds": 60}},
            {
                "application": {
                    "decisionConditions": {"tolerationSeconds": 300},
                    "purgeMode": "Graciously",
                    "gracePeriodSeconds": 60,
                }
            },
            id="explicit-values-kept",
        ),
        pytest.param({"cluster": {}}, {"cluster": {"purgeMode": "Gracefully"}}, id="cluster"),
    ],
)
def test_failover_defaults(failover: dict[str, Any], expected: dict[str, Any]) -> None:
    assert defaulted(spec(failover=failover, propagateDeps=True))["failover"] == expected


def test_service_import_selector_turns_on_propagate_deps() -> None:
    selector = {"apiVersion": "multicluster.x-k8s.io/v1alpha1", "kind": "ServiceImport"}
    assert defaulted(spec(resourceSelectors=[selector]))["propagateDeps"] is True


def test_explicit_values_are_not_defaulted() -> None:
    out = defaulted(
        spec(preemption="Always", conflictResolution="Overwrite", schedulerName="s", priority=7)
    )
    assert (
        out["preemption"],
        out["conflictResolution"],
        out["schedulerName"],
        out["priority"],
    ) == (
        "Always",
        "Overwrite",
        "s",
        7,
    )


def test_defaulting_is_idempotent() -> None:
    obj = build(PP, spec(placement={"spreadConstraints": [{}]}, failover={"application": {}}))
    PP.default(obj)
    once = obj.SerializeToString(deterministic=True)
    PP.default(obj)
    assert obj.SerializeToString(deterministic=True) == once
