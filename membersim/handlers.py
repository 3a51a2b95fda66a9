"""HTTP verbs on resource paths: the REST mapping of kube-apiserver.

| method | collection              | object              | ``/status``  |
|--------|-------------------------|---------------------|--------------|
| GET    | list, or watch          | get                 | get          |
| POST   | create                  |                     |              |
| PUT    |                         | replace             | replace      |
| PATCH  |                         | patch (3 formats)   | patch        |
| DELETE | delete collection       | delete              |              |

This module turns query parameters, headers and bodies into registry calls
and registry results into response bodies (lists are assembled from the
stored bytes, not re-encoded); the semantics live in `membersim.registry`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import yaml
from aiohttp import web

from karmada.machinery.labels import SelectorError, parse_selector
from membersim import errors, jsonpatch, mergepatch, scale, tables, watch
from membersim import fieldselector as fields
from membersim.registry import (
    PROPAGATIONS,
    DeleteOptions,
    ListOptions,
    ListResult,
    PatchType,
    Propagation,
    Registry,
)
from membersim.resources import ResourceType
from membersim.routing import ResourcePath
from membersim.store import StoredObject, encode

JSON: Final = "application/json"
PROTOBUF: Final = "application/vnd.kubernetes.protobuf"
_PATCH_TYPES: Final[dict[str, PatchType]] = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
}
_TRUE: Final = frozenset({"true", "1"})


def respond(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type=JSON)


def error_response(err: errors.ApiError) -> web.Response:
    return respond(encode(err.status()), err.code)


async def _body(request: web.Request) -> Any:
    if request.content_type == PROTOBUF:
        raise errors.unsupported_media_type(
            PROTOBUF, "the simulator reads JSON and YAML bodies only, not Kubernetes protobuf"
        )
    raw = await request.read()
    if not raw:
        raise errors.bad_request("the request has no body")
    try:
        if request.content_type in ("application/yaml", "application/x-yaml"):
            return yaml.safe_load(raw)
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as err:
        raise errors.bad_request(f"the request body could not be decoded: {err}") from None


def _list_options(query: Mapping[str, str]) -> ListOptions:
    try:
        labels = parse_selector(query.get("labelSelector", ""))
    except SelectorError as err:
        raise errors.bad_request(f"unable to parse requirement: {err}") from None
    try:
        field_selector = fields.parse(query.get("fieldSelector", ""))
    except fields.FieldSelectorError as err:
        raise errors.bad_request(str(err)) from None
    limit = query.get("limit", "0")
    if not limit.isdigit():
        raise errors.bad_request(f"invalid limit: {limit!r}")
    return ListOptions(labels, field_selector, int(limit), query.get("continue", ""))


def _list_body(registry: Registry, rtype: ResourceType, result: ListResult) -> bytes:
    meta: dict[str, Any] = {"resourceVersion": str(result.resource_version)}
    if result.continue_token:
        meta["continue"] = result.continue_token
    if result.remaining is not None:
        meta["remainingItemCount"] = result.remaining
    head = encode({"kind": rtype.list_kind, "apiVersion": rtype.api_version, "metadata": meta})
    items = b",".join(registry.present(rtype, s) for s in result.items)
    return head[:-1] + b',"items":[' + items + b"]}"


def _dry_run(query: Mapping[str, str]) -> bool:
    value = query.get("dryRun")
    if value is None:
        return False
    if value != "All":
        raise errors.bad_request(f"unsupported dryRun value {value!r}: only All is supported")
    return True


async def _delete_options(request: web.Request) -> DeleteOptions:
    body: dict[str, Any] = {}
    if request.can_read_body:
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError as err:
                raise errors.bad_request(f"the request body could not be decoded: {err}") from None
            if not isinstance(body, dict):
                raise errors.bad_request("DeleteOptions must be a JSON object")
    preconditions = body.get("preconditions") or {}
    dry_run = _dry_run(request.query) or "All" in (body.get("dryRun") or [])
    return DeleteOptions(
        precondition_uid=preconditions.get("uid"),
        precondition_resource_version=preconditions.get("resourceVersion"),
        dry_run=dry_run,
        propagation=_propagation(request.query, body),
    )


def _propagation(query: Mapping[str, str], body: Mapping[str, Any]) -> Propagation | None:
    """``propagationPolicy`` or the legacy ``orphanDependents``, from the body or the query."""
    policy = body.get("propagationPolicy")
    if policy is None:
        policy = query.get("propagationPolicy")
    orphan: Any = body.get("orphanDependents")
    if orphan is None and "orphanDependents" in query:
        orphan = query["orphanDependents"].lower() in _TRUE
    if policy is not None and orphan is not None:
        raise errors.unprocessable(
            "DeleteOptions.meta.k8s.io is invalid: orphanDependents and deletionPropagation "
            "cannot be both set"
        )
    if orphan is not None:
        return "Orphan" if orphan else "Background"
    if policy is None or policy == "":
        return None
    for known in PROPAGATIONS:
        if policy == known:
            return known
    raise errors.unprocessable(
        f"DeleteOptions.meta.k8s.io is invalid: propagationPolicy: Unsupported value: "
        f'"{policy}": supported values: "Foreground", "Background", "Orphan"'
    )


def _deleted_status(rtype: ResourceType, stored: StoredObject) -> bytes:
    uid = json.loads(stored.raw).get("metadata", {}).get("uid", "")
    details: dict[str, Any] = {"name": stored.name, "kind": rtype.plural, "uid": uid}
    if rtype.group:
        details["group"] = rtype.group
    return encode(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": details,
        }
    )


async def handle(
    request: web.Request, registry: Registry, route: ResourcePath, *, bookmark_interval: float
) -> web.StreamResponse:
    """Serve one request on a resource path.

    Raises:
        ApiError: for every failure; the caller renders it as a Status.
    """
    rtype = registry.resolve(route.group, route.version, route.plural)
    if route.namespace is not None and not rtype.namespaced:
        raise errors.path_not_found(request.path)
    if route.subresource == "scale" and rtype.key in scale.SCALABLE and route.name:
        return await _scale(request, registry, rtype, route.namespace, route.name)
    if route.subresource is not None and not (route.subresource == "status" and rtype.status):
        raise errors.path_not_found(request.path)
    namespace = route.namespace if rtype.namespaced else None
    method = request.method
    query = request.query
    if route.name is None:
        return await _collection(
            request, registry, rtype, namespace, bookmark_interval=bookmark_interval
        )
    name = route.name
    status_only = route.subresource == "status"
    if method == "GET":
        stored = registry.get(rtype, namespace or "", name)
        if tables.wants_table(request.headers.get("Accept", "")):
            return respond(
                tables.table(
                    rtype,
                    [stored],
                    resource_version=stored.resource_version,
                    include=query.get("includeObject", ""),
                )
            )
        return respond(registry.present(rtype, stored))
    if method == "PUT":
        stored = registry.update(
            rtype,
            namespace,
            name,
            await _body(request),
            status_only=status_only,
            dry_run=_dry_run(query),
        )
        return respond(registry.present(rtype, stored))
    if method == "PATCH":
        content_type = request.content_type
        patch_type = _PATCH_TYPES.get(content_type)
        if patch_type is None:
            raise errors.unsupported_media_type(
                content_type,
                "accepted patch types are application/json-patch+json, application/merge-patch+json "
                "and application/strategic-merge-patch+json (server-side apply is not supported)",
            )
        stored = registry.patch(
            rtype,
            namespace,
            name,
            patch_type,
            await _body(request),
            status_only=status_only,
            dry_run=_dry_run(query),
        )
        return respond(registry.present(rtype, stored))
    if method == "DELETE" and not status_only:
        stored, gone = registry.delete(rtype, namespace, name, await _delete_options(request))
        if gone and not rtype.return_deleted:
            return respond(_deleted_status(rtype, stored))
        return respond(registry.present(rtype, stored))
    raise errors.method_not_allowed(method, request.path)


async def _scale(
    request: web.Request,
    registry: Registry,
    rtype: ResourceType,
    namespace: str | None,
    name: str,
) -> web.Response:
    """The ``/scale`` subresource: an autoscaling/v1 Scale view of spec.replicas."""
    stored = registry.get(rtype, namespace or "", name)
    if request.method == "GET":
        return respond(encode(scale.view(stored.decode())))
    if request.method == "PUT":
        wanted = await _body(request)
    elif request.method == "PATCH":
        patch_type = _PATCH_TYPES.get(request.content_type)
        if patch_type is None:
            raise errors.unsupported_media_type(request.content_type, "unsupported patch type")
        current = scale.view(stored.decode())
        try:
            if patch_type == "json":
                wanted = jsonpatch.apply(current, await _body(request))
            else:
                wanted = mergepatch.apply(current, await _body(request))
        except jsonpatch.JsonPatchError as err:
            raise errors.unprocessable(str(err)) from None
    else:
        raise errors.method_not_allowed(request.method, request.path)
    obj = stored.decode()
    version = (
        (wanted.get("metadata") or {}).get("resourceVersion") if isinstance(wanted, dict) else None
    )
    replicas = scale.replicas_of(wanted)
    obj.setdefault("spec", {})["replicas"] = replicas
    if not version:
        obj["metadata"].pop("resourceVersion", None)
    else:
        obj["metadata"]["resourceVersion"] = version
    updated = registry.update(rtype, namespace, name, obj, dry_run=_dry_run(request.query))
    return respond(encode(scale.view(updated.decode())))


async def _collection(
    request: web.Request,
    registry: Registry,
    rtype: ResourceType,
    namespace: str | None,
    *,
    bookmark_interval: float,
) -> web.StreamResponse:
    method = request.method
    query = request.query
    accept = request.headers.get("Accept", "")
    if method == "GET":
        opts = _list_options(query)
        if query.get("watch", "").lower() in _TRUE:
            timeout = query.get("timeoutSeconds")
            wopts = watch.WatchOptions(
                resource_version=query.get("resourceVersion", ""),
                bookmarks=query.get("allowWatchBookmarks", "").lower() in _TRUE,
                send_initial_events=query.get("sendInitialEvents", "").lower() in _TRUE,
                timeout=float(timeout) if timeout and timeout.isdigit() else None,
                table=tables.wants_table(accept),
                include_object=query.get("includeObject", ""),
            )
            return await watch.serve(
                request,
                registry,
                rtype,
                namespace=namespace,
                opts=opts,
                wopts=wopts,
                bookmark_interval=bookmark_interval,
            )
        result = registry.list(rtype, namespace, opts)
        if tables.wants_table(accept):
            return respond(
                tables.table(
                    rtype,
                    result.items,
                    resource_version=result.resource_version,
                    continue_token=result.continue_token,
                    include=query.get("includeObject", ""),
                )
            )
        return respond(_list_body(registry, rtype, result))
    if method == "POST":
        stored = registry.create(rtype, namespace, await _body(request), dry_run=_dry_run(query))
        return respond(registry.present(rtype, stored), 201)
    if method == "DELETE":
        opts = _list_options(query)
        delete_opts = await _delete_options(request)
        deleted = []
        for stored in registry.list(rtype, namespace, opts).items:
            last, _ = registry.delete(rtype, stored.namespace or None, stored.name, delete_opts)
            deleted.append(last)
        result = ListResult(deleted, registry.store.resource_version)
        return respond(_list_body(registry, rtype, result))
    raise errors.method_not_allowed(method, request.path)
