"""`MemberClient`: the one way the control plane or an agent talks to a member.

Apply follows Karmada's objectwatcher. It reads the live object first:

* absent: create the stamped manifest (`marks.stamp`);
* present but not managed by Karmada: refuse with `ConflictError` unless
  conflict resolution is Overwrite (adoption);
* present and ours: PUT the manifest merged over the member-owned fields
  (`apply.retain_for_update`) with the live resourceVersion, so a concurrent
  writer makes us re-read and redo (409), up to ``conflict_retries`` times.

Like objectwatcher's version record, the client remembers the
resourceVersion it last wrote and the digest of the manifest it wrote it
for; when the live object still has that version and the manifest has not
changed, apply returns without a write. A drift-driven reconcile therefore
converges instead of looping on its own MODIFIED events, while any change
made in the member (a new resourceVersion) is overwritten on the next apply.

Delete only touches objects marked ``karmada.io/managed=true`` (and, if a
Work is named, applied for that Work), with a uid precondition so that an
object recreated in between is not deleted by mistake.
"""

from __future__ import annotations

import enum
import logging
import os
import sys
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any

from kubernetes.aio.client import Configuration

from karmada.member import config as member_config
from karmada.member.apply import check_adoption, fingerprint, retain_for_update
from karmada.member.config import ClientOptions, Kubeconfig
from karmada.member.discovery import Discovery, ResourceInfo
from karmada.member.errors import AlreadyExists, Conflict, Invalid, NotFound
from karmada.member.health import (
    ApiEnablements,
    ClusterHealth,
    collect_api_enablements,
    probe_health,
    server_version,
)
from karmada.member.marks import (
    BindingRef,
    ConflictResolution,
    Object,
    WorkRef,
    belongs_to,
    is_managed,
    stamp,
)
from karmada.member.summary import NodeSummary, ResourceSummary, node_summary, resource_summary
from karmada.member.transport import Transport
from karmada.member.watch import (
    ObjectList,
    WatchEvent,
    list_and_watch,
    selector_query,
    watch_stream,
)

log = logging.getLogger(__name__)

_RecordKey = tuple[str, str, str, str]


def _record_key(api_version: str, kind: str, namespace: str, name: str) -> _RecordKey:
    """Interned: the client keeps a record per object it applied."""
    return (sys.intern(api_version), sys.intern(kind), sys.intern(namespace), sys.intern(name))


@dataclass(frozen=True)
class Seen:
    """A caller's last view of an object in the member: as watched, or None if absent."""

    object: Mapping[str, Any] | None


class DeleteResult(enum.Enum):
    """What `MemberClient.delete` did."""

    DELETED = "Deleted"
    NOT_FOUND = "NotFound"
    NOT_MANAGED = "NotManaged"


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata: Mapping[str, Any] = obj.get("metadata") or {}
    return metadata


