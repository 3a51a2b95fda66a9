"""The processes a benchmark runs against, and what /proc says about them.

`Stack` starts a fresh etcd (always with --unsafe-no-fsync, so raw and
apiserver figures share the same storage cost) and a karmada-apiserver child
process on free loopback ports. `cpu_seconds` and `rss_bytes` read
/proc/<pid>/stat and /proc/<pid>/status.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from types import TracebackType

from apiserver.storage.embedded import EmbeddedEtcd, free_port
from karmada.machinery import health

ROOT = Path(__file__).resolve().parents[1]
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds the process has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_bytes(pid: int) -> int:
    """Resident set size of the process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def wait_serving(
    address: str, *, process: subprocess.Popen[bytes], timeout: float = 30.0
) -> None:
    """Waits until grpc.health.v1 reports SERVING at address (and the process lives)."""
    await health.wait_serving(address, timeout=timeout, alive=lambda: process.poll() is None)


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if the process does not exit in time."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Stack:
    """A fresh etcd and apiserver, stopped (and their data removed) on exit."""

    def __init__(self, *, log_dir: Path, fsync: bool = False) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="karmada-bench-")
        self.etcd = EmbeddedEtcd(Path(self._tmp.name) / "etcd", unsafe_no_fsync=not fsync)
        self.port = free_port()
        self.metrics_port = free_port()
        self.log_path = log_dir / "apiserver.log"
        self.apiserver: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def apiserver_pid(self) -> int:
        assert self.apiserver is not None
        return self.apiserver.pid

    @property
    def etcd_pid(self) -> int:
        assert self.etcd.process is not None
        return self.etcd.process.pid

    def pids(self) -> dict[str, int]:
        return {"etcd": self.etcd_pid, "apiserver": self.apiserver_pid, "client": os.getpid()}

    async def __aenter__(self) -> Stack:
        await self.etcd.start()
        command = [
            sys.executable,
            "-m",
            "apiserver",
            f"--bind-address={self.address}",
            f"--etcd-servers={self.etcd.endpoint}",
            f"--metrics-bind-address=127.0.0.1:{self.metrics_port}",
            "--etcd-compaction-interval=0",
            "--shutdown-grace-period=1",
            "--log-level=warning",
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.apiserver = subprocess.Popen(
                command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        await wait_serving(self.address, process=self.apiserver)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.apiserver is not None:
            stop_process(self.apiserver)
        self.etcd.stop()
        self._tmp.cleanup()

    async def metric(self, name: str, labels: str) -> float:
        """The value of one apiserver metric sample, e.g. metric("x", 'resource="y"')."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"

        def fetch() -> str:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode())

        wanted = f"{name}{{{labels}}} "
        for line in (await asyncio.to_thread(fetch)).splitlines():
            if line.startswith(wanted):
                return float(line[len(wanted) :])
        return 0.0
