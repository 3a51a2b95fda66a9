"""apply / get / describe / wait / delete driven as a user would, against the whole control plane.

One control plane per module (apiserver, scheduler, controller manager and
two simulated members in different regions, joined in push mode); each test
works in its own namespace. Every command is the real `python -m karmadactl`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from karmada.machinery.conditions import is_true
from karmada.machinery.scheme import CLUSTER
from karmada.registration import join_push
from tests.integration.karmadactl.crud_support import Result, finish, karmadactl, start
from tests.support.plane import ControlPlane
from tests.support.waiting import eventually

CLUSTERS = ("member1", "member2")
FAST = (
    "--cluster-status-update-frequency=1",
    "--cluster-success-threshold=1",
    "--cluster-monitor-period=0.5",
)

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {ns}
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
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
  name: web
  namespace: {ns}
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: web
  placement:
    clusterAffinity:
      clusterNames: [member1, member2]
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
          - targetCluster: {{clusterNames: [member1]}}
            weight: 1
          - targetCluster: {{clusterNames: [member2]}}
            weight: 2
---
apiVersion: policy.karmada.io/v1alpha1
kind: OverridePolicy
metadata:
  name: web
  namespace: {ns}
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: web
  overrideRules:
    - targetCluster: {{clusterNames: [member2]}}
      overriders:
        imageOverrider:
          - component: Tag
            operator: replace
            value: 1.27-alpine
---
apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
"""


@pytest.fixture(scope="module")
async def plane(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ControlPlane]:
    started = ControlPlane(
        tmp_path_factory.mktemp("ctl-crud"),
        clusters=",".join(CLUSTERS),
        manager_args=FAST,
        simulator_args=("--pod-ready-delay=0.2",),
    )
    await started.start()
    try:
        for index, name in enumerate(CLUSTERS):
            await started.join(name, region=f"region-{index + 1}", provider="sim")

        async def ready() -> bool:
            clusters = [await started.client.get(CLUSTER, name) for name in CLUSTERS]
            return all(is_true(list(c.status.conditions), "Ready") for c in clusters)

        await eventually(ready, timeout=60, what="the members to be Ready")
        yield started
    finally:
        await started.stop()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


class Cli:
    """karmadactl against the module's control plane."""

    def __init__(self, plane: ControlPlane, home: Path) -> None:
        assert plane.apiserver is not None
        self.server = plane.apiserver.address
        self.home = home

    async def __call__(self, *args: str, stdin: str | None = None) -> Result:
        return await karmadactl(self.server, self.home, *args, stdin=stdin)

    async def ok(self, *args: str, stdin: str | None = None) -> Result:
        result = await self(*args, stdin=stdin)
        assert result.code == 0, result
        return result


@pytest.fixture
def cli(plane: ControlPlane, home: Path) -> Cli:
    return Cli(plane, home)


def table(result: Result) -> list[list[str]]:
    return [line.split() for line in result.lines]


async def deployed(cli: Cli, tmp_path: Path) -> tuple[str, Path]:
    """Applies the app in a fresh namespace and waits until it is fully applied."""
    ns = f"ctl-{uuid.uuid4().hex[:6]}"
    path = tmp_path / "app.yaml"
    path.write_text(APP.format(ns=ns))
    first = await cli.ok("apply", "-f", str(path))
    assert first.lines == [
        f"namespace/{ns} created",
        "deployment.apps/web created",
        "propagationpolicy.policy.karmada.io/web created",
        "overridepolicy.policy.karmada.io/web created",
    ]
    waited = await cli.ok(
        "-n", ns, "wait", "rb", "web-deployment", "--for=condition=FullyApplied", "--timeout=60s"
    )
    assert waited.lines == ["resourcebinding.work.karmada.io/web-deployment condition met"]
    return ns, path


