"""What every scenario takes and returns, and how runs of several configurations interleave."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bench.stats import Measurement, Sample

RunFn = Callable[[int], Awaitable[Sample]]
"""Runs one timed run of a configuration; gets the run's index."""


@dataclass(frozen=True, slots=True)
class Settings:
    """How long and how often to measure."""

    runs: int = 5
    duration: float = 3.0
    warmup_calls: int = 200
    delivery_events: int = 6000
    fanout_watchers: int = 1000
    fanout_processes: int = 4
    fanout_events: int = 100
    scheduling_bindings: int = 10000
    propagation_latency: int = 100
    propagation_counts: tuple[int, ...] = (200, 1000)
    propagation_templates: int = 12000


@dataclass(slots=True)
class ScenarioResult:
    """The measurements of one scenario, plus notes and single figures for the report."""

    key: str
    title: str
    measurements: list[Measurement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    def get(self, key: str) -> Measurement:
        for measurement in self.measurements:
            if measurement.key == key:
                return measurement
        raise KeyError(key)

    def ratio(self, measurement: Measurement) -> float | None:
        """The measurement's median over its ceiling's median, if it has a ceiling."""
        if not measurement.ceiling:
            return None
        ceiling = self.get(measurement.ceiling).rate
        return measurement.rate / ceiling if ceiling else None

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "title": self.title,
            "measurements": [{**m.to_json(), "ratio": self.ratio(m)} for m in self.measurements],
            "notes": self.notes,
            "figures": self.figures,
        }


def repeated(run: RunFn, times: int) -> RunFn:
    """A run made of `times` back-to-back runs, for measurements too short to be stable alone."""

    async def once(index: int) -> Sample:
        total = Sample(ops=0, seconds=0.0)
        for _ in range(times):
            sample = await run(index)
            total.ops += sample.ops
            total.seconds += sample.seconds
            total.latencies += sample.latencies
            for name, seconds in sample.cpu.items():
                total.cpu[name] = total.cpu.get(name, 0.0) + seconds
        return total

    return once


async def interleave(
    configs: Sequence[tuple[Measurement, RunFn]], *, runs: int, progress: Callable[[str], None]
) -> None:
    """Runs every configuration once per round, `runs` rounds, so drift hits all alike."""
    for index in range(runs):
        for measurement, run in configs:
            sample = await run(index)
            measurement.samples.append(sample)
            progress(
                f"  run {index + 1}/{runs} {measurement.label}: "
                f"{sample.rate:,.0f} {measurement.unit}"
            )
