"""ClusterIP and pod IP allocation; the faults document."""

from __future__ import annotations

from typing import Any

import pytest

from membersim import errors, ipam
from membersim.faults import FaultError, Faults
from membersim.store import Store


def _service(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"type": "ClusterIP", **spec},
    }


def _stored(store: Store, service: dict[str, Any]) -> None:
    store.put(("", "services"), service)


def test_cluster_ips_are_distinct_and_reused_after_delete() -> None:
    store = Store()
    first, second = _service("a"), _service("b")
    ipam.assign_cluster_ip(store, first)
    _stored(store, first)
    ipam.assign_cluster_ip(store, second)
    _stored(store, second)
    assert first["spec"]["clusterIP"] == "10.96.0.2"  # .0.1 is the kubernetes Service's
    assert second["spec"]["clusterIP"] == "10.96.0.3"
    assert second["spec"]["clusterIPs"] == ["10.96.0.3"]
    store.remove(("", "services"), first)
    third = _service("c")
    ipam.assign_cluster_ip(store, third)
    assert third["spec"]["clusterIP"] == "10.96.0.2"


def test_headless_external_name_and_requested_addresses() -> None:
    store = Store()
    headless = _service("h", clusterIP="None")
    ipam.assign_cluster_ip(store, headless)
    assert headless["spec"]["clusterIPs"] == ["None"]
    external = _service("e", type="ExternalName", externalName="example.com")
    ipam.assign_cluster_ip(store, external)
    assert "clusterIP" not in external["spec"]
    wanted = _service("w", clusterIP="10.96.7.7")
    ipam.assign_cluster_ip(store, wanted)
    _stored(store, wanted)
    for address in ("10.96.7.7", "192.168.0.1", "nonsense"):
        with pytest.raises(errors.ApiError) as err:
            ipam.assign_cluster_ip(store, _service("x", clusterIP=address))
        assert err.value.code == 422


def test_update_keeps_cluster_ip() -> None:
    new: dict[str, Any] = {"spec": {"ports": []}}
    ipam.keep_cluster_ip(new, {"spec": {"clusterIP": "10.96.0.9", "clusterIPs": ["10.96.0.9"]}})
    assert new["spec"]["clusterIP"] == "10.96.0.9"


def test_pod_ips_are_per_cluster_loopback_blocks() -> None:
    first, counter = ipam.pod_ip(0, 0, ())
    assert first == "127.0.16.1"
    second, counter = ipam.pod_ip(0, counter, {first})
    assert second == "127.0.16.2"
    other, _ = ipam.pod_ip(999, 0, ())
    assert other.startswith("127.") and other not in (first, second, "127.0.0.1")
    # The search wraps around the block, skipping addresses in use.
    last, wrapped = ipam.pod_ip(0, ipam.POD_BLOCK - 3, ())
    assert last == "127.0.31.254"
    assert ipam.pod_ip(0, wrapped, {first})[0] == second


def test_faults_document() -> None:
    faults = Faults().merged(
        {"unreachable": True, "failPods": {"namespace": "ns", "selector": "app=web"}}
    )
    assert faults.unreachable and faults.fail_pods is not None
    assert faults.fail_pods.matches("ns", {"app": "web"})
    assert not faults.fail_pods.matches("other", {"app": "web"})
    assert faults.to_json()["failPods"] == {"namespace": "ns", "selector": "app=web"}
    mapped = Faults().merged({"failPods": {"selector": {"matchLabels": {"app": "x"}}}})
    assert mapped.fail_pods is not None and mapped.fail_pods.matches("any", {"app": "x"})
    assert Faults().merged({}).empty
    bad: Any
    for bad in (
        {"errorRate": 1.5},
        {"latencySeconds": -1},
        {"unreachable": "yes"},
        {"nope": 1},
        [],
        {"failPods": {"selector": "a in"}},
    ):
        with pytest.raises(FaultError):
            Faults().merged(bad)
