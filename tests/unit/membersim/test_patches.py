"""Table-driven tests of the three patch formats."""

from __future__ import annotations

from typing import Any

import pytest

from membersim import jsonpatch, mergepatch, patchschema, strategicpatch

# RFC 7386 appendix A, plus non-object targets.
MERGE_CASES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "expected"), MERGE_CASES)
def test_merge_patch(target: Any, patch: Any, expected: Any) -> None:
    assert mergepatch.apply(target, patch) == expected


def test_merge_patch_does_not_modify_inputs() -> None:
    target = {"a": {"b": 1}}
    patch = {"a": {"c": 2}}
    mergepatch.apply(target, patch)
    assert target == {"a": {"b": 1}} and patch == {"a": {"c": 2}}


# RFC 6902 appendix A examples and error cases.
JSON_CASES = [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"foo": "bar", "baz": "qux"}),
    (
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": "x"}], {"foo": ["bar", "x"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    (
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    (
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    (
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}], {"a": {"b": 1}, "c": {"b": 1}}),
    (
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [
            {"op": "test", "path": "/baz", "value": "qux"},
            {"op": "test", "path": "/foo/1", "value": 2},
        ],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    (
        {"a/b": 1, "m~n": 2},
        [{"op": "replace", "path": "/a~1b", "value": 3}, {"op": "remove", "path": "/m~0n"}],
        {"a/b": 3},
    ),
    ({"foo": "bar"}, [{"op": "add", "path": "", "value": {"x": 1}}], {"x": 1}),
    ({}, [], {}),
]

JSON_ERRORS = [
    ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}]),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}]),
    ({"foo": "bar"}, [{"op": "remove", "path": "/nope"}]),
    ({"foo": "bar"}, [{"op": "replace", "path": "/nope", "value": 1}]),
    ({"foo": [1]}, [{"op": "add", "path": "/foo/5", "value": 1}]),
    ({"foo": [1]}, [{"op": "remove", "path": "/foo/01"}]),
    ({"foo": "bar"}, [{"op": "frobnicate", "path": "/foo"}]),
    ({"foo": "bar"}, [{"op": "add", "path": "/x"}]),
    ({"foo": "bar"}, [{"op": "move", "path": "/x"}]),
    ({"foo": {"a": 1}}, [{"op": "move", "from": "/foo", "path": "/foo/a/b"}]),
    ({"foo": "bar"}, {"op": "add"}),
    ({"foo": "bar"}, [{"op": "add", "path": "noslash", "value": 1}]),
]


@pytest.mark.parametrize(("doc", "patch", "expected"), JSON_CASES)
def test_json_patch(doc: Any, patch: Any, expected: Any) -> None:
    assert jsonpatch.apply(doc, patch) == expected


@pytest.mark.parametrize(("doc", "patch"), JSON_ERRORS)
def test_json_patch_errors(doc: Any, patch: Any) -> None:
    with pytest.raises(jsonpatch.JsonPatchError):
        jsonpatch.apply(doc, patch)


def test_json_patch_is_atomic() -> None:
    doc = {"a": 1}
    with pytest.raises(jsonpatch.JsonPatchError):
        jsonpatch.apply(
            doc, [{"op": "add", "path": "/b", "value": 2}, {"op": "test", "path": "/a", "value": 9}]
        )
    assert doc == {"a": 1}


