"""Propagation: Deployment templates and PropagationPolicies in, objects in the members out.

The issue asks for end-to-end propagation latency (template + policy written
to object present in every target member), p50 and p99 over 100 Deployments
to 3 clusters; throughput for 200 and 1,000 Deployments to 3 and to 10
clusters in member objects per second, beside the apiserver's raw write
ceiling in the same run; and the controller manager's RSS at 12,000
templates. Targets: p50 <= 100 ms, p99 <= 250 ms, >= 160 member objects/s
(10x Karmada v1.19's ~16/s on the same kind of machine), RSS <= 300 MB.

One Stack (etcd + apiserver) carries a scheduler, a controller manager with
every default controller and one simulator of 10 bare member API servers
(`propagation_plane`), started and joined once. Member objects are detected
by watches on the members (`propagation_watch`), never by polling.

* Latency: per run, the Deployments one at a time, each a template then its
  own policy (Duplicated to 3 named clusters), timed from the first write to
  the moment the last of the 3 members' watches delivered it.
* Throughput: per run, N Deployments written by 16 concurrent writers, each
  a template then its own policy (one policy per Deployment, as Karmada's
  figure), timed from the first write until every N x clusters member object
  arrived; each Deployment's own latency under that load gives p50/p99. The
  ceiling is closed-loop creates of ~1 KiB ConfigMap templates at 16
  concurrent (as in the creates scenario), taken between the runs; nothing
  selects them and they are deleted again.
* Every run has a fresh namespace and is cleaned up before the next one
  (`propagation_steps`). Memory comes last (`propagation_rss`).
"""

from __future__ import annotations

import functools
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import propagation_metrics as pm
from bench import propagation_rss, report
from bench.load import CpuMeter, closed_loop, warm_up, write_all
from bench.objects import ConfigMap, configmap
from bench.processes import Stack
from bench.propagation_objects import deployment, policy
from bench.propagation_plane import STATUS_SECONDS, Plane
from bench.propagation_stages import Stages, describe
from bench.propagation_steps import WRITERS, clean, names, synced_namespace, write_deployments
from bench.propagation_watch import Arrivals
from bench.scenario import RunFn, ScenarioResult, Settings
from bench.stats import Measurement, Sample, percentile
from karmada.machinery.scheme import template_kind

FLEET = 10
LATENCY_CLUSTERS = 3
CLUSTER_COUNTS = (3, 10)
MAX_RUNS = 3
LARGE = 1000
LARGE_RUNS = 1
"""Runs are capped (and configurations of LARGE or more Deployments run once) so that
the scenario stays within about ten minutes at the target rate."""
CEILING = "api_create_16"
BUSY = ("execution", "workStatus", "bindingStatus", "binding", "resourceDetector")
"""Controllers whose busy workers (reconcile seconds per second) the report shows."""
RECONCILE_SECONDS = "controller-manager karmada_controller_reconcile_duration_seconds_sum"
TARGET_P50_MS = 100.0
TARGET_P99_MS = 250.0
TARGET_RATE = 160.0
TARGET_RSS_MB = 300.0


async def run(stack: Stack, settings: Settings, progress: Callable[[str], None]) -> ScenarioResult:
    result = ScenarioResult(
        "propagation", "Propagation (Deployments + PropagationPolicies to simulated members)"
    )
    logs = report.RESULTS_DIR / "logs" / "propagation"
    with tempfile.TemporaryDirectory(prefix="karmada-bench-propagation-") as tmp:
        async with Plane(stack, clusters=FLEET, directory=Path(tmp), log_dir=logs) as plane:
            progress(f"  {FLEET} clusters joined and Ready after {plane.ready_seconds:.1f} s")
            result.figures["ready_s"] = plane.ready_seconds
            arrivals = Arrivals(plane.members, [("apps/v1", "Deployment")])
            await arrivals.start()
            try:
                await _latency(plane, arrivals, settings, progress, result)
                await _throughput(plane, arrivals, settings, progress, result)
            finally:
                await arrivals.stop()
            await propagation_rss.measure(plane, settings, progress, result, ceiling=CEILING)
    result.notes += [
        f"one scheduler, one controller manager (every default controller, "
        f"--cluster-status-update-frequency={STATUS_SECONDS:g}) and one member simulator of "
        f"{FLEET} bare member API servers (--no-controllers: no pods, like Karmada's "
        "kube-apiserver-only members), joined in push mode; member objects are detected by "
        "watches on every member (label karmada.io/managed=true), arrival = the bench "
        "process receiving the watch event",
        "each Deployment (2 replicas, one container) gets its own PropagationPolicy "
        "(selected by name, Duplicated to the named clusters), taken to be how Karmada's "
        "figures were measured; the template is written first, then the policy",
        f"latency: {settings.propagation_latency} Deployments one at a time per run "
        f"({min(settings.runs, MAX_RUNS)} runs), from the template's write to the last of the "
        "3 members' watch events; the stage figures split it using watches on "
        "ResourceBindings and Works (pooled over all runs)",
        f"throughput: {WRITERS} concurrent writers, timed from the first write until every "
        f"member object arrived; configurations of {LARGE:,} Deployments run "
        f"{LARGE_RUNS} time(s), the others up to {MAX_RUNS}; p50/p99 are each Deployment's "
        "own latency under that load. Each run has a fresh namespace, and is cleaned up "
        "(templates and policies deleted, every member object seen deleted and no binding "
        "left) before the next; the ceiling's ConfigMaps are deleted after each ceiling run",
    ]
    result.figures |= {
        "target_p50_ms": TARGET_P50_MS,
        "target_p99_ms": TARGET_P99_MS,
        "target_objects_per_s": TARGET_RATE,
        "target_rss_mb": TARGET_RSS_MB,
    }
    return result


