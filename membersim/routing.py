"""URL routing for one simulated cluster: which endpoint a path names.

kube-apiserver's URL space is small and regular: a few fixed endpoints
(``/version``, health, OpenAPI, discovery) and resource paths of the form
``/api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]`` or the same
under ``/apis/{group}/{version}``. Parsing that is pure and table-testable,
so it lives here, apart from the HTTP server; whether a parsed resource
exists is the type set's business (`membersim.typeset`).

The path given is the part after the cluster's prefix
(``/clusters/<name>``), which the server strips.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from membersim import errors

HEALTH_PATHS: Final = frozenset({"healthz", "readyz", "livez"})


@dataclass(frozen=True, slots=True)
class Fixed:
    """A non-resource endpoint.

    Attributes:
        endpoint: which one.
        group: for ``group`` and ``resources`` discovery, and OpenAPI v3 per
            group-version documents: the group ("" for core).
        version: for ``resources`` discovery and OpenAPI v3 documents.
    """

    endpoint: Literal[
        "version",
        "health",
        "openapi-v2",
        "openapi-v3",
        "openapi-v3-gv",
        "core-versions",
        "groups",
        "group",
        "resources",
    ]
    group: str = ""
    version: str = ""


@dataclass(frozen=True, slots=True)
class ResourcePath:
    """A resource collection, object or subresource.

    Attributes:
        group: API group, "" for core.
        version: API version.
        plural: the resource's URL name.
        namespace: the namespace in the path, None for cluster scope or
            a collection across all namespaces.
        name: the object name; None for a collection.
        subresource: ``status`` and the like; None for the object itself.
    """

    group: str
    version: str
    plural: str
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None


Route = Fixed | ResourcePath

# Subresources of a namespace; no namespaced resource is named like these,
# which is how kube-apiserver tells /namespaces/x/status from a collection.
_NAMESPACE_SUBRESOURCES: Final = frozenset({"status", "finalize"})


def parse(path: str) -> Route:
    """Parse a cluster-relative URL path.

    Raises:
        ApiError: 404 NotFound for a path that names no endpoint.
    """
    parts = [p for p in path.split("/") if p]
    if not parts:
        raise errors.path_not_found(path)
    head = parts[0]
    if head == "version" and len(parts) == 1:
        return Fixed("version")
    if head in HEALTH_PATHS:
        return Fixed("health")
    if head == "openapi":
        return _openapi(parts, path)
    if head == "api":
        if len(parts) == 1:
            return Fixed("core-versions")
        if len(parts) == 2:
            return Fixed("resources", group="", version=parts[1])
        return _resource("", parts[1], parts[2:], path)
    if head == "apis":
        if len(parts) == 1:
            return Fixed("groups")
        if len(parts) == 2:
            return Fixed("group", group=parts[1])
        if len(parts) == 3:
            return Fixed("resources", group=parts[1], version=parts[2])
        return _resource(parts[1], parts[2], parts[3:], path)
    raise errors.path_not_found(path)


def _openapi(parts: list[str], path: str) -> Fixed:
    if parts[1:] == ["v2"]:
        return Fixed("openapi-v2")
    if parts[1:] == ["v3"]:
        return Fixed("openapi-v3")
    if len(parts) >= 4 and parts[1] == "v3":
        rest = parts[2:]
        if rest[0] == "api" and len(rest) == 2:
            return Fixed("openapi-v3-gv", group="", version=rest[1])
        if rest[0] == "apis" and len(rest) == 3:
            return Fixed("openapi-v3-gv", group=rest[1], version=rest[2])
    raise errors.path_not_found(path)


def _resource(group: str, version: str, rest: list[str], path: str) -> ResourcePath:
    """Parse what follows ``/api/v1`` or ``/apis/{group}/{version}``."""
    namespace: str | None = None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in _NAMESPACE_SUBRESOURCES:
        namespace, rest = rest[1], rest[2:]
    if len(rest) > 3:
        raise errors.path_not_found(path)
    plural = rest[0]
    name = rest[1] if len(rest) > 1 else None
    subresource = rest[2] if len(rest) > 2 else None
    return ResourcePath(group, version, plural, namespace, name, subresource)
