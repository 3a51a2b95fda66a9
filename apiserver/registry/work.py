"""Validation of Works (work.karmada.io/v1alpha1).

A Work carries the manifests the execution controller (or a Pull agent)
applies to one member cluster. Its manifests are free-form JSON, so nothing
else checks them before they reach a cluster; a manifest without apiVersion,
kind or metadata.name could never be applied or identified in status. This
module rejects such Works when they are written, and keeps reported health
within Karmada's three values.
"""

from __future__ import annotations

from google.protobuf import struct_pb2
from google.protobuf.message import Message

from apiserver.registry.strategy import Strategy
from karmada.machinery import validation as v
from karmada.machinery.scheme import WORK
from karmada.machinery.validation import FieldViolation, join_path
from karmada.work.v1alpha1 import work_pb2

HEALTH_VALUES = ("Healthy", "Unhealthy", "Unknown")


def _string_field(obj: struct_pb2.Struct, key: str, path: str) -> list[FieldViolation]:
    """A required non-empty string field of a JSON object."""
    if key not in obj.fields:
        return [v.required_value(path)]
    value = obj.fields[key]
    if value.WhichOneof("kind") != "string_value":
        return [FieldViolation(path, "Invalid value: must be a string")]
    if not value.string_value:
        return [v.required_value(path)]
    return []


def validate_manifest(manifest: struct_pb2.Struct, path: str) -> list[FieldViolation]:
    """A manifest must be a Kubernetes object: apiVersion, kind and metadata.name."""
    out = _string_field(manifest, "apiVersion", join_path(path, "apiVersion"))
    out += _string_field(manifest, "kind", join_path(path, "kind"))
    meta_path = join_path(path, "metadata")
    if "metadata" not in manifest.fields:
        out.append(v.required_value(join_path(meta_path, "name")))
    elif manifest.fields["metadata"].WhichOneof("kind") != "struct_value":
        out.append(FieldViolation(meta_path, "Invalid value: must be an object"))
    else:
        metadata = manifest.fields["metadata"].struct_value
        out += _string_field(metadata, "name", join_path(meta_path, "name"))
    return out


def _validate(obj: Message) -> list[FieldViolation]:
    assert isinstance(obj, work_pb2.Work)
    out: list[FieldViolation] = []
    for i, manifest in enumerate(obj.spec.workload.manifests):
        out += validate_manifest(manifest, f"spec.workload.manifests[{i}]")
    return out


def _validate_status(obj: Message) -> list[FieldViolation]:
    assert isinstance(obj, work_pb2.Work)
    out: list[FieldViolation] = []
    for i, status in enumerate(obj.status.manifest_statuses):
        out += v.one_of(
            status.health,
            HEALTH_VALUES,
            f"status.manifestStatuses[{i}].health",
            required=False,
        )
    return out


STRATEGY = Strategy(kind=WORK, validate_spec=_validate, validate_status_fields=_validate_status)  # type: ignore[arg-type]
STRATEGIES = (STRATEGY,)
