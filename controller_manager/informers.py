"""Shared informers: one list+watch per (kind, namespace, selector) for every controller.

Several controllers follow the same kinds (bindings, Works, Clusters); each
watching on its own would multiply apiserver streams and memory. Controllers ask
the factory for an informer and register handlers on it; the factory starts
each informer once, and informers asked for after the start (the resource
detector adds template kinds as policies mention them) start at once.

The kinds held by the thousand (Works, bindings, resource templates) are kept
packed (`karmada.machinery.stores.PackedStore`): serialized, a quarter of the
memory of parsed messages, at the price of a parse per read.
"""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf.message import Message

from karmada.machinery.client import Client
from karmada.machinery.informer import Informer
from karmada.machinery.scheme import CLUSTER_RESOURCE_BINDING, RESOURCE_BINDING, WORK, Kind

__all__ = ["InformerFactory", "packed"]

M = TypeVar("M", bound=Message)

_PACKED = {(k.api_version, k.kind) for k in (WORK, RESOURCE_BINDING, CLUSTER_RESOURCE_BINDING)}


def packed(kind: Kind[Any]) -> bool:
    """Whether the factory keeps `kind` packed."""
    return kind.template or (kind.api_version, kind.kind) in _PACKED


class InformerFactory:
    def __init__(self, client: Client, *, resync_period: float | None = None) -> None:
        self.client = client
        self.resync_period = resync_period
        self._informers: dict[tuple[str, str, str, str], Informer[Any]] = {}
        self._started = False

    def get(self, kind: Kind[M], *, namespace: str = "", label_selector: str = "") -> Informer[M]:
        """The shared informer of `kind` (started at once if the factory already runs)."""
        key = (kind.api_version, kind.kind, namespace, label_selector)
        informer = self._informers.get(key)
        if informer is None:
            informer = Informer(
                self.client,
                kind,
                namespace=namespace,
                label_selector=label_selector,
                resync_period=self.resync_period,
                packed=packed(kind),
            )
            self._informers[key] = informer
            if self._started:
                informer.start()
        return informer

    def informers(self) -> list[Informer[Any]]:
        return list(self._informers.values())

    def start(self) -> None:
        self._started = True
        for informer in self._informers.values():
            informer.start()

    @property
    def synced(self) -> bool:
        return all(informer.has_synced for informer in self._informers.values())

    async def wait_for_sync(self) -> None:
        for informer in list(self._informers.values()):
            await informer.wait_for_sync()

    async def stop(self) -> None:
        self._started = False
        for informer in self._informers.values():
            await informer.stop()
