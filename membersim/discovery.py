"""Discovery documents: /api, /apis, /apis/<group> and each group-version's resources.

The official client's DynamicClient, kubectl's REST mapper and
``kubectl api-resources`` learn what a cluster serves from these
documents, so they list each resource with its kind, scope, verbs, short
names, categories and ``/status`` subresource, exactly in the legacy
(``APIGroupList``/``APIResourceList``) form. Clients that ask for
aggregated discovery first fall back to this form when the response is
plain ``application/json``.

The documents depend only on the cluster's type set, so they are built
once per `TypeSet` and shared by every cluster serving that set.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Final

from membersim import errors
from membersim.scale import SCALABLE
from membersim.store import encode
from membersim.typeset import TypeSet

CORE_VERSIONS: Final = encode(
    {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
)


def _group_entry(group: str, versions: list[str]) -> dict[str, Any]:
    listed = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": listed, "preferredVersion": listed[0]}


def groups(types: TypeSet) -> bytes:
    """The ``APIGroupList`` served at /apis."""

    def build(ts: TypeSet) -> bytes:
        entries = [_group_entry(g, vs) for g, vs in ts.groups().items() if g]
        return encode({"kind": "APIGroupList", "apiVersion": "v1", "groups": entries})

    return types.document("discovery:groups", build)


def group(types: TypeSet, name: str) -> bytes:
    """The ``APIGroup`` served at /apis/<group>.

    Raises:
        ApiError: 404 for a group the cluster does not serve.
    """
    versions = types.groups().get(name)
    if not name or not versions:
        raise errors.path_not_found(f"/apis/{name}")
    found = versions

    def build(ts: TypeSet) -> bytes:
        return encode({"kind": "APIGroup", "apiVersion": "v1", **_group_entry(name, found)})

    return types.document(f"discovery:group:{name}", build)


def _storage_hash(group: str, version: str, kind: str) -> str:
    digest = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def resources(types: TypeSet, group: str, version: str) -> bytes:
    """The ``APIResourceList`` of one group-version.

    Raises:
        ApiError: 404 for a group-version the cluster does not serve.
    """
    if version not in types.groups().get(group, ()):
        raise errors.path_not_found(f"/apis/{group}/{version}" if group else f"/api/{version}")

    def build(ts: TypeSet) -> bytes:
        listed: list[dict[str, Any]] = []
        for t in ts.in_group_version(group, version):
            entry: dict[str, Any] = {
                "name": t.plural,
                "singularName": t.singular,
                "namespaced": t.namespaced,
                "kind": t.kind,
                "verbs": list(t.verbs),
                "storageVersionHash": _storage_hash(
                    t.group, t.storage_version or t.version, t.kind
                ),
            }
            if t.short_names:
                entry["shortNames"] = list(t.short_names)
            if t.categories:
                entry["categories"] = list(t.categories)
            listed.append(entry)
            if t.status:
                listed.append(
                    {
                        "name": f"{t.plural}/status",
                        "singularName": "",
                        "namespaced": t.namespaced,
                        "kind": t.kind,
                        "verbs": ["get", "patch", "update"],
                    }
                )
            if t.key in SCALABLE:
                listed.append(
                    {
                        "name": f"{t.plural}/scale",
                        "singularName": "",
                        "namespaced": t.namespaced,
                        "group": "autoscaling",
                        "version": "v1",
                        "kind": "Scale",
                        "verbs": ["get", "patch", "update"],
                    }
                )
        group_version = f"{group}/{version}" if group else version
        return encode(
            {
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": group_version,
                "resources": listed,
            }
        )

    return types.document(f"discovery:resources:{group}/{version}", build)
