"""Simulated cluster behaviour: ClusterIPs, workloads, scheduling, pods that answer, slices."""

# The generated models type every field Optional; these tests read them directly.
# mypy: disable-error-code="union-attr, index, arg-type, operator, type-var, misc"

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from kubernetes import client
from kubernetes.client import ApiException

T = TypeVar("T")


def eventually(check: Callable[[], T | None], *, timeout: float = 15.0) -> T:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.05)


def container(port: int | None = None, **requests: str) -> client.V1Container:
    return client.V1Container(
        name="main",
        image="nginx",
        ports=[client.V1ContainerPort(container_port=port, name="http")] if port else None,
        resources=client.V1ResourceRequirements(requests=requests) if requests else None,
    )


def template(app: str, **kwargs: Any) -> client.V1PodTemplateSpec:
    return client.V1PodTemplateSpec(
        metadata=client.V1ObjectMeta(labels={"app": app}),
        spec=client.V1PodSpec(containers=[container(**kwargs)]),
    )


def deployment(name: str, replicas: int = 2, **kwargs: Any) -> client.V1Deployment:
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels={"app": name}),
            template=template(name, **kwargs),
        ),
    )


def pods_of(core: client.CoreV1Api, namespace: str, app: str) -> list[client.V1Pod]:
    items: list[client.V1Pod] = core.list_namespaced_pod(
        namespace, label_selector=f"app={app}"
    ).items
    return [p for p in items if p.metadata.deletion_timestamp is None]


def get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def test_service_cluster_ips(core: client.CoreV1Api, namespace: str) -> None:
    def service(name: str, cluster_ip: str | None = None) -> client.V1Service:
        return client.V1Service(
            metadata=client.V1ObjectMeta(name=name),
            spec=client.V1ServiceSpec(
                cluster_ip=cluster_ip,
                selector={"app": name},
                ports=[client.V1ServicePort(port=80, target_port=8080)],
            ),
        )

    first = core.create_namespaced_service(namespace, service("one"))
    second = core.create_namespaced_service(namespace, service("two"))
    ips = {first.spec.cluster_ip, second.spec.cluster_ip}
    assert len(ips) == 2
    assert all(ip.startswith("10.96.") for ip in ips)
    assert first.spec.cluster_ips == [first.spec.cluster_ip]
    headless = core.create_namespaced_service(namespace, service("none", "None"))
    assert headless.spec.cluster_ip == "None"

    # Kept on update, even when the body leaves it out.
    body = core.read_namespaced_service("one", namespace)
    body.spec.cluster_ip = None
    body.spec.cluster_ips = None
    body.metadata.labels = {"x": "y"}
    assert (
        core.replace_namespaced_service("one", namespace, body).spec.cluster_ip
        == first.spec.cluster_ip
    )

    # A taken address is refused; a deleted Service's address is free again.
    with pytest.raises(ApiException) as err:
        core.create_namespaced_service(namespace, service("three", second.spec.cluster_ip))
    assert err.value.status == 422
    core.delete_namespaced_service("two", namespace)
    again = core.create_namespaced_service(namespace, service("three", second.spec.cluster_ip))
    assert again.spec.cluster_ip == second.spec.cluster_ip


def test_default_service_account(core: client.CoreV1Api, namespace: str) -> None:
    account = eventually(
        lambda: next(iter(core.list_namespaced_service_account(namespace).items), None)
    )
    assert account.metadata.name == "default"


