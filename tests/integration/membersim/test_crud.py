"""CRUD semantics of the simulator, driven by the official Kubernetes client."""

# The generated models type every field Optional; these tests read them directly.
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client
from kubernetes.client import ApiException

from tests.integration.membersim.conftest import api_client, request
from tests.support.membersim import SimulatorProcess


def configmap(name: str, **labels: str) -> client.V1ConfigMap:
    return client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=name, labels=labels or None), data={"key": name}
    )


def status_of(err: ApiException) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(err.body or "{}")
    return body


def test_version_health_and_nodes(core: client.CoreV1Api, member1: client.ApiClient) -> None:
    version = client.VersionApi(member1).get_code()
    assert (version.major, version.minor) == ("1", "37")
    for path in ("/healthz", "/readyz", "/livez"):
        assert request(member1, "GET", path, response_type="str") == "ok"
    nodes = core.list_node().items
    assert [n.metadata.name for n in nodes] == [
        "member1-node-1",
        "member1-node-2",
        "member1-node-3",
    ]
    ready = {c.type: c.status for c in nodes[0].status.conditions}
    assert ready["Ready"] == "True"
    assert nodes[0].status.allocatable == {
        "cpu": "8",
        "memory": "32Gi",
        "pods": "110",
        "ephemeral-storage": "100Gi",
    }
    names = {ns.metadata.name for ns in core.list_namespace().items}
    assert {"default", "kube-system", "kube-public"} <= names


def test_wrong_token_is_unauthorized(simulator: SimulatorProcess, tmp_path: Path) -> None:
    doc = yaml.safe_load(simulator.kubeconfig("member1").read_text())
    doc["users"][0]["user"]["token"] = "wrong"
    (tmp_path / "wrong.kubeconfig").write_text(yaml.safe_dump(doc))
    with api_client(tmp_path / "wrong.kubeconfig") as api:
        with pytest.raises(ApiException) as err:
            client.CoreV1Api(api).list_namespace()
        assert err.value.status == 401
        assert status_of(err.value)["reason"] == "Unauthorized"
        # As kube-apiserver's anonymous access allows, health needs no token.
        assert request(api, "GET", "/readyz", response_type="str") == "ok"


def test_create_get_replace_delete(core: client.CoreV1Api, namespace: str) -> None:
    created = core.create_namespaced_config_map(namespace, configmap("a", app="x"))
    assert created.metadata.uid
    assert created.metadata.creation_timestamp is not None
    assert int(str(created.metadata.resource_version)) > 0

    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map(namespace, configmap("a"))
    assert err.value.status == 409
    assert status_of(err.value)["reason"] == "AlreadyExists"

    got = core.read_namespaced_config_map("a", namespace)
    assert got.metadata.resource_version == created.metadata.resource_version
    got.data = {"key": "changed"}
    replaced = core.replace_namespaced_config_map("a", namespace, got)
    assert replaced.data == {"key": "changed"}
    assert int(str(replaced.metadata.resource_version)) > int(
        str(created.metadata.resource_version)
    )
    assert replaced.metadata.uid == created.metadata.uid

    stale = got
    stale.data = {"key": "stale"}
    with pytest.raises(ApiException) as err:
        core.replace_namespaced_config_map("a", namespace, stale)
    assert err.value.status == 409
    assert status_of(err.value)["reason"] == "Conflict"

    # A write that changes nothing keeps the resourceVersion.
    again = core.replace_namespaced_config_map("a", namespace, replaced)
    assert again.metadata.resource_version == replaced.metadata.resource_version

    core.delete_namespaced_config_map("a", namespace)
    with pytest.raises(ApiException) as err:
        core.read_namespaced_config_map("a", namespace)
    assert err.value.status == 404
    assert status_of(err.value)["reason"] == "NotFound"
    with pytest.raises(ApiException) as err:
        core.delete_namespaced_config_map("a", namespace)
    assert err.value.status == 404


