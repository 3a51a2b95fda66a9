"""OverridePolicy / ClusterOverridePolicy validation and defaulting (Karmada's rules)."""

from __future__ import annotations

from typing import Any

import pytest

from apiserver.registry import override_policy
from tests.unit.apiserver.support import build, fields_of, to_dict

OP = override_policy.STRATEGY
COP = override_policy.CLUSTER_STRATEGY
NS = "apps"
SELECTORS = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"}]


def rules(*overriders: dict[str, Any], target: dict[str, Any] | None = None) -> dict[str, Any]:
    """A spec with one override rule per overriders dict."""
    rule_list: list[dict[str, Any]] = []
    for item in overriders:
        rule: dict[str, Any] = {"overriders": item}
        if target is not None:
            rule["targetCluster"] = target
        rule_list.append(rule)
    return {"resourceSelectors": SELECTORS, "overrideRules": rule_list}


def op_fields(body: dict[str, Any]) -> list[str]:
    return fields_of(OP, build(OP, body, name="op", namespace=NS))


def cop_fields(body: dict[str, Any]) -> list[str]:
    return fields_of(COP, build(COP, body, name="cop"))


R = "spec.overrideRules[0].overriders"

VALID = [
    pytest.param({}, id="empty-matches-everything"),
    pytest.param(
        rules(
            {
                "plaintext": [
                    {"path": "/spec/replicas", "operator": "replace", "value": 3},
                    {"path": "/metadata/labels/tier", "operator": "add", "value": None},
                    {"path": "/spec/paused", "operator": "remove"},
                ],
                "imageOverrider": [
                    {"component": "Registry", "operator": "replace", "value": "registry.io"},
                    {
                        "predicate": {"path": "/spec/template/spec/containers/0/image"},
                        "component": "Tag",
                        "operator": "remove",
                    },
                ],
                "commandOverrider": [
                    {"containerName": "nginx", "operator": "add", "value": ["--debug"]}
                ],
                "argsOverrider": [{"containerName": "nginx", "operator": "remove"}],
                "labelsOverrider": [{"operator": "add", "value": {"example.io/tier": "web"}}],
                "annotationsOverrider": [{"operator": "remove", "value": {"Example.io/Note": ""}}],
                "fieldOverrider": [
                    {
                        "fieldPath": "/data/config.yaml",
                        "yaml": [
                            {"subPath": "/db/port", "operator": "replace", "value": 5432},
                            {"subPath": "/db/debug", "operator": "remove"},
                        ],
                    },
                    {
                        "fieldPath": "/data/config~1x.json",
                        "json": [{"subPath": "", "operator": "replace", "value": {"a": 1}}],
                    },
                ],
            },
            target={"clusterNames": ["member1"], "labelSelector": {"matchLabels": {"env": "p"}}},
        ),
        id="every-overrider",
    ),
    pytest.param(
        {
            "resourceSelectors": SELECTORS,
            "targetCluster": {"clusterNames": ["member1"]},
            "overriders": {"plaintext": [{"path": "/a", "operator": "remove"}]},
        },
        id="deprecated-top-level-overriders",
    ),
]


@pytest.mark.parametrize("body", VALID)
def test_valid_override_policy(body: dict[str, Any]) -> None:
    assert op_fields(body) == []


@pytest.mark.parametrize("body", VALID)
def test_valid_cluster_override_policy(body: dict[str, Any]) -> None:
    assert cop_fields(body) == []


