"""Every sample in samples/ applied with karmadactl to a real control plane; each lands as
samples/README.md says.

The members are the ones `make run` simulates (hack/members.yaml: three regions, three
sizes), joined with their region, zones and provider. Samples share the plane and the
`default` namespace, as they would on a user's; their names do not overlap. Failover
goes last: it takes member2 away for a while.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from karmada.machinery.conditions import is_true
from karmada.machinery.scheme import CLUSTER, RESOURCE_BINDING, template_kind
from karmada.machinery.structs import to_dict
from karmada.member import NotFound
from karmadactl.objects import from_manifest, load_paths
from membersim.options import clusters_from_config
from tests.support.membersim import SimulatorProcess
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
MEMBERS_FILE = ROOT / "hack" / "members.yaml"
MEMBERS = clusters_from_config(MEMBERS_FILE.read_text())
CLUSTERS = tuple(m.name for m in MEMBERS)
TESTED = ("nginx", "duplicated", "cluster-scoped", "spread", "dynamic-weight", "failover")
FAST = (
    "--cluster-status-update-frequency=1",
    "--cluster-success-threshold=1",
    "--cluster-failure-threshold=2",
    "--cluster-monitor-period=0.5",
    "--graceful-eviction-timeout=60",
)
DEPLOYMENT = template_kind("apps/v1", "Deployment")

pytestmark = pytest.mark.timeout(240)


def test_every_sample_is_tested_and_loads() -> None:
    assert sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()) == sorted(TESTED)
    for name in TESTED:
        documents = load_paths([str(SAMPLES / name)])
        assert documents, name
        for document in documents:
            assert document.manifest["apiVersion"] != "", document.where
            from_manifest(document)  # raises on an unknown field


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    directory = tmp_path_factory.mktemp("samples")
    started = ControlPlane(directory, manager_args=FAST)
    started.simulator = SimulatorProcess(
        directory / "members",
        clusters="",
        extra_args=(f"--config={MEMBERS_FILE}", "--pod-ready-delay=0.2"),
        expected=len(MEMBERS),
    )
    await started.start()
    try:
        for member in MEMBERS:
            await started.join(
                member.name, region=member.region, zones=member.zones, provider=member.provider
            )

        async def ready() -> bool:
            clusters = [await started.client.get(CLUSTER, name) for name in CLUSTERS]
            return all(
                is_true(list(c.status.conditions), "Ready")
                and c.status.resource_summary.allocatable
                for c in clusters
            )

        await eventually(ready, timeout=60, what="the members to be Ready with capacity")
        yield started
    finally:
        await started.stop()


async def karmadactl(plane: ControlPlane, *args: str) -> list[str]:
    """Runs the real CLI against the plane (never a developer's ~/.karmada); its stdout lines."""
    assert plane.apiserver is not None
    home = plane.directory / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KARMADA", "KARMADACTL"))}
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "karmadactl", f"--server={plane.apiserver.address}", *args),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**env, "HOME": str(home)},
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode == 0, f"karmadactl {' '.join(args)}: {err.decode()}"
    return out.decode().splitlines()


async def apply(plane: ControlPlane, sample: str) -> list[str]:
    return await karmadactl(plane, "apply", "-f", str(SAMPLES / sample))


async def member_object(
    plane: ControlPlane, cluster: str, what: tuple[str, str, str], namespace: str = ""
) -> dict[str, Any] | None:
    """The object (apiVersion, kind, name) in `cluster`, or None."""
    api_version, kind, name = what
    try:
        return await (await plane.member(cluster)).get(api_version, kind, name, namespace=namespace)
    except NotFound:
        return None


async def placed(plane: ControlPlane, name: str) -> dict[str, int]:
    """spec.replicas of Deployment default/`name` in each member that has it."""
    found = {}
    for cluster in CLUSTERS:
        obj = await member_object(plane, cluster, ("apps/v1", "Deployment", name), "default")
        if obj is not None:
            found[cluster] = int(obj["spec"]["replicas"])
    return found


async def wait_placed(plane: ControlPlane, name: str, expected: dict[str, int]) -> None:
    async def probe() -> bool:
        return await placed(plane, name) == expected

    await eventually(probe, timeout=90, what=f"{name} placed as {expected}")


