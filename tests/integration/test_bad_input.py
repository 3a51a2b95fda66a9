"""Bad input through the real apiserver: typed INVALID_ARGUMENT errors naming every bad field.

Each rejected request must come back as `Invalid` (gRPC INVALID_ARGUMENT with a
google.rpc.BadRequest listing the field paths), and a rejected write must
leave storage exactly as it was.
"""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.client import Client
from karmada.machinery.errors import Invalid, NotFound
from karmada.machinery.scheme import (
    CLUSTER_OVERRIDE_POLICY,
    CLUSTER_PROPAGATION_POLICY,
    CLUSTER_RESOURCE_BINDING,
    LEASE,
    MULTI_CLUSTER_INGRESS,
    MULTI_CLUSTER_SERVICE,
    OVERRIDE_POLICY,
    PROPAGATION_POLICY,
    RESOURCE_BINDING,
    SERVICE_EXPORT,
    SERVICE_IMPORT,
    WORK,
    Kind,
    kind_of,
    template_kind,
)
from karmada.policy.v1alpha1 import (
    propagation_policy_service_pb2,
    propagation_policy_service_pb2_grpc,
)
from tests.support.processes import ApiServerProcess

CONFIGMAP = template_kind("v1", "ConfigMap")
MAX_OBJECT_BYTES = 1_572_864
DEPLOYMENT_SELECTOR = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"}
GOOD_POLICY = {
    "resourceSelectors": [DEPLOYMENT_SELECTOR],
    "placement": {"clusterAffinity": {"clusterNames": ["member1"]}},
}


def new(kind: Kind[Any], name: str, namespace: str = "", **body: Any) -> Any:
    """An object of `kind` whose fields are given as camelCase JSON."""
    obj = kind.new(name=name, namespace=namespace if kind.namespaced else "")
    json_format.ParseDict(body, obj)
    return obj


async def rejected(call: Any) -> Invalid:
    """Awaits `call`, which must fail with Invalid; returns the error."""
    with pytest.raises(Invalid) as info:
        await call
    assert info.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.reason == "INVALID"
    return info.value


def fields(error: Invalid) -> list[str]:
    return [violation.field for violation in error.violations]