class MemberClient:
    """A typed, bounded client for one member cluster.

    Build it with `from_kubeconfig`, `from_kubeconfig_file` or `in_cluster`
    (or from a `kubernetes.aio.client.Configuration`), use it from one event
    loop, and `close()` it (or use ``async with``).
    """

    def __init__(
        self,
        cluster: str,
        configuration: Configuration,
        *,
        options: ClientOptions | None = None,
    ) -> None:
        self.cluster = cluster
        self.options = options or ClientOptions()
        self._transport = Transport(cluster, configuration, self.options)
        self._discovery = Discovery(self._transport)
        self._applied: dict[_RecordKey, tuple[str, int]] = {}

    @classmethod
    async def from_kubeconfig(
        cls,
        cluster: str,
        kubeconfig: Kubeconfig,
        *,
        context: str | None = None,
        options: ClientOptions | None = None,
    ) -> MemberClient:
        """A client from kubeconfig content (e.g. a Secret's data)."""
        configuration = await member_config.from_kubeconfig(
            kubeconfig, context=context, cluster=cluster
        )
        return cls(cluster, configuration, options=options)

    @classmethod
    async def from_kubeconfig_file(
        cls,
        cluster: str,
        path: str | os.PathLike[str],
        *,
        context: str | None = None,
        options: ClientOptions | None = None,
    ) -> MemberClient:
        """A client from a kubeconfig file."""
        configuration = await member_config.from_kubeconfig_file(
            path, context=context, cluster=cluster
        )
        return cls(cluster, configuration, options=options)

    @classmethod
    def in_cluster(cls, cluster: str, *, options: ClientOptions | None = None) -> MemberClient:
        """A client for the cluster this process runs in (an agent's own member)."""
        return cls(cluster, member_config.in_cluster(cluster=cluster), options=options)

    @property
    def host(self) -> str:
        return self._transport.host

    @property
    def closed(self) -> bool:
        return self._transport.closed

    async def close(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> MemberClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # Reading

    async def resolve(self, api_version: str, kind: str) -> ResourceInfo:
        """How the member serves `kind`; raises `NoKindMatch` if it does not."""
        return await self._discovery.resolve(api_version, kind)

    async def get(self, api_version: str, kind: str, name: str, *, namespace: str = "") -> Object:
        """The live object; raises `NotFound`."""
        info = await self.resolve(api_version, kind)
        return await self._get(info, name, self._scope(info, namespace))

    async def get_status(
        self, api_version: str, kind: str, name: str, *, namespace: str = ""
    ) -> dict[str, Any]:
        """The live object's ``status`` ({} if it has none); raises `NotFound`."""
        status: dict[str, Any] = (await self.get(api_version, kind, name, namespace=namespace)).get(
            "status"
        ) or {}
        return status

    async def list(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str = "",
        label_selector: str = "",
        field_selector: str = "",
    ) -> ObjectList:
        """Every matching object (all pages) and the resourceVersion to watch from."""
        info = await self.resolve(api_version, kind)
        path = info.collection_path(namespace)
        items: list[Object] = []
        token = ""
        while True:
            query = [("limit", str(self.options.page_size))]
            if token:
                query.append(("continue", token))
            query += selector_query(label_selector=label_selector, field_selector=field_selector)
            page = await self._transport.call("GET", path, query=query, what=f"list {kind}")
            for item in page.get("items") or ():
                item.setdefault("apiVersion", info.api_version)
                item.setdefault("kind", kind)
                items.append(item)
            metadata = page.get("metadata") or {}
            token = str(metadata.get("continue") or "")
            if not token:
                return ObjectList(items, str(metadata.get("resourceVersion") or ""))

    async def watch(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str = "",
        label_selector: str = "",
        field_selector: str = "",
        resource_version: str = "",
    ) -> AsyncGenerator[WatchEvent, None]:
        """One watch request's events; raises `Expired` (410) when the version is too old."""
        info = await self.resolve(api_version, kind)
        async for event in watch_stream(
            self._transport,
            info,
            namespace=namespace,
            label_selector=label_selector,
            field_selector=field_selector,
            resource_version=resource_version,
        ):
            yield event

    def list_and_watch(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str = "",
        label_selector: str = "",
        field_selector: str = "",
    ) -> AsyncGenerator[WatchEvent, None]:
        """List, then watch forever, relisting on expiry (see `watch.list_and_watch`)."""
        return list_and_watch(
            self,
            api_version,
            kind,
            namespace=namespace,
            label_selector=label_selector,
            field_selector=field_selector,
        )

    # Writing

    async def apply(
        self,
        manifest: Mapping[str, Any],
        *,
        work_namespace: str,
        work_name: str,
        work_permanent_id: str = "",
        binding: BindingRef | None = None,
        conflict_resolution: ConflictResolution = "Abort",
        seen: Seen | None = None,
    ) -> Object:
        """Creates or updates `manifest` in the member; returns the object as stored.

        `seen` is what the caller last saw of the object (a watch's copy):
        the first attempt trusts it instead of reading, creating at once what
        it says is absent and updating from its resourceVersion; a stale copy
        only costs the rejected write, after which the object is read.

        Raises:
            ConflictError: the object exists and is not managed by Karmada, and
                conflict resolution is not Overwrite.
            Conflict: still conflicting after ``conflict_retries`` attempts, or
                the object is being deleted.
            Invalid, Forbidden, NoKindMatch, Unreachable, Timeout: from the member.
        """
        api_version = str(manifest.get("apiVersion", ""))
        kind = str(manifest.get("kind", ""))
        if not api_version or not kind or not _meta(manifest).get("name"):
            raise Invalid(self.cluster, "manifest needs apiVersion, kind and metadata.name")
        info = await self.resolve(api_version, kind)
        desired = stamp(
            manifest,
            work=WorkRef(work_namespace, work_name, work_permanent_id),
            binding=binding,
            conflict_resolution=conflict_resolution,
        )
        namespace = self._namespace_for(info, desired)
        name = str(desired["metadata"]["name"])
        record_key = _record_key(api_version, kind, namespace, name)
        digest = fingerprint(desired)
        for attempt in range(self.options.conflict_retries):
            observed: Object | None
            trusting = attempt == 0 and seen is not None
            if seen is not None and trusting:
                observed = dict(seen.object) if seen.object is not None else None
            else:
                try:
                    observed = await self._get(info, name, namespace)
                except NotFound:
                    observed = None
            if observed is None:
                try:
                    created = await self._write("POST", info, namespace, desired, what="create")
                except AlreadyExists:
                    continue
                self._record(record_key, created, digest)
                log.debug("Created member object", extra=self._log_fields(kind, namespace, name))
                return created
            if trusting and (_meta(observed).get("deletionTimestamp") or not is_managed(observed)):
                continue  # Refusals are made on a fresh read, never on a watch's copy.
            check_adoption(observed, conflict_resolution=conflict_resolution, cluster=self.cluster)
            if _meta(observed).get("deletionTimestamp"):
                raise Conflict(
                    self.cluster,
                    f"{kind} {namespace}/{name} is being deleted; apply again once it is gone",
                    status=409,
                    reason="Terminating",
                )
            rv = str(_meta(observed).get("resourceVersion") or "")
            if self._applied.get(record_key) == (rv, digest):
                return observed
            body = retain_for_update(desired, observed)
            try:
                updated = await self._write("PUT", info, namespace, body, name=name, what="update")
            except (Conflict, NotFound):
                continue
            self._record(record_key, updated, digest)
            log.debug("Updated member object", extra=self._log_fields(kind, namespace, name))
            return updated
        raise Conflict(
            self.cluster,
            f"{kind} {namespace}/{name}: still conflicting after "
            f"{self.options.conflict_retries} attempts",
            status=409,
            reason="Conflict",
        )

    async def delete(
        self,
        api_version: str,
        kind: str,
        name: str,
        *,
        namespace: str = "",
        work_namespace: str = "",
        work_name: str = "",
        propagation_policy: str = "Background",
    ) -> DeleteResult:
        """Deletes the object if Karmada manages it (and, if a Work is named, for that Work).

        Background propagation by default, as Karmada sets, so a Job's pods go
        with it (karmada-io/karmada#969).
        """
        try:
            info = await self.resolve(api_version, kind)
        except NotFound:
            return DeleteResult.NOT_FOUND
        namespace = self._scope(info, namespace)
        work = WorkRef(work_namespace, work_name) if work_name else None
        for _ in range(self.options.conflict_retries):
            try:
                observed = await self._get(info, name, namespace)
            except NotFound:
                self._applied.pop((api_version, kind, namespace, name), None)
                return DeleteResult.NOT_FOUND
            if not is_managed(observed) or (work is not None and not belongs_to(observed, work)):
                log.info(
                    "Not deleting member object Karmada does not manage",
                    extra=self._log_fields(kind, namespace, name),
                )
                return DeleteResult.NOT_MANAGED
            options = {
                "apiVersion": "v1",
                "kind": "DeleteOptions",
                "propagationPolicy": propagation_policy,
                "preconditions": {"uid": _meta(observed).get("uid")},
            }
            try:
                await self._transport.call(
                    "DELETE", info.object_path(name, namespace), body=options, what="delete"
                )
            except NotFound:
                pass
            except Conflict:
                continue  # replaced in between: look again
            self._applied.pop((api_version, kind, namespace, name), None)
            log.debug("Deleted member object", extra=self._log_fields(kind, namespace, name))
            return DeleteResult.DELETED
        raise Conflict(self.cluster, f"{kind} {namespace}/{name}: replaced while deleting")

    # Cluster status

    async def health(self) -> ClusterHealth:
        """Probes /readyz (or /healthz); never raises for an unreachable member."""
        return await probe_health(self._transport)

    async def version(self) -> str:
        """The member's Kubernetes gitVersion."""
        return await server_version(self._transport)

    async def api_enablements(self) -> ApiEnablements:
        """Group/versions and resources the member serves."""
        return await collect_api_enablements(self._discovery)

    async def node_summary(self) -> NodeSummary:
        """Total and Ready nodes."""
        return node_summary((await self.list("v1", "Node")).items)

    async def resource_summary(self) -> ResourceSummary:
        """Allocatable, allocated and allocating resources."""
        nodes = (await self.list("v1", "Node")).items
        pods = (await self.list("v1", "Pod")).items
        return resource_summary(nodes, pods)

    async def summaries(self) -> tuple[NodeSummary, ResourceSummary]:
        """Node and resource summaries from one listing of nodes and pods."""
        nodes = (await self.list("v1", "Node")).items
        pods = (await self.list("v1", "Pod")).items
        return node_summary(nodes), resource_summary(nodes, pods)

    # Internals

    def _scope(self, info: ResourceInfo, namespace: str) -> str:
        """The namespace to address `info` in: required if namespaced, else none."""
        if not info.namespaced:
            return ""
        if not namespace:
            raise Invalid(self.cluster, f"{info.kind} is namespaced: give a namespace")
        return namespace

    def _namespace_for(self, info: ResourceInfo, desired: Object) -> str:
        metadata = desired["metadata"]
        if not info.namespaced:
            metadata.pop("namespace", None)
            return ""
        namespace = str(metadata.get("namespace") or "")
        if not namespace:
            raise Invalid(
                self.cluster, f"{info.kind} is namespaced: the manifest needs metadata.namespace"
            )
        return namespace

    async def _get(self, info: ResourceInfo, name: str, namespace: str) -> Object:
        obj: Object = await self._transport.call(
            "GET", info.object_path(name, namespace), what=f"get {info.kind}"
        )
        obj.setdefault("apiVersion", info.api_version)
        obj.setdefault("kind", info.kind)
        return obj

    async def _write(
        self,
        method: str,
        info: ResourceInfo,
        namespace: str,
        body: Object,
        *,
        name: str = "",
        what: str,
    ) -> Object:
        path = info.object_path(name, namespace) if name else info.collection_path(namespace)
        result: Object = await self._transport.call(
            method, path, body=body, what=f"{what} {info.kind}"
        )
        return result

    def _record(self, key: _RecordKey, written: Mapping[str, Any], digest: int) -> None:
        self._applied[key] = (str(_meta(written).get("resourceVersion") or ""), digest)

    def _log_fields(self, kind: str, namespace: str, name: str) -> dict[str, str]:
        return {"cluster": self.cluster, "kind": kind, "namespace": namespace, "name": name}
