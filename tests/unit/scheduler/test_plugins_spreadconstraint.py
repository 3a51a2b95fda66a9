"""SpreadConstraint: the cluster must have the property the placement spreads by."""

from __future__ import annotations

import pytest

from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2
from scheduler.framework.types import SUCCESS, ClusterInfo, Code, Result
from scheduler.plugins import spreadconstraint
from tests.unit.scheduler.builders import binding, cluster, placement, spread


def missing(what: str) -> Result:
    return Result(Code.UNSCHEDULABLE, f"did not have the {what}")


FULL = cluster("full", labels={"rack": "r1"}, provider="aws", region="eu", zones=["eu-1"])
BARE = cluster("bare")


@pytest.mark.parametrize(
    ("constraints", "target", "expected"),
    [
        pytest.param([], BARE, SUCCESS, id="no-constraints"),
        pytest.param([spread("cluster")], BARE, SUCCESS, id="by-cluster-needs-nothing"),
        pytest.param([spread("region")], FULL, SUCCESS, id="has-region"),
        pytest.param([spread("region")], BARE, missing("spread property region"), id="region"),
        pytest.param(
            [spread("provider")], BARE, missing("spread property provider"), id="provider"
        ),
        pytest.param([spread("zone")], BARE, missing("spread property zone"), id="zone"),
        pytest.param([spread("zone")], FULL, SUCCESS, id="has-zone"),
        pytest.param([spread(label="rack")], FULL, SUCCESS, id="has-label"),
        pytest.param(
            [spread(label="rack")],
            cluster("empty-label", labels={"rack": ""}),
            SUCCESS,
            id="label-with-empty-value",
        ),
        pytest.param([spread(label="rack")], BARE, missing("spread label rack"), id="label"),
        pytest.param(
            [spread("cluster"), spread("zone"), spread("region")],
            BARE,
            missing("spread property zone"),
            id="first-missing-property",
        ),
    ],
)
def test_filter(
    constraints: list[policy_pb2.SpreadConstraint], target: ClusterInfo, expected: Result
) -> None:
    subject = binding(placement=placement(spread_constraints=constraints))

    assert spreadconstraint.new().filter(subject, target) == expected
