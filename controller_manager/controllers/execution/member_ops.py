"""What the execution controller does in a member: apply a Work, remove what it no longer has.

Every call goes through `MemberClient` (objectwatcher's job: marks,
retention, conflict resolution, delete only what Karmada manages for this
Work). A member that does not answer (`Unreachable`, timeouts included) stops
the pass at once — the caller opens the cluster's circuit — while any other
failure is recorded against its manifest and the pass goes on, as Karmada
aggregates per-manifest errors.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from controller_manager.works import (
    apply_order,
    binding_of,
    conflict_resolution_of,
    group_of,
    permanent_id_of,
    protected_keys,
)
from karmada.member import MemberClient, MemberError, Seen, Unreachable
from karmada.work.v1alpha1 import work_pb2

__all__ = [
    "Identity",
    "Outcome",
    "applied_message",
    "apply_manifests",
    "delete_objects",
    "identity_of",
    "stale",
]

log = logging.getLogger(__name__)

Identity = tuple[str, str, str, str]
"""(apiVersion, kind, namespace, name) of an object put in a member."""


@dataclass
class Outcome:
    """What a pass achieved: objects applied, per-manifest errors, and an unanswered call.

    `stored` holds, by manifest ordinal, each applied object as the member
    returned it and its kind's plural resource.
    """

    applied: set[Identity] = field(default_factory=set)
    stored: dict[int, tuple[dict[str, Any], str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    unreachable: Unreachable | None = None


def identity_of(obj: Mapping[str, Any]) -> Identity:
    metadata = obj.get("metadata")
    meta = metadata if isinstance(metadata, Mapping) else {}
    # Interned: the controller keeps an identity per object it applied.
    return (
        sys.intern(str(obj.get("apiVersion", ""))),
        sys.intern(str(obj.get("kind", ""))),
        sys.intern(str(meta.get("namespace") or "")),
        sys.intern(str(meta.get("name") or "")),
    )


def applied_message(succeeded: int, total: int, failures: Sequence[str]) -> str:
    """Karmada's AppliedFailed message (errors aggregated as apimachinery prints them)."""
    joined = failures[0] if len(failures) == 1 else "[" + ", ".join(failures) + "]"
    return f"Failed to apply all manifests ({succeeded}/{total}): {joined}"


def stale(candidates: Iterable[Identity], manifests: Iterable[Mapping[str, Any]]) -> list[Identity]:
    """The candidates no manifest asks for any more (any version of the same group/kind counts)."""
    wanted = protected_keys(manifests)
    return sorted(
        identity
        for identity in set(candidates)
        if identity[0]
        and identity[1]
        and identity[3]
        and (group_of(identity[0]), identity[1], identity[2], identity[3]) not in wanted
    )


async def apply_manifests(
    client: MemberClient,
    work: work_pb2.Work,
    manifests: Sequence[Mapping[str, Any]],
    seen: Callable[[Mapping[str, Any]], Seen | None] = lambda _: None,
) -> Outcome:
    """Applies the manifests, Namespaces and CRDs first.

    `seen` gives the member watch's copy of a manifest's object, if it has one.
    """
    outcome = Outcome()
    for ordinal in apply_order(manifests):
        manifest = manifests[ordinal]
        try:
            stored = await client.apply(
                manifest,
                work_namespace=work.metadata.namespace,
                work_name=work.metadata.name,
                work_permanent_id=permanent_id_of(work),
                binding=binding_of(work),
                conflict_resolution=conflict_resolution_of(work),
                seen=seen(manifest),
            )
        except Unreachable as error:
            outcome.unreachable = error
            outcome.failures.append(str(error))
            return outcome
        except MemberError as error:
            outcome.failures.append(str(error))
            continue
        except Exception as error:
            log.exception(
                "Manifest could not be applied",
                extra={"work": f"{work.metadata.namespace}/{work.metadata.name}"},
            )
            outcome.failures.append(f"manifest {ordinal}: {type(error).__name__}: {error}")
            continue
        outcome.applied.add(identity_of({**manifest, "metadata": stored.get("metadata")}))
        resource = (
            await client.resolve(str(manifest["apiVersion"]), str(manifest["kind"]))
        ).resource
        outcome.stored[ordinal] = (stored, resource)
    return outcome


async def delete_objects(
    client: MemberClient, work: work_pb2.Work, targets: Iterable[Identity]
) -> tuple[set[Identity], list[str]]:
    """Deletes the targets this Work put in the member; (those that failed, their errors).

    Raises:
        Unreachable: the member did not answer.
    """
    failed: set[Identity] = set()
    failures: list[str] = []
    for identity in sorted(set(targets)):
        api_version, kind, namespace, name = identity
        if not (api_version and kind and name):
            continue
        try:
            result = await client.delete(
                api_version,
                kind,
                name,
                namespace=namespace,
                work_namespace=work.metadata.namespace,
                work_name=work.metadata.name,
            )
        except Unreachable:
            raise
        except MemberError as error:
            failed.add(identity)
            failures.append(str(error))
            continue
        log.info(
            "Deleted member object of Work",
            extra={
                "work": f"{work.metadata.namespace}/{work.metadata.name}",
                "cluster": client.cluster,
                "kind": kind,
                "object": f"{namespace}/{name}" if namespace else name,
                "result": result.value,
            },
        )
    return failed, failures
