"""Builds response bytes from stored object bytes without decoding them.

Objects are stored as serialized protobuf with an empty
metadata.resource_version. Protobuf parsers merge concatenated messages, so
appending an encoded ``metadata { resource_version: "N" }`` to stored bytes
yields the object at revision N, and repeated/embedded fields can be framed by
hand. Reads and watch fan-out therefore copy bytes instead of parsing and
re-serializing objects: one encoding per event serves every watcher.

Every kind message has metadata as field 3; every List response has items as
field 1, next_page_token as 2 and ListMeta as 3; every Watch response has the
event type as field 1 and the object as field 2 (checked at startup by
`apiserver.services.generic`).
"""

from __future__ import annotations

from collections.abc import Iterable

_METADATA = 0x1A  # field 3, length-delimited
_META_RESOURCE_VERSION = 0x22  # ObjectMeta field 4
_LIST_ITEM = 0x0A  # field 1
_LIST_TOKEN = 0x12  # field 2
_LIST_META = 0x1A  # field 3
_LISTMETA_RV = 0x0A  # ListMeta field 1
_LISTMETA_REMAINING = 0x10  # ListMeta field 2, varint
_WATCH_TYPE = 0x08  # field 1, varint
_WATCH_OBJECT = 0x12  # field 2


def varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(tag: int, payload: bytes) -> bytes:
    return bytes((tag,)) + varint(len(payload)) + payload


def resource_version_suffix(revision: int) -> bytes:
    """Encoded ``metadata { resource_version: "<revision>" }``."""
    return _field(_METADATA, _field(_META_RESOURCE_VERSION, str(revision).encode()))


def with_resource_version(stored: bytes, revision: int) -> bytes:
    """The stored object as returned to clients, at `revision`."""
    return stored + resource_version_suffix(revision)


def list_response(
    items: Iterable[bytes], *, next_page_token: str, revision: int, remaining: int
) -> bytes:
    """A List<Kind>Response from already-encoded objects."""
    parts = [_field(_LIST_ITEM, item) for item in items]
    if next_page_token:
        parts.append(_field(_LIST_TOKEN, next_page_token.encode()))
    list_meta = _field(_LISTMETA_RV, str(revision).encode())
    if remaining:
        list_meta += bytes((_LISTMETA_REMAINING,)) + varint(remaining)
    parts.append(_field(_LIST_META, list_meta))
    return b"".join(parts)


def watch_response(event_type: int, obj: bytes) -> bytes:
    """A Watch<Kind>Response carrying an already-encoded object."""
    return bytes((_WATCH_TYPE,)) + varint(event_type) + _field(_WATCH_OBJECT, obj)


def bookmark(revision: int) -> bytes:
    """A BOOKMARK watch event whose object carries only the revision."""
    return watch_response(4, resource_version_suffix(revision))
