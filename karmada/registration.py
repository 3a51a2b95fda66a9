"""Joining a member cluster in push mode: a Secret with its credentials and a Cluster.

What `karmadactl join` writes, shared so that tests, `make run` and the CLI
register clusters the same way Karmada does: the Secret
`karmada-cluster/<name>` holds `token` and `caBundle` (base64, Secret data) and
the Cluster points at it with `spec.secretRef`, with the API endpoint taken
from the member's kubeconfig. `kubeconfig_for` is the way back, for whoever
must reach a member (controller manager, karmadactl). Client certificates and exec plugins cannot be
stored this way; such kubeconfigs are stored whole under `kubeconfig`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.scheme import CLUSTER, template_kind
from karmada.member.config import Kubeconfig

__all__ = [
    "CLUSTER_NAMESPACE",
    "SECRET",
    "JoinError",
    "MemberUnavailable",
    "join_push",
    "kubeconfig_entry",
    "kubeconfig_for",
]

CLUSTER_NAMESPACE = "karmada-cluster"
SECRET = template_kind("v1", "Secret")


class JoinError(ValueError):
    """The kubeconfig cannot be used to join the cluster."""


def kubeconfig_entry(
    kubeconfig: Mapping[str, Any], context: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (cluster, user) entries of the kubeconfig's chosen context."""
    name = context or kubeconfig.get("current-context") or ""
    contexts = {c.get("name"): c.get("context") or {} for c in kubeconfig.get("contexts") or []}
    if name not in contexts:
        raise JoinError(f"context {name!r} not found in the kubeconfig")
    chosen = contexts[name]
    clusters = {c.get("name"): c.get("cluster") or {} for c in kubeconfig.get("clusters") or []}
    users = {u.get("name"): u.get("user") or {} for u in kubeconfig.get("users") or []}
    if chosen.get("cluster") not in clusters:
        raise JoinError(f"cluster {chosen.get('cluster')!r} of context {name!r} not found")
    return clusters[chosen["cluster"]], users.get(chosen.get("user"), {})


def _secret_data(
    kubeconfig: Mapping[str, Any], cluster: Mapping[str, Any], user: Mapping[str, Any]
) -> dict[str, str]:
    token = user.get("token")
    if isinstance(token, str) and token:
        data = {"token": base64.b64encode(token.encode()).decode()}
        if ca := cluster.get("certificate-authority-data"):
            data["caBundle"] = str(ca)
        return data
    text = yaml.safe_dump(dict(kubeconfig), sort_keys=False)
    return {"kubeconfig": base64.b64encode(text.encode()).decode()}


async def join_push(
    client: Client,
    name: str,
    kubeconfig: Mapping[str, Any],
    *,
    context: str | None = None,
    provider: str = "",
    region: str = "",
    zones: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
) -> cluster_pb2.Cluster:
    """Registers the member `name` in push mode; idempotent (an existing Secret is replaced).

    Raises:
        JoinError: the kubeconfig has no usable context or server.
        karmada.machinery.errors.AlreadyExists: a Cluster of that name exists.
    """
    cluster_entry, user = kubeconfig_entry(kubeconfig, context)
    server = cluster_entry.get("server")
    if not isinstance(server, str) or not server:
        raise JoinError("the kubeconfig's cluster has no server")
    try:
        await client.get(CLUSTER, name)
    except errors.NotFound:
        pass
    else:
        # Never touch the credentials of a cluster that is already joined.
        raise errors.AlreadyExists(f"cluster {name} already exists")
    secret = SECRET.new(name=name, namespace=CLUSTER_NAMESPACE)
    secret.body.update({"type": "Opaque", "data": _secret_data(kubeconfig, cluster_entry, user)})
    try:
        await client.create(secret)
    except errors.AlreadyExists:
        current = await client.get(SECRET, name, CLUSTER_NAMESPACE)
        current.body.Clear()
        current.body.update(
            {"type": "Opaque", "data": _secret_data(kubeconfig, cluster_entry, user)}
        )
        await client.update(current)
    cluster = CLUSTER.new(name=name)
    cluster.metadata.labels.update(labels or {})
    cluster.spec.sync_mode = "Push"
    cluster.spec.api_endpoint = server
    cluster.spec.insecure_skip_tls_verification = bool(
        cluster_entry.get("insecure-skip-tls-verify")
    )
    if proxy := cluster_entry.get("proxy-url"):
        cluster.spec.proxy_url = str(proxy)
    cluster.spec.secret_ref.namespace = CLUSTER_NAMESPACE
    cluster.spec.secret_ref.name = name
    cluster.spec.provider = provider
    cluster.spec.region = region
    cluster.spec.zones.extend(zones)
    return await client.create(cluster)


class MemberUnavailable(Exception):
    """The control plane lacks what it needs to reach the cluster (no Cluster, Secret or endpoint)."""


def _decoded(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        return ""
    try:
        return base64.b64decode(value).decode()
    except ValueError as error:
        raise MemberUnavailable(f"secret data {key!r} is not valid base64") from error


def kubeconfig_for(cluster: cluster_pb2.Cluster, secret_data: dict[str, Any]) -> Kubeconfig:
    """The kubeconfig reaching `cluster`, from its spec and its Secret's data."""
    if kubeconfig := _decoded(secret_data, "kubeconfig"):
        return kubeconfig
    spec = cluster.spec
    if not spec.api_endpoint:
        raise MemberUnavailable(f"cluster {cluster.metadata.name} has no spec.apiEndpoint")
    entry: dict[str, Any] = {"server": spec.api_endpoint}
    ca = secret_data.get("caBundle")
    if spec.insecure_skip_tls_verification:
        entry["insecure-skip-tls-verify"] = True
    elif isinstance(ca, str) and ca:
        entry["certificate-authority-data"] = ca
    if spec.proxy_url:
        entry["proxy-url"] = spec.proxy_url
    name = cluster.metadata.name
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": entry}],
        "users": [{"name": name, "user": {"token": _decoded(secret_data, "token")}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
    }
