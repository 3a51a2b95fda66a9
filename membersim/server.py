"""The HTTP front door: one port, every cluster under ``/clusters/<name>``.

The official Python client and kubectl both accept a server URL with a path
(Rancher and Karmada's own cluster proxy rely on that), so one listening
socket serves all simulated clusters: a thousand clusters cost a thousand
dict entries, not a thousand sockets. This module finds the cluster,
checks its bearer token, routes the rest of the path (`membersim.routing`)
and turns any `ApiError` into a Kubernetes ``Status`` response.

As with kube-apiserver's default anonymous access, /version and the health
endpoints need no token; everything else answers 401 without the right one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from aiohttp import web

from membersim import discovery, errors, handlers, openapi, routing
from membersim.cluster import SimCluster
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


def build_app(sim: Simulator) -> web.Application:
    """The aiohttp application serving every cluster of `sim`."""

    async def handle(request: web.Request) -> web.StreamResponse:
        name = request.match_info["cluster"]
        tail = "/" + request.match_info.get("tail", "")
        cluster = sim.clusters.get(name)
        try:
            if cluster is None:
                raise errors.path_not_found(request.path)
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

    app = web.Application(client_max_size=8 * 1024 * 1024)
    app.router.add_route("*", "/clusters/{cluster}/{tail:.*}", handle)
    app.router.add_route("*", "/clusters/{cluster}", handle)
    return app
