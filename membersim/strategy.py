"""Per-kind create and update strategies, after kube-apiserver's ``strategy.go`` files.

The registry applies the same rules to every kind (system metadata,
resourceVersion checks, the status subresource, generation); what differs
by kind lives here: which status a new object starts with, which name
format is valid, which defaults apply, and what a CRD write must check.
As in Kubernetes: PrepareForCreate resets status, PrepareForUpdate keeps
the old status, and generation moves only when something other than
metadata and status changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

from karmada.machinery import validation
from membersim import crds, defaults, errors, ipam
from membersim.resources import (
    CUSTOMRESOURCEDEFINITIONS,
    NAMESPACES,
    NODES,
    PODS,
    SERVICES,
    ResourceType,
)

# Metadata only the server sets; kept from the stored object on update.
SYSTEM_METADATA: Final = (
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
)


def now() -> str:
    """The current time as Kubernetes serialises ``metav1.Time`` (RFC 3339, seconds, UTC)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _name_checker(rtype: ResourceType) -> Callable[[str], list[str]]:
    if rtype is NAMESPACES:
        return validation.is_dns1123_label
    if rtype is SERVICES:
        return validation.is_dns1035_label
    return validation.is_dns1123_subdomain


def validate_name(rtype: ResourceType, name: str) -> None:
    """Raises 422 Invalid when `name` is not a valid name for the kind."""
    if problems := _name_checker(rtype)(name):
        raise errors.invalid(
            group=rtype.group,
            kind=rtype.kind,
            name=name,
            causes=[("metadata.name", f'Invalid value: "{name}": {"; ".join(problems)}')],
        )


def spec_of(obj: dict[str, Any]) -> dict[str, Any]:
    """Everything that is neither metadata nor status: what moves ``generation``."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def prepare_for_create(rtype: ResourceType, obj: dict[str, Any], *, timestamp: str) -> None:
    """Reset status and fill defaults and kind-specific fields of a new object, in place."""
    if rtype.status and rtype is not NODES:
        obj.pop("status", None)
    if rtype is NAMESPACES:
        obj["status"] = {"phase": "Active"}
    elif rtype is PODS:
        obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
    elif rtype is SERVICES:
        obj["status"] = {"loadBalancer": {}}
    elif rtype is CUSTOMRESOURCEDEFINITIONS:
        crds.validate(obj)
        crds.establish(obj, timestamp)
    if not rtype.storage_version:
        defaults.apply(rtype.group, rtype.kind, obj)


def prepare_for_update(
    rtype: ResourceType,
    new: dict[str, Any],
    old: dict[str, Any],
    *,
    status_only: bool,
    timestamp: str,
) -> dict[str, Any]:
    """The object to store for an update of `old` with `new` (either may be modified).

    Args:
        rtype: the resource's type.
        new: the object as the client sent it (already resourceVersion-checked).
        old: the stored object, decoded.
        status_only: the write came through the ``/status`` subresource.
        timestamp: the current time, for conditions the server sets.

    Raises:
        ApiError: 422 for a change kube-apiserver forbids.
    """
    if status_only:
        result = old
        if "status" in new:
            result["status"] = new["status"]
        else:
            result.pop("status", None)
        return result
    meta, old_meta = new["metadata"], old["metadata"]
    for key in SYSTEM_METADATA:
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    if old_meta.get("deletionTimestamp"):
        added = set(meta.get("finalizers") or ()) - set(old_meta.get("finalizers") or ())
        if added:
            raise errors.invalid(
                group=rtype.group,
                kind=rtype.kind,
                name=meta["name"],
                causes=[
                    (
                        "metadata.finalizers",
                        "Forbidden: no new finalizers can be added if the object is being deleted",
                    )
                ],
            )
    if rtype.status:
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    if rtype is CUSTOMRESOURCEDEFINITIONS:
        crds.validate(new)
        crds.establish(new, timestamp)
    if not rtype.storage_version:
        defaults.apply(rtype.group, rtype.kind, new)
    if rtype is SERVICES:
        ipam.keep_cluster_ip(new, old)
    if rtype.generation and spec_of(new) != spec_of(old):
        meta["generation"] = int(old_meta.get("generation", 1)) + 1
    return new
