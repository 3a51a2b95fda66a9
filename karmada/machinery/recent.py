"""Objects a controller just wrote, read in place of its informer's copy until that catches up.

A controller that reconciles a key again before its own write has come back
through its informer acts on a stale copy: it creates what it just created,
or updates from an old version, and the apiserver answers AlreadyExists or
ABORTED — a wasted call and a retry, and under load, when the watch lags,
several. client-go's controllers keep "expectations" for the same reason.
`RecentWrites` remembers each object the controller wrote and hands it out
instead of the informer's copy until the informer has one at least as new;
then it forgets it, so it holds only writes in flight.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from google.protobuf.message import Message

from karmada.machinery.informer import Informer
from karmada.machinery.stores import key_of, metadata, revision

__all__ = ["RecentWrites"]

M = TypeVar("M", bound=Message)


class RecentWrites(Generic[M]):
    def __init__(self, informer: Informer[M]) -> None:
        self._informer = informer
        self._written: dict[str, M] = {}
        informer.add_handler(self._seen, self._updated, self._deleted)

    def __len__(self) -> int:
        return len(self._written)

    def record(self, obj: M) -> None:
        """Remembers `obj` as the apiserver returned it from a write.

        Not if the informer already has it (its event can come before the
        write's answer): nothing would come to make it forget.
        """
        key = key_of(obj)
        if self._informer.store.revision(key) < _revision(obj):
            self._written[key] = obj

    def get(self, key: str) -> M | None:
        """The newer of the informer's copy and the remembered write."""
        written = self._written.get(key)
        if written is None or self._informer.store.revision(key) >= _revision(written):
            return self._informer.get(key)
        return written

    def _seen(self, obj: M) -> None:
        key = key_of(obj)
        written = self._written.get(key)
        if written is not None and _revision(obj) >= _revision(written):
            del self._written[key]

    def _updated(self, _old: M, new: M) -> None:
        self._seen(new)

    def _deleted(self, obj: M) -> None:
        self._written.pop(key_of(obj), None)


def _revision(obj: Message) -> int:
    return revision(metadata(obj).resource_version)
