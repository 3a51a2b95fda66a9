"""`karmadactl describe KIND [NAME...]`: one human-readable block per object.

Reads the object and what explains it: for a resource template its binding
(where it landed, per-cluster status) and Works; for a binding its Works;
for a propagation policy the templates it claims (its permanent-id label);
then `karmadactl.describers` lays them out. There is no Events API: the
"Events" history is the conditions of the object and of the objects it owns,
ordered by their last transition.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from karmada.machinery import errors
from karmada.machinery.scheme import (
    CLUSTER,
    CLUSTER_OVERRIDE_POLICY,
    CLUSTER_PROPAGATION_POLICY,
    CLUSTER_RESOURCE_BINDING,
    OVERRIDE_POLICY,
    PROPAGATION_POLICY,
    RESOURCE_BINDING,
    WORK,
    lookup,
)
from karmada.names import (
    CPP_PERMANENT_ID_LABEL,
    PP_PERMANENT_ID_LABEL,
    binding_name,
    execution_space,
    work_name,
)
from karmadactl import describers
from karmadactl.context import Context
from karmadactl.describing import History, Writer, conditions, events, get, metadata
from karmadactl.kinds import resolve
from karmadactl.objects import to_dict
from karmadactl.targets import Target, from_arguments, list_namespace

__all__ = ["HELP", "NAME", "add_arguments", "describe", "run"]

NAME = "describe"
HELP = "Show details of objects: conditions, where they landed, and their history"

Obj = Mapping[str, Any]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "resources",
        nargs="+",
        metavar="KIND [NAME...]",
        help="a kind and names (all of the kind without names), or KIND/NAME",
    )


async def _get(ctx: Context, target: Target) -> Obj | None:
    try:
        return to_dict(await ctx.client.get(target.kind, target.name, target.namespace))
    except errors.NotFound:
        return None


def _history(obj: Obj, source: str) -> list[History]:
    return [History(source, c) for c in get(obj, "status.conditions", []) or []]


async def _works(ctx: Context, binding: Obj) -> list[Obj]:
    """The Works of a binding, one per cluster it targets (or still reports)."""
    resource = get(binding, "spec.resource", {}) or {}
    name = work_name(
        resource.get("kind", ""), resource.get("name", ""), resource.get("namespace", "")
    )
    clusters = {c.get("name", "") for c in get(binding, "spec.clusters", []) or []}
    clusters |= {
        s.get("clusterName", "") for s in get(binding, "status.aggregatedStatus", []) or []
    }
    out = []
    for cluster in sorted(c for c in clusters if c):
        work = await _get(ctx, Target(WORK, name, execution_space(cluster)))
        if work is not None:
            out.append(work)
    return out


def _work_history(works: list[Obj]) -> list[History]:
    out = []
    for work in works:
        cluster = get(work, "metadata.namespace", "").removeprefix("karmada-es-")
        out += _history(work, f"work/{cluster}")
    return out


async def _claimed(ctx: Context, policy: Obj, *, cluster_wide: bool) -> list[Obj]:
    """The templates the policy claims: those of its selected kinds with its permanent id."""
    label = CPP_PERMANENT_ID_LABEL if cluster_wide else PP_PERMANENT_ID_LABEL
    permanent_id = (get(policy, "metadata.labels", {}) or {}).get(label)
    if not permanent_id:
        return []
    namespace = "" if cluster_wide else get(policy, "metadata.namespace", "")
    kinds = {
        (s.get("apiVersion", ""), s.get("kind", ""))
        for s in get(policy, "spec.resourceSelectors", [])
    }
    out: list[Obj] = []
    for api_version, kind_name in sorted(kinds):
        if not api_version or not kind_name:
            continue
        kind = lookup(api_version, kind_name)
        try:
            items, _ = await ctx.client.list_all(
                kind,
                namespace="" if kind.namespaced is False else namespace,
                label_selector=f"{label}={permanent_id}",
            )
        except errors.ApiError as error:
            if isinstance(error, errors.Unavailable):
                raise
            continue
        out += [to_dict(item) for item in items]
    return out


async def describe(ctx: Context, target: Target, obj: Obj) -> str:
    """The describe block of one object."""
    now = datetime.now(UTC)
    writer = Writer()
    metadata(writer, obj, now)
    kind = target.kind
    history = _history(obj, f"{kind.kind.lower()}/{target.name}")
    if kind is CLUSTER:
        describers.cluster(writer, obj, now)
        conditions(writer, get(obj, "status.conditions", []) or [], now)
    elif kind in (PROPAGATION_POLICY, CLUSTER_PROPAGATION_POLICY):
        claimed = await _claimed(ctx, obj, cluster_wide=kind is CLUSTER_PROPAGATION_POLICY)
        describers.propagation_policy(writer, obj, claimed)
    elif kind in (OVERRIDE_POLICY, CLUSTER_OVERRIDE_POLICY):
        describers.override_policy(writer, obj)
    elif kind in (RESOURCE_BINDING, CLUSTER_RESOURCE_BINDING):
        works = await _works(ctx, obj)
        describers.binding(writer, obj, works, now)
        conditions(writer, get(obj, "status.conditions", []) or [], now)
        history += _work_history(works)
    elif kind is WORK:
        describers.work(writer, obj)
        conditions(writer, get(obj, "status.conditions", []) or [], now)
    elif kind.template:
        binding_kind = RESOURCE_BINDING if target.namespace else CLUSTER_RESOURCE_BINDING
        binding = await _get(
            ctx, Target(binding_kind, binding_name(target.name, kind.kind), target.namespace)
        )
        works = await _works(ctx, binding) if binding is not None else []
        describers.template(writer, obj, binding, works)
        if binding is not None:
            history += _history(
                binding, f"{binding_kind.kind.lower()}/{get(binding, 'metadata.name')}"
            )
        history += _work_history(works)
    else:
        describers.generic(writer, obj)
    events(writer, history, now)
    return writer.render()


async def _targets(ctx: Context, arguments: list[str]) -> list[Target]:
    if len(arguments) == 1 and "/" not in arguments[0]:
        kind = resolve(arguments[0])
        items, _ = await ctx.client.list_all(kind, namespace=list_namespace(ctx, kind))
        return [Target(kind, i.metadata.name, i.metadata.namespace) for i in items]
    return from_arguments(ctx, arguments)


async def run(ctx: Context, args: argparse.Namespace) -> int:
    targets = await _targets(ctx, args.resources)
    if not targets:
        print("No resources found", file=sys.stderr)
        return 0
    failed = False
    blocks = []
    for target in targets:
        obj = await _get(ctx, target)
        if obj is None:
            print(f"error: {target.not_found().message}", file=sys.stderr)
            failed = True
            continue
        blocks.append(await describe(ctx, target, obj))
    if blocks:
        print("\n\n".join(blocks))
    return 1 if failed else 0
