"""The OpenAPI v3 documents kubectl reads, and what is deliberately left out of them.

kubectl consults OpenAPI for two decisions, and the simulator answers both
so that plain ``kubectl apply -f`` works without ``--validate=false``:

* validation: kubectl looks in ``/openapi/v3/<group-version>`` for the
  PATCH operation of the kind (``x-kubernetes-group-version-kind``) and its
  ``fieldValidation`` query parameter. Finding it, kubectl leaves
  validation to the server instead of validating against schemas
  (``--validate=strict`` then sends ``fieldValidation=Strict``, which the
  simulator accepts and does not enforce);
* the patch format of ``kubectl apply``: kubectl computes a strategic merge
  patch from the OpenAPI schema only when the PATCH operation lists
  ``application/strategic-merge-patch+json``. The documents here list the
  JSON and merge patch types only, so kubectl falls back to the strategic
  merge metadata compiled into it for built-in kinds (the exact Go struct
  tags) and to JSON merge patch for custom resources, which is what a real
  cluster ends up with. The simulator still accepts strategic merge
  patches for built-in kinds from any client.

Schemas are not published (each kind's schema is an open object), so
``kubectl explain`` has nothing to show. ``/openapi/v2`` is not served:
kubectl treats its absence as "no schema" and carries on.

Documents are derived from the type set and cached on it, hence shared by
all clusters serving the same kinds.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from membersim import errors
from membersim.resources import ResourceType
from membersim.store import encode
from membersim.typeset import TypeSet

_INFO: Final = {"title": "Kubernetes", "version": "v1.37.0+membersim"}
_PATCH_CONTENT: Final = ("application/json-patch+json", "application/merge-patch+json")
_OBJECT_SCHEMA: Final = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _gv_hash(types: TypeSet, group: str, version: str) -> str:
    text = repr(types.in_group_version(group, version)).encode()
    return hashlib.sha256(text).hexdigest()[:32].upper()


def root(types: TypeSet, prefix: str) -> bytes:
    """The ``/openapi/v3`` index: one entry per group-version.

    Args:
        types: what the cluster serves.
        prefix: the cluster's URL path prefix (``/clusters/<name>``); the
            ``serverRelativeURL`` values are relative to the server root.
    """
    paths = {}
    for group, versions in types.groups().items():
        for version in versions:
            gv = _gv_path(group, version)
            url = f"{prefix}/openapi/v3/{gv}?hash={_gv_hash(types, group, version)}"
            paths[gv] = {"serverRelativeURL": url}
    return encode({"paths": paths})


def _schema_name(t: ResourceType) -> str:
    group = ".".join(reversed(t.group.split("."))) if t.group else "core"
    return f"{group}.{t.version}.{t.kind}"


def _operations(t: ResourceType) -> dict[str, Any]:
    gvk = {"group": t.group, "version": t.version, "kind": t.kind}
    ref = {"$ref": f"#/components/schemas/{_schema_name(t)}"}
    ok = {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}}

    def operation(action: str, **extra: Any) -> dict[str, Any]:
        return {
            "operationId": f"{action}{t.kind}",
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": gvk,
            "responses": ok,
            **extra,
        }

    query = [
        {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
        {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
        {
            "name": "fieldValidation",
            "in": "query",
            "schema": {"type": "string", "uniqueItems": True},
        },
    ]
    body = {
        "content": {media: {"schema": {"type": "object"}} for media in _PATCH_CONTENT},
        "required": True,
    }
    return {
        "get": operation("get"),
        "put": operation(
            "put", parameters=query, requestBody={"content": {"application/json": {"schema": ref}}}
        ),
        "patch": operation("patch", parameters=query, requestBody=body),
        "delete": operation("delete"),
    }


def group_version(types: TypeSet, group: str, version: str) -> bytes:
    """The OpenAPI v3 document of one group-version.

    Raises:
        ApiError: 404 for a group-version the cluster does not serve.
    """
    if version not in types.groups().get(group, ()):
        raise errors.path_not_found(f"/openapi/v3/{_gv_path(group, version)}")

    def build(ts: TypeSet) -> bytes:
        paths: dict[str, Any] = {}
        schemas: dict[str, Any] = {}
        base = "/" + _gv_path(group, version)
        for t in ts.in_group_version(group, version):
            scope = f"{base}/namespaces/{{namespace}}" if t.namespaced else base
            paths[f"{scope}/{t.plural}/{{name}}"] = _operations(t)
            schemas[_schema_name(t)] = {
                **_OBJECT_SCHEMA,
                "x-kubernetes-group-version-kind": [
                    {"group": t.group, "version": t.version, "kind": t.kind}
                ],
            }
        return encode(
            {"openapi": "3.0.0", "info": _INFO, "paths": paths, "components": {"schemas": schemas}}
        )

    return types.document(f"openapi:{group}/{version}", build)
