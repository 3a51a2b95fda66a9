"""How the member watches order resourceVersions against an apply's own result, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.memberwatch import version_order


def _at(version: str) -> dict[str, Any]:
    return {"metadata": {"resourceVersion": version}}


@pytest.mark.parametrize(
    ("a", "b", "order"),
    [
        ("7", "7", 0),
        ("6", "7", -1),
        ("10", "9", 1),
        ("abc", "abc", 0),
        ("abc", "7", None),
        ("", "7", None),
    ],
)
def test_version_order(a: str, b: str, order: int | None) -> None:
    assert version_order(_at(a), _at(b)) == order
