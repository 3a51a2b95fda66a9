"""Membersim: the member-cluster simulator beside the apiserver, and its memory at scale.

Gets and creates of one ~1 KiB ConfigMap against one simulated cluster, made
through the official `kubernetes.aio` client (CoreV1Api, configured from the
cluster's kubeconfig by `karmada.member.config`; HTTPS with a bearer token),
interleaved with the same calls against the Stack's apiserver through
`karmada.machinery.client.Client`, at 1 and 16 concurrent. Then the
simulator's RSS with 100 and 1,000 idle clusters of 3 nodes each, read once its
controllers' first pass is over (the default ServiceAccount exists in the last
cluster), and its startup time until every cluster is announced.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kubernetes.aio import client as k8s

from bench import report
from bench.load import Operation, closed_loop, warm_up
from bench.objects import CONFIGMAP, DATA, ConfigMap, configmap
from bench.processes import ROOT, Stack, rss_bytes
from bench.scenario import RunFn, ScenarioResult, Settings, interleave
from bench.stats import Measurement, Sample
from karmada.machinery.client import Client
from karmada.member import config as member_config

NAME = "get-target"
SCALES = (100, 1000)
MAX_RUNS = 3
MAX_DURATION = 1.5
"""The scenario caps runs and run time so that it stays within about a minute."""


class Simulator:
    """A ``python -m membersim`` child process; `start` returns once every cluster is announced."""

    def __init__(
        self, clusters: int, directory: Path, log_path: Path, *, extra_args: tuple[str, ...] = ()
    ) -> None:
        self.clusters = clusters
        self.directory = directory
        self.log_path = log_path
        self.extra_args = extra_args
        self.urls: dict[str, str] = {}
        self.process: asyncio.subprocess.Process | None = None
        self.startup_seconds = 0.0
        self.started = 0.0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kubeconfig(self, cluster: str) -> Path:
        return self.directory / f"{cluster}.kubeconfig"

    async def start(self, *, timeout: float = 60.0) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.started = started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "membersim",
                f"--clusters={self.clusters}",
                f"--kubeconfig-dir={self.directory}",
                "--log-level=warning",
                *self.extra_args,
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=log,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        assert self.process.stdout is not None
        async with asyncio.timeout(timeout):
            while len(self.urls) < self.clusters:
                line = await self.process.stdout.readline()
                if not line:
                    raise RuntimeError(
                        f"membersim exited with {await self.process.wait()}; see {self.log_path}"
                    )
                name, url = line.decode().split()
                self.urls[name] = url
        self.startup_seconds = time.monotonic() - started

    async def stop(self, *, timeout: float = 10.0) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            async with asyncio.timeout(timeout):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    async def api(self, cluster: str) -> k8s.ApiClient:
        """An official `kubernetes.aio` ApiClient for `cluster` (close it when done)."""
        configuration = await member_config.from_kubeconfig_file(
            self.kubeconfig(cluster), cluster=cluster
        )
        return k8s.ApiClient(configuration)


async def _settled(sim: Simulator, *, timeout: float = 60.0) -> None:
    """Waits until the default ServiceAccount exists in the last cluster's default namespace."""
    api = await sim.api(list(sim.urls)[-1])
    core = k8s.CoreV1Api(api)
    try:
        async with asyncio.timeout(timeout):
            while True:
                try:
                    await core.read_namespaced_service_account("default", "default")
                    return
                except k8s.ApiException as e:
                    if e.status != 404:
                        raise
                await asyncio.sleep(0.05)
    finally:
        await api.close()  # type: ignore[no-untyped-call]


def _manifest(name: str) -> k8s.V1ConfigMap:
    return k8s.V1ConfigMap(
        api_version="v1",
        kind="ConfigMap",
        metadata=k8s.V1ObjectMeta(name=name, namespace="default"),
        data={"k": DATA},
    )


async def run(stack: Stack, settings: Settings, progress: Callable[[str], None]) -> ScenarioResult:
    result = ScenarioResult(
        "membersim", "Member-cluster simulator (one cluster vs the apiserver; memory at scale)"
    )
    logs = report.RESULTS_DIR / "logs" / "membersim"
    with tempfile.TemporaryDirectory(prefix="karmada-bench-membersim-") as tmp:
        sim = Simulator(1, Path(tmp) / "one", logs / "membersim-1.log")
        await sim.start()
        try:
            await _throughput(stack, sim, settings, progress, result)
        finally:
            await sim.stop()
        for count in SCALES:
            big = Simulator(count, Path(tmp) / str(count), logs / f"membersim-{count}.log")
            await big.start(timeout=120.0)
            try:
                await _settled(big)
                settled = time.monotonic() - big.started
                rss = rss_bytes(big.pid)
            finally:
                await big.stop()
            result.figures[f"rss_{count}_mib"] = rss / 2**20
            result.figures[f"startup_{count}_s"] = big.startup_seconds
            result.figures[f"settled_{count}_s"] = settled
            progress(
                f"  {count} clusters: RSS {rss / 2**20:,.1f} MiB, "
                f"announced in {big.startup_seconds:.2f} s, settled in {settled:.2f} s"
            )
    low, high = SCALES
    result.figures["rss_per_cluster_kib"] = (
        (result.figures[f"rss_{high}_mib"] - result.figures[f"rss_{low}_mib"]) * 1024 / (high - low)
    )
    result.notes.append(
        "simulator calls go through the official kubernetes.aio client (CoreV1Api, HTTPS "
        "with a bearer token, responses decoded into models); apiserver calls through "
        "karmada.machinery.client.Client; `membersim` is the simulator process"
    )
    return result


