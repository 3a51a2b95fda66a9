"""Starts karmada-membersim as a child process and waits for its announcement.

The simulator prints one ``<cluster> <url>`` line per cluster on stdout once
it is listening and its kubeconfigs are written, so readiness is that line
count, read with a deadline; logs go to a file beside the kubeconfigs.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class SimulatorProcess:
    """A ``python -m membersim`` child process.

    Args:
        directory: where kubeconfigs and the log go.
        clusters: the ``--clusters`` value; "" to leave the flag out (``--config``).
        extra_args: further flags.
        controllers: run the simulated controllers (workloads, scheduler,
            kubelet, EndpointSlices); False passes ``--no-controllers``.
        expected: how many clusters to wait for; by default what `clusters` says.
    """

    def __init__(
        self,
        directory: Path,
        *,
        clusters: str = "2",
        extra_args: tuple[str, ...] = (),
        controllers: bool = True,
        expected: int | None = None,
    ) -> None:
        self.directory = directory
        self.clusters = clusters
        self.extra_args = extra_args if controllers else ("--no-controllers", *extra_args)
        if expected is None:
            expected = int(clusters) if clusters.isdigit() else clusters.count(",") + 1
        self.expected = expected
        self.urls: dict[str, str] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = directory / "membersim.log"

    def kubeconfig(self, cluster: str) -> Path:
        return self.directory / f"{cluster}.kubeconfig"

    def faults(self, cluster: str, method: str = "GET", body: Any = None) -> Any:
        """Call the admin faults endpoint of `cluster`: GET, POST (set), PATCH (merge), DELETE."""
        url = self.urls[cluster].replace("/clusters/", "/admin/clusters/", 1) + "/faults"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            url, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        context = ssl.create_default_context(
            cafile=str(self.directory / "membersim-pki" / "ca.crt")
        )
        try:
            with urllib.request.urlopen(req, context=context, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as err:
            err.close()
            raise

    def start(self, *, timeout: float = 30.0) -> None:
        expected = self.expected
        flags = [f"--clusters={self.clusters}"] if self.clusters else []
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "membersim",
                    *flags,
                    f"--kubeconfig-dir={self.directory}",
                    *self.extra_args,
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=log,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while len(self.urls) < expected:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.stop()
                    raise TimeoutError(
                        f"membersim did not announce {expected} clusters in {timeout}s"
                    )
                if not selector.select(remaining):
                    continue
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError(
                        f"membersim exited with {self.process.wait()}; see {self.log_path}"
                    )
                buffer += chunk
                *lines, rest = buffer.split(b"\n")
                buffer = rest
                for line in lines:
                    name, url = line.decode().split()
                    self.urls[name] = url

    def stop(self, *, timeout: float = 10.0) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode
