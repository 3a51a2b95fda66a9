"""The scheduler as a process: metrics, health, flags, and two replicas under leader election."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from karmada.machinery.client import Client
from karmada.machinery.scheme import LEASE, NAMESPACE
from tests.integration.scheduler.conftest import start_plane, stop_plane
from tests.integration.scheduler.objects import bind, join, placement
from tests.integration.scheduler.test_scheduling import wait_scheduled
from tests.support.processes import ROOT, ComponentProcess, http_get
from tests.support.waiting import eventually

ELECTION = (
    "--leader-elect",
    "--leader-elect-lease-duration=2",
    "--leader-elect-renew-deadline=1.5",
    "--leader-elect-retry-period=0.2",
)


async def test_standby_takes_over_when_the_leader_dies(tmp_path: Path) -> None:
    plane = await start_plane(tmp_path, scheduler_args=ELECTION)
    standby = ComponentProcess("scheduler", plane.apiserver.address, tmp_path, extra_args=ELECTION)
    try:
        await standby.start()
        client = plane.client
        await join(client, "m1", labels={"e2e": "x"})
        await client.create(NAMESPACE.new(name="apps"))
        await bind(client, "apps", "before", placement(("e2e", "x")), replicas=2)
        await wait_scheduled(client, "apps", "before", {"m1": 2})

        first = await _holder(client)
        leaders = [p for p in (plane.scheduler, standby) if await _is_leader(p)]
        assert len(leaders) == 1
        leaders[0].kill()

        await bind(client, "apps", "after", placement(("e2e", "x")), replicas=3)
        await wait_scheduled(client, "apps", "after", {"m1": 3}, timeout=20.0)
        assert await _holder(client) not in ("", first)
    finally:
        standby.stop()
        await stop_plane(plane)


async def _holder(client: Client) -> str:
    lease = await client.get(LEASE, "karmada-scheduler", "karmada-system")
    return lease.spec.holder_identity


async def _is_leader(process: ComponentProcess) -> bool:
    text = await process.metrics()
    return 'karmada_leader_election_master_status{name="karmada-scheduler"} 1.0' in text


async def test_metrics_and_health(tmp_path: Path) -> None:
    plane = await start_plane(tmp_path)
    try:
        client = plane.client
        await join(client, "m1", labels={"e2e": "x"})
        await client.create(NAMESPACE.new(name="apps"))
        await bind(client, "apps", "web", placement(("e2e", "x")), replicas=2)
        await wait_scheduled(client, "apps", "web", {"m1": 2})
        for path in ("/healthz", "/readyz"):
            status, _ = await http_get(plane.scheduler.metrics_address, path)
            assert status == 200
        # A binding nothing fits parks in the unschedulable queue (not in backoff).
        await bind(client, "apps", "nowhere", placement(("e2e", "none")), replicas=1)

        async def parked() -> bool:
            text = await plane.scheduler.metrics()
            return 'karmada_scheduler_pending_bindings{queue="unschedulable"} 1.0' in text

        await eventually(parked, what="the binding to park as unschedulable")
        text = await plane.scheduler.metrics()
        for name in (
            'karmada_scheduler_schedule_attempts_total{result="scheduled",schedule_type="ReconcileSchedule"}',
            "karmada_scheduler_e2e_scheduling_duration_seconds_bucket",
            'karmada_scheduler_scheduling_algorithm_duration_seconds_bucket{le="0.0001",schedule_step="Filter"}',
            'karmada_scheduler_plugin_execution_duration_seconds_bucket{extension_point="Filter"',
            'karmada_scheduler_pending_bindings{queue="unschedulable"}',
            'karmada_scheduler_queue_incoming_bindings_total{event="BindingAdd"}',
        ):
            assert name in text, name
    finally:
        await stop_plane(plane)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers=0"], "--workers must be at least 1"),
        (["--plugins=*,NoSuchPlugin"], "NoSuchPlugin"),
    ],
)
def test_bad_flags_exit_with_a_message(args: list[str], message: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode != 0
    assert message in completed.stderr
