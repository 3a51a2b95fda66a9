"""gracefulEviction: ends graceful eviction tasks, which lets the old copies be purged.

Karmada's RB/CRB graceful eviction controllers
(pkg/controllers/gracefuleviction). A task on a binding keeps the evicted
cluster's Work alive (the binding controller deletes it once the task is
gone); this controller decides when each task ends
(`controller_manager.failover.tasks.assess_tasks`): at once for purgeMode
Directly, never for Never, and for Gracefully once the binding has been
rescheduled and is Healthy on all its new clusters, or when the task's
gracePeriodSeconds (else ``--graceful-eviction-timeout``) run out. Tasks
written without a creation timestamp get one here.

Keys are ``rb|<namespace>/<name>`` and ``crb|<name>``; bindings are queued on
every change while they have tasks (status changes included: health is what
ends a graceful task), and requeued for the earliest task deadline.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from google.protobuf import timestamp_pb2

from controller_manager.context import ControllerContext
from controller_manager.failover.tasks import assess_tasks
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.errors import Conflict, NotFound
from karmada.machinery.informer import Informer, key_of
from karmada.machinery.scheme import CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING

__all__ = ["NAME", "GracefulEviction", "new"]

NAME = "gracefulEviction"

log = logging.getLogger(__name__)

RB = "rb"
CRB = "crb"
CONFLICT_RETRY_SECONDS = 0.1

_Binding = Any  # ResourceBinding | ClusterResourceBinding


class GracefulEviction(Controller):
    name = NAME

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.timeout = ctx.options.graceful_eviction_timeout
        self.bindings: dict[str, Informer[Any]] = {
            RB: ctx.informers.get(RESOURCE_BINDING),
            CRB: ctx.informers.get(CLUSTER_RESOURCE_BINDING),
        }
        super().__init__(informers=list(self.bindings.values()))
        for tag, informer in self.bindings.items():
            informer.add_handler(
                functools.partial(self._added, tag), functools.partial(self._updated, tag)
            )

    def _added(self, tag: str, binding: _Binding) -> None:
        if binding.spec.graceful_eviction_tasks:
            self.queue.add(f"{tag}|{key_of(binding)}")

    def _updated(self, tag: str, old: _Binding, new: _Binding) -> None:
        self._added(tag, new)

    async def reconcile(self, key: str) -> Requeue | None:
        tag, _, binding_key = key.partition("|")
        informer = self.bindings.get(tag)
        if informer is None:
            log.error("Malformed graceful eviction key", extra={"controller": NAME, "key": key})
            return None
        binding = informer.get(binding_key)
        if (
            binding is None
            or binding.metadata.HasField("deletion_timestamp")
            or not binding.spec.graceful_eviction_tasks
        ):
            return None
        now = timestamp_pb2.Timestamp()
        now.GetCurrentTime()
        scheduled = binding.status.scheduler_observed_generation == binding.metadata.generation
        assessment = assess_tasks(
            binding.spec, binding.status, scheduled=scheduled, timeout=self.timeout, now=now
        )
        if assessment.changed:
            updated = type(binding)()
            updated.CopyFrom(binding)
            del updated.spec.graceful_eviction_tasks[:]
            updated.spec.graceful_eviction_tasks.extend(assessment.tasks)
            fields = {"controller": NAME, "binding": binding_key, "kind": tag}
            try:
                await self.client.update(updated)
            except Conflict:
                log.info("Binding changed while ending eviction tasks; retrying", extra=fields)
                return Requeue(CONFLICT_RETRY_SECONDS)
            except NotFound:
                return None
            for cluster in assessment.ended:
                log.info("Graceful eviction task ended", extra={**fields, "cluster": cluster})
        if assessment.recheck_after is None:
            return None
        return Requeue(assessment.recheck_after)


def new(ctx: ControllerContext) -> GracefulEviction:
    return GracefulEviction(ctx)
