"""The scheduling section's verdict and where-the-time-goes sentences, computed from its figures.

Kept apart from `bench.scheduling` so the scenario module holds only the
measuring; `bench.docs` appends these paragraphs under the section's table.
"""

from __future__ import annotations

import os

from bench.scenario import ScenarioResult

LOW, HIGH = 100, 1000
"""The two fleet sizes (bench.scheduling.SCALES)."""
KARMADA_P99_MS = 32
"""Karmada's published p99 scheduling latency at 100 clusters."""


def _met(ok: bool) -> str:
    return "**Target met**" if ok else "**Target not met**"


def verdict(result: ScenarioResult) -> list[str]:
    """Two paragraphs: the algorithm's p99 target and the end-to-end throughput target."""
    figures = result.figures
    target_p99 = figures["sched_target_p99_ms"]
    target_ratio = figures["sched_target_ratio"]
    low, high = result.get(f"algorithm_{LOW}"), result.get(f"algorithm_{HIGH}")
    p99 = low.latency_ms(0.99)
    timed_high = figures[f"sched_algorithm_bindings_{HIGH}"]
    algorithm = (
        f"{_met(p99 < target_p99)} (algorithm latency): the algorithm's p99 per binding "
        f"at {LOW} clusters is **{p99:.2f} ms** (p50 {low.latency_ms(0.5):.2f} ms); the "
        f"target is under {target_p99:g} ms, against Karmada's published {KARMADA_P99_MS} ms. At "
        f"{HIGH:,} clusters p50 is {high.latency_ms(0.5):.2f} ms and p99 "
        f"{high.latency_ms(0.99):.2f} ms (timed on {timed_high:,.0f} bindings per run)."
    )
    ratios = {n: figures[f"sched_ratio_{n}"] for n in (LOW, HIGH)}
    steady = {n: figures[f"sched_ratio_steady_{n}"] for n in (LOW, HIGH)}
    rates = {n: result.get(f"e2e_{n}").rate for n in (LOW, HIGH)}
    ceilings = {n: result.get(f"update_ceiling_{n}").rate for n in (LOW, HIGH)}
    failing = [n for n in (LOW, HIGH) if ratios[n] < target_ratio]
    where = (
        ""
        if not failing
        else " It falls short at " + " and ".join(f"{n:,}" for n in failing) + " clusters."
    )
    throughput = (
        f"{_met(not failing)} (end-to-end throughput): from process start the scheduler "
        f"places **{rates[LOW]:,.0f} bindings/s** over {LOW} clusters, "
        f"**{ratios[LOW]:.2f}x** the apiserver's binding-update ceiling measured in the same "
        f"runs ({ceilings[LOW]:,.0f} updates/s), and **{rates[HIGH]:,.0f} bindings/s** over "
        f"{HIGH:,}, **{ratios[HIGH]:.2f}x** ({ceilings[HIGH]:,.0f} updates/s); the target "
        f"is {target_ratio}x.{where} Counted from the first scheduled binding (startup "
        f"left out) the ratios are {steady[LOW]:.2f}x and {steady[HIGH]:.2f}x."
    )
    return [algorithm, throughput]


def analysis(result: ScenarioResult) -> list[str]:
    """Where the time goes, per binding and per process, at both fleet sizes."""
    lines = []
    for n in (LOW, HIGH):
        e2e = result.get(f"e2e_steady_{n}")
        us = e2e.cpu_per_op_us()
        cores = e2e.cores()
        algorithm_us = result.get(f"algorithm_{n}").cpu_per_op_us().get("client", 0.0)
        sched_us = us.get("scheduler", 0.0)
        ceiling_us = result.get(f"update_ceiling_{n}").cpu_per_op_us().get("apiserver", 0.0)
        total = sum(us.values())
        busy = (
            "saturated"
            if cores.get("scheduler", 0.0) >= 0.85
            else f"at {cores.get('scheduler', 0.0):.2f} of a core"
        )
        lines.append(
            f"With {n:,} clusters, once scheduling has begun, each binding costs the scheduler "
            f"{sched_us:,.0f} us of CPU ({busy}), of which the algorithm alone is "
            f"{algorithm_us:,.0f} us ({algorithm_us / sched_us if sched_us else 0.0:.0%}); "
            f"the rest is the informers decoding the binding and its Bind echo, the queue, "
            f"and the Bind call. The apiserver spends {us.get('apiserver', 0.0):,.0f} us per "
            f"binding ({ceiling_us:,.0f} us per update in the ceiling) and etcd "
            f"{us.get('etcd', 0.0):,.0f} us: {total:,.0f} us in all, so the machine's "
            f"cores allow at most {(os.cpu_count() or 1) * 1e6 / total if total else 0.0:,.0f} bindings/s. "
            f"The first binding is scheduled "
            f"{result.figures[f'sched_startup_{n}_s']:.1f} s after spawn (imports, then the "
            "cluster and binding informers' lists and their add handlers)."
        )
    return lines
