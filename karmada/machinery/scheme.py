"""The kinds the API serves, and how each maps to storage keys and RPC names.

One table drives both ends: the apiserver builds its generic handlers and etcd
key layout from it, and the client builds its calls from it, so adding a kind
is one entry here plus its protos. Typed kinds each have their own service;
every other Kubernetes kind (Deployment, ConfigMap, CRDs, ...) is a resource
template served by ResourceTemplateService and described by `template_kind`.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.coordination.v1 import lease_pb2
from karmada.core.v1 import namespace_pb2, resource_template_pb2, resource_template_service_pb2
from karmada.multicluster.v1alpha1 import service_export_pb2, service_import_pb2
from karmada.networking.v1alpha1 import multi_cluster_ingress_pb2, multi_cluster_service_pb2
from karmada.policy.v1alpha1 import (
    cluster_override_policy_pb2,
    cluster_propagation_policy_pb2,
    override_policy_pb2,
    propagation_policy_pb2,
)
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2 import cluster_resource_binding_pb2, resource_binding_pb2

M = TypeVar("M", bound=Message)

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    """PascalCase to snake_case: MultiClusterIngress -> multi_cluster_ingress."""
    return _CAMEL.sub("_", name).lower()


@dataclass(frozen=True, slots=True, eq=False)
class Kind(Generic[M]):
    """One servable kind: its API identity, message type, scope and service.

    Attributes:
        group: API group ("" for the core group).
        version: API version within the group.
        kind: Kubernetes kind name.
        plural: lowercase plural resource name, used in storage keys.
        namespaced: scope; None for a template kind of unknown scope, which
            then takes the scope each object states.
        message: the protobuf message class of the objects.
        service: full gRPC service name.
        has_status: whether the kind has a status subresource.
        template: served by ResourceTemplateService (requests carry
            api_version and kind).
    """

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool | None
    message: type[M]
    service: str
    has_status: bool = True
    template: bool = False
    rpc_kind: str = field(default="")
    rpc_plural: str = field(default="")

    def __post_init__(self) -> None:
        if not self.rpc_kind:
            object.__setattr__(self, "rpc_kind", self.kind)
        if not self.rpc_plural:
            object.__setattr__(self, "rpc_plural", pascal_plural(self.kind))

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """Group-qualified resource name, e.g. clusters.cluster.karmada.io."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def key_prefix(self) -> str:
        """etcd prefix holding every object of the kind (ends with '/')."""
        return f"/registry/{self.group or 'core'}/{self.plural}/"

    def key(self, namespace: str, name: str) -> str:
        """etcd key of one object, laid out as Kubernetes does."""
        if namespace:
            return f"{self.key_prefix}{namespace}/{name}"
        return f"{self.key_prefix}{name}"

    def namespace_prefix(self, namespace: str) -> str:
        return f"{self.key_prefix}{namespace}/" if namespace else self.key_prefix

    @property
    def object_field(self) -> str:
        """Name of the object field in Create/Update requests."""
        return snake(self.rpc_kind)

    @property
    def list_field(self) -> str:
        """Name of the repeated field in List responses."""
        return snake(self.rpc_plural)

    def method(self, verb: str) -> str:
        """Full gRPC method path for a standard verb (Get, List, ..., Watch)."""
        noun = self.rpc_plural if verb in ("List", "Watch") else self.rpc_kind
        suffix = "Status" if verb == "UpdateStatus" else ""
        action = "Update" if verb == "UpdateStatus" else verb
        return f"/{self.service}/{action}{noun}{suffix}"

    def request_extras(self) -> dict[str, Any]:
        """Fields every request for this kind carries besides its own."""
        if self.template:
            return {"api_version": self.api_version, "kind": self.kind}
        return {}

    def new(self, *, name: str, namespace: str = "", **fields: Any) -> M:
        """A new object of this kind with apiVersion, kind and name set."""
        obj = self.message(api_version=self.api_version, kind=self.kind, **fields)
        obj.metadata.name = name  # type: ignore[attr-defined]
        obj.metadata.namespace = namespace  # type: ignore[attr-defined]
        return obj

    def __repr__(self) -> str:
        return f"Kind({self.api_version}, {self.kind})"


