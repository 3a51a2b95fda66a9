"""The detector's writes: a claimed template's binding, released claims, orphaned bindings.

Every write starts from the informers' copies and sends resourceVersion, so
a concurrent writer makes it fail with Conflict and the controller decides
again from a fresher cache, as client-go's RetryOnConflict would.
"""

from __future__ import annotations

import copy
import logging
import uuid

from controller_manager.controllers.detector.binding import (
    Binding,
    apply_policy,
    binding_for,
    binding_ownership,
    controller_of,
    same_apart_from_resource_version,
)
from controller_manager.controllers.detector.claim import (
    Claim,
    Policy,
    clear_claim,
    has_claim_metadata,
)
from controller_manager.controllers.detector.events import key_of_template, store_key
from controller_manager.interpreter import InterpretError, replicas_of
from karmada.core.v1 import resource_template_pb2
from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.informer import Informer
from karmada.machinery.recent import RecentWrites
from karmada.machinery.scheme import CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING, template_kind
from karmada.names import BINDING_FINALIZER, CRB_FINALIZER, binding_name
from karmada.templates import to_manifest
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb

__all__ = ["BindingWriter"]

log = logging.getLogger(__name__)

ResourceTemplate = resource_template_pb2.ResourceTemplate


class BindingWriter:
    """Writes bindings (and claims) through `client`, reading them from the informers."""

    def __init__(
        self,
        client: Client,
        bindings: Informer[rb_pb.ResourceBinding],
        cluster_bindings: Informer[crb_pb.ClusterResourceBinding],
        *,
        finalize: bool = False,
    ) -> None:
        """`finalize`: new bindings start with the binding controller's finalizer."""
        self.client = client
        self.finalize = finalize
        self.bindings = bindings
        self.cluster_bindings = cluster_bindings
        self._recent = RecentWrites(bindings)
        self._recent_cluster = RecentWrites(cluster_bindings)

    def stored_binding(self, template: ResourceTemplate) -> Binding | None:
        """The template's binding: as last written here, or as the informer has it."""
        meta = template.metadata
        key = store_key(meta.namespace, binding_name(meta.name, template.kind))
        if meta.namespace:
            return self._recent.get(key)
        return self._recent_cluster.get(key)

    def _written(self, binding: Binding) -> None:
        if isinstance(binding, rb_pb.ResourceBinding):
            self._recent.record(binding)
        else:
            self._recent_cluster.record(binding)

    async def sync_binding(self, template: ResourceTemplate, policy: Policy, claim: Claim) -> None:
        fields = {"template": key_of_template(template)}
        try:
            replicas, requirements = replicas_of(to_manifest(template))
        except InterpretError as error:
            # The template's next change queues it again; retrying cannot help before that.
            log.warning("Cannot interpret template replicas", extra={**fields, "error": str(error)})
            return
        existing = self.stored_binding(template)
        desired = binding_for(template) if existing is None else copy.deepcopy(existing)
        apply_policy(
            desired,
            template=template,
            policy=policy.spec,
            claim=claim,
            replicas=replicas,
            requirements=requirements,
            new_id=str(uuid.uuid4()),
        )
        if existing is None:
            if self.finalize:
                finalizer = BINDING_FINALIZER if template.metadata.namespace else CRB_FINALIZER
                desired.metadata.finalizers.append(finalizer)
            self._written(await self.client.create(desired))
            log.info("Created binding", extra={**fields, "binding": desired.metadata.name})
            return
        if existing.metadata.HasField("deletion_timestamp"):
            return  # its deletion event queues the template again
        ownership = binding_ownership(existing, template)
        if ownership == "stale":
            await self.delete_binding(existing)  # its deletion event queues the template again
            return
        if ownership == "foreign":
            log.error(
                "Binding belongs to another template",
                extra={**fields, "binding": desired.metadata.name},
            )
            return
        if same_apart_from_resource_version(desired, existing):
            return
        self._written(await self.client.update(desired))
        log.info("Updated binding", extra={**fields, "binding": desired.metadata.name})

    async def release(self, template: ResourceTemplate) -> None:
        """Removes a claim with no valid policy behind it: binding first, then template.

        In this order a failure between the two writes leaves the template
        claimed, so the next reconcile finds it and finishes the job.
        """
        binding = self.stored_binding(template)
        if binding is not None and has_claim_metadata(binding.metadata):
            owner = controller_of(binding.metadata)
            if owner is None or owner.uid == template.metadata.uid:
                cleared = copy.deepcopy(binding)
                clear_claim(cleared.metadata)
                await self.client.update(cleared)
        cleared_template = copy.deepcopy(template)
        clear_claim(cleared_template.metadata)
        await self.client.update(cleared_template)
        log.info("Released template", extra={"template": key_of_template(template)})

    async def template_gone(self, api_version: str, kind: str, namespace: str, name: str) -> None:
        """Deletes the binding of a template that no longer exists."""
        store = self.bindings if namespace else self.cluster_bindings
        binding: Binding | None = store.get(store_key(namespace, binding_name(name, kind)))
        if binding is None:
            return
        resource = binding.spec.resource
        if (resource.api_version, resource.kind, resource.namespace, resource.name) != (
            api_version,
            kind,
            namespace,
            name,
        ):
            return
        try:
            await self.client.get(template_kind(api_version, kind), name, namespace)
        except errors.NotFound:
            await self.delete_binding(binding)

    async def delete_binding(self, binding: Binding) -> None:
        meta = binding.metadata
        kind = RESOURCE_BINDING if meta.namespace else CLUSTER_RESOURCE_BINDING
        try:
            await self.client.delete(kind, meta.name, meta.namespace, uid=meta.uid)
        except errors.NotFound:
            return
        log.info("Deleted binding", extra={"binding": meta.name, "namespace": meta.namespace})
