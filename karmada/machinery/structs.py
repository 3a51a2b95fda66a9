"""Conversions between protobuf Struct (JSON carried in messages) and Python dicts.

Resource templates, Work manifests and aggregated statuses carry Kubernetes
objects as google.protobuf.Struct, whose numbers are all doubles. Kubernetes
objects use integers (replicas, ports), so integral numbers come back as int:
`to_dict` is the only way project code reads a Struct.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2


def _plain(value: struct_pb2.Value) -> Any:
    which = value.WhichOneof("kind")
    if which == "struct_value":
        return to_dict(value.struct_value)
    if which == "list_value":
        return [_plain(v) for v in value.list_value.values]
    if which == "number_value":
        number = value.number_value
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if which == "string_value":
        return value.string_value
    if which == "bool_value":
        return value.bool_value
    return None


def to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """The Struct as plain Python values, integral numbers as int."""
    return {key: _plain(value) for key, value in struct.fields.items()}


def from_dict(data: dict[str, Any]) -> struct_pb2.Struct:
    """A new Struct holding `data` (JSON-compatible values)."""
    struct = struct_pb2.Struct()
    struct.update(data)
    return struct
