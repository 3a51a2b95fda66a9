"""What a user may type for a kind, and how karmadactl names kinds back.

`resolve` turns what kubectl accepts — a plural ("deployments"), a singular
("deployment"), a short name ("deploy", "pp"), the Kind itself
("Deployment"), or any of them qualified by a group ("deployments.apps",
"pp.policy.karmada.io", "deployments.v1.apps") — into the scheme's `Kind`
(every Karmada kind and the common Kubernetes kinds). `display` and
`resource` give kubectl's spellings for output ("deployment.apps/nginx
created", `deployments.apps "nginx" not found`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from karmada.machinery import scheme
from karmada.machinery.scheme import Kind, split_api_version
from karmadactl.errors import CliError

__all__ = ["ALIASES", "Alias", "display", "resolve", "resource", "unknown"]


@dataclass(frozen=True, slots=True)
class Alias:
    """One kind and the short names kubectl knows it by."""

    api_version: str
    kind: str
    short: tuple[str, ...] = ()

    @property
    def target(self) -> Kind[Any]:
        return scheme.lookup(self.api_version, self.kind)

    def names(self) -> set[str]:
        target = self.target
        return {target.plural, self.kind.lower(), *self.short}


ALIASES: tuple[Alias, ...] = (
    # Karmada's own kinds.
    Alias("cluster.karmada.io/v1alpha1", "Cluster"),
    Alias("policy.karmada.io/v1alpha1", "PropagationPolicy", ("pp",)),
    Alias("policy.karmada.io/v1alpha1", "ClusterPropagationPolicy", ("cpp",)),
    Alias("policy.karmada.io/v1alpha1", "OverridePolicy", ("op",)),
    Alias("policy.karmada.io/v1alpha1", "ClusterOverridePolicy", ("cop",)),
    Alias("work.karmada.io/v1alpha2", "ResourceBinding", ("rb",)),
    Alias("work.karmada.io/v1alpha2", "ClusterResourceBinding", ("crb",)),
    Alias("work.karmada.io/v1alpha1", "Work"),
    Alias("networking.karmada.io/v1alpha1", "MultiClusterService", ("mcs",)),
    Alias("networking.karmada.io/v1alpha1", "MultiClusterIngress", ("mci",)),
    Alias("multicluster.x-k8s.io/v1alpha1", "ServiceExport"),
    Alias("multicluster.x-k8s.io/v1alpha1", "ServiceImport"),
    Alias("coordination.k8s.io/v1", "Lease"),
    Alias("v1", "Namespace", ("ns",)),
    # Kubernetes kinds, propagated as resource templates.
    Alias("apps/v1", "Deployment", ("deploy",)),
    Alias("apps/v1", "StatefulSet", ("sts",)),
    Alias("apps/v1", "DaemonSet", ("ds",)),
    Alias("apps/v1", "ReplicaSet", ("rs",)),
    Alias("batch/v1", "Job"),
    Alias("batch/v1", "CronJob", ("cj",)),
    Alias("v1", "Pod", ("po",)),
    Alias("v1", "ConfigMap", ("cm",)),
    Alias("v1", "Secret"),
    Alias("v1", "Service", ("svc",)),
    Alias("v1", "ServiceAccount", ("sa",)),
    Alias("v1", "Endpoints", ("ep",)),
    Alias("v1", "PersistentVolumeClaim", ("pvc",)),
    Alias("v1", "PersistentVolume", ("pv",)),
    Alias("discovery.k8s.io/v1", "EndpointSlice"),
    Alias("networking.k8s.io/v1", "Ingress", ("ing",)),
    Alias("networking.k8s.io/v1", "IngressClass"),
    Alias("networking.k8s.io/v1", "NetworkPolicy", ("netpol",)),
    Alias("autoscaling/v2", "HorizontalPodAutoscaler", ("hpa",)),
    Alias("policy/v1", "PodDisruptionBudget", ("pdb",)),
    Alias("rbac.authorization.k8s.io/v1", "Role"),
    Alias("rbac.authorization.k8s.io/v1", "RoleBinding"),
    Alias("rbac.authorization.k8s.io/v1", "ClusterRole"),
    Alias("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    Alias("apiextensions.k8s.io/v1", "CustomResourceDefinition", ("crd", "crds")),
    Alias("storage.k8s.io/v1", "StorageClass", ("sc",)),
    Alias("scheduling.k8s.io/v1", "PriorityClass", ("pc",)),
)


def _index() -> dict[str, list[Alias]]:
    out: dict[str, list[Alias]] = {}
    for alias in ALIASES:
        for name in alias.names():
            out.setdefault(name, []).append(alias)
    return out


_BY_NAME = _index()


def unknown(text: str) -> CliError:
    return CliError(f'the server doesn\'t have a resource type "{text}"')


def resolve(text: str) -> Kind[Any]:
    """The Kind a user means by `text`; an unknown kind raises CliError (one line)."""
    name, _, qualifier = text.strip().lower().partition(".")
    candidates = _BY_NAME.get(name, [])
    if qualifier:
        candidates = [a for a in candidates if _qualifies(a, qualifier)]
    if not name or not candidates:
        raise unknown(text)
    # Several kinds share a name only across groups ("services" is core, not
    # serviceimports); kubectl prefers the core and then the first listed.
    return candidates[0].target


def _qualifies(alias: Alias, qualifier: str) -> bool:
    group, version = split_api_version(alias.api_version)
    return qualifier in (group, f"{version}.{group}") or (not group and qualifier == version)


def resource(kind: Kind[Any]) -> str:
    """kubectl's group-qualified plural: "deployments.apps", "configmaps"."""
    return f"{kind.plural}.{kind.group}" if kind.group else kind.plural


def display(kind: Kind[Any]) -> str:
    """kubectl's group-qualified singular used before "/name": "deployment.apps"."""
    lower = kind.kind.lower()
    return f"{lower}.{kind.group}" if kind.group else lower
