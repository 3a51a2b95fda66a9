"""Validation and defaulting of Clusters (cluster.karmada.io/v1alpha1)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlparse

from google.protobuf.message import Message

from apiserver.registry.strategy import Strategy, cluster_name
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import types_pb2
from karmada.machinery import validation as v
from karmada.machinery.scheme import CLUSTER
from karmada.machinery.validation import FieldViolation

SYNC_MODES = ("Push", "Pull")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def validate_taints(taints: Iterable[types_pb2.Taint], path: str) -> list[FieldViolation]:
    """Taints: qualified-name keys, label-value values, a known effect, no duplicates."""
    out: list[FieldViolation] = []
    seen: set[tuple[str, str]] = set()
    for i, taint in enumerate(taints):
        item = f"{path}[{i}]"
        if not taint.key:
            out.append(FieldViolation(f"{item}.key", "Required value"))
        else:
            out += v.qualified_name(taint.key, f"{item}.key")
        out += v.label_value(taint.value, f"{item}.value")
        out += v.one_of(taint.effect, TAINT_EFFECTS, f"{item}.effect", required=True)
        if (taint.key, taint.effect) in seen:
            out.append(
                FieldViolation(item, "Duplicate value: taints must be unique by key and effect")
            )
        seen.add((taint.key, taint.effect))
    return out


def _validate_spec(obj: Message) -> list[FieldViolation]:
    assert isinstance(obj, cluster_pb2.Cluster)
    spec = obj.spec
    out = v.one_of(spec.sync_mode, SYNC_MODES, "spec.syncMode", required=True)
    if spec.api_endpoint:
        url = urlparse(spec.api_endpoint)
        if url.scheme not in ("http", "https") or not url.netloc:
            out.append(
                FieldViolation(
                    "spec.apiEndpoint",
                    f"Invalid value: {spec.api_endpoint!r}: must be an http(s) URL",
                )
            )
    elif spec.sync_mode == "Push":
        out.append(
            FieldViolation("spec.apiEndpoint", "Required value: Push clusters need an API endpoint")
        )
    if spec.proxy_url:
        url = urlparse(spec.proxy_url)
        if url.scheme not in ("http", "https", "socks5") or not url.netloc:
            out.append(
                FieldViolation("spec.proxyURL", f"Invalid value: {spec.proxy_url!r}: must be a URL")
            )
    for field, ref in (
        ("secretRef", spec.secret_ref),
        ("impersonatorSecretRef", spec.impersonator_secret_ref),
    ):
        if ref.name or ref.namespace:
            if not ref.name:
                out.append(FieldViolation(f"spec.{field}.name", "Required value"))
            if not ref.namespace:
                out.append(FieldViolation(f"spec.{field}.namespace", "Required value"))
    for field, value in (("provider", spec.provider), ("region", spec.region), ("zone", spec.zone)):
        out += v.label_value(value, f"spec.{field}")
    for i, zone in enumerate(spec.zones):
        out += v.label_value(zone, f"spec.zones[{i}]")
    out += validate_taints(spec.taints, "spec.taints")
    grades = [model.grade for model in spec.resource_models]
    if grades != sorted(set(grades)):
        out.append(
            FieldViolation(
                "spec.resourceModels", "Invalid value: grades must be unique and ascending"
            )
        )
    return out


STRATEGY = Strategy(kind=CLUSTER, validate_spec=_validate_spec, name_rule=cluster_name)  # type: ignore[arg-type]
