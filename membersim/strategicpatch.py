"""Strategic merge patch, ``application/strategic-merge-patch+json``.

This is the patch ``kubectl apply`` sends when it re-applies a built-in
kind: a JSON merge patch in which some lists are merged element by element
(containers by ``name``, container ports by ``containerPort``, env by
``name``) instead of replaced, plus a few directives. The merge rules come
from struct tags on the Go types (``patchStrategy:"merge"``,
``patchMergeKey:"name"``); the simulator has no Go types, so
`membersim.patchschema` keeps a table of the fields that matter, and
everything else behaves as in a JSON merge patch.

Supported:

* maps merged recursively, ``null`` deleting a key;
* lists of maps with a merge key merged by that key (new items appended),
  lists of primitives with the merge strategy (``finalizers``) merged as
  sets, all other lists replaced;
* ``$patch: replace`` and ``$patch: delete`` in maps and in list items,
  ``$patch: merge`` (the default);
* ``$setElementOrder/<field>`` (items it names come first, in its order;
  items only the server has follow in their old order, which is simpler
  than apimachinery's interleaving but keeps the same set);
* ``$deleteFromPrimitiveList/<field>`` and ``$retainKeys``.

Not supported: the OpenAPI-driven rules of custom resources (kube-apiserver
itself refuses strategic merge for them), ``x-kubernetes-list-map-keys``
with several keys (the first key is used), and list items that mix
primitives and maps.
"""

from __future__ import annotations

from typing import Any, Final

from membersim.patchschema import GENERIC, Field, Schema

_PATCH: Final = "$patch"
_RETAIN_KEYS: Final = "$retainKeys"
_SET_ORDER: Final = "$setElementOrder/"
_DELETE_PRIMITIVES: Final = "$deleteFromPrimitiveList/"
_DELETE: Final = object()


class StrategicPatchError(ValueError):
    """A patch with an unknown directive or a shape the merge cannot follow."""


def apply(original: dict[str, Any], patch: Any, schema: Schema = GENERIC) -> dict[str, Any]:
    """Return `original` with `patch` applied; neither argument is modified.

    Args:
        original: the current object.
        patch: the strategic merge patch (a JSON object).
        schema: the merge rules of the object's kind (`patchschema.for_kind`).

    Raises:
        StrategicPatchError: the patch is not an object, or uses an unknown
            directive.
    """
    if not isinstance(patch, dict):
        raise StrategicPatchError("a strategic merge patch must be a JSON object")
    merged = _merge_map(original, patch, schema)
    if merged is _DELETE:
        return {}
    assert isinstance(merged, dict)
    return merged


def _merge_map(original: dict[str, Any], patch: dict[str, Any], schema: Schema) -> Any:
    directive = patch.get(_PATCH, "merge")
    if directive == "replace":
        return _strip({k: v for k, v in patch.items() if k != _PATCH}, schema)
    if directive == "delete":
        return _DELETE
    if directive != "merge":
        raise StrategicPatchError(f"unknown patch directive {directive!r}")
    result = dict(original)
    orders: dict[str, list[Any]] = {}
    removals: dict[str, list[Any]] = {}
    retain = patch.get(_RETAIN_KEYS)
    for key, value in patch.items():
        if key in (_PATCH, _RETAIN_KEYS):
            continue
        if key.startswith(_SET_ORDER):
            orders[key[len(_SET_ORDER) :]] = _as_list(value, key)
            continue
        if key.startswith(_DELETE_PRIMITIVES):
            removals[key[len(_DELETE_PRIMITIVES) :]] = _as_list(value, key)
            continue
        if key.startswith("$"):
            raise StrategicPatchError(f"unknown patch directive {key!r}")
        if value is None:
            result.pop(key, None)
            continue
        field = schema.get(key)
        current = result.get(key)
        if isinstance(value, dict):
            sub = field.schema if field is not None else GENERIC
            merged = _merge_map(current if isinstance(current, dict) else {}, value, sub)
            if merged is _DELETE:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list) and field is not None and field.merges:
            result[key] = _merge_list(current if isinstance(current, list) else [], value, field)
        else:
            result[key] = _strip(value, field.schema if field is not None else GENERIC)
    for key, doomed in removals.items():
        if isinstance(result.get(key), list):
            result[key] = [item for item in result[key] if item not in doomed]
    for key, order in orders.items():
        if isinstance(result.get(key), list):
            field = schema.get(key)
            result[key] = _reorder(result[key], order, field.merge_key if field else None)
    if retain is not None:
        keep = set(_as_list(retain, _RETAIN_KEYS))
        result = {k: v for k, v in result.items() if k in keep}
    return result


def _merge_list(original: list[Any], patch: list[Any], field: Field) -> list[Any]:
    replace = [
        i
        for i, item in enumerate(patch)
        if isinstance(item, dict) and item.get(_PATCH) == "replace"
    ]
    if replace:
        rest = [item for i, item in enumerate(patch) if i not in replace]
        return [_strip(item, field.schema) for item in rest]
    key = field.merge_key
    if key is None:  # a set of primitives
        result = list(original)
        result.extend(item for item in patch if item not in result)
        return result
    result = list(original)
    for item in patch:
        if not isinstance(item, dict):
            raise StrategicPatchError(f"list merged by {key!r} holds a non-object item")
        if key not in item:
            raise StrategicPatchError(f"map in list merged by {key!r} lacks that key")
        position = next(
            (
                i
                for i, old in enumerate(result)
                if isinstance(old, dict) and old.get(key) == item[key]
            ),
            None,
        )
        if item.get(_PATCH) == "delete":
            if position is not None:
                del result[position]
            continue
        merged = _merge_map(result[position] if position is not None else {}, item, field.schema)
        if merged is _DELETE:
            continue
        if position is None:
            result.append(merged)
        else:
            result[position] = merged
    return result


def _reorder(items: list[Any], order: list[Any], key: str | None) -> list[Any]:
    """Items named by `order` first, in its order; the rest keep their relative order."""

    def identity(item: Any) -> Any:
        if key is not None and isinstance(item, dict):
            return item.get(key)
        return item

    wanted = [identity(entry) for entry in order]
    ranked = {value: rank for rank, value in enumerate(wanted) if _hashable(value)}
    first = sorted(
        (item for item in items if _hashable(identity(item)) and identity(item) in ranked),
        key=lambda item: ranked[identity(item)],
    )
    rest = [item for item in items if not (_hashable(identity(item)) and identity(item) in ranked)]
    return first + rest


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _strip(value: Any, schema: Schema) -> Any:
    """A value taken whole from the patch, with directives and nulls removed."""
    if isinstance(value, dict):
        if value.get(_PATCH) == "delete":
            return {}
        merged = _merge_map({}, value, schema)
        return {} if merged is _DELETE else merged
    if isinstance(value, list):
        return [
            _strip(item, schema)
            for item in value
            if not (
                isinstance(item, dict)
                and item.get(_PATCH) in ("delete", "replace")
                and len(item) == 1
            )
        ]
    return value


def _as_list(value: Any, directive: str) -> list[Any]:
    if not isinstance(value, list):
        raise StrategicPatchError(f"{directive} must be a list")
    return value
