"""The objects every scenario writes: ~1 KiB ConfigMaps, and raw values of the same size."""

from __future__ import annotations

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.scheme import template_kind

CONFIGMAP = template_kind("v1", "ConfigMap")
DATA = "v" * 1000
"""The ConfigMap's one data value, so each object is about 1 KiB."""

ConfigMap = resource_template_pb2.ResourceTemplate


def configmap(name: str, namespace: str = "default") -> ConfigMap:
    """A ConfigMap template carrying ~1 KiB of data."""
    obj = CONFIGMAP.new(name=name, namespace=namespace)
    obj.body.update({"data": {"k": DATA}})
    return obj


def raw_value() -> bytes:
    """A value as large as a stored ConfigMap (the raw etcd payload)."""
    return configmap("raw-value-of-the-same-size").SerializeToString()