def test_generate_name_and_missing_namespace(core: client.CoreV1Api, namespace: str) -> None:
    made = core.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(generate_name="gen-"))
    )
    assert str(made.metadata.name).startswith("gen-") and len(str(made.metadata.name)) == 9
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map(f"missing-{uuid.uuid4().hex[:6]}", configmap("x"))
    assert err.value.status == 404
    assert status_of(err.value)["details"]["kind"] == "namespaces"
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map(namespace, configmap("Not_Valid"))
    assert err.value.status == 422
    assert status_of(err.value)["reason"] == "Invalid"


def test_list_selectors_and_pages(core: client.CoreV1Api, namespace: str) -> None:
    for i in range(7):
        core.create_namespaced_config_map(
            namespace, configmap(f"cm-{i}", tier="a" if i % 2 else "b")
        )
    names = [c.metadata.name for c in core.list_namespaced_config_map(namespace).items]
    assert names == [f"cm-{i}" for i in range(7)]
    odd = core.list_namespaced_config_map(namespace, label_selector="tier=a").items
    assert [c.metadata.name for c in odd] == ["cm-1", "cm-3", "cm-5"]
    not_a = core.list_namespaced_config_map(namespace, label_selector="tier notin (a)").items
    assert len(not_a) == 4
    one = core.list_namespaced_config_map(namespace, field_selector="metadata.name=cm-4").items
    assert [c.metadata.name for c in one] == ["cm-4"]
    across = core.list_config_map_for_all_namespaces(
        field_selector=f"metadata.namespace={namespace},metadata.name!=cm-0"
    )
    assert len(across.items) == 6

    seen: list[str | None] = []
    token = None
    while True:
        page = core.list_namespaced_config_map(namespace, limit=3, _continue=token)
        seen += [c.metadata.name for c in page.items]
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count == 7 - len(seen)
    assert seen == names

    with pytest.raises(ApiException) as err:
        core.list_namespaced_config_map(namespace, label_selector="a in (")
    assert err.value.status == 400


def test_patch_formats(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_config_map(namespace, configmap("p", app="x"))
    merged = core.patch_namespaced_config_map(
        "p", namespace, {"data": {"more": "1"}, "metadata": {"labels": {"app": None}}}
    )
    assert merged.data == {"key": "p", "more": "1"}
    assert not merged.metadata.labels

    path = f"/api/v1/namespaces/{namespace}/configmaps/p"

    def patch(body: Any, content_type: str) -> dict[str, Any]:
        data: dict[str, Any] = request(
            core.api_client, "PATCH", path, body=body, content_type=content_type
        )
        return data

    result = patch(
        [
            {"op": "test", "path": "/data/more", "value": "1"},
            {"op": "remove", "path": "/data/more"},
        ],
        "application/json-patch+json",
    )
    assert result["data"] == {"key": "p"}
    with pytest.raises(ApiException) as err:
        patch([{"op": "test", "path": "/data/key", "value": "nope"}], "application/json-patch+json")
    assert err.value.status == 422
    result = patch({"data": {"x": "y"}}, "application/strategic-merge-patch+json")
    assert result["data"] == {"key": "p", "x": "y"}
    stale = {"metadata": {"resourceVersion": "1"}, "data": {"z": "1"}}
    with pytest.raises(ApiException) as err:
        patch(stale, "application/merge-patch+json")
    assert err.value.status == 409


def test_clusters_are_isolated(member1: client.ApiClient, member2: client.ApiClient) -> None:
    one, two = client.CoreV1Api(member1), client.CoreV1Api(member2)
    name = f"iso-{uuid.uuid4().hex[:6]}"
    one.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    assert name in {n.metadata.name for n in one.list_namespace().items}
    assert name not in {n.metadata.name for n in two.list_namespace().items}
    assert two.list_node().items[0].metadata.name == "member2-node-1"


def test_delete_collection(core: client.CoreV1Api, namespace: str) -> None:
    for name, tier in (("x1", "a"), ("x2", "a"), ("x3", "b")):
        core.create_namespaced_config_map(namespace, configmap(name, tier=tier))
    core.delete_collection_namespaced_config_map(namespace, label_selector="tier=a")
    assert [c.metadata.name for c in core.list_namespaced_config_map(namespace).items] == ["x3"]
