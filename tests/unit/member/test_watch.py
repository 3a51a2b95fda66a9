"""The pure part of list_and_watch: what a relist changes against what was known."""

from __future__ import annotations

from typing import Any

import pytest

from karmada.member.watch import relist_changes


def cm(name: str, rv: str, namespace: str = "default") -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": namespace, "resourceVersion": rv}}


def state(*objects: dict[str, Any]) -> dict[str, str]:
    return {
        f"{o['metadata']['namespace']}/{o['metadata']['name']}": o["metadata"]["resourceVersion"]
        for o in objects
    }


@pytest.mark.parametrize(
    ("known", "listed", "expected"),
    [
        ([], [], []),
        ([], [cm("a", "1")], [("ADDED", "a", "1")]),
        ([cm("a", "1")], [cm("a", "1")], []),
        ([cm("a", "1")], [cm("a", "7")], [("MODIFIED", "a", "7")]),
        ([cm("a", "1"), cm("b", "2")], [cm("a", "1")], [("DELETED", "b", "2")]),
        (
            [cm("a", "1"), cm("b", "2")],
            [cm("a", "11"), cm("c", "13")],
            [("DELETED", "b", "2"), ("MODIFIED", "a", "11"), ("ADDED", "c", "13")],
        ),
        ([cm("a", "1", "x")], [cm("a", "1", "y")], [("DELETED", "a", "1"), ("ADDED", "a", "1")]),
    ],
)
def test_relist_changes(
    known: list[dict[str, Any]], listed: list[dict[str, Any]], expected: list[tuple[str, str, str]]
) -> None:
    new_state, changes = relist_changes(state(*known), listed)
    assert new_state == state(*listed)
    assert [(c.type, c.object["metadata"]["name"], c.resource_version) for c in changes] == expected
    for change in changes:
        assert change.object["metadata"]["namespace"] in ("default", "x", "y")
