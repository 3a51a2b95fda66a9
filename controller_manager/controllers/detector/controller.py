"""The resource detector: resource templates + (Cluster)PropagationPolicies -> bindings.

Karmada's pkg/detector as one level-triggered controller. Its queue holds
three kinds of keys: a template (``T|<apiVersion>|<kind>|<ns>/<name>``), a
PropagationPolicy (``PP|<ns>/<name>``) and a ClusterPropagationPolicy
(``CPP|<name>``). A policy's reconcile gives it a permanent id, makes sure
the kinds it selects are watched, and queues every template it matches or
holds; a template's reconcile decides its policy (`matching.decide`), stamps
the claim on it, and writes its binding (`binding.apply_policy`).

Only the kinds policies name are watched, plus the kinds existing bindings
refer to (so templates of a policy deleted while the controller was down are
still released): Karmada watches every discovered resource and pays for it
in memory (issue #4738). An informer asked for after the start starts at
once; kinds are never unwatched while the process runs.

When a policy is deleted, or stops matching a template, the claim is removed
from the template and from its binding, and the template is matched afresh;
the binding itself stays (with its clusters) until another policy claims the
template or the template is deleted, as Karmada does (handlePolicyDeletion) so that
deleting a policy never deletes workloads. A deleted template's binding is
deleted here, explicitly: there is no owner-reference garbage collector.
"""

from __future__ import annotations

import copy
import logging
import time
import uuid
from typing import Any, TypeVar

from controller_manager.context import ControllerContext
from controller_manager.controllers.detector.binding import (
    Binding,
)
from controller_manager.controllers.detector.claim import (
    Policy,
    has_claim_metadata,
    is_claimed_by,
    policy_claim,
    policy_id,
    set_claim,
)
from controller_manager.controllers.detector.events import (
    CLAIM_INDEX,
    claim_index_values,
    detector_view,
    index_value,
    key_of_template,
    policy_changed,
    policy_key,
    store_key,
    template_changed,
    template_key,
)
from controller_manager.controllers.detector.matching import (
    decide,
    is_skipped_namespace,
    policy_specificity,
    selected_kinds,
    selector_targets,
    template_targets,
)
from controller_manager.controllers.detector.metrics import (
    APPLY_ATTEMPTS,
    APPLY_DURATION,
    MATCH_DURATION,
    PREEMPTIONS,
)
from controller_manager.controllers.detector.writer import BindingWriter
from controller_manager.registry import enabled
from karmada.core.v1 import resource_template_pb2
from karmada.machinery import errors
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.informer import NAMESPACE_INDEX, Informer, split_key
from karmada.machinery.recent import RecentWrites
from karmada.machinery.scheme import (
    CLUSTER_OVERRIDE_POLICY,
    CLUSTER_PROPAGATION_POLICY,
    CLUSTER_RESOURCE_BINDING,
    OVERRIDE_POLICY,
    PROPAGATION_POLICY,
    RESOURCE_BINDING,
    template_kind,
    typed_kind,
)
from karmada.names import CPP_PERMANENT_ID_LABEL, PP_PERMANENT_ID_LABEL
from karmada.policy.v1alpha1 import cluster_override_policy_pb2 as cop_pb
from karmada.policy.v1alpha1 import cluster_propagation_policy_pb2 as cpp_pb
from karmada.policy.v1alpha1 import override_policy_pb2 as op_pb
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb

__all__ = ["NAME", "ResourceDetector"]

NAME = "resourceDetector"

log = logging.getLogger(__name__)

ResourceTemplate = resource_template_pb2.ResourceTemplate

Override = op_pb.OverridePolicy | cop_pb.ClusterOverridePolicy

CONFLICT_RETRY_SECONDS = 0.1
SELECTOR_INDEX = "detector.selector"
P = TypeVar("P", pp_pb.PropagationPolicy, cpp_pb.ClusterPropagationPolicy)
SYNC_WAIT_SECONDS = 5.0
"""How long a reconcile waits for a new template kind's first list before retrying later."""


