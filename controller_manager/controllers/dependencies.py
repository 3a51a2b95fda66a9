"""The dependencies distributor: what a workload refers to follows it (propagateDeps).

Karmada's pkg/dependenciesdistributor. A ResourceBinding whose spec.propagateDeps
is true (an "independent" binding) gets, for each ConfigMap, Secret,
ServiceAccount and PersistentVolumeClaim its template refers to
(`interpreter.dependencies_of`), an "attached" ResourceBinding named
``<name>-<kind>`` in its namespace, owned by the dependency's template, with
no placement (so the scheduler leaves it alone: scheduler/triggers.py skips
bindings without one) and with a ``spec.requiredBy`` snapshot
``{namespace, name, clusters}`` of every independent binding that needs it.
The binding controller sends the dependency wherever its requirers run.

As Karmada: the independent binding records its dependencies in the
annotation ``resourcebinding.karmada.io/dependencies`` (JSON), which is how a
dependency created later finds the bindings waiting for it; attached bindings
carry the label ``resourcebinding.karmada.io/depended-by-<hash>`` (valued with
the requirer's permanent id) per requirer; conflictResolution (when the
attached binding has no placement of its own) and
preserveResourcesOnDeletion follow the requirer; nothing is attached before
the independent binding is first scheduled.

Where Karmada leaves an attached binding nobody requires any more in place
(until its template is deleted), it is deleted here when it has no placement
of its own; one a policy also claims only loses the snapshot. Requirers are
found from the snapshots themselves, so a removed label orphans nothing. An
attached binding deleted by hand, or one whose dependency was recreated, is
written again.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from typing import Final

from controller_manager.context import ControllerContext
from controller_manager.controllers.detector.binding import (
    controller_of,
    owner_reference,
    same_apart_from_resource_version,
)
from controller_manager.interpreter import Dependency, InterpretError, dependencies_of
from karmada.core.v1 import resource_template_pb2
from karmada.machinery import errors
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.informer import Informer, split_key
from karmada.machinery.scheme import RESOURCE_BINDING, template_kind, typed_kind
from karmada.member.marks import RB_PERMANENT_ID_LABEL
from karmada.names import binding_name, fnv32a, safe_encode
from karmada.templates import to_manifest
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb

__all__ = [
    "DEPENDED_BY_LABEL_PREFIX",
    "DEPENDENCIES_ANNOTATION",
    "NAME",
    "DependenciesDistributor",
    "attach",
    "binding_reference_key",
    "depended_by_label",
    "dependencies_annotation",
    "detach",
    "new",
    "parse_dependencies",
]

NAME = "dependenciesDistributor"

log = logging.getLogger(__name__)

ResourceBinding = rb_pb.ResourceBinding
ResourceTemplate = resource_template_pb2.ResourceTemplate

DEPENDED_BY_LABEL_PREFIX: Final = "resourcebinding.karmada.io/depended-by-"
DEPENDENCIES_ANNOTATION: Final = "resourcebinding.karmada.io/dependencies"
CONFLICT_RETRY_SECONDS: Final = 0.1
SYNC_WAIT_SECONDS: Final = 5.0
REQUIRED_BY_INDEX: Final = "dependenciesDistributor.requiredBy"
"""Binding index: ``<ns>/<name>`` of every binding in its spec.requiredBy."""
DEPENDENCY_INDEX: Final = "dependenciesDistributor.dependencies"
"""Binding index: ``<apiVersion>|<kind>|<ns>|<name>`` of every recorded dependency."""


def binding_reference_key(namespace: str, name: str) -> str:
    """names.GenerateBindingReferenceKey: the hash of ``<ns>/<name>``, as go-spew prints it."""
    text = f"{namespace}/{name}" if namespace else name
    printed = '(string)"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return safe_encode(str(fnv32a(printed.encode())))


def depended_by_label(namespace: str, name: str) -> str:
    """The label key an attached binding carries for the binding ``namespace/name``."""
    return DEPENDED_BY_LABEL_PREFIX + binding_reference_key(namespace, name)


def dependencies_annotation(dependencies: list[Dependency]) -> str:
    """Karmada's JSON of []DependentObjectReference."""
    return json.dumps(
        [
            {"apiVersion": api, "kind": kind, "namespace": ns, "name": name}
            for api, kind, ns, name in dependencies
        ],
        separators=(",", ":"),
    )


