"""Cluster affinity matching: names, exclusion, label and field selectors, zones."""

from __future__ import annotations

import pytest

from karmada.core.v1 import types_pb2
from karmada.meta.v1 import meta_pb2
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from scheduler.framework.affinity import (
    AffinityMessage,
    compile_affinity,
    matches_affinity,
    static_weights,
)
from scheduler.framework.types import ClusterInfo
from tests.unit.scheduler.builders import cluster, static_weight


def fields(*expressions: tuple[str, str, list[str]]) -> policy_pb2.FieldSelector:
    return policy_pb2.FieldSelector(
        match_expressions=[
            types_pb2.NodeSelectorRequirement(key=key, operator=operator, values=values)
            for key, operator, values in expressions
        ]
    )


def labels(
    match: dict[str, str] | None = None, *expressions: tuple[str, str, list[str]]
) -> meta_pb2.LabelSelector:
    return meta_pb2.LabelSelector(
        match_labels=match or {},
        match_expressions=[
            meta_pb2.LabelSelectorRequirement(key=key, operator=operator, values=values)
            for key, operator, values in expressions
        ],
    )


A = cluster("a", labels={"env": "prod"}, provider="aws", region="eu", zones=["eu-1"])
B = cluster("b", labels={"env": "dev"}, provider="gcp", region="us", zones=["us-1", "us-2"])
BARE = cluster("bare")


@pytest.mark.parametrize(
    ("affinity", "target", "expected"),
    [
        pytest.param(policy_pb2.ClusterAffinity(), A, True, id="empty-matches-all"),
        pytest.param(policy_pb2.ClusterAffinity(cluster_names=["a"]), A, True, id="name-listed"),
        pytest.param(policy_pb2.ClusterAffinity(cluster_names=["a"]), B, False, id="name-unlisted"),
        pytest.param(policy_pb2.ClusterAffinity(exclude=["a"]), A, False, id="excluded"),
        pytest.param(policy_pb2.ClusterAffinity(exclude=["a"]), B, True, id="other-excluded"),
        pytest.param(
            policy_pb2.ClusterAffinity(cluster_names=["a"], exclude=["a"]),
            A,
            False,
            id="exclude-beats-names",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(label_selector=labels({"env": "prod"})),
            A,
            True,
            id="labels-match",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(label_selector=labels({"env": "prod"})),
            B,
            False,
            id="labels-mismatch",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(label_selector=labels(None, ("env", "NotIn", ["dev"]))),
            BARE,
            True,
            id="labels-notin-absent-key",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(label_selector=labels(None, ("env", "In", []))),
            A,
            False,
            id="invalid-label-selector-matches-nothing",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(label_selector=labels({"env": "prod"}), cluster_names=["b"]),
            A,
            False,
            id="criteria-are-anded",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("provider", "In", ["aws", "azure"]))),
            A,
            True,
            id="provider-in",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("provider", "In", ["azure"]))),
            A,
            False,
            id="provider-not-in-values",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("provider", "NotIn", ["aws"]))),
            A,
            False,
            id="provider-notin",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("region", "NotIn", ["eu"]))),
            BARE,
            True,
            id="region-notin-unset",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("region", "In", [""]))),
            BARE,
            False,
            id="region-in-unset",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("region", "Exists", []))),
            A,
            True,
            id="region-exists",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("region", "DoesNotExist", []))),
            A,
            False,
            id="region-does-not-exist",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(
                field_selector=fields(("provider", "In", ["aws"]), ("region", "In", ["us"]))
            ),
            A,
            False,
            id="field-requirements-are-anded",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("rack", "In", ["r1"]))),
            A,
            False,
            id="unknown-key-in",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("rack", "NotIn", ["r1"]))),
            A,
            True,
            id="unknown-key-notin",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("region", "Gt", ["1"]))),
            A,
            False,
            id="unsupported-operator",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("region", "NotIn", []))),
            A,
            False,
            id="notin-without-values",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("zone", "In", ["us-1", "us-2"]))),
            B,
            True,
            id="zone-in-all-zones",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("zone", "In", ["us-1"]))),
            B,
            False,
            id="zone-in-some-zones",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("zone", "In", ["us-1"]))),
            BARE,
            False,
            id="zone-in-no-zones",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("zone", "NotIn", ["us-2"]))),
            B,
            False,
            id="zone-notin-one-zone-listed",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("zone", "NotIn", ["eu-1"]))),
            B,
            True,
            id="zone-notin-none-listed",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("zone", "NotIn", ["eu-1"]))),
            BARE,
            True,
            id="zone-notin-no-zones",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("zone", "Exists", []))),
            BARE,
            False,
            id="zone-exists-no-zones",
        ),
        pytest.param(
            policy_pb2.ClusterAffinity(field_selector=fields(("zone", "DoesNotExist", []))),
            BARE,
            True,
            id="zone-does-not-exist",
        ),
        pytest.param(
            policy_pb2.ClusterAffinityTerm(affinity_name="x", cluster_names=["b"]),
            B,
            True,
            id="affinity-term",
        ),
        pytest.param(
            policy_pb2.OverflowClusterAffinity(affinity_name="x", exclude=["b"]),
            B,
            False,
            id="overflow-affinity",
        ),
    ],
)
def test_matches_affinity(affinity: AffinityMessage, target: ClusterInfo, expected: bool) -> None:
    assert matches_affinity(affinity, target) is expected


def test_deprecated_single_zone_counts_as_the_clusters_zone() -> None:
    legacy = cluster("legacy")
    legacy.cluster.spec.zone = "eu-1"
    legacy = ClusterInfo.from_proto(legacy.cluster)
    affinity = policy_pb2.ClusterAffinity(field_selector=fields(("zone", "In", ["eu-1"])))

    assert matches_affinity(affinity, legacy)


def test_a_mutated_message_is_compiled_again() -> None:
    affinity = policy_pb2.ClusterAffinity(cluster_names=["a"])
    assert matches_affinity(affinity, A)

    affinity.cluster_names[:] = ["b"]

    assert not matches_affinity(affinity, A)
    assert matches_affinity(affinity, B)


def test_equal_messages_share_one_compiled_affinity() -> None:
    first = policy_pb2.ClusterAffinity(label_selector=labels({"env": "prod"}))
    second = policy_pb2.ClusterAffinity(label_selector=labels({"env": "prod"}))

    assert compile_affinity(first) is compile_affinity(second)


def test_affinity_types_with_equal_bytes_compile_apart() -> None:
    # ClusterAffinity.exclude and ClusterAffinityTerm.cluster_names share field number 4.
    affinity = policy_pb2.ClusterAffinity(exclude=["a"])
    term = policy_pb2.ClusterAffinityTerm(cluster_names=["a"])
    assert affinity.SerializeToString() == term.SerializeToString()

    assert not matches_affinity(affinity, A)
    assert matches_affinity(term, A)


@pytest.mark.parametrize(
    ("rules", "target", "expected"),
    [
        pytest.param([], A, 0, id="no-rules"),
        pytest.param([static_weight(3, "a")], A, 3, id="by-name"),
        pytest.param([static_weight(3, "a")], B, 0, id="unmatched"),
        pytest.param(
            [static_weight(2, region="eu"), static_weight(5, "a"), static_weight(1, "a")],
            A,
            5,
            id="largest-matching-weight",
        ),
    ],
)
def test_static_weights(
    rules: list[policy_pb2.StaticClusterWeight], target: ClusterInfo, expected: int
) -> None:
    assert static_weights(rules).weight(target) == expected
