"""ClusterEviction filter: never place a resource back on a cluster it is being evicted from.

A graceful eviction task (spec.graceful_eviction_tasks) keeps the resource on
its old cluster until it is healthy elsewhere; choosing that cluster again
would undo the failover (Karmada's clustereviction).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from scheduler.framework.types import SUCCESS, BindingInfo, ClusterInfo, Code, Result

if TYPE_CHECKING:
    from scheduler.framework.interface import FilterPlugin

__all__ = ["NAME", "ClusterEviction", "new"]

NAME: Final = "ClusterEviction"
_EVICTING: Final = Result(Code.UNSCHEDULABLE, "were in the process of eviction")


class ClusterEviction:
    name: ClassVar[str] = NAME
    __slots__ = ("_binding", "_evicting")

    def __init__(self) -> None:
        self._binding: BindingInfo | None = None
        self._evicting: frozenset[str] = frozenset()

    def prepare(self, binding: BindingInfo) -> None:
        self._binding = binding
        self._evicting = frozenset(t.from_cluster for t in binding.spec.graceful_eviction_tasks)

    def filter(self, binding: BindingInfo, cluster: ClusterInfo) -> Result:
        if binding is not self._binding:
            self.prepare(binding)
        return _EVICTING if cluster.name in self._evicting else SUCCESS


def new() -> ClusterEviction:
    return ClusterEviction()


if TYPE_CHECKING:
    _: FilterPlugin = ClusterEviction()
