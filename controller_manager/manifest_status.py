"""What a Work's status says about its member objects: manifestStatuses and Available.

Pure: from a Work's manifests and the member objects found for them to the
`ManifestStatus` entries (identifier, reflected status, health — the
resource interpreter's verdicts) and the ``Available`` condition
(`summarize`), and that summary put into a Work (`apply_summary`). The work
status controller gathers the objects from the member watches; the execution
controller uses the objects its apply just returned, so a Work applied
without trouble gets its whole status in the same write as its Applied
condition.

Karmada defines ``Available`` ("all resources of the Work exist on the
managed cluster") without setting it from its work status controller; here
it is True ``WorkAvailable`` when every manifest's object exists in the
member and is Healthy, else False ``WorkNotAvailable`` naming what is
missing or not healthy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from controller_manager import interpreter
from controller_manager.works import group_of
from karmada.machinery.conditions import set_condition
from karmada.work.v1alpha1 import work_pb2

__all__ = [
    "AVAILABLE",
    "Found",
    "Summary",
    "apply_summary",
    "available_condition",
    "describe",
    "manifest_status",
    "summarize",
]

AVAILABLE: Final = "Available"
HEALTHY: Final = "Healthy"
_LISTED: Final = 5


@dataclass(frozen=True)
class Found:
    """A manifest's object in the member (None if absent) and its plural resource name."""

    object: Mapping[str, Any] | None
    resource: str = ""


def describe(manifest: Mapping[str, Any]) -> str:
    """``Kind namespace/name`` (or ``Kind name``) of a manifest."""
    metadata = manifest.get("metadata") or {}
    namespace = metadata.get("namespace") or ""
    name = metadata.get("name") or ""
    return (
        f"{manifest.get('kind', '')} {namespace}/{name}"
        if namespace
        else (f"{manifest.get('kind', '')} {name}")
    )


def manifest_status(
    ordinal: int, manifest: Mapping[str, Any], found: Found
) -> work_pb2.ManifestStatus:
    """The manifestStatuses entry of an object found in the member."""
    assert found.object is not None
    obj = found.object
    api_version = str(manifest.get("apiVersion", ""))
    metadata = obj.get("metadata") or {}
    entry = work_pb2.ManifestStatus(
        identifier=work_pb2.ResourceIdentifier(
            ordinal=ordinal,
            group=group_of(api_version),
            version=api_version.rpartition("/")[2],
            kind=str(manifest.get("kind", "")),
            resource=found.resource,
            namespace=str(metadata.get("namespace") or ""),
            name=str(metadata.get("name") or ""),
        ),
        health=interpreter.health_of(obj),
    )
    status = interpreter.reflect_status(obj)
    if status is not None:
        entry.status.update(status)
    return entry


def _listing(what: str, items: Sequence[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    more = f" and {len(items) - _LISTED} more" if len(items) > _LISTED else ""
    return f"{what}: {shown}{more}"


def available_condition(
    *, missing: Sequence[str], unhealthy: Sequence[str]
) -> tuple[str, str, str]:
    """(status, reason, message) of the Available condition."""
    if not missing and not unhealthy:
        return "True", "WorkAvailable", "All manifests exist in the member cluster and are healthy"
    parts = []
    if missing:
        parts.append(_listing("not found in the member cluster", missing))
    if unhealthy:
        parts.append(_listing("not healthy", unhealthy))
    return "False", "WorkNotAvailable", "; ".join(parts)


@dataclass(frozen=True)
class Summary:
    """A Work's manifestStatuses and its Available condition (status, reason, message)."""

    statuses: list[work_pb2.ManifestStatus]
    available: tuple[str, str, str]


def summarize(manifests: Sequence[Mapping[str, Any]], found: Sequence[Found]) -> Summary:
    """The summary of a Work whose manifest at each ordinal found the object `found[ordinal]`.

    A manifest whose object is absent (None) has no entry and is named missing.
    """
    statuses: list[work_pb2.ManifestStatus] = []
    missing: list[str] = []
    unhealthy: list[str] = []
    for ordinal, (manifest, each) in enumerate(zip(manifests, found, strict=True)):
        if each.object is None:
            missing.append(describe(manifest))
            continue
        entry = manifest_status(ordinal, manifest, each)
        statuses.append(entry)
        if entry.health != HEALTHY:
            unhealthy.append(f"{describe(manifest)} ({entry.health})")
    return Summary(statuses, available_condition(missing=missing, unhealthy=unhealthy))


def apply_summary(work: work_pb2.Work, summary: Summary) -> bool:
    """Puts `summary` into the Work's status (in place); whether that changed anything."""
    changed = list(work.status.manifest_statuses) != summary.statuses
    if changed:
        del work.status.manifest_statuses[:]
        work.status.manifest_statuses.extend(summary.statuses)
    status, reason, message = summary.available
    changed |= set_condition(
        work.status.conditions,
        AVAILABLE,
        status,
        reason,
        message,
        observed_generation=work.metadata.generation,
    )
    return changed
