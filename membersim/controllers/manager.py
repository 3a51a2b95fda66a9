"""The one dispatcher that runs every simulated controller, for every cluster.

Idle clusters cost nothing here: no task, watcher or timer per cluster.
Each cluster's store calls `Controllers.mark` on every commit (the store's
``listener``); a commit to a kind the controllers care about adds the
cluster to an ordered "dirty" set and wakes the single dispatcher task
(so does any commit while owners wait for the garbage collector, of
whatever kind: `Registry.gc_pending`),
which runs the level-triggered controllers (`membersim.controllers.common`)
over that cluster. Their own writes mark the cluster again, so passes
repeat until a pass writes nothing. Delays (pods becoming ready, jobs
finishing) are one ``loop.call_later`` per cluster and deadline, marking
the cluster dirty when due. Per-cluster memory (`ClusterState`) exists only
for clusters that have had pods.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Final

from membersim.cluster import SimCluster
from membersim.controllers import (
    daemonset,
    deployment,
    endpointslice,
    gc,
    job,
    kubelet,
    replicaset,
    scheduler,
    serviceaccount,
    statefulset,
)
from membersim.controllers.common import ClusterState, Context
from membersim.resources import (
    DAEMONSETS,
    DEPLOYMENTS,
    ENDPOINTSLICES,
    JOBS,
    NAMESPACES,
    NODES,
    PODS,
    REPLICASETS,
    SERVICEACCOUNTS,
    SERVICES,
    STATEFULSETS,
    ResourceKey,
)

log = logging.getLogger(__name__)

WATCHED: Final = frozenset(
    r.key
    for r in (
        NAMESPACES,
        NODES,
        PODS,
        SERVICES,
        SERVICEACCOUNTS,
        DEPLOYMENTS,
        REPLICASETS,
        STATEFULSETS,
        DAEMONSETS,
        JOBS,
        ENDPOINTSLICES,
    )
)
CONTROLLERS: Final[tuple[Callable[[Context], None], ...]] = (
    serviceaccount.reconcile,
    gc.reconcile,
    deployment.reconcile,
    replicaset.reconcile,
    statefulset.reconcile,
    daemonset.reconcile,
    job.reconcile,
    scheduler.reconcile,
    kubelet.reconcile,
    endpointslice.reconcile,
)


class Controllers:
    """Runs the simulated controllers of every cluster from one task.

    Args:
        clusters: every cluster, in a stable order (a cluster's position
            picks its pod IP block).
        ready_delay: seconds from a pod's binding to it being Running and Ready.
        job_duration: seconds a Job's pod runs before it succeeds.
    """

    def __init__(
        self, clusters: list[SimCluster], *, ready_delay: float = 0.5, job_duration: float = 1.0
    ) -> None:
        self.clusters = clusters
        self.ready_delay = ready_delay
        self.job_duration = job_duration
        self._index = {c.name: i for i, c in enumerate(clusters)}
        self._by_name = {c.name: c for c in clusters}
        self._states: dict[str, ClusterState] = {}
        self._dirty: dict[str, None] = {}
        self._wakeups: dict[str, float] = {}
        self._event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.servers = kubelet.PodServers()
        for cluster in clusters:
            cluster.store.listener = functools.partial(self._on_commit, cluster.name)
            self._dirty[cluster.name] = None

    def _on_commit(self, cluster: str, resource: ResourceKey) -> None:
        if resource in WATCHED or self._by_name[cluster].registry.gc_pending:
            self.mark(cluster)

    def mark(self, cluster: str) -> None:
        """Have the controllers look at `cluster` again soon."""
        self._dirty[cluster] = None
        self._event.set()

    def _wake_at(self, cluster: str, delay: float) -> None:
        loop = asyncio.get_running_loop()
        when = loop.time() + max(delay, 0.0) + 0.01
        pending = self._wakeups.get(cluster)
        if pending is not None and loop.time() < pending <= when:
            return
        self._wakeups[cluster] = when
        loop.call_at(when, self._wakeup, cluster, when)

    def _wakeup(self, cluster: str, when: float) -> None:
        if self._wakeups.get(cluster) == when:
            del self._wakeups[cluster]
        self.mark(cluster)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="membersim-controllers")
        if self._dirty:
            self._event.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.servers.close()

    async def _run(self) -> None:
        passes: dict[str, int] = {}
        while True:
            await self._event.wait()
            self._event.clear()
            while self._dirty:
                name = next(iter(self._dirty))
                del self._dirty[name]
                passes[name] = passes.get(name, 0) + 1
                await self.reconcile(name)
                await asyncio.sleep(0)
                if name not in self._dirty:
                    passes.pop(name, None)
                elif passes[name] > 20:
                    # Something keeps changing: let the rest of the process breathe.
                    passes.pop(name, None)
                    await asyncio.sleep(0.05)

    async def reconcile(self, name: str) -> None:
        """One pass of every controller over cluster `name`."""
        cluster = self._by_name[name]
        has_pods = cluster.store.count(PODS.key) > 0
        state = self._states.get(name)
        if state is None:
            state = ClusterState()
            if has_pods:
                self._states[name] = state
        ctx = Context(
            cluster=cluster,
            index=self._index[name],
            state=state,
            ready_delay=self.ready_delay,
            job_duration=self.job_duration,
            wake_at=functools.partial(self._wake_at, name),
        )
        for controller in CONTROLLERS:
            try:
                controller(ctx)
            except Exception:
                log.exception(
                    "Controller failed",
                    extra={"cluster": name, "controller": controller.__module__},
                )
        if has_pods or len(self.servers):
            try:
                await self.servers.sync(name, ctx.objects(PODS))
            except Exception:
                log.exception("Pod listeners failed", extra={"cluster": name})
        if not has_pods and cluster.store.count(PODS.key) == 0:
            self._states.pop(name, None)
