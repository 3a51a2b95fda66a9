"""A control plane of its own per test module: etcd, apiserver and a scheduler process.

Clusters are cluster-scoped and every scheduler sees all of them, so scheduler
tests get their own apiserver rather than the session one; inside a module,
each test labels its clusters with a unique value and selects them by it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from apiserver.storage.embedded import EmbeddedEtcd
from karmada.machinery.client import Client
from tests.support.processes import ApiServerProcess, ComponentProcess


@dataclass
class Plane:
    etcd: EmbeddedEtcd
    apiserver: ApiServerProcess
    scheduler: ComponentProcess
    client: Client
    log_dir: Path


async def start_plane(log_dir: Path, *, scheduler_args: tuple[str, ...] = ()) -> Plane:
    etcd = EmbeddedEtcd(log_dir / "etcd", unsafe_no_fsync=True)
    await etcd.start()
    apiserver = ApiServerProcess(etcd.endpoint, log_dir)
    await apiserver.start()
    scheduler = ComponentProcess("scheduler", apiserver.address, log_dir, extra_args=scheduler_args)
    await scheduler.start()
    client = Client(apiserver.address, retry_timeout=10.0)
    return Plane(etcd, apiserver, scheduler, client, log_dir)


async def stop_plane(plane: Plane) -> None:
    await plane.client.close()
    plane.scheduler.stop()
    plane.apiserver.stop()
    plane.etcd.stop()


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Plane]:
    started = await start_plane(tmp_path_factory.mktemp("plane"))
    try:
        yield started
    finally:
        await stop_plane(started)
