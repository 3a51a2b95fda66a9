"""The "0/N clusters are available: ..." message."""

from __future__ import annotations

import pytest

from scheduler.framework.diagnosis import NO_CLUSTERS, Diagnosis, unschedulable_message
from scheduler.framework.types import Code, Result

TAINT = Result(Code.UNSCHEDULABLE, "had untolerated taint")
AFFINITY = Result(Code.UNSCHEDULABLE, "did not match the placement cluster affinity")
API = Result(Code.UNSCHEDULABLE, "did not have the API resource")


def failures(*groups: tuple[int, Result]) -> dict[str, Result]:
    out: dict[str, Result] = {}
    for count, result in groups:
        for _ in range(count):
            out[f"c{len(out)}"] = result
    return out


@pytest.mark.parametrize(
    ("total", "failed", "expected"),
    [
        pytest.param(0, {}, NO_CLUSTERS, id="no-clusters"),
        pytest.param(
            5,
            failures((3, AFFINITY), (2, TAINT)),
            "0/5 clusters are available: 2 cluster(s) had untolerated taint, "
            "3 cluster(s) did not match the placement cluster affinity.",
            id="sorted-as-strings",
        ),
        pytest.param(
            12,
            failures((2, API), (10, TAINT)),
            "0/12 clusters are available: 10 cluster(s) had untolerated taint, "
            "2 cluster(s) did not have the API resource.",
            id="kube-sorts-10-before-2",
        ),
        pytest.param(
            3,
            failures((2, AFFINITY), (1, AFFINITY)),
            "0/3 clusters are available: 3 cluster(s) did not match the placement cluster affinity.",
            id="same-reason-adds-up",
        ),
        pytest.param(
            4,
            failures((1, TAINT)),
            "3/4 clusters are available: 1 cluster(s) had untolerated taint.",
            id="some-available",
        ),
        pytest.param(2, {}, "2/2 clusters are available.", id="nothing-rejected"),
    ],
)
def test_unschedulable_message(total: int, failed: dict[str, Result], expected: str) -> None:
    assert unschedulable_message(Diagnosis(total=total, failures=failed)) == expected