def test_deployment_rollout_scale_and_garbage_collection(
    core: client.CoreV1Api, apps: client.AppsV1Api, namespace: str
) -> None:
    apps.create_namespaced_deployment(namespace, deployment("web", replicas=3))

    def available() -> client.V1Deployment | None:
        d = apps.read_namespaced_deployment("web", namespace)
        return d if d.status and d.status.available_replicas == 3 else None

    status = eventually(available).status
    assert status.ready_replicas == 3 and status.updated_replicas == 3 and status.replicas == 3
    assert status.observed_generation == 1
    conditions = {c.type: c for c in status.conditions}
    assert conditions["Available"].status == "True"
    assert conditions["Progressing"].reason == "NewReplicaSetAvailable"
    (rs,) = apps.list_namespaced_replica_set(namespace).items
    pod_hash = rs.metadata.labels["pod-template-hash"]
    assert rs.metadata.name == f"web-{pod_hash}"
    assert rs.metadata.owner_references[0].kind == "Deployment"
    pods = pods_of(core, namespace, "web")
    assert len(pods) == 3
    for pod in pods:
        assert pod.metadata.owner_references[0].name == rs.metadata.name
        assert pod.metadata.labels["pod-template-hash"] == pod_hash
        assert pod.status.phase == "Running"
        assert pod.spec.node_name.startswith("member1-node-")
        assert pod.status.pod_ip.startswith("127.") and pod.status.pod_ip != "127.0.0.1"
    assert len({p.status.pod_ip for p in pods}) == 3

    # Scale down, through the scale subresource.
    scale = apps.read_namespaced_deployment_scale("web", namespace)
    assert (scale.spec.replicas, scale.status.replicas, scale.status.selector) == (3, 3, "app=web")
    apps.patch_namespaced_deployment_scale("web", namespace, {"spec": {"replicas": 1}})
    eventually(lambda: len(pods_of(core, namespace, "web")) == 1)

    # A template change rolls out through a new ReplicaSet; the old one goes to 0.
    apps.patch_namespaced_deployment(
        "web", namespace, {"spec": {"template": {"metadata": {"labels": {"v": "2"}}}}}
    )

    def rolled() -> bool:
        d = apps.read_namespaced_deployment("web", namespace)
        sets = apps.list_namespaced_replica_set(namespace).items
        return (
            d.status.observed_generation == d.metadata.generation
            and d.status.updated_replicas == 1
            and d.status.available_replicas == 1
            and len(sets) == 2
            and sorted(s.spec.replicas for s in sets) == [0, 1]
        )

    eventually(rolled)
    eventually(
        lambda: [p.metadata.labels.get("v") for p in pods_of(core, namespace, "web")] == ["2"]
    )

    # Deleting the Deployment takes its ReplicaSets and pods with it.
    apps.delete_namespaced_deployment("web", namespace)
    eventually(lambda: not apps.list_namespaced_replica_set(namespace).items)
    eventually(lambda: not core.list_namespaced_pod(namespace).items)


def test_statefulset_daemonset_and_job(
    member1: client.ApiClient, core: client.CoreV1Api, apps: client.AppsV1Api, namespace: str
) -> None:
    apps.create_namespaced_stateful_set(
        namespace,
        client.V1StatefulSet(
            metadata=client.V1ObjectMeta(name="db"),
            spec=client.V1StatefulSetSpec(
                replicas=3,
                service_name="db",
                selector=client.V1LabelSelector(match_labels={"app": "db"}),
                template=template("db"),
            ),
        ),
    )
    apps.create_namespaced_daemon_set(
        namespace,
        client.V1DaemonSet(
            metadata=client.V1ObjectMeta(name="agent"),
            spec=client.V1DaemonSetSpec(
                selector=client.V1LabelSelector(match_labels={"app": "agent"}),
                template=template("agent"),
            ),
        ),
    )
    batch = client.BatchV1Api(member1)
    job_template = template("job")
    job_template.spec.restart_policy = "Never"
    batch.create_namespaced_job(
        namespace,
        client.V1Job(
            metadata=client.V1ObjectMeta(name="once"),
            spec=client.V1JobSpec(completions=2, parallelism=1, template=job_template),
        ),
    )
    eventually(
        lambda: apps.read_namespaced_stateful_set("db", namespace).status.ready_replicas == 3
    )
    names = sorted(p.metadata.name for p in pods_of(core, namespace, "db"))
    assert names == ["db-0", "db-1", "db-2"]
    eventually(lambda: apps.read_namespaced_daemon_set("agent", namespace).status.number_ready == 3)
    nodes = sorted(p.spec.node_name for p in pods_of(core, namespace, "agent"))
    assert nodes == ["member1-node-1", "member1-node-2", "member1-node-3"]

    def complete() -> bool:
        status = batch.read_namespaced_job("once", namespace).status
        return bool(
            status.succeeded == 2 and any(c.type == "Complete" for c in status.conditions or ())
        )

    eventually(complete)

    apps.patch_namespaced_stateful_set_scale("db", namespace, {"spec": {"replicas": 1}})
    eventually(lambda: [p.metadata.name for p in pods_of(core, namespace, "db")] == ["db-0"])


