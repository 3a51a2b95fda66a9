"""Validation of MultiClusterServices and MultiClusterIngresses (networking.karmada.io).

A MultiClusterService names a Service (so its name must be a DNS-1035 label,
like a Service's) and says how to expose it across clusters; the
multi-cluster service controllers act on its types, ports and cluster lists
without further checks. The rules are Karmada's webhook's
(pkg/webhook/multiclusterservice): known exposure types, of which one may be
used and which cannot change later; valid, unique port names and port
numbers; valid cluster names. A MultiClusterIngress is an Ingress spec,
validated by `apiserver.registry.ingress`.
"""

from __future__ import annotations

from google.protobuf.message import Message

from apiserver.registry.fields import duplicate, port_number
from apiserver.registry.ingress import validate_ingress_spec
from apiserver.registry.selectors import cluster_names, required_cluster_name
from apiserver.registry.strategy import Strategy
from karmada.machinery import validation as v
from karmada.machinery.scheme import MULTI_CLUSTER_INGRESS, MULTI_CLUSTER_SERVICE
from karmada.machinery.validation import FieldViolation, join_path
from karmada.networking.v1alpha1 import multi_cluster_ingress_pb2 as mci_pb
from karmada.networking.v1alpha1 import multi_cluster_service_pb2 as mcs_pb

EXPOSURE_TYPES = ("CrossCluster", "LoadBalancer")


def validate_service_spec(spec: mcs_pb.MultiClusterServiceSpec) -> list[FieldViolation]:
    """Validate a MultiClusterServiceSpec."""
    out = v.required(spec.types, "spec.types")
    for i, exposure in enumerate(spec.types):
        out += v.one_of(exposure, EXPOSURE_TYPES, f"spec.types[{i}]", required=True)
    if len(set(spec.types)) > 1:
        out.append(v.invalid("spec.types", list(spec.types), "must not contain more than one type"))
    names: set[str] = set()
    for i, port in enumerate(spec.ports):
        at = f"spec.ports[{i}]"
        if port.name:
            name_path = join_path(at, "name")
            out += v.dns1123_label(port.name, name_path)
            if port.name in names:
                out.append(duplicate(name_path, port.name))
            names.add(port.name)
        out += port_number(port.port, join_path(at, "port"))
    out += cluster_names(spec.range.cluster_names, "spec.range.clusterNames")
    out += cluster_names(spec.service_provision_clusters, "spec.serviceProvisionClusters")
    out += cluster_names(spec.service_consumption_clusters, "spec.serviceConsumptionClusters")
    for field, selectors in (
        ("providerClusters", spec.provider_clusters),
        ("consumerClusters", spec.consumer_clusters),
    ):
        for i, selector in enumerate(selectors):
            out += required_cluster_name(selector.name, f"spec.{field}[{i}].name")
    return out


def _validate_service(obj: Message) -> list[FieldViolation]:
    assert isinstance(obj, mcs_pb.MultiClusterService)
    return validate_service_spec(obj.spec)


def _validate_service_update(new: Message, old: Message) -> list[FieldViolation]:
    assert isinstance(new, mcs_pb.MultiClusterService)
    assert isinstance(old, mcs_pb.MultiClusterService)
    if list(new.spec.types) != list(old.spec.types):
        return [v.invalid("spec.types", list(new.spec.types), "field is immutable")]
    return []


def _validate_ingress(obj: Message) -> list[FieldViolation]:
    assert isinstance(obj, mci_pb.MultiClusterIngress)
    return validate_ingress_spec(obj.spec, "spec")


MULTI_CLUSTER_SERVICE_STRATEGY = Strategy(
    kind=MULTI_CLUSTER_SERVICE,  # type: ignore[arg-type]
    validate_spec=_validate_service,
    validate_update=_validate_service_update,
    name_rule=v.dns1035_label,
)
MULTI_CLUSTER_INGRESS_STRATEGY = Strategy(
    kind=MULTI_CLUSTER_INGRESS,  # type: ignore[arg-type]
    validate_spec=_validate_ingress,
)
STRATEGIES = (MULTI_CLUSTER_SERVICE_STRATEGY, MULTI_CLUSTER_INGRESS_STRATEGY)
