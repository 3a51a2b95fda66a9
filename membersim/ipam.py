"""Address allocation: Service ClusterIPs and pod IPs.

ClusterIPs come from 10.96.0.0/16 per cluster, as kubeadm's default
service range. The allocator keeps no state of its own: the addresses in
use are those of the Services stored, so a deleted Service's address is
free again at once, and nothing is lost across the registry's writes.

Pod IPs are loopback addresses, so that a request to a pod's IP reaches a
real socket in this process (Linux routes all of 127.0.0.0/8 to the
loopback interface, and binding any of them needs no setup). Cluster
``index`` (from 0) owns the block of 4,096 addresses starting at
``127.0.0.0 + (index + 1) * 4096``; 127.0.0.1 is never handed out.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any, Final

from membersim import errors
from membersim.resources import SERVICES
from membersim.store import Store

SERVICE_RANGE: Final = ipaddress.IPv4Network("10.96.0.0/16")
POD_BLOCK: Final = 4096
_LOOPBACK: Final = int(ipaddress.IPv4Address("127.0.0.0"))


def _used_cluster_ips(store: Store) -> set[str]:
    used: set[str] = set()
    for stored in store.list_objects(SERVICES.key):
        spec = stored.decode().get("spec") or {}
        used.update(ip for ip in spec.get("clusterIPs") or [spec.get("clusterIP")] if ip)
    return used


def assign_cluster_ip(store: Store, service: dict[str, Any]) -> None:
    """Give a new Service its clusterIP and clusterIPs (unless headless or ExternalName).

    Raises:
        ApiError: 422 when the requested address is taken or outside the range.
    """
    spec = service.setdefault("spec", {})
    if spec.get("type") == "ExternalName":
        return
    wanted = spec.get("clusterIP") or ""
    if wanted == "None":
        spec["clusterIPs"] = ["None"]
        return
    used = _used_cluster_ips(store)
    name = service["metadata"]["name"]
    if wanted:
        try:
            inside = ipaddress.IPv4Address(wanted) in SERVICE_RANGE
        except ValueError:
            inside = False
        if not inside or wanted in used:
            reason = (
                "provided IP is already allocated"
                if inside
                else "provided IP is not in the valid range"
            )
            raise errors.invalid(
                group="",
                kind="Service",
                name=name,
                causes=[("spec.clusterIP", f'Invalid value: "{wanted}": {reason}')],
            )
        spec["clusterIPs"] = [wanted]
        return
    # Start after .0.1 (the kubernetes Service's address in a real cluster).
    for address in SERVICE_RANGE.hosts():
        text = str(address)
        if text.endswith(".0.1") and address.packed[2] == 0:
            continue
        if text not in used:
            spec["clusterIP"] = text
            spec["clusterIPs"] = [text]
            return
    raise errors.internal("the service IP range is full")


def keep_cluster_ip(new: dict[str, Any], old: dict[str, Any]) -> None:
    """On update, a Service keeps the addresses it was given when the new body omits them."""
    old_spec = old.get("spec") or {}
    spec = new.setdefault("spec", {})
    for key in ("clusterIP", "clusterIPs"):
        if key in old_spec and not spec.get(key):
            spec[key] = old_spec[key]


def pod_ip(index: int, counter: int, used: Iterable[str]) -> tuple[str, int]:
    """A free loopback address for a pod of cluster `index`, and the next counter value.

    Raises:
        RuntimeError: every address of the cluster's block is in use.
    """
    taken = set(used)
    base = _LOOPBACK + (index + 1) * POD_BLOCK
    for step in range(POD_BLOCK - 2):
        offset = (counter + step) % (POD_BLOCK - 2) + 1
        address = str(ipaddress.IPv4Address(base + offset))
        if address not in taken:
            return address, offset
    raise RuntimeError("no free pod address left in the cluster's block")