_IRREGULAR_PLURALS = {"endpoints": "endpoints"}


def plural_of(kind: str) -> str:
    """Lowercase plural of a kind, with kubectl's fallback rules."""
    lower = kind.lower()
    if lower in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[lower]
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return lower + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return lower[:-1] + "ies"
    return lower + "s"


def pascal_plural(kind: str) -> str:
    """PascalCase plural used in RPC names: Cluster -> Clusters, Policy -> Policies."""
    plural = plural_of(kind)
    return kind[: len(kind.rstrip("sy"))] + plural[len(kind.rstrip("sy")) :]


def split_api_version(api_version: str) -> tuple[str, str]:
    """ "apps/v1" -> ("apps", "v1"); "v1" -> ("", "v1")."""
    group, _, version = api_version.rpartition("/")
    return group, version


def _karmada(
    message: type[M], group: str, version: str, *, namespaced: bool, status: bool = True
) -> Kind[M]:
    kind = message.DESCRIPTOR.name
    package = message.DESCRIPTOR.file.package
    # The service's descriptors live in the sibling <resource>_service_pb2.
    importlib.import_module(message.__module__.replace("_pb2", "_service_pb2"))
    return Kind(
        group=group,
        version=version,
        kind=kind,
        plural=plural_of(kind),
        namespaced=namespaced,
        message=message,
        service=f"{package}.{kind}Service",
        has_status=status,
    )


CLUSTER = _karmada(cluster_pb2.Cluster, "cluster.karmada.io", "v1alpha1", namespaced=False)
PROPAGATION_POLICY = _karmada(
    propagation_policy_pb2.PropagationPolicy,
    "policy.karmada.io",
    "v1alpha1",
    namespaced=True,
    status=False,
)
CLUSTER_PROPAGATION_POLICY = _karmada(
    cluster_propagation_policy_pb2.ClusterPropagationPolicy,
    "policy.karmada.io",
    "v1alpha1",
    namespaced=False,
    status=False,
)
OVERRIDE_POLICY = _karmada(
    override_policy_pb2.OverridePolicy,
    "policy.karmada.io",
    "v1alpha1",
    namespaced=True,
    status=False,
)
CLUSTER_OVERRIDE_POLICY = _karmada(
    cluster_override_policy_pb2.ClusterOverridePolicy,
    "policy.karmada.io",
    "v1alpha1",
    namespaced=False,
    status=False,
)
WORK = _karmada(work_pb2.Work, "work.karmada.io", "v1alpha1", namespaced=True)
RESOURCE_BINDING = _karmada(
    resource_binding_pb2.ResourceBinding, "work.karmada.io", "v1alpha2", namespaced=True
)
CLUSTER_RESOURCE_BINDING = _karmada(
    cluster_resource_binding_pb2.ClusterResourceBinding,
    "work.karmada.io",
    "v1alpha2",
    namespaced=False,
)
MULTI_CLUSTER_SERVICE = _karmada(
    multi_cluster_service_pb2.MultiClusterService,
    "networking.karmada.io",
    "v1alpha1",
    namespaced=True,
)
MULTI_CLUSTER_INGRESS = _karmada(
    multi_cluster_ingress_pb2.MultiClusterIngress,
    "networking.karmada.io",
    "v1alpha1",
    namespaced=True,
)
SERVICE_EXPORT = _karmada(
    service_export_pb2.ServiceExport, "multicluster.x-k8s.io", "v1alpha1", namespaced=True
)
SERVICE_IMPORT = _karmada(
    service_import_pb2.ServiceImport, "multicluster.x-k8s.io", "v1alpha1", namespaced=True
)
LEASE = _karmada(lease_pb2.Lease, "coordination.k8s.io", "v1", namespaced=True, status=False)
NAMESPACE = _karmada(namespace_pb2.Namespace, "", "v1", namespaced=False)

