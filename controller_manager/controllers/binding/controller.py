"""The binding controllers: (Cluster)ResourceBindings become one Work per target cluster.

As Karmada's pkg/controllers/binding (binding_controller.go,
cluster_resource_binding_controller.go); what each Work holds is decided by
`render`, which changes concern which binding by `events`. A reconcile of
one binding:

1. a binding being deleted has its Works deleted, then its finalizer
   (``karmada.io/binding-controller``, or
   ``karmada.io/cluster-resource-binding-controller``) removed; otherwise the
   finalizer is added first;
2. the binding's Works in clusters it no longer keeps are deleted;
3. the template is read from the shared informer of its kind; a missing one
   is logged and looked at again later (its creation also re-enqueues);
4. each target cluster's Work is rendered and created, or updated only when
   it differs. A cluster not registered yet, or a policy that does not apply,
   is logged and skipped (the Cluster's or policy's next change re-enqueues);
   a missing execution namespace (the cluster controller creates it) is
   looked at again shortly; other write errors are retried with backoff once
   every cluster was tried.

Works are found through an index of the Work informer by the binding named
in their annotations (Karmada selects them by the binding's permanent-id
label; the names work as well and need no label to be present).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, ClassVar, Final, Generic, TypeVar

from controller_manager.context import ControllerContext
from controller_manager.controllers.binding import events
from controller_manager.controllers.binding.render import (
    divide_completions,
    is_divided,
    kept_clusters,
    render,
    target_clusters,
)
from controller_manager.controllers.binding.writes import (
    add_finalizer,
    delete_works,
    ensure_work,
    remove_finalizer,
)
from controller_manager.interpreter import InterpretError
from controller_manager.overrides import OverrideError
from controller_manager.registry import enabled
from controller_manager.works import (
    BINDING_INDEX,
    binding_index_value,
    binding_index_values,
    is_push,
)
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import resource_template_pb2
from karmada.machinery import errors
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.informer import NAMESPACE_INDEX, Informer
from karmada.machinery.recent import RecentWrites
from karmada.machinery.scheme import (
    CLUSTER,
    CLUSTER_OVERRIDE_POLICY,
    CLUSTER_RESOURCE_BINDING,
    OVERRIDE_POLICY,
    RESOURCE_BINDING,
    WORK,
    Kind,
    template_kind,
    typed_kind,
)
from karmada.member.marks import WORK_PERMANENT_ID_LABEL
from karmada.names import (
    BINDING_FINALIZER,
    CRB_FINALIZER,
    cluster_of_execution_space,
    execution_space,
    work_name,
)
from karmada.policy.v1alpha1 import cluster_override_policy_pb2 as cop_pb
from karmada.policy.v1alpha1 import override_policy_pb2 as op_pb
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb

__all__ = [
    "BindingControllers",
    "ClusterResourceBindingController",
    "ResourceBindingController",
    "SyncFailed",
]

log = logging.getLogger(__name__)

B = TypeVar("B", rb_pb.ResourceBinding, crb_pb.ClusterResourceBinding)

TEMPLATE_RETRY_SECONDS: Final = 30.0
TEMPLATE_SYNC_SECONDS: Final = 10.0
NAMESPACE_RETRY_SECONDS: Final = 2.0

Template = resource_template_pb2.ResourceTemplate
Policy = op_pb.OverridePolicy | cop_pb.ClusterOverridePolicy


class SyncFailed(Exception):
    """Some Works could not be written; the binding is retried with backoff."""


class _BindingController(Controller, Generic[B]):
    """What both binding controllers share; subclasses name the kind and finalizer."""

    kind: ClassVar[Kind[Any]]
    finalizer: ClassVar[str]
    namespaced: ClassVar[bool]

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.factory = ctx.informers
        # Works only start with the execution controller's finalizer when it runs to remove it.
        self.executing = "execution" in enabled(ctx.options.controllers)
        self.bindings: Informer[B] = ctx.informers.get(self.kind)
        self.works = ctx.informers.get(WORK)
        self.recent_works = RecentWrites(self.works)
        self.clusters = ctx.informers.get(CLUSTER)
        self.cluster_policies = ctx.informers.get(CLUSTER_OVERRIDE_POLICY)
        self.policies = ctx.informers.get(OVERRIDE_POLICY)
        super().__init__(
            informers=[
                self.bindings,
                self.works,
                self.clusters,
                self.cluster_policies,
                self.policies,
            ]
        )
        self._template_kinds: set[tuple[str, str]] = set()
        self.works.store.ensure_index(BINDING_INDEX, binding_index_values)
        self.bindings.store.add_index(events.CLUSTER_INDEX, events.clusters_of_binding)
        self.bindings.add_handler(self.enqueue, self._binding_updated, self.enqueue)
        self.works.add_handler(None, self._work_updated, self._work_deleted)
        self.clusters.add_handler(self._cluster_event, self._cluster_updated, self._cluster_event)
        self.cluster_policies.add_handler(
            self._policy_event, self._policy_updated, self._policy_event
        )
        if self.namespaced:
            self.policies.add_handler(self._policy_event, self._policy_updated, self._policy_event)

    # Event mapping

    def _owns(self, key: str) -> bool:
        return ("/" in key) == self.namespaced

    def _enqueue_keys(self, keys: set[str] | list[str]) -> None:
        for key in keys:
            if self._owns(key):
                self.enqueue_key(key)

    def _binding_updated(self, old: B, new: B) -> None:
        if events.binding_changed(old, new):
            self.enqueue(new)

    def _work_deleted(self, work: work_pb2.Work) -> None:
        self._enqueue_keys(events.binding_key_of_work(work))

    def _work_updated(self, old: work_pb2.Work, new: work_pb2.Work) -> None:
        if events.work_changed(old, new):
            keys = {*events.binding_key_of_work(old), *events.binding_key_of_work(new)}
            self._enqueue_keys(keys)

    def _cluster_event(self, cluster: cluster_pb2.Cluster) -> None:
        for key in self.bindings.store.index_keys(events.CLUSTER_INDEX, cluster.metadata.name):
            self.enqueue_key(key)

    def _cluster_updated(self, old: cluster_pb2.Cluster, new: cluster_pb2.Cluster) -> None:
        if events.cluster_changed(old, new):
            self._cluster_event(new)

    def _policy_event(self, policy: Policy) -> None:
        self._enqueue_selected(policy, policy)

    def _policy_updated(self, old: Policy, new: Policy) -> None:
        if old.spec != new.spec:
            self._enqueue_selected(old, new)

    def _enqueue_selected(self, old: Policy, new: Policy) -> None:
        if isinstance(new, op_pb.OverridePolicy):
            candidates = self.bindings.by_index(NAMESPACE_INDEX, new.metadata.namespace)
        else:
            candidates = self.bindings.list()
        for binding in candidates:
            resource = binding.spec.resource
            if events.selectors_may_match(
                old.spec.resource_selectors, resource
            ) or events.selectors_may_match(new.spec.resource_selectors, resource):
                self.enqueue(binding)

    def _template_event(self, template: Template) -> None:
        self._enqueue_keys([events.binding_key_of_template(template)])

    def _template_updated(self, old: Template, new: Template) -> None:
        if events.template_changed(old, new):
            self._template_event(new)

    def _templates(self, api_version: str, kind: str) -> Informer[Template]:
        """The shared informer of a template kind, with this controller's handlers on it."""
        informer = self.factory.get(template_kind(api_version, kind))
        if (api_version, kind) not in self._template_kinds:
            self._template_kinds.add((api_version, kind))
            informer.add_handler(self._template_event, self._template_updated, self._template_event)
        return informer

    # Reconcile

    def _fields(self, binding: B, **extra: Any) -> dict[str, Any]:
        return {"controller": self.name, "binding": self.key_of(binding), **extra}

    async def reconcile(self, key: str) -> Requeue | None:
        binding = self.bindings.get(key)
        if binding is None:
            return None
        works = self.works.by_index(BINDING_INDEX, binding_index_value(not self.namespaced, key))
        if binding.metadata.HasField("deletion_timestamp"):
            await delete_works(self.client, works, fields=self._fields(binding))
            await remove_finalizer(self.client, self.kind, binding, self.finalizer)
            return None
        if self.finalizer not in binding.metadata.finalizers:
            binding = await add_finalizer(self.client, self.kind, binding, self.finalizer)
        kept = kept_clusters(binding.spec)
        orphans = [
            work
            for work in works
            if (cluster := cluster_of_execution_space(work.metadata.namespace))
            and cluster not in kept
        ]
        await delete_works(self.client, orphans, fields=self._fields(binding))
        targets = target_clusters(binding.spec)
        if not targets:
            return None
        template = await self._template(binding)
        if not isinstance(template, Template):
            return template
        return await self._sync(binding, template, targets)

    async def _template(self, binding: B) -> Template | Requeue | None:
        resource = binding.spec.resource
        if not resource.kind or typed_kind(resource.api_version, resource.kind) is not None:
            log.warning(
                "Binding refers to a kind that is not a resource template; skipping",
                extra=self._fields(binding, kind=resource.kind, api_version=resource.api_version),
            )
            return None
        informer = self._templates(resource.api_version, resource.kind)
        if not informer.has_synced and not await informer.wait_for_sync(TEMPLATE_SYNC_SECONDS):
            return Requeue(1.0)
        key = f"{resource.namespace}/{resource.name}" if resource.namespace else resource.name
        template = informer.get(key)
        if template is None:
            log.info(
                "Resource template not found; waiting for it",
                extra=self._fields(binding, kind=resource.kind, template=key),
            )
            return Requeue(TEMPLATE_RETRY_SECONDS)
        if events.claim_behind(template, binding):
            # The detector claimed the template before writing the binding; the
            # claim's event requeues the binding, and Works rendered from this
            # copy would have to be rewritten at once.
            log.debug("Template copy predates its claim; waiting", extra=self._fields(binding))
            return None
        return template

    def _completions(
        self, binding: B, template: Template, targets: list[rb_pb.TargetCluster]
    ) -> dict[str, int]:
        """Each cluster's share of a Divided Job's completions (empty when not divided)."""
        spec = binding.spec
        if spec.replicas <= 0 or not is_divided(spec) or template.kind != "Job":
            return {}
        body_spec = template.body.fields.get("spec")
        value = body_spec.struct_value.fields.get("completions") if body_spec else None
        if value is None or value.WhichOneof("kind") != "number_value":
            return {}
        return divide_completions(int(value.number_value), targets)

    async def _sync(
        self, binding: B, template: Template, targets: list[rb_pb.TargetCluster]
    ) -> Requeue | None:
        resource = binding.spec.resource
        completions = self._completions(binding, template, targets)
        cluster_policies = self.cluster_policies.list()
        policies = (
            self.policies.by_index(NAMESPACE_INDEX, resource.namespace)
            if resource.namespace
            else []
        )
        name = work_name(resource.kind, resource.name, resource.namespace)
        failures: list[str] = []
        waiting = False
        for target in targets:
            cluster = self.clusters.get(target.name)
            if cluster is None:
                log.info(
                    "Target cluster is not registered; its Work waits for it",
                    extra=self._fields(binding, cluster=target.name),
                )
                continue
            existing = self.recent_works.get(f"{execution_space(target.name)}/{name}")
            if existing is None and cluster.metadata.HasField("deletion_timestamp"):
                # A leaving cluster gets no new Work: its deletion waits for its Works to go.
                continue
            permanent_id = (
                existing.metadata.labels.get(WORK_PERMANENT_ID_LABEL, "") if existing else ""
            ) or str(uuid.uuid4())
            fields = self._fields(binding, cluster=target.name)
            try:
                desired = render(
                    binding,
                    template,
                    target,
                    cluster,
                    cluster_policies=cluster_policies,
                    policies=policies,
                    completions=completions,
                    work_permanent_id=permanent_id,
                )
                written = await ensure_work(
                    self.client,
                    existing,
                    desired,
                    fields=fields,
                    finalizer=self.executing and is_push(cluster),
                )
                if written is not None:
                    self.recent_works.record(written)
            except (OverrideError, InterpretError) as err:
                log.warning(
                    "Cannot render the Work; skipping the cluster",
                    extra={**fields, "error": str(err)},
                )
            except errors.Invalid as err:
                log.warning(
                    "Work rejected by the apiserver; skipping the cluster",
                    extra={**fields, "error": str(err)},
                )
            except errors.NotFound as err:
                log.info(
                    "Execution namespace not there yet; waiting for it",
                    extra={**fields, "error": str(err)},
                )
                waiting = True
            except errors.ApiError as err:
                failures.append(f"{target.name}: {err}")
        if failures:
            raise SyncFailed(f"failed to write Works: {'; '.join(failures)}")
        return Requeue(NAMESPACE_RETRY_SECONDS) if waiting else None


class ResourceBindingController(_BindingController[rb_pb.ResourceBinding]):
    name = "binding"
    kind = RESOURCE_BINDING
    finalizer = BINDING_FINALIZER
    namespaced = True


class ClusterResourceBindingController(_BindingController[crb_pb.ClusterResourceBinding]):
    name = "clusterResourceBinding"
    kind = CLUSTER_RESOURCE_BINDING
    finalizer = CRB_FINALIZER
    namespaced = False


class BindingControllers:
    """Both binding controllers, run together under the one registry name "binding"."""

    def __init__(self, ctx: ControllerContext) -> None:
        self.controllers: tuple[_BindingController[Any], ...] = (
            ResourceBindingController(ctx),
            ClusterResourceBindingController(ctx),
        )

    async def run(self, *, workers: int = 1) -> None:
        async with asyncio.TaskGroup() as group:
            for controller in self.controllers:
                group.create_task(
                    controller.run(workers=workers), name=f"controller:{controller.name}"
                )
