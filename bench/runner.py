"""Runs the scenarios in order, each on a fresh etcd + apiserver, and writes the reports."""

from __future__ import annotations

import argparse
import time
from collections.abc import Awaitable, Callable

from bench import (
    creates,
    docs,
    fanout,
    gets,
    lists,
    membersim,
    propagation,
    report,
    scheduling,
    watch_delivery,
)
from bench.processes import Stack
from bench.scenario import ScenarioResult, Settings

Scenario = Callable[[Stack, Settings, Callable[[str], None]], Awaitable[ScenarioResult]]

DEFAULTS = Settings()

FSYNC_SCENARIOS = frozenset({"creates_fsync"})

SCENARIOS: dict[str, Scenario] = {
    "creates": creates.run,
    "creates_fsync": creates.run_fsync,
    "gets": gets.run,
    "lists": lists.run,
    "watch": watch_delivery.run,
    "fanout": fanout.run,
    "membersim": membersim.run,
    "scheduling": scheduling.run,
    "propagation": propagation.run,
}


def parse(argv: list[str] | None = None) -> tuple[Settings, list[str], bool]:
    """Settings, the scenarios to run, and whether to rewrite docs/benchmarks.md."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=DEFAULTS.runs, help="runs per configuration")
    parser.add_argument(
        "--duration", type=float, default=DEFAULTS.duration, help="seconds per timed run"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(SCENARIOS),
        default=list(SCENARIOS),
        help="scenarios to run (docs/benchmarks.md is only rewritten by full runs)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="one short run of everything (a smoke test)"
    )
    args = parser.parse_args(argv)
    settings = Settings(runs=args.runs, duration=args.duration)
    if args.quick:
        settings = Settings(
            runs=1,
            duration=1.0,
            warmup_calls=50,
            delivery_events=1000,
            fanout_watchers=100,
            fanout_events=10,
            scheduling_bindings=500,
            propagation_latency=10,
            propagation_counts=(20, 50),
            propagation_templates=240,
        )
    order = [name for name in SCENARIOS if name in args.only]
    return settings, order, order == list(SCENARIOS) and not args.quick


def progress(line: str) -> None:
    print(line, flush=True)


async def main(settings: Settings, names: list[str], *, write_docs: bool) -> None:
    machine = report.machine()
    print(
        f"bench: {machine.cpus} cores, Python {machine.python}, etcd {machine.etcd} "
        f"(--unsafe-no-fsync); {settings.runs} runs x {settings.duration:g} s",
        flush=True,
    )
    results = []
    for name in names:
        started = time.monotonic()
        progress(f"{name}:")
        log_dir = report.RESULTS_DIR / "logs" / name
        async with Stack(log_dir=log_dir, fsync=name in FSYNC_SCENARIOS) as stack:
            result = await SCENARIOS[name](stack, settings, progress)
        results.append(result)
        report.print_table(result)
        progress(f"  ({time.monotonic() - started:.0f} s)")
    path = report.write_json(machine, settings, results)
    print(f"\nresults: {path}")
    if write_docs:
        print(f"docs: {docs.write(machine, settings, results, path.name)}")
