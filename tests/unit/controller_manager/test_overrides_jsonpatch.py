"""JSON pointer and add / remove / replace, with evanphx/json-patch's default behaviour."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.overrides.jsonpatch import (
    MISSING,
    Operation,
    PatchError,
    apply_patch,
    escape,
    get,
    parse_pointer,
)

DOC: dict[str, Any] = {"a": {"b": [1, 2, 3], "c": "x"}, "k/e~y": 1}


@pytest.mark.parametrize(
    ("pointer", "tokens"),
    [
        ("", []),
        ("/a", ["a"]),
        ("/a/b/0", ["a", "b", "0"]),
        ("/k~1e~0y", ["k/e~y"]),
        ("/", [""]),
    ],
)
def test_parse_pointer(pointer: str, tokens: list[str]) -> None:
    assert parse_pointer(pointer) == tokens


@pytest.mark.parametrize("pointer", ["a", "/a~2", "/~"])
def test_parse_pointer_rejects(pointer: str) -> None:
    with pytest.raises(PatchError):
        parse_pointer(pointer)


def test_escape_round_trips() -> None:
    assert parse_pointer("/" + escape("app.kubernetes.io/name~x")) == ["app.kubernetes.io/name~x"]


@pytest.mark.parametrize(
    ("pointer", "value"),
    [("/a/c", "x"), ("/a/b/1", 2), ("/a/b/-1", 3), ("/k~1e~0y", 1), ("", DOC)],
)
def test_get(pointer: str, value: Any) -> None:
    assert get(DOC, pointer) == value


@pytest.mark.parametrize("pointer", ["/missing", "/a/b/3", "/a/b/x", "/a/c/d", "/a/b/01"])
def test_get_missing(pointer: str) -> None:
    with pytest.raises(PatchError):
        get(DOC, pointer)


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        ([Operation("add", "/a/d", 1)], {"a": {"b": [1, 2, 3], "c": "x", "d": 1}}),
        ([Operation("add", "/a/c", "y")], {"a": {"b": [1, 2, 3], "c": "y"}}),
        ([Operation("add", "/a/b/0", 0)], {"a": {"b": [0, 1, 2, 3], "c": "x"}}),
        ([Operation("add", "/a/b/-", 4)], {"a": {"b": [1, 2, 3, 4], "c": "x"}}),
        ([Operation("add", "/a/b/3", 4)], {"a": {"b": [1, 2, 3, 4], "c": "x"}}),
        ([Operation("add", "/a/d", MISSING)], {"a": {"b": [1, 2, 3], "c": "x", "d": None}}),
        ([Operation("remove", "/a/c")], {"a": {"b": [1, 2, 3]}}),
        ([Operation("remove", "/a/b/-1")], {"a": {"b": [1, 2], "c": "x"}}),
        ([Operation("replace", "/a/b/0", 9)], {"a": {"b": [9, 2, 3], "c": "x"}}),
        ([Operation("replace", "/a", {"z": 1})], {"a": {"z": 1}}),
        ([Operation("replace", "", [1])], [1]),
        (
            [Operation("add", "/a/e", {}), Operation("add", "/a/e/f", 1)],
            {"a": {"b": [1, 2, 3], "c": "x", "e": {"f": 1}}},
        ),
    ],
)
def test_apply(operations: list[Operation], expected: Any) -> None:
    doc = {"a": {"b": [1, 2, 3], "c": "x"}}
    assert apply_patch(doc, operations) == expected
    assert doc == {"a": {"b": [1, 2, 3], "c": "x"}}


@pytest.mark.parametrize(
    "operation",
    [
        Operation("add", "/missing/child", 1),
        Operation("add", "/a/b/5", 1),
        Operation("remove", "/a/missing"),
        Operation("remove", "/a/b/3"),
        Operation("remove", ""),
        Operation("replace", "/a/missing", 1),
        Operation("replace", "/a/b/-", 1),
        Operation("move", "/a/c", 1),
        Operation("add", "/a/c/x", 1),
        Operation("add", "a/c", 1),
    ],
)
def test_apply_fails_and_leaves_document(operation: Operation) -> None:
    doc = {"a": {"b": [1, 2, 3], "c": "x"}}
    with pytest.raises(PatchError):
        apply_patch(doc, [Operation("add", "/a/new", 1), operation])
    assert doc == {"a": {"b": [1, 2, 3], "c": "x"}}


def test_values_are_copied() -> None:
    value = {"x": [1]}
    patched = apply_patch({}, [Operation("add", "/v", value)])
    value["x"].append(2)
    assert patched == {"v": {"x": [1]}}
