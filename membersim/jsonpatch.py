"""JSON patch (RFC 6902), ``application/json-patch+json``.

An ordered list of operations (add, remove, replace, move, copy, test) on
JSON pointers (RFC 6901). Controllers use it for precise edits such as
``test`` the resourceVersion then ``replace`` a field; kubectl patch
``--type=json`` sends it. Application is all-or-nothing: the input is
never modified, and any failing operation rejects the whole patch.
"""

from __future__ import annotations

import copy
from typing import Any


class JsonPatchError(ValueError):
    """An operation that cannot be applied (bad pointer, failed test, bad op)."""


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise JsonPatchError(f"invalid JSON pointer {pointer!r}: must start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, *, for_add: bool) -> int:
    if token == "-" and for_add:
        return len(container)
    if not token.isdigit() or (token.startswith("0") and token != "0"):
        raise JsonPatchError(f"invalid array index {token!r}")
    index = int(token)
    limit = len(container) if for_add else len(container) - 1
    if index > limit:
        raise JsonPatchError(f"array index {index} out of range")
    return index


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    tokens = _tokens(pointer)
    if not tokens:
        raise JsonPatchError("the whole document cannot be the target of this operation")
    return _get_tokens(doc, tokens[:-1], pointer), tokens[-1]


def _get_tokens(doc: Any, tokens: list[str], pointer: str) -> Any:
    value = doc
    for token in tokens:
        if isinstance(value, dict):
            if token not in value:
                raise JsonPatchError(f"path {pointer!r} not found")
            value = value[token]
        elif isinstance(value, list):
            value = value[_index(value, token, for_add=False)]
        else:
            raise JsonPatchError(f"path {pointer!r} not found")
    return value


def _get(doc: Any, pointer: str) -> Any:
    return _get_tokens(doc, _tokens(pointer), pointer)


def _add(doc: Any, pointer: str, value: Any) -> Any:
    if pointer == "":
        return value
    parent, token = _parent(doc, pointer)
    if isinstance(parent, dict):
        parent[token] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, token, for_add=True), value)
    else:
        raise JsonPatchError(f"path {pointer!r} not found")
    return doc


def _remove(doc: Any, pointer: str) -> tuple[Any, Any]:
    parent, token = _parent(doc, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise JsonPatchError(f"path {pointer!r} not found")
        return doc, parent.pop(token)
    if isinstance(parent, list):
        return doc, parent.pop(_index(parent, token, for_add=False))
    raise JsonPatchError(f"path {pointer!r} not found")


def apply(doc: Any, operations: Any) -> Any:
    """Return `doc` with `operations` applied in order.

    Raises:
        JsonPatchError: the patch is malformed or an operation fails.
    """
    if not isinstance(operations, list):
        raise JsonPatchError("a JSON patch must be a list of operations")
    result = copy.deepcopy(doc)
    for number, op in enumerate(operations):
        if not isinstance(op, dict) or not isinstance(op.get("path"), str):
            raise JsonPatchError(f"operation {number} is not an object with a string 'path'")
        kind, path = op.get("op"), op["path"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise JsonPatchError(f"operation {number} ({kind}) has no 'value'")
        if kind in ("move", "copy") and not isinstance(op.get("from"), str):
            raise JsonPatchError(f"operation {number} ({kind}) has no 'from'")
        match kind:
            case "add":
                result = _add(result, path, copy.deepcopy(op["value"]))
            case "remove":
                result, _ = _remove(result, path)
            case "replace":
                if path == "":
                    result = copy.deepcopy(op["value"])
                else:
                    result, _ = _remove(result, path)
                    result = _add(result, path, copy.deepcopy(op["value"]))
            case "move":
                if path.startswith(op["from"] + "/"):
                    raise JsonPatchError(f"cannot move {op['from']!r} into its own child {path!r}")
                result, value = _remove(result, op["from"])
                result = _add(result, path, value)
            case "copy":
                result = _add(result, path, copy.deepcopy(_get(result, op["from"])))
            case "test":
                if _get(result, path) != op["value"]:
                    raise JsonPatchError(f"testing value {path} failed")
            case _:
                raise JsonPatchError(f"unexpected kind of operation {kind!r}")
    return result
