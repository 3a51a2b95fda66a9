"""The objects a workload cannot run without, for propagateDeps.

Karmada's native dependency interpreters (resourceinterpreter/default/native/
dependencies.go with helper.GetDependenciesFromPodTemplate and the
VisitPodSecretNames / VisitPodConfigmapNames walks lifted from Kubernetes):
the ConfigMaps, Secrets, ServiceAccount (other than "default") and
PersistentVolumeClaims a pod template refers to, for Deployment,
StatefulSet, DaemonSet, Job, CronJob and Pod, and ReplicaSet, which has the
same pod template; and the TLS Secrets of an Ingress.

Every reference a kubelet would resolve counts: volumes (configMap, secret,
projected sources, persistentVolumeClaim and the volume plugins that name a
secret), envFrom and env valueFrom of containers, init containers and
ephemeral containers, and imagePullSecrets. The result is de-duplicated and
in a stable order (ConfigMaps, Secrets, ServiceAccounts, PVCs, each by
name), where Karmada's comes out in set order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from controller_manager.interpreter.kinds import (
    CRON_JOB,
    DAEMON_SET,
    DEPLOYMENT,
    INGRESS,
    JOB,
    POD,
    REPLICA_SET,
    STATEFUL_SET,
    as_list,
    as_map,
    group_kind,
    maps,
    nested,
)

__all__ = ["Dependency", "dependencies_of"]

Dependency = tuple[str, str, str, str]
"""(apiVersion, kind, namespace, name) of a dependency."""

_TEMPLATED: Final = frozenset({DEPLOYMENT, STATEFUL_SET, REPLICA_SET, DAEMON_SET, JOB})
_CONTAINER_LISTS: Final = ("containers", "initContainers", "ephemeralContainers")
# Volume plugins naming a Secret, and the field that does: {"secretRef": {"name": ...}}.
_SECRET_REF_VOLUMES: Final = (
    "cephfs",
    "cinder",
    "flexVolume",
    "rbd",
    "scaleIO",
    "iscsi",
    "storageos",
)


def dependencies_of(manifest: Mapping[str, Any]) -> list[Dependency]:
    """(apiVersion, kind, namespace, name) of every object `manifest` depends on."""
    kind = group_kind(manifest)
    namespace = str(nested(manifest, "metadata", "namespace") or "")
    if kind == INGRESS:
        secrets = {
            str(as_map(tls).get("secretName"))
            for tls in as_list(nested(manifest, "spec", "tls"))
            if as_map(tls).get("secretName")
        }
        return [("v1", "Secret", namespace, name) for name in sorted(secrets)]
    if kind == POD:
        spec = as_map(manifest.get("spec"))
    elif kind == CRON_JOB:
        spec = as_map(nested(manifest, "spec", "jobTemplate", "spec", "template", "spec"))
    elif kind in _TEMPLATED:
        spec = as_map(nested(manifest, "spec", "template", "spec"))
    else:
        return []
    return _pod_dependencies(spec, namespace)


def _pod_dependencies(spec: Mapping[str, Any], namespace: str) -> list[Dependency]:
    config_maps = set(_config_map_names(spec))
    secrets = set(_secret_names(spec))
    service_account = str(spec.get("serviceAccountName") or "")
    accounts = {service_account} if service_account not in ("", "default") else set()
    claims = {
        str(claim)
        for volume in as_list(spec.get("volumes"))
        if (claim := nested(as_map(volume), "persistentVolumeClaim", "claimName"))
    }
    result: list[Dependency] = []
    for kind, names in (
        ("ConfigMap", config_maps),
        ("Secret", secrets),
        ("ServiceAccount", accounts),
        ("PersistentVolumeClaim", claims),
    ):
        result.extend(("v1", kind, namespace, name) for name in sorted(names) if name)
    return result


def _containers(spec: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for field in _CONTAINER_LISTS:
        for container in as_list(spec.get(field)):
            yield as_map(container)


def _env_refs(spec: Mapping[str, Any], from_field: str, key_field: str) -> Iterator[str]:
    for container in _containers(spec):
        for source in as_list(container.get("envFrom")):
            if name := nested(as_map(source), from_field, "name"):
                yield str(name)
        for variable in as_list(container.get("env")):
            if name := nested(as_map(variable), "valueFrom", key_field, "name"):
                yield str(name)


def _projected(volume: Mapping[str, Any], source_field: str) -> Iterator[str]:
    for source in as_list(nested(volume, "projected", "sources")):
        if name := nested(as_map(source), source_field, "name"):
            yield str(name)


def _config_map_names(spec: Mapping[str, Any]) -> Iterator[str]:
    yield from _env_refs(spec, "configMapRef", "configMapKeyRef")
    for volume in maps(spec.get("volumes")):
        if name := nested(volume, "configMap", "name"):
            yield str(name)
        yield from _projected(volume, "configMap")


def _secret_names(spec: Mapping[str, Any]) -> Iterator[str]:
    for reference in as_list(spec.get("imagePullSecrets")):
        if name := as_map(reference).get("name"):
            yield str(name)
    yield from _env_refs(spec, "secretRef", "secretKeyRef")
    for volume in maps(spec.get("volumes")):
        for name in (
            nested(volume, "secret", "secretName"),
            nested(volume, "azureFile", "secretName"),
            nested(volume, "csi", "nodePublishSecretRef", "name"),
            *(nested(volume, plugin, "secretRef", "name") for plugin in _SECRET_REF_VOLUMES),
        ):
            if name:
                yield str(name)
        yield from _projected(volume, "secret")
