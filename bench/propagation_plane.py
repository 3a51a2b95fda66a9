"""The rest of the control plane around a Stack, for the propagation benchmark.

`Plane` starts, beside the Stack's etcd and apiserver, a karmada-scheduler, a
karmada-controller-manager running every default controller, and one member
simulator holding `clusters` clusters (``--no-controllers``: bare API servers,
as Karmada's own figures used real kube-apiservers with nothing behind them),
joins every cluster in push mode (`karmada.registration.join_push`, what
``karmadactl join`` writes) and returns once all of them are Ready. It also
keeps one `MemberClient` per cluster for the benchmark's watches and checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from apiserver.storage.embedded import free_port
from bench.membersim import Simulator
from bench.processes import ROOT, Stack, stop_process
from karmada.machinery.client import Client
from karmada.machinery.conditions import is_true
from karmada.machinery.scheme import CLUSTER
from karmada.member import MemberClient
from karmada.registration import join_push

STATUS_SECONDS = 2.0
"""--cluster-status-update-frequency: short, so joined clusters turn Ready quickly,
but not so short that status collection of ten clusters competes with the runs."""


class Component:
    """``python -m <module>`` against the Stack's apiserver, ready once /readyz says 200."""

    def __init__(self, module: str, apiserver: str, *, log_path: Path, args: tuple[str, ...]):
        self.module = module
        self.apiserver = apiserver
        self.log_path = log_path
        self.args = args
        self.metrics_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _get(self, path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.metrics_port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return int(response.status), str(response.read().decode())
        except urllib.error.HTTPError as error:
            error.close()
            return error.code, ""
        except (urllib.error.URLError, ConnectionError):
            return 0, ""

    async def start(self, *, timeout: float = 60.0) -> None:
        command = [
            sys.executable,
            "-m",
            self.module,
            f"--apiserver={self.apiserver}",
            f"--metrics-bind-address=127.0.0.1:{self.metrics_port}",
            "--log-level=warning",
            *self.args,
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        async with asyncio.timeout(timeout):
            while (await asyncio.to_thread(self._get, "/readyz"))[0] != 200:
                self.check_alive()
                await asyncio.sleep(0.1)

    def check_alive(self) -> None:
        assert self.process is not None
        if (code := self.process.poll()) is not None:
            raise RuntimeError(f"{self.module} exited with {code}; see {self.log_path}")

    async def metrics(self) -> str:
        """The /metrics page ("" if it does not answer)."""
        return (await asyncio.to_thread(self._get, "/metrics"))[1]

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


class Plane:
    """Scheduler, controller manager and `clusters` simulated members, joined and Ready."""

    def __init__(self, stack: Stack, *, clusters: int, directory: Path, log_dir: Path) -> None:
        self.stack = stack
        self.client = Client(stack.address, retry_timeout=60.0)
        self.simulator = Simulator(
            clusters,
            directory / "members",
            log_dir / "membersim.log",
            extra_args=("--no-controllers",),
        )
        self.scheduler = Component(
            "scheduler", stack.address, log_path=log_dir / "scheduler.log", args=()
        )
        self.manager = Component(
            "controller_manager",
            stack.address,
            log_path=log_dir / "controller-manager.log",
            args=(f"--cluster-status-update-frequency={STATUS_SECONDS:g}",),
        )
        self.members: dict[str, MemberClient] = {}
        self.ready_seconds = 0.0

    @property
    def clusters(self) -> list[str]:
        return list(self.simulator.urls)

    def pids(self) -> dict[str, int]:
        """Every process whose CPU the runs account for, by the name the report uses."""
        return {
            **self.stack.pids(),
            "scheduler": self.scheduler.pid,
            "controller-manager": self.manager.pid,
            "membersim": self.simulator.pid,
        }

    def metrics_ports(self) -> dict[str, int]:
        """The /metrics port of each component, by the name `propagation_metrics` uses."""
        return {
            "apiserver": self.stack.metrics_port,
            "controller-manager": self.manager.metrics_port,
            "scheduler": self.scheduler.metrics_port,
        }

    def check_alive(self) -> None:
        self.scheduler.check_alive()
        self.manager.check_alive()
        if self.simulator.process is not None and self.simulator.process.returncode is not None:
            raise RuntimeError(f"membersim exited; see {self.simulator.log_path}")

    async def __aenter__(self) -> Plane:
        started = time.monotonic()
        self.simulator.directory.mkdir(parents=True, exist_ok=True)
        await self.simulator.start()
        await self.scheduler.start()
        await self.manager.start()
        for name in self.clusters:
            kubeconfig: Any = yaml.safe_load(self.simulator.kubeconfig(name).read_text())
            await join_push(self.client, name, kubeconfig)
            self.members[name] = await MemberClient.from_kubeconfig_file(
                name, self.simulator.kubeconfig(name)
            )
        await self._wait_ready()
        self.ready_seconds = time.monotonic() - started
        return self

    async def _wait_ready(self, *, timeout: float = 120.0) -> None:
        async with asyncio.timeout(timeout):
            while True:
                self.check_alive()
                clusters = [await self.client.get(CLUSTER, name) for name in self.clusters]
                if all(is_true(list(c.status.conditions), "Ready") for c in clusters):
                    return
                await asyncio.sleep(0.2)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for member in self.members.values():
            with contextlib.suppress(Exception):
                await member.close()
        await self.client.close()
        await asyncio.to_thread(self.manager.stop)
        await asyncio.to_thread(self.scheduler.stop)
        await self.simulator.stop()
