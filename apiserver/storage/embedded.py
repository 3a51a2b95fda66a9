"""Runs a single-member etcd as a child process when no etcd cluster is given.

`karmada-apiserver` without --etcd-servers (and the test suite) use this: a
real etcd binary on loopback with its own data dir, started on free ports and
stopped with the parent. Production deployments point --etcd-servers at a
real etcd cluster instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from apiserver.storage.etcd import Etcd, EtcdError

log = logging.getLogger(__name__)


def free_port() -> int:
    """A TCP port on loopback that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_etcd(binary: str = "") -> str:
    """The etcd executable: the given path, else etcd on PATH, else /usr/bin/etcd."""
    for candidate in (binary, shutil.which("etcd"), "/usr/bin/etcd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError("etcd not found: install it (make install) or pass --etcd-binary")


class EmbeddedEtcd:
    """An etcd child process listening on loopback."""

    def __init__(
        self,
        data_dir: Path,
        *,
        binary: str = "",
        client_port: int = 0,
        unsafe_no_fsync: bool = False,
        progress_notify_interval: str = "5s",
    ) -> None:
        self.data_dir = data_dir
        self.binary = find_etcd(binary)
        self.client_port = client_port or free_port()
        self.peer_port = free_port()
        self.unsafe_no_fsync = unsafe_no_fsync
        self.progress_notify_interval = progress_notify_interval
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.client_port}"

    def command(self) -> list[str]:
        client = f"http://127.0.0.1:{self.client_port}"
        peer = f"http://127.0.0.1:{self.peer_port}"
        cmd = [
            self.binary,
            "--name=default",
            f"--data-dir={self.data_dir}",
            f"--listen-client-urls={client}",
            f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}",
            f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=default={peer}",
            "--initial-cluster-state=new",
            f"--experimental-watch-progress-notify-interval={self.progress_notify_interval}",
            "--log-level=error",
            "--logger=zap",
        ]
        if self.unsafe_no_fsync:
            cmd.append("--unsafe-no-fsync")
        return cmd

    async def start(self, *, timeout: float = 30.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.data_dir.parent / f"{self.data_dir.name}.log"
        with log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                self.command(), stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
            )
        log.info("Started etcd", extra={"endpoint": self.endpoint, "data_dir": str(self.data_dir)})
        client = Etcd([self.endpoint], timeout=1.0)
        deadline = time.monotonic() + timeout
        try:
            while True:
                if self.process.poll() is not None:
                    tail = log_path.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"etcd exited with {self.process.returncode}: {tail}")
                try:
                    await client.status()
                    return
                except EtcdError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"etcd did not become healthy in {timeout}s") from None
                    await asyncio.sleep(0.05)
        finally:
            await client.close()

    def stop(self, *, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            self.process.wait()
        log.info("Stopped etcd", extra={"endpoint": self.endpoint})
