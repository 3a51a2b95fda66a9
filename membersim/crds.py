"""CustomResourceDefinitions: validating them, and the types they add.

Creating a CRD makes its kind appear in discovery and its REST paths work,
as it does in kube-apiserver; this module is the pure part of that: it
checks a CRD the way the apiextensions validation does for the fields that
decide routing (name, group, names, scope, versions), derives one
`ResourceType` per served version, and fills the status the apiextensions
controllers would write (NamesAccepted, Established, acceptedNames,
storedVersions).

Schemas are accepted and stored but not enforced: custom objects are
neither validated nor pruned against ``openAPIV3Schema``.

The MCS kinds (ServiceExport, ServiceImport of multicluster.x-k8s.io)
are installed in every cluster at start, as in a member Karmada manages.
"""

from __future__ import annotations

from typing import Any, Final

from karmada.machinery import validation
from membersim import errors
from membersim.resources import CUSTOMRESOURCEDEFINITIONS, ResourceType


def _invalid(name: str, causes: list[tuple[str, str]]) -> errors.ApiError:
    return errors.invalid(
        group=CUSTOMRESOURCEDEFINITIONS.group,
        kind="CustomResourceDefinition",
        name=name,
        causes=causes,
    )


def validate(crd: dict[str, Any]) -> None:
    """Check the fields that decide how a CRD's kind is served.

    Raises:
        ApiError: 422 Invalid listing each bad field.
    """
    meta = crd.get("metadata") or {}
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    name = meta.get("name", "")
    group = spec.get("group", "")
    plural = names.get("plural", "")
    causes: list[tuple[str, str]] = []
    if not group:
        causes.append(("spec.group", "Required value"))
    elif validation.is_dns1123_subdomain(group) or "." not in group:
        causes.append(
            ("spec.group", f'Invalid value: "{group}": should be a domain with at least one dot')
        )
    if not plural:
        causes.append(("spec.names.plural", "Required value"))
    if not names.get("kind"):
        causes.append(("spec.names.kind", "Required value"))
    if plural and group and name != f"{plural}.{group}":
        causes.append(
            ("metadata.name", f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group')
        )
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        causes.append(
            (
                "spec.scope",
                f'Unsupported value: "{spec.get("scope")}": supported values: "Cluster", "Namespaced"',
            )
        )
    versions = spec.get("versions") or []
    if not versions:
        causes.append(
            (
                "spec.versions",
                "Invalid value: must have exactly one version marked as storage version",
            )
        )
    else:
        if sum(1 for v in versions if v.get("storage")) != 1:
            causes.append(
                (
                    "spec.versions",
                    "Invalid value: must have exactly one version marked as storage version",
                )
            )
        if not any(v.get("served") for v in versions):
            causes.append(
                ("spec.versions", "Invalid value: must have at least one version marked as served")
            )
        for i, version in enumerate(versions):
            if not version.get("name"):
                causes.append((f"spec.versions[{i}].name", "Required value"))
    if causes:
        raise _invalid(name, causes)


def storage_version(crd: dict[str, Any]) -> str:
    for version in crd["spec"]["versions"]:
        if version.get("storage"):
            name: str = version["name"]
            return name
    return ""


def types_of(crd: dict[str, Any]) -> list[ResourceType]:
    """One `ResourceType` per served version of a (valid) CRD."""
    spec = crd["spec"]
    names = spec["names"]
    stored = storage_version(crd)
    out = []
    for version in spec["versions"]:
        if not version.get("served"):
            continue
        subresources = version.get("subresources") or spec.get("subresources") or {}
        out.append(
            ResourceType(
                group=spec["group"],
                version=version["name"],
                kind=names["kind"],
                plural=names["plural"],
                singular=names.get("singular") or names["kind"].lower(),
                namespaced=spec["scope"] == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                status="status" in subresources,
                strategic_merge=False,
                storage_version=stored,
            )
        )
    return out


def establish(crd: dict[str, Any], now: str) -> None:
    """Write the status the apiextensions controllers would: names accepted, established.

    A condition already true keeps its lastTransitionTime, so rewriting an
    unchanged CRD changes nothing.
    """
    names = dict(crd["spec"]["names"])
    names.setdefault("singular", names["kind"].lower())
    names.setdefault("listKind", f"{names['kind']}List")
    crd["spec"]["names"] = names
    previous = crd.get("status") or {}
    stored = list(previous.get("storedVersions") or [])
    if storage_version(crd) not in stored:
        stored.append(storage_version(crd))
    since = {
        c.get("type"): c.get("lastTransitionTime", now)
        for c in previous.get("conditions") or []
        if c.get("status") == "True"
    }

    def condition(kind: str, reason: str, message: str) -> dict[str, str]:
        return {
            "type": kind,
            "status": "True",
            "lastTransitionTime": since.get(kind, now),
            "reason": reason,
            "message": message,
        }

    crd["status"] = {
        "conditions": [
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition(
                "Established", "InitialNamesAccepted", "the initial names have been accepted"
            ),
        ],
        "acceptedNames": names,
        "storedVersions": stored,
    }


def _mcs_crd(kind: str, plural: str, short: str) -> dict[str, Any]:
    group = "multicluster.x-k8s.io"
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": f"{plural}.{group}",
            "labels": {"multicluster.x-k8s.io/crd": "mcs-api"},
        },
        "spec": {
            "group": group,
            "names": {
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
                "shortNames": [short],
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1alpha1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }


DEFAULT_CRDS: Final = (
    _mcs_crd("ServiceExport", "serviceexports", "svcex"),
    _mcs_crd("ServiceImport", "serviceimports", "svcim"),
)
