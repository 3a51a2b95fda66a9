"""PackedObjects: a mapping that keeps objects as JSON and hands out fresh copies."""

from __future__ import annotations

from typing import Any

from controller_manager.packed import PackedObjects


def test_round_trip_and_fresh_copies() -> None:
    objects = PackedObjects()
    obj: dict[str, Any] = {"metadata": {"name": "a", "labels": {"x": "é"}}, "data": {"k": "v"}}
    objects["ns/a"] = obj
    obj["data"]["k"] = "changed after storing"
    first = objects["ns/a"]
    assert first == {"metadata": {"name": "a", "labels": {"x": "é"}}, "data": {"k": "v"}}
    first["data"]["k"] = "changed by a reader"
    assert objects["ns/a"]["data"] == {"k": "v"}
    assert "ns/a" in objects and "ns/b" not in objects
    assert list(objects) == ["ns/a"] and len(objects) == 1
    assert objects.get("ns/b") is None
    assert objects.pop("ns/a")["metadata"]["name"] == "a"
    assert len(objects) == 0
