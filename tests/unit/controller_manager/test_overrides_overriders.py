"""One rule's overriders: command, args, labels, annotations, field and plaintext, in order."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml
from google.protobuf import struct_pb2

from controller_manager.overrides.jsonpatch import PatchError
from controller_manager.overrides.overriders import apply_overriders
from karmada.policy.v1alpha1 import override_policy_pb2 as pb


def value(v: Any) -> struct_pb2.Value:
    out = struct_pb2.Value()
    if isinstance(v, dict):
        out.struct_value.update(v)
    elif isinstance(v, list):
        out.list_value.extend(v)
    elif isinstance(v, bool):
        out.bool_value = v
    elif isinstance(v, int | float):
        out.number_value = v
    else:
        out.string_value = v
    return out


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "template": {
                "spec": {
                    "initContainers": [{"name": "init", "image": "busybox", "args": ["a"]}],
                    "containers": [
                        {"name": "web", "image": "nginx:1", "command": ["nginx", "-g", "x"]},
                        {"name": "side", "image": "envoy"},
                    ],
                }
            },
        },
    }


CONTAINERS = "/spec/template/spec/containers"


def at(manifest: dict[str, Any], path: str) -> Any:
    node: Any = manifest
    for token in path.strip("/").split("/"):
        node = node[int(token)] if isinstance(node, list) else node.get(token)
    return node


@pytest.mark.parametrize(
    ("overriders", "path", "expected"),
    [
        (
            pb.Overriders(
                command_overrider=[
                    pb.CommandArgsOverrider(container_name="web", operator="add", value=["-v"])
                ]
            ),
            f"{CONTAINERS}/0/command",
            ["nginx", "-g", "x", "-v"],
        ),
        (
            pb.Overriders(
                command_overrider=[
                    pb.CommandArgsOverrider(
                        container_name="web", operator="remove", value=["-g", "x"]
                    )
                ]
            ),
            f"{CONTAINERS}/0/command",
            ["nginx"],
        ),
        (
            pb.Overriders(
                command_overrider=[
                    pb.CommandArgsOverrider(
                        container_name="side", operator="add", value=["envoy", "-c"]
                    )
                ]
            ),
            f"{CONTAINERS}/1/command",
            ["envoy", "-c"],
        ),
        (
            pb.Overriders(
                command_overrider=[
                    pb.CommandArgsOverrider(container_name="side", operator="remove", value=["x"])
                ]
            ),
            f"{CONTAINERS}/1/command",
            None,
        ),
        (
            pb.Overriders(
                args_overrider=[
                    pb.CommandArgsOverrider(container_name="init", operator="add", value=["b"])
                ]
            ),
            "/spec/template/spec/initContainers/0/args",
            ["a", "b"],
        ),
        (
            pb.Overriders(
                args_overrider=[
                    pb.CommandArgsOverrider(
                        container_name="web", operator="add", value=["--port=80"]
                    )
                ]
            ),
            f"{CONTAINERS}/0/args",
            ["--port=80"],
        ),
        (
            pb.Overriders(
                args_overrider=[
                    pb.CommandArgsOverrider(container_name="nobody", operator="add", value=["x"])
                ]
            ),
            f"{CONTAINERS}/0/args",
            None,
        ),
        (
            pb.Overriders(
                labels_overrider=[
                    pb.LabelAnnotationOverrider(operator="add", value={"env": "prod", "app": "new"})
                ]
            ),
            "/metadata/labels",
            {"app": "new", "env": "prod"},
        ),
        (
            pb.Overriders(
                labels_overrider=[
                    pb.LabelAnnotationOverrider(
                        operator="replace", value={"app": "x", "missing": "y"}
                    )
                ]
            ),
            "/metadata/labels",
            {"app": "x"},
        ),
        (
            pb.Overriders(
                labels_overrider=[
                    pb.LabelAnnotationOverrider(operator="remove", value={"app": "", "missing": ""})
                ]
            ),
            "/metadata/labels",
            {},
        ),
        (
            pb.Overriders(
                annotations_overrider=[
                    pb.LabelAnnotationOverrider(
                        operator="add", value={"example.io/owner": "team-a"}
                    )
                ]
            ),
            "/metadata/annotations",
            {"example.io/owner": "team-a"},
        ),
        (
            pb.Overriders(
                annotations_overrider=[
                    pb.LabelAnnotationOverrider(operator="remove", value={"a": ""})
                ]
            ),
            "/metadata/annotations",
            None,
        ),
        (
            pb.Overriders(
                plaintext=[
                    pb.PlaintextOverrider(path="/spec/replicas", operator="replace", value=value(5))
                ]
            ),
            "/spec/replicas",
            5,
        ),
        (
            pb.Overriders(
                plaintext=[
                    pb.PlaintextOverrider(path="/spec/paused", operator="add", value=value(True)),
                    pb.PlaintextOverrider(path="/spec/replicas", operator="remove"),
                ]
            ),
            "/spec",
            {"paused": True, "template": deployment()["spec"]["template"]},
        ),
    ],
)
def test_overrider(overriders: pb.Overriders, path: str, expected: Any) -> None:
    manifest = deployment()
    result = apply_overriders(manifest, overriders)
    assert at(result, path) == expected
    assert manifest == deployment()


def test_pod_and_job_containers() -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "args": ["1"]}]},
    }
    job = {
        "kind": "Job",
        "metadata": {"name": "j"},
        "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}},
    }
    overriders = pb.Overriders(
        args_overrider=[pb.CommandArgsOverrider(container_name="c", operator="add", value=["2"])]
    )
    assert apply_overriders(pod, overriders)["spec"]["containers"][0]["args"] == ["1", "2"]
    assert apply_overriders(job, overriders)["spec"]["template"]["spec"]["containers"][0][
        "args"
    ] == ["2"]


def test_order_within_a_rule() -> None:
    """Image first, ..., plaintext last: a plaintext replace of the image wins over the image overrider."""
    overriders = pb.Overriders(
        plaintext=[
            pb.PlaintextOverrider(
                path=f"{CONTAINERS}/0/image", operator="replace", value=value("final:1")
            )
        ],
        image_overrider=[pb.ImageOverrider(component="Registry", operator="replace", value="r.io")],
        labels_overrider=[pb.LabelAnnotationOverrider(operator="add", value={"stage": "one"})],
        annotations_overrider=[pb.LabelAnnotationOverrider(operator="add", value={"a": "1"})],
    )
    result = apply_overriders(deployment(), overriders)
    containers = result["spec"]["template"]["spec"]["containers"]
    assert [c["image"] for c in containers] == ["final:1", "r.io/envoy"]
    assert result["spec"]["template"]["spec"]["initContainers"][0]["image"] == "r.io/busybox"
    assert result["metadata"]["labels"] == {"app": "web", "stage": "one"}
    assert result["metadata"]["annotations"] == {"a": "1"}


def config_map(data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data}


def test_field_overrider_json() -> None:
    manifest = config_map({"db.json": json.dumps({"db": {"host": "a", "port": 1}, "debug": True})})
    overriders = pb.Overriders(
        field_overrider=[
            pb.FieldOverrider(
                field_path="/data/db.json",
                json=[
                    pb.JSONPatchOperation(
                        sub_path="/db/host", operator="replace", value=value("b")
                    ),
                    pb.JSONPatchOperation(sub_path="/debug", operator="remove"),
                    pb.JSONPatchOperation(sub_path="/db/pool", operator="add", value=value(10)),
                ],
            )
        ]
    )
    result = apply_overriders(manifest, overriders)
    assert result["data"]["db.json"] == '{"db":{"host":"b","port":1,"pool":10}}'


def test_field_overrider_yaml() -> None:
    manifest = config_map({"config.yaml": "server:\n  port: 80\nnames:\n- a\n"})
    overriders = pb.Overriders(
        field_overrider=[
            pb.FieldOverrider(
                field_path="/data/config.yaml",
                yaml=[
                    pb.YAMLPatchOperation(
                        sub_path="/server/port", operator="replace", value=value(8080)
                    ),
                    pb.YAMLPatchOperation(sub_path="/names/-", operator="add", value=value("b")),
                ],
            )
        ]
    )
    result = apply_overriders(manifest, overriders)
    assert yaml.safe_load(result["data"]["config.yaml"]) == {
        "server": {"port": 8080},
        "names": ["a", "b"],
    }
    assert result["data"]["config.yaml"] == "names:\n- a\n- b\nserver:\n  port: 8080\n"


def test_field_overrider_without_operations_keeps_the_field() -> None:
    manifest = config_map({"x": "{}"})
    result = apply_overriders(
        manifest, pb.Overriders(field_overrider=[pb.FieldOverrider(field_path="/data/x")])
    )
    assert result == manifest


@pytest.mark.parametrize(
    "overriders",
    [
        pb.Overriders(
            plaintext=[
                pb.PlaintextOverrider(path="/spec/missing/x", operator="add", value=value(1))
            ]
        ),
        pb.Overriders(
            plaintext=[
                pb.PlaintextOverrider(path="/spec/missing", operator="replace", value=value(1))
            ]
        ),
        pb.Overriders(
            field_overrider=[
                pb.FieldOverrider(
                    field_path="/spec/replicas",
                    json=[pb.JSONPatchOperation(sub_path="/a", operator="remove")],
                )
            ]
        ),
        pb.Overriders(
            field_overrider=[
                pb.FieldOverrider(
                    field_path="/metadata/name",
                    json=[pb.JSONPatchOperation(sub_path="/a", operator="remove")],
                )
            ]
        ),
        pb.Overriders(
            field_overrider=[
                pb.FieldOverrider(
                    field_path="/metadata/name",
                    yaml=[pb.YAMLPatchOperation(sub_path="/a", operator="remove")],
                )
            ]
        ),
        pb.Overriders(
            image_overrider=[
                pb.ImageOverrider(
                    component="Tag",
                    operator="replace",
                    value="x",
                    predicate=pb.ImagePredicate(path="/nope"),
                )
            ]
        ),
    ],
)
def test_failures_raise(overriders: pb.Overriders) -> None:
    manifest = deployment()
    before = copy.deepcopy(manifest)
    with pytest.raises(PatchError):
        apply_overriders(manifest, overriders)
    assert manifest == before


def test_empty_overriders_return_a_copy() -> None:
    manifest = deployment()
    result = apply_overriders(manifest, pb.Overriders())
    assert result == manifest
    assert result is not manifest
