"""Tests for the general estimator, against Karmada's pkg/estimator/client/general.go."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import pytest

from karmada.work.v1alpha2.resource_binding_pb2 import ReplicaRequirements
from scheduler.core.estimator import available_for, available_replicas, parse_requests
from scheduler.framework.types import MAX_REPLICAS
from tests.unit.scheduler.builders import cluster

Summary = Mapping[str, str] | None


@pytest.mark.parametrize(
    ("allocatable", "allocated", "allocating", "requests", "want"),
    [
        pytest.param(None, None, None, None, 0, id="no resource summary"),
        pytest.param(None, None, None, {"cpu": "1"}, 0, id="no summary with requests"),
        pytest.param({"pods": "110"}, None, None, None, 110, id="no requirements: pod bound"),
        pytest.param({"pods": "110"}, {"pods": "10"}, {"pods": "5"}, {}, 95, id="empty requests"),
        pytest.param({"cpu": "4"}, None, None, None, MAX_REPLICAS, id="no pods entry"),
        pytest.param({"pods": "10"}, {"pods": "10"}, None, None, 0, id="pods exhausted"),
        pytest.param({"pods": "10"}, {"pods": "12"}, None, None, 0, id="pods overcommitted"),
        pytest.param(
            {"pods": "100", "cpu": "2"}, {"cpu": "500m"}, None, {"cpu": "100m"}, 15, id="cpu milli"
        ),
        pytest.param(
            {"pods": "100", "cpu": "2"}, None, {"cpu": "1950m"}, {"cpu": "100m"}, 0, id="cpu short"
        ),
        pytest.param({"pods": "100", "cpu": "1"}, None, None, {"cpu": "300m"}, 3, id="cpu floors"),
        pytest.param(
            {"pods": "4", "cpu": "100"}, None, None, {"cpu": "1"}, 4, id="pods bound wins"
        ),
        pytest.param(
            {"pods": "100", "cpu": "8", "memory": "4Gi"},
            {"memory": "1Gi"},
            None,
            {"cpu": "1", "memory": "512Mi"},
            6,
            id="memory is the tightest",
        ),
        pytest.param(
            {"pods": "100", "cpu": "8"},
            None,
            None,
            {"cpu": "1", "nvidia.com/gpu": "1"},
            0,
            id="unreported resource",
        ),
        pytest.param(
            {"pods": "100", "cpu": "8"}, None, None, {"cpu": "0", "memory": "0"}, 100, id="zeros"
        ),
        pytest.param({"cpu": "1000000000"}, None, None, {"cpu": "1m"}, MAX_REPLICAS, id="clamped"),
        pytest.param(
            {"pods": "100", "cpu": "2"}, None, None, {"cpu": "not-a-quantity"}, 100, id="invalid"
        ),
    ],
)
def test_available_replicas(
    allocatable: Summary,
    allocated: Summary,
    allocating: Summary,
    requests: Mapping[str, str] | None,
    want: int,
) -> None:
    info = cluster("a", allocatable=allocatable, allocated=allocated, allocating=allocating)
    requirements = None if requests is None else ReplicaRequirements(resource_request=requests)
    assert available_replicas(info, requirements) == want
    assert available_for(info, parse_requests(requirements)) == want


@pytest.mark.parametrize(
    ("requests", "want"),
    [
        ({}, {}),
        ({"cpu": "100m", "memory": "1Gi"}, {"cpu": Fraction(1, 10), "memory": Fraction(2**30)}),
        ({"cpu": "0", "memory": "-1", "pods": "x"}, {}),
    ],
)
def test_parse_requests(requests: Mapping[str, str], want: dict[str, Fraction]) -> None:
    assert parse_requests(ReplicaRequirements(resource_request=requests)) == want


def test_parse_requests_none() -> None:
    assert parse_requests(None) == {}
