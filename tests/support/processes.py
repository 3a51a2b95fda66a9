"""Starts real component processes for tests and waits for them with deadlines."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from apiserver.storage.embedded import free_port
from karmada.machinery import health

ROOT = Path(__file__).resolve().parents[2]


async def wait_serving(
    address: str, *, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Waits until grpc.health.v1 says SERVING at address (and the process lives)."""
    alive = (lambda: process.poll() is None) if process is not None else None
    await health.wait_serving(address, timeout=timeout, alive=alive)


class ApiServerProcess:
    """A karmada-apiserver child process on free loopback ports."""

    def __init__(
        self, etcd_endpoint: str, log_dir: Path, *, extra_args: tuple[str, ...] = (), port: int = 0
    ) -> None:
        self.etcd_endpoint = etcd_endpoint
        self.port = port or free_port()
        self.metrics_port = free_port()
        self.log_path = log_dir / f"apiserver-{self.port}.log"
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def metrics_address(self) -> str:
        return f"127.0.0.1:{self.metrics_port}"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "apiserver",
            f"--bind-address={self.address}",
            f"--etcd-servers={self.etcd_endpoint}",
            f"--metrics-bind-address={self.metrics_address}",
            "--watch-bookmark-interval=0.5",
            "--etcd-compaction-interval=0",
            "--shutdown-grace-period=1",
            *self.extra_args,
        ]

    async def start(self, *, timeout: float = 30.0) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        await wait_serving(self.address, timeout=timeout, process=self.process)

    def stop(self, *, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        self.stop(sig=signal.SIGKILL)
