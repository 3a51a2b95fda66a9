"""Generation, the status subresource, finalizers and namespace termination."""

# The generated models type every field Optional; these tests read them directly.
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import datetime
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


def cronjob(name: str) -> client.V1CronJob:
    return client.V1CronJob(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1CronJobSpec(
            schedule="*/5 * * * *",
            job_template=client.V1JobTemplateSpec(
                spec=client.V1JobSpec(
                    template=client.V1PodTemplateSpec(
                        spec=client.V1PodSpec(
                            containers=[client.V1Container(name="main", image="busybox")]
                        )
                    )
                )
            ),
        ),
    )


def test_generation_and_status_subresource(member1: client.ApiClient, namespace: str) -> None:
    # A CronJob: a kind with status and generation that no simulated controller writes.
    batch = client.BatchV1Api(member1)
    body = cronjob("nightly")
    body.status = client.V1CronJobStatus(
        last_schedule_time=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    created = batch.create_namespaced_cron_job(namespace, body)
    assert created.metadata.generation == 1
    assert created.status is None or created.status.last_schedule_time is None  # reset
    assert created.spec.concurrency_policy == "Allow"  # defaulted

    created.status = client.V1CronJobStatus(
        last_schedule_time=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    written = batch.replace_namespaced_cron_job_status("nightly", namespace, created)
    assert written.status.last_schedule_time is not None
    assert written.metadata.generation == 1  # status writes do not move generation

    # The main resource ignores status; the status subresource ignores spec.
    written.status.last_schedule_time = None
    written.spec.suspend = True
    updated = batch.replace_namespaced_cron_job("nightly", namespace, written)
    assert updated.spec.suspend is True
    assert updated.status.last_schedule_time is not None
    assert updated.metadata.generation == 2

    patched = batch.patch_namespaced_cron_job_status(
        "nightly",
        namespace,
        {"spec": {"suspend": False}, "status": {"lastSuccessfulTime": "2026-01-02T00:00:00Z"}},
    )
    assert patched.spec.suspend is True
    assert patched.status.last_successful_time is not None
    assert patched.metadata.generation == 2

    # Metadata-only changes leave generation alone.
    labelled = batch.patch_namespaced_cron_job(
        "nightly", namespace, {"metadata": {"labels": {"x": "y"}}}
    )
    assert labelled.metadata.generation == 2
    status = batch.read_namespaced_cron_job_status("nightly", namespace).status
    assert status.last_successful_time is not None


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
