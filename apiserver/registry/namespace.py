"""Validation and defaulting of Namespaces (v1)."""

from __future__ import annotations

from google.protobuf.message import Message

from apiserver.registry.strategy import Strategy
from karmada.core.v1 import namespace_pb2
from karmada.machinery import validation as v
from karmada.machinery.scheme import NAMESPACE


def _default(obj: Message) -> None:
    assert isinstance(obj, namespace_pb2.Namespace)
    if not obj.status.phase:
        obj.status.phase = "Active"


STRATEGY = Strategy(kind=NAMESPACE, defaulter=_default, name_rule=v.dns1123_label)  # type: ignore[arg-type]

BOOTSTRAP = ("default", "kube-system", "kube-public", "karmada-system", "karmada-cluster")
