"""Fault injection through the admin endpoint and the CLI flags."""

# The generated models type every field Optional; these tests read them directly.
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import gc
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client
from urllib3.exceptions import HTTPError

from karmada.member import ClientOptions, MemberClient
from tests.integration.membersim.conftest import api_client
from tests.integration.membersim.test_behaviour import deployment, eventually, pods_of
from tests.support.membersim import SimulatorProcess


@pytest.fixture
def clear_faults(simulator: SimulatorProcess) -> Iterator[None]:
    yield
    for cluster in simulator.urls:
        simulator.faults(cluster, "DELETE")


def _fast(api: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api)


@pytest.mark.usefixtures("clear_faults")
def test_admin_endpoint_shape(simulator: SimulatorProcess) -> None:
    empty = {"unreachable": False, "latencySeconds": 0.0, "errorRate": 0.0, "failPods": None}
    assert simulator.faults("member2") == empty
    set_ = simulator.faults(
        "member2",
        "POST",
        {"latencySeconds": 0.2, "failPods": {"namespace": "x", "selector": "app=web"}},
    )
    assert set_["latencySeconds"] == 0.2
    assert set_["failPods"] == {"namespace": "x", "selector": "app=web"}
    patched = simulator.faults("member2", "PATCH", {"errorRate": 0.5})
    assert (patched["errorRate"], patched["latencySeconds"]) == (0.5, 0.2)
    assert simulator.faults("member2", "DELETE") == empty
    with pytest.raises(urllib.error.HTTPError) as err:
        simulator.faults("member2", "POST", {"errorRate": 2})
    assert err.value.code == 400


# urllib3 leaves the socket the server dropped for the garbage collector.
DROPPED_SOCKETS = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@DROPPED_SOCKETS
@pytest.mark.usefixtures("clear_faults")
def test_unreachable_slow_and_failing(
    simulator: SimulatorProcess, member2: client.ApiClient
) -> None:
    core = client.CoreV1Api(member2)
    assert core.list_namespace().items

    simulator.faults("member2", "POST", {"unreachable": True})
    with api_client(simulator.kubeconfig("member2")) as api, pytest.raises(HTTPError):
        _fast(api).list_namespace(_request_timeout=2)
    gc.collect()
    simulator.faults("member2", "DELETE")
    assert core.list_namespace().items

    simulator.faults("member2", "POST", {"errorRate": 1.0})
    with pytest.raises(client.ApiException) as err:
        core.list_namespace()
    assert err.value.status == 500
    simulator.faults("member2", "DELETE")

    simulator.faults("member2", "POST", {"latencySeconds": 0.5})
    started = time.monotonic()
    core.list_namespace()
    assert time.monotonic() - started >= 0.5


@pytest.mark.usefixtures("clear_faults")
def test_failed_pods_are_replaced_once_the_fault_clears(
    simulator: SimulatorProcess, core: client.CoreV1Api, apps: client.AppsV1Api, namespace: str
) -> None:
    apps.create_namespaced_deployment(namespace, deployment("flaky", replicas=2))
    eventually(
        lambda: apps.read_namespaced_deployment("flaky", namespace).status.ready_replicas == 2
    )
    simulator.faults(
        "member1", "POST", {"failPods": {"namespace": namespace, "selector": "app=flaky"}}
    )
    eventually(
        lambda: not apps.read_namespaced_deployment("flaky", namespace).status.ready_replicas
    )
    assert all(
        not p.status.pod_ip or p.status.phase != "Running"
        for p in pods_of(core, namespace, "flaky")
    )
    simulator.faults("member1", "DELETE")
    eventually(
        lambda: apps.read_namespaced_deployment("flaky", namespace).status.ready_replicas == 2
    )


@pytest.mark.usefixtures("clear_faults")
async def test_member_client_health_follows_reachability(simulator: SimulatorProcess) -> None:
    member = await MemberClient.from_kubeconfig_file(
        "member2", simulator.kubeconfig("member2"), options=ClientOptions(timeout=2)
    )
    async with member:
        assert (await member.health()).healthy
        simulator.faults("member2", "POST", {"unreachable": True})
        health = await member.health()
        assert not health.healthy and not health.online
        simulator.faults("member2", "DELETE")
        assert (await member.health()).healthy


@DROPPED_SOCKETS
def test_cli_flags(tmp_path: Path) -> None:
    process = SimulatorProcess(
        tmp_path,
        clusters="a,b",
        controllers=True,
        extra_args=("--unreachable=a", "--latency", "b=0.3"),
    )
    process.start()
    try:
        assert process.faults("a")["unreachable"] is True
        assert process.faults("b")["latencySeconds"] == 0.3
        with api_client(process.kubeconfig("a")) as api, pytest.raises(HTTPError):
            _fast(api).list_namespace(_request_timeout=2)
        gc.collect()
        with api_client(process.kubeconfig("b")) as api:
            assert _fast(api).list_namespace().items
    finally:
        assert process.stop() == 0


def test_thousand_idle_clusters_fit_in_300_mb(tmp_path: Path) -> None:
    process = SimulatorProcess(tmp_path, clusters="1000", controllers=True)
    process.start(timeout=60)
    try:
        assert process.process is not None
        # Measure after the controllers' first pass, which gives the last cluster its
        # default ServiceAccount.
        with api_client(process.kubeconfig("member1000")) as api:
            core = _fast(api)

            def has_default_account() -> bool:
                accounts = core.list_namespaced_service_account("default").items
                return any(a.metadata.name == "default" for a in accounts)

            eventually(has_default_account, timeout=30)
        status = Path(f"/proc/{process.process.pid}/status").read_text()
        rss_kb = int(
            next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]
        )
        assert rss_kb < 300 * 1024, f"RSS {rss_kb} kB"
    finally:
        assert process.stop() == 0
