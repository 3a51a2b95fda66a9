"""The namespace controller: control-plane namespaces reach every member cluster.

Karmada's pkg/controllers/namespace/namespace_sync_controller.go. A Namespace
created in the control plane gets, in every cluster's execution namespace
``karmada-es-<cluster>``, a Work named ``work_name("Namespace", name)``
carrying the namespace (name, labels, annotations), owned by the Namespace;
the execution controller then creates it in the member, so workloads
propagated into that namespace find it there. A Cluster that joins gets the
Works of every namespace.

Not propagated: reserved namespaces (``kube-*``, ``karmada-system``,
``karmada-cluster``, execution namespaces ``karmada-es-*``) and ``default``,
as names.IsReservedNamespace plus the controller's own check; namespaces
labelled ``namespace.karmada.io/skip-auto-propagation=true`` (any case);
namespaces being deleted; and clusters being deleted (their Works are being
removed by the cluster controller).

Where Karmada differs or is weaker:

* Karmada relies on kube's garbage collector (the owner reference) to
  delete the Works when the Namespace goes; our apiserver has no garbage
  collector, so the Works are deleted here, as soon as the Namespace is
  marked for deletion or gone.
* Karmada never looks at the Works again; here a Work deleted or edited by
  hand is rewritten (Works are watched and mapped to their Namespace).
* As in Karmada, labelling an already propagated namespace with the skip
  label stops updates but leaves the member namespaces alone: deleting them
  would delete every workload inside.
* ClusterOverridePolicies selecting Namespaces are not applied, and there is
  no ``--skipped-propagating-namespaces`` flag yet.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Final

from controller_manager.context import ControllerContext
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import namespace_pb2
from karmada.machinery import errors
from karmada.machinery.controller import Controller, Requeue
from karmada.machinery.scheme import CLUSTER, NAMESPACE, WORK
from karmada.machinery.structs import from_dict
from karmada.names import (
    EXECUTION_SPACE_PREFIX,
    SKIP_AUTO_PROPAGATION_LABEL,
    execution_space,
    work_name,
)
from karmada.registration import CLUSTER_NAMESPACE
from karmada.work.v1alpha1 import work_pb2

__all__ = ["NAME", "NamespaceSyncController", "namespace_manifest", "new", "should_sync"]

NAME = "namespace"

log = logging.getLogger(__name__)

_OWNER_INDEX: Final = "namespace-sync/owner"
_RESERVED: Final = frozenset({"karmada-system", CLUSTER_NAMESPACE, "default"})
_RESERVED_PREFIXES: Final = (EXECUTION_SPACE_PREFIX, "kube-")


def should_sync(namespace: str) -> bool:
    """Whether a namespace of this name is propagated at all (reserved ones are not)."""
    return namespace not in _RESERVED and not namespace.startswith(_RESERVED_PREFIXES)


def skips_propagation(namespace: namespace_pb2.Namespace) -> bool:
    """Whether the namespace opted out with ``namespace.karmada.io/skip-auto-propagation=true``."""
    return namespace.metadata.labels.get(SKIP_AUTO_PROPAGATION_LABEL, "").lower() == "true"


def namespace_manifest(namespace: namespace_pb2.Namespace) -> dict[str, Any]:
    """The Namespace a member should hold: name, labels and annotations."""
    metadata: dict[str, Any] = {"name": namespace.metadata.name}
    if namespace.metadata.labels:
        metadata["labels"] = dict(namespace.metadata.labels)
    if namespace.metadata.annotations:
        metadata["annotations"] = dict(namespace.metadata.annotations)
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}


def _owner(work: work_pb2.Work) -> list[str]:
    return [
        ref.name
        for ref in work.metadata.owner_references
        if ref.api_version == "v1" and ref.kind == "Namespace"
    ]


class NamespaceSyncController(Controller):
    name = NAME

    def __init__(self, ctx: ControllerContext) -> None:
        self.client = ctx.client
        self.namespaces = ctx.informers.get(NAMESPACE)
        self.clusters = ctx.informers.get(CLUSTER)
        self.works = ctx.informers.get(WORK)
        super().__init__(informers=[self.namespaces, self.clusters, self.works])
        self.works.store.add_index(_OWNER_INDEX, _owner)
        self.namespaces.add_handler(self._namespace_added, self.enqueue_update, self.enqueue)
        self.clusters.add_handler(on_add=self._cluster_added)
        self.works.add_handler(self._work_changed, self._work_updated, self._work_changed)

    # -- event mapping ----------------------------------------------------

    def _enqueue_all(self) -> None:
        for namespace in self.namespaces.list():
            if should_sync(namespace.metadata.name):
                self.enqueue(namespace)

    def _cluster_added(self, _cluster: cluster_pb2.Cluster) -> None:
        self._enqueue_all()

    def _namespace_added(self, namespace: namespace_pb2.Namespace) -> None:
        if namespace.metadata.name.startswith(EXECUTION_SPACE_PREFIX):
            # A cluster's execution namespace appears after the Cluster itself.
            self._enqueue_all()
        else:
            self.enqueue(namespace)

    def _work_changed(self, work: work_pb2.Work) -> None:
        for owner in _owner(work):
            self.enqueue_key(owner)

    def _work_updated(self, old: work_pb2.Work, new: work_pb2.Work) -> None:
        if (
            old.spec != new.spec
            or old.metadata.deletion_timestamp != new.metadata.deletion_timestamp
        ):
            self._work_changed(new)

    # -- reconcile --------------------------------------------------------

    async def reconcile(self, key: str) -> Requeue | None:
        if not should_sync(key):
            return None
        namespace = self.namespaces.get(key)
        if namespace is None or namespace.metadata.HasField("deletion_timestamp"):
            await self._remove_works(key)
            return None
        if skips_propagation(namespace):
            log.debug("Namespace skips auto propagation", extra={"namespace": key})
            return None
        manifest = namespace_manifest(namespace)
        for cluster in self.clusters.list():
            if cluster.metadata.HasField("deletion_timestamp"):
                continue
            if self.namespaces.get(execution_space(cluster.metadata.name)) is None:
                continue  # not created yet; its add event brings us back
            await self._ensure_work(namespace, cluster.metadata.name, manifest)
        return None

    async def _ensure_work(
        self, namespace: namespace_pb2.Namespace, cluster: str, manifest: dict[str, Any]
    ) -> None:
        space = execution_space(cluster)
        name = work_name("Namespace", namespace.metadata.name)
        current = self.works.get(f"{space}/{name}")
        if current is not None and current.metadata.HasField("deletion_timestamp"):
            # Let the old one finish; its removal requeues this namespace.
            return
        desired = work_pb2.Work() if current is None else _copy(current)
        if current is None:
            desired.api_version, desired.kind = WORK.api_version, WORK.kind
            desired.metadata.name, desired.metadata.namespace = name, space
        owner_uid = namespace.metadata.uid
        refs = [ref for ref in desired.metadata.owner_references if ref.kind != "Namespace"]
        del desired.metadata.owner_references[:]
        desired.metadata.owner_references.extend(refs)
        desired.metadata.owner_references.add(
            api_version="v1",
            kind="Namespace",
            name=namespace.metadata.name,
            uid=owner_uid,
            controller=True,
            block_owner_deletion=True,
        )
        del desired.spec.workload.manifests[:]
        desired.spec.workload.manifests.append(from_dict(manifest))
        if current is not None and current == desired:
            return
        if current is None:
            try:
                await self.client.create(desired)
            except errors.AlreadyExists:
                return  # the informer has not seen it yet; its add event requeues us
            log.info(
                "Created namespace Work",
                extra={"namespace": namespace.metadata.name, "cluster": cluster},
            )
        else:
            await self.client.update(desired)
            log.info(
                "Updated namespace Work",
                extra={"namespace": namespace.metadata.name, "cluster": cluster},
            )

    async def _remove_works(self, namespace: str) -> None:
        for work in self.works.by_index(_OWNER_INDEX, namespace):
            if work.metadata.HasField("deletion_timestamp"):
                continue
            with contextlib.suppress(errors.NotFound):
                await self.client.delete(
                    WORK, work.metadata.name, work.metadata.namespace, uid=work.metadata.uid
                )
            log.info(
                "Deleted Work of a deleted namespace",
                extra={
                    "namespace": namespace,
                    "work": f"{work.metadata.namespace}/{work.metadata.name}",
                },
            )


def _copy(work: work_pb2.Work) -> work_pb2.Work:
    copied = work_pb2.Work()
    copied.CopyFrom(work)
    return copied


def new(ctx: ControllerContext) -> NamespaceSyncController:
    return NamespaceSyncController(ctx)
