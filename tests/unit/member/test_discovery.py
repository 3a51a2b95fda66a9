"""REST paths from discovery answers."""

from __future__ import annotations

from karmada.member.discovery import ResourceInfo, group_version_path, parse_resource_list


def test_parse_resource_list_skips_subresources_and_keeps_first_resource_per_kind() -> None:
    kinds = parse_resource_list(
        {
            "groupVersion": "apps/v1",
            "resources": [
                {"name": "deployments", "kind": "Deployment", "namespaced": True},
                {"name": "deployments/status", "kind": "Deployment", "namespaced": True},
                {"name": "deployments/scale", "kind": "Scale", "namespaced": True},
                {"name": "controllerrevisions", "kind": "ControllerRevision", "namespaced": True},
            ],
        }
    )
    assert kinds == {
        "Deployment": ResourceInfo("apps", "v1", "Deployment", "deployments", True),
        "ControllerRevision": ResourceInfo(
            "apps", "v1", "ControllerRevision", "controllerrevisions", True
        ),
    }


def test_paths() -> None:
    pod = ResourceInfo("", "v1", "Pod", "pods", namespaced=True)
    node = ResourceInfo("", "v1", "Node", "nodes", namespaced=False)
    export = ResourceInfo(
        "multicluster.x-k8s.io", "v1alpha1", "ServiceExport", "serviceexports", namespaced=True
    )
    assert pod.api_version == "v1"
    assert export.api_version == "multicluster.x-k8s.io/v1alpha1"
    assert pod.collection_path("default") == "/api/v1/namespaces/default/pods"
    assert pod.collection_path() == "/api/v1/pods"
    assert pod.object_path("web-0", "default") == "/api/v1/namespaces/default/pods/web-0"
    assert node.object_path("n1", "ignored") == "/api/v1/nodes/n1"
    assert export.object_path("web", "prod") == (
        "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/prod/serviceexports/web"
    )
    assert pod.object_path("a/b", "default").endswith("/pods/a%2Fb")
    assert group_version_path("v1") == "/api/v1"
    assert group_version_path("apps/v1") == "/apis/apps/v1"
