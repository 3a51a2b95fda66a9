"""Objects the binding status tests write as the other controllers would: templates, bindings, Works."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.client import Client
from karmada.machinery.conditions import find_condition
from karmada.machinery.scheme import NAMESPACE, WORK, template_kind
from karmada.machinery.structs import from_dict, to_dict
from karmada.member.marks import (
    CRB_NAME_ANNOTATION,
    CRB_PERMANENT_ID_LABEL,
    RB_NAME_ANNOTATION,
    RB_NAMESPACE_ANNOTATION,
    RB_PERMANENT_ID_LABEL,
)
from karmada.meta.v1 import meta_pb2
from karmada.names import execution_space, work_name
from karmada.templates import to_template
from karmada.work.v1alpha1 import work_pb2
from karmada.work.v1alpha2 import cluster_resource_binding_pb2, resource_binding_pb2
from tests.support.plane import ControlPlane

DEPLOYMENT = template_kind("apps/v1", "Deployment")
PV = template_kind("v1", "PersistentVolume")
Binding = resource_binding_pb2.ResourceBinding | cluster_resource_binding_pb2.ClusterResourceBinding


async def create_namespace(client: Client, name: str) -> None:
    await client.create(NAMESPACE.new(name=name))


async def create_deployment(
    client: Client, namespace: str, name: str, replicas: int
) -> resource_template_pb2.ResourceTemplate:
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}},
        },
    }
    return await client.create(to_template(manifest))


def binding_spec(
    binding: Binding, template: resource_template_pb2.ResourceTemplate, clusters: dict[str, int]
) -> None:
    resource = binding.spec.resource
    resource.api_version, resource.kind = template.api_version, template.kind
    resource.namespace, resource.name = template.metadata.namespace, template.metadata.name
    resource.uid = template.metadata.uid
    for cluster, replicas in clusters.items():
        binding.spec.clusters.add(name=cluster, replicas=replicas)


async def create_work(
    client: Client, cluster: str, binding: Binding, manifest: dict[str, Any]
) -> work_pb2.Work:
    metadata = manifest["metadata"]
    work = WORK.new(
        name=work_name(manifest["kind"], metadata["name"], metadata.get("namespace", "")),
        namespace=execution_space(cluster),
    )
    if binding.metadata.namespace:
        work.metadata.annotations[RB_NAMESPACE_ANNOTATION] = binding.metadata.namespace
        work.metadata.annotations[RB_NAME_ANNOTATION] = binding.metadata.name
        work.metadata.labels[RB_PERMANENT_ID_LABEL] = binding.metadata.labels[RB_PERMANENT_ID_LABEL]
    else:
        work.metadata.annotations[CRB_NAME_ANNOTATION] = binding.metadata.name
        work.metadata.labels[CRB_PERMANENT_ID_LABEL] = binding.metadata.labels[
            CRB_PERMANENT_ID_LABEL
        ]
    work.spec.workload.manifests.append(from_dict(manifest))
    return await client.create(work)


async def report(
    client: Client,
    work: work_pb2.Work,
    *,
    applied: bool,
    message: str = "",
    status: dict[str, Any] | None = None,
    health: str = "",
) -> work_pb2.Work:
    """Writes a Work's status as the execution and work status controllers would."""
    current = await client.get(WORK, work.metadata.name, work.metadata.namespace)
    del current.status.conditions[:]
    current.status.conditions.append(
        meta_pb2.Condition(
            type="Applied",
            status="True" if applied else "False",
            reason="AppliedSuccessful" if applied else "AppliedFailed",
            message=message,
        )
    )
    del current.status.manifest_statuses[:]
    if status is not None:
        manifest = to_dict(current.spec.workload.manifests[0])
        item = current.status.manifest_statuses.add(health=health)
        group, _, version = manifest["apiVersion"].rpartition("/")
        identifier = item.identifier
        identifier.group, identifier.version, identifier.kind = group, version, manifest["kind"]
        identifier.namespace = manifest["metadata"].get("namespace", "")
        identifier.name = manifest["metadata"]["name"]
        item.status.CopyFrom(from_dict(status))
    return await client.update_status(current)


def items_of(binding: Binding) -> list[tuple[str, bool, str, str, dict[str, Any] | None]]:
    return [
        (
            item.cluster_name,
            item.applied,
            item.applied_message,
            item.health,
            to_dict(item.status) if item.HasField("status") else None,
        )
        for item in binding.status.aggregated_status
    ]


def fully_applied(binding: Binding) -> tuple[str, str] | None:
    condition = find_condition(binding.status.conditions, "FullyApplied")
    return None if condition is None else (condition.status, condition.reason)


def deployment_status(
    replicas: int, *, generation: int = 1, observed: int = 1, template_generation: int = 1
) -> dict[str, Any]:
    return {
        "replicas": replicas,
        "readyReplicas": replicas,
        "availableReplicas": replicas,
        "updatedReplicas": replicas,
        "generation": generation,
        "observedGeneration": observed,
        "resourceTemplateGeneration": template_generation,
    }


async def reconciles(plane: ControlPlane) -> float:
    assert plane.manager is not None
    for family in text_string_to_metric_families(await plane.manager.metrics()):
        for sample in family.samples:
            if (
                sample.name == "karmada_controller_reconcile_total"
                and sample.labels.get("controller") == "bindingStatus"
            ):
                return sum(
                    s.value
                    for s in family.samples
                    if s.name == sample.name and s.labels.get("controller") == "bindingStatus"
                )
    return 0.0
