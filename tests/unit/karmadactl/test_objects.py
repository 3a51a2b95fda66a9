"""YAML documents: field lines for errors, json_format errors on one line, -o yaml numbers."""

from __future__ import annotations

import pytest

from karmada.machinery.scheme import PROPAGATION_POLICY, RESOURCE_BINDING, template_kind
from karmadactl.errors import CliError
from karmadactl.objects import field_path, from_manifest, parse_documents, parse_error, to_dict

POLICY = """\
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: nginx
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
  placement:
    clusterAffinity:
      clusterNames: [member1]
"""


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("spec", ("spec",)),
        ("spec.resourceSelectors[0].kind", ("spec", "resourceSelectors", 0, "kind")),
        (
            "spec.placement.clusterAffinity.clusterNames[2]",
            ("spec", "placement", "clusterAffinity", "clusterNames", 2),
        ),
        ("", ()),
    ],
)
def test_field_path(path: str, parts: tuple[object, ...]) -> None:
    assert field_path(path) == parts


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("spec.resourceSelectors[0].kind", 8),
        ("spec.resourceSelectors[0]", 7),
        ("spec.resourceSelectors", 6),
        ("spec.resourceSelectors.kind", 8),  # index left out, as json_format does
        ("spec.placement.clusterAffinity.clusterNames[0]", 11),
        ("spec.placement.spreadConstraints", 9),  # absent: nearest enclosing field
        ("spec.nothing.here", 5),
        ("", 1),
    ],
)
def test_line_of_field(path: str, line: int) -> None:
    (document,) = parse_documents(POLICY, "pp.yaml")
    assert document.line_of(path) == line


def test_documents_and_list_items_keep_their_lines() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: b}\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n    data: {k: v}\n"
    )
    documents = parse_documents(text, "f.yaml")
    assert [(d.manifest["metadata"]["name"], d.line) for d in documents] == [
        ("a", 1),
        ("b", 8),
        ("c", 11),
    ]
    assert documents[2].line_of("data.k") == 14


@pytest.mark.parametrize(
    ("error", "path", "problem"),
    [
        (
            'Failed to parse spec field: Message type "karmada.policy.v1alpha1.PropagationSpec" '
            'has no field named "placemnt" at "PropagationPolicy.spec".\n Available Fields...',
            "spec.placemnt",
            'unknown field "spec.placemnt"',
        ),
        (
            "Failed to parse spec field: Failed to parse priority field: invalid literal for "
            "int() with base 10: 'abc'..",
            "spec.priority",
            "spec.priority: invalid literal for int() with base 10: 'abc'",
        ),
        ("something odd.", "", "something odd"),
    ],
)
def test_parse_error_is_one_line(error: str, path: str, problem: str) -> None:
    assert parse_error(error) == (path, problem)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            POLICY + "  placemnt: {}\n",
            'pp.yaml:12: PropagationPolicy nginx: unknown field "spec.placemnt"',
        ),
        (
            POLICY.replace("kind: Deployment", "kindd: Deployment"),
            'pp.yaml:8: PropagationPolicy nginx: unknown field "spec.resourceSelectors[0].kindd"',
        ),
        (
            POLICY + "  priority: high\n",
            "pp.yaml:12: PropagationPolicy nginx: spec.priority: invalid literal for int() "
            "with base 10: 'high'",
        ),
    ],
)
def test_bad_fields_name_file_line_and_field(yaml_text: str, message: str) -> None:
    (document,) = parse_documents(yaml_text, "pp.yaml")
    with pytest.raises(CliError) as raised:
        from_manifest(document)
    assert raised.value.message == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: [1\nb: 2\n",
            "x.yaml:2: invalid YAML: while parsing a flow sequence: expected ',' or ']', but got ':'",
        ),
        (
            "a: [1\n",
            "x.yaml:1: invalid YAML: while parsing a flow sequence: expected ',' or ']', but got '<stream end>'",
        ),
        ("- 1\n", "x.yaml:1: a document must be a mapping (a Kubernetes object)"),
        ("kind: ConfigMap\nmetadata: {name: a}\n", "x.yaml:1: apiVersion is required"),
        ("apiVersion: v1\nkind: ConfigMap\n", "x.yaml:1: metadata.name is required"),
    ],
)
def test_bad_documents(text: str, message: str) -> None:
    with pytest.raises(CliError) as raised:
        parse_documents(text, "x.yaml")
    assert raised.value.message == message


def test_to_dict_writes_numbers_as_kubernetes_does() -> None:
    binding = RESOURCE_BINDING.new(name="web-deployment", namespace="default")
    binding.metadata.generation = 3
    binding.spec.clusters.add(name="member1", replicas=2)
    binding.spec.placement.cluster_tolerations.add(key="k", toleration_seconds=300)
    item = binding.status.aggregated_status.add(cluster_name="member1")
    item.status.update({"readyReplicas": 2, "ratio": 0.5})
    data = to_dict(binding)
    assert list(data)[:2] == ["apiVersion", "kind"]
    assert data["metadata"]["generation"] == 3
    assert data["spec"]["placement"]["clusterTolerations"][0]["tolerationSeconds"] == 300
    assert data["status"]["aggregatedStatus"][0]["status"] == {"readyReplicas": 2, "ratio": 0.5}


def test_round_trip_of_a_policy_and_a_template() -> None:
    (document,) = parse_documents(POLICY, "pp.yaml")
    kind, policy = from_manifest(document)
    assert kind is PROPAGATION_POLICY
    assert to_dict(policy)["spec"]["resourceSelectors"] == [
        {"apiVersion": "apps/v1", "kind": "Deployment"}
    ]
    deployment = template_kind("apps/v1", "Deployment").new(name="web", namespace="default")
    deployment.body.update({"spec": {"replicas": 3}})
    deployment.status.update({"readyReplicas": 3})
    data = to_dict(deployment)
    assert data["spec"] == {"replicas": 3}
    assert data["status"] == {"readyReplicas": 3}
