"""Member objects kept packed: compressed compact JSON instead of dicts.

The member watches hold an object for every managed object of every Push
member, tens of thousands at scale, and a Python dict takes several times the
memory of the object's JSON. They are held far longer than read (a read per
status check or ownership check), so they are kept as zlib-compressed JSON
(level 1: a few microseconds each way) and parsed on read; every read returns
a fresh dict, which no caller can corrupt for the others.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, MutableMapping
from typing import Any

__all__ = ["PackedObjects"]


class PackedObjects(MutableMapping[str, dict[str, Any]]):
    """A mapping of names to objects that stores each as compact JSON."""

    def __init__(self) -> None:
        self._packed: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> dict[str, Any]:
        obj: dict[str, Any] = json.loads(zlib.decompress(self._packed[name]))
        return obj

    def __setitem__(self, name: str, obj: dict[str, Any]) -> None:
        self._packed[name] = zlib.compress(json.dumps(obj, separators=(",", ":")).encode(), 1)

    def __delitem__(self, name: str) -> None:
        del self._packed[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, name: object) -> bool:
        return name in self._packed
