"""The apiserver as a process: grpcurl, reflection, health, metrics, auth, TLS, shutdown."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from apiserver.storage.embedded import EmbeddedEtcd, free_port
from karmada.machinery.client import Client
from karmada.machinery.errors import Unauthenticated
from karmada.machinery.scheme import CLUSTER, NAMESPACE
from tests.support.processes import ROOT, ApiServerProcess, wait_serving

GRPCURL = str(Path(sys.executable).parent / "grpcurl")


async def grpcurl(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        GRPCURL, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    return out.decode()


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as err:
        return int(err.code), err.read().decode()


async def test_grpcurl_lists_and_describes_services(apiserver: ApiServerProcess) -> None:
    services = (await grpcurl("-plaintext", apiserver.address, "list")).split()
    for expected in (
        "karmada.cluster.v1alpha1.ClusterService",
        "karmada.policy.v1alpha1.PropagationPolicyService",
        "karmada.work.v1alpha2.ResourceBindingService",
        "karmada.core.v1.ResourceTemplateService",
        "grpc.health.v1.Health",
    ):
        assert expected in services
    description = await grpcurl(
        "-plaintext", apiserver.address, "describe", "karmada.cluster.v1alpha1.ClusterService"
    )
    assert "rpc WatchClusters" in description
    assert "stream .karmada.cluster.v1alpha1.WatchClustersResponse" in description


async def test_grpcurl_create_and_get_with_karmada_json(
    apiserver: ApiServerProcess, unique: str
) -> None:
    name = f"curl-{unique}"
    request = {
        "cluster": {
            "apiVersion": "cluster.karmada.io/v1alpha1",
            "kind": "Cluster",
            "metadata": {"name": name, "labels": {"env": "demo"}},
            "spec": {"syncMode": "Push", "apiEndpoint": "https://10.0.0.1:6443", "region": "eu"},
        }
    }
    created = json.loads(
        await grpcurl(
            "-plaintext",
            "-d",
            json.dumps(request),
            apiserver.address,
            "karmada.cluster.v1alpha1.ClusterService/CreateCluster",
        )
    )
    assert created["metadata"]["generation"] == "1"
    fetched = json.loads(
        await grpcurl(
            "-plaintext",
            "-d",
            json.dumps({"name": name}),
            apiserver.address,
            "karmada.cluster.v1alpha1.ClusterService/GetCluster",
        )
    )
    # grpcurl prints proto field names; it reads the camelCase JSON names too.
    assert fetched["spec"] == {
        "sync_mode": "Push",
        "api_endpoint": "https://10.0.0.1:6443",
        "region": "eu",
    }
    assert fetched["metadata"]["resource_version"] == created["metadata"]["resource_version"]


async def test_grpcurl_health_and_invalid_argument(apiserver: ApiServerProcess) -> None:
    health = json.loads(
        await grpcurl("-plaintext", apiserver.address, "grpc.health.v1.Health/Check")
    )
    assert health == {"status": "SERVING"}
    process = await asyncio.create_subprocess_exec(
        GRPCURL,
        "-plaintext",
        "-d",
        json.dumps({"cluster": {"metadata": {"name": "Bad_Name"}}}),
        apiserver.address,
        "karmada.cluster.v1alpha1.ClusterService/CreateCluster",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    text = out.decode() + err.decode()
    assert process.returncode != 0
    assert "InvalidArgument" in text
    assert "metadata.name" in text and "spec.syncMode" in text


async def test_metrics_health_and_readiness(
    apiserver: ApiServerProcess, client: Client, unique: str
) -> None:
    cluster = CLUSTER.new(name=f"m-{unique}")
    cluster.spec.sync_mode = "Pull"
    await client.create(cluster)
    base = f"http://{apiserver.metrics_address}"
    assert await asyncio.to_thread(http_get, f"{base}/healthz") == (200, "ok\n")
    assert await asyncio.to_thread(http_get, f"{base}/readyz") == (200, "ok\n")
    status, metrics = await asyncio.to_thread(http_get, f"{base}/metrics")
    assert status == 200
    assert (
        'grpc_server_handled_total{grpc_code="OK",grpc_method="CreateCluster",'
        'grpc_service="karmada.cluster.v1alpha1.ClusterService",grpc_type="unary"}' in metrics
    )
    for name in (
        "grpc_server_handling_seconds_bucket",
        "karmada_apiserver_etcd_request_duration_seconds_bucket",
        "karmada_apiserver_registered_watchers",
        "karmada_apiserver_watch_cache_objects",
    ):
        assert name in metrics


async def test_token_authentication(etcd: EmbeddedEtcd, run_dir: Path) -> None:
    tokens = run_dir / "tokens.csv"
    tokens.write_text('s3cret,admin,1,"system:masters"\n')
    server = ApiServerProcess(etcd.endpoint, run_dir, extra_args=(f"--token-auth-file={tokens}",))
    await server.start()
    try:
        async with Client(server.address, retry_timeout=1) as anonymous:
            with pytest.raises(Unauthenticated):
                await anonymous.get(NAMESPACE, "default")
        async with Client(server.address, token="wrong", retry_timeout=1) as wrong:
            with pytest.raises(Unauthenticated):
                await wrong.get(NAMESPACE, "default")
        async with Client(server.address, token="s3cret") as admin:
            assert (await admin.get(NAMESPACE, "default")).metadata.name == "default"
    finally:
        assert server.stop() == 0


async def test_tls(etcd: EmbeddedEtcd, run_dir: Path) -> None:
    cert, key = run_dir / "tls.crt", run_dir / "tls.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = ApiServerProcess(
        etcd.endpoint,
        run_dir,
        port=port,
        extra_args=(f"--tls-cert-file={cert}", f"--tls-private-key-file={key}"),
    )
    assert server.process is None
    with server.log_path.open("ab") as log:
        server.process = subprocess.Popen(
            server.command(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        async with Client(f"localhost:{port}", root_certificates=cert.read_bytes()) as secure:

            async def ready() -> None:
                while True:
                    try:
                        await secure.get(NAMESPACE, "default")
                        return
                    except Exception:
                        await asyncio.sleep(0.1)

            await asyncio.wait_for(ready(), 30)
            assert (await secure.get(NAMESPACE, "default")).metadata.name == "default"
    finally:
        assert server.stop() == 0


async def test_embedded_etcd_persists_and_stops_with_the_apiserver(tmp_path: Path) -> None:
    port, metrics = free_port(), free_port()
    command = [
        sys.executable,
        "-m",
        "apiserver",
        f"--bind-address=127.0.0.1:{port}",
        f"--metrics-bind-address=127.0.0.1:{metrics}",
        f"--data-dir={tmp_path / 'etcd'}",
        "--etcd-unsafe-no-fsync",
        "--shutdown-grace-period=1",
    ]

    output = tmp_path / "apiserver.out"

    async def start() -> subprocess.Popen[bytes]:
        with output.open("wb") as out:
            process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL)
        await wait_serving(f"127.0.0.1:{port}", process=process)
        return process

    process = await start()
    async with Client(f"127.0.0.1:{port}") as client:
        await client.create(NAMESPACE.new(name="kept"))
    process.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(process.wait, 30) == 0
    assert f"serving gRPC on 127.0.0.1:{port}" in output.read_text()
    data_dir = str(tmp_path / "etcd").encode()
    survivors = [
        proc
        for proc in Path("/proc").glob("[0-9]*")
        if data_dir in _cmdline(proc) and b"etcd" in _cmdline(proc)
    ]
    assert not survivors, "embedded etcd outlived the apiserver"

    process = await start()
    try:
        async with Client(f"127.0.0.1:{port}") as client:
            assert (await client.get(NAMESPACE, "kept")).metadata.name == "kept"
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(process.wait, 30) == 0


async def test_client_retries_until_the_apiserver_answers(
    etcd: EmbeddedEtcd, run_dir: Path
) -> None:
    server = ApiServerProcess(etcd.endpoint, run_dir)
    async with Client(server.address, retry_timeout=60) as client:
        pending = asyncio.create_task(client.get(NAMESPACE, "default"))
        done, _ = await asyncio.wait({pending}, timeout=0.5)
        assert not done, "the call should still be retrying: nothing listens yet"
        await server.start()
        try:
            fetched = await asyncio.wait_for(pending, 30)
            assert fetched.metadata.name == "default"
        finally:
            assert server.stop() == 0
