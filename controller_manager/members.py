"""Member-cluster clients built from what the control plane holds: Cluster + Secret.

Push clusters are reached with credentials stored in the control plane, as
Karmada stores them: `Cluster.spec.apiEndpoint` (plus `proxyURL` and
`insecureSkipTLSVerification`) and the Secret named by `spec.secretRef`, whose
data holds `token` and `caBundle` (base64, as every Secret's data). A Secret
may instead hold a whole `kubeconfig`. Secrets are read through the API and
cached by a shared informer; the client is rebuilt only when they change.
"""

from __future__ import annotations

from controller_manager.informers import InformerFactory
from karmada.machinery.scheme import CLUSTER
from karmada.machinery.structs import to_dict
from karmada.member import ClientOptions, ConfigError, MemberClient, MemberClients
from karmada.registration import SECRET, MemberUnavailable, kubeconfig_for

__all__ = ["SECRET", "MemberUnavailable", "Members"]


class Members:
    """Member clients of push clusters, keyed by cluster name."""

    def __init__(self, informers: InformerFactory, *, options: ClientOptions | None = None) -> None:
        self.informers = informers
        self.clusters = informers.get(CLUSTER)
        self.registry = MemberClients(options=options)

    async def client(self, cluster_name: str) -> MemberClient:
        """The client of `cluster_name`.

        Raises:
            MemberUnavailable: no such cluster, no Secret, or unusable credentials.
        """
        cluster = self.clusters.get(cluster_name)
        if cluster is None:
            raise MemberUnavailable(f"cluster {cluster_name} is not registered")
        ref = cluster.spec.secret_ref
        if not ref.name:
            raise MemberUnavailable(f"cluster {cluster_name} has no spec.secretRef")
        secrets = self.informers.get(SECRET, namespace=ref.namespace)
        await secrets.wait_for_sync()
        secret = secrets.get(f"{ref.namespace}/{ref.name}")
        if secret is None:
            raise MemberUnavailable(
                f"secret {ref.namespace}/{ref.name} of cluster {cluster_name} not found"
            )
        data = to_dict(secret.body).get("data") or {}
        try:
            return await self.registry.get(cluster_name, kubeconfig_for(cluster, data))
        except ConfigError as error:
            raise MemberUnavailable(f"credentials of cluster {cluster_name}: {error}") from error

    def cached(self, cluster_name: str) -> MemberClient | None:
        return self.registry.cached(cluster_name)

    async def forget(self, cluster_name: str) -> None:
        """Drops (and closes) the client of a cluster that left."""
        await self.registry.remove(cluster_name)

    async def close(self) -> None:
        await self.registry.close()
