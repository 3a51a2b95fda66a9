"""Path routing, field selectors, version ordering, options and table ages."""

from __future__ import annotations

import pytest

from membersim import errors, fieldselector, options, routing, tables
from membersim.resources import version_priority
from membersim.routing import Fixed, ResourcePath

ROUTES: list[tuple[str, routing.Route]] = [
    ("/version", Fixed("version")),
    ("/healthz", Fixed("health")),
    ("/readyz/ping", Fixed("health")),
    ("/livez", Fixed("health")),
    ("/openapi/v2", Fixed("openapi-v2")),
    ("/openapi/v3", Fixed("openapi-v3")),
    ("/openapi/v3/api/v1", Fixed("openapi-v3-gv", "", "v1")),
    ("/openapi/v3/apis/apps/v1", Fixed("openapi-v3-gv", "apps", "v1")),
    ("/api", Fixed("core-versions")),
    ("/api/v1", Fixed("resources", "", "v1")),
    ("/apis", Fixed("groups")),
    ("/apis/apps", Fixed("group", "apps")),
    ("/apis/apps/v1", Fixed("resources", "apps", "v1")),
    ("/api/v1/pods", ResourcePath("", "v1", "pods")),
    ("/api/v1/nodes/n1", ResourcePath("", "v1", "nodes", None, "n1")),
    ("/api/v1/nodes/n1/status", ResourcePath("", "v1", "nodes", None, "n1", "status")),
    ("/api/v1/namespaces", ResourcePath("", "v1", "namespaces")),
    ("/api/v1/namespaces/ns1", ResourcePath("", "v1", "namespaces", None, "ns1")),
    ("/api/v1/namespaces/ns1/status", ResourcePath("", "v1", "namespaces", None, "ns1", "status")),
    (
        "/api/v1/namespaces/ns1/finalize",
        ResourcePath("", "v1", "namespaces", None, "ns1", "finalize"),
    ),
    ("/api/v1/namespaces/ns1/pods", ResourcePath("", "v1", "pods", "ns1")),
    ("/api/v1/namespaces/ns1/pods/p", ResourcePath("", "v1", "pods", "ns1", "p")),
    ("/api/v1/namespaces/ns1/pods/p/status", ResourcePath("", "v1", "pods", "ns1", "p", "status")),
    ("/apis/apps/v1/deployments", ResourcePath("apps", "v1", "deployments")),
    (
        "/apis/apps/v1/namespaces/a/deployments/d/",
        ResourcePath("apps", "v1", "deployments", "a", "d"),
    ),
    (
        "/apis/x.io/v1alpha1/namespaces/a/widgets/w/status",
        ResourcePath("x.io", "v1alpha1", "widgets", "a", "w", "status"),
    ),
]


@pytest.mark.parametrize(("path", "route"), ROUTES)
def test_routes(path: str, route: routing.Route) -> None:
    assert routing.parse(path) == route


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/nope",
        "/openapi/v4",
        "/openapi/v3/apis/apps",
        "/api/v1/namespaces/a/pods/p/status/extra",
        "/apis/apps/v1/x/y/z/w",
    ],
)
def test_unknown_paths(path: str) -> None:
    with pytest.raises(errors.ApiError) as err:
        routing.parse(path)
    assert err.value.code == 404


OBJECT = {
    "metadata": {"name": "p", "namespace": "ns"},
    "spec": {"nodeName": "n1", "unschedulable": True, "replicas": 3},
    "status": {"phase": "Running"},
}

FIELD_CASES: list[tuple[str, bool]] = [
    ("", True),
    ("metadata.name=p", True),
    ("metadata.name==p", True),
    ("metadata.name!=p", False),
    ("metadata.namespace=ns,metadata.name=p", True),
    ("metadata.namespace=other,metadata.name=p", False),
    ("spec.nodeName=n1", True),
    ("spec.nodeName=", False),
    ("spec.missing=", True),
    ("status.phase!=Pending", True),
    ("spec.unschedulable=true", True),
    ("spec.replicas=3", True),
    ("spec=x", False),
]


