"""JSON pointers (RFC 6901) and the add / remove / replace operations of JSON patch (RFC 6902).

Every overrider ends as JSON patch operations on the manifest (or on a JSON or
YAML document held in one of its fields), as Karmada applies them with
evanphx/json-patch. No JSON-patch library is installed in this project, and
overriders need only three operations, so this module implements them with
that library's default behaviour:

* ``add`` sets an object member (replacing an existing one) or inserts into an
  array at an index, ``-`` appending; the parent must exist.
* ``remove`` and ``replace`` need the target to exist.
* array indices may be negative, counting from the end.
* a patch applies to a copy: when one operation fails, the document is left
  as it was and `PatchError` says which operation failed and why.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["MISSING", "Operation", "PatchError", "apply_patch", "escape", "get", "parse_pointer"]

MISSING: Final[Any] = object()
"""The value of an operation that has none (remove)."""


class PatchError(ValueError):
    """An operation that cannot apply to the document, or a malformed pointer."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One JSON patch operation: op is "add", "remove" or "replace"."""

    op: str
    path: str
    value: Any = MISSING


def escape(token: str) -> str:
    """A reference token as it appears in a pointer: ``~`` to ``~0``, ``/`` to ``~1``."""
    return token.replace("~", "~0").replace("/", "~1")


def parse_pointer(pointer: str) -> list[str]:
    """The reference tokens of `pointer` ("" is the whole document)."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"JSON pointer {pointer!r} must start with '/'")
    tokens = pointer[1:].split("/")
    for token in tokens:
        rest = token.replace("~0", "").replace("~1", "")
        if "~" in rest:
            raise PatchError(f"JSON pointer {pointer!r} has an invalid '~' escape")
    return [token.replace("~1", "/").replace("~0", "~") for token in tokens]


def _index(token: str, length: int, *, inserting: bool, pointer: str) -> int:
    if inserting and token == "-":
        return length
    try:
        index = int(token)
    except ValueError:
        raise PatchError(f"{pointer!r}: {token!r} is not an array index") from None
    if token != str(index):
        raise PatchError(f"{pointer!r}: {token!r} is not an array index")
    if index < 0:
        index += length
    upper = length if inserting else length - 1
    if not 0 <= index <= upper:
        raise PatchError(f"{pointer!r}: index {token} is out of range")
    return index


def _child(node: Any, token: str, pointer: str) -> Any:
    if isinstance(node, dict):
        if token not in node:
            raise PatchError(f"{pointer!r}: the document has no member {token!r}")
        return node[token]
    if isinstance(node, list):
        return node[_index(token, len(node), inserting=False, pointer=pointer)]
    raise PatchError(f"{pointer!r}: cannot descend into a {type(node).__name__}")


def get(document: Any, pointer: str) -> Any:
    """The value `pointer` names in `document`; PatchError if there is none."""
    node = document
    for token in parse_pointer(pointer):
        node = _child(node, token, pointer)
    return node


def _apply_one(document: Any, operation: Operation) -> Any:
    tokens = parse_pointer(operation.path)
    value = None if operation.value is MISSING else copy.deepcopy(operation.value)
    if operation.op not in ("add", "remove", "replace"):
        raise PatchError(f"unsupported operation {operation.op!r}")
    if not tokens:
        if operation.op == "remove":
            raise PatchError("cannot remove the whole document")
        return value
    parent = document
    for token in tokens[:-1]:
        parent = _child(parent, token, operation.path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if operation.op != "add" and last not in parent:
            raise PatchError(
                f"{operation.op} {operation.path!r}: the document has no member {last!r}"
            )
        if operation.op == "remove":
            del parent[last]
        else:
            parent[last] = value
    elif isinstance(parent, list):
        index = _index(last, len(parent), inserting=operation.op == "add", pointer=operation.path)
        if operation.op == "add":
            parent.insert(index, value)
        elif operation.op == "remove":
            del parent[index]
        else:
            parent[index] = value
    else:
        raise PatchError(f"{operation.path!r}: the parent is a {type(parent).__name__}")
    return document


def apply_patch(document: Any, operations: Iterable[Operation]) -> Any:
    """A copy of `document` with `operations` applied in order.

    Raises:
        PatchError: an operation does not apply; `document` is unchanged.
    """
    result = copy.deepcopy(document)
    for operation in operations:
        result = _apply_one(result, operation)
    return result
