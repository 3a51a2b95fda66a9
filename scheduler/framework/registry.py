"""Plugin names -> factories, and building a framework from the enabled names.

Like Karmada's plugins/registry.go and runtime.Registry.Filter, `build` takes
the scheduler's plugin list (``--plugins``):

* ``None``: the default set, which is Karmada's in-tree set: APIEnablement,
  TaintToleration, ClusterAffinity, SpreadConstraint, ClusterLocality,
  ClusterEviction.
* ``"*"``: every default plugin; ``"Name"``: that plugin, which may be one that
  is off by default (AvailableReplicas); ``"-Name"``: not that plugin, wherever
  it appears in the list. ``[]`` enables nothing.

Karmada logs and ignores a name it does not know; here that is a ValueError,
so a typo in the flag fails at startup rather than silently dropping a filter.
Plugins run in registry order whatever the list order (Karmada's order is Go
map order, i.e. random). The order only changes which filter a cluster is
counted under in the diagnosis, not which clusters pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final, Protocol, runtime_checkable

from scheduler.framework.interface import FilterPlugin, ScorePlugin
from scheduler.framework.runtime import Framework
from scheduler.plugins import (
    apienablement,
    capacity,
    clusteraffinity,
    clustereviction,
    clusterlocality,
    spreadconstraint,
    tainttoleration,
)

__all__ = ["ALL", "DEFAULT_PLUGINS", "PluginFactory", "build", "default_registry", "enabled"]

PluginFactory = Callable[[], FilterPlugin | ScorePlugin]

ALL: Final = "*"
DEFAULT_PLUGINS: Final = (
    apienablement.NAME,
    tainttoleration.NAME,
    clusteraffinity.NAME,
    spreadconstraint.NAME,
    clusterlocality.NAME,
    capacity.NAME,
    clustereviction.NAME,
)


@runtime_checkable
class _Filter(FilterPlugin, Protocol):
    pass


@runtime_checkable
class _Score(ScorePlugin, Protocol):
    pass


def default_registry() -> dict[str, PluginFactory]:
    """Every in-tree plugin by name, in the order plugins run."""
    return {
        apienablement.NAME: apienablement.new,
        tainttoleration.NAME: tainttoleration.new,
        clusteraffinity.NAME: clusteraffinity.new,
        spreadconstraint.NAME: spreadconstraint.new,
        clusterlocality.NAME: clusterlocality.new,
        capacity.NAME: capacity.new,
        clustereviction.NAME: clustereviction.new,
    }


def enabled(
    names: Sequence[str] | None,
    registry: Mapping[str, PluginFactory],
    *,
    defaults: Sequence[str] = DEFAULT_PLUGINS,
) -> list[str]:
    """The plugin names a plugin list enables, in registry order.

    Raises:
        ValueError: a name (with or without "-") is not in `registry`.
    """
    if names is None:
        names = [ALL]
    on: set[str] = set()
    off: set[str] = set()
    for entry in names:
        name = entry.removeprefix("-")
        if entry == ALL:
            on.update(defaults)
        elif name not in registry:
            known = ", ".join(sorted(registry))
            raise ValueError(f"unknown scheduler plugin {name!r} (known: {known})")
        else:
            (off if entry.startswith("-") else on).add(name)
    return [name for name in registry if name in on and name not in off]


def build(
    names: Sequence[str] | None = None, *, registry: Mapping[str, PluginFactory] | None = None
) -> Framework:
    """A framework running the plugins `names` enables (see the module docstring).

    A plugin that is both a filter and a score plugin is instantiated once.

    Raises:
        ValueError: `names` holds an unknown plugin name.
    """
    registry = default_registry() if registry is None else registry
    filters: list[FilterPlugin] = []
    scores: list[ScorePlugin] = []
    for name in enabled(names, registry):
        plugin = registry[name]()
        if isinstance(plugin, _Filter):
            filters.append(plugin)
        if isinstance(plugin, _Score):
            scores.append(plugin)
    return Framework(filters=filters, scores=scores)
