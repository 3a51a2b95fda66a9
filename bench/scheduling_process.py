"""A karmada-scheduler child process for the scheduling benchmark, and its progress counter.

The benchmark learns how far the scheduler has got the way an operator would:
from its /metrics, summing
``karmada_scheduler_schedule_attempts_total`` by result. Each poll costs the
scheduler one /metrics render on its event loop (a few milliseconds), so the
benchmark polls ten times a second, no more.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from apiserver.storage.embedded import free_port
from bench.processes import ROOT, stop_process

ATTEMPTS = "karmada_scheduler_schedule_attempts_total"
_RESULT = re.compile(r'result="([^"]*)"')


def attempts_by_result(text: str) -> dict[str, float]:
    """Sums of the schedule-attempts counter by its result label, from a /metrics page."""
    out: dict[str, float] = {}
    prefix = ATTEMPTS + "{"
    for line in text.splitlines():
        if not line.startswith(prefix):
            continue
        labels, _, value = line.rpartition(" ")
        match = _RESULT.search(labels)
        if match:
            out[match.group(1)] = out.get(match.group(1), 0.0) + float(value)
    return out


class SchedulerProcess:
    """``python -m scheduler`` against `apiserver`; started on enter, stopped on exit."""

    def __init__(self, apiserver: str, *, workers: int, log_path: Path) -> None:
        self.apiserver = apiserver
        self.workers = workers
        self.log_path = log_path
        self.metrics_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        """time.perf_counter() just before the process was spawned."""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def __aenter__(self) -> SchedulerProcess:
        command = [
            sys.executable,
            "-m",
            "scheduler",
            f"--apiserver={self.apiserver}",
            f"--metrics-bind-address=127.0.0.1:{self.metrics_port}",
            f"--workers={self.workers}",
            "--log-level=warning",
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.started = time.perf_counter()
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process is not None:
            await asyncio.to_thread(stop_process, self.process)

    def check_alive(self) -> None:
        assert self.process is not None
        if (code := self.process.poll()) is not None:
            raise RuntimeError(f"scheduler exited with {code}; see {self.log_path}")

    async def attempts(self) -> dict[str, float]:
        """Schedule attempts so far by result; empty until /metrics answers."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"

        def fetch() -> str:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    return str(response.read().decode())
            except (urllib.error.URLError, ConnectionError):
                return ""

        return attempts_by_result(await asyncio.to_thread(fetch))
