"""Validation of resource templates: any Kubernetes kind without a typed service."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from apiserver.registry.strategy import Strategy
from karmada.core.v1 import resource_template_pb2
from karmada.machinery import validation as v
from karmada.machinery.scheme import Kind
from karmada.machinery.validation import FieldViolation

RESERVED_BODY_FIELDS = ("apiVersion", "kind", "metadata", "status")

# Kubernetes names these kinds with DNS-1035 labels rather than subdomains.
_DNS1035_KINDS = frozenset({("", "Service")})


def _validate_body(obj: Message) -> list[FieldViolation]:
    assert isinstance(obj, resource_template_pb2.ResourceTemplate)
    return [
        FieldViolation(f"body.{key}", f"Forbidden: {key} is a top-level field of the template")
        for key in RESERVED_BODY_FIELDS
        if key in obj.body.fields
    ]


def strategy_for(kind: Kind[Any]) -> Strategy:
    """The strategy of one template kind (a Deployment, a ConfigMap, ...)."""
    rule = v.dns1035_label if (kind.group, kind.kind) in _DNS1035_KINDS else v.dns1123_subdomain
    return Strategy(kind=kind, validate_spec=_validate_body, name_rule=rule, spec_field="body")
