"""Which policies apply, in which order, and the applied-overrides annotations."""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.protobuf import struct_pb2

from controller_manager.overrides import (
    AppliedOverrider,
    OverrideError,
    applied_json,
    apply_overrides,
    matching_overriders,
    overriders_json,
)
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.meta.v1 import meta_pb2
from karmada.names import APPLIED_CLUSTER_OVERRIDES_ANNOTATION, APPLIED_OVERRIDES_ANNOTATION
from karmada.policy.v1alpha1 import cluster_override_policy_pb2 as cop_pb
from karmada.policy.v1alpha1 import override_policy_pb2 as pb
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2


def cluster(name: str, **labels: str) -> cluster_pb2.Cluster:
    out = cluster_pb2.Cluster()
    out.metadata.name = name
    out.metadata.labels.update(labels)
    return out


def deployment(namespace: str = "default") -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "web", "labels": {"app": "web"}}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata,
        "spec": {
            "replicas": 1,
            "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1"}]}},
        },
    }


def label(key: str, value: str) -> pb.Overriders:
    return pb.Overriders(
        labels_overrider=[pb.LabelAnnotationOverrider(operator="add", value={key: value})]
    )


def rule(overriders: pb.Overriders, *clusters: str) -> pb.RuleWithCluster:
    out = pb.RuleWithCluster(overriders=overriders)
    if clusters:
        out.target_cluster.cluster_names.extend(clusters)
    return out


def selector(
    *, name: str = "", labels: dict[str, str] | None = None
) -> policy_pb2.ResourceSelector:
    out = policy_pb2.ResourceSelector(api_version="apps/v1", kind="Deployment", name=name)
    if labels is not None:
        out.label_selector.CopyFrom(meta_pb2.LabelSelector(match_labels=labels))
    return out


def op(
    name: str,
    *rules: pb.RuleWithCluster,
    selectors: list[policy_pb2.ResourceSelector] | None = None,
    namespace: str = "default",
) -> pb.OverridePolicy:
    out = pb.OverridePolicy()
    out.metadata.name = name
    out.metadata.namespace = namespace
    out.spec.resource_selectors.extend([selector()] if selectors is None else selectors)
    out.spec.override_rules.extend(rules)
    return out


def cop(
    name: str,
    *rules: pb.RuleWithCluster,
    selectors: list[policy_pb2.ResourceSelector] | None = None,
) -> cop_pb.ClusterOverridePolicy:
    out = cop_pb.ClusterOverridePolicy()
    out.metadata.name = name
    out.spec.resource_selectors.extend([selector()] if selectors is None else selectors)
    out.spec.override_rules.extend(rules)
    return out


def names(applied: list[AppliedOverrider]) -> list[str]:
    return [a.policy_name for a in applied]


def test_specificity_then_name() -> None:
    policies = [
        op("a-name", rule(label("x", "1")), selectors=[selector(name="web")]),
        op("b-labels", rule(label("x", "1")), selectors=[selector(labels={"app": "web"})]),
        op("c-all", rule(label("x", "1"))),
        op("a-all", rule(label("x", "1"))),
        op("z-none", rule(label("x", "1")), selectors=[]),
        op("other", rule(label("x", "1")), selectors=[selector(name="api")]),
    ]
    assert names(matching_overriders(policies, deployment(), cluster("m1"))) == [
        "a-all",
        "c-all",
        "z-none",
        "b-labels",
        "a-name",
    ]


def test_rules_by_target_cluster() -> None:
    policy = op(
        "p",
        rule(label("r", "1"), "m1"),
        rule(label("r", "2")),
        rule(label("r", "3"), "m2"),
    )
    m1 = matching_overriders([policy], deployment(), cluster("m1"))
    assert [dict(a.overriders.labels_overrider[0].value) for a in m1] == [{"r": "1"}, {"r": "2"}]
    m3 = matching_overriders([policy], deployment(), cluster("m3"))
    assert [dict(a.overriders.labels_overrider[0].value) for a in m3] == [{"r": "2"}]


def test_target_cluster_by_label() -> None:
    target = pb.RuleWithCluster(overriders=label("r", "prod"))
    target.target_cluster.label_selector.match_labels["env"] = "prod"
    policy = op("p", target)
    assert len(matching_overriders([policy], deployment(), cluster("m1", env="prod"))) == 1
    assert matching_overriders([policy], deployment(), cluster("m2", env="dev")) == []


def test_deprecated_top_level_fields() -> None:
    policy = op("old")
    policy.spec.overriders.CopyFrom(label("old", "yes"))
    assert len(matching_overriders([policy], deployment(), cluster("m1"))) == 1
    policy.spec.target_cluster.cluster_names.append("m2")
    assert matching_overriders([policy], deployment(), cluster("m1")) == []
    assert len(matching_overriders([policy], deployment(), cluster("m2"))) == 1


@pytest.mark.parametrize(
    ("cluster_policies", "policies", "expected_label"),
    [
        ([], [], None),
        ([cop("c", rule(label("who", "cluster")))], [], "cluster"),
        ([], [op("n", rule(label("who", "namespaced")))], "namespaced"),
        # Cluster-scoped first, namespaced after: the namespaced policy wins.
        (
            [cop("z", rule(label("who", "cluster")))],
            [op("a", rule(label("who", "namespaced")))],
            "namespaced",
        ),
        # Policies of other namespaces do not apply.
        ([], [op("n", rule(label("who", "elsewhere")), namespace="other")], None),
        # Within a group the most specific is applied last.
        (
            [],
            [
                op("a", rule(label("who", "by-name")), selectors=[selector(name="web")]),
                op("b", rule(label("who", "match-all"))),
            ],
            "by-name",
        ),
    ],
)
def test_apply_order(
    cluster_policies: list[cop_pb.ClusterOverridePolicy],
    policies: list[pb.OverridePolicy],
    expected_label: str | None,
) -> None:
    template = deployment()
    result = apply_overrides(
        template, cluster("m1"), cluster_policies=cluster_policies, policies=policies
    )
    assert result.manifest["metadata"]["labels"].get("who") == expected_label
    assert template == deployment()


