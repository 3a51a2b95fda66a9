"""APIEnablement filter: the cluster must serve the resource's kind (Karmada's apienablement).

A cluster whose API enablements are incomplete (its CompleteAPIEnablements
condition is not True, e.g. discovery of some group failed) and that already
holds the resource still passes, so a discovery hiccup does not evict a
running workload (karmada-io/karmada#5725).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from scheduler.framework.types import SUCCESS, BindingInfo, ClusterInfo, Code, Result

if TYPE_CHECKING:
    from scheduler.framework.interface import FilterPlugin

__all__ = ["NAME", "APIEnablement", "new"]

NAME: Final = "APIEnablement"
_MISSING: Final = Result(Code.UNSCHEDULABLE, "did not have the API resource")


class APIEnablement:
    name: ClassVar[str] = NAME
    __slots__ = ("_binding", "_kind")

    def __init__(self) -> None:
        self._binding: BindingInfo | None = None
        self._kind = ("", "")

    def prepare(self, binding: BindingInfo) -> None:
        resource = binding.spec.resource
        self._binding = binding
        self._kind = (resource.api_version, resource.kind)

    def filter(self, binding: BindingInfo, cluster: ClusterInfo) -> Result:
        if binding is not self._binding:
            self.prepare(binding)
        if self._kind in cluster.enabled_kinds:
            return SUCCESS
        if not cluster.complete_api_enablements and cluster.name in binding.previous:
            return SUCCESS
        return _MISSING


def new() -> APIEnablement:
    return APIEnablement()


if TYPE_CHECKING:
    _: FilterPlugin = APIEnablement()
