"""`make run` (hack/run.py) as a newcomer sees it: the placement table, a working
karmadactl, a clean Ctrl-C, and a second start on the same data.

The launcher runs as a child process with its own run directory, HOME and
KARMADACTL_CONFIG in a temporary directory (never the repository's .run or a
developer's ~/.karmada) and free ports instead of the defaults, so it can run
beside a real `make run` and the rest of the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from apiserver.storage.embedded import free_port
from tests.support.processes import http_get

ROOT = Path(__file__).resolve().parents[2]
PORT_FLAGS = (
    "--apiserver-port",
    "--apiserver-metrics-port",
    "--scheduler-metrics-port",
    "--controller-manager-metrics-port",
    "--membersim-port",
)
READY_LINE = "Ctrl-C stops everything."

pytestmark = pytest.mark.timeout(420)


def descendants(pid: int) -> dict[int, str]:
    """pid -> command line of every process below `pid` (children, grandchildren, ...)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        frontier += children
    return {p: cmdline(p) for p in found}


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int, command: str) -> bool:
    """Still running as the same program (not a zombie, not a reused pid)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z" and cmdline(pid) == command


@dataclass
class Launcher:
    """One `python hack/run.py` child and everything it printed."""

    directory: Path
    ports: dict[str, int]
    process: asyncio.subprocess.Process | None = None
    output: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith("KARMADA")}
        return {
            **keep,
            "HOME": str(self.directory / "home"),
            "KARMADACTL_CONFIG": str(self.directory / "karmadactl.yaml"),
            "PYTHONUNBUFFERED": "1",
        }

    async def start(self) -> None:
        flags = [f"{flag}={port}" for flag, port in self.ports.items()]
        self.output = []
        self.process = await asyncio.create_subprocess_exec(
            *(sys.executable, "hack/run.py", f"--run-dir={self.directory / 'run'}", *flags),
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=self.env,
        )

    async def read_until(self, marker: str, *, timeout: float) -> list[str]:
        assert self.process is not None and self.process.stdout is not None
        try:
            async with asyncio.timeout(timeout):
                while True:
                    line = await self.process.stdout.readline()
                    if not line:
                        raise AssertionError("hack/run.py exited:\n" + "\n".join(self.output))
                    self.output.append(line.decode().rstrip("\n"))
                    if self.output[-1] == marker:
                        return self.output
        except TimeoutError:
            raise AssertionError(
                f"no {marker!r} in {timeout}s; output so far:\n" + "\n".join(self.output)
            ) from None

    async def interrupt(self, *, timeout: float = 90.0) -> tuple[int, list[str]]:
        """SIGINT, as Ctrl-C; its exit code and remaining output."""
        assert self.process is not None and self.process.stdout is not None
        self.process.send_signal(signal.SIGINT)
        async with asyncio.timeout(timeout):
            rest = (await self.process.stdout.read()).decode().splitlines()
            code = await self.process.wait()
        self.output += rest
        return code, rest

    async def kill_everything(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        for pid in descendants(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.kill()
        await self.process.wait()


@pytest.fixture
async def launcher(tmp_path: Path) -> AsyncIterator[Launcher]:
    ports = {flag: free_port() for flag in PORT_FLAGS}
    started = Launcher(tmp_path, ports)
    try:
        yield started
    finally:
        await started.kill_everything()


def placement_rows(output: list[str]) -> dict[str, tuple[str, int, int, str]]:
    """cluster -> (region, replicas, ready, image) from the printed table."""
    start = next(i for i, line in enumerate(output) if line.split()[:2] == ["CLUSTER", "REGION"])
    rows = {}
    for line in output[start + 1 :]:
        if not line.strip():
            break
        cluster, region, replicas, ready, image = line.split()
        rows[cluster] = (region, int(replicas), int(ready), image)
    return rows


async def check_started(launcher: Launcher, *, first: bool) -> None:
    output = await launcher.read_until(READY_LINE, timeout=180)
    for member in ("member1", "member2", "member3"):
        assert (f"joined {member}" if first else f"{member} already joined") in output, output
    assert "nginx: 6/6 ready across 3 clusters" in output, output
    rows = placement_rows(output)
    assert rows == {
        "member1": ("eu-west", 1, 1, "nginx:1.27"),
        "member2": ("us-east", 2, 2, "nginx:1.27"),
        "member3": ("ap-south", 3, 3, "mirror.ap-south.example.com/nginx:1.27"),
    }, output
    assert not any(line.startswith("still missing") for line in output), output
    # One line per component saying where its metrics and log are; the metrics answer.
    ports = launcher.ports
    for name, flag in (
        ("apiserver", "--apiserver-metrics-port"),
        ("scheduler", "--scheduler-metrics-port"),
        ("controller-manager", "--controller-manager-metrics-port"),
    ):
        url = f"http://127.0.0.1:{ports[flag]}/metrics"
        line = next(line for line in output if line.startswith(f"{name} "))
        assert url in line and f"logs/{name}.log" in line, line
        status, body = await http_get(f"127.0.0.1:{ports[flag]}", "/metrics")
        assert status == 200 and "# TYPE" in body
    assert any(line.startswith("membersim ") and "log " in line for line in output), output


async def karmadactl_get_clusters(launcher: Launcher) -> str:
    """`karmadactl get clusters` with only the config make run wrote."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "karmadactl", "get", "clusters"),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=launcher.env,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


async def stop_cleanly(launcher: Launcher) -> None:
    assert launcher.process is not None
    tree = descendants(launcher.process.pid)
    # apiserver (and its etcd), membersim, scheduler, controller manager.
    assert len(tree) >= 5, tree
    code, rest = await launcher.interrupt()
    assert code == 0, "\n".join(launcher.output)
    assert rest[-1] == "stopped", rest
    survivors = {pid: command for pid, command in tree.items() if alive(pid, command)}
    assert not survivors, survivors


async def test_make_run_shows_the_placement_stops_cleanly_and_starts_again(
    launcher: Launcher,
) -> None:
    await launcher.start()
    await check_started(launcher, first=True)
    config = yaml.safe_load((launcher.directory / "karmadactl.yaml").read_text())
    assert config == {"server": f"127.0.0.1:{launcher.ports['--apiserver-port']}"}
    assert not (launcher.directory / "home" / ".karmada").exists()
    table = await karmadactl_get_clusters(launcher)
    for member in ("member1", "member2", "member3"):
        assert re.search(rf"^{member}\s", table, re.MULTILINE), table
    await stop_cleanly(launcher)

    # Again, on the same data: the Clusters and objects are kept, the members refilled.
    await launcher.start()
    await check_started(launcher, first=False)
    await stop_cleanly(launcher)


async def test_a_busy_port_is_named(launcher: Launcher) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", launcher.ports["--apiserver-port"]))
        busy.listen()
        await launcher.start()
        assert launcher.process is not None and launcher.process.stdout is not None
        async with asyncio.timeout(60):
            output = (await launcher.process.stdout.read()).decode()
            code = await launcher.process.wait()
    port = launcher.ports["--apiserver-port"]
    assert code == 1, output
    assert f"error: port {port} (apiserver) is in use (is make run already running?)" in output
    assert not (launcher.directory / "run" / "etcd").exists()
