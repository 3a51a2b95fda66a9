"""When member objects appear and vanish, as watches on the members report it.

`Arrivals` runs one list-then-watch (`MemberClient.list_and_watch`) per
member and kind, selecting ``karmada.io/managed=true`` (what Karmada's
execution marks every object it applies with), and records the moment each
object was first seen in each member (``time.perf_counter()`` in the
benchmark process, on receipt of the watch event) and how many objects each
member holds per namespace. Waiting is event-driven: a waiter's predicate is
checked after each change, never on a timer, so no polling load reaches the
members or the control plane.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from karmada.member import LISTED, MemberClient

MANAGED = "karmada.io/managed=true"

ObjectKey = tuple[str, str, str]
"""(kind, namespace, name) of a member object."""


class Arrivals:
    """First-seen times and per-namespace counts of managed objects in each member."""

    def __init__(
        self, members: Mapping[str, MemberClient], kinds: Sequence[tuple[str, str]]
    ) -> None:
        self._members = dict(members)
        self._kinds = list(kinds)
        self.seen: dict[str, dict[ObjectKey, float]] = {name: {} for name in members}
        self.counts: Counter[tuple[str, str]] = Counter()
        """Objects present per (cluster, namespace)."""
        self._listed: set[tuple[str, str]] = set()
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, *, timeout: float = 60.0) -> None:
        """Starts the watches; returns once each has listed."""
        for cluster, member in self._members.items():
            for api_version, kind in self._kinds:
                self._tasks.append(
                    asyncio.create_task(
                        self._watch(cluster, member, api_version, kind),
                        name=f"arrivals:{cluster}:{kind}",
                    )
                )
        wanted = len(self._members) * len(self._kinds)
        await self.wait(lambda: len(self._listed) >= wanted, timeout=timeout, what="member lists")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _watch(self, cluster: str, member: MemberClient, api_version: str, kind: str) -> None:
        seen = self.seen[cluster]
        async for event in member.list_and_watch(api_version, kind, label_selector=MANAGED):
            now = time.perf_counter()
            if event.type == LISTED:
                self._listed.add((cluster, kind))
                self._changed()
                continue
            metadata = event.object.get("metadata") or {}
            namespace = str(metadata.get("namespace") or "")
            key = (kind, namespace, str(metadata.get("name") or ""))
            if event.type == "DELETED":
                if seen.pop(key, None) is None:
                    continue
                self.counts[(cluster, namespace)] -= 1
            elif key in seen:
                continue
            else:
                seen[key] = now
                self.counts[(cluster, namespace)] += 1
            self._changed()

    def _changed(self) -> None:
        if not self._waiters:
            return
        for entry in list(self._waiters):
            predicate, future = entry
            if future.done():
                self._waiters.remove(entry)
            elif predicate():
                future.set_result(None)
                self._waiters.remove(entry)

    def _check(self) -> None:
        for task in self._tasks:
            if task.done() and not task.cancelled() and (error := task.exception()):
                raise RuntimeError(f"member watch {task.get_name()} failed") from error

    async def wait(self, predicate: Callable[[], bool], *, timeout: float, what: str) -> None:
        """Returns once predicate() holds; raises TimeoutError naming `what` after `timeout`."""
        if predicate():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        try:
            async with asyncio.timeout(timeout):
                while not future.done():
                    self._check()
                    await asyncio.wait({future}, timeout=1.0)
        except TimeoutError:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}") from None
        finally:
            if not future.done():
                future.cancel()

    def present(self, clusters: Iterable[str], key: ObjectKey) -> bool:
        return all(key in self.seen[cluster] for cluster in clusters)

    def arrival(self, clusters: Iterable[str], keys: Iterable[ObjectKey]) -> float:
        """The moment the last of `keys` appeared in the last of `clusters`."""
        return max(self.seen[cluster][key] for cluster in clusters for key in keys)

    def count(self, clusters: Iterable[str], namespace: str) -> int:
        """Objects present in `namespace`, summed over `clusters`."""
        return sum(self.counts[(cluster, namespace)] for cluster in clusters)
