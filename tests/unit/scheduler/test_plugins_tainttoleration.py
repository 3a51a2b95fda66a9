"""TaintToleration: NoSchedule / NoExecute taints need a matching toleration."""

from __future__ import annotations

import pytest

from karmada.core.v1 import types_pb2
from scheduler.framework.types import SUCCESS, Code, Result
from scheduler.plugins import tainttoleration
from tests.unit.scheduler.builders import binding, cluster, placement, taint

UNTOLERATED = Result(Code.UNSCHEDULABLE, "had untolerated taint")


def toleration(
    key: str = "", operator: str = "", value: str = "", effect: str = ""
) -> types_pb2.Toleration:
    return types_pb2.Toleration(key=key, operator=operator, value=value, effect=effect)


@pytest.mark.parametrize(
    ("taints", "tolerations", "previous", "expected"),
    [
        pytest.param([], [], {}, SUCCESS, id="no-taints"),
        pytest.param([taint("gpu")], [], {}, UNTOLERATED, id="noschedule-untolerated"),
        pytest.param([taint("gpu", "NoExecute")], [], {}, UNTOLERATED, id="noexecute-untolerated"),
        pytest.param([taint("gpu", "PreferNoSchedule")], [], {}, SUCCESS, id="prefer-ignored"),
        pytest.param(
            [taint("gpu", value="a100")],
            [toleration("gpu", "Equal", "a100", "NoSchedule")],
            {},
            SUCCESS,
            id="equal-value",
        ),
        pytest.param(
            [taint("gpu", value="a100")],
            [toleration("gpu", "Equal", "h100")],
            {},
            UNTOLERATED,
            id="equal-other-value",
        ),
        pytest.param(
            [taint("gpu", value="a100")],
            [toleration("gpu", "", "a100")],
            {},
            SUCCESS,
            id="no-operator-means-equal",
        ),
        pytest.param(
            [taint("gpu", value="a100")],
            [toleration("gpu", "Exists")],
            {},
            SUCCESS,
            id="exists-ignores-value",
        ),
        pytest.param(
            [taint("gpu"), taint("spot", "NoExecute")],
            [toleration(operator="Exists")],
            {},
            SUCCESS,
            id="exists-without-key-tolerates-all",
        ),
        pytest.param(
            [taint("gpu")],
            [toleration("gpu", "Exists", effect="NoExecute")],
            {},
            UNTOLERATED,
            id="other-effect",
        ),
        pytest.param(
            [taint("gpu"), taint("spot")],
            [toleration("gpu", "Exists")],
            {},
            UNTOLERATED,
            id="one-of-two-tolerated",
        ),
        pytest.param(
            [taint("gpu")],
            [toleration("gpu", "Sometimes")],
            {},
            UNTOLERATED,
            id="unknown-operator",
        ),
        pytest.param([taint("gpu")], [], {"a": 2}, SUCCESS, id="scheduled-ignores-noschedule"),
        pytest.param(
            [taint("gpu", "NoExecute")], [], {"a": 2}, UNTOLERATED, id="scheduled-noexecute"
        ),
        pytest.param(
            [taint("gpu", "NoExecute")],
            [toleration("gpu", "Exists", effect="NoExecute")],
            {"a": 2},
            SUCCESS,
            id="scheduled-noexecute-tolerated",
        ),
    ],
)
def test_filter(
    taints: list[types_pb2.Taint],
    tolerations: list[types_pb2.Toleration],
    previous: dict[str, int],
    expected: Result,
) -> None:
    subject = binding(placement=placement(tolerations=tolerations), previous=previous)

    assert tainttoleration.new().filter(subject, cluster("a", taints=taints)) == expected