def test_unschedulable_pods_stay_pending(
    core: client.CoreV1Api, apps: client.AppsV1Api, namespace: str
) -> None:
    # Each node has 8 CPUs: three pods of 5 fit (one per node), the fourth does not.
    apps.create_namespaced_deployment(namespace, deployment("big", replicas=4, cpu="5"))

    def settled() -> list[client.V1Pod] | None:
        pods = pods_of(core, namespace, "big")
        pending = [p for p in pods if p.status.phase == "Pending" and p.status.conditions]
        running = [p for p in pods if p.status.phase == "Running"]
        return pending if len(pending) == 1 and len(running) == 3 else None

    (pending,) = eventually(settled)
    (scheduled,) = pending.status.conditions
    assert (scheduled.type, scheduled.status, scheduled.reason) == (
        "PodScheduled",
        "False",
        "Unschedulable",
    )
    assert "Insufficient cpu" in scheduled.message
    assert pending.spec.node_name is None
    status = apps.read_namespaced_deployment("big", namespace).status
    assert status.available_replicas == 3
    # The default maxUnavailable (25% of 4 = 1) still counts 3 of 4 as available.
    assert {c.type: c.status for c in status.conditions}["Available"] == "True"
    assert status.unavailable_replicas == 1

    # Room frees up: the pending pod gets scheduled.
    apps.patch_namespaced_deployment("big", namespace, {"spec": {"replicas": 3}})
    eventually(lambda: [p.status.phase for p in pods_of(core, namespace, "big")] == ["Running"] * 3)


def test_endpoint_slice_reaches_the_pod(
    member1: client.ApiClient, core: client.CoreV1Api, apps: client.AppsV1Api, namespace: str
) -> None:
    apps.create_namespaced_deployment(namespace, deployment("echo", replicas=2, port=8080))
    core.create_namespaced_service(
        namespace,
        client.V1Service(
            metadata=client.V1ObjectMeta(name="echo"),
            spec=client.V1ServiceSpec(
                selector={"app": "echo"},
                ports=[client.V1ServicePort(name="web", port=80, target_port="http")],
            ),
        ),
    )
    discovery = client.DiscoveryV1Api(member1)

    def ready_slice() -> client.V1EndpointSlice | None:
        slices = discovery.list_namespaced_endpoint_slice(
            namespace, label_selector="kubernetes.io/service-name=echo"
        ).items
        if len(slices) != 1:
            return None
        endpoints = slices[0].endpoints or []
        ready = [e for e in endpoints if e.conditions.ready]
        return slices[0] if len(ready) == 2 else None

    endpoint_slice = eventually(ready_slice)
    assert endpoint_slice.address_type == "IPv4"
    assert [(p.name, p.port) for p in endpoint_slice.ports] == [("web", 8080)]
    assert endpoint_slice.metadata.owner_references[0].kind == "Service"
    pods = {p.metadata.name for p in pods_of(core, namespace, "echo")}
    for endpoint in endpoint_slice.endpoints:
        (address,) = endpoint.addresses
        answer = get(f"http://{address}:8080/")
        assert answer["cluster"] == "member1"
        assert answer["namespace"] == namespace
        assert answer["pod"] == endpoint.target_ref.name
        assert answer["pod"] in pods
        assert answer["podIP"] == address

    # Scaled to zero: the slice empties and the listeners stop.
    addresses = [e.addresses[0] for e in endpoint_slice.endpoints]
    apps.patch_namespaced_deployment("echo", namespace, {"spec": {"replicas": 0}})
    eventually(
        lambda: not discovery.read_namespaced_endpoint_slice("echo-membersim", namespace).endpoints
    )

    def refused() -> bool:
        try:
            get(f"http://{addresses[0]}:8080/")
        except OSError:
            return True
        return False

    eventually(refused)
