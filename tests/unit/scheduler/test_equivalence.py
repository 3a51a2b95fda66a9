"""Bindings that filters and scores cannot tell apart share one filter+score pass."""

from __future__ import annotations

import pytest

from scheduler.algorithm import EquivalenceCache, schedule
from scheduler.framework.registry import build
from scheduler.framework.types import BindingInfo, ScheduleError
from tests.unit.scheduler.builders import binding, cluster, placement, taint


def _key(b: BindingInfo, cache: EquivalenceCache, version: int = 1) -> bytes | None:
    return cache.key(b, version)


@pytest.mark.parametrize(
    ("other", "same"),
    [
        (binding(replicas=7, uid="u-2"), True),
        (binding(replicas=3, requests={"cpu": "1"}), False),
        (binding(replicas=3, kind="StatefulSet"), False),
        (binding(replicas=3, placement=placement(scheduling_type="Duplicated")), False),
    ],
    ids=["replicas-and-uid-do-not-matter", "requests", "kind", "placement"],
)
def test_keys(other: BindingInfo, same: bool) -> None:
    cache = EquivalenceCache()
    first = _key(binding(replicas=3, uid="u-1"), cache)
    assert first is not None
    assert (_key(other, cache) == first) is same


@pytest.mark.parametrize(
    "excluded",
    [binding(replicas=3, previous={"a": 3}), binding(replicas=3, eviction_from=["a"])],
    ids=["already-placed", "being-evicted"],
)
def test_placed_or_evicted_bindings_are_never_shared(excluded: BindingInfo) -> None:
    assert EquivalenceCache().key(excluded, 1) is None


def test_results_are_reused_until_the_clusters_change() -> None:
    framework = build()
    cache = EquivalenceCache()
    clusters = [cluster(n, api_enablements=[("apps/v1", "Deployment")]) for n in ("a", "b")]
    first = schedule(
        binding(replicas=4, uid="u-1", placement=placement()),
        clusters,
        framework,
        fresh=False,
        cache=cache,
        version=1,
    )
    second = schedule(
        binding(replicas=6, uid="u-2", placement=placement()),
        clusters,
        framework,
        fresh=False,
        cache=cache,
        version=1,
    )
    assert (cache.misses, cache.hits) == (1, 1)
    assert sum(t.replicas for t in first.clusters) == 4
    assert sum(t.replicas for t in second.clusters) == 6

    tainted = [
        cluster(
            n, api_enablements=[("apps/v1", "Deployment")], taints=[taint("x", effect="NoSchedule")]
        )
        for n in ("a", "b")
    ]
    with pytest.raises(ScheduleError, match="2 cluster\\(s\\) had untolerated taint"):
        schedule(binding(replicas=4), tainted, framework, fresh=False, cache=cache, version=2)
    with pytest.raises(ScheduleError, match="untolerated taint"):
        schedule(binding(replicas=5), tainted, framework, fresh=False, cache=cache, version=2)
    assert cache.hits == 2
