"""TaintToleration filter: the placement must tolerate the cluster's taints.

NoSchedule and NoExecute taints count; PreferNoSchedule never rejects. A
cluster that already holds the resource (it is in the current result) is
only held to its NoExecute taints: as in Kubernetes, a NoSchedule taint keeps
new placements off a cluster but does not push existing ones out. (Karmada
skips such clusters altogether and leaves NoExecute to its taint manager's
eviction; re-selecting a cluster that is about to evict the workload would
only make the two fight.)

Tolerations match taints as Kubernetes' ``Toleration.ToleratesTaint``: an
empty effect matches every effect, an empty key matches every key, operator
Exists ignores the value, and Equal (or no operator) compares it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final, NamedTuple

from karmada.core.v1 import types_pb2
from scheduler.framework.types import SUCCESS, BindingInfo, ClusterInfo, Code, Result

if TYPE_CHECKING:
    from scheduler.framework.interface import FilterPlugin

__all__ = ["NAME", "TaintToleration", "new", "tolerates"]

NAME: Final = "TaintToleration"
NO_SCHEDULE: Final = "NoSchedule"
NO_EXECUTE: Final = "NoExecute"
_UNTOLERATED: Final = Result(Code.UNSCHEDULABLE, "had untolerated taint")


class _Toleration(NamedTuple):
    key: str
    operator: str
    value: str
    effect: str


def tolerates(toleration: _Toleration | types_pb2.Toleration, taint: types_pb2.Taint) -> bool:
    """Whether `toleration` tolerates `taint` (Kubernetes' ToleratesTaint)."""
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if toleration.operator == "Exists":
        return True
    return toleration.operator in ("", "Equal") and toleration.value == taint.value


class TaintToleration:
    name: ClassVar[str] = NAME
    __slots__ = ("_binding", "_tolerations")

    def __init__(self) -> None:
        self._binding: BindingInfo | None = None
        self._tolerations: tuple[_Toleration, ...] = ()

    def prepare(self, binding: BindingInfo) -> None:
        self._binding = binding
        self._tolerations = tuple(
            _Toleration(t.key, t.operator, t.value, t.effect)
            for t in binding.spec.placement.cluster_tolerations
        )

    def filter(self, binding: BindingInfo, cluster: ClusterInfo) -> Result:
        if not cluster.taints:
            return SUCCESS
        if binding is not self._binding:
            self.prepare(binding)
        scheduled = cluster.name in binding.previous
        for taint in cluster.taints:
            effect = taint.effect
            counts = effect == NO_EXECUTE or (effect == NO_SCHEDULE and not scheduled)
            if counts and not any(tolerates(t, taint) for t in self._tolerations):
                return _UNTOLERATED
        return SUCCESS


def new() -> TaintToleration:
    return TaintToleration()


if TYPE_CHECKING:
    _: FilterPlugin = TaintToleration()
