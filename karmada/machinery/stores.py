"""The informers' stores: objects by key with secondary indexes, plain or packed.

`Store` holds the messages themselves: reads are free and return shared
objects, which nobody may modify (client-go's "NEVER modify objects from the
store"). `PackedStore` holds each object serialized and zlib-compressed
(level 1) instead: a parsed message costs about four times its wire size in
memory, which for a control plane holding tens of thousands of Works,
bindings and templates is most of its memory. Its reads decompress and parse
(a few tens of microseconds for a Work) and return fresh messages the caller
may modify. Kinds read in tight loops
(Clusters, policies) stay plain; kinds held by the thousand are packed.

Both keep each object's revision beside it, so an informer drops replayed
events without reading the object, and offer `index_keys` for callers that
only need keys (to enqueue them).
"""

from __future__ import annotations

import builtins
import sys
import zlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, cast

from google.protobuf.message import Message

from karmada.meta.v1 import meta_pb2

__all__ = ["NAMESPACE_INDEX", "PackedStore", "Store", "key_of", "metadata", "revision", "split_key"]

M = TypeVar("M", bound=Message)

NAMESPACE_INDEX = "namespace"

Indexer = Callable[[M], builtins.list[str]]


def metadata(obj: Message) -> meta_pb2.ObjectMeta:
    """The ObjectMeta of any API object."""
    return cast(meta_pb2.ObjectMeta, obj.metadata)  # type: ignore[attr-defined]


def key_of(obj: Message) -> str:
    """The store key of an object: ``namespace/name``, or ``name`` if cluster-scoped."""
    meta = metadata(obj)
    # Interned: every store, index and queue holding the key shares one string.
    return sys.intern(f"{meta.namespace}/{meta.name}" if meta.namespace else meta.name)


def split_key(key: str) -> tuple[str, str]:
    """``namespace/name`` to (namespace, name); ``name`` to ("", name)."""
    namespace, _, name = key.rpartition("/")
    return namespace, name


def revision(value: str) -> int:
    """A resourceVersion as a number (0 if it is not one)."""
    return int(value) if value.isdigit() else 0


def _namespace_of(obj: Message) -> builtins.list[str]:
    return [metadata(obj).namespace]


class Store(Generic[M]):
    """The informer's objects by key, with secondary indexes.

    Read-only for everyone but its informer; the objects it returns are shared.
    """

    def __init__(self) -> None:
        self._items: dict[str, M] = {}
        self._indexers: dict[str, Indexer[M]] = {}
        self._indices: dict[str, dict[str, set[str]]] = {}
        self.add_index(NAMESPACE_INDEX, _namespace_of)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def get(self, key: str) -> M | None:
        return self._items.get(key)

    def list(self) -> builtins.list[M]:
        return list(self._items.values())

    def keys(self) -> builtins.list[str]:
        return list(self._items)

    def revision(self, key: str) -> int:
        """The stored object's revision; -1 if there is none."""
        obj = self._items.get(key)
        return revision(metadata(obj).resource_version) if obj is not None else -1

    def add_index(self, name: str, fn: Indexer[M]) -> None:
        """Indexes every object (present and future) under the values `fn` returns."""
        if name in self._indexers:
            raise ValueError(f"index {name!r} already exists")
        self._indexers[name] = fn
        self._indices[name] = {}
        for key, obj in self._objects():
            self._index(name, key, obj)

    def ensure_index(self, name: str, fn: Indexer[M]) -> None:
        """`add_index` unless an index of that name exists (controllers sharing one index)."""
        if name not in self._indexers:
            self.add_index(name, fn)

    def index_keys(self, name: str, value: str) -> builtins.list[str]:
        """Keys of the objects whose index `name` holds `value`, sorted; KeyError for an unknown index."""
        return sorted(self._indices[name].get(value, ()))

    def by_index(self, name: str, value: str) -> builtins.list[M]:
        """Objects whose index `name` holds `value`; KeyError for an unknown index."""
        found = (self.get(key) for key in self.index_keys(name, value))
        return [obj for obj in found if obj is not None]

    def _objects(self) -> Iterator[tuple[str, M]]:
        return iter(list(self._items.items()))

    def _index(self, name: str, key: str, obj: M) -> None:
        for value in self._indexers[name](obj):
            self._indices[name].setdefault(value, set()).add(key)

    def _unindex(self, key: str, obj: M) -> None:
        for name, fn in self._indexers.items():
            index = self._indices[name]
            for value in fn(obj):
                keys = index.get(value)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[value]

    def _index_all(self, key: str, obj: M) -> None:
        for name in self._indexers:
            self._index(name, key, obj)

    def _put(self, key: str, obj: M, old: M | None = None) -> None:
        """Stores `obj`; `old` is what was stored under `key`, if the caller has read it."""
        if old is None:
            old = self._items.get(key)
        if old is not None:
            self._unindex(key, old)
        self._items[key] = obj
        self._index_all(key, obj)

    def _remove(self, key: str, old: M) -> None:
        """Forgets `key`, whose stored object (as read by the caller) is `old`."""
        if self._items.pop(key, None) is not None:
            self._unindex(key, old)


class PackedStore(Store[M]):
    """A `Store` keeping each object serialized; reads return fresh, modifiable messages."""

    def __init__(self, message: type[M]) -> None:
        self._message = message
        self._packed: dict[str, tuple[int, bytes]] = {}
        super().__init__()

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, key: object) -> bool:
        return key in self._packed

    def get(self, key: str) -> M | None:
        entry = self._packed.get(key)
        return self._message.FromString(zlib.decompress(entry[1])) if entry is not None else None

    def list(self) -> builtins.list[M]:
        return [
            self._message.FromString(zlib.decompress(blob)) for _, blob in self._packed.values()
        ]

    def keys(self) -> builtins.list[str]:
        return list(self._packed)

    def revision(self, key: str) -> int:
        entry = self._packed.get(key)
        return entry[0] if entry is not None else -1

    def _objects(self) -> Iterator[tuple[str, M]]:
        return (
            (key, self._message.FromString(zlib.decompress(blob)))
            for key, (_, blob) in list(self._packed.items())
        )

    def _put(self, key: str, obj: M, old: M | None = None) -> None:
        if old is None and key in self._packed:
            old = self.get(key)
        if old is not None:
            self._unindex(key, old)
        blob = zlib.compress(obj.SerializeToString(), 1)
        self._packed[key] = (revision(metadata(obj).resource_version), blob)
        self._index_all(key, obj)

    def _remove(self, key: str, old: M) -> None:
        if self._packed.pop(key, None) is not None:
            self._unindex(key, old)
