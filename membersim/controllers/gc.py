"""Garbage collector: objects whose owners (all of them) are gone are deleted (Background).

Only owner references to kinds the simulator runs controllers for are
followed, so an object owned by something the simulator does not know is
left alone.
"""

from __future__ import annotations

from membersim.controllers.common import Context, deleting
from membersim.resources import (
    DAEMONSETS,
    DEPLOYMENTS,
    ENDPOINTSLICES,
    JOBS,
    PODS,
    REPLICASETS,
    SERVICES,
    STATEFULSETS,
)

OWNERS = {
    "Deployment": DEPLOYMENTS,
    "ReplicaSet": REPLICASETS,
    "StatefulSet": STATEFULSETS,
    "DaemonSet": DAEMONSETS,
    "Job": JOBS,
    "Service": SERVICES,
}
DEPENDENTS = (REPLICASETS, PODS, ENDPOINTSLICES, JOBS)


def reconcile(ctx: Context) -> None:
    if not any(ctx.count(rtype) for rtype in DEPENDENTS):
        return
    uids: set[str] | None = None
    for rtype in DEPENDENTS:
        if not ctx.count(rtype):
            continue
        for obj in ctx.objects(rtype):
            refs = obj["metadata"].get("ownerReferences") or []
            if not refs or deleting(obj) or any(r.get("kind") not in OWNERS for r in refs):
                continue
            if uids is None:
                uids = {
                    o["metadata"]["uid"]
                    for owner in OWNERS.values()
                    for o in ctx.objects(owner)
                    if not deleting(o)
                }
            if not any(r.get("uid") in uids for r in refs):
                ctx.delete(rtype, obj)
