"""The binding status controller: Works' status back into bindings and resource templates.

Karmada's pkg/controllers/status/rb_status_controller.go and
crb_status_controller.go. For every ResourceBinding and
ClusterResourceBinding not being deleted:

1. its Works (found by the binding annotations the binding controller puts
   on them, ``resourcebinding.karmada.io/{namespace,name}`` or
   ``clusterresourcebinding.karmada.io/name``; a Work whose permanent-id
   label names another binding of the same name is ignored) become
   ``status.aggregatedStatus`` and the ``FullyApplied`` condition
   (items.py), written with UpdateStatus when they changed;
2. the resource template's own status is aggregated from those items by
   the resource interpreter (`aggregate_status`: for a Deployment the
   replica counters summed and observedGeneration once every member caught
   up) and written with UpdateStatus on the template, only when it changed.

The binding is written from the informer's copy; if the scheduler or the
binding controller wrote it in between (Conflict), it is re-read and its
status recomputed from its current spec, as RetryOnConflict does. The
template is taken from the shared template informer (the resource detector's)
and written the same way. Work and binding events requeue the binding after
`COALESCE_SECONDS`, so the Works of one binding reporting one after the other
(ten clusters applying one Deployment) cost a write or two, not ten; the
template's own events need not requeue, since every change that matters
reaches its Works first.
"""

from __future__ import annotations

import copy
import logging
from typing import Final

from controller_manager.context import ControllerContext
from controller_manager.controllers.binding_status.items import (
    FULLY_APPLIED,
    FULLY_APPLIED_FAILED_MESSAGE,
    FULLY_APPLIED_FAILED_REASON,
    FULLY_APPLIED_SUCCESS_MESSAGE,
    FULLY_APPLIED_SUCCESS_REASON,
    aggregated_items,
    fully_applied,
    reflected,
)
from controller_manager.interpreter import aggregate_status
from controller_manager.works import (
    BINDING_INDEX,
    binding_index_value,
    binding_index_values,
    cluster_of,
)
from karmada.core.v1 import resource_template_pb2
from karmada.machinery import errors
from karmada.machinery.conditions import set_condition
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.recent import RecentWrites
from karmada.machinery.scheme import CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING, WORK, template_kind
from karmada.machinery.structs import to_dict
from karmada.member.marks import CRB_PERMANENT_ID_LABEL, RB_PERMANENT_ID_LABEL
from karmada.templates import to_manifest
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2 import cluster_resource_binding_pb2, resource_binding_pb2

__all__ = ["COALESCE_SECONDS", "NAME", "BindingStatusController", "new"]

NAME = "bindingStatus"

log = logging.getLogger(__name__)

COALESCE_SECONDS: Final = 0.5
_RB: Final = binding_index_value(False, "")
_CRB: Final = binding_index_value(True, "")

Binding = resource_binding_pb2.ResourceBinding | cluster_resource_binding_pb2.ClusterResourceBinding


def _permanent_id(binding: Binding, cluster_scoped: bool) -> str:
    label = CRB_PERMANENT_ID_LABEL if cluster_scoped else RB_PERMANENT_ID_LABEL
    return binding.metadata.labels.get(label, "")


