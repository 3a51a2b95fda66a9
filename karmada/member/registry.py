"""`MemberClients`: one live client per member cluster, rebuilt when credentials change.

Controllers look a member's client up by cluster name on every reconcile;
building one (parsing the kubeconfig, writing CA files, a TLS context, a
connection pool) is far too costly to repeat, and keeping a stale one after
the Secret was rotated would keep failing. So clients are cached by cluster
name together with a digest of the kubeconfig they were built from; a
different digest builds a new client and closes the old one. Concurrent
lookups of the same cluster build it once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from karmada.member.client import MemberClient
from karmada.member.config import ClientOptions, Kubeconfig, digest

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    digest: str
    client: MemberClient


class MemberClients:
    """A registry of member clients keyed by cluster name."""

    def __init__(self, *, options: ClientOptions | None = None) -> None:
        self.options = options or ClientOptions()
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(
        self, cluster: str, kubeconfig: Kubeconfig, *, context: str | None = None
    ) -> MemberClient:
        """The client for `cluster`, built from `kubeconfig` if new or changed.

        Raises:
            ConfigError: the kubeconfig cannot be used.
        """
        wanted = digest(kubeconfig, context=context)
        entry = self._entries.get(cluster)
        if entry is not None and entry.digest == wanted:
            return entry.client
        lock = self._locks.setdefault(cluster, asyncio.Lock())
        async with lock:
            entry = self._entries.get(cluster)
            if entry is not None and entry.digest == wanted:
                return entry.client
            client = await MemberClient.from_kubeconfig(
                cluster, kubeconfig, context=context, options=self.options
            )
            self._entries[cluster] = _Entry(wanted, client)
            if entry is not None:
                log.info("Member credentials changed, client rebuilt", extra={"cluster": cluster})
                await entry.client.close()
            return client

    def cached(self, cluster: str) -> MemberClient | None:
        """The current client for `cluster`, if one was built."""
        entry = self._entries.get(cluster)
        return entry.client if entry is not None else None

    def clusters(self) -> list[str]:
        """Names of the clusters with a client."""
        return sorted(self._entries)

    async def remove(self, cluster: str) -> None:
        """Closes and forgets the client of `cluster` (e.g. the Cluster was deleted)."""
        entry = self._entries.pop(cluster, None)
        self._locks.pop(cluster, None)
        if entry is not None:
            await entry.client.close()

    async def close(self) -> None:
        """Closes every client."""
        entries = list(self._entries.values())
        self._entries.clear()
        self._locks.clear()
        for entry in entries:
            await entry.client.close()

    async def __aenter__(self) -> MemberClients:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
