"""The body apply sends over an existing object: Karmada's retainClusterFields and Retain interpreter."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from karmada.member.apply import check_adoption, fingerprint, group_of, retain_for_update
from karmada.member.errors import ConflictError
from karmada.member.marks import WorkRef, stamp

WORK = WorkRef("karmada-es-m1", "w")


def obj(
    api_version: str,
    kind: str,
    *,
    spec: dict[str, Any] | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    **rest: Any,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "x", "namespace": "default"}
    if labels is not None:
        metadata["labels"] = labels
    if annotations is not None:
        metadata["annotations"] = annotations
    result: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    if spec is not None:
        result["spec"] = spec
    result.update(rest)
    return result


def live(api_version: str, kind: str, **kwargs: Any) -> dict[str, Any]:
    """An object as the member returns it, with server-owned metadata."""
    result = obj(api_version, kind, **kwargs)
    result["metadata"].update(
        resourceVersion="77", uid="uid-1", creationTimestamp="2026-01-01T00:00:00Z", generation=4
    )
    return result


@pytest.mark.parametrize(
    ("api_version", "group"), [("v1", ""), ("apps/v1", "apps"), ("a.b.io/v1beta1", "a.b.io")]
)
def test_group_of(api_version: str, group: str) -> None:
    assert group_of(api_version) == group


def test_member_owned_metadata_is_kept() -> None:
    desired = obj("v1", "ConfigMap", data={"k": "new"})
    desired["metadata"]["finalizers"] = ["ours/should-not-win"]
    observed = live("v1", "ConfigMap", data={"k": "old"})
    observed["metadata"]["finalizers"] = ["member.io/protect"]
    observed["metadata"]["ownerReferences"] = [{"kind": "X", "name": "o", "uid": "u"}]
    body = retain_for_update(desired, observed)
    assert body["metadata"]["resourceVersion"] == "77"
    assert body["metadata"]["uid"] == "uid-1"
    assert body["metadata"]["creationTimestamp"] == "2026-01-01T00:00:00Z"
    assert body["metadata"]["finalizers"] == ["member.io/protect"]
    assert body["metadata"]["ownerReferences"] == [{"kind": "X", "name": "o", "uid": "u"}]
    assert body["data"] == {"k": "new"}
    assert "generation" not in body["metadata"]


def test_member_without_finalizers_drops_ours() -> None:
    desired = obj("v1", "ConfigMap")
    desired["metadata"]["finalizers"] = ["ours"]
    body = retain_for_update(desired, live("v1", "ConfigMap"))
    assert "finalizers" not in body["metadata"]
    assert "ownerReferences" not in body["metadata"]


@pytest.mark.parametrize(
    ("desired_labels", "observed_labels", "record", "expected"),
    [
        pytest.param(
            {"app": "web"},
            {"member": "x"},
            None,
            {"app": "web", "member": "x"},
            id="member-label-kept",
        ),
        pytest.param(
            {"app": "web"},
            {"app": "old"},
            "app",
            {"app": "web"},
            id="ours-win",
        ),
        pytest.param(
            {"app": "web"},
            {"app": "web", "tier": "fe", "member": "x"},
            "app,tier",
            {"app": "web", "member": "x"},
            id="removed-template-label-removed",
        ),
        pytest.param(
            {},
            {"tier": "fe"},
            "tier",
            None,
            id="all-removed",
        ),
        pytest.param(
            {"app": "web"},
            {"tier": "fe"},
            None,
            {"app": "web", "tier": "fe"},
            id="no-record-keeps-everything",
        ),
    ],
)
def test_label_merge(
    desired_labels: dict[str, str],
    observed_labels: dict[str, str],
    record: str | None,
    expected: dict[str, str] | None,
) -> None:
    annotations = {"resourcetemplate.karmada.io/managed-labels": record} if record else {}
    body = retain_for_update(
        obj("v1", "ConfigMap", labels=desired_labels),
        live("v1", "ConfigMap", labels=observed_labels, annotations=annotations),
    )
    assert body["metadata"].get("labels") == expected


def test_annotation_merge_uses_its_own_record() -> None:
    record = "resourcetemplate.karmada.io/managed-annotations"
    desired = obj("v1", "ConfigMap", annotations={"note": "new", record: "note," + record})
    observed = live(
        "v1",
        "ConfigMap",
        annotations={
            "note": "old",
            "gone": "was ours",
            "deployment.kubernetes.io/revision": "3",
            record: f"gone,note,{record}",
        },
    )
    body = retain_for_update(desired, observed)
    assert body["metadata"]["annotations"] == {
        "note": "new",
        "deployment.kubernetes.io/revision": "3",
        record: "note," + record,
    }


def test_status_comes_from_the_member() -> None:
    desired = obj("apps/v1", "Deployment", spec={"replicas": 1}, status={"replicas": 99})
    body = retain_for_update(desired, live("apps/v1", "Deployment", status={"readyReplicas": 1}))
    assert body["status"] == {"readyReplicas": 1}
    body = retain_for_update(desired, live("apps/v1", "Deployment"))
    assert "status" not in body


def test_inputs_are_not_modified() -> None:
    desired = obj(
        "v1", "Service", spec={"ports": [{"port": 80}], "type": "NodePort"}, labels={"a": "1"}
    )
    observed = live(
        "v1",
        "Service",
        spec={"clusterIP": "10.0.0.1", "ports": [{"port": 80, "nodePort": 30080}]},
        labels={"b": "2"},
    )
    desired_copy, observed_copy = copy.deepcopy(desired), copy.deepcopy(observed)
    body = retain_for_update(desired, observed)
    assert desired == desired_copy
    assert observed == observed_copy
    body["spec"]["ports"][0]["x"] = 1
    assert "x" not in observed["spec"]["ports"][0]


SERVICE_LIVE = {
    "clusterIP": "10.96.0.10",
    "clusterIPs": ["10.96.0.10"],
    "ports": [
        {"name": "http", "port": 80, "protocol": "TCP", "nodePort": 30080},
        {"name": "dns", "port": 53, "protocol": "UDP", "nodePort": 30053},
    ],
    "healthCheckNodePort": 32000,
}


@pytest.mark.parametrize(
    ("desired_spec", "expected_spec"),
    [
        pytest.param(
            {"ports": [{"port": 80}]},
            {"ports": [{"port": 80}], "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"]},
            id="cluster-ip-retained",
        ),
        pytest.param(
            {
                "type": "NodePort",
                "ports": [
                    {"name": "web", "port": 80},
                    {"port": 53, "protocol": "UDP"},
                    {"port": 53, "protocol": "TCP"},
                    {"port": 443},
                ],
            },
            {
                "type": "NodePort",
                "ports": [
                    {"name": "web", "port": 80, "nodePort": 30080},
                    {"port": 53, "protocol": "UDP", "nodePort": 30053},
                    {"port": 53, "protocol": "TCP"},
                    {"port": 443},
                ],
                "clusterIP": "10.96.0.10",
                "clusterIPs": ["10.96.0.10"],
            },
            id="node-ports-of-existing-ports-retained",
        ),
        pytest.param(
            {"type": "NodePort", "ports": [{"port": 80, "nodePort": 31111}]},
            {
                "type": "NodePort",
                "ports": [{"port": 80, "nodePort": 31111}],
                "clusterIP": "10.96.0.10",
                "clusterIPs": ["10.96.0.10"],
            },
            id="explicit-node-port-wins",
        ),
        pytest.param(
            {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "ports": [{"port": 80}]},
            {
                "type": "LoadBalancer",
                "externalTrafficPolicy": "Local",
                "ports": [{"port": 80, "nodePort": 30080}],
                "healthCheckNodePort": 32000,
                "clusterIP": "10.96.0.10",
                "clusterIPs": ["10.96.0.10"],
            },
            id="health-check-node-port-retained",
        ),
        pytest.param(
            {"type": "LoadBalancer", "ports": [{"port": 80}]},
            {
                "type": "LoadBalancer",
                "ports": [{"port": 80, "nodePort": 30080}],
                "clusterIP": "10.96.0.10",
                "clusterIPs": ["10.96.0.10"],
            },
            id="no-health-check-port-without-local-policy",
        ),
        pytest.param(
            {"clusterIP": "None", "ports": [{"port": 80}]},
            {"clusterIP": "None", "ports": [{"port": 80}]},
            id="explicit-cluster-ip-kept",
        ),
        pytest.param(
            {"clusterIP": "10.96.0.10", "ports": []},
            {"clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "ports": []},
            id="cluster-ips-filled-to-match",
        ),
        pytest.param(
            {"type": "ExternalName", "externalName": "example.com"},
            {"type": "ExternalName", "externalName": "example.com"},
            id="external-name-gets-no-cluster-ip",
        ),
    ],
)
def test_service_retain(desired_spec: dict[str, Any], expected_spec: dict[str, Any]) -> None:
    body = retain_for_update(
        obj("v1", "Service", spec=desired_spec),
        live("v1", "Service", spec=copy.deepcopy(SERVICE_LIVE)),
    )
    assert body["spec"] == expected_spec


def test_pod_retain() -> None:
    desired = obj(
        "v1",
        "Pod",
        spec={
            "containers": [{"name": "app", "image": "nginx:2"}, {"name": "new", "image": "x"}],
            "initContainers": [{"name": "init", "image": "busybox"}],
            "tolerations": [{"key": "ours", "operator": "Exists"}],
        },
    )
    token_mount = {"name": "kube-api-access", "mountPath": "/var/run/secrets"}
    admission_toleration = {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    }
    observed = live(
        "v1",
        "Pod",
        spec={
            "nodeName": "node-1",
            "serviceAccountName": "default",
            "volumes": [{"name": "kube-api-access", "projected": {}}],
            "containers": [{"name": "app", "image": "nginx:1", "volumeMounts": [token_mount]}],
            "initContainers": [{"name": "init", "image": "busybox", "volumeMounts": [token_mount]}],
            "tolerations": [{"key": "ours", "operator": "Exists"}, admission_toleration],
        },
    )
    spec = retain_for_update(desired, observed)["spec"]
    assert spec == {
        "nodeName": "node-1",
        "serviceAccountName": "default",
        "volumes": [{"name": "kube-api-access", "projected": {}}],
        "containers": [
            {"name": "app", "image": "nginx:2", "volumeMounts": [token_mount]},
            {"name": "new", "image": "x"},
        ],
        "initContainers": [{"name": "init", "image": "busybox", "volumeMounts": [token_mount]}],
        "tolerations": [{"key": "ours", "operator": "Exists"}, admission_toleration],
    }


@pytest.mark.parametrize(
    ("desired_secrets", "expected"),
    [
        (None, [{"name": "sa-token-abc"}]),
        ([], [{"name": "sa-token-abc"}]),
        ([{"name": "mine"}], [{"name": "mine"}]),
    ],
)
def test_service_account_secrets(
    desired_secrets: list[dict[str, str]] | None, expected: list[dict[str, str]]
) -> None:
    desired = obj("v1", "ServiceAccount")
    if desired_secrets is not None:
        desired["secrets"] = desired_secrets
    body = retain_for_update(
        desired, live("v1", "ServiceAccount", secrets=[{"name": "sa-token-abc"}])
    )
    assert body["secrets"] == expected


def test_pvc_volume_name_and_pv_claim_ref() -> None:
    body = retain_for_update(
        obj("v1", "PersistentVolumeClaim", spec={"resources": {"requests": {"storage": "1Gi"}}}),
        live("v1", "PersistentVolumeClaim", spec={"volumeName": "pv-123"}),
    )
    assert body["spec"]["volumeName"] == "pv-123"
    body = retain_for_update(
        obj("v1", "PersistentVolumeClaim", spec={}),
        live("v1", "PersistentVolumeClaim", spec={"volumeName": ""}),
    )
    assert "volumeName" not in body["spec"]
    claim = {"kind": "PersistentVolumeClaim", "name": "data", "namespace": "default"}
    body = retain_for_update(
        obj("v1", "PersistentVolume", spec={"capacity": {}}),
        live("v1", "PersistentVolume", spec={"claimRef": claim}),
    )
    assert body["spec"]["claimRef"] == claim


def test_job_selector_and_template_labels() -> None:
    desired = obj(
        "batch/v1",
        "Job",
        spec={
            "template": {"metadata": {"labels": {"app": "batch"}}, "spec": {"containers": []}},
        },
    )
    generated = {
        "batch.kubernetes.io/controller-uid": "c-1",
        "controller-uid": "c-1",
        "job-name": "x",
        "app": "batch",
    }
    observed = live(
        "batch/v1",
        "Job",
        spec={
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "c-1"}},
            "template": {"metadata": {"labels": generated}, "spec": {"containers": []}},
        },
    )
    spec = retain_for_update(desired, observed)["spec"]
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "c-1"}}
    assert spec["template"]["metadata"]["labels"] == generated
    assert spec["template"]["spec"] == {"containers": []}


@pytest.mark.parametrize(
    ("kind", "labels", "replicas"),
    [
        ("Deployment", {"resourcetemplate.karmada.io/retain-replicas": "true"}, 7),
        ("StatefulSet", {"resourcetemplate.karmada.io/retain-replicas": "true"}, 7),
        ("Deployment", {}, 2),
        ("Deployment", {"resourcetemplate.karmada.io/retain-replicas": "false"}, 2),
    ],
)
def test_retain_replicas(kind: str, labels: dict[str, str], replicas: int) -> None:
    body = retain_for_update(
        obj("apps/v1", kind, spec={"replicas": 2}, labels=labels),
        live("apps/v1", kind, spec={"replicas": 7}),
    )
    assert body["spec"]["replicas"] == replicas


def test_other_kinds_only_get_metadata_retained() -> None:
    desired = obj("example.io/v1", "Service", spec={"ports": [{"port": 80}]})
    body = retain_for_update(
        desired, live("example.io/v1", "Service", spec={"clusterIP": "10.0.0.1"})
    )
    assert body["spec"] == {"ports": [{"port": 80}]}


def test_stamp_then_retain_round_trip() -> None:
    """Template label removed, member label kept, across two applies."""
    first = stamp(obj("v1", "ConfigMap", labels={"app": "web", "tier": "fe"}), work=WORK)
    observed = copy.deepcopy(first)
    observed["metadata"].update(resourceVersion="5", uid="u")
    observed["metadata"]["labels"]["member-added"] = "yes"
    observed["metadata"]["annotations"]["member-note"] = "keep"
    second = stamp(obj("v1", "ConfigMap", labels={"app": "web"}), work=WORK)
    body = retain_for_update(second, observed)
    assert body["metadata"]["labels"] == {
        "app": "web",
        "karmada.io/managed": "true",
        "member-added": "yes",
    }
    assert body["metadata"]["annotations"]["member-note"] == "keep"
    assert body["metadata"]["annotations"]["resourcetemplate.karmada.io/managed-labels"] == (
        "app,karmada.io/managed"
    )


def test_check_adoption() -> None:
    managed = live("v1", "ConfigMap", labels={"karmada.io/managed": "true"})
    unmanaged = live("v1", "ConfigMap", labels={"app": "legacy"})
    check_adoption(managed, conflict_resolution="Abort", cluster="m1")
    check_adoption(unmanaged, conflict_resolution="Overwrite", cluster="m1")
    with pytest.raises(ConflictError) as caught:
        check_adoption(unmanaged, conflict_resolution="Abort", cluster="m1")
    assert caught.value.message == (
        "ConfigMap default/x already exists in cluster m1 and is not managed by Karmada; "
        "set conflictResolution: Overwrite to adopt it"
    )
    assert caught.value.cluster == "m1"


def test_fingerprint_is_order_independent() -> None:
    a = {"a": 1, "b": {"c": [1, 2], "d": "x"}}
    b = {"b": {"d": "x", "c": [1, 2]}, "a": 1}
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint({**a, "a": 2})