class BindingStatusController(Controller):
    name = NAME

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.factory = ctx.informers
        self.bindings = ctx.informers.get(RESOURCE_BINDING)
        self.cluster_bindings = ctx.informers.get(CLUSTER_RESOURCE_BINDING)
        self.works = ctx.informers.get(WORK)
        self.recent_bindings = RecentWrites(self.bindings)
        self.recent_cluster_bindings = RecentWrites(self.cluster_bindings)
        super().__init__(informers=[self.bindings, self.cluster_bindings, self.works])
        self.works.store.ensure_index(BINDING_INDEX, binding_index_values)
        self.bindings.add_handler(self._rb_event, self._rb_update, self._rb_event)
        self.cluster_bindings.add_handler(self._crb_event, self._crb_update, self._crb_event)
        self.works.add_handler(self._work_event, self._work_update, self._work_event)

    # -- event mapping ----------------------------------------------------

    def _rb_event(self, binding: resource_binding_pb2.ResourceBinding) -> None:
        self.enqueue_after(_RB + self.key_of(binding), COALESCE_SECONDS)

    def _rb_update(
        self, _old: resource_binding_pb2.ResourceBinding, new: resource_binding_pb2.ResourceBinding
    ) -> None:
        self._rb_event(new)

    def _crb_event(self, binding: cluster_resource_binding_pb2.ClusterResourceBinding) -> None:
        self.enqueue_after(_CRB + self.key_of(binding), COALESCE_SECONDS)

    def _crb_update(
        self,
        _old: cluster_resource_binding_pb2.ClusterResourceBinding,
        new: cluster_resource_binding_pb2.ClusterResourceBinding,
    ) -> None:
        self._crb_event(new)

    def _work_event(self, work: work_pb2.Work) -> None:
        for key in binding_index_values(work):
            self.enqueue_after(key, COALESCE_SECONDS)

    def _work_update(self, old: work_pb2.Work, new: work_pb2.Work) -> None:
        keys = set(binding_index_values(old)) | set(binding_index_values(new))
        for key in keys:
            self.enqueue_after(key, COALESCE_SECONDS)

    # -- reconcile --------------------------------------------------------

    async def reconcile(self, key: str) -> Requeue | None:
        cluster_scoped = key.startswith(_CRB)
        store_key = key.removeprefix(_CRB if cluster_scoped else _RB)
        recent = self.recent_cluster_bindings if cluster_scoped else self.recent_bindings
        binding: Binding | None = recent.get(store_key)
        if binding is None or binding.metadata.HasField("deletion_timestamp"):
            return None
        works = self._works_of(key, binding, cluster_scoped)
        written = await self._update_binding(binding, works, cluster_scoped)
        if written is not binding:
            recent.record(written)  # type: ignore[arg-type]
        binding = written
        await self._update_template(binding)
        return None

    def _works_of(
        self, key: str, binding: Binding, cluster_scoped: bool
    ) -> dict[str, work_pb2.Work]:
        permanent_id = _permanent_id(binding, cluster_scoped)
        label = CRB_PERMANENT_ID_LABEL if cluster_scoped else RB_PERMANENT_ID_LABEL
        works: dict[str, work_pb2.Work] = {}
        for work in self.works.by_index(BINDING_INDEX, key):
            if work.metadata.HasField("deletion_timestamp"):
                continue
            work_id = work.metadata.labels.get(label, "")
            if permanent_id and work_id and work_id != permanent_id:
                continue
            if cluster := cluster_of(work):
                works[cluster] = work
        return works

    async def _update_binding(
        self, binding: Binding, works: dict[str, work_pb2.Work], cluster_scoped: bool
    ) -> Binding:
        """Writes aggregatedStatus and FullyApplied if they changed; the binding as it now is.

        The first write uses the informer's copy; when someone wrote the
        binding since (the scheduler, the binding controller), it is re-read
        and the status recomputed from its current spec.
        """
        desired = _with_status(binding, works)
        if desired is None:
            return binding
        try:
            written: Binding = await self.client.update_status(desired)
        except errors.Conflict:
            kind = CLUSTER_RESOURCE_BINDING if cluster_scoped else RESOURCE_BINDING
            written = await self.client.guaranteed_update(
                kind,  # type: ignore[arg-type]
                binding.metadata.name,
                binding.metadata.namespace,
                mutate=lambda current: _with_status(current, works),
                status=True,
            )
        log.info(
            "Updated binding status",
            extra={
                "binding": self.key_of(written),
                "kind": written.kind,
                "clusters": [item.cluster_name for item in written.status.aggregated_status],
            },
        )
        return written

    async def _update_template(self, binding: Binding) -> None:
        ref = binding.spec.resource
        if not ref.api_version or not ref.kind or not ref.name:
            return
        items = [(item.cluster_name, reflected(item)) for item in binding.status.aggregated_status]

        def aggregated(
            template: resource_template_pb2.ResourceTemplate,
        ) -> resource_template_pb2.ResourceTemplate | None:
            if ref.uid and template.metadata.uid != ref.uid:
                return None
            manifest = to_manifest(template)
            manifest["metadata"]["generation"] = template.metadata.generation
            current = to_dict(template.status)
            manifest["status"] = current
            new = aggregate_status(manifest, items)
            if new is None or new == current:
                return None
            desired = copy.deepcopy(template)
            desired.status.Clear()
            desired.status.update(new)
            return desired

        kind = template_kind(ref.api_version, ref.kind)
        informer = self.factory.get(kind)
        key = f"{ref.namespace}/{ref.name}" if ref.namespace else ref.name
        cached = informer.get(key) if informer.has_synced else None
        try:
            before = (
                cached
                if cached is not None
                else await self.client.get(kind, ref.name, ref.namespace)
            )
            if aggregated(before) is None:
                return
            after = await self.client.guaranteed_update(
                kind, ref.name, ref.namespace, mutate=aggregated, status=True, cached=before
            )
        except errors.NotFound:
            return
        if after.metadata.resource_version != before.metadata.resource_version:
            log.info(
                "Updated resource template status",
                extra={"kind": ref.kind, "template": key},
            )


def _with_status(binding: Binding, works: dict[str, work_pb2.Work]) -> Binding | None:
    """A copy of `binding` with its Works' status, or None when that is what it has."""
    items = aggregated_items(binding.spec, works)
    desired = copy.deepcopy(binding)
    changed = list(desired.status.aggregated_status) != items
    if changed:
        del desired.status.aggregated_status[:]
        desired.status.aggregated_status.extend(items)
    if fully_applied(binding.spec, items):
        status, reason, message = (
            "True",
            FULLY_APPLIED_SUCCESS_REASON,
            FULLY_APPLIED_SUCCESS_MESSAGE,
        )
    else:
        status, reason, message = "False", FULLY_APPLIED_FAILED_REASON, FULLY_APPLIED_FAILED_MESSAGE
    changed |= set_condition(
        desired.status.conditions,
        FULLY_APPLIED,
        status,
        reason,
        message,
        observed_generation=binding.metadata.generation,
    )
    return desired if changed else None


def new(ctx: ControllerContext) -> BindingStatusController:
    return BindingStatusController(ctx)
