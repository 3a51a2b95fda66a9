"""promote's pure parts: Karmada's policy names, and pruning what a member filled in."""

from __future__ import annotations

from typing import Any

from karmada.member import ResourceInfo
from karmada.names import fnv32a, safe_encode
from karmadactl.commands.promote import build_policy, gvk_string, policy_name, prune

DEPLOYMENTS = ResourceInfo("apps", "v1", "Deployment", "deployments", namespaced=True)
CLUSTER_ROLES = ResourceInfo(
    "rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced=False
)


def test_gvk_string_is_go_s() -> None:
    assert gvk_string("apps/v1", "Deployment") == "apps/v1, Kind=Deployment"
    assert gvk_string("v1", "ConfigMap") == "/v1, Kind=ConfigMap"


def test_policy_name_hashes_namespace_and_gvk_as_karmada() -> None:
    # names.GeneratePolicyName: fnv32a over go-spew's %#v of namespace+gvk.
    printed = b'(string)"defaultapps/v1, Kind=Deployment"'
    expected = f"nginx-{safe_encode(str(fnv32a(printed)))}"
    assert policy_name("default", "nginx", "apps/v1, Kind=Deployment") == expected
    assert policy_name("other", "nginx", "apps/v1, Kind=Deployment") != expected
    assert policy_name("", "System:Admin", "x").startswith("system.admin-")


def test_build_policy_selects_exactly_the_object_and_adopts_it() -> None:
    policy = build_policy(DEPLOYMENTS, "nginx", "web", "member2")
    assert policy.DESCRIPTOR.name == "PropagationPolicy"
    spec = policy.spec  # type: ignore[attr-defined]
    assert [(s.api_version, s.kind, s.name) for s in spec.resource_selectors] == [
        ("apps/v1", "Deployment", "nginx")
    ]
    assert list(spec.placement.cluster_affinity.cluster_names) == ["member2"]
    assert spec.conflict_resolution == "Overwrite"
    assert policy.metadata.namespace == "web"  # type: ignore[attr-defined]
    cluster_scoped = build_policy(CLUSTER_ROLES, "reader", "", "member1")
    assert cluster_scoped.DESCRIPTOR.name == "ClusterPropagationPolicy"


def test_prune_drops_what_the_member_filled_in() -> None:
    deployment: dict[str, Any] = {
        "kind": "Deployment",
        "metadata": {
            "name": "nginx",
            "annotations": {"deployment.kubernetes.io/revision": "3", "keep": "me"},
        },
    }
    assert prune(deployment)["metadata"]["annotations"] == {"keep": "me"}
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    service = {
        "kind": "Service",
        "metadata": {},
        "spec": {"clusterIP": "10.0.0.7", "clusterIPs": ["10.0.0.7"]},
    }
    assert prune(service)["spec"] == {}
    headless = {"kind": "Service", "metadata": {}, "spec": {"clusterIP": "None"}}
    assert prune(headless)["spec"] == {"clusterIP": "None"}
    job = {
        "kind": "Job",
        "metadata": {},
        "spec": {
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u"}},
            "template": {"metadata": {"labels": {"job-name": "j", "app": "a"}}},
        },
    }
    pruned = prune(job)["spec"]
    assert pruned["selector"]["matchLabels"] == {}
    assert pruned["template"]["metadata"]["labels"] == {"app": "a"}
