"""Kubernetes object semantics over one cluster's store.

This is the simulator's kube-apiserver registry: the rules every client
relies on, applied the same way to every kind.

* create: 409 AlreadyExists, generateName, server-set uid, creationTimestamp,
  resourceVersion and generation, status reset, namespace must exist and
  not be terminating;
* update and patch: optimistic concurrency on resourceVersion (409
  Conflict), status preserved by the main resource and the only thing the
  ``/status`` subresource changes, generation bumped when the spec changes,
  a write that changes nothing does not bump resourceVersion;
* delete: finalizers hold an object with a deletionTimestamp until the
  last one is removed; preconditions; namespaces cascade to their content;
  CRDs take their custom objects with them and leave discovery;
* list: label and field selectors, limit and continue.

Kind-specific rules are in `membersim.strategy`; patch formats in the
patch modules. Garbage collection through ownerReferences is the controller
layer's (`membersim.controllers.gc`). Deletion propagation is decided here,
as kube-apiserver does: Background (the default, Orphan for batch/v1 Jobs as
in Kubernetes) deletes at once; Orphan and Foreground put the ``orphan`` or
``foregroundDeletion`` finalizer on an owner that has dependents (objects
whose ownerReferences name its uid), set its deletionTimestamp and record it
in `Registry.gc_pending` for the garbage collector to finish. An object
without dependents is deleted at once whatever the policy: the collector
would remove the finalizer straight away.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import json
import random
import uuid
from dataclasses import dataclass
from typing import Any, Final, Literal

from karmada.machinery.labels import EVERYTHING, Selector
from membersim import crds, errors, ipam, jsonpatch, mergepatch, patchschema, strategicpatch
from membersim import fieldselector as fields
from membersim import typeset as typesets
from membersim.resources import (
    CUSTOMRESOURCEDEFINITIONS,
    JOBS,
    NAMESPACES,
    SERVICES,
    ResourceKey,
    ResourceType,
)
from membersim.store import Store, StoredObject, encode
from membersim.strategy import now, prepare_for_create, prepare_for_update, validate_name

PatchType = Literal["json", "merge", "strategic"]
Propagation = Literal["Orphan", "Background", "Foreground"]

ORPHAN_FINALIZER: Final = "orphan"
FOREGROUND_FINALIZER: Final = "foregroundDeletion"
PROPAGATIONS: Final[tuple[Propagation, ...]] = ("Orphan", "Background", "Foreground")

PROTECTED_NAMESPACES: Final = frozenset({"default", "kube-system", "kube-public"})
_GENERATE_ALPHABET: Final = "bcdfghjklmnpqrstvwxz2456789"


@dataclass(frozen=True, slots=True)
class ListOptions:
    """What a list (or the initial state of a watch) selects."""

    labels: Selector = EVERYTHING
    fields: fields.FieldSelector = fields.EVERYTHING
    limit: int = 0
    continue_token: str = ""


@dataclass(frozen=True, slots=True)
class ListResult:
    items: list[StoredObject]
    resource_version: int
    continue_token: str = ""
    remaining: int | None = None


@dataclass(frozen=True, slots=True)
class DeleteOptions:
    """The parts of ``metav1.DeleteOptions`` the simulator acts on."""

    precondition_uid: str | None = None
    precondition_resource_version: str | None = None
    dry_run: bool = False
    propagation: Propagation | None = None
    """None: the kind's default (Background; Orphan for batch/v1 Jobs)."""


def matches(stored: StoredObject, opts: ListOptions) -> bool:
    """Whether an object passes the label and field selectors of `opts`."""
    if not opts.labels.matches(stored.labels):
        return False
    if opts.fields.empty:
        return True
    obj = stored.decode() if opts.fields.needs_object else None
    return opts.fields.matches(name=stored.name, namespace=stored.namespace, obj=obj)


