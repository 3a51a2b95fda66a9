"""The binding controller ("binding"): Works from (Cluster)ResourceBindings.

`render` decides what each Work holds (pure); `controller` keeps the Works of
every binding equal to that, and runs the ResourceBinding and
ClusterResourceBinding controllers together.
"""

from __future__ import annotations

from controller_manager.context import ControllerContext
from controller_manager.controllers.binding.controller import (
    BindingControllers,
    ClusterResourceBindingController,
    ResourceBindingController,
)

__all__ = [
    "NAME",
    "BindingControllers",
    "ClusterResourceBindingController",
    "ResourceBindingController",
    "new",
]

NAME = "binding"


def new(ctx: ControllerContext) -> BindingControllers:
    return BindingControllers(ctx)
