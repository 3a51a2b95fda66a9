"""The resource catalog: which kinds a simulated cluster serves, and how.

A `ResourceType` is everything the REST layer, discovery and the registry
need to know about one resource at one version: where it lives (group,
version, plural, scope), what discovery advertises (kind, verbs, short
names, categories) and which apiserver strategy applies (status
subresource, generation tracking, strategic merge support).

The built-in types are module constants shared by every cluster in the
process; custom types come from CRDs (`membersim.crds`). Both are frozen
and hashable so that a cluster's type set can be interned and shared
(`membersim.typeset`), which is what keeps a thousand idle clusters cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

ALL_VERBS: Final = (
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
)
STATUS_VERBS: Final = ("get", "patch", "update")

# (group, plural): the storage identity of a resource, shared by its versions.
ResourceKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One served resource at one version.

    Attributes:
        group: API group, "" for core.
        version: API version within the group.
        kind: the object kind (``Deployment``).
        plural: the URL segment (``deployments``).
        singular: the singular name (``deployment``).
        namespaced: whether objects live in namespaces.
        short_names: kubectl abbreviations (``deploy``).
        categories: kubectl categories (``all``).
        status: whether ``/status`` is a subresource (the main resource then
            ignores status changes, and the subresource changes nothing else).
        generation: whether ``metadata.generation`` is maintained.
        strategic_merge: whether strategic merge patch is accepted (built-in
            kinds; kube-apiserver refuses it for custom resources).
        return_deleted: whether DELETE answers with the object rather than a
            success ``Status`` (kube-apiserver's ``ReturnDeletedObject``).
        storage_version: for custom resources served at several versions,
            the version objects are stored at; "" means `version`.
    """

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    status: bool = False
    generation: bool = True
    strategic_merge: bool = True
    return_deleted: bool = False
    storage_version: str = ""

    @property
    def key(self) -> ResourceKey:
        return (self.group, self.plural)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> tuple[str, str]:
        return (self.group, self.version)

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def verbs(self) -> tuple[str, ...]:
        return ALL_VERBS


def _core(
    kind: str,
    plural: str,
    *,
    namespaced: bool = True,
    short: tuple[str, ...] = (),
    status: bool = False,
    generation: bool = False,
    all_category: bool = False,
    return_deleted: bool = False,
) -> ResourceType:
    return ResourceType(
        group="",
        version="v1",
        kind=kind,
        plural=plural,
        singular=kind.lower(),
        namespaced=namespaced,
        short_names=short,
        categories=("all",) if all_category else (),
        status=status,
        generation=generation,
        return_deleted=return_deleted,
    )


def _in_group(
    group: str,
    kind: str,
    plural: str,
    *,
    short: tuple[str, ...] = (),
    status: bool = True,
    all_category: bool = False,
) -> ResourceType:
    return ResourceType(
        group=group,
        version="v1",
        kind=kind,
        plural=plural,
        singular=kind.lower(),
        namespaced=True,
        short_names=short,
        categories=("all",) if all_category else (),
        status=status,
    )


NAMESPACES: Final = _core("Namespace", "namespaces", namespaced=False, short=("ns",), status=True)
NODES: Final = _core("Node", "nodes", namespaced=False, short=("no",), status=True)
PODS: Final = _core(
    "Pod", "pods", short=("po",), status=True, all_category=True, return_deleted=True
)
SERVICES: Final = _core(
    "Service", "services", short=("svc",), status=True, all_category=True, return_deleted=True
)
CONFIGMAPS: Final = _core("ConfigMap", "configmaps", short=("cm",))
SECRETS: Final = _core("Secret", "secrets")
SERVICEACCOUNTS: Final = _core("ServiceAccount", "serviceaccounts", short=("sa",))
EVENTS: Final = _core("Event", "events", short=("ev",))
PERSISTENTVOLUMECLAIMS: Final = _core(
    "PersistentVolumeClaim", "persistentvolumeclaims", short=("pvc",), status=True
)
ENDPOINTS: Final = ResourceType(
    group="",
    version="v1",
    kind="Endpoints",
    plural="endpoints",
    singular="endpoints",
    namespaced=True,
    short_names=("ep",),
    generation=False,
)

DEPLOYMENTS: Final = _in_group(
    "apps", "Deployment", "deployments", short=("deploy",), all_category=True
)
STATEFULSETS: Final = _in_group(
    "apps", "StatefulSet", "statefulsets", short=("sts",), all_category=True
)
DAEMONSETS: Final = _in_group("apps", "DaemonSet", "daemonsets", short=("ds",), all_category=True)
REPLICASETS: Final = _in_group(
    "apps", "ReplicaSet", "replicasets", short=("rs",), all_category=True
)
JOBS: Final = _in_group("batch", "Job", "jobs", all_category=True)
CRONJOBS: Final = _in_group("batch", "CronJob", "cronjobs", short=("cj",), all_category=True)
ENDPOINTSLICES: Final = _in_group(
    "discovery.k8s.io", "EndpointSlice", "endpointslices", status=False
)
INGRESSES: Final = _in_group("networking.k8s.io", "Ingress", "ingresses", short=("ing",))
LEASES: Final = _in_group("coordination.k8s.io", "Lease", "leases", status=False)
CUSTOMRESOURCEDEFINITIONS: Final = ResourceType(
    group="apiextensions.k8s.io",
    version="v1",
    kind="CustomResourceDefinition",
    plural="customresourcedefinitions",
    singular="customresourcedefinition",
    namespaced=False,
    short_names=("crd", "crds"),
    categories=("api-extensions",),
    status=True,
)

BUILTINS: Final[tuple[ResourceType, ...]] = (
    NAMESPACES,
    NODES,
    PODS,
    SERVICES,
    CONFIGMAPS,
    SECRETS,
    SERVICEACCOUNTS,
    EVENTS,
    PERSISTENTVOLUMECLAIMS,
    ENDPOINTS,
    DEPLOYMENTS,
    STATEFULSETS,
    DAEMONSETS,
    REPLICASETS,
    JOBS,
    CRONJOBS,
    ENDPOINTSLICES,
    INGRESSES,
    LEASES,
    CUSTOMRESOURCEDEFINITIONS,
)

_KUBE_VERSION: Final = re.compile(r"v(\d+)(?:(alpha|beta)(\d+))?")
_STABILITY: Final = {None: 0, "beta": 1, "alpha": 2}


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key putting v2 before v1 before v1beta2 before v1beta1 before v1alpha1 before others.

    This is apimachinery's CompareKubeAwareVersionStrings, used to pick a
    group's preferred version for discovery as kube-apiserver does.
    """
    match = _KUBE_VERSION.fullmatch(version)
    if match is None:
        return (3, 0, 0, version)
    major, stability, minor = match.groups()
    return (_STABILITY[stability], -int(major), -int(minor or 0), "")
