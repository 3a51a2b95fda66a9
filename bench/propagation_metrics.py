"""Counters read from the components' /metrics around a run, to say where the work went.

`Counters` sums a Prometheus counter (or a histogram's ``_sum``/``_count``)
by one label from a /metrics page; the difference of two readings around a
throughput run gives, e.g., the apiserver's calls per method
(``grpc_server_handled_total`` by ``grpc_method``) and the controller
manager's reconciles and time in reconcile per controller.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Mapping

from prometheus_client.parser import text_string_to_metric_families

Sums = dict[str, float]


def sums(text: str, sample: str, label: str, *, where: Mapping[str, str] | None = None) -> Sums:
    """Values of samples named `sample` (with the labels in `where`) summed by `label`."""
    out: Sums = {}
    wanted = dict(where or {})
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if (
                s.name == sample
                and label in s.labels
                and all(s.labels.get(k) == v for k, v in wanted.items())
            ):
                key = s.labels[label]
                out[key] = out.get(key, 0.0) + float(s.value)
    return out


def minus(after: Mapping[str, float], before: Mapping[str, float]) -> Sums:
    return {k: v - before.get(k, 0.0) for k, v in after.items() if v - before.get(k, 0.0) > 0}


async def fetch(port: int) -> str:
    """The /metrics page on 127.0.0.1:`port` ("" if it does not answer)."""

    def get() -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                return str(r.read().decode())
        except (urllib.error.URLError, ConnectionError):
            return ""

    return await asyncio.to_thread(get)


READINGS = (
    ("apiserver", "grpc_server_handled_total", "grpc_method"),
    ("controller-manager", "karmada_controller_reconcile_total", "controller"),
    ("controller-manager", "karmada_controller_reconcile_duration_seconds_sum", "controller"),
    ("controller-manager", "workqueue_retries_total", "name"),
    ("scheduler", "karmada_scheduler_schedule_attempts_total", "result"),
)
"""(process, sample, label) read around the latency phase and every throughput run."""
ABORTED = "apiserver aborted"
"""The reading of the apiserver's ABORTED (conflict) replies by method."""


async def read(ports: Mapping[str, int]) -> dict[str, Sums]:
    """Every reading of READINGS, keyed "<process> <sample>"."""
    pages = {name: await fetch(port) for name, port in ports.items()}
    readings = {
        f"{process} {sample}": sums(pages[process], sample, label)
        for process, sample, label in READINGS
    }
    readings[ABORTED] = sums(
        pages["apiserver"],
        "grpc_server_handled_total",
        "grpc_method",
        where={"grpc_code": "ABORTED"},
    )
    return readings


def per_item(after: Mapping[str, Sums], before: Mapping[str, Sums], items: int) -> dict[str, Sums]:
    """Each reading's increase over the run, divided by `items`."""
    return {
        key: {k: v / items for k, v in minus(after[key], before.get(key, {})).items()}
        for key in after
    }


def top(values: Mapping[str, float], n: int, *, fmt: str = "{:.1f}") -> str:
    """The n largest values as "name 1.0, other 0.5"."""
    ranked = sorted(values.items(), key=lambda kv: -kv[1])[:n]
    return ", ".join(f"{k} {fmt.format(v)}" for k, v in ranked)
