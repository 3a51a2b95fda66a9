"""Resource templates as Kubernetes manifests, and back.

The apiserver stores a template as a ResourceTemplate (apiVersion, kind, typed
metadata, JSON body, JSON status); Works carry it to members as a plain
Kubernetes manifest. The manifest keeps what a member needs to create the
object — apiVersion, kind, name, namespace, labels, annotations and the body —
and drops what belongs to the control plane's copy (uid, resourceVersion,
generation, timestamps, finalizers, owner references, status), as Karmada's
prune step does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.structs import to_dict

__all__ = ["manifest_identity", "to_manifest", "to_template"]

ResourceTemplate = resource_template_pb2.ResourceTemplate


def to_manifest(template: ResourceTemplate) -> dict[str, Any]:
    """The Kubernetes object a member should hold for `template`."""
    meta = template.metadata
    metadata: dict[str, Any] = {"name": meta.name}
    if meta.namespace:
        metadata["namespace"] = meta.namespace
    if meta.labels:
        metadata["labels"] = dict(meta.labels)
    if meta.annotations:
        metadata["annotations"] = dict(meta.annotations)
    body = to_dict(template.body)
    body.pop("status", None)
    return {"apiVersion": template.api_version, "kind": template.kind, "metadata": metadata, **body}


def to_template(manifest: dict[str, Any]) -> ResourceTemplate:
    """A ResourceTemplate carrying `manifest` (its status, if any, is left out)."""
    metadata = manifest.get("metadata") or {}
    template = ResourceTemplate(
        api_version=manifest.get("apiVersion", ""), kind=manifest.get("kind", "")
    )
    template.metadata.name = metadata.get("name", "")
    template.metadata.namespace = metadata.get("namespace", "")
    template.metadata.labels.update(metadata.get("labels") or {})
    template.metadata.annotations.update(metadata.get("annotations") or {})
    body = {
        k: v for k, v in manifest.items() if k not in ("apiVersion", "kind", "metadata", "status")
    }
    template.body.update(body)
    return template


def manifest_identity(manifest: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """(apiVersion, kind, namespace, name) of a manifest."""
    metadata = manifest.get("metadata") or {}
    return (
        manifest.get("apiVersion", ""),
        manifest.get("kind", ""),
        metadata.get("namespace", ""),
        metadata.get("name", ""),
    )
