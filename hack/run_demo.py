"""What `make run` does through the API once the processes are up: join, then report.

Joining is idempotent, so a second `make run` on the same data directory keeps
the Clusters of the first (the sample is applied with `karmadactl apply`,
idempotent too). The report reads the
placement the way a user would check it: the ResourceBinding's target
clusters, the objects in each member (replicas, ready replicas, image after
overrides) and the template's aggregated status.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.conditions import find_condition, is_true
from karmada.machinery.scheme import CLUSTER, RESOURCE_BINDING, template_kind
from karmada.machinery.structs import to_dict
from karmada.member import MemberClient, MemberError
from karmada.names import binding_name
from karmada.registration import join_push, kubeconfig_entry
from membersim.options import ClusterConfig

__all__ = ["Placement", "Row", "join_members", "observe", "wait_placement"]


async def join_members(
    client: Client, members: Sequence[ClusterConfig], kubeconfig_dir: Path
) -> list[str]:
    """Joins each simulated cluster in push mode; keeps Clusters joined by an earlier run."""
    said = []
    for member in members:
        kubeconfig = yaml.safe_load((kubeconfig_dir / f"{member.name}.kubeconfig").read_text())
        try:
            await join_push(
                client,
                member.name,
                kubeconfig,
                provider=member.provider,
                region=member.region,
                zones=member.zones,
            )
            said.append(f"joined {member.name}")
        except errors.AlreadyExists:
            # join_push refreshed the Secret; follow the simulator if its address moved.
            server = str(kubeconfig_entry(kubeconfig)[0]["server"])

            def endpoint(cluster: Any, server: str = server) -> Any:
                if cluster.spec.api_endpoint == server:
                    return None
                cluster.spec.api_endpoint = server
                return cluster

            await client.guaranteed_update(CLUSTER, member.name, mutate=endpoint)
            said.append(f"{member.name} already joined")
    return said


@dataclass
class Row:
    """Where some replicas landed."""

    cluster: str
    region: str
    replicas: int
    ready: int
    image: str


@dataclass
class Placement:
    """The observed placement of one Deployment, and what is still missing."""

    name: str
    namespace: str
    desired: int = 0
    ready: int = 0
    rows: list[Row] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        clusters = len(self.rows)
        noun = "cluster" if clusters == 1 else "clusters"
        return f"{self.name}: {self.ready}/{self.desired} ready across {clusters} {noun}"

    def table(self) -> str:
        header = ("CLUSTER", "REGION", "REPLICAS", "READY", "IMAGE")
        cells = [header] + [
            (r.cluster, r.region or "-", str(r.replicas), str(r.ready), r.image or "-")
            for r in self.rows
        ]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header) - 1)]
        return "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[-1]
            for row in cells
        )


DEPLOYMENT = template_kind("apps/v1", "Deployment")


async def observe(
    client: Client, members: Mapping[str, MemberClient], *, name: str, namespace: str
) -> Placement:
    """One look at the Deployment `namespace/name` across the control plane and members."""
    placement = Placement(name, namespace)
    missing = placement.missing
    clusters, _ = await client.list_all(CLUSTER)
    regions = {c.metadata.name: c.spec.region for c in clusters}
    for cluster in clusters:
        if not is_true(list(cluster.status.conditions), "Ready"):
            condition = find_condition(list(cluster.status.conditions), "Ready")
            reason = condition.message if condition is not None else "no status collected yet"
            missing.append(f"cluster {cluster.metadata.name} is not Ready: {reason}")
    try:
        template = await client.get(DEPLOYMENT, name, namespace)
    except errors.NotFound:
        missing.append(f"Deployment {namespace}/{name} does not exist in the control plane")
        return placement
    placement.desired = int(to_dict(template.body).get("spec", {}).get("replicas", 1))
    placement.ready = int(to_dict(template.status).get("readyReplicas", 0))
    try:
        binding = await client.get(RESOURCE_BINDING, binding_name(name, "Deployment"), namespace)
    except errors.NotFound:
        missing.append("no ResourceBinding yet: does a PropagationPolicy select the Deployment?")
        return placement
    scheduled = find_condition(list(binding.status.conditions), "Scheduled")
    if scheduled is None or scheduled.status != "True":
        reason = scheduled.message if scheduled is not None else "the scheduler has not run yet"
        missing.append(f"not scheduled: {reason}")
    for target in binding.spec.clusters:
        row = Row(target.name, regions.get(target.name, ""), target.replicas, 0, "")
        placement.rows.append(row)
        member = members.get(target.name)
        if member is None:
            missing.append(f"{target.name}: not a member this launcher can read")
            continue
        try:
            obj = await member.get("apps/v1", "Deployment", name, namespace=namespace)
        except MemberError as error:
            missing.append(f"{target.name}: Deployment not there yet ({type(error).__name__})")
            continue
        containers = obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers")
        row.image = str(containers[0].get("image", "")) if containers else ""
        row.ready = int(obj.get("status", {}).get("readyReplicas", 0) or 0)
        if obj.get("spec", {}).get("replicas") != target.replicas:
            missing.append(f"{target.name}: the member still has the old replica count")
        if row.ready < target.replicas:
            missing.append(f"{target.name}: {row.ready}/{target.replicas} replicas ready")
    if placement.ready < placement.desired:
        missing.append(
            f"aggregated status: {placement.ready}/{placement.desired} ready in the template"
        )
    return placement


async def wait_placement(
    client: Client,
    members: Mapping[str, MemberClient],
    *,
    name: str,
    namespace: str,
    timeout: float,
) -> Placement:
    """Observes until nothing is missing or `timeout` passes; returns the last observation."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        placement = await observe(client, members, name=name, namespace=namespace)
        if not placement.missing or loop.time() > deadline:
            return placement
        await asyncio.sleep(0.5)
