"""A whole control plane for end-to-end tests: etcd, apiserver, scheduler, controller manager,
and the member-cluster simulator, every one a real process.

Tests that watch objects flow to members start one per module (it takes a few
seconds) and isolate themselves by namespace inside it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from kubernetes.aio.client import ApiClient
from kubernetes.aio.config import new_client_from_config

from apiserver.storage.embedded import EmbeddedEtcd
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery.client import Client
from karmada.member import MemberClient
from karmada.registration import join_push
from tests.support.membersim import SimulatorProcess
from tests.support.processes import ApiServerProcess, ComponentProcess

__all__ = ["ControlPlane"]


class ControlPlane:
    """Args:
    directory: logs, etcd data and kubeconfigs go here.
    clusters: the simulator's ``--clusters`` value.
    controllers: the controller manager's ``--controllers`` value ("" runs no controller manager).
    scheduler: whether to run the scheduler.
    manager_args / scheduler_args / simulator_args: further flags.
    """

    def __init__(
        self,
        directory: Path,
        *,
        clusters: str = "member1,member2,member3",
        controllers: str = "*",
        scheduler: bool = True,
        manager_args: tuple[str, ...] = (),
        scheduler_args: tuple[str, ...] = (),
        simulator_args: tuple[str, ...] = (),
    ) -> None:
        self.directory = directory
        self.etcd = EmbeddedEtcd(directory / "etcd", unsafe_no_fsync=True)
        self.apiserver: ApiServerProcess | None = None
        self.simulator = SimulatorProcess(
            directory / "members", clusters=clusters, extra_args=simulator_args
        )
        self.controllers = controllers
        self.with_scheduler = scheduler
        self.manager_args = manager_args
        self.scheduler_args = scheduler_args
        self.scheduler: ComponentProcess | None = None
        self.manager: ComponentProcess | None = None
        self._client: Client | None = None
        self._members: dict[str, MemberClient] = {}
        self._official: dict[str, ApiClient] = {}

    @property
    def client(self) -> Client:
        assert self._client is not None, "start() first"
        return self._client

    async def start(self) -> ControlPlane:
        self.simulator.directory.mkdir(parents=True, exist_ok=True)
        simulator = asyncio.create_task(asyncio.to_thread(self.simulator.start))
        await self.etcd.start()
        self.apiserver = ApiServerProcess(self.etcd.endpoint, self.directory)
        await self.apiserver.start()
        self._client = Client(self.apiserver.address, retry_timeout=10.0)
        if self.with_scheduler:
            self.scheduler = ComponentProcess(
                "scheduler", self.apiserver.address, self.directory, extra_args=self.scheduler_args
            )
            await self.scheduler.start()
        if self.controllers:
            await self.start_manager()
        await simulator
        return self

    async def start_manager(self, *, extra_args: tuple[str, ...] = ()) -> ComponentProcess:
        assert self.apiserver is not None
        self.manager = ComponentProcess(
            "controller_manager",
            self.apiserver.address,
            self.directory,
            extra_args=(f"--controllers={self.controllers}", *self.manager_args, *extra_args),
        )
        await self.manager.start()
        return self.manager

    def kubeconfig(self, cluster: str) -> dict[str, Any]:
        loaded = yaml.safe_load(self.simulator.kubeconfig(cluster).read_text())
        assert isinstance(loaded, dict)
        return loaded

    async def join(self, cluster: str, **fields: Any) -> cluster_pb2.Cluster:
        """Joins a simulated cluster in push mode, as `karmadactl join` does."""
        return await join_push(self.client, cluster, self.kubeconfig(cluster), **fields)

    async def member(self, cluster: str) -> MemberClient:
        """A member client of the simulated cluster, for assertions on what landed there."""
        if cluster not in self._members:
            self._members[cluster] = await MemberClient.from_kubeconfig_file(
                cluster, self.simulator.kubeconfig(cluster)
            )
        return self._members[cluster]

    async def official(self, cluster: str) -> ApiClient:
        """The official client on a simulated cluster: the member's own users, outside Karmada."""
        if cluster not in self._official:
            self._official[cluster] = await new_client_from_config(  # type: ignore[no-untyped-call]
                config_file=str(self.simulator.kubeconfig(cluster)), persist_config=False
            )
        return self._official[cluster]

    async def stop(self) -> None:
        for api in self._official.values():
            await api.close()  # type: ignore[no-untyped-call]
        self._official.clear()
        for member in self._members.values():
            await member.close()
        self._members.clear()
        if self._client is not None:
            await self._client.close()
        for process in (self.manager, self.scheduler, self.apiserver):
            if process is not None:
                process.stop()
        await asyncio.to_thread(self.simulator.stop)
        self.etcd.stop()
