"""Validation of an Ingress spec, as Kubernetes' networking validation.

A MultiClusterIngress carries a networking.k8s.io/v1 IngressSpec that is
handed to an ingress controller; Karmada's webhook validates it with the
lifted Kubernetes rules (pkg/util/lifted ValidateIngressSpec, with invalid
secret names and wildcard host rules disallowed). This module reproduces
those rules and their wording: rules or a default backend, host names that
are DNS names (optionally wildcards) and not IPs, absolute paths with a
known pathType, exactly one backend with a valid Service name and port.
"""

from __future__ import annotations

import ipaddress
import re

from apiserver.registry.fields import port_name, port_number
from karmada.machinery import validation as v
from karmada.machinery.validation import FieldViolation, join_path
from karmada.networking.v1alpha1 import multi_cluster_ingress_pb2 as pb

PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")
_WILDCARD_FMT = r"\*\." + "[a-z0-9]([-a-z0-9]*[a-z0-9])?" + r"(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_WILDCARD_RE = re.compile(_WILDCARD_FMT)
_WILDCARD_MSG = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
    "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
    "alphanumeric character (e.g. '*.example.com', regex used for validation is "
    f"'{_WILDCARD_FMT}')"
)


def _host(host: str, path: str) -> list[FieldViolation]:
    """A DNS subdomain, or a ``*.`` wildcard when it contains ``*``."""
    if "*" in host:
        out = []
        if len(host) > v.DNS1123_SUBDOMAIN_MAX_LENGTH:
            out.append(v.invalid(path, host, "must be no more than 253 characters"))
        if not _WILDCARD_RE.fullmatch(host):
            out.append(v.invalid(path, host, _WILDCARD_MSG))
        return out
    return v.dns1123_subdomain(host, path)


def _path_segment(value: str, path: str, what: str) -> list[FieldViolation]:
    if not value:
        return [v.required_value(path, f"{what} is required")]
    if value in (".", ".."):
        return [v.invalid(path, value, f"may not be '{value}'")]
    return [v.invalid(path, value, f"may not contain '{c}'") for c in ("/", "%") if c in value]


def validate_ingress_spec(spec: pb.IngressSpec, path: str) -> list[FieldViolation]:
    """Validate an IngressSpec at `path` (e.g. ``spec``)."""
    out: list[FieldViolation] = []
    if not spec.rules and not spec.HasField("default_backend"):
        out.append(
            v.required_value(
                join_path(path, "rules"), "either `defaultBackend` or `rules` must be specified"
            )
        )
    if spec.HasField("default_backend"):
        out += _backend(spec.default_backend, join_path(path, "defaultBackend"))
    for i, rule in enumerate(spec.rules):
        at = join_path(path, "rules", i)
        if rule.host:
            host_path = join_path(at, "host")
            try:
                ipaddress.ip_address(rule.host)
            except ValueError:
                pass
            else:
                out.append(v.invalid(host_path, rule.host, "must be a DNS name, not an IP address"))
            out += _host(rule.host, host_path)
        if rule.HasField("http"):
            out += _http(rule.http, join_path(at, "http"))
    for i, tls in enumerate(spec.tls):
        at = join_path(path, "tls", i)
        for j, host in enumerate(tls.hosts):
            out += _host(host, join_path(at, "hosts", j))
        if tls.secret_name:
            out += v.dns1123_subdomain(tls.secret_name, join_path(at, "secretName"))
    if spec.HasField("ingress_class_name"):
        out += v.dns1123_subdomain(spec.ingress_class_name, join_path(path, "ingressClassName"))
    return out


def _http(http: pb.HTTPIngressRuleValue, path: str) -> list[FieldViolation]:
    paths_path = join_path(path, "paths")
    out = v.required(http.paths, paths_path)
    for i, rule in enumerate(http.paths):
        at = join_path(paths_path, i)
        type_path, value_path = join_path(at, "pathType"), join_path(at, "path")
        if not rule.HasField("path_type"):
            out.append(v.required_value(type_path, "pathType must be specified"))
        elif rule.path_type in ("Exact", "Prefix"):
            if not rule.path.startswith("/"):
                out.append(v.invalid(value_path, rule.path, "must be an absolute path"))
            out += [
                v.invalid(value_path, rule.path, f"must not contain '{seq}'")
                for seq in _INVALID_PATH_SEQUENCES
                if seq in rule.path
            ]
            out += [
                v.invalid(value_path, rule.path, f"cannot end with '{suffix}'")
                for suffix in _INVALID_PATH_SUFFIXES
                if rule.path.endswith(suffix)
            ]
        elif rule.path_type == "ImplementationSpecific":
            if rule.path and not rule.path.startswith("/"):
                out.append(v.invalid(value_path, rule.path, "must be an absolute path"))
        else:
            out.append(v.not_supported(type_path, rule.path_type, PATH_TYPES))
        out += _backend(rule.backend, join_path(at, "backend"))
    return out


def _backend(backend: pb.IngressBackend, path: str) -> list[FieldViolation]:
    has_service, has_resource = backend.HasField("service"), backend.HasField("resource")
    if has_service and has_resource:
        return [v.invalid(path, "", "cannot set both resource and service backends")]
    if has_resource:
        ref, at = backend.resource, join_path(path, "resource")
        out = _path_segment(ref.kind, join_path(at, "kind"), "kind")
        out += _path_segment(ref.name, join_path(at, "name"), "name")
        if ref.HasField("api_group") and ref.api_group:
            out += v.dns1123_subdomain(ref.api_group, join_path(at, "apiGroup"))
        return out
    if not has_service:
        return [v.required_value(path, "resource or service backend is required")]
    service, at = backend.service, join_path(path, "service")
    name_path = join_path(at, "name")
    out = (
        v.dns1035_label(service.name, name_path) if service.name else [v.required_value(name_path)]
    )
    port = service.port
    if port.name and port.number:
        out.append(v.invalid(join_path(at, "port"), "", "cannot set both port name & port number"))
    elif port.name:
        out += port_name(port.name, join_path(at, "port", "name"))
    elif port.number:
        out += port_number(port.number, join_path(at, "port", "number"))
    else:
        out.append(v.required_value(join_path(at, "port"), "port name or number is required"))
    return out
