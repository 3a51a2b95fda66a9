"""PropagationPolicy / ClusterPropagationPolicy validation and defaulting (Karmada's rules)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from apiserver.registry import propagation_policy
from tests.unit.apiserver.support import build, fields_of

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


def pp_fields(body: dict[str, Any], *, name: str = "policy") -> list[str]:
    return fields_of(PP, build(PP, body, name=name, namespace=NS))


def cpp_fields(body: dict[str, Any]) -> list[str]:
    return fields_of(CPP, build(CPP, body, name="policy"))


VALID = [
    pytest.param(BASE, id="minimal"),
    pytest.param(
        spec(resourceSelectors=[{"apiVersion": "v1", "kind": "ConfigMap", "namespace": NS}]),
        id="selector-in-own-namespace",
    ),
    pytest.param(
        spec(
            resourceSelectors=[
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "nginx",
                    "labelSelector": {"matchLabels": {"app": "nginx"}},
                }
            ]
        ),
        id="name-and-label-selector",
    ),
    pytest.param(
        spec(
            propagateDeps=True,
            priority=-5,
            preemption="Always",
            conflictResolution="Overwrite",
            activationPreference="Lazy",
            dependentOverrides=["op-a"],
            schedulerName="my-scheduler",
            placement={
                "clusterAffinities": [
                    {"affinityName": "primary", "clusterNames": ["member1"]},
                    {
                        "affinityName": "backup",
                        "fieldSelector": {
                            "matchExpressions": [
                                {"key": "region", "operator": "In", "values": ["eu-west-1"]}
                            ]
                        },
                        "overflowAffinities": [{"affinityName": "burst", "exclude": ["member3"]}],
                    },
                ],
                "clusterTolerations": [
                    {
                        "key": "dedicated",
                        "operator": "Equal",
                        "value": "gpu",
                        "effect": "NoSchedule",
                    },
                    {"operator": "Exists"},
                ],
                "spreadConstraints": [
                    {"spreadByField": "region", "minGroups": 1, "maxGroups": 2},
                    {"spreadByField": "cluster", "minGroups": 2, "maxGroups": 4},
                ],
                "replicaScheduling": {
                    "replicaSchedulingType": "Divided",
                    "replicaDivisionPreference": "Weighted",
                    "weightPreference": {
                        "staticWeightList": [
                            {"targetCluster": {"clusterNames": ["member1"]}, "weight": 1},
                            {"targetCluster": {"clusterNames": ["member2"]}, "weight": 0},
                        ]
                    },
                },
            },
            failover={
                "application": {
                    "decisionConditions": {"tolerationSeconds": 0},
                    "purgeMode": "Directly",
                    "statePreservation": {
                        "rules": [{"aliasLabelName": "app.io/job-id", "jsonPath": "{.jobID}"}]
                    },
                },
                "cluster": {"purgeMode": "Directly"},
            },
            suspension={"dispatchingOnClusters": {"clusterNames": ["member1"]}},
            schedulePriority={
                "priorityClassSource": "KubePriorityClass",
                "priorityClassName": "high",
            },
        ),
        id="everything-set",
    ),
    pytest.param(
        placement(spreadConstraints=[{"spreadByLabel": "topology/rack"}]), id="spread-by-label"
    ),
    pytest.param(
        placement(replicaScheduling={"replicaSchedulingType": "Duplicated"}), id="duplicated"
    ),
    pytest.param(
        placement(
            replicaScheduling={
                "replicaSchedulingType": "Divided",
                "weightPreference": {"dynamicWeight": "AvailableReplicas"},
            }
        ),
        id="dynamic-weight-defaults-to-weighted",
    ),
    pytest.param(
        spec(failover={"application": {"purgeMode": "Graciously"}}, propagateDeps=True),
        id="deprecated-purge-mode",
    ),
    pytest.param(spec(suspension={"dispatching": True}), id="suspend-all"),
]


@pytest.mark.parametrize("body", VALID)
def test_valid_propagation_policy(body: dict[str, Any]) -> None:
    assert pp_fields(body) == []


@pytest.mark.parametrize("body", VALID)
def test_valid_cluster_propagation_policy(body: dict[str, Any]) -> None:
    assert cpp_fields(body) == []


INVALID = [
    pytest.param(spec(resourceSelectors=[]), ["spec.resourceSelectors"], id="no-selectors"),
    pytest.param(
        spec(resourceSelectors=[{"name": "x"}]),
        ["spec.resourceSelectors[0].apiVersion", "spec.resourceSelectors[0].kind"],
        id="selector-without-type",
    ),
    pytest.param(
        spec(
            resourceSelectors=[
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "labelSelector": {
                        "matchLabels": {"app": "bad value"},
                        "matchExpressions": [{"key": "tier", "operator": "Like"}],
                    },
                }
            ]
        ),
        [
            "spec.resourceSelectors[0].labelSelector.matchLabels[app]",
            "spec.resourceSelectors[0].labelSelector.matchExpressions[0].operator",
        ],
        id="bad-label-selector",
    ),
    pytest.param(
        placement(
            clusterAffinity={"clusterNames": ["m1"]}, clusterAffinities=[{"affinityName": "a"}]
        ),
        ["spec.placement.clusterAffinities"],
        id="affinity-and-affinities",
    ),
    pytest.param(
        placement(clusterAffinity={"clusterNames": ["Member_1", ""], "exclude": ["x" * 49]}),
        [
            "spec.placement.clusterAffinity.clusterNames[0]",
            "spec.placement.clusterAffinity.clusterNames[1]",
            "spec.placement.clusterAffinity.exclude[0]",
        ],
        id="bad-cluster-names",
    ),
    pytest.param(
        placement(
            clusterAffinity={
                "fieldSelector": {"matchExpressions": [{"key": "color", "operator": "Exists"}]}
            }
        ),
        [
            "spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].key",
            "spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].operator",
            "spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].values",
        ],
        id="bad-field-selector",
    ),
    pytest.param(
        placement(
            clusterAffinities=[
                {"affinityName": "a"},
                {"affinityName": ""},
                {"affinityName": "a", "overflowAffinities": [{"affinityName": "x" * 33}]},
            ]
        ),
        [
            "spec.placement.clusterAffinities[1].affinityName",
            "spec.placement.clusterAffinities[2].affinityName",
            "spec.placement.clusterAffinities[2].overflowAffinities[0].affinityName",
        ],
        id="bad-affinity-names",
    ),
    pytest.param(
        placement(
            clusterTolerations=[
                {"key": "k", "operator": "Exists", "value": "v"},
                {"key": "k", "operator": "Maybe"},
                {"key": "k", "effect": "NoWay"},
                {"key": "k", "effect": "NoSchedule", "tolerationSeconds": "5"},
                {"operator": "Equal", "value": "v"},
            ]
        ),
        [
            "spec.placement.clusterTolerations[0].operator",
            "spec.placement.clusterTolerations[1].operator",
            "spec.placement.clusterTolerations[2].effect",
            "spec.placement.clusterTolerations[3].effect",
            "spec.placement.clusterTolerations[4].operator",
        ],
        id="bad-tolerations",
    ),
    pytest.param(
        placement(
            spreadConstraints=[
                {"spreadByField": "cluster", "spreadByLabel": "rack"},
                {"spreadByField": "rack"},
                {"spreadByField": "cluster", "minGroups": 3, "maxGroups": 2},
                {"spreadByLabel": "rack", "minGroups": -1, "maxGroups": -1},
            ]
        ),
        [
            "spec.placement.spreadConstraints[0].spreadByLabel",
            "spec.placement.spreadConstraints[1].spreadByField",
            "spec.placement.spreadConstraints[2].maxGroups",
            "spec.placement.spreadConstraints[2].spreadByField",
            "spec.placement.spreadConstraints[3].minGroups",
            "spec.placement.spreadConstraints[3].maxGroups",
        ],
        id="bad-spread-constraints",
    ),
    pytest.param(
        placement(spreadConstraints=[{"spreadByField": "region", "maxGroups": 2}]),
        ["spec.placement.spreadConstraints"],
        id="region-spread-without-cluster-spread",
    ),
    pytest.param(
        placement(
            replicaScheduling={
                "replicaSchedulingType": "Split",
                "replicaDivisionPreference": "Even",
            }
        ),
        [
            "spec.placement.replicaScheduling.replicaSchedulingType",
            "spec.placement.replicaScheduling.replicaDivisionPreference",
        ],
        id="bad-replica-scheduling-enums",
    ),
    pytest.param(
        placement(
            replicaScheduling={
                "replicaSchedulingType": "Duplicated",
                "weightPreference": {"dynamicWeight": "AvailableReplicas"},
            }
        ),
        ["spec.placement.replicaScheduling.weightPreference"],
        id="weights-without-divided-weighted",
    ),
    pytest.param(
        placement(
            replicaScheduling={
                "replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted",
                "weightPreference": {
                    "staticWeightList": [
                        {"targetCluster": {"clusterNames": ["BAD"]}, "weight": -1}
                    ],
                    "dynamicWeight": "Random",
                },
            }
        ),
        [
            "spec.placement.replicaScheduling.weightPreference.staticWeightList[0].targetCluster.clusterNames[0]",
            "spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight",
            "spec.placement.replicaScheduling.weightPreference.dynamicWeight",
            "spec.placement.replicaScheduling.weightPreference.dynamicWeight",
        ],
        id="bad-weights",
    ),
    pytest.param(
        spec(preemption="Sometimes", conflictResolution="Ignore", activationPreference="Eager"),
        ["spec.preemption", "spec.conflictResolution", "spec.activationPreference"],
        id="bad-enums",
    ),
    pytest.param(
        spec(preemption="Always", resourceSelectors=[{"apiVersion": "v1", "kind": "Secret"}]),
        ["spec.resourceSelectors[0].name"],
        id="preemption-needs-names",
    ),
    pytest.param(
        spec(dependentOverrides=["Bad_Name", ""]),
        ["spec.dependentOverrides[0]", "spec.dependentOverrides[1]"],
        id="bad-dependent-overrides",
    ),
    pytest.param(
        spec(failover={"application": {"decisionConditions": {"tolerationSeconds": -1}}}),
        ["spec.propagateDeps", "spec.failover.application.decisionConditions.tolerationSeconds"],
        id="application-failover-needs-propagate-deps",
    ),
    pytest.param(
        spec(
            propagateDeps=True,
            failover={
                "application": {"purgeMode": "Later"},
                "cluster": {"purgeMode": "Never"},
            },
        ),
        ["spec.failover.application.purgeMode", "spec.failover.cluster.purgeMode"],
        id="bad-purge-modes",
    ),
    pytest.param(
        spec(
            propagateDeps=True,
            failover={"application": {"purgeMode": "Directly", "gracePeriodSeconds": 30}},
        ),
        ["spec.failover.application.gracePeriodSeconds"],
        id="grace-period-needs-graceful-purge",
    ),
    pytest.param(
        spec(
            propagateDeps=True,
            failover={"application": {"purgeMode": "Gracefully", "gracePeriodSeconds": 0}},
        ),
        ["spec.failover.application.gracePeriodSeconds"],
        id="grace-period-must-be-positive",
    ),
    pytest.param(
        spec(
            propagateDeps=True,
            failover={"application": {"statePreservation": {"rules": [{}]}}},
        ),
        [
            "spec.failover.application.statePreservation.rules[0].aliasLabelName",
            "spec.failover.application.statePreservation.rules[0].jsonPath",
        ],
        id="bad-state-preservation",
    ),
    pytest.param(
        spec(suspension={"dispatching": True, "dispatchingOnClusters": {"clusterNames": ["m1"]}}),
        ["spec.suspension.dispatchingOnClusters.clusterNames"],
        id="suspend-all-and-some",
    ),
    pytest.param(
        spec(schedulePriority={"priorityClassSource": "PodPriorityClass"}),
        ["spec.schedulePriority.priorityClassSource", "spec.schedulePriority.priorityClassName"],
        id="bad-schedule-priority",
    ),
]


@pytest.mark.parametrize(("body", "expected"), INVALID)
def test_invalid_propagation_policy(body: dict[str, Any], expected: list[str]) -> None:
    assert pp_fields(body) == expected


@pytest.mark.parametrize(("body", "expected"), INVALID)
def test_invalid_cluster_propagation_policy(body: dict[str, Any], expected: list[str]) -> None:
    assert cpp_fields(body) == expected


def test_selector_namespace_must_be_the_policys() -> None:
    body = spec(resourceSelectors=[{"apiVersion": "v1", "kind": "ConfigMap", "namespace": "other"}])
    assert pp_fields(body) == ["spec.resourceSelectors[0].namespace"]
    assert cpp_fields(body) == []


def test_cluster_policy_selector_namespace_must_be_valid() -> None:
    body = spec(resourceSelectors=[{"apiVersion": "v1", "kind": "ConfigMap", "namespace": "Bad"}])
    assert cpp_fields(body) == ["spec.resourceSelectors[0].namespace"]


def test_policy_name_fits_a_label_value() -> None:
    assert pp_fields(BASE, name="p" * 63) == []
    assert pp_fields(BASE, name="p" * 64) == ["metadata.name"]


def test_scheduler_name_is_immutable() -> None:
    old = build(PP, BASE, name="p", namespace=NS)
    PP.default(old)
    new = build(PP, spec(schedulerName="other"), name="p", namespace=NS)
    assert fields_of(PP, new, old) == ["spec.schedulerName"]
    unchanged = build(PP, BASE, name="p", namespace=NS)
    assert fields_of(PP, unchanged, old) == []


def test_undefaulted_stored_scheduler_name_means_the_default() -> None:
    old = build(PP, BASE, name="p", namespace=NS)
    new = build(PP, BASE, name="p", namespace=NS)
    assert fields_of(PP, new, old) == []


def test_violation_messages_use_kubernetes_wording() -> None:
    obj = build(PP, spec(preemption="Sometimes", resourceSelectors=[]), name="p", namespace=NS)
    PP.default(obj)
    messages = {v.field: v.description for v in PP.validate(obj, None)}
    assert messages["spec.preemption"] == (
        'Unsupported value: "Sometimes": supported values: "Always", "Never"'
    )
    assert messages["spec.resourceSelectors"].startswith("Required value")
