"""Garbage collector: Background, Orphan and Foreground deletion propagation.

Background: objects whose owners (all of them) are gone are deleted. Only
owner references to kinds the simulator runs controllers for are followed,
so an object owned by something the simulator does not know is left alone.
An owner being deleted counts as gone, unless it waits for this collector.

Owners the registry marked for the collector (`Registry.gc_pending`), of
any kind, are finished first, as Kubernetes' garbage collector does:

* ``orphan`` finalizer: the owner's entry is removed from its dependents'
  ownerReferences, then the finalizer, which lets the owner go;
* ``foregroundDeletion`` finalizer: every dependent is deleted (Foreground
  again, so a chain such as Deployment, ReplicaSet, pods unwinds from the
  leaves); once no dependent with ``blockOwnerDeletion`` remains, the
  finalizer is removed and the owner goes.
"""

from __future__ import annotations

from typing import Any

from membersim import errors
from membersim.controllers.common import Context, deleting, log
from membersim.registry import FOREGROUND_FINALIZER, ORPHAN_FINALIZER, DeleteOptions, Registry
from membersim.resources import (
    DAEMONSETS,
    DEPLOYMENTS,
    ENDPOINTSLICES,
    JOBS,
    PODS,
    REPLICASETS,
    SERVICES,
    STATEFULSETS,
    ResourceType,
)

OWNERS = {
    "Deployment": DEPLOYMENTS,
    "ReplicaSet": REPLICASETS,
    "StatefulSet": STATEFULSETS,
    "DaemonSet": DAEMONSETS,
    "Job": JOBS,
    "Service": SERVICES,
}
DEPENDENTS = (REPLICASETS, PODS, ENDPOINTSLICES, JOBS)


def reconcile(ctx: Context) -> None:
    registry = ctx.cluster.registry
    for (key, namespace, name), rtype in list(registry.gc_pending.items()):
        try:
            done = _finish(registry, rtype, namespace, name)
        except errors.ApiError as err:
            log.debug("Garbage collection failed", extra={"cluster": ctx.name, "error": str(err)})
            done = False
        if done:
            registry.gc_pending.pop((key, namespace, name), None)
    _background(ctx)


def _finish(registry: Registry, rtype: ResourceType, namespace: str, name: str) -> bool:
    """Advance one owner's Orphan or Foreground deletion; True once nothing is left to do."""
    stored = registry.store.get(rtype.key, namespace, name)
    if stored is None:
        return True
    owner = stored.decode()
    meta = owner["metadata"]
    finalizers = list(meta.get("finalizers") or ())
    if not meta.get("deletionTimestamp") or not (
        ORPHAN_FINALIZER in finalizers or FOREGROUND_FINALIZER in finalizers
    ):
        return True
    uid = meta["uid"]
    if ORPHAN_FINALIZER in finalizers:
        for dtype, dependent in registry.dependents(uid):
            dmeta = dependent["metadata"]
            refs = [r for r in dmeta.get("ownerReferences") or () if r.get("uid") != uid]
            if refs:
                dmeta["ownerReferences"] = refs
            else:
                dmeta.pop("ownerReferences", None)
            registry.update(dtype, dmeta.get("namespace"), dmeta["name"], dependent)
        _drop_finalizer(registry, rtype, owner, ORPHAN_FINALIZER)
        return True
    blocking = 0
    for dtype, dependent in registry.dependents(uid):
        dmeta = dependent["metadata"]
        if not deleting(dependent):
            registry.delete(
                dtype,
                dmeta.get("namespace"),
                dmeta["name"],
                DeleteOptions(precondition_uid=dmeta.get("uid"), propagation="Foreground"),
            )
        if registry.store.get(dtype.key, dmeta.get("namespace", ""), dmeta["name"]) is None:
            continue
        if any(r.get("uid") == uid and r.get("blockOwnerDeletion") for r in _refs(dependent)):
            blocking += 1
    if blocking:
        return False
    _drop_finalizer(registry, rtype, owner, FOREGROUND_FINALIZER)
    return True


def _refs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    refs: list[dict[str, Any]] = obj["metadata"].get("ownerReferences") or []
    return refs


def _drop_finalizer(
    registry: Registry, rtype: ResourceType, owner: dict[str, Any], finalizer: str
) -> None:
    meta = owner["metadata"]
    meta["finalizers"] = [f for f in meta.get("finalizers") or () if f != finalizer]
    registry.update(rtype, meta.get("namespace"), meta["name"], owner)


def _waiting(obj: dict[str, Any]) -> bool:
    """Being deleted, but still present for its dependents (the collector holds it)."""
    finalizers = obj["metadata"].get("finalizers") or ()
    return ORPHAN_FINALIZER in finalizers or FOREGROUND_FINALIZER in finalizers


def _background(ctx: Context) -> None:
    if not any(ctx.count(rtype) for rtype in DEPENDENTS):
        return
    uids: set[str] | None = None
    for rtype in DEPENDENTS:
        if not ctx.count(rtype):
            continue
        for obj in ctx.objects(rtype):
            refs = obj["metadata"].get("ownerReferences") or []
            if not refs or deleting(obj) or any(r.get("kind") not in OWNERS for r in refs):
                continue
            if uids is None:
                uids = {
                    o["metadata"]["uid"]
                    for owner in OWNERS.values()
                    for o in ctx.objects(owner)
                    if not deleting(o) or _waiting(o)
                }
            if not any(r.get("uid") in uids for r in refs):
                ctx.delete(rtype, obj)
