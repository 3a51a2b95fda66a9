"""Which Strategy validates each typed kind."""

from __future__ import annotations

from typing import Any

from apiserver.registry import (
    binding,
    cluster,
    lease,
    mcs,
    namespace,
    networking,
    override_policy,
    propagation_policy,
    work,
)
from apiserver.registry.strategy import Strategy
from karmada.machinery.scheme import Kind

_STRATEGIES: dict[Kind[Any], Strategy] = {
    s.kind: s
    for s in (
        cluster.STRATEGY,
        namespace.STRATEGY,
        *propagation_policy.STRATEGIES,
        *override_policy.STRATEGIES,
        *work.STRATEGIES,
        *binding.STRATEGIES,
        *networking.STRATEGIES,
        *mcs.STRATEGIES,
        *lease.STRATEGIES,
    )
}


def strategy_for(kind: Kind[Any]) -> Strategy:
    """The kind's strategy; kinds without their own module get metadata checks only."""
    return _STRATEGIES.get(kind) or Strategy(kind=kind)
