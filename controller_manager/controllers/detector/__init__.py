"""The resource detector (Karmada's pkg/detector): templates and policies in, bindings out.

`matching` decides which policy a template belongs to, `claim` is the claim
metadata on templates and bindings, `binding` what the detector writes into
a (Cluster)ResourceBinding, and `controller` the reconcile loop.
"""

from __future__ import annotations

from controller_manager.context import ControllerContext
from controller_manager.controllers.detector.controller import NAME, ResourceDetector

__all__ = ["NAME", "ResourceDetector", "new"]


def new(ctx: ControllerContext) -> ResourceDetector:
    return ResourceDetector(ctx)
