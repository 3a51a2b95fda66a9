"""The member-cluster simulator as a real child process, shared by these tests.

The simulator announces ``<name> <url>`` on stdout once each cluster can be
used; `tests.support.membersim` waits for those lines with a deadline. Tests isolate
themselves by unique object names, not by restarting the simulator.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from kubernetes.aio.client import ApiClient
from kubernetes.aio.config import new_client_from_config

from karmada.member import ClientOptions, MemberClient
from tests.support.membersim import SimulatorProcess

ROOT = Path(__file__).resolve().parents[3]
CLUSTERS = ("member1", "member2")


@pytest.fixture(scope="session")
async def membersim(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SimulatorProcess]:
    simulator = SimulatorProcess(
        tmp_path_factory.mktemp("membersim"),
        clusters=",".join(CLUSTERS),
        extra_args=("--watch-bookmark-interval", "1"),
    )
    await asyncio.to_thread(simulator.start)
    try:
        yield simulator
    finally:
        await asyncio.to_thread(simulator.stop)


@pytest.fixture
async def member1(membersim: SimulatorProcess) -> AsyncIterator[MemberClient]:
    client = await MemberClient.from_kubeconfig_file(
        "member1", membersim.kubeconfig("member1"), options=ClientOptions(timeout=5)
    )
    async with client:
        yield client


@pytest.fixture
async def official(membersim: SimulatorProcess) -> AsyncIterator[ApiClient]:
    """The official client on member1, standing for the member's own users and controllers."""
    api: ApiClient = await new_client_from_config(  # type: ignore[no-untyped-call]
        config_file=str(membersim.kubeconfig("member1")), persist_config=False
    )
    async with api:
        yield api


@pytest.fixture
def name() -> str:
    """A fresh object name for one test."""
    return f"t-{uuid.uuid4().hex[:8]}"
