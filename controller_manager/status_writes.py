"""Writing a Work's status only when it changes, shared by execution and work status.

Both controllers compute new conditions (and manifest statuses) from the
informer's copy. The change is first tried on a copy of that; when it changes
nothing, no apiserver call is made at all, and when it does, the change is
written starting from that copy; only when a concurrent writer got there first
(ABORTED) is the Work read afresh and the change applied again
(`guaranteed_update`), so that writer's fields survive.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.scheme import WORK
from karmada.work.v1alpha1 import work_pb2

__all__ = ["write_work_status"]


async def write_work_status(
    client: Client, work: work_pb2.Work, apply: Callable[[work_pb2.Work], bool]
) -> work_pb2.Work | None:
    """Applies `apply` (which returns whether it changed anything) to the Work's status.

    Returns the Work as written, or None when nothing was (no change, or it is gone).
    """
    if not apply(copy.deepcopy(work)):
        return None

    def mutate(current: work_pb2.Work) -> work_pb2.Work | None:
        return current if apply(current) else None

    try:
        return await client.guaranteed_update(
            WORK,
            work.metadata.name,
            work.metadata.namespace,
            mutate=mutate,
            status=True,
            cached=work,
        )
    except errors.NotFound:
        return None