def test_namespaced_policies_see_cluster_overrides() -> None:
    """A ClusterOverridePolicy's label can make an OverridePolicy's label selector match."""
    cluster_policies = [cop("c", rule(label("tier", "front")))]
    policies = [op("n", rule(label("seen", "yes")), selectors=[selector(labels={"tier": "front"})])]
    result = apply_overrides(
        deployment(), cluster("m1"), cluster_policies=cluster_policies, policies=policies
    )
    assert result.manifest["metadata"]["labels"]["seen"] == "yes"


def test_cluster_scoped_resources_get_only_cluster_policies() -> None:
    result = apply_overrides(
        deployment(namespace=""),
        cluster("m1"),
        cluster_policies=[cop("c", rule(label("c", "1")))],
        policies=[op("n", rule(label("n", "1")), namespace="")],
    )
    assert result.manifest["metadata"]["labels"] == {"app": "web", "c": "1"}
    assert names(list(result.overrides)) == []


def test_annotations() -> None:
    image = pb.Overriders(
        image_overrider=[pb.ImageOverrider(component="Registry", operator="replace", value="r.io")]
    )
    result = apply_overrides(
        deployment(),
        cluster("m1"),
        cluster_policies=[cop("cp", rule(label("a", "b")))],
        policies=[
            op("zz", rule(image)),
            op("aa", rule(label("x", "y")), selectors=[selector(name="web")]),
        ],
    )
    annotations = result.annotations()
    assert annotations[APPLIED_CLUSTER_OVERRIDES_ANNOTATION] == (
        '[{"policyName":"cp","overriders":{"labelsOverrider":[{"operator":"add","value":{"a":"b"}}]}}]'
    )
    assert json.loads(annotations[APPLIED_OVERRIDES_ANNOTATION]) == [
        {
            "policyName": "aa",
            "overriders": {"labelsOverrider": [{"operator": "add", "value": {"x": "y"}}]},
        },
        {
            "policyName": "zz",
            "overriders": {
                "imageOverrider": [
                    {"component": "Registry", "operator": "replace", "value": "r.io"}
                ]
            },
        },
    ]
    assert result.manifest["spec"]["template"]["spec"]["containers"][0]["image"] == "r.io/nginx:1"


def test_no_annotations_when_nothing_applied() -> None:
    result = apply_overrides(
        deployment(), cluster("m1"), policies=[op("p", rule(label("a", "b"), "m2"))]
    )
    assert result.annotations() == {}
    assert applied_json([]) is None


def test_overriders_json_as_go_writes_it() -> None:
    value = struct_pb2.Value(number_value=3)
    overriders = pb.Overriders(
        plaintext=[
            pb.PlaintextOverrider(path="/spec/replicas", operator="replace", value=value),
            pb.PlaintextOverrider(path="/spec/paused", operator="remove"),
        ],
        image_overrider=[
            pb.ImageOverrider(
                predicate=pb.ImagePredicate(path="/spec/x"), component="Tag", operator="remove"
            )
        ],
        command_overrider=[
            pb.CommandArgsOverrider(container_name="c", operator="add", value=["a"])
        ],
        args_overrider=[pb.CommandArgsOverrider(container_name="c", operator="remove")],
        annotations_overrider=[
            pb.LabelAnnotationOverrider(operator="add", value={"b": "<&>", "a": "1"})
        ],
        field_overrider=[
            pb.FieldOverrider(
                field_path="/data/x", yaml=[pb.YAMLPatchOperation(sub_path="/a", operator="remove")]
            )
        ],
    )
    text = applied_json([AppliedOverrider("p", overriders)])
    assert text == (
        '[{"policyName":"p","overriders":{'
        '"plaintext":[{"path":"/spec/replicas","operator":"replace","value":3},'
        '{"path":"/spec/paused","operator":"remove","value":null}],'
        '"imageOverrider":[{"predicate":{"path":"/spec/x"},"component":"Tag","operator":"remove"}],'
        '"commandOverrider":[{"containerName":"c","operator":"add","value":["a"]}],'
        '"argsOverrider":[{"containerName":"c","operator":"remove"}],'
        '"annotationsOverrider":[{"operator":"add","value":{"a":"1","b":"\\u003c\\u0026\\u003e"}}],'
        '"fieldOverrider":[{"fieldPath":"/data/x","yaml":[{"subPath":"/a","operator":"remove","value":null}]}]'
        "}}]"
    )
    assert overriders_json(pb.Overriders()) == {}


def test_failure_names_the_policy() -> None:
    bad = pb.Overriders(plaintext=[pb.PlaintextOverrider(path="/spec/nope/x", operator="add")])
    with pytest.raises(OverrideError, match=r"override policy\(default/bad\) for cluster\(m1\)"):
        apply_overrides(deployment(), cluster("m1"), policies=[op("bad", rule(bad))])
    with pytest.raises(OverrideError, match=r"cluster override policy\(cbad\) for cluster\(m1\)"):
        apply_overrides(deployment(), cluster("m1"), cluster_policies=[cop("cbad", rule(bad))])
