"""ServiceAccount controller: every active namespace has a ServiceAccount named "default"."""

from __future__ import annotations

from membersim.controllers.common import Context, deleting
from membersim.resources import NAMESPACES, SERVICEACCOUNTS


def reconcile(ctx: Context) -> None:
    store = ctx.cluster.store
    for namespace in store.list_objects(NAMESPACES.key):
        if store.get(SERVICEACCOUNTS.key, namespace.name, "default") is not None:
            continue
        if deleting(namespace.decode()):
            continue
        ctx.create(
            SERVICEACCOUNTS,
            {"metadata": {"name": "default", "namespace": namespace.name}},
        )
