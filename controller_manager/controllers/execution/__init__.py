"""The execution controller: Works of Push clusters become objects in those clusters.

As Karmada's pkg/controllers/execution/execution_controller.go with
pkg/util/objectwatcher (the loop is `controller`, the member-side steps
`member_ops`, the waiting `backoff`):

* every Work in ``karmada-es-<cluster>`` of a Push cluster carries the
  finalizer ``karmada.io/execution-controller``; its manifests are applied
  through the member client, which stamps Karmada's marks, keeps the fields
  the member owns, and refuses to take over an object Karmada does not
  manage unless the Work's ``work.karmada.io/conflict-resolution`` is
  ``overwrite`` (Abort otherwise);
* the Work's ``Applied`` condition says how it went: True
  ``AppliedSuccessful`` "Manifest has been successfully applied", or False
  ``AppliedFailed`` "Failed to apply all manifests (n/total): <errors>"; a
  Work applied without trouble gets its manifestStatuses and Available
  condition in the same write, from the objects the member returned (the
  work status controller's summary, `controller_manager.manifest_status`),
  and those objects are handed to the member watches so neither controller
  takes its own write for drift or for a status change;
* ``Dispatching`` is True ``Dispatching`` or, with ``spec.suspendDispatching``,
  False ``SuspendDispatching``, and then nothing is applied;
* clusters reported not Ready are left alone until they are Ready again;
* drift: the shared member watches (`controller_manager.memberwatch`) hand
  over every managed object that is edited (status aside) or deleted in the
  member, and its Work is reconciled again, which re-applies it;
* a deleted Work's objects are deleted from the member (unless
  ``preserveResourcesOnDeletion``) before the finalizer goes; if the cluster
  is gone, or is being removed and cannot be reached, the Work goes at once;
  while a cluster that stays registered is not Ready the Work waits for it.

Better than Karmada: manifests are applied Namespaces first, then CRDs; a
manifest dropped from a Work has its object removed from the member (found
from this process's record of what it applied and from the member watch's
objects that name the Work); and a member that stops answering opens a
per-cluster circuit (exponential, 2 s to 30 s) so its Works wait instead of
each spending a timeout while Works of other clusters starve; failures that
retrying soon will not cure (conflicts, rejected manifests) back off per Work
(1 s doubling to 5 min). Not done: with
preserveResourcesOnDeletion Karmada also strips its marks from the kept
objects; the member client has no call for that, so the marks stay.
"""

from __future__ import annotations

from controller_manager.context import ControllerContext
from controller_manager.controllers.execution.controller import ExecutionController

__all__ = ["NAME", "ExecutionController", "new"]

NAME = "execution"


def new(ctx: ControllerContext) -> ExecutionController:
    return ExecutionController(ctx)
