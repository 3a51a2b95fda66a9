"""Generation, the status subresource, finalizers and namespace termination."""

# The generated models type every field Optional; these tests read them directly.
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client import ApiException


def deployment(name: str, *, image: str = "nginx:1.25", replicas: int = 2) -> client.V1Deployment:
    labels = {"app": name}
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="main", image=image)]),
            ),
        ),
    )


def test_generation_and_status_subresource(apps: client.AppsV1Api, namespace: str) -> None:
    body = deployment("web")
    body.status = client.V1DeploymentStatus(replicas=99)
    created = apps.create_namespaced_deployment(namespace, body)
    assert created.metadata.generation == 1
    assert created.status is None or created.status.replicas is None  # create resets status
    assert created.spec.strategy.type == "RollingUpdate"  # defaulted
    assert created.spec.template.spec.containers[0].image_pull_policy == "IfNotPresent"

    status = client.V1DeploymentStatus(replicas=2, ready_replicas=1, observed_generation=1)
    created.status = status
    written = apps.replace_namespaced_deployment_status("web", namespace, created)
    assert written.status.ready_replicas == 1
    assert written.metadata.generation == 1  # status writes do not move generation

    # The main resource ignores status; the status subresource ignores spec.
    written.status.ready_replicas = 0
    written.spec.replicas = 5
    updated = apps.replace_namespaced_deployment("web", namespace, written)
    assert updated.spec.replicas == 5
    assert updated.status.ready_replicas == 1
    assert updated.metadata.generation == 2

    patched = apps.patch_namespaced_deployment_status(
        "web", namespace, {"spec": {"replicas": 1}, "status": {"availableReplicas": 2}}
    )
    assert patched.spec.replicas == 5
    assert patched.status.available_replicas == 2
    assert patched.metadata.generation == 2

    # Metadata-only changes leave generation alone.
    labelled = apps.patch_namespaced_deployment(
        "web", namespace, {"metadata": {"labels": {"x": "y"}}}
    )
    assert labelled.metadata.generation == 2
    assert apps.read_namespaced_deployment_status("web", namespace).status.available_replicas == 2


def test_finalizers_hold_deletion(core: client.CoreV1Api, namespace: str) -> None:
    body = client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="held", finalizers=["example.com/hold"])
    )
    core.create_namespaced_config_map(namespace, body)
    core.delete_namespaced_config_map("held", namespace)
    held = core.read_namespaced_config_map("held", namespace)
    assert held.metadata.deletion_timestamp is not None
    with pytest.raises(ApiException) as err:
        core.patch_namespaced_config_map(
            "held", namespace, {"metadata": {"finalizers": ["example.com/hold", "new"]}}
        )
    assert err.value.status == 422
    core.patch_namespaced_config_map("held", namespace, {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException) as err:
        core.read_namespaced_config_map("held", namespace)
    assert err.value.status == 404


def test_delete_preconditions(core: client.CoreV1Api, namespace: str) -> None:
    made = core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="pre"))
    )
    wrong = client.V1DeleteOptions(preconditions=client.V1Preconditions(uid=str(uuid.uuid4())))
    with pytest.raises(ApiException) as err:
        core.delete_namespaced_config_map("pre", namespace, body=wrong)
    assert err.value.status == 409
    right = client.V1DeleteOptions(
        preconditions=client.V1Preconditions(uid=made.metadata.uid), propagation_policy="Foreground"
    )
    status: Any = core.delete_namespaced_config_map("pre", namespace, body=right)
    assert status["status"] == "Success"  # this client version types it as a plain object


def test_namespace_termination(core: client.CoreV1Api) -> None:
    name = f"doomed-{uuid.uuid4().hex[:6]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    core.create_namespaced_config_map(
        name, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="free"))
    )
    core.create_namespaced_config_map(
        name,
        client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="held", finalizers=["example.com/hold"])
        ),
    )
    core.delete_namespace(name)
    terminating = core.read_namespace(name)
    assert terminating.status.phase == "Terminating"
    assert [c.metadata.name for c in core.list_namespaced_config_map(name).items] == ["held"]
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map(
            name, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="late"))
        )
    assert err.value.status == 403
    core.patch_namespaced_config_map("held", name, {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException) as err:
        core.read_namespace(name)
    assert err.value.status == 404

    with pytest.raises(ApiException) as err:
        core.delete_namespace("default")
    assert err.value.status == 403
    assert json.loads(err.value.body or "{}")["reason"] == "Forbidden"
