"""Child processes of `make run`: start with a log file, wait until ready, stop cleanly.

Each component runs in its own process group, so Ctrl-C in the terminal reaches
only the launcher, which then stops the components in reverse start order
(SIGTERM, then SIGKILL for the whole group after a deadline, so the apiserver's
embedded etcd never outlives it). Readiness is what each process itself
announces: grpc.health.v1 SERVING (apiserver), HTTP 200 on /readyz (scheduler,
controller manager), or one ``<cluster> <url>`` line per cluster on stdout (the
member simulator). Nothing sleeps in place of a check.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from karmada.machinery import health

__all__ = ["ROOT", "Child", "StartupError", "Supervisor", "check_ports"]

ROOT = Path(__file__).resolve().parent.parent


class StartupError(Exception):
    """Something the user must fix before `make run` can work; the message says what."""


def check_ports(host: str, ports: dict[str, int]) -> None:
    """Fails with a clear message if any of `ports` (what -> port) is already taken."""
    for what, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            # The components set SO_REUSEADDR too, so connections left in TIME_WAIT by
            # an earlier run do not count as "in use".
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as error:
                raise StartupError(
                    f"port {port} ({what}) is in use (is make run already running?): "
                    f"{error.strerror}"
                ) from error


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").rstrip().splitlines()
    except OSError:
        return ""
    return "\n".join(f"    {line}" for line in text[-lines:])


@dataclass
class Child:
    """One component process.

    Attributes:
        name: what the user sees ("apiserver", "controller-manager", ...).
        argv: the command line.
        log: where its stdout and stderr go (stdout is a pipe when `announces`).
        metrics: host:port of its /metrics, "" if it has none.
        announces: read announcement lines from its stdout (the member simulator).
    """

    name: str
    argv: list[str]
    log: Path
    metrics: str = ""
    announces: bool = False
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def failure(self, what: str) -> StartupError:
        """A StartupError naming this child, its log, and the log's last lines."""
        tail = _tail(self.log)
        return StartupError(f"{self.name} {what}; see {self.log}" + (f"\n{tail}" if tail else ""))

    async def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:  # a fresh log per run
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                cwd=ROOT,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE if self.announces else out,
                stderr=out,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                process_group=0,
            )

    async def wait_serving(self, address: str, *, timeout: float) -> None:
        """grpc.health.v1 at `address` says SERVING."""
        try:
            await health.wait_serving(address, timeout=timeout, alive=lambda: self.alive)
        except RuntimeError as error:
            raise self.failure(f"exited with {self._code()} before serving") from error
        except TimeoutError as error:
            raise self.failure(f"was not serving on {address} after {timeout:.0f}s") from error

    async def wait_ready(self, *, timeout: float) -> None:
        """/readyz on its metrics address answers 200."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        url = f"http://{self.metrics}/readyz"
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1.0)) as session:
            while True:
                if not self.alive:
                    raise self.failure(f"exited with {self._code()} before it was ready")
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(url) as response:
                        if response.status == 200:
                            return
                if loop.time() > deadline:
                    raise self.failure(f"was not ready ({url}) after {timeout:.0f}s")
                await asyncio.sleep(0.1)

    async def announcements(self, count: int, *, timeout: float) -> dict[str, str]:
        """The first `count` ``<name> <value>`` lines it prints on stdout."""
        assert self.process is not None and self.process.stdout is not None
        found: dict[str, str] = {}
        try:
            async with asyncio.timeout(timeout):
                while len(found) < count:
                    line = await self.process.stdout.readline()
                    if not line:
                        await self.process.wait()
                        raise self.failure(f"exited with {self._code()} before it was ready")
                    name, _, value = line.decode().strip().partition(" ")
                    found[name] = value
        except TimeoutError as error:
            raise self.failure(
                f"announced {len(found)} of {count} clusters in {timeout:.0f}s"
            ) from error
        return found

    def _code(self) -> str:
        code = self.process.returncode if self.process is not None else None
        return "?" if code is None else str(code)

    async def stop(self, *, timeout: float) -> int | None:
        """SIGTERM, then SIGKILL to its whole process group after `timeout`; its exit code."""
        process = self.process
        if process is None:
            return None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout)
            except TimeoutError:
                print(f"{self.name} did not stop in {timeout:.0f}s; killing it", file=sys.stderr)
        # Anything left in its group (a grandchild such as etcd) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        code = await process.wait()
        if process.stdout is not None:
            with contextlib.suppress(Exception):
                await process.stdout.read()
        return code


class Supervisor:
    """The children in start order; stops them in reverse."""

    def __init__(self) -> None:
        self.children: list[Child] = []

    async def start(self, child: Child) -> Child:
        self.children.append(child)
        await child.start()
        return child

    async def first_exit(self) -> Child:
        """Returns the first child that exits (it should not, until stopped)."""
        waits = {
            asyncio.create_task(c.process.wait(), name=f"wait-{c.name}"): c
            for c in self.children
            if c.process is not None
        }
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            return waits[done.pop()]
        finally:
            for task in waits:
                task.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    async def stop_all(self, *, timeout: float) -> None:
        for child in reversed(self.children):
            await child.stop(timeout=timeout)
