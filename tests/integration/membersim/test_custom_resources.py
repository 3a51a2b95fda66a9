"""CRDs: a created CRD's kind appears in discovery and works through DynamicClient."""

# The generated models type every field Optional; these tests read them directly.
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client import ApiException
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import NotFoundError, ResourceNotFoundError

from tests.integration.membersim.conftest import request


def widget_crd(group: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "names": {
                "kind": "Widget",
                "plural": "widgets",
                "singular": "widget",
                "shortNames": ["wd"],
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }


@pytest.fixture
def dynamic(member1: client.ApiClient, tmp_path: Path) -> Iterator[DynamicClient]:
    yield DynamicClient(member1, cache_file=str(tmp_path / "discovery.json"))  # type: ignore[no-untyped-call]


def test_crd_defines_a_working_kind(
    dynamic: DynamicClient, member1: client.ApiClient, namespace: str
) -> None:
    group = f"g{uuid.uuid4().hex[:6]}.example.com"
    ext = client.ApiextensionsV1Api(member1)
    body: Any = widget_crd(group)  # the client sends a plain dict as it is
    created = ext.create_custom_resource_definition(body)
    established = {c.type: c.status for c in created.status.conditions}
    assert established["Established"] == "True"
    assert created.status.accepted_names.list_kind == "WidgetList"

    discovery = request(member1, "GET", f"/apis/{group}/v1")
    assert [r["name"] for r in discovery["resources"]] == ["widgets", "widgets/status"]
    assert discovery["resources"][0]["shortNames"] == ["wd"]

    widgets = dynamic.resources.get(api_version=f"{group}/v1", kind="Widget")
    body = {
        "apiVersion": f"{group}/v1",
        "kind": "Widget",
        "metadata": {"name": "w1"},
        "spec": {"size": 1},
    }
    made = widgets.create(body=body, namespace=namespace)
    assert made.metadata.generation == 1
    assert widgets.get(name="w1", namespace=namespace).spec.size == 1
    assert [w.metadata.name for w in widgets.get(namespace=namespace).items] == ["w1"]

    patched = widgets.patch(
        name="w1",
        namespace=namespace,
        body={"spec": {"size": 2}},
        content_type="application/merge-patch+json",
    )
    assert patched.spec.size == 2
    assert patched.metadata.generation == 2
    with pytest.raises(ApiException) as err:
        widgets.patch(
            name="w1",
            namespace=namespace,
            body={"spec": {"size": 3}},
            content_type="application/strategic-merge-patch+json",
        )
    assert err.value.status == 415

    status = dynamic.resources.get(api_version=f"{group}/v1", kind="Widget").status
    current = widgets.get(name="w1", namespace=namespace).to_dict()
    current["status"] = {"phase": "Ready"}
    current["spec"] = {"size": 100}
    written = status.replace(body=current, namespace=namespace)
    assert written.status.phase == "Ready"
    assert written.spec.size == 2

    ext.delete_custom_resource_definition(f"widgets.{group}")
    with pytest.raises(ApiException) as gone:
        request(member1, "GET", f"/apis/{group}/v1/namespaces/{namespace}/widgets/w1")
    assert gone.value.status == 404
    dynamic.resources.invalidate_cache()
    with pytest.raises((ResourceNotFoundError, NotFoundError)):
        dynamic.resources.get(api_version=f"{group}/v1", kind="Widget")


def test_mcs_kinds_are_installed(dynamic: DynamicClient, namespace: str) -> None:
    exports = dynamic.resources.get(
        api_version="multicluster.x-k8s.io/v1alpha1", kind="ServiceExport"
    )
    exports.create(body={"metadata": {"name": "web"}}, namespace=namespace)
    assert exports.get(name="web", namespace=namespace).kind == "ServiceExport"
    imports = dynamic.resources.get(
        api_version="multicluster.x-k8s.io/v1alpha1", kind="ServiceImport"
    )
    assert imports.namespaced


def test_dynamic_client_on_builtin_kinds(dynamic: DynamicClient, namespace: str) -> None:
    services = dynamic.resources.get(api_version="v1", kind="Service")
    body = {
        "metadata": {"name": "svc"},
        "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]},
    }
    made = services.create(body=body, namespace=namespace)
    assert made.spec.ports[0].targetPort == 80  # defaulted
    assert made.spec.ports[0].protocol == "TCP"
    deployments = dynamic.resources.get(api_version="apps/v1", kind="Deployment")
    assert deployments.namespaced and deployments.short_names == ["deploy"]
