"""The overriders of one rule, applied to a manifest in Karmada's order.

Within a rule the order is imageOverrider, commandOverrider, argsOverrider,
labelsOverrider, annotationsOverrider, fieldOverrider, plaintext (Karmada's
``applyPolicyOverriders``); each overrider becomes JSON patch operations
applied before the next one is computed, so later overriders see earlier
results.

* command / args: for the containers named ``containerName``, add appends the
  values and remove deletes every item equal to one of them. Init containers
  are matched too (names are unique across both lists in a Pod) and Jobs are
  covered; removing from a container without the list leaves it without one,
  where Karmada writes an empty list.
* labels / annotations: add sets each key (creating the map), replace and
  remove touch only keys that exist. Keys are escaped in the patch path, so
  ``app.kubernetes.io/name`` works (Karmada builds the path unescaped and
  fails on keys with "/").
* fieldOverrider: the field must hold a string; its JSON or YAML document is
  patched and written back (JSON compact, YAML with sorted keys, as
  sigs.k8s.io/yaml). A field overrider with no operations leaves the field
  as it is (Karmada empties it).
* plaintext: the operations as written, as one JSON patch.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

import yaml
from google.protobuf import struct_pb2

from controller_manager.overrides.image import container_lists, image_operations
from controller_manager.overrides.jsonpatch import (
    MISSING,
    Operation,
    PatchError,
    apply_patch,
    escape,
    get,
)
from karmada.machinery.structs import to_dict
from karmada.policy.v1alpha1 import override_policy_pb2 as pb

__all__ = ["apply_overriders", "plain_value"]

Manifest = dict[str, Any]


def _patch(manifest: Manifest, operations: Sequence[Operation]) -> Manifest:
    patched: Manifest = apply_patch(manifest, operations)
    return patched


def plain_value(value: struct_pb2.Value) -> Any:
    """A protobuf Value as plain Python (integral numbers as int); MISSING if unset."""
    if value.WhichOneof("kind") is None:
        return MISSING
    holder = struct_pb2.Struct()
    holder.fields["v"].CopyFrom(value)
    return to_dict(holder)["v"]


def _command_args(manifest: Manifest, target: str, overrider: pb.CommandArgsOverrider) -> Manifest:
    operations: list[Operation] = []
    for prefix, containers in container_lists(manifest):
        for index, container in enumerate(containers):
            if not isinstance(container, dict) or container.get("name") != overrider.container_name:
                continue
            current = container.get(target)
            items = list(current) if isinstance(current, list) else []
            if overrider.operator == "add":
                items.extend(overrider.value)
            elif overrider.operator == "remove":
                if current is None:
                    continue
                removed = set(overrider.value)
                items = [item for item in items if item not in removed]
            else:
                continue
            op = "add" if current is None else "replace"
            operations.append(Operation(op, f"{prefix}/{index}/{target}", items))
    return _patch(manifest, operations)


def _labels_annotations(
    manifest: Manifest, field: str, overrider: pb.LabelAnnotationOverrider
) -> Manifest:
    metadata = manifest.get("metadata")
    current = metadata.get(field) if isinstance(metadata, dict) else None
    operations: list[Operation] = []
    if overrider.operator == "add" and not isinstance(current, dict):
        if not isinstance(metadata, dict):
            operations.append(Operation("add", "/metadata", {}))
        operations.append(Operation("add", f"/metadata/{field}", {}))
        current = {}
    if not isinstance(current, dict) or overrider.operator not in ("add", "replace", "remove"):
        return manifest
    for key in sorted(overrider.value):
        if overrider.operator != "add" and key not in current:
            continue
        value = MISSING if overrider.operator == "remove" else overrider.value[key]
        operations.append(Operation(overrider.operator, f"/metadata/{field}/{escape(key)}", value))
    return _patch(manifest, operations)


def _patch_operations(
    ops: Sequence[pb.JSONPatchOperation | pb.YAMLPatchOperation],
) -> list[Operation]:
    return [Operation(op.operator, op.sub_path, plain_value(op.value)) for op in ops]


def _field(manifest: Manifest, overrider: pb.FieldOverrider) -> Manifest:
    path = overrider.field_path
    document = get(manifest, path)
    if not isinstance(document, str):
        raise PatchError(f"field {path!r} does not hold a string")
    if overrider.yaml:
        try:
            parsed = yaml.safe_load(document)
        except yaml.YAMLError as err:
            raise PatchError(f"field {path!r} does not hold YAML: {err}") from None
        patched = apply_patch(parsed, _patch_operations(overrider.yaml))
        text = yaml.safe_dump(patched, default_flow_style=False, sort_keys=True, allow_unicode=True)
    elif overrider.json:
        try:
            parsed = json.loads(document)
        except ValueError as err:
            raise PatchError(f"field {path!r} does not hold JSON: {err}") from None
        patched = apply_patch(parsed, _patch_operations(overrider.json))
        text = json.dumps(patched, separators=(",", ":"), ensure_ascii=False)
    else:
        return manifest
    return _patch(manifest, [Operation("replace", path, text)])


def apply_overriders(manifest: Manifest, overriders: pb.Overriders) -> Manifest:
    """A copy of `manifest` with every overrider of one rule applied, in Karmada's order.

    Raises:
        PatchError: an overrider does not apply (the message says which).
    """
    result = manifest
    for image in overriders.image_overrider:
        result = _patch(result, image_operations(result, image))
    for command in overriders.command_overrider:
        result = _command_args(result, "command", command)
    for args in overriders.args_overrider:
        result = _command_args(result, "args", args)
    for labels in overriders.labels_overrider:
        result = _labels_annotations(result, "labels", labels)
    for annotation in overriders.annotations_overrider:
        result = _labels_annotations(result, "annotations", annotation)
    for field in overriders.field_overrider:
        result = _field(result, field)
    plaintext = [Operation(p.operator, p.path, plain_value(p.value)) for p in overriders.plaintext]
    if plaintext:
        result = _patch(result, plaintext)
    return result if result is not manifest else copy.deepcopy(manifest)