BAD_SPECS = [
    pytest.param(
        PROPAGATION_POLICY,
        {
            "resourceSelectors": [DEPLOYMENT_SELECTOR],
            "preemption": "Sometimes",
            "conflictResolution": "Ignore",
            "placement": {
                "spreadConstraints": [{"spreadByField": "rack"}],
                "replicaScheduling": {"replicaSchedulingType": "Split"},
            },
        },
        [
            "spec.preemption",
            "spec.conflictResolution",
            "spec.placement.spreadConstraints[0].spreadByField",
            "spec.placement.replicaScheduling.replicaSchedulingType",
        ],
        id="propagation-policy-enums",
    ),
    pytest.param(
        CLUSTER_PROPAGATION_POLICY,
        {"resourceSelectors": [], "placement": {"clusterAffinity": {"exclude": ["Bad"]}}},
        ["spec.resourceSelectors", "spec.placement.clusterAffinity.exclude[0]"],
        id="cluster-propagation-policy",
    ),
    pytest.param(
        OVERRIDE_POLICY,
        {"overrideRules": [{"overriders": {"plaintext": [{"path": "spec", "operator": "merge"}]}}]},
        [
            "spec.overrideRules[0].overriders.plaintext[0].path",
            "spec.overrideRules[0].overriders.plaintext[0].operator",
        ],
        id="override-policy",
    ),
    pytest.param(
        CLUSTER_OVERRIDE_POLICY,
        {
            "overrideRules": [
                {"overriders": {"imageOverrider": [{"component": "Digest", "operator": "add"}]}}
            ]
        },
        [
            "spec.overrideRules[0].overriders.imageOverrider[0].component",
            "spec.overrideRules[0].overriders.imageOverrider[0].value",
        ],
        id="cluster-override-policy",
    ),
    pytest.param(
        WORK,
        {"workload": {"manifests": [{"kind": "ConfigMap"}]}},
        ["spec.workload.manifests[0].apiVersion", "spec.workload.manifests[0].metadata.name"],
        id="work",
    ),
    pytest.param(
        RESOURCE_BINDING,
        {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment"},
            "replicas": -1,
            "clusters": [{"name": "m1"}, {"name": "m1"}],
        },
        ["spec.resource.name", "spec.replicas", "spec.clusters[1].name"],
        id="resource-binding",
    ),
    pytest.param(
        CLUSTER_RESOURCE_BINDING,
        {"resource": {"apiVersion": "v1", "kind": "Namespace", "name": "a"}, "clusters": [{}]},
        ["spec.clusters[0].name"],
        id="cluster-resource-binding",
    ),
    pytest.param(
        MULTI_CLUSTER_SERVICE,
        {"types": ["NodePort"], "ports": [{"port": 0}]},
        ["spec.types[0]", "spec.ports[0].port"],
        id="multi-cluster-service",
    ),
    pytest.param(
        MULTI_CLUSTER_INGRESS,
        {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Regex", "backend": {}}]}}]},
        ["spec.rules[0].http.paths[0].pathType", "spec.rules[0].http.paths[0].backend"],
        id="multi-cluster-ingress",
    ),
    pytest.param(
        SERVICE_EXPORT,
        {"exportedLabels": {"app": "bad value"}},
        ["spec.exportedLabels[app]"],
        id="service-export",
    ),
    pytest.param(
        SERVICE_IMPORT,
        {"type": "NodePort", "ports": [{"port": 80, "protocol": "HTTP"}]},
        ["spec.type", "spec.ports[0].protocol"],
        id="service-import",
    ),
    pytest.param(LEASE, {"leaseDurationSeconds": 0}, ["spec.leaseDurationSeconds"], id="lease"),
]


@pytest.mark.parametrize(("kind", "spec", "expected"), BAD_SPECS)
async def test_bad_spec_is_invalid_and_creates_nothing(
    client: Client, namespace: str, kind: Kind[Any], spec: dict[str, Any], expected: list[str]
) -> None:
    obj = new(kind, f"bad-{namespace}", namespace, spec=spec)
    error = await rejected(client.create(obj))
    assert fields(error) == expected
    with pytest.raises(NotFound):
        await client.get(kind, obj.metadata.name, obj.metadata.namespace)


async def test_violations_use_kubernetes_wording(client: Client, namespace: str) -> None:
    spec = {**GOOD_POLICY, "preemption": "Sometimes"}
    error = await rejected(client.create(new(PROPAGATION_POLICY, "p", namespace, spec=spec)))
    assert [str(v) for v in error.violations] == [
        'spec.preemption: Unsupported value: "Sometimes": supported values: "Always", "Never"'
    ]


async def test_bad_name(client: Client, namespace: str) -> None:
    obj = new(PROPAGATION_POLICY, "Bad_Name", namespace, spec=GOOD_POLICY)
    assert fields(await rejected(client.create(obj))) == ["metadata.name"]


async def test_namespaced_kind_without_namespace(client: Client, unique: str) -> None:
    obj = new(PROPAGATION_POLICY, f"p-{unique}", spec=GOOD_POLICY)
    obj.metadata.namespace = ""
    assert fields(await rejected(client.create(obj))) == ["metadata.namespace"]
    assert fields(await rejected(client.get(PROPAGATION_POLICY, f"p-{unique}"))) == ["namespace"]


async def test_api_version_and_kind_must_match_the_service(client: Client, namespace: str) -> None:
    obj = new(PROPAGATION_POLICY, "p", namespace, spec=GOOD_POLICY)
    obj.api_version = "policy.karmada.io/v1"
    obj.kind = "Policy"
    assert fields(await rejected(client.create(obj))) == ["apiVersion", "kind"]


async def test_bad_label_selector_in_list(client: Client, namespace: str) -> None:
    call = client.list(PROPAGATION_POLICY, namespace=namespace, label_selector="env in (a")
    assert fields(await rejected(call)) == ["labelSelector"]


async def test_bad_page_token(client: Client, namespace: str) -> None:
    call = client.list(PROPAGATION_POLICY, namespace=namespace, page_token="not-a-token")
    assert fields(await rejected(call)) == ["pageToken"]


async def test_object_over_the_size_limit(client: Client, namespace: str) -> None:
    big = new(CONFIGMAP, "big", namespace, body={"data": {"blob": "x" * MAX_OBJECT_BYTES}})
    error = await rejected(client.create(big))
    assert error.violations and "limit" in error.violations[0].description
    with pytest.raises(NotFound):
        await client.get(CONFIGMAP, "big", namespace)


async def test_template_of_a_typed_kind(client: Client, namespace: str) -> None:
    obj = resource_template_pb2.ResourceTemplate(
        api_version=PROPAGATION_POLICY.api_version, kind=PROPAGATION_POLICY.kind
    )
    obj.metadata.name, obj.metadata.namespace = "p", namespace
    assert fields(await rejected(client.create(obj))) == ["kind"]


async def test_template_without_api_version_or_kind(client: Client, namespace: str) -> None:
    obj = resource_template_pb2.ResourceTemplate(kind="ConfigMap")
    obj.metadata.name, obj.metadata.namespace = "cm", namespace
    assert fields(await rejected(client.create(obj))) == ["apiVersion"]
    obj = resource_template_pb2.ResourceTemplate(api_version="v1")
    obj.metadata.name, obj.metadata.namespace = "cm", namespace
    assert fields(await rejected(client.create(obj))) == ["kind"]


async def test_template_body_with_reserved_field(client: Client, namespace: str) -> None:
    obj = new(CONFIGMAP, "cm", namespace, body={"data": {}, "status": {"phase": "x"}})
    assert fields(await rejected(client.create(obj))) == ["body.status"]


# -- a rejected write changes nothing ----------------------------------------------


async def assert_unchanged(client: Client, before: Message) -> None:
    """The stored object is still `before`, at the same resource_version."""
    meta = before.metadata  # type: ignore[attr-defined]
    after = await client.get(kind_of(before), meta.name, meta.namespace)
    assert after.metadata.resource_version == meta.resource_version
    assert after == before


async def test_rejected_update_changes_nothing(client: Client, namespace: str) -> None:
    created = await client.create(new(PROPAGATION_POLICY, "p", namespace, spec=GOOD_POLICY))
    bad = type(created)()
    bad.CopyFrom(created)
    bad.metadata.labels["team"] = "a"
    bad.spec.preemption = "Sometimes"
    bad.spec.placement.cluster_affinity.cluster_names.append("Bad_Name")
    error = await rejected(client.update(bad))
    assert fields(error) == [
        "spec.preemption",
        "spec.placement.clusterAffinity.clusterNames[1]",
    ]
    await assert_unchanged(client, created)


async def test_rejected_immutable_change_changes_nothing(client: Client, namespace: str) -> None:
    created = await client.create(
        new(MULTI_CLUSTER_SERVICE, "web", namespace, spec={"types": ["CrossCluster"]})
    )
    changed = type(created)()
    changed.CopyFrom(created)
    changed.spec.types[:] = ["LoadBalancer"]
    assert fields(await rejected(client.update(changed))) == ["spec.types"]
    await assert_unchanged(client, created)


async def test_rejected_scheduler_name_change_changes_nothing(client: Client, unique: str) -> None:
    created = await client.create(
        new(CLUSTER_PROPAGATION_POLICY, f"cpp-{unique}", spec=GOOD_POLICY)
    )
    assert created.spec.scheduler_name == "default-scheduler"
    changed = type(created)()
    changed.CopyFrom(created)
    changed.spec.scheduler_name = "other-scheduler"
    assert fields(await rejected(client.update(changed))) == ["spec.schedulerName"]
    await assert_unchanged(client, created)


async def test_rejected_status_update_changes_nothing(client: Client, namespace: str) -> None:
    spec = {"resource": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"}}
    created = await client.create(new(RESOURCE_BINDING, "nginx-deployment", namespace, spec=spec))
    bad = type(created)()
    bad.CopyFrom(created)
    bad.status.aggregated_status.add(cluster_name="m1", health="Sick")
    error = await rejected(client.update_status(bad))
    assert fields(error) == ["status.aggregatedStatus[0].health"]
    await assert_unchanged(client, created)


async def test_rejected_oversized_update_changes_nothing(client: Client, namespace: str) -> None:
    created = await client.create(new(CONFIGMAP, "cm", namespace, body={"data": {"k": "v"}}))
    big = type(created)()
    big.CopyFrom(created)
    big.body.update({"data": {"k": "x" * MAX_OBJECT_BYTES}})
    await rejected(client.update(big))
    await assert_unchanged(client, created)


async def test_defaults_are_stored(client: Client, namespace: str) -> None:
    created = await client.create(new(PROPAGATION_POLICY, "p", namespace, spec=GOOD_POLICY))
    stored = await client.get(PROPAGATION_POLICY, "p", namespace)
    assert stored == created
    spec = stored.spec
    assert (spec.preemption, spec.conflict_resolution, spec.scheduler_name) == (
        "Never",
        "Abort",
        "default-scheduler",
    )
    assert spec.resource_selectors[0].namespace == namespace


# -- the raw gRPC status --------------------------------------------------------


async def test_raw_status_is_invalid_argument_with_bad_request(
    apiserver: ApiServerProcess, namespace: str
) -> None:
    policy = new(PROPAGATION_POLICY, "p", namespace, spec={**GOOD_POLICY, "preemption": "x"})
    request = propagation_policy_service_pb2.CreatePropagationPolicyRequest(
        propagation_policy=policy
    )
    async with grpc.aio.insecure_channel(apiserver.address) as channel:
        stub = propagation_policy_service_pb2_grpc.PropagationPolicyServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await stub.CreatePropagationPolicy(request)
    error = info.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    raw = [v for k, v in error.trailing_metadata() or () if k == "grpc-status-details-bin"]
    assert len(raw) == 1 and isinstance(raw[0], bytes)
    status = status_pb2.Status.FromString(raw[0])
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    bad_requests = []
    infos = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            bad_requests.append(bad)
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info_detail = error_details_pb2.ErrorInfo()
            detail.Unpack(info_detail)
            infos.append(info_detail)
    assert [(i.reason, i.domain) for i in infos] == [("INVALID", "karmada.io")]
    assert len(bad_requests) == 1
    assert [v.field for v in bad_requests[0].field_violations] == ["spec.preemption"]
    assert bad_requests[0].field_violations[0].description.startswith("Unsupported value")