INVALID = [
    pytest.param(
        {"resourceSelectors": [{"kind": "Deployment"}]},
        ["spec.resourceSelectors[0].apiVersion"],
        id="selector-without-api-version",
    ),
    pytest.param(
        {
            **rules({}),
            "targetCluster": {"clusterNames": ["m1"]},
            "overriders": {"plaintext": [{"path": "/a", "operator": "remove"}]},
        },
        ["spec.targetCluster", "spec.overriders"],
        id="rules-and-deprecated-fields",
    ),
    pytest.param(
        rules({}, target={"clusterNames": ["Bad_Name"]}),
        ["spec.overrideRules[0].targetCluster.clusterNames[0]"],
        id="bad-target-cluster",
    ),
    pytest.param(
        rules(
            {
                "plaintext": [
                    {"path": "spec/replicas", "operator": "replace", "value": 1},
                    {"path": "", "operator": "merge"},
                    {"path": "/a", "operator": "add"},
                    {"path": "/a", "operator": "remove", "value": "x"},
                    {"path": "/a~2b", "operator": "replace", "value": 1},
                ]
            }
        ),
        [
            f"{R}.plaintext[0].path",
            f"{R}.plaintext[1].path",
            f"{R}.plaintext[1].operator",
            f"{R}.plaintext[2].value",
            f"{R}.plaintext[3].value",
            f"{R}.plaintext[4].path",
        ],
        id="bad-plaintext",
    ),
    pytest.param(
        rules(
            {
                "imageOverrider": [
                    {"component": "Digest", "operator": "upsert"},
                    {"predicate": {"path": "image"}, "component": "Tag", "operator": "replace"},
                ]
            }
        ),
        [
            f"{R}.imageOverrider[0].component",
            f"{R}.imageOverrider[0].operator",
            f"{R}.imageOverrider[1].predicate.path",
            f"{R}.imageOverrider[1].value",
        ],
        id="bad-image-overrider",
    ),
    pytest.param(
        rules(
            {
                "commandOverrider": [{"operator": "replace"}],
                "argsOverrider": [{"containerName": "c"}],
            }
        ),
        [
            f"{R}.commandOverrider[0].containerName",
            f"{R}.commandOverrider[0].operator",
            f"{R}.argsOverrider[0].operator",
        ],
        id="bad-command-and-args",
    ),
    pytest.param(
        rules(
            {
                "labelsOverrider": [
                    {"operator": "set", "value": {"bad key!": "v"}},
                    {"operator": "add", "value": {"k": "bad value"}},
                ],
                "annotationsOverrider": [{"value": {"/no-name": "v"}}],
            }
        ),
        [
            f"{R}.labelsOverrider[0].operator",
            f"{R}.labelsOverrider[0].value",
            f"{R}.labelsOverrider[1].value[k]",
            f"{R}.annotationsOverrider[0].operator",
            f"{R}.annotationsOverrider[0].value",
        ],
        id="bad-labels-and-annotations",
    ),
    pytest.param(
        rules(
            {
                "fieldOverrider": [
                    {
                        "fieldPath": "data",
                        "json": [{"subPath": "x", "operator": "add"}],
                        "yaml": [{"subPath": "/y", "operator": "remove", "value": 1}],
                    },
                    {"json": [{"subPath": "/z", "operator": "patch", "value": 1}]},
                ]
            }
        ),
        [
            f"{R}.fieldOverrider[0].fieldPath",
            f"{R}.fieldOverrider[0].yaml",
            f"{R}.fieldOverrider[0].json[0].subPath",
            f"{R}.fieldOverrider[0].json[0].value",
            f"{R}.fieldOverrider[0].yaml[0].value",
            f"{R}.fieldOverrider[1].fieldPath",
            f"{R}.fieldOverrider[1].json[0].operator",
        ],
        id="bad-field-overrider",
    ),
    pytest.param(
        {"overriders": {"commandOverrider": [{"containerName": "c", "operator": "x"}]}},
        ["spec.overriders.commandOverrider[0].operator"],
        id="deprecated-overriders-are-validated",
    ),
]


@pytest.mark.parametrize(("body", "expected"), INVALID)
def test_invalid_override_policy(body: dict[str, Any], expected: list[str]) -> None:
    assert op_fields(body) == expected


@pytest.mark.parametrize(("body", "expected"), INVALID)
def test_invalid_cluster_override_policy(body: dict[str, Any], expected: list[str]) -> None:
    assert cop_fields(body) == expected


def test_selector_namespace_defaults_to_the_policys() -> None:
    obj = build(OP, {"resourceSelectors": SELECTORS}, name="op", namespace=NS)
    OP.default(obj)
    assert to_dict(obj)["resourceSelectors"][0]["namespace"] == NS
    other = {"resourceSelectors": [{**SELECTORS[0], "namespace": "other"}]}
    assert op_fields(other) == ["spec.resourceSelectors[0].namespace"]
    assert cop_fields(other) == []


def test_cluster_policy_selectors_are_not_defaulted() -> None:
    obj = build(COP, {"resourceSelectors": SELECTORS}, name="cop")
    COP.default(obj)
    assert "namespace" not in to_dict(obj)["resourceSelectors"][0]