async def _throughput(
    stack: Stack,
    sim: Simulator,
    settings: Settings,
    progress: Callable[[str], None],
    result: ScenarioResult,
) -> None:
    cluster = next(iter(sim.urls))
    api = await sim.api(cluster)
    core = k8s.CoreV1Api(api)
    client = Client(stack.address)
    await client.create(configmap(NAME))
    await core.create_namespaced_config_map("default", _manifest(NAME))
    pids = {**stack.pids(), "membersim": sim.pid}
    runs = min(settings.runs, MAX_RUNS)
    duration = min(settings.duration, MAX_DURATION)

    def api_get(tag: str) -> Operation:
        async def op(worker: int, seq: int) -> None:
            await client.get(CONFIGMAP, NAME, "default")

        return op

    def sim_get(tag: str) -> Operation:
        async def op(worker: int, seq: int) -> None:
            await core.read_namespaced_config_map(NAME, "default")

        return op

    def api_create(tag: str) -> Operation:
        template = configmap("template")

        async def op(worker: int, seq: int) -> None:
            obj = ConfigMap()
            obj.CopyFrom(template)
            obj.metadata.name = f"c-{tag}-{seq}"
            await client.create(obj)

        return op

    def sim_create(tag: str) -> Operation:
        async def op(worker: int, seq: int) -> None:
            await core.create_namespaced_config_map("default", _manifest(f"c-{tag}-{seq}"))

        return op

    def config(
        key: str, label: str, make: Callable[[str], Operation], concurrency: int, vs: str = ""
    ) -> tuple[Measurement, RunFn]:
        unit = "gets/s" if "get" in key else "creates/s"
        measurement = Measurement(key, label, unit, ceiling=vs)
        tag = key.replace("_", "-")

        async def once(index: int) -> Sample:
            if index == 0:
                await warm_up(
                    make(f"{tag}-w"), concurrency=concurrency, calls=settings.warmup_calls
                )
            return await closed_loop(
                make(f"{tag}-{index}"), concurrency=concurrency, duration=duration, pids=pids
            )

        return measurement, once

    configs = []
    for what, api_make, sim_make in (("get", api_get, sim_get), ("create", api_create, sim_create)):
        for concurrency in (1, 16):
            api_key = f"api_{what}_{concurrency}"
            configs += [
                config(
                    api_key, f"apiserver {what}, {concurrency} concurrent", api_make, concurrency
                ),
                config(
                    f"sim_{what}_{concurrency}",
                    f"simulator {what}, {concurrency} concurrent",
                    sim_make,
                    concurrency,
                    api_key,
                ),
            ]
    try:
        await interleave(configs, runs=runs, progress=progress)
    finally:
        await client.close()
        await api.close()  # type: ignore[no-untyped-call]
    result.measurements = [m for m, _ in configs]


def analysis(result: ScenarioResult) -> list[str]:
    """One or two sentences on the figures of a membersim result."""
    ratios = {
        key: result.ratio(result.get(key)) or 0.0
        for key in ("sim_get_1", "sim_get_16", "sim_create_1", "sim_create_16")
    }
    sim_us = result.get("sim_get_16").cpu_per_op_us()
    api_us = result.get("api_get_16").cpu_per_op_us()
    client_cores = result.get("sim_get_16").cores().get("client", 0.0)
    limit = (
        "and the client side is what limits it"
        if client_cores >= 0.85
        else "and neither side saturates one core"
    )
    figures = result.figures
    low, high = SCALES
    return [
        f"Through the official client one simulated cluster serves "
        f"{ratios['sim_get_1']:.2f}x / {ratios['sim_get_16']:.2f}x the apiserver's gets and "
        f"{ratios['sim_create_1']:.2f}x / {ratios['sim_create_16']:.2f}x its creates "
        f"(1 / 16 concurrent), {limit}: at 16 concurrent gets "
        f"kubernetes.aio keeps the benchmark process at {client_cores:.2f} cores "
        f"({sim_us.get('client', 0.0):,.0f} us per call, against "
        f"{api_us.get('client', 0.0):,.0f} us for the gRPC client) while the simulator "
        f"spends {sim_us.get('membersim', 0.0):,.0f} us per get (the apiserver "
        f"{api_us.get('apiserver', 0.0):,.0f} us, plus etcd's "
        f"{api_us.get('etcd', 0.0):,.0f} us).",
        f"Idle, the simulator holds {figures[f'rss_{low}_mib']:,.0f} MiB RSS with {low:,} "
        f"clusters and {figures[f'rss_{high}_mib']:,.0f} MiB with {high:,} "
        f"(about {figures['rss_per_cluster_kib']:,.0f} KiB per cluster; the issue's budget "
        f"is 300 MB for 1,000), and announces {high:,} clusters in "
        f"{figures[f'startup_{high}_s']:.1f} s ({figures[f'startup_{low}_s']:.1f} s for {low}; "
        f"its controllers' first pass is over {figures[f'settled_{high}_s']:.1f} s after start).",
    ]