@pytest.mark.parametrize(("text", "expected"), FIELD_CASES)
def test_field_selectors(text: str, expected: bool) -> None:
    selector = fieldselector.parse(text)
    assert selector.matches(name="p", namespace="ns", obj=OBJECT) is expected


def test_field_selector_escapes_and_name() -> None:
    selector = fieldselector.parse(r"metadata.name=a\,b\=c,status.phase!=x")
    assert selector.terms[0].value == "a,b=c"
    assert selector.exact_name() == "a,b=c"
    assert selector.needs_object
    assert str(selector) == r"metadata.name=a\,b\=c,status.phase!=x"
    assert not fieldselector.parse("metadata.name=x").needs_object
    assert fieldselector.parse("metadata.name!=x").exact_name() is None


@pytest.mark.parametrize("text", ["nooperator", "=value", r"a=b\x", "a=b=c"])
def test_bad_field_selectors(text: str) -> None:
    with pytest.raises(fieldselector.FieldSelectorError):
        fieldselector.parse(text)


def test_version_priority() -> None:
    versions = [
        "v1alpha1",
        "foo",
        "v1",
        "v2beta1",
        "v1beta2",
        "v2",
        "v1beta1",
        "v10",
        "v3alpha2",
        "bar",
    ]
    assert sorted(versions, key=version_priority) == [
        "v10",
        "v2",
        "v1",
        "v2beta1",
        "v1beta2",
        "v1beta1",
        "v3alpha2",
        "v1alpha1",
        "bar",
        "foo",
    ]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (5, "5s"),
        (119, "119s"),
        (150, "2m30s"),
        (600, "10m"),
        (3 * 3600 + 60, "3h1m"),
        (30 * 3600, "30h"),
        (3 * 86400, "3d"),
        (100 * 86400, "100d"),
        (3 * 365 * 86400, "3y0d"),
    ],
)
def test_human_duration(seconds: int, shown: str) -> None:
    assert tables.human_duration(seconds) == shown


def test_clusters_flag() -> None:
    assert [c.name for c in options.clusters_from_flag("3")] == ["member1", "member2", "member3"]
    assert [c.name for c in options.clusters_from_flag("a, b")] == ["a", "b"]
    for bad in ("0", "a,a", "Bad_Name", ","):
        with pytest.raises(options.ConfigError):
            options.clusters_from_flag(bad)


CONFIG = """
defaults:
  nodes: 2
  capacity: {cpu: "4"}
clusters:
  - name: east
    region: us-east-1
    zones: [us-east-1a, us-east-1b]
    provider: aws
    labels: {tier: gold}
  - name: west
    zone: us-west-2a
    nodes: 5
    capacity: {memory: 8Gi, pods: 20}
"""


def test_config_file() -> None:
    east, west = options.clusters_from_config(CONFIG)
    assert (east.name, east.region, east.zones, east.provider, east.nodes) == (
        "east",
        "us-east-1",
        ("us-east-1a", "us-east-1b"),
        "aws",
        2,
    )
    assert east.labels == {"tier": "gold"}
    assert east.capacity == options.Capacity(cpu="4", memory="32Gi", pods="110")
    assert (west.zones, west.nodes) == (("us-west-2a",), 5)
    assert west.capacity == options.Capacity(cpu="4", memory="8Gi", pods="20")
    by_name = options.clusters_from_config("clusters: {a: {nodes: 1}, b: null}")
    assert [(c.name, c.nodes) for c in by_name] == [("a", 1), ("b", 3)]


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        "clusters: []",
        "clusters: [{region: x}]",
        "clusters: [{name: a, bogus: 1}]",
        "clusters: [{name: a}, {name: a}]",
        "clusters: {a: {nodes: -1}}",
        "clusters: {a: {capacity: {gpu: 1}}}",
    ],
)
def test_bad_config(text: str) -> None:
    with pytest.raises(options.ConfigError):
        options.clusters_from_config(text)


def test_parse_flags() -> None:
    opts = options.parse(
        ["--clusters", "2", "--bind-address", "127.0.0.1:7000", "--watch-history", "50"]
    )
    assert (opts.bind_host, opts.bind_port, opts.watch_history) == ("127.0.0.1", 7000, 50)
    assert len(opts.clusters) == 2
