"""Runs the filter and score plugins for one binding and times them.

This is Karmada's framework/runtime/framework.go, reshaped for speed in Python:
the loops run plugin-outer, cluster-inner, so each plugin makes one pass over
the clusters. That lets the runner time a plugin once per binding (Karmada
times every call), and lets a plugin derive what it needs from
the binding once per pass rather than once per cluster.

Per-binding state. A plugin may define ``prepare(binding)`` (`PreparePlugin`).
The runner calls it at the start of every pass, before the plugin sees any
cluster; the plugin stores what it derived from the binding (parsed
selectors, toleration tuples, ...) next to the binding it came from. Plugins
also work when called directly, without the runner: they call their own
``prepare`` whenever handed a binding object other than the stored one. So a
plugin instance serves one binding at a time and is not thread-safe; build
one framework per thread.

A filter pass stops early once no cluster is left, so a later filter may not
run (and is not timed) for a binding.

Metrics: ``karmada_scheduler_plugin_execution_duration_seconds`` gets one
observation per plugin per pass, labelled with the pass's worst result: Error
if the plugin raised or returned Error for a cluster, Unschedulable if it
rejected a cluster, else Success.
``karmada_scheduler_framework_extension_point_duration_seconds`` gets one
observation per pass: for Filter, Unschedulable when no cluster passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from time import perf_counter
from typing import Final, Protocol, runtime_checkable

from prometheus_client.metrics import Histogram

from scheduler.framework.diagnosis import Diagnosis
from scheduler.framework.interface import MAX_SCORE, FilterPlugin, ScorePlugin
from scheduler.framework.types import BindingInfo, ClusterInfo, Code, Result, ScoredCluster
from scheduler.metrics import EXTENSION_POINT_DURATION, PLUGIN_DURATION

__all__ = ["FILTER", "SCORE", "Framework", "PluginError", "PreparePlugin"]

FILTER: Final = "Filter"
SCORE: Final = "Score"


@runtime_checkable
class PreparePlugin(Protocol):
    """A plugin that derives per-binding state before a pass (see the module docstring)."""

    def prepare(self, binding: BindingInfo) -> None: ...


class PluginError(RuntimeError):
    """A score plugin broke its contract (wrong number of scores, or out of 0..MAX_SCORE)."""


def _timers(plugin: str, extension_point: str) -> dict[Code, Histogram]:
    return {code: PLUGIN_DURATION.labels(plugin, extension_point, code.value) for code in Code}


def _preparer(plugin: object) -> Callable[[BindingInfo], None] | None:
    return plugin.prepare if isinstance(plugin, PreparePlugin) else None


def _check(plugin: str, normalized: list[int], count: int) -> None:
    if len(normalized) != count:
        raise PluginError(f"score plugin {plugin} normalized {count} scores into {len(normalized)}")
    low, high = min(normalized), max(normalized)
    if low < 0 or high > MAX_SCORE:
        raise PluginError(
            f"score plugin {plugin} normalized scores into {low}..{high}, outside 0..{MAX_SCORE}"
        )


class Framework:
    """The configured plugins, run in order: filters, then scores."""

    def __init__(
        self, *, filters: Sequence[FilterPlugin] = (), scores: Sequence[ScorePlugin] = ()
    ) -> None:
        self.filters: tuple[FilterPlugin, ...] = tuple(filters)
        self.scores: tuple[ScorePlugin, ...] = tuple(scores)
        self._filters = [(p, _preparer(p), _timers(p.name, FILTER)) for p in self.filters]
        self._scores = [(p, _preparer(p), _timers(p.name, SCORE)) for p in self.scores]
        self._filter_point = {c: EXTENSION_POINT_DURATION.labels(FILTER, c.value) for c in Code}
        self._score_point = {c: EXTENSION_POINT_DURATION.labels(SCORE, c.value) for c in Code}

    def run_filters(
        self, binding: BindingInfo, clusters: Sequence[ClusterInfo]
    ) -> tuple[list[ClusterInfo], Diagnosis]:
        """The clusters that pass every filter, in input order, and why the others did not.

        A cluster is dropped at the first filter that does not return Success
        (Error counts as a rejection, as in Karmada) and counted once in the
        diagnosis, under that filter's reason.
        """
        started = perf_counter()
        diagnosis = Diagnosis(total=len(clusters))
        failures = diagnosis.failures
        remaining = list(clusters)
        worst = Code.SUCCESS
        try:
            for plugin, prepare, timers in self._filters:
                if not remaining:
                    break
                plugin_started = perf_counter()
                code = Code.SUCCESS
                try:
                    if prepare is not None:
                        prepare(binding)
                    check = plugin.filter
                    kept: list[ClusterInfo] = []
                    keep = kept.append
                    for cluster in remaining:
                        result = check(binding, cluster)
                        if result.code is Code.SUCCESS:
                            keep(cluster)
                            continue
                        if not result.reason:
                            result = Result(result.code, f"were rejected by {plugin.name}")
                        failures[cluster.name] = result
                        if code is not Code.ERROR:
                            code = result.code
                except BaseException:
                    timers[Code.ERROR].observe(perf_counter() - plugin_started)
                    raise
                timers[code].observe(perf_counter() - plugin_started)
                if len(kept) != len(remaining):
                    diagnosis.unschedulable_plugins.add(plugin.name)
                if code is Code.ERROR:
                    worst = Code.ERROR
                remaining = kept
        except BaseException:
            self._filter_point[Code.ERROR].observe(perf_counter() - started)
            raise
        if worst is not Code.ERROR and not remaining:
            worst = Code.UNSCHEDULABLE
        self._filter_point[worst].observe(perf_counter() - started)
        return remaining, diagnosis

    def run_scores(self, binding: BindingInfo, feasible: Sequence[ScoredCluster]) -> None:
        """Sets each cluster's `score` to the sum of every score plugin's normalized score.

        Raises:
            PluginError: a plugin's `normalize` returned the wrong number of
                scores or one outside 0..MAX_SCORE.
        """
        started = perf_counter()
        count = len(feasible)
        totals = [0] * count
        try:
            for plugin, prepare, timers in self._scores if count else ():
                plugin_started = perf_counter()
                try:
                    if prepare is not None:
                        prepare(binding)
                    score = plugin.score
                    normalized = plugin.normalize(binding, [score(binding, c) for c in feasible])
                    _check(plugin.name, normalized, count)
                except BaseException:
                    timers[Code.ERROR].observe(perf_counter() - plugin_started)
                    raise
                timers[Code.SUCCESS].observe(perf_counter() - plugin_started)
                totals = [total + s for total, s in zip(totals, normalized, strict=True)]
        except BaseException:
            self._score_point[Code.ERROR].observe(perf_counter() - started)
            raise
        for cluster, total in zip(feasible, totals, strict=True):
            cluster.score = total
        self._score_point[Code.SUCCESS].observe(perf_counter() - started)
