"""Helpers of the cluster-command tests: karmadactl as a subprocess, workloads, placements.

Commands run through `crud_support.karmadactl` (a subprocess with its own
HOME and a deadline); the rest reads the members with the member client, as
a user would check with kubectl.
"""

from __future__ import annotations

import uuid

from kubernetes.aio import client as k8s

from karmada.machinery.conditions import is_true
from karmada.machinery.scheme import CLUSTER, NAMESPACE, RESOURCE_BINDING, template_kind
from karmada.member import NotFound
from tests.integration.karmadactl.crud_support import Result, karmadactl
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

__all__ = [
    "CLUSTERS",
    "DEPLOYMENT",
    "apply",
    "fails",
    "join",
    "kubeconfig",
    "legacy_deployment",
    "new_namespace",
    "replicas",
    "run",
    "scheduled",
    "succeeds",
    "synced_namespace",
    "taints",
    "wait_ready",
    "wait_replicas",
    "workload",
]

CLUSTERS = ("member1", "member2", "member3")
DEPLOYMENT = template_kind("apps/v1", "Deployment")


async def run(plane: ControlPlane, *args: str) -> Result:
    """`python -m karmadactl --server <plane> ARGS`, isolated from the user's config."""
    assert plane.apiserver is not None
    return await karmadactl(plane.apiserver.address, plane.directory / "home", *args, timeout=90)


async def succeeds(plane: ControlPlane, *args: str) -> str:
    result = await run(plane, *args)
    assert result.code == 0, f"karmadactl {' '.join(args)}: {result}"
    return result.stdout


async def fails(plane: ControlPlane, *args: str) -> str:
    """The one-line error of a command that must fail (exit 1, nothing on stdout)."""
    result = await run(plane, *args)
    assert result.code == 1, f"karmadactl {' '.join(args)}: {result}"
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    return result.stderr.strip()


def kubeconfig(plane: ControlPlane, cluster: str) -> str:
    return str(plane.simulator.kubeconfig(cluster))


async def join(plane: ControlPlane, cluster: str) -> None:
    index = CLUSTERS.index(cluster) + 1
    out = await succeeds(
        plane,
        "join",
        cluster,
        "--cluster-kubeconfig",
        kubeconfig(plane, cluster),
        "--cluster-region",
        f"region-{index}",
        "--cluster-zones",
        f"zone-{index}a,zone-{index}b",
        "--cluster-labels",
        f"tier=t{index},cli=yes",
    )
    assert out == f"cluster({cluster}) is joined successfully\n"


async def wait_ready(plane: ControlPlane, *clusters: str) -> None:
    async def ready() -> bool:
        found = [await plane.client.get(CLUSTER, name) for name in clusters]
        return all(is_true(list(c.status.conditions), "Ready") for c in found)

    await eventually(ready, timeout=60, what=f"{clusters} to be Ready")


async def new_namespace(plane: ControlPlane) -> str:
    name = f"ctl-{uuid.uuid4().hex[:6]}"
    await plane.client.create(NAMESPACE.new(name=name))
    return name


def workload(
    namespace: str, name: str, replicas: int, clusters: tuple[str, ...], *, failover: bool = False
) -> str:
    """A Deployment and a Divided PropagationPolicy (equal weights), as a user writes them."""
    text = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: {{cpu: 10m, memory: 16Mi}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: {name}
  namespace: {namespace}
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: {name}
  placement:
    clusterAffinity:
      clusterNames: [{", ".join(clusters)}]
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
"""
    if failover:
        text += "  failover:\n    cluster:\n      purgeMode: Directly\n"
    return text


async def apply(plane: ControlPlane, text: str) -> None:
    path = plane.directory / f"apply-{uuid.uuid4().hex[:8]}.yaml"
    path.write_text(text)
    await succeeds(plane, "apply", "-f", str(path))


async def replicas(plane: ControlPlane, namespace: str, name: str) -> dict[str, int]:
    """spec.replicas of the Deployment in each member that has it."""
    found: dict[str, int] = {}
    for cluster in CLUSTERS:
        member = await plane.member(cluster)
        try:
            obj = await member.get("apps/v1", "Deployment", name, namespace=namespace)
        except NotFound:
            continue
        found[cluster] = obj["spec"]["replicas"]
    return found


async def wait_replicas(
    plane: ControlPlane, namespace: str, name: str, expected: dict[str, int]
) -> None:
    async def probe() -> bool:
        return await replicas(plane, namespace, name) == expected

    await eventually(probe, timeout=60, what=f"{namespace}/{name} replicas {expected}")


async def scheduled(plane: ControlPlane, namespace: str, name: str) -> dict[str, int]:
    binding = await plane.client.get(RESOURCE_BINDING, f"{name}-deployment", namespace)
    return {target.name: target.replicas for target in binding.spec.clusters}


async def taints(plane: ControlPlane, cluster: str) -> list[str]:
    found = await plane.client.get(CLUSTER, cluster)
    return [
        f"{t.key}={t.value}:{t.effect}" if t.value else f"{t.key}:{t.effect}"
        for t in found.spec.taints
    ]


def legacy_deployment(name: str, replicas: int) -> k8s.V1Deployment:
    """A Deployment the member's own users created, outside Karmada."""
    labels = {"app": name}
    return k8s.V1Deployment(
        metadata=k8s.V1ObjectMeta(name=name, labels=labels),
        spec=k8s.V1DeploymentSpec(
            replicas=replicas,
            selector=k8s.V1LabelSelector(match_labels=labels),
            template=k8s.V1PodTemplateSpec(
                metadata=k8s.V1ObjectMeta(labels=labels),
                spec=k8s.V1PodSpec(containers=[k8s.V1Container(name="web", image="nginx:1.27")]),
            ),
        ),
    )


async def synced_namespace(plane: ControlPlane, cluster: str) -> str:
    """A new namespace, once the control plane has propagated it to `cluster`."""
    ns = await new_namespace(plane)
    member = await plane.member(cluster)

    async def there() -> bool:
        try:
            await member.get("v1", "Namespace", ns)
        except NotFound:
            return False
        return True

    await eventually(there, timeout=60, what=f"namespace {ns} in {cluster}")
    return ns
