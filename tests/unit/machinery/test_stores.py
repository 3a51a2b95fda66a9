"""Plain and packed informer stores behave alike, except that packed reads are fresh copies."""

from __future__ import annotations

import pytest

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.scheme import template_kind
from karmada.machinery.stores import NAMESPACE_INDEX, PackedStore, Store

CONFIGMAP = template_kind("v1", "ConfigMap")
Template = resource_template_pb2.ResourceTemplate


def configmap(namespace: str, name: str, version: str, tier: str) -> Template:
    obj = CONFIGMAP.new(name=name, namespace=namespace)
    obj.metadata.resource_version = version
    obj.metadata.labels["tier"] = tier
    return obj


@pytest.fixture(params=["plain", "packed"])
def store(request: pytest.FixtureRequest) -> Store[Template]:
    made: Store[Template] = Store() if request.param == "plain" else PackedStore(Template)
    made.add_index("tier", lambda obj: [obj.metadata.labels["tier"]])
    return made


def test_put_get_index_and_remove(store: Store[Template]) -> None:
    store._put("a/x", configmap("a", "x", "5", "web"))
    store._put("a/y", configmap("a", "y", "6", "db"))
    store._put("b/z", configmap("b", "z", "7", "web"))
    assert len(store) == 3 and "a/x" in store and sorted(store) == ["a/x", "a/y", "b/z"]
    assert store.revision("a/y") == 6 and store.revision("nope") == -1
    assert store.index_keys("tier", "web") == ["a/x", "b/z"]
    assert [o.metadata.name for o in store.by_index(NAMESPACE_INDEX, "a")] == ["x", "y"]

    old = store.get("a/x")
    assert old is not None
    store._put("a/x", configmap("a", "x", "9", "db"), old)
    assert store.index_keys("tier", "web") == ["b/z"]
    assert store.index_keys("tier", "db") == ["a/x", "a/y"]
    assert store.revision("a/x") == 9

    gone = store.get("a/y")
    assert gone is not None
    store._remove("a/y", gone)
    assert store.get("a/y") is None and store.index_keys("tier", "db") == ["a/x"]
    with pytest.raises(KeyError):
        store.index_keys("no-such-index", "x")


def test_index_added_later_covers_stored_objects(store: Store[Template]) -> None:
    store._put("a/x", configmap("a", "x", "1", "web"))
    store.add_index("name", lambda obj: [obj.metadata.name])
    assert store.index_keys("name", "x") == ["a/x"]
    with pytest.raises(ValueError, match="already exists"):
        store.add_index("name", lambda obj: [])
    store.ensure_index("name", lambda obj: ["ignored"])
    assert store.index_keys("name", "x") == ["a/x"]
    store.ensure_index("tier-again", lambda obj: [obj.metadata.labels["tier"]])
    assert store.index_keys("tier-again", "web") == ["a/x"]


def test_packed_reads_are_fresh_copies() -> None:
    store: Store[Template] = PackedStore(Template)
    store._put("a/x", configmap("a", "x", "1", "web"))
    first = store.get("a/x")
    assert first is not None
    first.metadata.labels["tier"] = "changed by a reader"
    again = store.get("a/x")
    assert again is not None and again.metadata.labels["tier"] == "web"
    assert store.list()[0] == again
