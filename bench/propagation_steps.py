"""Steps every propagation run shares: a synced namespace, writing Deployments, cleaning up.

Each run works in a namespace of its own, created before the clock starts and
waited for until namespace sync has put it in every member (so no apply in
the run waits on a missing namespace). After the run its templates and
policies are deleted and the run waits until the members' watches report
every member object gone and no ResourceBinding is left in the namespace, so
the next run starts on a control plane with nothing in flight; the empty
namespaces stay (a few per run).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence

from bench.load import write_all
from bench.propagation_objects import DEPLOYMENT, deployment, policy
from bench.propagation_plane import Plane
from bench.propagation_watch import Arrivals
from karmada.machinery import errors
from karmada.machinery.scheme import NAMESPACE, PROPAGATION_POLICY, RESOURCE_BINDING
from karmada.member import NotFound

WRITERS = 16
"""Concurrent writers, as in the creates scenario's 16-concurrent figures."""


async def synced_namespace(plane: Plane, name: str, *, timeout: float = 60.0) -> None:
    """Creates `name` and returns once namespace sync has created it in every member."""
    await plane.client.create(NAMESPACE.new(name=name))
    async with asyncio.timeout(timeout):
        for member in plane.members.values():
            while True:
                try:
                    await member.get("v1", "Namespace", name)
                    break
                except NotFound:
                    await asyncio.sleep(0.05)


def names(count: int) -> list[str]:
    return [f"d-{i:05d}" for i in range(count)]


async def write_deployments(
    plane: Plane, namespace: str, count: int, clusters: Sequence[str]
) -> dict[str, float]:
    """Writes `count` Deployments, each with its own policy, from WRITERS tasks.

    Returns when each Deployment's first write started (time.perf_counter()).
    """
    started: dict[str, float] = {}
    all_names = names(count)

    async def write(index: int) -> None:
        name = all_names[index]
        started[name] = time.perf_counter()
        await plane.client.create(deployment(namespace, name))
        await plane.client.create(policy(namespace, name, clusters))

    await write_all(write, count, writers=WRITERS)
    return started


async def clean(
    plane: Plane,
    arrivals: Arrivals,
    namespace: str,
    count: int,
    *,
    timeout: float = 600.0,
) -> float:
    """Deletes the run's Deployments and policies; waits for members and bindings to empty.

    Returns the seconds the clean-up took.
    """
    began = time.perf_counter()
    all_names = names(count)

    async def delete(index: int) -> None:
        for kind in (DEPLOYMENT, PROPAGATION_POLICY):
            with contextlib.suppress(errors.NotFound):
                await plane.client.delete(kind, all_names[index], namespace)

    await write_all(delete, count, writers=WRITERS)
    await arrivals.wait(
        lambda: arrivals.count(plane.clusters, namespace) == 0,
        timeout=timeout,
        what=f"member objects of {namespace} to be deleted",
    )
    async with asyncio.timeout(timeout):
        while True:
            page = await plane.client.list(RESOURCE_BINDING, namespace=namespace, page_size=1)
            if not page.items:
                break
            await asyncio.sleep(0.1)
    return time.perf_counter() - began
