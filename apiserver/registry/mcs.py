"""Validation of ServiceExports and ServiceImports (multicluster.x-k8s.io, the MCS API).

Both kinds are named after a Service (a ServiceImport becomes the Service
``derived-<name>``), so their names must be DNS-1035 labels as Service names
are. A ServiceImport also describes the service to build: its type and ports
follow the MCS API schema (ClusterSetIP or Headless; TCP, UDP or SCTP ports
numbered 1-65535, with unique DNS-label names) and its IPs must parse. As
Kubernetes does for Service ports, an unset protocol defaults to TCP.
"""

from __future__ import annotations

from google.protobuf.message import Message

from apiserver.registry.fields import duplicate, ip_address, port_number
from apiserver.registry.selectors import required_cluster_name
from apiserver.registry.strategy import Strategy
from karmada.machinery import validation as v
from karmada.machinery.scheme import SERVICE_EXPORT, SERVICE_IMPORT
from karmada.machinery.validation import FieldViolation, join_path
from karmada.multicluster.v1alpha1 import service_export_pb2, service_import_pb2

IMPORT_TYPES = ("ClusterSetIP", "Headless")
PROTOCOLS = ("TCP", "UDP", "SCTP")
SESSION_AFFINITIES = ("ClientIP", "None")
IP_FAMILIES = ("IPv4", "IPv6")
MAX_IPS = 2
MAX_SESSION_TIMEOUT_SECONDS = 86_400


def _validate_export(obj: Message) -> list[FieldViolation]:
    assert isinstance(obj, service_export_pb2.ServiceExport)
    out = v.labels(obj.spec.exported_labels, "spec.exportedLabels")
    out += v.annotations(obj.spec.exported_annotations, "spec.exportedAnnotations")
    return out


def _default_import(obj: Message) -> None:
    assert isinstance(obj, service_import_pb2.ServiceImport)
    for port in obj.spec.ports:
        if not port.protocol:
            port.protocol = "TCP"


def validate_import_spec(spec: service_import_pb2.ServiceImportSpec) -> list[FieldViolation]:
    """Validate a ServiceImportSpec."""
    out = v.one_of(spec.type, IMPORT_TYPES, "spec.type", required=True)
    if len(spec.ips) > MAX_IPS:
        out.append(
            FieldViolation(
                "spec.ips", f"Too many: {len(spec.ips)}: must have at most {MAX_IPS} items"
            )
        )
    for i, ip in enumerate(spec.ips):
        out += ip_address(ip, f"spec.ips[{i}]")
    names: set[str] = set()
    for i, port in enumerate(spec.ports):
        at = f"spec.ports[{i}]"
        if port.name:
            name_path = join_path(at, "name")
            out += v.dns1123_label(port.name, name_path)
            if port.name in names:
                out.append(duplicate(name_path, port.name))
            names.add(port.name)
        out += v.one_of(port.protocol, PROTOCOLS, join_path(at, "protocol"), required=True)
        out += port_number(port.port, join_path(at, "port"))
    out += v.one_of(
        spec.session_affinity, SESSION_AFFINITIES, "spec.sessionAffinity", required=False
    )
    client_ip = spec.session_affinity_config.client_ip
    if client_ip.HasField("timeout_seconds") and not (
        0 < client_ip.timeout_seconds <= MAX_SESSION_TIMEOUT_SECONDS
    ):
        out.append(
            v.invalid(
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                client_ip.timeout_seconds,
                f"must be greater than 0 and less than or equal to {MAX_SESSION_TIMEOUT_SECONDS}",
            )
        )
    for i, family in enumerate(spec.ip_families):
        out += v.one_of(family, IP_FAMILIES, f"spec.ipFamilies[{i}]", required=True)
    return out


def _validate_import(obj: Message) -> list[FieldViolation]:
    assert isinstance(obj, service_import_pb2.ServiceImport)
    return validate_import_spec(obj.spec)


def _validate_import_status(obj: Message) -> list[FieldViolation]:
    assert isinstance(obj, service_import_pb2.ServiceImport)
    out: list[FieldViolation] = []
    for i, cluster in enumerate(obj.status.clusters):
        out += required_cluster_name(cluster.cluster, f"status.clusters[{i}].cluster")
    return out


SERVICE_EXPORT_STRATEGY = Strategy(
    kind=SERVICE_EXPORT,  # type: ignore[arg-type]
    validate_spec=_validate_export,
    name_rule=v.dns1035_label,
)
SERVICE_IMPORT_STRATEGY = Strategy(
    kind=SERVICE_IMPORT,  # type: ignore[arg-type]
    validate_spec=_validate_import,
    validate_status_fields=_validate_import_status,
    defaulter=_default_import,
    name_rule=v.dns1035_label,
)
STRATEGIES = (SERVICE_EXPORT_STRATEGY, SERVICE_IMPORT_STRATEGY)