async def _synced(informer: Informer[ResourceTemplate]) -> None:
    """Waits for a template informer's first list; Requeue if it is not there in time.

    A kind the apiserver cannot list (say, a malformed apiVersion in a policy)
    must not hold a worker forever.
    """
    if not await informer.wait_for_sync(timeout=SYNC_WAIT_SECONDS):
        kind = informer.kind
        log.warning(
            "Template kind not listed yet",
            extra={"apiVersion": kind.api_version, "kind": kind.kind},
        )
        raise Requeue(SYNC_WAIT_SECONDS)


class ResourceDetector(Controller):
    name = NAME

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.factory = ctx.informers
        self.policies = ctx.informers.get(PROPAGATION_POLICY)
        self.cluster_policies = ctx.informers.get(CLUSTER_PROPAGATION_POLICY)
        self.bindings = ctx.informers.get(RESOURCE_BINDING)
        self.cluster_bindings = ctx.informers.get(CLUSTER_RESOURCE_BINDING)
        self.overrides = ctx.informers.get(OVERRIDE_POLICY)
        self.cluster_overrides = ctx.informers.get(CLUSTER_OVERRIDE_POLICY)
        super().__init__(
            informers=[
                self.policies,
                self.cluster_policies,
                self.bindings,
                self.cluster_bindings,
                self.overrides,
                self.cluster_overrides,
            ]
        )
        for informer in (self.policies, self.cluster_policies):
            informer.store.add_index(SELECTOR_INDEX, selector_targets)
        self.templates: dict[tuple[str, str], Informer[ResourceTemplate]] = {}
        self.recent_templates: dict[tuple[str, str], RecentWrites[ResourceTemplate]] = {}
        self.writer = BindingWriter(
            ctx.client,
            self.bindings,
            self.cluster_bindings,
            finalize="binding" in enabled(ctx.options.controllers),
        )
        self.policies.add_handler(self._policy_added, self._policy_updated, self._policy_deleted)
        self.cluster_policies.add_handler(
            self._policy_added, self._policy_updated, self._policy_deleted
        )
        self.bindings.add_handler(self._binding_event, self._binding_updated, self._binding_event)
        self.cluster_bindings.add_handler(
            self._binding_event, self._binding_updated, self._binding_event
        )
        self.overrides.add_handler(on_add=self._override_added)
        self.cluster_overrides.add_handler(on_add=self._override_added)

    # -- watching template kinds -----------------------------------------

    def watch(self, api_version: str, kind: str) -> Informer[ResourceTemplate] | None:
        """The informer of a template kind, created (and started) on first use."""
        if typed_kind(api_version, kind) is not None:
            return None
        informer = self.templates.get((api_version, kind))
        if informer is None:
            informer = self.factory.get(template_kind(api_version, kind))
            informer.store.add_index(CLAIM_INDEX, claim_index_values)
            informer.add_handler(self._template_event, self._template_updated, self._template_event)
            self.templates[(api_version, kind)] = informer
            self.recent_templates[(api_version, kind)] = RecentWrites(informer)
            log.info("Watching template kind", extra={"apiVersion": api_version, "kind": kind})
        return informer

    def _claimed(self, cluster: bool, permanent_id: str) -> list[ResourceTemplate]:
        value = index_value(cluster, permanent_id)
        return [t for i in list(self.templates.values()) for t in i.by_index(CLAIM_INDEX, value)]

    # -- event mapping ------------------------------------------------------

    def _enqueue_template(self, template: ResourceTemplate) -> None:
        self.enqueue_key(key_of_template(template))

    def _template_event(self, template: ResourceTemplate) -> None:
        self._enqueue_template(template)

    def _template_updated(self, old: ResourceTemplate, new: ResourceTemplate) -> None:
        if template_changed(old, new):
            self._enqueue_template(new)

    def _policy_added(self, policy: Policy) -> None:
        self.enqueue_key(policy_key(policy))

    def _policy_updated(self, old: Policy, new: Policy) -> None:
        if not policy_changed(old, new):
            return
        self.enqueue_key(policy_key(new))
        if (old_id := policy_id(old)) and old_id != policy_id(new):
            self._release_claims_of(old)

    def _policy_deleted(self, policy: Policy) -> None:
        self._release_claims_of(policy)

    def _release_claims_of(self, policy: Policy) -> None:
        if permanent_id := policy_id(policy):
            cluster = isinstance(policy, cpp_pb.ClusterPropagationPolicy)
            for template in self._claimed(cluster, permanent_id):
                self._enqueue_template(template)

    def _override_added(self, override: Override) -> None:
        """Queues the policies that waited for this override (spec.dependentOverrides)."""
        name, namespace = override.metadata.name, override.metadata.namespace
        waiting: list[Policy] = [
            *(self.policies.by_index(NAMESPACE_INDEX, namespace) if namespace else []),
            *(self.cluster_policies.list() if not namespace else []),
        ]
        for policy in waiting:
            if name in policy.spec.dependent_overrides:
                self.enqueue_key(policy_key(policy))

    def _missing_overrides(self, policy: Policy) -> list[str]:
        """Karmada's IsDependent(Cluster)OverridesPresent: the named overrides not yet there."""
        if isinstance(policy, cpp_pb.ClusterPropagationPolicy):
            return [
                n for n in policy.spec.dependent_overrides if self.cluster_overrides.get(n) is None
            ]
        namespace = policy.metadata.namespace
        return [
            n
            for n in policy.spec.dependent_overrides
            if self.overrides.get(f"{namespace}/{n}") is None
        ]

    def _binding_event(self, binding: Binding) -> None:
        resource = binding.spec.resource
        if not (resource.api_version and resource.kind and resource.name):
            return
        if self.watch(resource.api_version, resource.kind) is not None:
            self.enqueue_key(
                template_key(resource.api_version, resource.kind, resource.namespace, resource.name)
            )

    def _binding_updated(self, old: Binding, new: Binding) -> None:
        if detector_view(old) != detector_view(new):
            self._binding_event(old)
            self._binding_event(new)

    # -- reconcile ------------------------------------------------------------

    async def reconcile(self, key: str) -> Requeue | None:
        what, _, rest = key.partition("|")
        try:
            if what == "T":
                api_version, kind, object_key = rest.split("|", 2)
                namespace, name = split_key(object_key)
                await self._reconcile_template(api_version, kind, namespace, name)
            elif what == "PP":
                await self._reconcile_policy(self.policies.get(rest))
            elif what == "CPP":
                await self._reconcile_policy(self.cluster_policies.get(rest))
            else:
                log.error("Unknown detector key", extra={"key": key})
        except (errors.Conflict, errors.AlreadyExists, errors.NotFound) as error:
            # Our cache is behind (often our own write): decide again once it caught up.
            log.debug("Cache behind; retrying", extra={"key": key, "error": str(error)})
            return Requeue(CONFLICT_RETRY_SECONDS)
        return None

    async def _reconcile_policy(self, policy: Policy | None) -> None:
        """Names the policy's kinds to watch and queues the templates it may affect."""
        if policy is None or policy.metadata.HasField("deletion_timestamp"):
            return
        permanent_id = await self._ensure_policy_id(policy)
        cluster = isinstance(policy, cpp_pb.ClusterPropagationPolicy)
        for api_version, kind in sorted(selected_kinds(policy)):
            informer = self.watch(api_version, kind)
            if informer is None:
                continue
            await _synced(informer)
            for template in self._in_scope(informer, policy, api_version, kind):
                if policy_specificity(template, policy):
                    self._enqueue_template(template)
        for template in self._claimed(cluster, permanent_id):
            self._enqueue_template(template)

    @staticmethod
    def _in_scope(
        informer: Informer[ResourceTemplate], policy: Policy, api_version: str, kind: str
    ) -> list[ResourceTemplate]:
        """The templates of a kind the policy may select: looked up by key when every selector
        names one (and its namespace, for a namespaced kind), else the whole scope."""
        namespace = (
            ""
            if isinstance(policy, cpp_pb.ClusterPropagationPolicy)
            else (policy.metadata.namespace)
        )
        selectors = [
            s
            for s in policy.spec.resource_selectors
            if (s.api_version, s.kind) == (api_version, kind)
        ]
        if selectors and all(s.name and (s.namespace or namespace) for s in selectors):
            keys = {store_key(s.namespace or namespace, s.name) for s in selectors}
            found = (informer.get(key) for key in sorted(keys))
            return [template for template in found if template is not None]
        if namespace:
            return informer.by_index(NAMESPACE_INDEX, namespace)
        return informer.list()

    async def _ensure_policy_id(self, policy: Policy) -> str:
        """The policy's permanent id, assigned (a uuid in its own label) if it has none."""
        if permanent_id := policy_id(policy):
            return permanent_id
        updated = copy.deepcopy(policy)
        label = (
            CPP_PERMANENT_ID_LABEL
            if isinstance(policy, cpp_pb.ClusterPropagationPolicy)
            else PP_PERMANENT_ID_LABEL
        )
        updated.metadata.labels[label] = str(uuid.uuid4())
        stored = await self.client.update(updated)
        log.info("Assigned policy permanent id", extra={"policy": policy_key(stored)})
        return policy_id(stored)

    async def _reconcile_template(
        self, api_version: str, kind: str, namespace: str, name: str
    ) -> None:
        informer = self.watch(api_version, kind)
        if informer is None:
            return
        await _synced(informer)
        template = self.recent_templates[(api_version, kind)].get(store_key(namespace, name))
        if template is None:
            await self.writer.template_gone(api_version, kind, namespace, name)
            return
        if template.metadata.HasField("deletion_timestamp") or is_skipped_namespace(namespace):
            return
        started = time.perf_counter()
        policies = self._selecting(self.policies, template, cluster=False) if namespace else []
        cluster_policies = self._selecting(self.cluster_policies, template, cluster=True)
        decision = decide(template, policies, cluster_policies)
        MATCH_DURATION.observe(time.perf_counter() - started)
        fields: dict[str, Any] = {"template": template_key(api_version, kind, namespace, name)}
        if decision.released is not None:
            log.info("Releasing stale claim", extra={**fields, "policy": str(decision.released)})
        if decision.policy is None:
            if has_claim_metadata(template.metadata):
                await self.writer.release(template)
            return
        if decision.preempted is not None:
            preempted = {
                "policy": policy_key(decision.policy),
                "preempted": str(decision.preempted),
            }
            log.info("Policy preempts another", extra={**fields, **preempted})
        await self._apply(template, decision.policy, preempting=decision.preempted is not None)

    @staticmethod
    def _selecting(informer: Informer[P], template: ResourceTemplate, *, cluster: bool) -> list[P]:
        """The policies with a selector for the template's kind and name (or any name)."""
        keys = {
            key
            for value in template_targets(template, cluster=cluster)
            for key in informer.store.index_keys(SELECTOR_INDEX, value)
        }
        found = (informer.get(key) for key in sorted(keys))
        return [policy for policy in found if policy is not None]

    async def _apply(self, template: ResourceTemplate, policy: Policy, *, preempting: bool) -> None:
        if missing := self._missing_overrides(policy):
            # The override's arrival queues the policy, and the policy its templates.
            log.info(
                "Waiting for dependent overrides",
                extra={"policy": policy_key(policy), "overrides": missing},
            )
            return
        started = time.perf_counter()
        result = "error"
        try:
            claim = policy_claim(policy, await self._ensure_policy_id(policy))
            if not is_claimed_by(template.metadata, claim):
                updated = copy.deepcopy(template)
                set_claim(updated.metadata, claim)
                template = await self.client.update(updated)
                self.recent_templates[(template.api_version, template.kind)].record(template)
            await self.writer.sync_binding(template, policy, claim)
            result = "success"
        finally:
            APPLY_ATTEMPTS.labels(result).inc()
            APPLY_DURATION.labels(result).observe(time.perf_counter() - started)
            if preempting:
                PREEMPTIONS.labels(result).inc()