class Registry:
    """The REST semantics of one cluster.

    Write methods take ownership of the body they are given and may modify
    it (HTTP bodies are freshly decoded; in-process callers pass a copy, such
    as a fresh `StoredObject.decode()`).

    Attributes:
        store: the cluster's objects.
        types: the types the cluster serves; replaced when CRDs change.
    """

    def __init__(self, store: Store, types: typesets.TypeSet) -> None:
        self.store = store
        self.types = types
        self._cascading: str | None = None
        # Owners waiting for the garbage collector (orphan or
        # foregroundDeletion finalizer), by (resource, namespace, name).
        self.gc_pending: dict[tuple[ResourceKey, str, str], ResourceType] = {}

    # Type resolution and presentation.

    def resolve(self, group: str, version: str, plural: str) -> ResourceType:
        rtype = self.types.lookup(group, version, plural)
        if rtype is None:
            raise errors.path_not_found(f"{group}/{version}/{plural}".lstrip("/"))
        return rtype

    def present(self, rtype: ResourceType, stored: StoredObject) -> bytes:
        """The object as served at `rtype`'s version (custom resources stored at another)."""
        if not rtype.storage_version or rtype.version == rtype.storage_version:
            return stored.raw
        obj = stored.decode()
        obj["apiVersion"] = rtype.api_version
        return encode(obj)

    # Reads.

    def get(self, rtype: ResourceType, namespace: str, name: str) -> StoredObject:
        stored = self.store.get(rtype.key, namespace, name)
        if stored is None:
            raise errors.not_found(rtype.group, rtype.plural, name)
        return stored

    def list(self, rtype: ResourceType, namespace: str | None, opts: ListOptions) -> ListResult:
        """Matching objects in key order, one page of them when `opts.limit` is set."""
        snapshot = self.store.resource_version
        start = ""
        if opts.continue_token:
            snapshot, start = _decode_continue(opts.continue_token)
        name = opts.fields.exact_name()
        if name is not None and (namespace is not None or not rtype.namespaced):
            one = self.store.get(rtype.key, namespace or "", name)
            candidates = [one] if one is not None else []
        else:
            candidates = self.store.list_objects(rtype.key, namespace)
        if start:
            candidates = [s for s in candidates if f"{s.namespace}/{s.name}" > start]
        items = [s for s in candidates if matches(s, opts)]
        if opts.limit <= 0 or len(items) <= opts.limit:
            return ListResult(items, snapshot)
        page, rest = items[: opts.limit], items[opts.limit :]
        last = page[-1]
        token = _encode_continue(snapshot, f"{last.namespace}/{last.name}")
        return ListResult(page, snapshot, token, len(rest))

    # Writes.

    def create(
        self, rtype: ResourceType, namespace: str | None, body: Any, *, dry_run: bool = False
    ) -> StoredObject:
        obj = self._check_body(rtype, body)
        meta = obj["metadata"]
        namespace = self._check_namespace(rtype, namespace, meta)
        if rtype.namespaced:
            self._require_namespace(namespace)
        if not meta.get("name"):
            generate = meta.get("generateName")
            if not generate:
                raise errors.invalid(
                    group=rtype.group,
                    kind=rtype.kind,
                    name="",
                    causes=[("metadata.name", "Required value: name or generateName is required")],
                )
            meta["name"] = self._generate_name(rtype, namespace, generate)
        validate_name(rtype, meta["name"])
        if self.store.get(rtype.key, namespace, meta["name"]) is not None:
            raise errors.already_exists(rtype.group, rtype.plural, meta["name"])
        timestamp = now()
        for key in (
            "resourceVersion",
            "selfLink",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "managedFields",
        ):
            meta.pop(key, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = timestamp
        if rtype.generation:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        prepare_for_create(rtype, obj, timestamp=timestamp)
        if rtype is SERVICES:
            ipam.assign_cluster_ip(self.store, obj)
        if dry_run:
            return StoredObject.from_dict(obj, 0)
        stored = self.store.put(rtype.key, obj)
        if rtype is CUSTOMRESOURCEDEFINITIONS:
            self._refresh_types()
        return stored

    def update(
        self,
        rtype: ResourceType,
        namespace: str | None,
        name: str,
        body: Any,
        *,
        status_only: bool = False,
        dry_run: bool = False,
    ) -> StoredObject:
        """Replace an object (PUT); with `status_only`, only its status.

        Raises:
            ApiError: 404 if missing, 409 on a stale resourceVersion, 400 if
                the body names another object.
        """
        new = self._check_body(rtype, body)
        meta = new["metadata"]
        namespace = self._check_namespace(rtype, namespace, meta)
        meta.setdefault("name", name)
        if meta["name"] != name:
            raise errors.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({name})"
            )
        old_stored = self.get(rtype, namespace, name)
        wanted = meta.get("resourceVersion")
        if wanted and wanted != str(old_stored.resource_version):
            raise errors.stale(rtype.group, rtype.plural, name)
        old = old_stored.decode()
        result = prepare_for_update(
            rtype, new, old_stored.decode(), status_only=status_only, timestamp=now()
        )
        result["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        if result == old:
            return old_stored
        if dry_run:
            return StoredObject.from_dict(result, old_stored.resource_version)
        if (
            result["metadata"].get("deletionTimestamp")
            and not result["metadata"].get("finalizers")
            and rtype is not NAMESPACES  # a namespace goes once empty (_finish_namespace)
        ):
            return self._remove(rtype, result)
        stored = self.store.put(rtype.key, result)
        if rtype is CUSTOMRESOURCEDEFINITIONS:
            self._refresh_types()
        elif rtype is NAMESPACES and result["metadata"].get("deletionTimestamp"):
            return self._finish_namespace(name) or stored
        return stored

    def patch(
        self,
        rtype: ResourceType,
        namespace: str | None,
        name: str,
        patch_type: PatchType,
        patch: Any,
        *,
        status_only: bool = False,
        dry_run: bool = False,
    ) -> StoredObject:
        """Apply a patch to an object (or its status) and store the result as an update."""
        if patch_type == "strategic" and not rtype.strategic_merge:
            raise errors.unsupported_media_type(
                "application/strategic-merge-patch+json",
                "strategic merge patch is not supported for custom resources; "
                "accepted media types include: application/json-patch+json, application/merge-patch+json",
            )
        current = self.get(rtype, namespace or "", name).decode()
        current["apiVersion"] = rtype.api_version
        try:
            if patch_type == "json":
                patched = jsonpatch.apply(current, patch)
            elif patch_type == "merge":
                patched = mergepatch.apply(current, patch)
            else:
                patched = strategicpatch.apply(current, patch, patchschema.for_kind(rtype.kind))
        except (jsonpatch.JsonPatchError, strategicpatch.StrategicPatchError) as err:
            raise errors.unprocessable(
                f"the server rejected our request due to an error in our request: {err}"
            ) from None
        if not isinstance(patched, dict):
            raise errors.unprocessable("the patch did not produce an object")
        return self.update(
            rtype, namespace, name, patched, status_only=status_only, dry_run=dry_run
        )

    def delete(
        self, rtype: ResourceType, namespace: str | None, name: str, opts: DeleteOptions
    ) -> tuple[StoredObject, bool]:
        """Delete an object, or mark it deleting while finalizers remain.

        Returns:
            The object's last state and whether it is gone (False: it waits
            for finalizers, or for a namespace's content).
        """
        stored = self.get(rtype, namespace or "", name)
        obj = stored.decode()
        meta = obj["metadata"]
        if opts.precondition_uid is not None and opts.precondition_uid != meta.get("uid"):
            raise errors.conflict(
                rtype.group,
                rtype.plural,
                name,
                f"Precondition failed: UID in precondition: {opts.precondition_uid}, UID in object meta: {meta.get('uid')}",
            )
        wanted = opts.precondition_resource_version
        if wanted is not None and wanted != meta.get("resourceVersion"):
            raise errors.conflict(
                rtype.group,
                rtype.plural,
                name,
                f"Precondition failed: ResourceVersion in precondition: {wanted}, ResourceVersion in object meta: {meta.get('resourceVersion')}",
            )
        if rtype is NAMESPACES and name in PROTECTED_NAMESPACES:
            raise errors.forbidden(
                f'namespaces "{name}" is forbidden: this namespace may not be deleted'
            )
        if opts.dry_run:
            return stored, not meta.get("finalizers")
        if rtype is NAMESPACES:
            return self._delete_namespace(obj)
        if rtype is CUSTOMRESOURCEDEFINITIONS:
            self._delete_custom_objects(obj)
        else:
            self._propagation_finalizer(rtype, obj, opts.propagation)
        if meta.get("finalizers"):
            if meta.get("deletionTimestamp"):
                return self.get(rtype, namespace or "", name), False
            meta["deletionTimestamp"] = now()
            meta["deletionGracePeriodSeconds"] = 0
            return self.store.put(rtype.key, obj), False
        return self._remove(rtype, obj), True

    def dependents(self, uid: str) -> builtins.list[tuple[ResourceType, dict[str, Any]]]:
        """Every object with an ownerReference to `uid`, with a type it is served at."""
        needle = uid.encode()
        found = []
        for key in list(self.store.resources()):
            versions = self.types.versions_of(key)
            if not versions:
                continue
            for stored in self.store.list_objects(key):
                if needle not in stored.raw:
                    continue
                obj = stored.decode()
                refs = obj["metadata"].get("ownerReferences") or ()
                if any(r.get("uid") == uid for r in refs):
                    found.append((versions[0], obj))
        return found

    # Internals.

    def _propagation_finalizer(
        self, rtype: ResourceType, obj: dict[str, Any], propagation: Propagation | None
    ) -> None:
        """Add the orphan or foregroundDeletion finalizer the policy asks for, if it has work."""
        if propagation is None:
            propagation = "Orphan" if rtype is JOBS else "Background"
        if propagation == "Background":
            return
        meta = obj["metadata"]
        uid = meta.get("uid")
        if not uid or not self.dependents(uid):
            return
        finalizers = list(meta.get("finalizers") or ())
        wanted = ORPHAN_FINALIZER if propagation == "Orphan" else FOREGROUND_FINALIZER
        other = FOREGROUND_FINALIZER if propagation == "Orphan" else ORPHAN_FINALIZER
        changed = wanted not in finalizers or other in finalizers
        finalizers = [f for f in finalizers if f != other]
        if wanted not in finalizers:
            finalizers.append(wanted)
        meta["finalizers"] = finalizers
        self.gc_pending[(rtype.key, meta.get("namespace", ""), meta["name"])] = rtype
        if changed and meta.get("deletionTimestamp"):
            # Already deleting: the new finalizer is stored here (updates may not add one).
            self.store.put(rtype.key, obj)

    def _check_body(self, rtype: ResourceType, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise errors.bad_request("the request body must be a JSON object")
        api_version = body.get("apiVersion") or rtype.api_version
        if api_version != rtype.api_version:
            raise errors.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version ({rtype.api_version})"
            )
        # Custom resources are stored at the CRD's storage version, whatever version wrote them.
        body["apiVersion"] = (
            f"{rtype.group}/{rtype.storage_version}" if rtype.storage_version else api_version
        )
        kind = body.setdefault("kind", rtype.kind)
        if kind != rtype.kind:
            raise errors.bad_request(
                f"the kind in the data ({kind}) does not match the expected kind ({rtype.kind})"
            )
        meta = body.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        return body

    def _check_namespace(
        self, rtype: ResourceType, namespace: str | None, meta: dict[str, Any]
    ) -> str:
        if not rtype.namespaced:
            meta.pop("namespace", None)
            return ""
        if namespace is None:
            raise errors.method_not_allowed("write", f"{rtype.plural} across namespaces")
        if meta.get("namespace", namespace) != namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        meta["namespace"] = namespace
        return namespace

    def _require_namespace(self, namespace: str) -> None:
        """New content needs an existing namespace that is not terminating."""
        stored = self.store.get(NAMESPACES.key, "", namespace)
        if stored is None:
            raise errors.not_found("", "namespaces", namespace)
        if _terminating(stored):
            raise errors.forbidden(
                f"unable to create new content in namespace {namespace} because it is being terminated"
            )

    def _generate_name(self, rtype: ResourceType, namespace: str, prefix: str) -> str:
        for _ in range(8):
            name = prefix + "".join(random.choices(_GENERATE_ALPHABET, k=5))
            if self.store.get(rtype.key, namespace, name) is None:
                return name
        raise errors.already_exists(rtype.group, rtype.plural, prefix)

    def _remove(self, rtype: ResourceType, obj: dict[str, Any]) -> StoredObject:
        stored = self.store.remove(rtype.key, obj)
        if rtype is CUSTOMRESOURCEDEFINITIONS:
            self._refresh_types()
        namespace = obj["metadata"].get("namespace")
        if namespace and namespace != self._cascading:
            self._finish_namespace(namespace)
        return stored

    def _delete_namespace(self, obj: dict[str, Any]) -> tuple[StoredObject, bool]:
        """Terminate a namespace: delete its content, then itself once empty.

        Content held by finalizers keeps the namespace Terminating; removing
        the last such object finishes it (`_remove`).
        """
        name = obj["metadata"]["name"]
        if not obj["metadata"].get("deletionTimestamp"):
            obj["metadata"]["deletionTimestamp"] = now()
            obj["metadata"]["deletionGracePeriodSeconds"] = 0
            obj.setdefault("status", {})["phase"] = "Terminating"
            self.store.put(NAMESPACES.key, obj)
        self._cascading = name
        try:
            for key in list(self.store.resources()):
                versions = self.types.versions_of(key)
                if not versions or not versions[0].namespaced:
                    continue
                for item in self.store.list_objects(key, name):
                    self.delete(versions[0], name, item.name, DeleteOptions())
        finally:
            self._cascading = None
        removed = self._finish_namespace(name)
        if removed is not None:
            return removed, True
        return self.get(NAMESPACES, "", name), False

    def _finish_namespace(self, name: str) -> StoredObject | None:
        """Remove a terminating namespace once it is empty; returns its last state if removed."""
        stored = self.store.get(NAMESPACES.key, "", name)
        if stored is None or not _terminating(stored):
            return None
        if any(
            self.store.count(key, name) for key in self.store.resources() if key != NAMESPACES.key
        ):
            return None
        obj = stored.decode()
        obj.get("spec", {}).pop("finalizers", None)
        if obj["metadata"].get("finalizers"):
            self.store.put(NAMESPACES.key, obj)
            return None
        return self.store.remove(NAMESPACES.key, obj)

    def _delete_custom_objects(self, crd: dict[str, Any]) -> None:
        """Remove every object of a CRD being deleted (their finalizers are not waited for)."""
        key = (crd["spec"]["group"], crd["spec"]["names"]["plural"])
        for item in self.store.list_objects(key):
            self.store.remove(key, item.decode())

    def _refresh_types(self) -> None:
        custom = []
        for stored in self.store.list_objects(CUSTOMRESOURCEDEFINITIONS.key):
            crd = stored.decode()
            if not crd["metadata"].get("deletionTimestamp"):
                custom.extend(crds.types_of(crd))
        previous = self.types
        self.types = typesets.intern(custom)
        gone = {t.key for t in previous.custom} - {t.key for t in self.types.custom}
        for key in gone:
            self.store.close_watchers(key)


def _terminating(namespace: StoredObject) -> bool:
    return bool(namespace.decode()["metadata"].get("deletionTimestamp"))


def _encode_continue(resource_version: int, start: str) -> str:
    raw = json.dumps({"rv": resource_version, "start": start}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_continue(token: str) -> tuple[int, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(data["rv"]), str(data["start"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise errors.bad_request(f"continue key is not valid: {token!r}") from None