async def wait_everywhere(
    plane: ControlPlane, clusters: tuple[str, ...], what: tuple[str, str, str], ns: str = ""
) -> None:
    async def probe() -> bool:
        for cluster in clusters:
            if await member_object(plane, cluster, what, ns) is None:
                return False
        return True

    await eventually(probe, timeout=90, what=f"{what[1]} {what[2]} in {', '.join(clusters)}")


async def test_nginx_weighted_with_override_and_dependency(plane: ControlPlane) -> None:
    lines = await apply(plane, "nginx")
    assert len(lines) == 4 and all(line.endswith(" created") for line in lines), lines
    await wait_placed(plane, "nginx", {"member1": 1, "member2": 2, "member3": 3})
    images = {}
    for cluster in CLUSTERS:
        obj = await member_object(plane, cluster, ("apps/v1", "Deployment", "nginx"), "default")
        assert obj is not None
        images[cluster] = obj["spec"]["template"]["spec"]["containers"][0]["image"]
    assert images == {
        "member1": "nginx:1.27",
        "member2": "nginx:1.27",
        "member3": "mirror.ap-south.example.com/nginx:1.27",
    }
    await wait_everywhere(plane, CLUSTERS, ("v1", "ConfigMap", "nginx-config"), "default")

    async def ready() -> bool:
        status = to_dict((await plane.client.get(DEPLOYMENT, "nginx", "default")).status)
        return bool(status.get("readyReplicas") == 6)

    await eventually(ready, timeout=90, what="6 ready replicas in the template's status")


async def test_duplicated_configmap_and_service_everywhere(plane: ControlPlane) -> None:
    await apply(plane, "duplicated")
    await wait_everywhere(plane, CLUSTERS, ("v1", "ConfigMap", "app-settings"), "default")
    await wait_everywhere(plane, CLUSTERS, ("v1", "Service", "web"), "default")


async def test_cluster_scoped_crd_in_member1_and_member2_only(plane: ControlPlane) -> None:
    await apply(plane, "cluster-scoped")
    crd = ("apiextensions.k8s.io/v1", "CustomResourceDefinition", "guestbooks.webapp.my.domain")
    await wait_everywhere(plane, ("member1", "member2"), crd)
    assert await member_object(plane, "member3", crd) is None


async def test_spread_over_exactly_two_regions(plane: ControlPlane) -> None:
    await apply(plane, "spread")

    async def two_clusters() -> dict[str, int] | None:
        found = await placed(plane, "spread-web")
        return found if len(found) == 2 and sum(found.values()) == 4 else None

    found = await eventually(two_clusters, timeout=90, what="spread-web in two clusters")
    regions = {m.name: m.region for m in MEMBERS}
    assert len({regions[c] for c in found}) == 2, found
    binding = await plane.client.get(RESOURCE_BINDING, "spread-web-deployment", "default")
    assert {t.name: t.replicas for t in binding.spec.clusters} == found


async def test_dynamic_weight_follows_free_capacity(plane: ControlPlane) -> None:
    await apply(plane, "dynamic-weight")

    async def all_twelve() -> dict[str, int] | None:
        found = await placed(plane, "dynamic-web")
        return found if len(found) == 3 and sum(found.values()) == 12 else None

    found = await eventually(all_twelve, timeout=90, what="dynamic-web's 12 replicas placed")
    assert found["member1"] > found["member2"] > found["member3"] >= 1, found


async def test_failover_moves_replicas_off_an_unreachable_member(plane: ControlPlane) -> None:
    await apply(plane, "failover")
    await wait_placed(plane, "failover-web", {"member1": 2, "member2": 2})
    plane.simulator.faults("member2", "POST", {"unreachable": True})
    try:

        async def moved() -> bool:
            binding = await plane.client.get(RESOURCE_BINDING, "failover-web-deployment", "default")
            return {t.name: t.replicas for t in binding.spec.clusters} == {"member1": 4}

        await eventually(moved, timeout=90, what="failover-web to leave the unreachable member2")
        member1 = await plane.member("member1")

        async def four_in_member1() -> bool:
            obj = await member1.get("apps/v1", "Deployment", "failover-web", namespace="default")
            return bool(obj["spec"]["replicas"] == 4)

        await eventually(four_in_member1, timeout=60, what="4 replicas in member1")
    finally:
        plane.simulator.faults("member2", "DELETE")


async def test_applying_every_sample_again_changes_nothing(plane: ControlPlane) -> None:
    for sample in TESTED:
        lines = await apply(plane, sample)
        assert lines and all(line.endswith(" unchanged") for line in lines), (sample, lines)
