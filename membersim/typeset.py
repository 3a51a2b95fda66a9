"""Interned, immutable sets of served resource types, shared between clusters.

A cluster serves the built-in types plus whatever its CRDs define. Almost
every simulated cluster has the same set (built-ins plus the default MCS
CRDs), so a `TypeSet` is interned by its custom types: a thousand clusters
hold references to one object, and the documents derived from it
(discovery, OpenAPI) are built once and cached on it. A cluster that
creates a CRD moves to another (possibly new) interned set; sets nobody
uses any more are freed (the intern table holds them weakly).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Final

from membersim.resources import BUILTINS, ResourceKey, ResourceType, version_priority


class TypeSet:
    """The resource types one or more clusters serve, with lookup indexes.

    Built-in types come first, in their catalog order; custom types follow,
    sorted. Do not construct directly: use `intern`.
    """

    __slots__ = ("__weakref__", "_by_key", "_by_path", "_documents", "_groups", "custom", "types")

    def __init__(self, custom: tuple[ResourceType, ...]) -> None:
        self.custom = custom
        self.types: tuple[ResourceType, ...] = BUILTINS + custom
        self._by_path: dict[tuple[str, str, str], ResourceType] = {
            (t.group, t.version, t.plural): t for t in self.types
        }
        self._by_key: dict[ResourceKey, list[ResourceType]] = {}
        groups: dict[str, list[str]] = {}
        for t in self.types:
            self._by_key.setdefault(t.key, []).append(t)
            versions = groups.setdefault(t.group, [])
            if t.version not in versions:
                versions.append(t.version)
        self._groups: dict[str, list[str]] = {
            group: sorted(versions, key=version_priority) for group, versions in groups.items()
        }
        self._documents: dict[str, bytes] = {}

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        """The type served at ``group/version/plural``, if any."""
        return self._by_path.get((group, version, plural))

    def versions_of(self, key: ResourceKey) -> list[ResourceType]:
        """Every served version of a resource."""
        return self._by_key.get(key, [])

    def groups(self) -> dict[str, list[str]]:
        """Group name -> served versions, preferred first; core ("") included."""
        return self._groups

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [t for t in self.types if t.group == group and t.version == version]

    def document(self, name: str, build: Callable[[TypeSet], bytes]) -> bytes:
        """A document derived from this set, built on first use and then shared."""
        cached = self._documents.get(name)
        if cached is None:
            cached = self._documents[name] = build(self)
        return cached


_INTERNED: Final[weakref.WeakValueDictionary[tuple[ResourceType, ...], TypeSet]] = (
    weakref.WeakValueDictionary()
)


def intern(custom: Iterable[ResourceType]) -> TypeSet:
    """The shared type set with the built-ins plus these custom types."""
    key = tuple(sorted(set(custom), key=lambda t: (t.group, t.plural, version_priority(t.version))))
    found = _INTERNED.get(key)
    if found is None:
        found = TypeSet(key)
        _INTERNED[key] = found
    return found
