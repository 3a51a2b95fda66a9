"""Builders and probes shared by the detector's end-to-end tests."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from karmada.core.v1 import resource_template_pb2
from karmada.machinery import errors
from karmada.machinery.client import Client
from karmada.machinery.scheme import (
    CLUSTER_RESOURCE_BINDING,
    NAMESPACE,
    PROPAGATION_POLICY,
    RESOURCE_BINDING,
    template_kind,
)
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb
from karmada.work.v1alpha2 import cluster_resource_binding_pb2 as crb_pb
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb

DEPLOYMENT = template_kind("apps/v1", "Deployment")
CONFIGMAP = template_kind("v1", "ConfigMap")
CLUSTER_ROLE = template_kind("rbac.authorization.k8s.io/v1", "ClusterRole")

PP_ID = "propagationpolicy.karmada.io/permanent-id"
PP_NAMESPACE = "propagationpolicy.karmada.io/namespace"
PP_NAME = "propagationpolicy.karmada.io/name"
CPP_ID = "clusterpropagationpolicy.karmada.io/permanent-id"
CPP_NAME = "clusterpropagationpolicy.karmada.io/name"
RB_ID = "resourcebinding.karmada.io/permanent-id"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


async def namespace(client: Client, name: str = "", *, prefix: str = "test") -> str:
    """Creates a namespace (a new unique one unless `name` is given) and returns its name."""
    name = name or unique(prefix)
    with contextlib.suppress(errors.AlreadyExists):
        await client.create(NAMESPACE.new(name=name))
    return name


def deployment(
    namespace: str,
    name: str,
    *,
    replicas: int = 3,
    labels: dict[str, str] | None = None,
    config: str = "",
) -> resource_template_pb2.ResourceTemplate:
    pod: dict[str, Any] = {
        "containers": [
            {
                "name": "app",
                "image": "nginx:1.27",
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
            }
        ]
    }
    if config:
        pod["volumes"] = [{"name": "config", "configMap": {"name": config}}]
    template = DEPLOYMENT.new(name=name, namespace=namespace)
    template.metadata.labels.update(labels or {})
    template.body.update(
        {
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": pod},
            }
        }
    )
    return template


def policy(
    namespace: str, name: str, *selectors: pp_pb.ResourceSelector, **spec: Any
) -> pp_pb.PropagationPolicy:
    created = PROPAGATION_POLICY.new(name=name, namespace=namespace)
    created.spec.resource_selectors.extend(selectors)
    created.spec.placement.cluster_affinity.cluster_names.append("member1")
    for field, value in spec.items():
        if isinstance(value, list):
            getattr(created.spec, field).extend(value)
        else:
            setattr(created.spec, field, value)
    return created


def deployments(**fields: Any) -> pp_pb.ResourceSelector:
    labels = fields.pop("labels", None)
    selector = pp_pb.ResourceSelector(api_version="apps/v1", kind="Deployment", **fields)
    if labels is not None:
        selector.label_selector.match_labels.update(labels)
    return selector


async def binding(client: Client, namespace: str, name: str) -> rb_pb.ResourceBinding | None:
    try:
        return await client.get(RESOURCE_BINDING, name, namespace)
    except errors.NotFound:
        return None


async def cluster_binding(client: Client, name: str) -> crb_pb.ClusterResourceBinding | None:
    try:
        return await client.get(CLUSTER_RESOURCE_BINDING, name)
    except errors.NotFound:
        return None