async def test_get_clusters(cli: Cli) -> None:
    rows = table(await cli.ok("get", "clusters"))
    assert rows[0] == ["NAME", "VERSION", "MODE", "READY", "AGE"]
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
        ("member1", "Push", "True"),
        ("member2", "Push", "True"),
    ]
    wide = table(await cli.ok("get", "clusters", "-o", "wide"))
    assert wide[0][5:] == ["ZONES", "REGION", "PROVIDER", "API-ENDPOINT", "TAINTS"]
    assert wide[1][6:8] == ["region-1", "sim"]


async def test_apply_is_idempotent_and_lands_where_the_policy_says(
    cli: Cli, tmp_path: Path
) -> None:
    ns, path = await deployed(cli, tmp_path)
    again = await cli.ok("apply", "-f", str(path))
    assert [line.split()[-1] for line in again.lines] == ["unchanged"] * 4

    rows = table(await cli.ok("-n", ns, "get", "rb"))
    assert rows == [
        ["NAME", "SCHEDULED", "FULLYAPPLIED", "AGE"],
        ["web-deployment", "member1:1,member2:2", "True", rows[1][3]],
    ]

    async def deployment_ready() -> list[list[str]] | None:
        found = table(await cli.ok("-n", ns, "get", "deploy"))
        return found if found[1][1] == "3/3" else None

    rows = await eventually(deployment_ready, timeout=60, what="the template's status")
    assert rows[0] == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert rows[1][:4] == ["web", "3/3", "3", "3"]

    several = table(await cli.ok("-n", ns, "get", "pp,op"))
    assert [r[0] for r in several if r] == [
        "NAME",
        "propagationpolicy.policy.karmada.io/web",
        "NAME",
        "overridepolicy.policy.karmada.io/web",
    ]

    works = table(await cli.ok("get", "works"))
    assert works[0] == ["NAME", "CLUSTER", "APPLIED", "AGE"]
    mine = [r for r in works[1:] if r[0].startswith("web-")]
    assert sorted((r[1], r[2]) for r in mine) == [("member1", "True"), ("member2", "True")]


async def test_members_scope_shows_the_members_copies(cli: Cli, tmp_path: Path) -> None:
    ns, _ = await deployed(cli, tmp_path)

    async def landed() -> list[list[str]] | None:
        found = table(
            await cli.ok("-n", ns, "get", "deploy", "--operation-scope", "members", "-o", "wide")
        )
        return found if len(found) == 3 else None

    rows = await eventually(landed, timeout=60, what="the members' copies")
    assert rows[0] == [
        "NAME",
        "CLUSTER",
        "READY",
        "UP-TO-DATE",
        "AVAILABLE",
        "AGE",
        "CONTAINERS",
        "IMAGES",
        "SELECTOR",
        "ADOPTION",
    ]
    copies = {r[1]: (r[7], r[9]) for r in rows[1:]}
    assert copies == {"member1": ("nginx:1.27", "Y"), "member2": ("nginx:1.27-alpine", "Y")}

    both = table(await cli.ok("-n", ns, "get", "deploy", "web", "--operation-scope", "all"))
    assert [r[1] for r in both[1:]] == ["Karmada", "member1", "member2"]
    only = table(
        await cli.ok("-n", ns, "get", "deploy", "--operation-scope=members", "--clusters=member2")
    )
    assert [r[1] for r in only[1:]] == ["member2"]


async def test_yaml_and_json_round_trip_unchanged(cli: Cli, tmp_path: Path) -> None:
    ns, _ = await deployed(cli, tmp_path)
    as_yaml = await cli.ok("-n", ns, "get", "deploy", "web", "-o", "yaml")
    manifest = yaml.safe_load(as_yaml.stdout)
    assert (manifest["kind"], manifest["spec"]["replicas"]) == ("Deployment", 3)
    reapplied = await cli.ok("apply", "-f", "-", stdin=as_yaml.stdout)
    assert reapplied.lines == ["deployment.apps/web unchanged"]

    as_json = await cli.ok("-n", ns, "get", "pp", "-o", "json")
    listed = json.loads(as_json.stdout)
    assert listed["kind"] == "List"
    assert [i["metadata"]["name"] for i in listed["items"]] == ["web"]
    reapplied = await cli.ok("apply", "-f", "-", stdin=as_json.stdout)
    assert reapplied.lines == ["propagationpolicy.policy.karmada.io/web unchanged"]

    binding = await cli.ok("-n", ns, "get", "rb", "web-deployment", "-o", "yaml")
    assert yaml.safe_load(binding.stdout)["spec"]["clusters"] == [
        {"name": "member1", "replicas": 1},
        {"name": "member2", "replicas": 2},
    ]
    reapplied = await cli.ok("apply", "-f", "-", stdin=binding.stdout)
    assert reapplied.lines == ["resourcebinding.work.karmada.io/web-deployment unchanged"]


