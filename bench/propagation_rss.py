"""Memory at scale: the components' RSS once 12,000 templates are propagated to 3 clusters.

The mix follows Karmada's issue #4738 (2,000 Deployments beside Secrets,
ConfigMaps and Services; `propagation_objects.MIX`), spread evenly over
NAMESPACES namespaces, each with one policy duplicating every labelled
template of the four kinds to the first 3 clusters. Policies are written
first, then the templates by 16 concurrent writers; RSS is read once the
members' watches report every member object present (and again after a short
settle, taking the larger), so every cache (templates, bindings, Works and
the member-object watches) is as full as in steady state. The throughput
runs before it have come and gone, so the figures include whatever memory
those left behind; the idle figures are read before this phase starts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bench import propagation_metrics as pm
from bench.load import CpuMeter, write_all
from bench.processes import rss_bytes
from bench.propagation_objects import MIX, mix_counts, mix_policy, mix_template
from bench.propagation_plane import Plane
from bench.propagation_steps import WRITERS, synced_namespace
from bench.propagation_watch import Arrivals
from bench.scenario import ScenarioResult, Settings
from bench.stats import Measurement, Sample

NAMESPACES = 10
CLUSTERS = 3
SETTLE_SECONDS = 2.0
PROCESSES = ("controller-manager", "scheduler", "apiserver", "etcd", "membersim")


def _rss_mib(plane: Plane) -> dict[str, float]:
    return {name: rss_bytes(pid) / 2**20 for name, pid in plane.pids().items()}


async def measure(
    plane: Plane,
    settings: Settings,
    progress: Callable[[str], None],
    result: ScenarioResult,
    *,
    ceiling: str,
) -> None:
    """Propagates the mix and records the `mix_3` measurement and the RSS figures."""
    total = settings.propagation_templates
    targets = plane.clusters[:CLUSTERS]
    idle = _rss_mib(plane)
    namespaces = [f"prop-mix-{i}" for i in range(NAMESPACES)]
    for namespace in namespaces:
        await synced_namespace(plane, namespace)
        await plane.client.create(mix_policy(namespace, targets))
    work = [
        (kind, namespaces[i % NAMESPACES], i // NAMESPACES)
        for kind, count in mix_counts(total)
        for i in range(count)
    ]
    members = {name: plane.members[name] for name in targets}
    arrivals = Arrivals(members, [(kind.api_version, kind.kind) for kind in MIX])
    await arrivals.start()
    try:
        meter = CpuMeter(plane.pids())
        meter.start()
        began = time.perf_counter()

        async def write(index: int) -> None:
            kind, namespace, number = work[index]
            await plane.client.create(mix_template(kind, namespace, number))

        await write_all(write, len(work), writers=WRITERS)
        written = time.perf_counter() - began
        wanted = total * CLUSTERS
        await arrivals.wait(
            lambda: sum(arrivals.count(targets, ns) for ns in namespaces) >= wanted,
            timeout=max(300.0, wanted / 20),
            what=f"{wanted:,} member objects of the mix",
        )
        elapsed = time.perf_counter() - began
        cpu = meter.stop()
    finally:
        await arrivals.stop()
    loaded = _rss_mib(plane)
    await asyncio.sleep(SETTLE_SECONDS)
    settled = _rss_mib(plane)
    page = await pm.fetch(plane.manager.metrics_port)
    stores = pm.sums(page, "karmada_informer_store_objects", "kind")
    measurement = Measurement(
        "mix_3",
        f"{total:,} templates (Deployments, Secrets, ConfigMaps, Services) to {CLUSTERS} "
        "clusters, memory phase",
        "objects/s",
        ceiling=ceiling,
    )
    measurement.samples.append(Sample(ops=wanted, seconds=elapsed, cpu=cpu))
    result.measurements.append(measurement)
    figures = result.figures
    for name in PROCESSES:
        figures[f"rss_idle_{name}_mib"] = idle[name]
        figures[f"rss_{name}_mib"] = max(loaded[name], settled[name])
    figures["mix_write_s"] = written
    mix = ", ".join(f"{n:,} {kind.kind}s" for kind, n in mix_counts(total))
    result.notes.append(
        f"memory: {mix} in {NAMESPACES} namespaces, each namespace with one policy "
        f"selecting them by label and duplicating them to {CLUSTERS} clusters, written after "
        "the throughput runs were cleaned up; RSS is VmRSS once every member object arrived "
        f"and again {SETTLE_SECONDS:g} s later, the larger kept; the controller manager's "
        f"informers then held {sum(stores.values()):,.0f} objects ("
        + pm.top(stores, 6, fmt="{:,.0f}")
        + "), besides its member watches' copies of the member objects"
    )
    progress(
        f"  memory: {total:,} templates written in {written:.1f} s, {wanted:,} member objects "
        f"after {elapsed:.1f} s ({measurement.rate:,.0f}/s); RSS controller-manager "
        f"{figures['rss_controller-manager_mib']:,.0f} MiB (idle {idle['controller-manager']:,.0f}), "
        f"scheduler {figures['rss_scheduler_mib']:,.0f}, apiserver {figures['rss_apiserver_mib']:,.0f}"
    )
