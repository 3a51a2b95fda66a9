"""The scheduling algorithm alone, timed binding by binding inside the benchmark process.

End-to-end throughput mixes the algorithm with informers, the apiserver and
etcd; Karmada's published figure (p99 32 ms at 100 clusters) is the
algorithm's latency per binding. So the benchmark also builds the scheduler's
own inputs in-process, `ClusterInfo.from_proto` of the very clusters it
created and the default framework from `registry.build()`, and times
`algorithm.schedule` on each created binding with `time.perf_counter`, with
nothing else running (the scheduler process is stopped by then).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from bench.load import CpuMeter
from bench.stats import Sample
from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2
from scheduler import algorithm
from scheduler.framework.registry import build
from scheduler.framework.types import BindingInfo, ClusterInfo

WORK_PER_RUN = 2_000_000
"""Bindings x clusters timed per run: all 10,000 bindings at 100 clusters, 2,000 at
1,000 (about 4 ms each there), so one run stays under ten seconds."""


def binding_count(bindings: int, clusters: int) -> int:
    """How many of the bindings to time against `clusters` clusters."""
    return max(1, min(bindings, WORK_PER_RUN // clusters))


def snapshot(clusters: Sequence[cluster_pb2.Cluster]) -> list[ClusterInfo]:
    """The clusters as the scheduler's snapshot holds them: parsed, sorted by name."""
    return sorted((ClusterInfo.from_proto(c) for c in clusters), key=lambda info: info.name)


def time_schedule(
    bindings: Sequence[rb_pb2.ResourceBinding], clusters: Sequence[ClusterInfo], *, pid: int
) -> Sample:
    """One run: schedules each binding once (fresh=False, no previous result).

    Raises:
        ScheduleError: a binding does not fit (the benchmark's fleet always fits).
    """
    framework = build()
    infos = [
        BindingInfo(
            namespace=b.metadata.namespace,
            name=b.metadata.name,
            uid=b.metadata.uid,
            spec=b.spec,
            status=b.status,
        )
        for b in bindings
    ]
    latencies: list[float] = []
    clock = time.perf_counter
    meter = CpuMeter({"client": pid})
    meter.start()
    began = clock()
    for info in infos:
        started = clock()
        algorithm.schedule(info, clusters, framework, fresh=False)
        latencies.append(clock() - started)
    elapsed = clock() - began
    return Sample(ops=len(infos), seconds=elapsed, latencies=latencies, cpu=meter.stop())
