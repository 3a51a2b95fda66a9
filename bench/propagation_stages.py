"""Where one Deployment's propagation latency goes, stage by stage, from the apiserver's watches.

During the latency runs the benchmark also watches ResourceBindings and Works
(`karmada.machinery.informer.Informer`, one each) and notes, on the same clock
as the member watches, when each binding first appeared (the detector's work),
when it first had clusters (the scheduler's), and when each of its Works first
appeared (the binding controller's). With the member arrivals that splits each
Deployment's latency into: writes (template and policy), detector, scheduler,
binding controller, and execution (Work created to object seen in the member,
including the member's watch delivery).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from bench.stats import percentile
from karmada.machinery.client import Client
from karmada.machinery.informer import Informer
from karmada.machinery.scheme import RESOURCE_BINDING, WORK
from karmada.member.marks import RB_NAME_ANNOTATION, RB_NAMESPACE_ANNOTATION
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb

STAGES = ("writes", "detector", "scheduler", "binding", "execution")
"""The parts of one Deployment's latency, in order."""


class Stages:
    """First-seen times of bindings, of their scheduling and of their Works."""

    def __init__(self, client: Client) -> None:
        self._bindings: Informer[rb_pb.ResourceBinding] = Informer(client, RESOURCE_BINDING)
        self._works: Informer[work_pb2.Work] = Informer(client, WORK)
        self.binding_added: dict[str, float] = {}
        self.binding_scheduled: dict[str, float] = {}
        self.work_added: dict[str, list[float]] = {}
        self._bindings.add_handler(self._binding, lambda _, new: self._binding(new), None)
        self._works.add_handler(self._work, None, None)
        self.parts: dict[str, list[float]] = {stage: [] for stage in STAGES}

    async def start(self) -> None:
        self._bindings.start()
        self._works.start()
        await self._bindings.wait_for_sync(30.0)
        await self._works.wait_for_sync(30.0)

    async def stop(self) -> None:
        await self._bindings.stop()
        await self._works.stop()

    def _binding(self, binding: rb_pb.ResourceBinding) -> None:
        now = time.perf_counter()
        key = f"{binding.metadata.namespace}/{binding.metadata.name}"
        self.binding_added.setdefault(key, now)
        if binding.spec.clusters:
            self.binding_scheduled.setdefault(key, now)

    def _work(self, work: work_pb2.Work) -> None:
        annotations = work.metadata.annotations
        key = f"{annotations.get(RB_NAMESPACE_ANNOTATION, '')}/{annotations.get(RB_NAME_ANNOTATION, '')}"
        self.work_added.setdefault(key, []).append(time.perf_counter())

    def record(
        self, *, namespace: str, name: str, started: float, written: float, arrived: float
    ) -> None:
        """Splits one Deployment's latency into STAGES (skipped if a stage went unseen)."""
        key = f"{namespace}/{name}-deployment"
        works = self.work_added.get(key, [])
        if key not in self.binding_added or key not in self.binding_scheduled or not works:
            return
        marks = [
            started,
            written,
            self.binding_added[key],
            self.binding_scheduled[key],
            max(works),
            arrived,
        ]
        for stage, begin, end in zip(STAGES, marks[:-1], marks[1:], strict=True):
            self.parts[stage].append(max(0.0, end - begin))

    def summary(self) -> dict[str, tuple[float, float]]:
        """p50 and p99 of each stage, in milliseconds."""
        return {
            stage: (percentile(values, 0.5) * 1e3, percentile(values, 0.99) * 1e3)
            for stage, values in self.parts.items()
            if values
        }


def describe(summary: dict[str, tuple[float, float]], stages: Iterable[str] = STAGES) -> str:
    return ", ".join(
        f"{stage} {summary[stage][0]:.1f} / {summary[stage][1]:.1f}"
        for stage in stages
        if stage in summary
    )
