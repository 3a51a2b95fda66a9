"""The controller manager as a process: flags, health, metrics, leader election."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from karmada.machinery.scheme import LEASE, NAMESPACE
from tests.support.plane import ControlPlane
from tests.support.processes import ROOT, ComponentProcess, http_get
from tests.support.waiting import eventually

ELECTION = (
    "--leader-elect",
    "--leader-elect-lease-duration=2",
    "--leader-elect-renew-deadline=1.5",
    "--leader-elect-retry-period=0.2",
)


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("cm-process"),
        clusters="member1",
        controllers="cluster,clusterStatus,namespace,execution",
        scheduler=False,
        manager_args=ELECTION,
    )
    await started.start()
    try:
        yield started
    finally:
        await started.stop()


async def test_health_and_per_controller_metrics(plane: ControlPlane) -> None:
    assert plane.manager is not None
    await plane.join("member1")
    await plane.client.create(NAMESPACE.new(name="metrics-check"))
    status, _ = await http_get(plane.manager.metrics_address, "/healthz")
    assert status == 200

    async def ready() -> bool:
        assert plane.manager is not None
        return (await http_get(plane.manager.metrics_address, "/readyz"))[0] == 200

    # Ready once the elected leader's caches synced, which may take a moment.
    await eventually(ready, timeout=30, what="/readyz to answer 200")

    async def counted() -> str | None:
        assert plane.manager is not None
        text = await plane.manager.metrics()
        wanted = (
            'karmada_controller_reconcile_total{controller="namespace",result="success"}',
            'cluster_ready_state{member_cluster="member1"} 1.0',
        )
        return text if all(w in text for w in wanted) else None

    text = await eventually(counted, timeout=30, what="reconciles and cluster state in the metrics")
    for name in (
        'karmada_controller_reconcile_duration_seconds_bucket{controller="cluster"',
        'workqueue_depth{name="execution"}',
        'karmada_leader_election_master_status{name="karmada-controller-manager"} 1.0',
    ):
        assert name in text, name


async def test_a_standby_takes_over(plane: ControlPlane, tmp_path: Path) -> None:
    assert plane.manager is not None and plane.apiserver is not None
    standby = ComponentProcess(
        "controller_manager",
        plane.apiserver.address,
        tmp_path,
        extra_args=("--controllers=namespace,execution", *ELECTION),
    )
    await standby.start()
    try:
        first = (
            await plane.client.get(LEASE, "karmada-controller-manager", "karmada-system")
        ).spec.holder_identity
        plane.manager.kill()

        async def taken_over() -> bool:
            text = await standby.metrics()
            return (
                'karmada_leader_election_master_status{name="karmada-controller-manager"} 1.0'
                in text
            )

        await eventually(taken_over, timeout=30, what="the standby to lead")
        lease = await plane.client.get(LEASE, "karmada-controller-manager", "karmada-system")
        assert lease.spec.holder_identity != first
    finally:
        standby.stop()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--controllers=*,nosuch"], "unknown controller 'nosuch'"),
        (["--workers=0"], "--workers must be at least 1"),
        (["--cluster-monitor-period=0"], "--cluster-monitor-period must be positive"),
    ],
)
def test_bad_flags_exit_with_a_message(args: list[str], message: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "controller_manager", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode != 0
    assert message in completed.stderr
