"""Builds objects from Kubernetes-style dicts and runs a Strategy as the registry does."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from apiserver.registry.strategy import Strategy


def build(
    strategy: Strategy,
    spec: dict[str, Any],
    *,
    name: str = "obj",
    namespace: str = "",
    status: dict[str, Any] | None = None,
) -> Message:
    """An object of the strategy's kind from camelCase JSON `spec` (and `status`)."""
    obj: Message = strategy.kind.new(name=name, namespace=namespace)
    body = {"spec": spec} if status is None else {"spec": spec, "status": status}
    json_format.ParseDict(body, obj)
    return obj


def to_dict(obj: Message, field: str = "spec") -> dict[str, Any]:
    """One field of `obj` as camelCase JSON."""
    return json_format.MessageToDict(getattr(obj, field))


def fields_of(strategy: Strategy, obj: Message, old: Message | None = None) -> list[str]:
    """Default `obj` then validate it (against `old` for an update): the bad field paths."""
    strategy.default(obj)
    return [violation.field for violation in strategy.validate(obj, old)]


def status_fields_of(strategy: Strategy, obj: Message) -> list[str]:
    """Validate a status write: the bad field paths."""
    return [violation.field for violation in strategy.validate_status(obj)]
