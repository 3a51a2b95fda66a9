"""The binding controllers' writes: Works created, updated only when they differ, deleted; finalizers.

Every write goes through the apiserver client; updates read the current
object and re-apply the desired state on a conflict (`guaranteed_update`),
so a concurrent writer (the execution controller adding its finalizer, the
work status controller) never loses its change or ours.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from controller_manager.controllers.binding.render import (
    DesiredWork,
    apply_desired,
    with_work_permanent_id,
    work_differs,
)
from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.scheme import WORK, Kind
from karmada.member.marks import WORK_PERMANENT_ID_LABEL
from karmada.names import EXECUTION_FINALIZER
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb

__all__ = ["add_finalizer", "delete_works", "ensure_work", "remove_finalizer"]

log = logging.getLogger(__name__)

B = TypeVar("B", rb_pb.ResourceBinding, crb_pb.ClusterResourceBinding)


async def ensure_work(
    client: Client,
    existing: work_pb2.Work | None,
    desired: DesiredWork,
    *,
    fields: dict[str, Any],
    finalizer: bool,
) -> work_pb2.Work | None:
    """Creates the Work, or updates it if it differs from `desired`; a Work being deleted waits.

    With `finalizer`, a new Work starts with the execution controller's
    finalizer, as Karmada's binding controller writes it (one write less
    than the execution controller adding it). Returns the Work as written,
    or None when nothing was.

    Raises:
        karmada.machinery.errors.ApiError: the write failed.
    """
    where = {**fields, "work": desired.name, "namespace": desired.namespace}
    if existing is not None and existing.metadata.HasField("deletion_timestamp"):
        return None  # Its deletion event re-enqueues the binding, which creates it again.
    if existing is None:
        work = WORK.new(name=desired.name, namespace=desired.namespace)
        apply_desired(work, desired)
        if finalizer:
            work.metadata.finalizers.append(EXECUTION_FINALIZER)
        try:
            created = await client.create(work)
        except errors.AlreadyExists:
            pass
        else:
            log.info("Created Work", extra=where)
            return created
    elif not work_differs(existing, desired):
        return None

    changed = False

    def mutate(current: work_pb2.Work) -> work_pb2.Work | None:
        nonlocal changed
        # Created concurrently (the informer had not seen it): its id stays.
        wanted = with_work_permanent_id(
            desired, current.metadata.labels.get(WORK_PERMANENT_ID_LABEL, "")
        )
        changed = not current.metadata.HasField("deletion_timestamp") and work_differs(
            current, wanted
        )
        if not changed:
            return None
        apply_desired(current, wanted)
        return current

    written = await client.guaranteed_update(
        WORK, desired.name, desired.namespace, mutate=mutate, cached=existing
    )
    if not changed:
        return None
    log.info("Updated Work", extra=where)
    return written


async def delete_works(
    client: Client, works: Iterable[work_pb2.Work], *, fields: dict[str, Any]
) -> None:
    """Deletes `works` (those already being deleted and those already gone are skipped)."""
    for work in works:
        meta = work.metadata
        if meta.HasField("deletion_timestamp"):
            continue
        try:
            await client.delete(WORK, meta.name, meta.namespace, uid=meta.uid)
        except errors.NotFound:
            continue
        log.info("Deleted Work", extra={**fields, "work": meta.name, "namespace": meta.namespace})


async def add_finalizer(client: Client, kind: Kind[B], binding: B, finalizer: str) -> B:
    """The binding with `finalizer` (never added to a binding being deleted)."""

    def mutate(current: B) -> B | None:
        meta = current.metadata
        if finalizer in meta.finalizers or meta.HasField("deletion_timestamp"):
            return None
        meta.finalizers.append(finalizer)
        return current

    meta = binding.metadata
    return await client.guaranteed_update(
        kind, meta.name, meta.namespace, mutate=mutate, cached=binding
    )


async def remove_finalizer(client: Client, kind: Kind[B], binding: B, finalizer: str) -> None:
    """Removes `finalizer` from the binding, if it is still there."""
    if finalizer not in binding.metadata.finalizers:
        return

    def mutate(current: B) -> B | None:
        if finalizer not in current.metadata.finalizers:
            return None
        current.metadata.finalizers.remove(finalizer)
        return current

    meta = binding.metadata
    try:
        await client.guaranteed_update(
            kind, meta.name, meta.namespace, mutate=mutate, cached=binding
        )
    except errors.NotFound:
        return
