"""apply's merge of a document over the server's copy, and wait's --for conditions."""

from __future__ import annotations

import pytest

from karmada.machinery.scheme import CLUSTER, PROPAGATION_POLICY, template_kind
from karmadactl.commands.apply import is_control_plane_key, merged, ordered
from karmadactl.commands.wait import Condition, parse_for
from karmadactl.errors import CliError
from karmadactl.objects import Document

DEPLOYMENT = template_kind("apps/v1", "Deployment")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("propagationpolicy.karmada.io/permanent-id", True),
        ("karmada.io/managed", True),
        ("resourcetemplate.karmada.io/generation", True),
        ("app", False),
        ("example.com/karmada.io", False),
        ("notkarmada.io/x", False),
    ],
)
def test_control_plane_keys(key: str, expected: bool) -> None:
    assert is_control_plane_key(key) is expected


def test_template_takes_the_documents_body_and_labels_keeps_server_marks() -> None:
    current = DEPLOYMENT.new(name="web", namespace="default")
    current.metadata.resource_version = "41"
    current.metadata.uid = "u-1"
    current.metadata.finalizers.append("f")
    current.metadata.labels.update(
        {"app": "old", "gone": "x", "propagationpolicy.karmada.io/permanent-id": "p"}
    )
    current.body.update({"spec": {"replicas": 3}, "extra": 1})
    current.status.update({"readyReplicas": 3})
    desired = DEPLOYMENT.new(name="web", namespace="default")
    desired.metadata.labels["app"] = "web"
    desired.body.update({"spec": {"replicas": 5}})
    out = merged(DEPLOYMENT, current, desired)
    assert dict(out.metadata.labels) == {
        "app": "web",
        "propagationpolicy.karmada.io/permanent-id": "p",
    }
    assert out.metadata.resource_version == "41"
    assert list(out.metadata.finalizers) == ["f"]
    assert dict(out.body) == {"spec": {"replicas": 5.0}}
    assert dict(out.status) == {"readyReplicas": 3.0}


def test_typed_kind_takes_the_documents_spec() -> None:
    current = PROPAGATION_POLICY.new(name="web", namespace="default")
    current.metadata.resource_version = "7"
    current.spec.priority = 3
    current.spec.placement.cluster_affinity.cluster_names.extend(["member1", "member2"])
    desired = PROPAGATION_POLICY.new(name="web", namespace="default")
    desired.spec.placement.cluster_affinity.cluster_names.append("member3")
    out = merged(PROPAGATION_POLICY, current, desired)
    assert out.metadata.resource_version == "7"
    assert not out.spec.HasField("priority")
    assert list(out.spec.placement.cluster_affinity.cluster_names) == ["member3"]
    assert merged(PROPAGATION_POLICY, out, desired) == out


def test_status_of_a_typed_kind_is_the_servers() -> None:
    current = CLUSTER.new(name="member1")
    current.status.kubernetes_version = "v1.30"
    desired = CLUSTER.new(name="member1")
    desired.status.kubernetes_version = "v0"
    desired.spec.region = "eu"
    out = merged(CLUSTER, current, desired)
    assert (out.status.kubernetes_version, out.spec.region) == ("v1.30", "eu")


def test_namespaces_are_applied_first() -> None:
    def doc(api_version: str, kind: str, name: str) -> Document:
        return Document(
            {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}, "f", 1
        )

    documents = [
        doc("v1", "ConfigMap", "a"),
        doc("v1", "Namespace", "n"),
        doc("apps/v1", "Deployment", "d"),
    ]
    assert [d.manifest["metadata"]["name"] for d in ordered(documents)] == ["n", "a", "d"]


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("delete", Condition("delete")),
        ("create", Condition("create")),
        ("condition=Ready", Condition("condition", "Ready", "True")),
        ("condition=Scheduled=False", Condition("condition", "Scheduled", "False")),
    ],
)
def test_parse_for(text: str, condition: Condition) -> None:
    assert parse_for(text) == condition


@pytest.mark.parametrize("text", ["", "condition", "condition=", "ready", "jsonpath={.x}"])
def test_bad_for(text: str) -> None:
    with pytest.raises(CliError):
        parse_for(text)


def test_conditions_on_typed_kinds_and_templates() -> None:
    cluster = CLUSTER.new(name="member1")
    cluster.status.conditions.add(type="Ready", status="True")
    template = DEPLOYMENT.new(name="web", namespace="default")
    template.status.update({"conditions": [{"type": "Available", "status": "False"}]})
    assert Condition("condition", "ready").met(cluster)
    assert not Condition("condition", "Ready", "False").met(cluster)
    assert Condition("condition", "Available", "false").met(template)
    assert not Condition("condition", "Progressing").met(template)
    assert not Condition("condition", "Ready").met(None)
    assert Condition("delete").met(None) and not Condition("delete").met(cluster)
    assert Condition("create").met(cluster) and not Condition("create").met(None)
