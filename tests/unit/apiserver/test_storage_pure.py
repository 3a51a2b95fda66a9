"""Pure parts of the storage layer: key ranges, etcd targets, hand-built wire bytes."""

from __future__ import annotations

import pytest

from apiserver.storage import codec
from apiserver.storage.etcd import EtcdError, _target, prefix_end
from karmada.cluster.v1alpha1 import cluster_pb2, cluster_service_pb2
from karmada.meta.v1 import meta_pb2


@pytest.mark.parametrize(
    ("prefix", "end"),
    [(b"/registry/a/", b"/registry/a0"), (b"a\xff", b"b"), (b"\xff\xff", b"\0"), (b"x", b"y")],
)
def test_prefix_end(prefix: bytes, end: bytes) -> None:
    assert prefix_end(prefix) == end


@pytest.mark.parametrize(
    ("endpoints", "target", "balanced"),
    [
        (["127.0.0.1:2379"], "127.0.0.1:2379", False),
        (["http://127.0.0.1:2379/"], "127.0.0.1:2379", False),
        (["10.0.0.1:2379", "10.0.0.2:2379"], "ipv4:10.0.0.1:2379,10.0.0.2:2379", True),
        (["dns:///etcd.karmada-system.svc:2379"], "dns:///etcd.karmada-system.svc:2379", True),
    ],
)
def test_etcd_target(endpoints: list[str], target: str, balanced: bool) -> None:
    got, options = _target(endpoints)
    assert got == target
    assert bool(options) == balanced


def test_several_hostnames_are_refused() -> None:
    with pytest.raises(EtcdError, match="dns:///"):
        _target(["etcd-0:2379", "etcd-1:2379"])


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 16384, 2**35])
def test_varint_round_trips(value: int) -> None:
    raw = codec.varint(value)
    decoded, shift = 0, 0
    for byte in raw:
        decoded |= (byte & 0x7F) << shift
        shift += 7
    assert decoded == value
    assert all(b & 0x80 for b in raw[:-1]) and not raw[-1] & 0x80


def test_resource_version_is_merged_into_stored_bytes() -> None:
    stored = cluster_pb2.Cluster(kind="Cluster", metadata=meta_pb2.ObjectMeta(name="m1", uid="u"))
    out = cluster_pb2.Cluster.FromString(
        codec.with_resource_version(stored.SerializeToString(), 42)
    )
    assert out.metadata.resource_version == "42"
    assert out.metadata.name == "m1" and out.metadata.uid == "u" and out.kind == "Cluster"


@pytest.mark.parametrize(("token", "remaining"), [("", 0), ("next", 7)])
def test_list_response_bytes(token: str, remaining: int) -> None:
    items = [
        codec.with_resource_version(
            cluster_pb2.Cluster(metadata=meta_pb2.ObjectMeta(name=n)).SerializeToString(), i
        )
        for i, n in enumerate(["a", "b"], start=5)
    ]
    raw = codec.list_response(items, next_page_token=token, revision=9, remaining=remaining)
    response = cluster_service_pb2.ListClustersResponse.FromString(raw)
    assert [(c.metadata.name, c.metadata.resource_version) for c in response.clusters] == [
        ("a", "5"),
        ("b", "6"),
    ]
    assert response.next_page_token == token
    assert response.metadata.resource_version == "9"
    assert response.metadata.remaining_item_count == remaining


def test_watch_and_bookmark_bytes() -> None:
    obj = cluster_pb2.Cluster(metadata=meta_pb2.ObjectMeta(name="w")).SerializeToString()
    event = cluster_service_pb2.WatchClustersResponse.FromString(codec.watch_response(2, obj))
    assert event.type == meta_pb2.WATCH_EVENT_TYPE_MODIFIED and event.object.metadata.name == "w"
    mark = cluster_service_pb2.WatchClustersResponse.FromString(codec.bookmark(77))
    assert mark.type == meta_pb2.WATCH_EVENT_TYPE_BOOKMARK
    assert mark.object.metadata.resource_version == "77"
