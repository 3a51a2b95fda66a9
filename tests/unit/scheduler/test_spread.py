"""Tests for cluster selection under spread constraints."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from karmada.policy.v1alpha1.propagation_policy_pb2 import SpreadConstraint
from scheduler.core.spread import select_clusters
from scheduler.framework.types import ScheduleError, ScoredCluster
from tests.unit.scheduler.builders import cluster, placement, scored, spread


def sc(
    name: str,
    score: int,
    available: int,
    *,
    region: str = "",
    zones: Sequence[str] = (),
    provider: str = "",
    team: str = "",
) -> ScoredCluster:
    labels = {"team": team} if team else {}
    info = cluster(name, region=region, zones=zones, provider=provider, labels=labels)
    return scored(info, score, available)


PLAIN = [sc("x", 0, 5), sc("y", 100, 1), sc("z", 100, 3), sc("w", 100, 3)]
SMALL_FIRST = [sc("a", 100, 1), sc("b", 100, 1), sc("c", 0, 10)]
SWAPS = [sc("a", 100, 1), sc("b", 90, 1), sc("c", 80, 1), sc("d", 0, 2), sc("e", 0, 3)]
REGIONS = [
    sc("a", 100, 5, region="r1"),
    sc("b", 0, 5, region="r1"),
    sc("c", 50, 5, region="r2"),
    sc("d", 0, 5, region="r3"),
    sc("e", 100, 50),
]
SMALL_REGION_FIRST = [sc("p", 100, 1, region="r1"), sc("q", 0, 20, region="r2")]
ZONES = [
    sc("m", 100, 1, zones=("z1",)),
    sc("n", 50, 1, zones=("z2", "z1")),
    sc("o", 0, 1, zones=("z2",)),
]
TEAMS = [sc("a", 100, 1, team="x"), sc("b", 0, 1, team="y"), sc("c", 100, 1)]
PROVIDERS = [sc("a", 0, 1, provider="aws"), sc("b", 0, 2, provider="gcp"), sc("c", 0, 3)]
REGION_ZONES = [
    sc("a", 100, 5, region="r1", zones=("a1",)),
    sc("b", 90, 5, region="r1", zones=("a2",)),
    sc("c", 0, 5, region="r2", zones=("c1",)),
]


def by_cluster(max_groups: int = 0, min_groups: int = 1) -> SpreadConstraint:
    return spread("cluster", max_groups=max_groups, min_groups=min_groups)


@pytest.mark.parametrize(
    ("candidates", "constraints", "replicas", "divided", "want"),
    [
        pytest.param(PLAIN, [], 0, False, ["w", "z", "y", "x"], id="no constraints: ranked"),
        pytest.param(PLAIN, [by_cluster(2)], 0, False, ["w", "z"], id="cluster max"),
        pytest.param(PLAIN, [by_cluster()], 0, False, ["w", "z", "y", "x"], id="max 0: all"),
        pytest.param(PLAIN, [SpreadConstraint()], 0, False, ["w", "z", "y", "x"], id="undefaulted"),
        pytest.param(SMALL_FIRST, [by_cluster(2)], 5, True, ["a", "c"], id="swap for capacity"),
        pytest.param(SMALL_FIRST, [by_cluster(2)], 2, True, ["a", "b"], id="enough: no swap"),
        pytest.param(SMALL_FIRST, [by_cluster(2)], 5, False, ["a", "b"], id="duplicated: no swap"),
        pytest.param(
            [sc("a", 9, 1), sc("b", 5, 1), sc("c", 0, 1)],
            [by_cluster(2)],
            10,
            True,
            ["a", "b"],
            id="nothing helps",
        ),
        pytest.param(SWAPS, [by_cluster(3)], 6, True, ["a", "e", "d"], id="swaps the weakest"),
        pytest.param(
            REGIONS,
            [spread("region", min_groups=2, max_groups=2), by_cluster(4, 2)],
            0,
            False,
            ["a", "c", "b"],
            id="region: one per region, then fill",
        ),
        pytest.param(
            REGIONS,
            [spread("region"), spread("cluster")],
            0,
            False,
            ["a", "c", "b", "d"],
            id="region unlimited: all regions, region-less cluster ignored",
        ),
        pytest.param(
            REGIONS,
            [spread("region", max_groups=3), by_cluster(10)],
            8,
            True,
            ["a", "b"],
            id="region divided: fewest regions that fit",
        ),
        pytest.param(
            REGIONS,
            [spread("region", max_groups=3), by_cluster(10)],
            12,
            True,
            ["a", "c", "b"],
            id="region divided: adds regions until they fit",
        ),
        pytest.param(
            REGIONS,
            [spread("region", max_groups=3), by_cluster(10, 2)],
            1,
            True,
            ["a", "b"],
            id="region divided: enough clusters for the cluster minimum",
        ),
        pytest.param(
            SMALL_REGION_FIRST,
            [spread("region", max_groups=1), by_cluster()],
            10,
            True,
            ["q"],
            id="region divided: swaps a small region for a big one",
        ),
        pytest.param(
            ZONES,
            [spread("zone", min_groups=2, max_groups=2), by_cluster()],
            0,
            False,
            ["m", "n"],
            id="zone: multi-zone cluster is its own group",
        ),
        pytest.param(
            TEAMS,
            [spread(label="team", min_groups=2), by_cluster()],
            0,
            False,
            ["a", "b"],
            id="label: unlabelled cluster ignored",
        ),
        pytest.param(
            PROVIDERS,
            [spread("provider", max_groups=1), by_cluster()],
            0,
            False,
            ["b"],
            id="provider",
        ),
        pytest.param(
            REGION_ZONES,
            [spread("zone", max_groups=2), spread("region", min_groups=2), by_cluster()],
            0,
            False,
            ["a", "c"],
            id="zones keep every chosen region",
        ),
        pytest.param(
            REGION_ZONES,
            [spread("region", min_groups=2), spread("zone", max_groups=3), by_cluster()],
            0,
            False,
            ["a", "b", "c"],
            id="region then zone: all zones",
        ),
    ],
)
def test_select_clusters(
    candidates: list[ScoredCluster],
    constraints: list[SpreadConstraint],
    replicas: int,
    divided: bool,
    want: list[str],
) -> None:
    chosen = select_clusters(
        candidates,
        placement(spread_constraints=constraints),
        replicas,
        divided_by_capacity=divided,
    )
    assert [c.name for c in chosen] == want


@pytest.mark.parametrize(
    ("previous", "want"),
    [
        pytest.param(None, ["b"], id="full cluster swapped out"),
        pytest.param({"a": 10}, ["a"], id="replicas already running count as capacity"),
        pytest.param({"a": 4}, ["b"], id="running replicas too few"),
    ],
)
def test_select_clusters_counts_running_replicas(
    previous: dict[str, int] | None, want: list[str]
) -> None:
    candidates = [sc("a", 100, 0), sc("b", 0, 10)]
    chosen = select_clusters(
        candidates,
        placement(spread_constraints=[by_cluster(1)]),
        10,
        divided_by_capacity=True,
        previous=previous,
    )
    assert [c.name for c in chosen] == want


def test_running_replicas_count_for_group_capacity() -> None:
    candidates = [sc("a", 100, 0, region="r1"), sc("b", 0, 10, region="r2")]
    chosen = select_clusters(
        candidates,
        placement(spread_constraints=[spread("region", max_groups=1), by_cluster()]),
        10,
        divided_by_capacity=True,
        previous={"a": 10},
    )
    assert [c.name for c in chosen] == ["a"]


@pytest.mark.parametrize(
    ("candidates", "constraints", "reason", "message"),
    [
        pytest.param(
            PLAIN,
            [by_cluster(min_groups=5)],
            "NoClusterFit",
            "only 4 cluster(s) are feasible but the spread constraint requires at least 5",
            id="cluster minGroups",
        ),
        pytest.param(
            REGIONS,
            [spread("region", min_groups=4), by_cluster()],
            "NoClusterFit",
            "only 3 regions have feasible clusters but the spread constraint by region "
            "requires at least 4",
            id="region minGroups",
        ),
        pytest.param(
            TEAMS,
            [spread(label="team", min_groups=3), by_cluster()],
            "NoClusterFit",
            'only 2 values of label "team" have feasible clusters but the spread '
            'constraint by label "team" requires at least 3',
            id="label minGroups",
        ),
        pytest.param(
            REGIONS,
            [spread("region", min_groups=2), by_cluster(max_groups=1)],
            "NoClusterFit",
            "the spread constraint by region requires at least 2 regions but the spread "
            "constraint by cluster allows at most 1 clusters",
            id="cluster maxGroups below region minGroups",
        ),
        pytest.param(
            [sc("a", 0, 1, region="r1"), sc("b", 0, 1, region="r1"), sc("c", 0, 1, region="r2")],
            [spread("region", max_groups=1), by_cluster(min_groups=3)],
            "NoClusterFit",
            "only 2 feasible cluster(s) are in the chosen regions but the spread constraint "
            "by cluster requires at least 3",
            id="too few clusters in the chosen regions",
        ),
        pytest.param(
            REGION_ZONES,
            [spread("region", min_groups=2), spread("zone", max_groups=1), by_cluster()],
            "NoClusterFit",
            "keeping every group chosen by the earlier spread constraints needs 2 zones "
            "but at most 1 are allowed",
            id="zone maxGroups cannot keep the regions",
        ),
        pytest.param(
            REGIONS,
            [spread("region", min_groups=2, max_groups=1), by_cluster()],
            "SchedulerError",
            "the spread constraint by region has maxGroups 1 below its minGroups 2",
            id="invalid region constraint",
        ),
        pytest.param(
            PLAIN,
            [by_cluster(max_groups=1, min_groups=2)],
            "SchedulerError",
            "the spread constraint by cluster has maxGroups 1 below its minGroups 2",
            id="invalid cluster constraint",
        ),
        pytest.param(
            PLAIN,
            [spread("rack")],
            "SchedulerError",
            'unsupported spread constraint field \'rack\': expected "cluster", "region", '
            '"zone" or "provider"',
            id="unknown field",
        ),
    ],
)
def test_select_clusters_errors(
    candidates: list[ScoredCluster],
    constraints: list[SpreadConstraint],
    reason: str,
    message: str,
) -> None:
    with pytest.raises(ScheduleError) as caught:
        select_clusters(
            candidates,
            placement(spread_constraints=constraints),
            0,
            divided_by_capacity=False,
        )
    assert (caught.value.reason, caught.value.message) == (reason, message)
