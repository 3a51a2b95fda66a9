"""Session-wide real processes: one etcd and one apiserver shared by the tests.

Tests isolate themselves by name (a fresh namespace or name prefix each), not
by restarting processes, so the suite stays fast; tests that need their own
apiserver (restarts, auth, TLS) start one with ApiServerProcess.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from apiserver.storage.embedded import EmbeddedEtcd
from karmada.machinery.client import Client
from karmada.machinery.scheme import NAMESPACE
from tests.support.processes import ApiServerProcess


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("run")


@pytest.fixture(scope="session")
async def etcd(run_dir: Path) -> AsyncIterator[EmbeddedEtcd]:
    server = EmbeddedEtcd(run_dir / "etcd", unsafe_no_fsync=True, progress_notify_interval="1s")
    await server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def apiserver(etcd: EmbeddedEtcd, run_dir: Path) -> AsyncIterator[ApiServerProcess]:
    process = ApiServerProcess(etcd.endpoint, run_dir)
    await process.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
async def client(apiserver: ApiServerProcess) -> AsyncIterator[Client]:
    async with Client(apiserver.address, retry_timeout=10.0) as c:
        yield c


@pytest.fixture
async def namespace(client: Client) -> str:
    """A fresh namespace for one test."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    await client.create(NAMESPACE.new(name=name))
    return name


@pytest.fixture
def unique() -> str:
    """A fresh name suffix for one test."""
    return uuid.uuid4().hex[:8]


@pytest.fixture(autouse=True)
async def _no_leaked_tasks() -> AsyncIterator[None]:
    """Fails a test that leaves asyncio tasks running (kopf's guard)."""
    before = asyncio.all_tasks()
    yield
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 2.0
    while True:
        leaked = {t for t in asyncio.all_tasks() - before if not t.done()}
        leaked.discard(asyncio.current_task())
        if not leaked or loop.time() > deadline:
            break
        await asyncio.sleep(0.01)
    assert not leaked, f"tasks left running: {sorted(t.get_name() for t in leaked)}"