def parse_dependencies(text: str) -> list[Dependency]:
    """The dependencies an annotation records; entries it cannot read are skipped."""
    try:
        items = json.loads(text)
    except ValueError:
        return []
    out: list[Dependency] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and all(isinstance(item.get(k), str) for k in ("kind", "name")):
            fields = [str(item.get(k) or "") for k in ("apiVersion", "kind", "namespace", "name")]
            out.append((fields[0], fields[1], fields[2], fields[3]))
    return out


def _identity(api_version: str, kind: str, namespace: str, name: str) -> str:
    return f"{api_version}|{kind}|{namespace}|{name}"


def _required_by(binding: ResourceBinding) -> list[str]:
    return [f"{s.namespace}/{s.name}" for s in binding.spec.required_by]


def _recorded(binding: ResourceBinding) -> list[str]:
    text = binding.metadata.annotations.get(DEPENDENCIES_ANNOTATION, "")
    return [_identity(*dependency) for dependency in parse_dependencies(text)] if text else []


def attach(
    attached: ResourceBinding,
    *,
    independent: ResourceBinding,
    template: ResourceTemplate,
    new_id: str,
) -> None:
    """Makes `attached` (new, or a copy of the stored one) carry `independent`'s requirement.

    Karmada's buildAttachedBinding + createOrUpdateAttachedBinding: owner and
    resource from the dependency's template, the requirer's snapshot merged
    into requiredBy, its depended-by label, preserveResourcesOnDeletion, and
    conflictResolution unless a policy placed the attached binding itself.
    """
    meta, spec, source = attached.metadata, attached.spec, independent.metadata
    if not meta.labels.get(RB_PERMANENT_ID_LABEL):
        meta.labels[RB_PERMANENT_ID_LABEL] = new_id
    meta.labels[depended_by_label(source.namespace, source.name)] = source.labels.get(
        RB_PERMANENT_ID_LABEL, ""
    )
    del meta.owner_references[:]
    meta.owner_references.append(owner_reference(template))
    spec.resource.CopyFrom(
        rb_pb.ObjectReference(
            api_version=template.api_version,
            kind=template.kind,
            namespace=template.metadata.namespace,
            name=template.metadata.name,
            uid=template.metadata.uid,
            resource_version=template.metadata.resource_version,
        )
    )
    snapshot = next(
        (s for s in spec.required_by if (s.namespace, s.name) == (source.namespace, source.name)),
        None,
    )
    if snapshot is None:
        snapshot = spec.required_by.add(namespace=source.namespace, name=source.name)
    del snapshot.clusters[:]
    snapshot.clusters.extend(independent.spec.clusters)
    if independent.spec.HasField("preserve_resources_on_deletion"):
        spec.preserve_resources_on_deletion = independent.spec.preserve_resources_on_deletion
    else:
        spec.ClearField("preserve_resources_on_deletion")
    if not spec.HasField("placement"):
        spec.conflict_resolution = independent.spec.conflict_resolution


def detach(attached: ResourceBinding, namespace: str, name: str) -> bool:
    """Removes the requirement of binding ``namespace/name``; True if nothing needs it any more.

    A binding with a placement of its own is needed by its policy regardless.
    """
    attached.metadata.labels.pop(depended_by_label(namespace, name), None)
    kept = [s for s in attached.spec.required_by if (s.namespace, s.name) != (namespace, name)]
    del attached.spec.required_by[:]
    attached.spec.required_by.extend(kept)
    if not kept:
        attached.spec.ClearField("preserve_resources_on_deletion")
    return not kept and not attached.spec.HasField("placement")


