"""Starts real component processes for tests and waits for them with deadlines."""

from __future__ import annotations

import asyncio
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


def stop_process(
    process: subprocess.Popen[bytes] | None, *, sig: int = signal.SIGTERM, timeout: float = 15.0
) -> int:
    """Sends `sig`, waits up to `timeout`, then kills; the exit code (0 if never started)."""
    if process is None:
        return 0
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait()
    return process.returncode


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
        return stop_process(self.process, sig=sig, timeout=timeout)

    def kill(self) -> None:
        self.stop(sig=signal.SIGKILL)


async def http_get(address: str, path: str, *, timeout: float = 5.0) -> tuple[int, str]:
    """A plain HTTP/1.1 GET on loopback: (status code, body)."""
    host, port = address.rsplit(":", 1)
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n".encode()
            )
            await writer.drain()
            data = await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body.decode()


class ComponentProcess:
    """A scheduler / controller-manager / agent child process talking to `apiserver`."""

    def __init__(
        self, module: str, apiserver: str, log_dir: Path, *, extra_args: tuple[str, ...] = ()
    ) -> None:
        self.module = module
        self.apiserver = apiserver
        self.metrics_port = free_port()
        self.log_path = log_dir / f"{module}-{self.metrics_port}.log"
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def metrics_address(self) -> str:
        return f"127.0.0.1:{self.metrics_port}"

    async def start(self, *, timeout: float = 30.0, wait_ready: bool = True) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    self.module,
                    f"--apiserver={self.apiserver}",
                    f"--metrics-bind-address={self.metrics_address}",
                    *self.extra_args,
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        await self.wait_ready(timeout=timeout, path="/readyz" if wait_ready else "/healthz")

    async def wait_ready(self, *, timeout: float = 30.0, path: str = "/readyz") -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.module} exited with {self.process.returncode}; see {self.log_path}"
                )
            with contextlib.suppress(OSError, TimeoutError, IndexError, ValueError):
                status, _ = await http_get(self.metrics_address, path, timeout=1.0)
                if status == 200:
                    return
            if loop.time() > deadline:
                raise TimeoutError(f"{self.module} not ready after {timeout}s; see {self.log_path}")
            await asyncio.sleep(0.05)

    async def metrics(self) -> str:
        status, body = await http_get(self.metrics_address, "/metrics")
        assert status == 200
        return body

    def stop(self, *, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        return stop_process(self.process, sig=sig, timeout=timeout)

    def kill(self) -> None:
        self.stop(sig=signal.SIGKILL)
