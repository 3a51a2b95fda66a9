"""Samples of one timed run and their medians across runs.

A `Sample` is one run: how many operations finished in how many seconds, the
latency of each operation (when it has one) and the CPU seconds each process
spent meanwhile. A `Measurement` is several runs of one configuration; the
report shows medians across runs, so one noisy run moves nothing.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of values (0 when there are none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


@dataclass(slots=True)
class Sample:
    """One run of one configuration."""

    ops: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds > 0 else 0.0

    def cpu_per_op_us(self, process: str) -> float:
        """CPU microseconds `process` spent per operation in this run."""
        return self.cpu.get(process, 0.0) / self.ops * 1e6 if self.ops else 0.0


@dataclass(slots=True)
class Measurement:
    """Several runs of one configuration, compared against `ceiling` (a key) if set."""

    key: str
    label: str
    unit: str
    samples: list[Sample] = field(default_factory=list)
    ceiling: str = ""

    @property
    def rate(self) -> float:
        return statistics.median(s.rate for s in self.samples) if self.samples else 0.0

    @property
    def spread(self) -> tuple[float, float]:
        rates = [s.rate for s in self.samples] or [0.0]
        return min(rates), max(rates)

    @property
    def has_latency(self) -> bool:
        return any(s.latencies for s in self.samples)

    def latency_ms(self, fraction: float) -> float:
        """Median across runs of each run's latency percentile, in milliseconds."""
        values = [percentile(s.latencies, fraction) for s in self.samples if s.latencies]
        return statistics.median(values) * 1e3 if values else 0.0

    def cpu_per_op_us(self) -> dict[str, float]:
        """Median CPU microseconds per operation, per process."""
        names = sorted({name for s in self.samples for name in s.cpu})
        return {
            name: statistics.median(s.cpu_per_op_us(name) for s in self.samples) for name in names
        }

    def cores(self) -> dict[str, float]:
        """Median CPU cores (CPU seconds per wall second) each process used during the runs."""
        names = sorted({name for s in self.samples for name in s.cpu})
        return {
            name: statistics.median(
                s.cpu.get(name, 0.0) / s.seconds if s.seconds else 0.0 for s in self.samples
            )
            for name in names
        }

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "ceiling": self.ceiling,
            "median": self.rate,
            "runs": [s.rate for s in self.samples],
            "ops": [s.ops for s in self.samples],
            "p50_ms": self.latency_ms(0.5) if self.has_latency else None,
            "p99_ms": self.latency_ms(0.99) if self.has_latency else None,
            "cpu_us_per_op": self.cpu_per_op_us(),
            "cpu_cores": self.cores(),
        }