class DependenciesDistributor(Controller):
    """Queue keys are independent bindings, ``<namespace>/<name>``."""

    name = NAME

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.factory = ctx.informers
        self.bindings = ctx.informers.get(RESOURCE_BINDING)
        super().__init__(informers=[self.bindings])
        self.bindings.store.add_index(REQUIRED_BY_INDEX, _required_by)
        self.bindings.store.add_index(DEPENDENCY_INDEX, _recorded)
        self.bindings.add_handler(self._binding_added, self._binding_updated, self._binding_added)
        self.templates: dict[tuple[str, str], Informer[ResourceTemplate]] = {}

    def _watch(self, api_version: str, kind: str) -> Informer[ResourceTemplate] | None:
        if not (api_version and kind) or typed_kind(api_version, kind) is not None:
            return None
        informer = self.templates.get((api_version, kind))
        if informer is None:
            informer = self.factory.get(template_kind(api_version, kind))
            informer.add_handler(self._template_event, self._template_updated, self._template_event)
            self.templates[(api_version, kind)] = informer
        return informer

    # -- event mapping ------------------------------------------------------

    def _binding_added(self, binding: ResourceBinding) -> None:
        if binding.spec.propagate_deps or DEPENDENCIES_ANNOTATION in binding.metadata.annotations:
            self.enqueue(binding)
        for requirer in _required_by(binding):
            self.enqueue_key(requirer)

    def _binding_updated(self, old: ResourceBinding, new: ResourceBinding) -> None:
        a, b = old.metadata, new.metadata
        changed = a.generation != b.generation or a.HasField("deletion_timestamp") != b.HasField(
            "deletion_timestamp"
        )
        if changed and (old.spec.propagate_deps or new.spec.propagate_deps):
            self.enqueue(new)
        if old.spec.required_by != new.spec.required_by or a.uid != b.uid:
            for requirer in {*_required_by(old), *_required_by(new)}:
                self.enqueue_key(requirer)

    def _template_event(self, template: ResourceTemplate) -> None:
        meta = template.metadata
        identity = _identity(template.api_version, template.kind, meta.namespace, meta.name)
        for binding in self.bindings.by_index(DEPENDENCY_INDEX, identity):
            self.enqueue(binding)
        own = self.bindings.get(f"{meta.namespace}/{binding_name(meta.name, template.kind)}")
        if own is not None and own.spec.propagate_deps:
            self.enqueue(own)

    def _template_updated(self, old: ResourceTemplate, new: ResourceTemplate) -> None:
        a, b = old.metadata, new.metadata
        if a.generation != b.generation or a.uid != b.uid or a.labels != b.labels:
            self._template_event(new)

    # -- reconcile ------------------------------------------------------------

    async def reconcile(self, key: str) -> Requeue | None:
        try:
            await self._reconcile(key)
        except (errors.Conflict, errors.AlreadyExists, errors.NotFound) as error:
            # Our cache is behind (often our own write): look again once it caught up.
            log.debug("Cache behind; retrying", extra={"key": key, "error": str(error)})
            return Requeue(CONFLICT_RETRY_SECONDS)
        return None

    async def _reconcile(self, key: str) -> None:
        namespace, name = split_key(key)
        binding = self.bindings.get(key)
        if (
            binding is None
            or binding.metadata.HasField("deletion_timestamp")
            or not binding.spec.propagate_deps
        ):
            await self._detach_all(namespace, name, keep=set())
            return
        dependencies = await self._dependencies(binding)
        if dependencies is None:
            return
        await self._record(binding, dependencies)
        keep: set[str] = set()
        for dependency in dependencies:
            if attached_key := await self._attach(binding, dependency):
                keep.add(attached_key)
        await self._detach_all(namespace, name, keep=keep)

    async def _template(
        self, api_version: str, kind: str, namespace: str, name: str
    ) -> ResourceTemplate | None:
        informer = self._watch(api_version, kind)
        if informer is None:
            return None
        if not await informer.wait_for_sync(timeout=SYNC_WAIT_SECONDS):
            # A kind the apiserver cannot list must not hold a worker forever.
            log.warning(
                "Template kind not listed yet", extra={"apiVersion": api_version, "kind": kind}
            )
            raise Requeue(SYNC_WAIT_SECONDS)
        return informer.get(f"{namespace}/{name}" if namespace else name)

    async def _dependencies(self, binding: ResourceBinding) -> list[Dependency] | None:
        """What the binding's template depends on ([] if it is gone; None if unreadable)."""
        resource = binding.spec.resource
        workload = await self._template(
            resource.api_version, resource.kind, resource.namespace, resource.name
        )
        if workload is None:
            return []
        try:
            return [d for d in dependencies_of(to_manifest(workload)) if d[2] == resource.namespace]
        except InterpretError as error:  # retrying cannot help before the template changes
            log.warning(
                "Cannot interpret template dependencies",
                extra={"binding": binding.metadata.name, "error": repr(error)},
            )
            return None

    async def _record(self, binding: ResourceBinding, dependencies: list[Dependency]) -> None:
        text = dependencies_annotation(dependencies)
        if binding.metadata.annotations.get(DEPENDENCIES_ANNOTATION) == text:
            return
        updated = copy.deepcopy(binding)
        updated.metadata.annotations[DEPENDENCIES_ANNOTATION] = text
        await self.client.update(updated)

    async def _attach(self, binding: ResourceBinding, dependency: Dependency) -> str:
        """Writes the attached binding of one dependency; its store key, or "" if none is due."""
        api_version, kind, namespace, name = dependency
        template = await self._template(api_version, kind, namespace, name)
        key = f"{namespace}/{binding_name(name, kind)}"
        existing = self.bindings.get(key)
        if template is None or template.metadata.HasField("deletion_timestamp"):
            return ""  # an attached binding left over is detached below
        if existing is None and not binding.spec.clusters:
            return ""  # as Karmada: nothing is attached before the requirer is scheduled
        if existing is not None:
            if existing.metadata.HasField("deletion_timestamp"):
                return key  # its deletion event brings us back to write it again
            owner = controller_of(existing.metadata)
            resource = existing.spec.resource
            if (resource.api_version, resource.kind) != (api_version, kind):
                log.error("Attached binding name is taken", extra={"binding": key})
                return ""
            if owner is not None and owner.uid != template.metadata.uid:
                await self._delete(existing)  # left by an earlier template of that name
                return key
        desired = (
            RESOURCE_BINDING.new(name=binding_name(name, kind), namespace=namespace)
            if existing is None
            else copy.deepcopy(existing)
        )
        attach(desired, independent=binding, template=template, new_id=str(uuid.uuid4()))
        if existing is None:
            await self.client.create(desired)
            log.info(
                "Created attached binding",
                extra={"binding": key, "requiredBy": binding.metadata.name},
            )
        elif not same_apart_from_resource_version(desired, existing):
            await self.client.update(desired)
        return key

    async def _detach_all(self, namespace: str, name: str, *, keep: set[str]) -> None:
        """Drops the requirement of ``namespace/name`` from every attached binding but `keep`."""
        for attached in self.bindings.by_index(REQUIRED_BY_INDEX, f"{namespace}/{name}"):
            meta = attached.metadata
            if f"{meta.namespace}/{meta.name}" in keep or meta.HasField("deletion_timestamp"):
                continue
            updated = copy.deepcopy(attached)
            if detach(updated, namespace, name):
                await self._delete(attached)
            else:
                await self.client.update(updated)

    async def _delete(self, binding: ResourceBinding) -> None:
        meta = binding.metadata
        try:
            await self.client.delete(RESOURCE_BINDING, meta.name, meta.namespace, uid=meta.uid)
        except errors.NotFound:
            return
        log.info("Deleted attached binding", extra={"binding": f"{meta.namespace}/{meta.name}"})


def new(ctx: ControllerContext) -> DependenciesDistributor:
    return DependenciesDistributor(ctx)
