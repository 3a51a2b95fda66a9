"""The controllers, registered by name, and `--controllers` parsing ("*", "name", "-name").

Each controller module exposes `NAME` and `new(ctx) -> Runnable`; the manager
builds the enabled ones, starts the shared informers, and runs them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Protocol, cast

from controller_manager.context import ControllerContext

__all__ = ["CONTROLLERS", "DISABLED_BY_DEFAULT", "Runnable", "enabled", "factory"]


class Runnable(Protocol):
    async def run(self, *, workers: int = 1) -> None: ...


Factory = Callable[[ControllerContext], Runnable]

_PACKAGE = "controller_manager.controllers"

CONTROLLERS: dict[str, str] = {
    "cluster": "cluster",
    "clusterStatus": "cluster_status",
    "taintManager": "taint_manager",
    "resourceDetector": "detector",
    "dependenciesDistributor": "dependencies",
    "binding": "binding",
    "execution": "execution",
    "workStatus": "work_status",
    "bindingStatus": "binding_status",
    "namespace": "namespace_sync",
    "gracefulEviction": "graceful_eviction",
}
"""Name (Karmada's) -> module under controller_manager.controllers, in start order."""


def factory(name: str) -> Factory:
    """The `new` function of controller `name` (its module is imported on first use)."""
    module = importlib.import_module(f"{_PACKAGE}.{CONTROLLERS[name]}")
    return cast(Factory, module.new)


DISABLED_BY_DEFAULT: frozenset[str] = frozenset()


def enabled(names: Sequence[str], registry: Sequence[str] | None = None) -> list[str]:
    """The controllers a `--controllers` list turns on, in registry order.

    Raises:
        ValueError: a name (with or without "-") is not a controller.
    """
    known = list(CONTROLLERS) if registry is None else list(registry)
    on: set[str] = set()
    off: set[str] = set()
    star = False
    for name in names:
        bare = name.removeprefix("-")
        if name == "*":
            star = True
            continue
        if bare not in known:
            raise ValueError(f"unknown controller {bare!r}; known: {', '.join(known)}")
        (off if name.startswith("-") else on).add(bare)
    if star:
        on |= {name for name in known if name not in DISABLED_BY_DEFAULT}
    return [name for name in known if name in on and name not in off]