async def test_describe_says_where_it_landed(cli: Cli, tmp_path: Path) -> None:
    ns, _ = await deployed(cli, tmp_path)
    text = (await cli.ok("-n", ns, "describe", "deployment", "web")).stdout
    lines = [line.split() for line in text.splitlines()]
    assert ["Name:", "web"] in lines
    assert ["Policy:", "PropagationPolicy", f"{ns}/web"] in lines
    assert ["Binding:", "ResourceBinding", "web-deployment"] in lines
    placement = [line[:3] for line in lines if line and line[0] in CLUSTERS and len(line) > 4]
    assert ["member1", "1", "True"] in placement
    assert ["member2", "2", "True"] in placement
    assert any(line[:2] == ["Normal", "Success"] for line in lines)  # Scheduled, in Events

    policy = (await cli.ok("-n", ns, "describe", "pp", "web")).stdout
    assert "Claimed Resources:" in policy
    assert any(line.split() == ["Deployment", ns, "web"] for line in policy.splitlines())

    cluster = (await cli.ok("describe", "cluster", "member1")).stdout
    for expected in ("Mode:", "API Endpoint:", "Region:", "Conditions:", "Events:"):
        assert expected in cluster
    assert any(line.split()[:2] == ["Ready", "True"] for line in cluster.splitlines())


async def test_delete_waits_and_wait_sees_the_deletion(cli: Cli, tmp_path: Path) -> None:
    ns, path = await deployed(cli, tmp_path)
    waiter = await start(
        cli.server, cli.home, "-n", ns, "wait", "deployment", "web", "--for=delete", "--timeout=60s"
    )
    deleted = await cli.ok("delete", "-f", str(path), "--timeout=60s")
    assert deleted.lines == [
        "deployment.apps/web deleted",
        "propagationpolicy.policy.karmada.io/web deleted",
        "overridepolicy.policy.karmada.io/web deleted",
        f"namespace/{ns} deleted",
    ]
    result = await finish(waiter)
    assert (result.code, result.lines) == (0, ["deployment.apps/web condition met"])
    gone = await cli("-n", ns, "get", "rb", "web-deployment")
    assert gone.code == 1
    assert gone.errors == ['error: resourcebindings.work.karmada.io "web-deployment" not found']


async def test_an_unreachable_member_is_a_warning(
    plane: ControlPlane, cli: Cli, tmp_path: Path
) -> None:
    ns, _ = await deployed(cli, tmp_path)
    unreachable = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "ghost", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "ghost", "user": {"token": "t"}}],
        "contexts": [{"name": "ghost", "context": {"cluster": "ghost", "user": "ghost"}}],
        "current-context": "ghost",
    }
    await join_push(plane.client, "ghost", unreachable)
    try:
        result = await cli.ok("-n", ns, "get", "deploy", "--operation-scope", "all")
        assert [r[1] for r in table(result)[1:]] == ["Karmada", "member1", "member2"]
        (warning,) = result.errors
        assert warning.startswith("warning: cannot reach cluster ghost: "), warning
    finally:
        deleted = await cli.ok("delete", "cluster", "ghost", "--timeout=60s")
    assert deleted.lines == ["cluster.cluster.karmada.io/ghost deleted"]