async def _latency(
    plane: Plane,
    arrivals: Arrivals,
    settings: Settings,
    progress: Callable[[str], None],
    result: ScenarioResult,
) -> None:
    count = settings.propagation_latency
    measurement = Measurement(
        "latency_3",
        f"{count} Deployments one at a time to {LATENCY_CLUSTERS} clusters",
        "Deployments/s",
    )
    stages = Stages(plane.client)
    await stages.start()
    before = await pm.read(plane.metrics_ports())
    try:
        for index in range(min(settings.runs, MAX_RUNS)):
            measurement.samples.append(
                await _latency_run(plane, arrivals, stages, f"prop-latency-{index}", count)
            )
            latencies = measurement.samples[-1].latencies
            progress(
                f"  latency run {index + 1}: p50 {percentile(latencies, 0.5) * 1e3:.0f} ms, "
                f"p99 {percentile(latencies, 0.99) * 1e3:.0f} ms, "
                f"max {max(latencies) * 1e3:.0f} ms"
            )
    finally:
        await stages.stop()
    runs = len(measurement.samples)
    per = pm.per_item(await pm.read(plane.metrics_ports()), before, count * runs)
    result.notes.append(_where("the latency runs (their clean-up included)", per))
    latencies = [x for sample in measurement.samples for x in sample.latencies]
    result.figures["latency_over_1s_share"] = sum(x > 1.0 for x in latencies) / len(latencies)
    result.figures["latency_bind_conflicts"] = per.get(pm.ABORTED, {}).get(
        "BindResourceBinding", 0.0
    )
    summary = stages.summary()
    for stage, (p50, p99) in summary.items():
        result.figures[f"stage_{stage}_p50_ms"] = p50
        result.figures[f"stage_{stage}_p99_ms"] = p99
    progress(f"  stages p50 / p99 ms: {describe(summary)}")
    result.measurements.append(measurement)


async def _latency_run(
    plane: Plane, arrivals: Arrivals, stages: Stages, namespace: str, count: int
) -> Sample:
    """One run: `count` Deployments, each written and awaited in every target before the next."""
    targets = plane.clusters[:LATENCY_CLUSTERS]
    await synced_namespace(plane, namespace)
    meter = CpuMeter(plane.pids())
    meter.start()
    latencies: list[float] = []
    began = time.perf_counter()
    for name in names(count):
        key = ("Deployment", namespace, name)
        started = time.perf_counter()
        await plane.client.create(deployment(namespace, name))
        await plane.client.create(policy(namespace, name, targets))
        written = time.perf_counter()
        await arrivals.wait(
            functools.partial(arrivals.present, targets, key),
            timeout=60.0,
            what=f"{namespace}/{name} in {targets}",
        )
        arrived = arrivals.arrival(targets, [key])
        latencies.append(arrived - started)
        stages.record(
            namespace=namespace, name=name, started=started, written=written, arrived=arrived
        )
    sample = Sample(
        ops=count, seconds=time.perf_counter() - began, latencies=latencies, cpu=meter.stop()
    )
    await clean(plane, arrivals, namespace, count)
    return sample


def _ceiling(plane: Plane, settings: Settings) -> tuple[Measurement, RunFn]:
    """Closed-loop ConfigMap template creates at 16 concurrent, deleted after each run."""
    measurement = Measurement(
        CEILING, "apiserver create (1 KiB ConfigMap template), 16 concurrent", "creates/s"
    )
    kind = template_kind("v1", "ConfigMap")
    template = configmap("template", "prop-ceiling")
    created: list[str] = []
    numbers = itertools.count()

    async def create(worker: int, seq: int) -> None:
        obj = ConfigMap()
        obj.CopyFrom(template)
        obj.metadata.name = f"c-{next(numbers)}"
        await plane.client.create(obj)
        created.append(obj.metadata.name)

    async def once(index: int) -> Sample:
        if index == 0:
            await synced_namespace(plane, "prop-ceiling")
            await warm_up(create, concurrency=WRITERS, calls=settings.warmup_calls)
        sample = await closed_loop(
            create, concurrency=WRITERS, duration=settings.duration, pids=plane.pids()
        )
        doomed = list(created)
        created.clear()
        await write_all(
            lambda i: plane.client.delete(kind, doomed[i], "prop-ceiling"),
            len(doomed),
            writers=WRITERS,
        )
        return sample

    return measurement, once


