"""What the cluster status controller asks a member: health, version, APIs, capacity.

Health follows Karmada's cluster status controller: GET ``/readyz``, and if
the member does not serve it (404, older apiservers) ``/healthz``. No
answer at all means not online (reason ``ClusterNotReachable``); an answer
other than 200 means online but not healthy (``ClusterNotReady``, quoting
the answer); 200 means healthy (``ClusterReady``). The probe never raises
for an unreachable member: health is data, not an error.

API enablements are collected per group/version; a group/version that fails
is reported in `ApiEnablements.failed` rather than failing the whole
collection, so the caller can set ``CompleteAPIEnablements=False`` and keep
what it got, as Karmada does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Final

from karmada.member.discovery import Discovery
from karmada.member.errors import MemberError, Unreachable
from karmada.member.summary import ApiEnablement, api_enablements
from karmada.member.transport import Transport

CLUSTER_READY: Final = "ClusterReady"
CLUSTER_NOT_READY: Final = "ClusterNotReady"
CLUSTER_NOT_REACHABLE: Final = "ClusterNotReachable"
HEALTHY_MESSAGE: Final = "cluster is healthy and ready to accept workloads"


@dataclass(frozen=True)
class ClusterHealth:
    """The outcome of one health probe.

    Attributes:
        online: the member answered at all.
        healthy: it answered 200 on /readyz (or /healthz).
        reason: ClusterReady, ClusterNotReady or ClusterNotReachable.
        message: human-readable detail for the Ready condition.
    """

    online: bool
    healthy: bool
    reason: str
    message: str


@dataclass(frozen=True)
class ApiEnablements:
    """The API enablements collected, and the group/versions that could not be read."""

    enablements: list[ApiEnablement]
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.failed


async def probe_health(transport: Transport) -> ClusterHealth:
    """Probes /readyz, falling back to /healthz when /readyz is not served."""
    try:
        path = "/readyz"
        response = await transport.request("GET", path, probe=True)
        if response.status == 404:
            path = "/healthz"
            response = await transport.request("GET", path, probe=True)
    except Unreachable as e:
        return ClusterHealth(
            online=False,
            healthy=False,
            reason=CLUSTER_NOT_REACHABLE,
            message=f"cluster is not reachable: {e.message}",
        )
    if response.status == 200:
        return ClusterHealth(
            online=True, healthy=True, reason=CLUSTER_READY, message=HEALTHY_MESSAGE
        )
    return ClusterHealth(
        online=True,
        healthy=False,
        reason=CLUSTER_NOT_READY,
        message=(
            "cluster is reachable but health endpoint responded without ok: "
            f"{path} returned {response.status}: {response.text().strip()[:300]}"
        ),
    )


async def server_version(transport: Transport) -> str:
    """The member's ``gitVersion`` from /version, e.g. "v1.30.0"."""
    info: Any = await transport.call("GET", "/version", what="version")
    return str((info or {}).get("gitVersion", ""))


async def collect_api_enablements(discovery: Discovery) -> ApiEnablements:
    """Discovers every group/version and its resources.

    Raises:
        MemberError: /api or /apis itself could not be read.
    """
    group_versions = list(dict.fromkeys(await discovery.group_versions()))
    lists: dict[str, dict[str, Any]] = {}
    failed: dict[str, str] = {}

    async def fetch(gv: str) -> None:
        try:
            lists[gv] = await discovery.resource_list(gv)
        except MemberError as e:
            failed[gv] = e.message

    async with asyncio.TaskGroup() as group:
        for gv in group_versions:
            group.create_task(fetch(gv))
    return ApiEnablements(
        enablements=api_enablements(lists[gv] for gv in group_versions if gv in lists),
        failed=failed,
    )