def pod_template(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": {"containers": list(containers), **spec}}}}


def containers_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = obj["spec"]["template"]["spec"]["containers"]
    return result


WEB = {
    "name": "web",
    "image": "nginx:1",
    "ports": [{"containerPort": 80, "protocol": "TCP"}],
    "env": [{"name": "A", "value": "1"}],
}
SIDE = {"name": "side", "image": "busybox"}

STRATEGIC_CASES: list[tuple[str, dict[str, Any], Any, list[dict[str, Any]]]] = [
    (
        "merge by name keeps other containers",
        pod_template(WEB, SIDE),
        pod_template({"name": "web", "image": "nginx:2"}),
        [{**WEB, "image": "nginx:2"}, SIDE],
    ),
    (
        "new item appended",
        pod_template(WEB),
        pod_template({"name": "new", "image": "x"}),
        [WEB, {"name": "new", "image": "x"}],
    ),
    (
        "$patch delete removes by key",
        pod_template(WEB, SIDE),
        pod_template({"name": "side", "$patch": "delete"}),
        [WEB],
    ),
    (
        "nested lists merge by their own keys",
        pod_template(WEB),
        pod_template(
            {
                "name": "web",
                "env": [{"name": "B", "value": "2"}],
                "ports": [{"containerPort": 80, "name": "http"}],
            }
        ),
        [
            {
                **WEB,
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"}],
            }
        ],
    ),
    (
        "$patch replace in a list replaces it",
        pod_template(WEB, SIDE),
        pod_template({"name": "only", "image": "o"}, {"$patch": "replace"}),
        [{"name": "only", "image": "o"}],
    ),
    (
        "setElementOrder reorders, server-only items follow",
        pod_template(WEB, SIDE, {"name": "extra", "image": "e"}),
        {
            "spec": {
                "template": {
                    "spec": {
                        "$setElementOrder/containers": [{"name": "side"}, {"name": "web"}],
                        "containers": [{"name": "web", "image": "nginx:3"}],
                    }
                }
            }
        },
        [SIDE, {**WEB, "image": "nginx:3"}, {"name": "extra", "image": "e"}],
    ),
    (
        "kubectl apply's re-apply patch",
        pod_template(WEB, SIDE),
        {
            "spec": {
                "template": {
                    "spec": {
                        "$setElementOrder/containers": [{"name": "web"}],
                        "containers": [
                            {
                                "$setElementOrder/env": [{"name": "B"}],
                                "env": [
                                    {"name": "B", "value": "2"},
                                    {"$patch": "delete", "name": "A"},
                                ],
                                "image": "nginx:2",
                                "name": "web",
                            },
                            {"$patch": "delete", "name": "side"},
                        ],
                    }
                }
            }
        },
        [{**WEB, "image": "nginx:2", "env": [{"name": "B", "value": "2"}]}],
    ),
    (
        "null deletes a field inside a merged item",
        pod_template(WEB),
        pod_template({"name": "web", "env": None}),
        [{k: v for k, v in WEB.items() if k != "env"}],
    ),
]


@pytest.mark.parametrize(
    ("case", "original", "patch", "containers"),
    STRATEGIC_CASES,
    ids=[c[0] for c in STRATEGIC_CASES],
)
def test_strategic_merge_on_deployments(
    case: str, original: dict[str, Any], patch: Any, containers: list[dict[str, Any]]
) -> None:
    result = strategicpatch.apply(original, patch, patchschema.for_kind("Deployment"))
    assert containers_of(result) == containers


def test_strategic_merge_lists_without_keys_are_replaced() -> None:
    original = {
        "spec": {
            "template": {
                "spec": {
                    "tolerations": [{"key": "a"}],
                    "containers": [{"name": "c", "args": ["1", "2"]}],
                }
            }
        }
    }
    patch = pod_template({"name": "c", "args": ["3"]}, tolerations=[{"key": "b"}])
    result = strategicpatch.apply(original, patch, patchschema.for_kind("Deployment"))
    assert result["spec"]["template"]["spec"]["tolerations"] == [{"key": "b"}]
    assert containers_of(result) == [{"name": "c", "args": ["3"]}]


def test_strategic_merge_primitive_sets_and_deletions() -> None:
    original = {"metadata": {"finalizers": ["a", "b"], "labels": {"x": "1", "y": "2"}}}
    patch = {
        "metadata": {
            "finalizers": ["b", "c"],
            "$deleteFromPrimitiveList/finalizers": ["a"],
            "labels": {"x": None},
        }
    }
    result = strategicpatch.apply(original, patch, patchschema.for_kind("ConfigMap"))
    assert result == {"metadata": {"finalizers": ["b", "c"], "labels": {"y": "2"}}}


def test_strategic_merge_map_directives() -> None:
    original = {"spec": {"selector": {"a": "1", "b": "2"}, "other": {"k": "v"}}}
    patch = {"spec": {"selector": {"$patch": "replace", "c": "3"}, "other": {"$patch": "delete"}}}
    result = strategicpatch.apply(original, patch, patchschema.for_kind("Service"))
    assert result == {"spec": {"selector": {"c": "3"}}}


def test_strategic_merge_retain_keys() -> None:
    original = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    result = strategicpatch.apply(original, patch, patchschema.for_kind("Deployment"))
    assert result == {"spec": {"strategy": {"type": "Recreate"}}}


def test_strategic_merge_service_ports_by_port() -> None:
    original = {"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}}
    patch = {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}
    result = strategicpatch.apply(original, patch, patchschema.for_kind("Service"))
    assert result["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 443}]


@pytest.mark.parametrize(
    "patch",
    [
        ["not", "an", "object"],
        {"$patch": "explode"},
        {"$unknown": 1},
        {"spec": {"template": {"spec": {"containers": [{"image": "no-name"}]}}}},
        {"spec": {"template": {"spec": {"containers": ["primitive"]}}}},
        {"spec": {"$setElementOrder/containers": "not-a-list"}},
    ],
)
def test_strategic_merge_rejects(patch: Any) -> None:
    original = pod_template(WEB)
    with pytest.raises(strategicpatch.StrategicPatchError):
        strategicpatch.apply(original, patch, patchschema.for_kind("Deployment"))
