"""Validation of Leases (coordination.k8s.io/v1), as Kubernetes' ValidateLeaseSpec."""

from __future__ import annotations

from typing import Any

import pytest

from apiserver.registry import lease
from tests.unit.apiserver.support import build, fields_of

LEASE = lease.STRATEGY


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param({}, [], id="empty"),
        pytest.param(
            {
                "holderIdentity": "any text at all: host_1 / pid 42",
                "leaseDurationSeconds": 40,
                "acquireTime": "2024-01-01T00:00:00Z",
                "renewTime": "2024-01-01T00:00:10Z",
                "leaseTransitions": 0,
                "strategy": "OldestEmulationVersion",
                "preferredHolder": "b",
            },
            [],
            id="everything-set",
        ),
        pytest.param(
            {"leaseDurationSeconds": 0}, ["spec.leaseDurationSeconds"], id="zero-duration"
        ),
        pytest.param(
            {"leaseDurationSeconds": -1, "leaseTransitions": -1},
            ["spec.leaseDurationSeconds", "spec.leaseTransitions"],
            id="negative-numbers",
        ),
        pytest.param(
            {"preferredHolder": "b"},
            ["spec.preferredHolder"],
            id="preferred-holder-without-strategy",
        ),
    ],
)
def test_lease(spec: dict[str, Any], expected: list[str]) -> None:
    obj = build(LEASE, spec, name="karmada-scheduler", namespace="karmada-system")
    assert fields_of(LEASE, obj) == expected
