"""Which resource serves an apiVersion/kind in a member, from its discovery API.

A manifest names ``apiVersion`` and ``kind``; the REST path needs the plural
resource name and whether it is namespaced. Guessing plurals breaks on
custom resources and irregular kinds, so we ask the member, as client-go's
RESTMapper does, one group/version at a time and only for the group/versions
actually used. The answer is cached; a kind missing from the cache triggers
one fresh lookup (a CRD may have been installed since), and a kind the member
still does not serve is `NoKindMatch`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from karmada.member.errors import NoKindMatch, NotFound
from karmada.member.transport import Transport


@dataclass(frozen=True)
class ResourceInfo:
    """How to reach one kind over REST."""

    group: str
    version: str
    kind: str
    resource: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def base_path(self) -> str:
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    def collection_path(self, namespace: str = "") -> str:
        """The list/create path; all namespaces if `namespace` is empty."""
        if self.namespaced and namespace:
            return f"{self.base_path}/namespaces/{quote(namespace, safe='')}/{self.resource}"
        return f"{self.base_path}/{self.resource}"

    def object_path(self, name: str, namespace: str = "") -> str:
        return f"{self.collection_path(namespace)}/{quote(name, safe='')}"


def group_version_path(group_version: str) -> str:
    """The discovery path of a group/version ("v1" -> /api/v1)."""
    return f"/apis/{group_version}" if "/" in group_version else f"/api/{group_version}"


def parse_resource_list(resource_list: Mapping[str, Any]) -> dict[str, ResourceInfo]:
    """Kinds of an APIResourceList mapped to their (top-level) resources."""
    group, _, version = str(resource_list.get("groupVersion", "")).rpartition("/")
    kinds: dict[str, ResourceInfo] = {}
    for resource in resource_list.get("resources") or ():
        name = str(resource.get("name", ""))
        if not name or "/" in name:
            continue
        kind = str(resource.get("kind", ""))
        kinds.setdefault(
            kind,
            ResourceInfo(
                group=group,
                version=version,
                kind=kind,
                resource=name,
                namespaced=bool(resource.get("namespaced", False)),
            ),
        )
    return kinds


class Discovery:
    """A cached RESTMapper for one member."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._kinds: dict[str, dict[str, ResourceInfo]] = {}

    async def resource_list(self, group_version: str) -> dict[str, Any]:
        """The member's APIResourceList for a group/version; `NotFound` if not served."""
        result: dict[str, Any] = await self._transport.call(
            "GET", group_version_path(group_version), what=f"discovery of {group_version}"
        )
        return result

    async def group_versions(self) -> list[str]:
        """Every group/version the member serves (core first, then /apis order)."""
        core = await self._transport.call("GET", "/api", what="discovery of /api")
        groups = await self._transport.call("GET", "/apis", what="discovery of /apis")
        result = [str(v) for v in (core or {}).get("versions") or ()]
        for group in (groups or {}).get("groups") or ():
            result.extend(str(v["groupVersion"]) for v in group.get("versions") or ())
        return result

    async def _refresh(self, group_version: str) -> dict[str, ResourceInfo]:
        try:
            kinds = parse_resource_list(await self.resource_list(group_version))
        except NotFound:
            kinds = {}
        self._kinds[group_version] = kinds
        return kinds

    async def resolve(self, api_version: str, kind: str) -> ResourceInfo:
        """The resource serving `kind` in `api_version`; raises `NoKindMatch` if none."""
        cached = self._kinds.get(api_version, {}).get(kind)
        if cached is not None:
            return cached
        info = (await self._refresh(api_version)).get(kind)
        if info is None:
            raise NoKindMatch(
                self._transport.cluster,
                f"the member does not serve kind {kind} in {api_version}",
                status=404,
                reason="NoKindMatch",
            )
        return info

    def invalidate(self) -> None:
        """Forgets everything (e.g. after CRDs changed)."""
        self._kinds.clear()
