"""aggregate_status for Jobs: Karmada's ParsingJobStatus, with stable condition times, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from controller_manager.interpreter import aggregate_status

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
STAMP = "2025-01-02T03:04:05Z"


def template(status: Any = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "x", "namespace": "ns", "generation": 1},
    }
    if status is not None:
        obj["status"] = status
    return obj


def complete(start: str, end: str) -> dict[str, Any]:
    return {
        "succeeded": 1,
        "startTime": start,
        "completionTime": end,
        "conditions": [
            {"type": "SuccessCriteriaMet", "status": "True"},
            {"type": "Complete", "status": "True"},
        ],
    }


def condition(kind: str, reason: str, message: str, stamp: str = STAMP) -> dict[str, Any]:
    return {
        "type": kind,
        "status": "True",
        "lastProbeTime": stamp,
        "lastTransitionTime": stamp,
        "reason": reason,
        "message": message,
    }


JOB_CASES: list[
    tuple[str, dict[str, Any], list[tuple[str, dict[str, Any] | None]], dict[str, Any]]
] = [
    (
        "running",
        {},
        [
            ("m1", {"active": 1, "startTime": "2025-01-01T00:00:02Z"}),
            ("m2", {"active": 2, "startTime": "2025-01-01T00:00:01Z"}),
        ],
        {"active": 3, "startTime": "2025-01-01T00:00:01Z"},
    ),
    (
        "not-all-started",
        {},
        [("m1", {"active": 1, "startTime": "2025-01-01T00:00:02Z"}), ("m2", None)],
        {"active": 1},
    ),
    (
        "complete-everywhere",
        {},
        [
            ("m1", complete("2025-01-01T00:00:00Z", "2025-01-01T00:01:00Z")),
            ("m2", complete("2025-01-01T00:00:05Z", "2025-01-01T00:02:00Z")),
        ],
        {
            "succeeded": 2,
            "conditions": [
                condition("Complete", "Completed", "Job completed"),
                condition(
                    "SuccessCriteriaMet",
                    "CompletionsReached",
                    "All member clusters have met success criteria",
                ),
            ],
            "startTime": "2025-01-01T00:00:00Z",
            "completionTime": "2025-01-01T00:02:00Z",
        },
    ),
    (
        "complete-in-one-only",
        {"startTime": "2025-01-01T00:00:00Z"},
        [
            ("m1", complete("2025-01-01T00:00:00Z", "2025-01-01T00:01:00Z")),
            ("m2", {"active": 1, "startTime": "2025-01-01T00:00:00Z"}),
        ],
        {"active": 1, "succeeded": 1, "startTime": "2025-01-01T00:00:00Z"},
    ),
    (
        "failed-in-one",
        {},
        [
            (
                "m1",
                {
                    "failed": 1,
                    "conditions": [
                        {"type": "FailureTarget", "status": "True"},
                        {"type": "Failed", "status": "True"},
                    ],
                },
            ),
            ("m2", {"active": 1}),
        ],
        {
            "active": 1,
            "failed": 1,
            "conditions": [
                condition(
                    "FailureTarget", "JobFailed", "Job executed failed in member clusters m1"
                ),
                condition("Failed", "JobFailed", "Job executed failed in member clusters m1"),
            ],
        },
    ),
    (
        "finished-is-final",
        {"succeeded": 9, "conditions": [{"type": "Complete", "status": "True"}]},
        [("m1", {"active": 1})],
        {"succeeded": 9, "conditions": [{"type": "Complete", "status": "True"}]},
    ),
]


@pytest.mark.parametrize(
    ("old", "items", "expected"), [c[1:] for c in JOB_CASES], ids=[c[0] for c in JOB_CASES]
)
def test_aggregate_job(
    old: dict[str, Any], items: list[tuple[str, dict[str, Any] | None]], expected: dict[str, Any]
) -> None:
    job = template(old)
    assert aggregate_status(job, items, now=NOW) == expected


def test_job_conditions_keep_their_times() -> None:
    """A condition already in the template's status keeps its stamps; a new one gets `now`."""
    failed_member = {
        "failed": 1,
        "conditions": [
            {"type": "FailureTarget", "status": "True"},
            {"type": "Failed", "status": "True"},
        ],
    }
    old = {"conditions": [condition("FailureTarget", "JobFailed", "m", "2020-01-01T00:00:00Z")]}
    items: list[tuple[str, dict[str, Any] | None]] = [("m1", failed_member), ("m2", {"active": 1})]
    new = aggregate_status(template(old), items, now=NOW)
    assert new is not None
    stamps = {c["type"]: c["lastTransitionTime"] for c in new["conditions"]}
    assert stamps == {"FailureTarget": "2020-01-01T00:00:00Z", "Failed": STAMP}
