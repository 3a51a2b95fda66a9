"""`karmadactl uncordon CLUSTER`: let the scheduler place new work on a cordoned cluster again.

Removes ``cluster.karmada.io/unschedulable:NoSchedule`` (see `cordon`). The
scheduler reconsiders every binding whose placement could select a
re-tainted cluster, so bindings placed while it was cordoned may spread back
onto it (docs/scheduler.md; Karmada leaves them, issue #1844).
"""

from __future__ import annotations

import argparse

from karmadactl.commands.cordon import add_arguments, cordon
from karmadactl.context import Context

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "uncordon"
HELP = "Mark a cluster schedulable again (remove the unschedulable taint)"


async def run(ctx: Context, args: argparse.Namespace) -> int:
    return await cordon(ctx, args.cluster, unschedulable=False)
