"""Image references and the image overrider, as Karmada's imageparser and imageoverride."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.overrides.image import image_operations, override_image, parse_image
from controller_manager.overrides.jsonpatch import Operation, PatchError
from karmada.policy.v1alpha1 import override_policy_pb2 as pb

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("nginx", ("", "nginx", "", "")),
        ("nginx:1.19", ("", "nginx", "1.19", "")),
        ("ubuntu/nginx", ("", "ubuntu/nginx", "", "")),
        ("docker.io/library/nginx:1.0", ("docker.io", "library/nginx", "1.0", "")),
        ("localhost/app", ("localhost", "app", "", "")),
        ("registry:5000/app:v1", ("registry:5000", "app", "v1", "")),
        (f"nginx@{DIGEST}", ("", "nginx", "", DIGEST)),
        (f"a.io/nginx:1@{DIGEST}", ("a.io", "nginx", "1", DIGEST)),
    ],
)
def test_parse_image(image: str, parts: tuple[str, str, str, str]) -> None:
    parsed = parse_image(image)
    assert (parsed.registry, parsed.repository, parsed.tag, parsed.digest) == parts
    assert str(parsed) == image


@pytest.mark.parametrize("image", ["", "Nginx", "nginx:", "nginx:a b", "a//b", "-x"])
def test_parse_image_rejects(image: str) -> None:
    with pytest.raises(PatchError):
        parse_image(image)


def image_overrider(
    component: str, operator: str, value: str = "", predicate: str | None = None
) -> pb.ImageOverrider:
    overrider = pb.ImageOverrider(component=component, operator=operator, value=value)
    if predicate is not None:
        overrider.predicate.path = predicate
    return overrider


@pytest.mark.parametrize(
    ("image", "component", "operator", "value", "expected"),
    [
        (
            "nginx:1.0",
            "Registry",
            "replace",
            "fictional.registry.us",
            "fictional.registry.us/nginx:1.0",
        ),
        ("a.io/nginx:1.0", "Registry", "add", "-cn", "a.io-cn/nginx:1.0"),
        ("a.io/nginx:1.0", "Registry", "remove", "", "nginx:1.0"),
        ("ubuntu/nginx", "Registry", "remove", "", "ubuntu/nginx"),
        ("a.io/nginx:1.0", "Repository", "replace", "busybox", "a.io/busybox:1.0"),
        ("a.io/nginx:1.0", "Repository", "add", "-debug", "a.io/nginx-debug:1.0"),
        ("nginx:1.0", "Tag", "replace", "2.0", "nginx:2.0"),
        ("nginx:1.0", "Tag", "add", "-alpine", "nginx:1.0-alpine"),
        ("nginx", "Tag", "add", "v1", "nginx:v1"),
        ("nginx:1.0", "Tag", "remove", "", "nginx"),
        ("nginx:1.0", "Tag", "replace", DIGEST, f"nginx@{DIGEST}"),
        (f"nginx@{DIGEST}", "Tag", "replace", "1.0", "nginx:1.0"),
        (f"nginx:1@{DIGEST}", "Tag", "remove", "", f"nginx@{DIGEST}"),
        (f"nginx:1@{DIGEST}", "Registry", "replace", "r.io", f"r.io/nginx:1@{DIGEST}"),
        ("nginx:1.0", "Tag", "replace", "not a tag", "nginx:1.0"),
    ],
)
def test_override_image(
    image: str, component: str, operator: str, value: str, expected: str
) -> None:
    assert override_image(image, image_overrider(component, operator, value)) == expected


def test_override_image_unknown_component() -> None:
    with pytest.raises(PatchError, match="component"):
        override_image("nginx", image_overrider("Digest", "remove"))


def pod_spec() -> dict[str, Any]:
    return {
        "initContainers": [{"name": "init", "image": "busybox"}],
        "containers": [
            {"name": "a", "image": "nginx:1"},
            {"name": "b"},
            {"name": "c", "image": "redis"},
        ],
    }


@pytest.mark.parametrize(
    ("manifest", "prefix"),
    [
        ({"kind": "Pod", "spec": pod_spec()}, "/spec"),
        *(
            ({"kind": kind, "spec": {"template": {"spec": pod_spec()}}}, "/spec/template/spec")
            for kind in ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job")
        ),
    ],
)
def test_default_paths_cover_every_container(manifest: dict[str, Any], prefix: str) -> None:
    ops = image_operations(manifest, image_overrider("Registry", "replace", "r.io"))
    assert ops == [
        Operation("replace", f"{prefix}/initContainers/0/image", "r.io/busybox"),
        Operation("replace", f"{prefix}/containers/0/image", "r.io/nginx:1"),
        Operation("replace", f"{prefix}/containers/2/image", "r.io/redis"),
    ]


@pytest.mark.parametrize(
    "manifest",
    [
        {"kind": "CronJob", "spec": {"jobTemplate": {}}},
        {"kind": "ConfigMap", "data": {}},
        {"kind": "Deployment", "spec": {}},
        {"kind": "Deployment", "spec": {"template": {"spec": {"containers": "x"}}}},
    ],
)
def test_default_paths_of_other_objects_are_empty(manifest: dict[str, Any]) -> None:
    assert image_operations(manifest, image_overrider("Tag", "replace", "v2")) == []


def test_predicate_path() -> None:
    manifest = {"kind": "CronJob", "spec": {"x": [{"image": "nginx:1"}]}}
    overrider = image_overrider("Tag", "replace", "2", predicate="/spec/x/0/image")
    assert image_operations(manifest, overrider) == [
        Operation("replace", "/spec/x/0/image", "nginx:2")
    ]


@pytest.mark.parametrize("path", ["/spec/x/1/image", "/spec/x", "spec/x/0/image"])
def test_predicate_path_must_name_a_string(path: str) -> None:
    manifest = {"kind": "CronJob", "spec": {"x": [{"image": "nginx:1"}]}}
    with pytest.raises(PatchError):
        image_operations(manifest, image_overrider("Tag", "replace", "2", predicate=path))


def test_invalid_image_fails() -> None:
    manifest = {"kind": "Pod", "spec": {"containers": [{"name": "a", "image": "Bad Image"}]}}
    with pytest.raises(PatchError, match="invalid image"):
        image_operations(manifest, image_overrider("Tag", "replace", "2"))
