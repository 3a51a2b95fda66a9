"""Tables on stdout, results JSON under bench/results/, and the facts about the machine."""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from apiserver.storage.embedded import find_etcd
from bench.propagation_report import FIGURE_LABELS as PROPAGATION_LABELS
from bench.scenario import ScenarioResult, Settings
from bench.stats import Measurement

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MIN_CPU_US = 5.0
MIN_CORES = 0.03
"""Processes using less CPU than these are left out of the CPU column (clock-tick noise)."""


@dataclass(frozen=True, slots=True)
class Machine:
    """Where and when the benchmarks ran."""

    date: str
    cpus: int
    cpu_model: str
    python: str
    grpcio: str
    protobuf: str
    etcd: str
    platform: str


def machine() -> Machine:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    version = subprocess.run(
        [find_etcd(), "--version"], capture_output=True, text=True, check=True
    ).stdout
    return Machine(
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cpus=os.cpu_count() or 0,
        cpu_model=model,
        python=platform.python_version(),
        grpcio=metadata.version("grpcio"),
        protobuf=metadata.version("protobuf"),
        etcd=version.splitlines()[0].removeprefix("etcd Version:").strip(),
        platform=platform.platform(),
    )


def cpu_text(measurement: Measurement) -> str:
    """E.g. "apiserver 571 (0.94), etcd 275 (0.45)": µs per op and cores used."""
    cores = measurement.cores()
    return ", ".join(
        f"{name} {us:,.0f} ({cores.get(name, 0.0):.2f})"
        for name, us in sorted(measurement.cpu_per_op_us().items(), key=lambda kv: -kv[1])
        if us >= MIN_CPU_US and cores.get(name, 0.0) >= MIN_CORES
    )


def rows(result: ScenarioResult) -> list[list[str]]:
    """One row per measurement: label, median, spread, p50, p99, ratio, CPU."""
    out = []
    for m in result.measurements:
        low, high = m.spread
        ratio = result.ratio(m)
        out.append(
            [
                m.label,
                f"{m.rate:,.0f} {m.unit}",
                f"{low:,.0f}-{high:,.0f}",
                f"{m.latency_ms(0.5):.2f}" if m.has_latency else "",
                f"{m.latency_ms(0.99):.2f}" if m.has_latency else "",
                f"{ratio:.2f}x {result.get(m.ceiling).label}" if ratio is not None else "",
                cpu_text(m),
            ]
        )
    return out


HEADER = [
    "measurement",
    "median",
    "runs min-max",
    "p50 ms",
    "p99 ms",
    "vs ceiling",
    "CPU us/op (cores)",
]


def _scheduling_labels(scales: tuple[int, ...]) -> dict[str, str]:
    """Labels of the scheduling scenario's per-scale figures (bench/scheduling.py SCALES)."""
    labels: dict[str, str] = {}
    for n in scales:
        labels |= {
            f"sched_ratio_{n}": f"end to end from process start / update ceiling, {n:,} clusters",
            f"sched_ratio_steady_{n}": (
                f"end to end from first scheduled binding / update ceiling, {n:,} clusters"
            ),
            f"sched_startup_{n}_s": (
                f"scheduler spawn to first scheduled binding, {n:,} clusters (s, median)"
            ),
            f"sched_distinct_clusters_{n}": (
                f"clusters given replicas across all bindings, {n:,} clusters (last run)"
            ),
            f"sched_algorithm_bindings_{n}": f"bindings timed per algorithm run, {n:,} clusters",
        }
    return labels


FIGURE_LABELS = {
    "target_ratio": "target: apiserver creates / raw puts at 16 concurrent",
    "ratio_16": "apiserver creates / raw puts at 16 concurrent (1 channel)",
    "best_ratio_16": "best of 1 and 4 channels",
    "replay_vs_grpc_stream": "apiserver catch-up / bare grpc.aio stream",
    "grpc_rss_idle_mib": "bare stream server RSS before streams (MiB)",
    "grpc_rss_watching_mib": "bare stream server RSS with the streams open (MiB)",
    "apiserver_rss_idle_mib": "apiserver RSS before watchers (MiB)",
    "apiserver_rss_watching_mib": "apiserver RSS with the watchers attached (MiB)",
    "apiserver_rss_after_mib": "apiserver RSS after the bursts (MiB)",
    "apiserver_rss_per_watcher_kib": "apiserver RSS per watcher (KiB)",
    "apiserver_cpu_seconds_per_burst": "apiserver CPU seconds per burst (median)",
    "apiserver_burst_seconds": "seconds per burst, first write to last delivery (median)",
    "rss_100_mib": "simulator RSS with 100 idle clusters of 3 nodes (MiB)",
    "startup_100_s": "simulator start to 100 clusters announced (s)",
    "settled_100_s": "simulator start to the last cluster's default ServiceAccount, 100 (s)",
    "rss_1000_mib": "simulator RSS with 1,000 idle clusters of 3 nodes (MiB)",
    "startup_1000_s": "simulator start to 1,000 clusters announced (s)",
    "settled_1000_s": "simulator start to the last cluster's default ServiceAccount, 1,000 (s)",
    "rss_per_cluster_kib": "simulator RSS per extra cluster, 100 to 1,000 (KiB)",
    "sched_target_p99_ms": "target: algorithm p99 per binding at 100 clusters, under (ms)",
    "sched_target_ratio": "target: end-to-end bindings/s / apiserver binding updates/s, at least",
    **_scheduling_labels((100, 1000)),
    **PROPAGATION_LABELS,
}


def figure_lines(result: ScenarioResult) -> list[str]:
    return [f"{FIGURE_LABELS.get(k, k)}: {v:,.2f}" for k, v in result.figures.items()]


def print_table(result: ScenarioResult) -> None:
    table = [HEADER, *rows(result)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    print(f"\n== {result.title} ==")
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for line in figure_lines(result):
        print(f"  {line}")
    for note in result.notes:
        print(f"  note: {note}")


def write_json(machine: Machine, settings: Settings, results: list[ScenarioResult]) -> Path:
    """Writes bench/results/bench-<time>.json and latest.json; returns the former."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {
        "machine": asdict(machine),
        "settings": asdict(settings),
        "scenarios": [r.to_json() for r in results],
    }
    text = json.dumps(document, indent=2)
    path = RESULTS_DIR / f"bench-{stamp}.json"
    path.write_text(text)
    (RESULTS_DIR / "latest.json").write_text(text)
    return path
