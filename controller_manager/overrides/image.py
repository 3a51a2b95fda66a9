"""The image overrider: edit the registry, repository or tag of container images.

An image is read as ``[registry/]repository[:tag][@digest]`` with the grammar
of distribution's ``reference.Parse`` (what Karmada's imageparser uses): the
first path component is the registry only when it contains "." or ":" or is
"localhost", so ``ubuntu/nginx`` has no registry. Each operator works on one
component as Karmada's does: add appends the value to it (``v1`` + ``-cn``),
replace sets it, remove clears it; a Tag value that is a digest replaces the
tag with that digest.

Without a predicate the overrider edits every container of a Pod, or of the
pod template of a Deployment, StatefulSet, ReplicaSet, DaemonSet or Job.
Where Karmada is weaker this does better:

* init containers are edited too (karmada-io/karmada#4283: a registry mirror
  that leaves init containers on the old registry breaks the Pod);
* an image with both a tag and a digest keeps both, where Karmada drops the
  digest silently;
* a container without an image is left alone instead of failing the whole
  override.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from controller_manager.overrides.jsonpatch import Operation, PatchError, get
from karmada.policy.v1alpha1 import override_policy_pb2 as pb

__all__ = ["Image", "container_lists", "image_operations", "override_image", "parse_image"]

_ALNUM: Final = r"[a-z0-9]+"
_SEPARATOR: Final = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT: Final = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT: Final = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST: Final = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_NAME: Final = rf"(?:{_HOST}(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG: Final = r"[\w][\w.-]{0,127}"
_DIGEST: Final = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE: Final = re.compile(rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?")
_TAG_ONLY: Final = re.compile(_TAG)
_DIGEST_ONLY: Final = re.compile(_DIGEST)
_NAME_MAX_LENGTH: Final = 255

# Kinds whose containers an overrider without a predicate edits, and where they are.
POD_SPEC_PATHS: Final = {
    "Pod": ("spec",),
    "ReplicaSet": ("spec", "template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
}
CONTAINER_FIELDS: Final = ("initContainers", "containers")


@dataclass(slots=True)
class Image:
    """The components of an image reference."""

    registry: str = ""
    repository: str = ""
    tag: str = ""
    digest: str = ""

    def tag_or_digest(self) -> str:
        return self.tag or self.digest

    def set_tag_or_digest(self, value: str) -> None:
        """Sets a tag (dropping the digest) or a digest (dropping the tag); else no change."""
        if _TAG_ONLY.fullmatch(value):
            self.tag, self.digest = value, ""
        elif _DIGEST_ONLY.fullmatch(value):
            self.tag, self.digest = "", value

    def remove_tag_or_digest(self) -> None:
        if self.tag:
            self.tag = ""
        else:
            self.digest = ""

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}" if self.registry else self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_image(image: str) -> Image:
    """The components of `image`.

    Raises:
        PatchError: `image` is not a valid image reference.
    """
    match = _REFERENCE.fullmatch(image)
    if match is None:
        raise PatchError(f"invalid image reference {image!r}")
    name, tag, digest = match.group(1), match.group(2) or "", match.group(3) or ""
    if len(name) > _NAME_MAX_LENGTH:
        raise PatchError(f"image name {name!r} is longer than {_NAME_MAX_LENGTH} characters")
    first, slash, rest = name.partition("/")
    if slash and (any(c in first for c in ".:") or first == "localhost"):
        return Image(registry=first, repository=rest, tag=tag, digest=digest)
    return Image(repository=name, tag=tag, digest=digest)


def override_image(image: str, overrider: pb.ImageOverrider) -> str:
    """`image` with `overrider` applied to its component.

    Raises:
        PatchError: the image cannot be parsed or the component is unknown.
    """
    parsed = parse_image(image)
    operator, value = overrider.operator, overrider.value
    match overrider.component:
        case "Registry":
            if operator == "add":
                parsed.registry += value
            elif operator == "replace":
                parsed.registry = value
            elif operator == "remove":
                parsed.registry = ""
        case "Repository":
            if operator == "add":
                parsed.repository += value
            elif operator == "replace":
                parsed.repository = value
            elif operator == "remove":
                parsed.repository = ""
        case "Tag":
            if operator == "add":
                parsed.set_tag_or_digest(parsed.tag_or_digest() + value)
            elif operator == "replace":
                parsed.set_tag_or_digest(value)
            elif operator == "remove":
                parsed.remove_tag_or_digest()
        case other:
            raise PatchError(f"unsupported image component {other!r}")
    return str(parsed)


def container_lists(manifest: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """(JSON pointer, list) of each container list of a workload's pod spec, init first."""
    path = POD_SPEC_PATHS.get(str(manifest.get("kind", "")))
    if path is None:
        return []
    node: Any = manifest
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return []
    prefix = "/" + "/".join(path)
    return [
        (f"{prefix}/{field}", containers)
        for field in CONTAINER_FIELDS
        if isinstance(containers := node.get(field), list)
    ]


def image_operations(manifest: dict[str, Any], overrider: pb.ImageOverrider) -> list[Operation]:
    """The replace operations that apply one image overrider to `manifest`.

    Raises:
        PatchError: the predicate path names no string, or an image is invalid.
    """
    if overrider.HasField("predicate"):
        path = overrider.predicate.path
        if not path.startswith("/"):
            raise PatchError(f"image predicate path {path!r} must start with '/'")
        current = get(manifest, path)
        if not isinstance(current, str):
            raise PatchError(f"image predicate path {path!r} does not name a string")
        return [Operation("replace", path, override_image(current, overrider))]
    operations: list[Operation] = []
    for prefix, containers in container_lists(manifest):
        for index, container in enumerate(containers):
            image = container.get("image") if isinstance(container, dict) else None
            if isinstance(image, str) and image:
                new = override_image(image, overrider)
                operations.append(Operation("replace", f"{prefix}/{index}/image", new))
    return operations
