"""`karmadactl cordon CLUSTER`: keep new scheduling off a cluster, leave what runs there.

Karmada's cordon (pkg/karmadactl/cordon) adds the taint
``cluster.karmada.io/unschedulable:NoSchedule``. The scheduler's
TaintToleration filter keeps clusters with an untolerated NoSchedule taint
out of new placements, while a cluster already in a binding's result only
needs its NoExecute taints tolerated, so existing replicas stay
(docs/scheduler.md). `uncordon` removes the taint. Both are idempotent and
say so ("already cordoned"), in kubectl's words.
"""

from __future__ import annotations

import argparse

from karmada.core.v1 import types_pb2
from karmada.names import UNSCHEDULABLE_TAINT
from karmadactl.clusters import edit_taints
from karmadactl.context import Context

__all__ = ["HELP", "NAME", "add_arguments", "cordon", "run"]

NAME = "cordon"
HELP = "Mark a cluster unschedulable (taint cluster.karmada.io/unschedulable:NoSchedule)"

_EFFECT = "NoSchedule"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cluster", metavar="CLUSTER", help="the cluster's name")


def _is_unschedulable(taint: types_pb2.Taint) -> bool:
    return taint.key == UNSCHEDULABLE_TAINT and taint.effect == _EFFECT


async def cordon(ctx: Context, name: str, *, unschedulable: bool) -> int:
    """Adds (`unschedulable`) or removes the taint and prints what happened."""

    def edit(taints: list[types_pb2.Taint]) -> list[types_pb2.Taint] | None:
        present = any(_is_unschedulable(t) for t in taints)
        if present == unschedulable:
            return None
        if unschedulable:
            return [*taints, types_pb2.Taint(key=UNSCHEDULABLE_TAINT, effect=_EFFECT)]
        return [t for t in taints if not _is_unschedulable(t)]

    verb = "cordoned" if unschedulable else "uncordoned"
    changed = await edit_taints(ctx, name, edit)
    print(f"cluster/{name} {verb}" if changed else f"cluster/{name} already {verb}")
    return 0


async def run(ctx: Context, args: argparse.Namespace) -> int:
    return await cordon(ctx, args.cluster, unschedulable=True)
