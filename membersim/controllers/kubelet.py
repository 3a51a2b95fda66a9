"""Kubelet: bound pods become Running and Ready after a delay, with a loopback pod IP.

A pod bound to a node is started ``ready_delay`` seconds after it was first
seen bound: phase Running, Ready conditions, container statuses, a podIP
from the cluster's loopback block (`membersim.ipam`). Job pods then
succeed after ``job_duration`` more seconds. Pods matched by the cluster's
``failPods`` fault go to Failed instead (and Running ones are failed too).

Each Running pod whose containers declare TCP containerPorts answers HTTP
on podIP:port (`PodServers`) with a small JSON document naming its cluster,
namespace and pod, so a request to an endpoint reaches "that cluster's pod".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable

from membersim.controllers.common import Context, Obj, deleting, monotonic, pod_phase
from membersim.ipam import pod_ip
from membersim.resources import PODS
from membersim.strategy import now

log = logging.getLogger(__name__)

PodKey = tuple[str, str, str]  # cluster, namespace, name


def _owner_kind(pod: Obj) -> str:
    for ref in pod["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return str(ref.get("kind"))
    return ""


def _container_statuses(
    pod: Obj, *, running: bool, started: str, exit_code: int | None = None
) -> list[Obj]:
    statuses = []
    for container in (pod.get("spec") or {}).get("containers") or ():
        state: Obj
        if exit_code is not None:
            state = {
                "terminated": {
                    "exitCode": exit_code,
                    "reason": "Completed" if exit_code == 0 else "Error",
                    "startedAt": started,
                    "finishedAt": now(),
                }
            }
        elif running:
            state = {"running": {"startedAt": started}}
        else:
            state = {"waiting": {"reason": "ContainerCreating"}}
        statuses.append(
            {
                "name": container.get("name", ""),
                "image": container.get("image", ""),
                "imageID": "",
                "containerID": f"membersim://{pod['metadata'].get('uid', '')[:12]}",
                "ready": running and exit_code is None,
                "started": running and exit_code is None,
                "restartCount": 0,
                "state": state,
            }
        )
    return statuses


def _conditions(ready: bool, timestamp: str) -> list[Obj]:
    value = "True" if ready else "False"
    return [
        {"type": kind, "status": status, "lastProbeTime": None, "lastTransitionTime": timestamp}
        for kind, status in (
            ("PodReadyToStartContainers", "True"),
            ("Initialized", "True"),
            ("Ready", value),
            ("ContainersReady", value),
            ("PodScheduled", "True"),
        )
    ]


def _fail(ctx: Context, pod: Obj, message: str) -> None:
    status = dict(pod.get("status") or {})
    started = status.get("startTime") or now()
    status.update(
        phase="Failed",
        reason="SimulatedFailure",
        message=message,
        conditions=_conditions(False, now()),
        containerStatuses=_container_statuses(pod, running=True, started=started, exit_code=1),
    )
    ctx.set_status(PODS, pod, status)


def reconcile(ctx: Context) -> None:
    state = ctx.state
    if not ctx.count(PODS):
        state.bound_at.clear()
        state.running_at.clear()
        return
    faults = ctx.cluster.faults
    failing = faults.fail_pods if faults is not None else None
    pods = ctx.objects(PODS)
    seen = set()
    used_ips = {ip for p in pods if (ip := (p.get("status") or {}).get("podIP"))}
    clock = monotonic()
    for pod in pods:
        meta = pod["metadata"]
        uid = meta["uid"]
        seen.add(uid)
        phase = pod_phase(pod)
        if (
            deleting(pod)
            or phase in ("Succeeded", "Failed")
            or not (pod.get("spec") or {}).get("nodeName")
        ):
            continue
        fail = failing is not None and failing.matches(meta["namespace"], meta.get("labels") or {})
        if phase == "Running":
            if fail:
                _fail(ctx, pod, "failed by fault injection")
                continue
            if _owner_kind(pod) == "Job":
                started = state.running_at.setdefault(uid, clock)
                if clock - started >= ctx.job_duration:
                    status = dict(pod.get("status") or {})
                    status.update(
                        phase="Succeeded",
                        conditions=_conditions(False, now()),
                        containerStatuses=_container_statuses(
                            pod, running=True, started=status.get("startTime") or now(), exit_code=0
                        ),
                    )
                    ctx.set_status(PODS, pod, status)
                else:
                    ctx.wake_at(ctx.job_duration - (clock - started))
            continue
        bound = state.bound_at.setdefault(uid, clock)
        if clock - bound < ctx.ready_delay:
            ctx.wake_at(ctx.ready_delay - (clock - bound))
            continue
        if fail:
            _fail(ctx, pod, "failed by fault injection")
            continue
        address, state.ip_counter = pod_ip(ctx.index, state.ip_counter, used_ips)
        used_ips.add(address)
        timestamp = now()
        status = dict(pod.get("status") or {})
        status.update(
            phase="Running",
            hostIP="127.0.0.1",
            hostIPs=[{"ip": "127.0.0.1"}],
            podIP=address,
            podIPs=[{"ip": address}],
            startTime=status.get("startTime") or timestamp,
            conditions=_conditions(True, timestamp),
            containerStatuses=_container_statuses(pod, running=True, started=timestamp),
        )
        ctx.set_status(PODS, pod, status)
        state.running_at[uid] = clock
    for table in (state.bound_at, state.running_at):
        for uid in [u for u in table if u not in seen]:
            del table[uid]


def _ports(pod: Obj) -> list[int]:
    ports = set()
    for container in (pod.get("spec") or {}).get("containers") or ():
        for port in container.get("ports") or ():
            if port.get("protocol", "TCP") == "TCP" and isinstance(port.get("containerPort"), int):
                ports.add(port["containerPort"])
    return sorted(ports)


class PodServers:
    """The HTTP listeners of Running pods, across every cluster of the process."""

    def __init__(self) -> None:
        self._servers: dict[PodKey, tuple[str, list[asyncio.Server]]] = {}

    def __len__(self) -> int:
        return len(self._servers)

    async def sync(self, cluster: str, pods: list[Obj]) -> None:
        """Start listeners for `cluster`'s Running pods with ports; stop those of pods gone."""
        wanted: dict[PodKey, tuple[str, list[int]]] = {}
        for pod in pods:
            status = pod.get("status") or {}
            ip = status.get("podIP")
            if pod_phase(pod) == "Running" and ip and not deleting(pod) and (ports := _ports(pod)):
                wanted[(cluster, pod["metadata"]["namespace"], pod["metadata"]["name"])] = (
                    ip,
                    ports,
                )
        for key in [k for k in self._servers if k[0] == cluster]:
            if key not in wanted or wanted[key][0] != self._servers[key][0]:
                await self._stop(key)
        for key, (ip, ports) in wanted.items():
            if key in self._servers:
                continue
            servers = []
            for port in ports:
                try:
                    servers.append(await asyncio.start_server(_handler(*key, ip), ip, port))
                except OSError as err:
                    log.warning(
                        "Pod listener failed",
                        extra={"pod": "/".join(key), "ip": ip, "port": port, "error": str(err)},
                    )
            self._servers[key] = (ip, servers)

    async def _stop(self, key: PodKey) -> None:
        _, servers = self._servers.pop(key)
        for server in servers:
            server.close()
        for server in servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()

    async def close(self) -> None:
        for key in list(self._servers):
            await self._stop(key)


def _handler(
    cluster: str, namespace: str, name: str, ip: str
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    body = (
        json.dumps({"cluster": cluster, "namespace": namespace, "pod": name, "podIP": ip}).encode()
        + b"\n"
    )
    response = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):
                await reader.readuntil(b"\r\n\r\n")
            writer.write(response)
            await writer.drain()
        except (
            TimeoutError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ConnectionError,
        ):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    return handle
