"""Aggregating the status of a Job or CronJob that runs in several clusters.

Karmada's aggregateJobStatus / helper.ParsingJobStatus and
aggregateCronJobStatus. For a Job: counters summed; Failed (preceded by
FailureTarget when a member reported one, as Kubernetes >= 1.31 requires)
as soon as one member failed, naming the failed clusters; Complete (and
SuccessCriteriaMet when every member met it) once every member completed;
startTime once every member started (the earliest), completionTime once
every member completed (the latest). A finished Job's status is final.

Karmada stamps the new conditions with the current time on every pass, so
the status changes on every resync; here a condition keeps the times it
already had while its status holds, and the status is written only when it
really changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from controller_manager.interpreter.kinds import as_int, as_list, as_map, maps

__all__ = ["StatusItem", "aggregate_cron_job", "aggregate_job", "job_finished"]

StatusItem = tuple[str, dict[str, Any] | None]
"""(cluster name, the status reflected from that cluster or None when not collected yet)."""


def job_finished(status: Mapping[str, Any]) -> str:
    """How a Job status says it finished: "Complete", "Failed", or "" if it has not."""
    for condition in maps(status.get("conditions")):
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return str(condition["type"])
    return ""


def _true_conditions(status: Mapping[str, Any]) -> set[str]:
    return {
        str(as_map(c).get("type"))
        for c in as_list(status.get("conditions"))
        if as_map(c).get("status") == "True"
    }


def _condition(
    old: Mapping[str, Any], kind: str, reason: str, message: str, now: str
) -> dict[str, Any]:
    for existing in maps(old.get("conditions")):
        if existing.get("type") == kind and existing.get("status") == "True":
            probe = existing.get("lastProbeTime") or now
            transition = existing.get("lastTransitionTime") or now
            break
    else:
        probe = transition = now
    return {
        "type": kind,
        "status": "True",
        "lastProbeTime": probe,
        "lastTransitionTime": transition,
        "reason": reason,
        "message": message,
    }


def aggregate_job(
    old: Mapping[str, Any], items: Sequence[StatusItem], now: datetime
) -> dict[str, Any]:
    """The federated status of a Job whose current status is `old`."""
    if job_finished(old):
        return dict(old)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    totals = {"active": 0, "succeeded": 0, "failed": 0}
    failed_clusters: list[str] = []
    succeeded = criteria_met = failure_targets = started = completed = 0
    start_times: list[str] = []
    completion_times: list[str] = []
    for cluster, status in items:
        if status is None:
            continue
        for field in totals:
            totals[field] += as_int(status.get(field))
        finished = job_finished(status)
        if finished == "Complete":
            succeeded += 1
        elif finished == "Failed":
            failed_clusters.append(cluster)
        true = _true_conditions(status)
        criteria_met += "SuccessCriteriaMet" in true
        failure_targets += "FailureTarget" in true
        if status.get("startTime"):
            started += 1
            start_times.append(str(status["startTime"]))
        if status.get("completionTime"):
            completed += 1
            completion_times.append(str(status["completionTime"]))

    new: dict[str, Any] = {field: value for field, value in totals.items() if value}
    conditions: list[dict[str, Any]] = []
    if failed_clusters:
        message = f"Job executed failed in member clusters {','.join(failed_clusters)}"
        if failure_targets:
            conditions.append(_condition(old, "FailureTarget", "JobFailed", message, stamp))
        conditions.append(_condition(old, "Failed", "JobFailed", message, stamp))
    if items and succeeded == len(items):
        conditions.append(_condition(old, "Complete", "Completed", "Job completed", stamp))
        if criteria_met == len(items):
            message = "All member clusters have met success criteria"
            conditions.append(
                _condition(old, "SuccessCriteriaMet", "CompletionsReached", message, stamp)
            )
    if conditions:
        new["conditions"] = conditions
    if old.get("startTime"):
        new["startTime"] = old["startTime"]
    elif items and started == len(items):
        new["startTime"] = min(start_times)
    if completion_times and completed == len(items):
        new["completionTime"] = max(completion_times)
    return new


def aggregate_cron_job(old: Mapping[str, Any], items: Sequence[StatusItem]) -> dict[str, Any]:
    """The federated status of a CronJob: active Jobs of every member, latest schedule times."""
    active: list[Any] = []
    latest: dict[str, str] = {}
    for _cluster, status in items:
        if status is None:
            continue
        active.extend(as_list(status.get("active")))
        for field in ("lastScheduleTime", "lastSuccessfulTime"):
            if status.get(field):
                latest[field] = max(latest.get(field, ""), str(status[field]))
    new = {
        k: v
        for k, v in old.items()
        if k not in ("active", "lastScheduleTime", "lastSuccessfulTime")
    }
    if active:
        new["active"] = active
    new.update(latest)
    return new
