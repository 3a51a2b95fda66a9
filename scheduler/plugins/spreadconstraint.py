"""SpreadConstraint filter: the cluster must have the property the placement spreads by.

A cluster without a provider, region or zone (or without the label) cannot
be put in any group, so spreading by that property must not pick it; the
``cluster`` field needs nothing. Karmada's filter checks the fields only
(spreading by label is not implemented there, karmada-io/karmada#5355); here
spreading by a label needs the cluster to carry that label key, whatever its
value. A cluster spans a zone if spec.zones (or the deprecated spec.zone)
names one.

The reason names the missing property, one fixed phrase per property, so the
diagnosis adds up clusters missing the same one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from scheduler.framework.types import SUCCESS, BindingInfo, ClusterInfo, Code, Result

if TYPE_CHECKING:
    from scheduler.framework.interface import FilterPlugin

__all__ = ["NAME", "SpreadConstraint", "new"]

NAME: Final = "SpreadConstraint"
_FIELD_ATTRIBUTES: Final = {"provider": "provider", "region": "region", "zone": "zones"}
_MISSING_FIELD: Final = {
    field: Result(Code.UNSCHEDULABLE, f"did not have the spread property {field}")
    for field in _FIELD_ATTRIBUTES
}


class SpreadConstraint:
    name: ClassVar[str] = NAME
    __slots__ = ("_binding", "_checks")

    def __init__(self) -> None:
        self._binding: BindingInfo | None = None
        # (ClusterInfo attribute, label key, failure); one of the first two is empty.
        self._checks: tuple[tuple[str, str, Result], ...] = ()

    def prepare(self, binding: BindingInfo) -> None:
        checks: list[tuple[str, str, Result]] = []
        for constraint in binding.spec.placement.spread_constraints:
            if constraint.spread_by_label:
                label = constraint.spread_by_label
                missing = Result(Code.UNSCHEDULABLE, f"did not have the spread label {label}")
                checks.append(("", label, missing))
            elif attribute := _FIELD_ATTRIBUTES.get(constraint.spread_by_field):
                checks.append((attribute, "", _MISSING_FIELD[constraint.spread_by_field]))
        self._binding = binding
        self._checks = tuple(checks)

    def filter(self, binding: BindingInfo, cluster: ClusterInfo) -> Result:
        if binding is not self._binding:
            self.prepare(binding)
        for attribute, label, missing in self._checks:
            if attribute:
                if not getattr(cluster, attribute):
                    return missing
            elif label not in cluster.labels:
                return missing
        return SUCCESS


def new() -> SpreadConstraint:
    return SpreadConstraint()


if TYPE_CHECKING:
    _: FilterPlugin = SpreadConstraint()
