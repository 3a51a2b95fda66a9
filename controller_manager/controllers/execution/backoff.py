"""How long the execution controller waits before trying a member or a Work again.

Two clocks, both pure (the caller passes ``now``) so they are table-tested:

* `Outages` is a per-cluster circuit: once a member does not answer, every
  Work of that cluster waits out the window instead of spending a timeout of
  its own, so a dead member cannot tie up the workers that serve the others.
  Failures while the window is open do not widen it; the next failure after
  it closes doubles it (2 s up to 30 s); any success closes it for good.
* `Retries` backs off one Work whose failure retrying soon will not cure (an
  object Karmada may not take over, a manifest the member rejects): 1 s
  doubling up to 5 min, reset once the Work applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["OUTAGE_MAX", "OUTAGE_START", "RETRY_MAX", "RETRY_START", "Outage", "Outages", "Retries"]

OUTAGE_START: Final = 2.0
OUTAGE_MAX: Final = 30.0
RETRY_START: Final = 1.0
RETRY_MAX: Final = 300.0


@dataclass(frozen=True)
class Outage:
    """An open circuit: until when (monotonic seconds), its width, and the error that opened it."""

    until: float
    delay: float
    error: str


class Outages:
    def __init__(self) -> None:
        self._outages: dict[str, Outage] = {}

    def current(self, cluster: str, now: float) -> Outage | None:
        """The cluster's open circuit, if any."""
        outage = self._outages.get(cluster)
        return outage if outage is not None and outage.until > now else None

    def failed(self, cluster: str, error: str, now: float) -> float:
        """Records an unanswered call; the seconds until the cluster may be tried again."""
        previous = self._outages.get(cluster)
        if previous is not None and previous.until > now:
            return previous.until - now
        delay = OUTAGE_START if previous is None else min(previous.delay * 2, OUTAGE_MAX)
        self._outages[cluster] = Outage(now + delay, delay, error)
        return delay

    def recovered(self, cluster: str) -> None:
        self._outages.pop(cluster, None)


class Retries:
    def __init__(self) -> None:
        self._failures: dict[str, int] = {}

    def failed(self, key: str) -> float:
        """Counts one more failure of `key`; the seconds to wait before the next try."""
        count = self._failures.get(key, 0)
        self._failures[key] = count + 1
        return float(min(RETRY_START * 2**count, RETRY_MAX))

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)