TYPED_KINDS: tuple[Kind[Any], ...] = (
    CLUSTER,
    PROPAGATION_POLICY,
    CLUSTER_PROPAGATION_POLICY,
    OVERRIDE_POLICY,
    CLUSTER_OVERRIDE_POLICY,
    WORK,
    RESOURCE_BINDING,
    CLUSTER_RESOURCE_BINDING,
    MULTI_CLUSTER_SERVICE,
    MULTI_CLUSTER_INGRESS,
    SERVICE_EXPORT,
    SERVICE_IMPORT,
    LEASE,
    NAMESPACE,
)

TEMPLATE_SERVICE = resource_template_service_pb2.DESCRIPTOR.services_by_name[
    "ResourceTemplateService"
].full_name

# Kinds known to be cluster-scoped or namespaced; other template kinds take
# the scope each object states.
_CLUSTER_SCOPED_TEMPLATES = frozenset(
    {
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("", "PersistentVolume"),
        ("", "Node"),
        ("storage.k8s.io", "StorageClass"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("networking.k8s.io", "IngressClass"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    }
)
_NAMESPACED_TEMPLATES = frozenset(
    {
        ("apps", "Deployment"),
        ("apps", "StatefulSet"),
        ("apps", "DaemonSet"),
        ("apps", "ReplicaSet"),
        ("batch", "Job"),
        ("batch", "CronJob"),
        ("", "Pod"),
        ("", "Service"),
        ("", "ConfigMap"),
        ("", "Secret"),
        ("", "ServiceAccount"),
        ("", "PersistentVolumeClaim"),
        ("", "Endpoints"),
        ("", "Event"),
        ("discovery.k8s.io", "EndpointSlice"),
        ("networking.k8s.io", "Ingress"),
        ("networking.k8s.io", "NetworkPolicy"),
        ("rbac.authorization.k8s.io", "Role"),
        ("rbac.authorization.k8s.io", "RoleBinding"),
        ("autoscaling", "HorizontalPodAutoscaler"),
        ("policy", "PodDisruptionBudget"),
    }
)


@cache
def template_kind(api_version: str, kind: str) -> Kind[resource_template_pb2.ResourceTemplate]:
    """The Kind of a resource template, e.g. template_kind("apps/v1", "Deployment")."""
    group, version = split_api_version(api_version)
    scope: bool | None = None
    if (group, kind) in _CLUSTER_SCOPED_TEMPLATES:
        scope = False
    elif (group, kind) in _NAMESPACED_TEMPLATES:
        scope = True
    return Kind(
        group=group,
        version=version,
        kind=kind,
        plural=plural_of(kind),
        namespaced=scope,
        message=resource_template_pb2.ResourceTemplate,
        service=TEMPLATE_SERVICE,
        template=True,
        rpc_kind="ResourceTemplate",
        rpc_plural="ResourceTemplates",
    )


_BY_MESSAGE: dict[type[Message], Kind[Any]] = {k.message: k for k in TYPED_KINDS}
_BY_GROUP_KIND: dict[tuple[str, str], Kind[Any]] = {(k.group, k.kind): k for k in TYPED_KINDS}


def kind_of_message(message: type[M]) -> Kind[M]:
    """The typed Kind whose objects are `message` instances."""
    return _BY_MESSAGE[message]


def typed_kind(api_version: str, kind: str) -> Kind[Any] | None:
    """The typed Kind for an apiVersion and kind, or None if it is a template kind."""
    group, _ = split_api_version(api_version)
    return _BY_GROUP_KIND.get((group, kind))


def lookup(api_version: str, kind: str) -> Kind[Any]:
    """The Kind serving apiVersion/kind: a typed kind, else a template kind."""
    return typed_kind(api_version, kind) or template_kind(api_version, kind)


def kind_of(obj: Message) -> Kind[Any]:
    """The Kind of an object (templates by their own apiVersion and kind)."""
    if isinstance(obj, resource_template_pb2.ResourceTemplate):
        return template_kind(obj.api_version, obj.kind)
    return _BY_MESSAGE[type(obj)]
