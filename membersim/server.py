"""The HTTP front door: one port, every cluster under ``/clusters/<name>``.

The official Python client and kubectl both accept a server URL with a path
(Rancher and Karmada's own cluster proxy rely on that), so one listening
socket serves all simulated clusters: a thousand clusters cost a thousand
dict entries, not a thousand sockets. This module finds the cluster,
checks its bearer token, routes the rest of the path (`membersim.routing`)
and turns any `ApiError` into a Kubernetes ``Status`` response.

As with kube-apiserver's default anonymous access, /version and the health
endpoints need no token; everything else answers 401 without the right one.

Fault injection (`membersim.faults`) is applied here, before routing, and
set through an admin endpoint beside the clusters, unauthenticated (the
simulator listens on loopback)::

    GET    /admin/clusters/<name>/faults   current faults
    POST   /admin/clusters/<name>/faults   replace them: {"unreachable": bool,
           "latencySeconds": float, "errorRate": 0..1,
           "failPods": {"namespace": str, "selector": "app=web"} | null}
    PATCH  /admin/clusters/<name>/faults   change only the fields given
    DELETE /admin/clusters/<name>/faults   clear them

Each answers the resulting faults document. An unreachable cluster has
every connection to its base URL aborted without an answer (and its open
watches closed), so clients fail with a connection error.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Final

from aiohttp import web

from membersim import discovery, errors, handlers, openapi, routing
from membersim.cluster import SimCluster
from membersim.controllers.manager import Controllers
from membersim.faults import FaultError, Faults
from membersim.store import encode

log = logging.getLogger(__name__)

VERSION_INFO: Final = encode(
    {
        "major": "1",
        "minor": "37",
        "gitVersion": "v1.37.0+membersim",
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "",
        "compiler": "membersim",
        "platform": "linux/amd64",
    }
)
_PUBLIC: Final = frozenset({"version", "health"})


@dataclass(slots=True)
class Simulator:
    """Every cluster the process serves, and the settings shared by all of them."""

    clusters: dict[str, SimCluster]
    bookmark_interval: float = 30.0
    controllers: Controllers | None = None


def prefix(cluster: str) -> str:
    return f"/clusters/{cluster}"


def _fixed(sim: SimCluster, route: routing.Fixed) -> web.Response:
    types = sim.registry.types
    match route.endpoint:
        case "version":
            return handlers.respond(VERSION_INFO)
        case "health":
            return web.Response(text="ok", content_type="text/plain")
        case "core-versions":
            return handlers.respond(discovery.CORE_VERSIONS)
        case "groups":
            return handlers.respond(discovery.groups(types))
        case "group":
            return handlers.respond(discovery.group(types, route.group))
        case "resources":
            return handlers.respond(discovery.resources(types, route.group, route.version))
        case "openapi-v3":
            return handlers.respond(openapi.root(types, prefix(sim.name)))
        case "openapi-v3-gv":
            return handlers.respond(openapi.group_version(types, route.group, route.version))
        case _:  # openapi-v2
            raise errors.path_not_found("/openapi/v2")


def _drop(request: web.Request) -> web.Response:
    """Close the connection without an answer: the cluster looks unreachable."""
    if request.transport is not None:
        request.transport.abort()
    raise asyncio.CancelledError


def build_app(sim: Simulator) -> web.Application:
    """The aiohttp application serving every cluster of `sim`."""

    async def handle(request: web.Request) -> web.StreamResponse:
        name = request.match_info["cluster"]
        tail = "/" + request.match_info.get("tail", "")
        cluster = sim.clusters.get(name)
        try:
            if cluster is None:
                raise errors.path_not_found(request.path)
            faults = cluster.faults
            if faults is not None:
                if faults.latency_seconds:
                    await asyncio.sleep(faults.latency_seconds)
                    faults = cluster.faults
                if faults is not None and faults.unreachable:
                    return _drop(request)
                if faults is not None and faults.error_rate and random.random() < faults.error_rate:
                    raise errors.internal("injected fault: the simulated cluster answers 500")
            route = routing.parse(tail)
            public = isinstance(route, routing.Fixed) and route.endpoint in _PUBLIC
            if not public and not cluster.authorized(request.headers.get("Authorization")):
                raise errors.unauthorized()
            if isinstance(route, routing.Fixed):
                if request.method not in ("GET", "HEAD"):
                    raise errors.method_not_allowed(request.method, request.path)
                return _fixed(cluster, route)
            return await handlers.handle(
                request, cluster.registry, route, bookmark_interval=sim.bookmark_interval
            )
        except errors.ApiError as err:
            return handlers.error_response(err)
        except Exception:
            log.exception("Request failed", extra={"cluster": name, "path": request.path})
            return handlers.error_response(errors.internal("an internal error occurred"))

    async def admin(request: web.Request) -> web.Response:
        cluster = sim.clusters.get(request.match_info["cluster"])
        if cluster is None:
            return handlers.error_response(errors.path_not_found(request.path))
        if request.method == "DELETE":
            cluster.faults = None
        elif request.method in ("POST", "PUT", "PATCH"):
            base = (cluster.faults or Faults()) if request.method == "PATCH" else Faults()
            try:
                updated = base.merged(await request.json())
            except (ValueError, FaultError) as err:
                return handlers.error_response(errors.bad_request(str(err)))
            cluster.faults = None if updated.empty else updated
            if updated.unreachable:
                cluster.store.close_watchers()  # open watches end; reconnects are dropped
        elif request.method != "GET":
            return handlers.error_response(errors.method_not_allowed(request.method, request.path))
        if sim.controllers is not None:
            sim.controllers.mark(cluster.name)
        return handlers.respond(encode((cluster.faults or Faults()).to_json()))

    app = web.Application(client_max_size=8 * 1024 * 1024)
    app.router.add_route("*", "/admin/clusters/{cluster}/faults", admin)
    app.router.add_route("*", "/clusters/{cluster}/{tail:.*}", handle)
    app.router.add_route("*", "/clusters/{cluster}", handle)
    return app