def _config(
    plane: Plane,
    arrivals: Arrivals,
    *,
    count: int,
    clusters: int,
    progress: Callable[[str], None],
    details: dict[str, dict[str, pm.Sums]],
    extra: dict[str, list[float]],
) -> tuple[Measurement, RunFn]:
    key = f"e2e_{count}x{clusters}"
    measurement = Measurement(
        key, f"{count:,} Deployments to {clusters} clusters", "objects/s", ceiling=CEILING
    )
    targets = plane.clusters[:clusters]
    wanted = count * clusters

    async def once(index: int) -> Sample:
        namespace = f"prop-{count}x{clusters}-{index}"
        await synced_namespace(plane, namespace)
        ports = plane.metrics_ports()
        before = await pm.read(ports)
        meter = CpuMeter(plane.pids())
        meter.start()
        began = time.perf_counter()
        started = await write_deployments(plane, namespace, count, targets)
        written = time.perf_counter() - began
        await arrivals.wait(
            lambda: arrivals.count(targets, namespace) >= wanted,
            timeout=max(120.0, wanted / 10),
            what=f"{wanted} member objects of {namespace}",
        )
        cpu = meter.stop()
        details[key] = pm.per_item(await pm.read(ports), before, count)
        keys = {name: ("Deployment", namespace, name) for name in started}
        end = arrivals.arrival(targets, keys.values())
        latencies = [arrivals.arrival(targets, [keys[n]]) - t for n, t in started.items()]
        sample = Sample(ops=wanted, seconds=end - began, latencies=latencies, cpu=cpu)
        cleanup = await clean(plane, arrivals, namespace, count)
        reconciling = details[key].get(RECONCILE_SECONDS, {})
        for controller in BUSY:
            extra.setdefault(f"busy_{controller}_{count}x{clusters}", []).append(
                reconciling.get(controller, 0.0) * count / sample.seconds
            )
        extra.setdefault(f"write_{count}x{clusters}_s", []).append(written)
        extra.setdefault(f"clean_{count}x{clusters}_s", []).append(cleanup)
        progress(
            f"  {count:,}x{clusters}: writes done after {written:.1f} s, all {wanted:,} "
            f"objects after {sample.seconds:.1f} s (clean-up {cleanup:.1f} s)"
        )
        return sample

    return measurement, once


async def _throughput(
    plane: Plane,
    arrivals: Arrivals,
    settings: Settings,
    progress: Callable[[str], None],
    result: ScenarioResult,
) -> None:
    details: dict[str, dict[str, pm.Sums]] = {}
    extra: dict[str, list[float]] = {}
    configs = [_ceiling(plane, settings)]
    caps = [MAX_RUNS]
    for count in settings.propagation_counts:
        for clusters in CLUSTER_COUNTS:
            configs.append(
                _config(
                    plane,
                    arrivals,
                    count=count,
                    clusters=clusters,
                    progress=progress,
                    details=details,
                    extra=extra,
                )
            )
            caps.append(LARGE_RUNS if count >= LARGE else MAX_RUNS)
    runs = min(settings.runs, MAX_RUNS)
    for index in range(runs):
        for (measurement, once), cap in zip(configs, caps, strict=True):
            if index >= min(cap, runs):
                continue
            measurement.samples.append(sample := await once(index))
            progress(
                f"  run {index + 1}/{min(cap, runs)} {measurement.label}: "
                f"{sample.rate:,.0f} {measurement.unit}"
            )
    result.measurements += [m for m, _ in configs]
    biggest = configs[-1][0].key
    for name, values in extra.items():
        if not name.startswith("busy_") or name.endswith(biggest.removeprefix("e2e")):
            result.figures[name] = statistics.median(values)
    if biggest in details:
        shape = biggest.removeprefix("e2e_")
        result.notes.append(_where(f"the last {shape} run", details[biggest]))


def _where(what: str, per: dict[str, pm.Sums]) -> str:
    """A note on the calls, reconciles and scheduling attempts per Deployment."""
    calls = per.get("apiserver grpc_server_handled_total", {})
    aborted = per.get(pm.ABORTED, {})
    retries = per.get("controller-manager workqueue_retries_total", {})
    attempts = per.get("scheduler karmada_scheduler_schedule_attempts_total", {})
    reconciles = per.get("controller-manager karmada_controller_reconcile_total", {})
    seconds = per.get(RECONCILE_SECONDS, {})
    ms = {k: v * 1e3 for k, v in seconds.items()}
    return (
        f"per Deployment in {what}: "
        f"{sum(calls.values()):.1f} apiserver calls ({pm.top(calls, 8)}), "
        f"{sum(aborted.values()):.2f} of them ABORTED ({pm.top(aborted, 4, fmt='{:.2f}')}); "
        f"{sum(reconciles.values()):.1f} reconciles ({pm.top(reconciles, 6)}); "
        f"reconcile wall time {sum(ms.values()):.0f} ms summed over workers "
        f"({pm.top(ms, 6, fmt='{:.0f} ms')}); requeues {pm.top(retries, 4, fmt='{:.2f}') or 'none'}; "
        f"scheduling attempts {pm.top(attempts, 3, fmt='{:.2f}')}"
    )
