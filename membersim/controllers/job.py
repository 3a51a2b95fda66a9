"""Job controller: run pods until spec.completions have succeeded (pods succeed after a delay)."""

from __future__ import annotations

from membersim.controllers.common import (
    Context,
    Obj,
    condition,
    deleting,
    new_pod,
    owned,
    pod_active,
    pod_phase,
    pod_ready,
)
from membersim.resources import JOBS, PODS
from membersim.strategy import now


def reconcile(ctx: Context) -> None:
    if not ctx.count(JOBS):
        return
    for job in ctx.objects(JOBS):
        if deleting(job):
            continue
        spec = job.get("spec") or {}
        old = job.get("status") or {}
        completions = int(spec.get("completions") or 1)
        parallelism = int(spec.get("parallelism", 1))
        backoff = int(spec.get("backoffLimit", 6))
        pods = owned(ctx.objects(PODS, job["metadata"]["namespace"]), job)
        succeeded = sum(1 for p in pods if pod_phase(p) == "Succeeded")
        failed = sum(1 for p in pods if pod_phase(p) == "Failed")
        active = [p for p in pods if pod_active(p)]
        complete = succeeded >= completions
        gave_up = failed > backoff
        if not complete and not gave_up and not spec.get("suspend"):
            wanted = min(parallelism, completions - succeeded) - len(active)
            for _ in range(max(0, wanted)):
                template = spec.get("template") or {}
                pod = new_pod(job, template, extra_labels={"job-name": job["metadata"]["name"]})
                created = ctx.create(PODS, pod)
                if created is not None:
                    active.append(created)
        elif complete or gave_up:
            for pod in active:
                ctx.delete(PODS, pod)
            active = []
        status: Obj = {
            "startTime": old.get("startTime") or now(),
            "active": len(active),
            "succeeded": succeeded,
            "failed": failed,
            "ready": sum(1 for p in active if pod_ready(p)),
        }
        conditions = []
        if complete:
            status["completionTime"] = old.get("completionTime") or now()
            conditions.append(
                condition(
                    old,
                    "SuccessCriteriaMet",
                    "True",
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                )
            )
            conditions.append(
                condition(
                    old,
                    "Complete",
                    "True",
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                )
            )
        elif gave_up:
            conditions.append(
                condition(
                    old,
                    "Failed",
                    "True",
                    "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit",
                )
            )
        if conditions:
            status["conditions"] = conditions
        ctx.set_status(JOBS, job, {k: v for k, v in status.items() if v or k in ("startTime",)})
