"""What the propagation benchmark writes: Deployments, their policies, and the memory mix.

A Deployment template is a small nginx Deployment (2 replicas, one container
with requests), as in Karmada's samples. Its PropagationPolicy selects it by
name and duplicates it to the named clusters (every target gets the whole
Deployment, so every target gets an object). The memory mix follows
Karmada's issue #4738 (Deployments next to Secrets, ConfigMaps and Services)
and is propagated by one label-selecting policy per namespace.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from karmada.core.v1.resource_template_pb2 import ResourceTemplate
from karmada.machinery.scheme import PROPAGATION_POLICY, template_kind
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb

DEPLOYMENT = template_kind("apps/v1", "Deployment")
CONFIGMAP = template_kind("v1", "ConfigMap")
SECRET = template_kind("v1", "Secret")
SERVICE = template_kind("v1", "Service")
MIX_LABEL = "bench.karmada.io/mix"


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of the memory mix and its share of the templates (in twelfths)."""

    api_version: str
    kind: str
    twelfths: int


MIX = (
    Kind("apps/v1", "Deployment", 2),
    Kind("v1", "Secret", 2),
    Kind("v1", "ConfigMap", 6),
    Kind("v1", "Service", 2),
)
"""Of 12,000 templates: 2,000 Deployments, 2,000 Secrets, 6,000 ConfigMaps and 2,000
Services: #4738's second example (2,000 Deployments, 2,000 Secrets, 4,000 ConfigMaps,
2,000 Services, 2,000 ServiceExports) with ConfigMaps in place of the ServiceExports,
which bare member API servers do not serve."""


def _deployment_body(name: str) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "nginx",
                            "image": "nginx:1.27",
                            "ports": [{"containerPort": 80}],
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ]
                },
            },
        }
    }


def deployment(namespace: str, name: str, *, labels: dict[str, str] | None = None) -> Any:
    template = DEPLOYMENT.new(name=name, namespace=namespace)
    template.metadata.labels.update(labels or {})
    template.body.update(_deployment_body(name))
    return template


def policy(namespace: str, name: str, clusters: Sequence[str]) -> pp_pb.PropagationPolicy:
    """Duplicates the Deployment `name` to `clusters`."""
    obj = PROPAGATION_POLICY.new(name=name, namespace=namespace)
    obj.spec.resource_selectors.add(api_version="apps/v1", kind="Deployment", name=name)
    obj.spec.placement.cluster_affinity.cluster_names.extend(clusters)
    obj.spec.placement.replica_scheduling.replica_scheduling_type = "Duplicated"
    return obj


def mix_policy(namespace: str, clusters: Sequence[str]) -> pp_pb.PropagationPolicy:
    """Duplicates every kind of the mix labelled MIX_LABEL in `namespace` to `clusters`."""
    obj = PROPAGATION_POLICY.new(name="mix", namespace=namespace)
    for kind in MIX:
        selector = obj.spec.resource_selectors.add(api_version=kind.api_version, kind=kind.kind)
        selector.label_selector.match_labels[MIX_LABEL] = "true"
    obj.spec.placement.cluster_affinity.cluster_names.extend(clusters)
    obj.spec.placement.replica_scheduling.replica_scheduling_type = "Duplicated"
    return obj


def mix_counts(total: int) -> list[tuple[Kind, int]]:
    """How many templates of each kind make `total` (the last kind takes the rounding)."""
    counts = [(kind, total * kind.twelfths // 12) for kind in MIX]
    counts[-1] = (counts[-1][0], total - sum(n for _, n in counts[:-1]))
    return counts


def payload(seed: str, size: int = 1000) -> str:
    """`size` characters of base64 that no compressor shrinks much, the same for the same seed.

    The control plane keeps what it holds compressed, so a memory figure taken
    with repetitive payloads would flatter it; real Secrets and ConfigMaps
    compress far less than "vvvv...".
    """
    raw, digest = b"", seed.encode()
    while len(raw) * 4 // 3 < size:
        digest = hashlib.sha256(digest).digest()
        raw += digest
    return base64.b64encode(raw).decode()[:size]


def mix_template(kind: Kind, namespace: str, index: int) -> ResourceTemplate:
    """The index-th template of `kind` in the mix; ConfigMaps and Secrets carry ~1 KiB."""
    name = f"{kind.kind.lower()}-{index:05d}"
    labels = {MIX_LABEL: "true"}
    if kind.kind == "Deployment":
        obj: ResourceTemplate = deployment(namespace, name, labels=labels)
        return obj
    obj = template_kind(kind.api_version, kind.kind).new(name=name, namespace=namespace)
    obj.metadata.labels.update(labels)
    if kind.kind == "ConfigMap":
        obj.body.update({"data": {"config.yaml": payload(f"{namespace}/{name}")}})
    elif kind.kind == "Secret":
        obj.body.update({"type": "Opaque", "data": {"token": payload(f"{namespace}/{name}")}})
    else:
        obj.body.update(
            {
                "spec": {
                    "selector": {"app": name},
                    "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
                }
            }
        )
    return obj
