"""`karmadactl get KIND [NAME...]`: objects as a table, or as YAML/JSON.

From the control plane by default; `--operation-scope members` reads the same
kind from the member clusters (`--clusters` to choose some) and adds a
CLUSTER column, `all` shows both, the control plane's rows as "Karmada".
Works are listed across every execution namespace unless `-n` is given, since
their CLUSTER column already says where they go.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import yaml

from karmada.machinery import errors
from karmada.machinery.scheme import WORK, Kind
from karmada.member import MemberClient, NotFound
from karmadactl import members, tables
from karmadactl.context import Context
from karmadactl.errors import CliError
from karmadactl.kinds import display, resolve, resource
from karmadactl.objects import to_dict
from karmadactl.targets import Target, list_namespace

__all__ = ["HELP", "NAME", "add_arguments", "dump", "run"]

NAME = "get"
HELP = "Show objects as a table (or YAML/JSON), from the control plane and/or the members"
SCOPES = ("karmada", "members", "all")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "resources", nargs="+", metavar="KIND [NAME...]", help="a kind and names, or KIND/NAME"
    )
    parser.add_argument("-l", "--selector", default="", help="label selector (app=web,tier!=db)")
    parser.add_argument(
        "--operation-scope",
        choices=SCOPES,
        default="karmada",
        help="karmada (the control plane), members (the member clusters) or all",
    )
    parser.add_argument(
        "--clusters", default="", help="comma-separated member clusters (members/all scope)"
    )


def _groups(arguments: list[str]) -> list[tuple[Kind[Any], list[str]]]:
    if "/" not in arguments[0]:
        kinds = [resolve(text) for text in arguments[0].split(",")]
        return [(kind, arguments[1:]) for kind in kinds]
    groups: dict[str, tuple[Kind[Any], list[str]]] = {}
    for argument in arguments:
        kind_text, _, name = argument.partition("/")
        if not name:
            raise CliError(f"arguments in resource/name form must have a name: {argument!r}")
        kind = resolve(kind_text)
        groups.setdefault(kind.resource, (kind, []))[1].append(name)
    return list(groups.values())


def _namespace(ctx: Context, kind: Kind[Any]) -> str:
    if kind is WORK and not ctx.namespace_given:
        return ""
    return list_namespace(ctx, kind)


async def _control_plane(
    ctx: Context, kind: Kind[Any], names: list[str], selector: str, missing: set[str]
) -> list[tables.Row]:
    namespace = _namespace(ctx, kind)
    if not names:
        items, _ = await ctx.client.list_all(kind, namespace=namespace, label_selector=selector)
        return [tables.Row(to_dict(item)) for item in items]
    rows = []
    for name in names:
        try:
            rows.append(tables.Row(to_dict(await ctx.client.get(kind, name, namespace))))
        except errors.NotFound:
            missing.add(name)
    return rows


async def _members(
    ctx: Context, kind: Kind[Any], names: list[str], selector: str, clusters: list[str]
) -> tuple[list[tables.Row], set[str]]:
    namespace = _namespace(ctx, kind)

    async def read(member: MemberClient) -> list[dict[str, Any]]:
        if not names:
            listed = await member.list(
                kind.api_version, kind.kind, namespace=namespace, label_selector=selector
            )
            return listed.items
        found = []
        for name in names:
            try:
                found.append(
                    await member.get(kind.api_version, kind.kind, name, namespace=namespace)
                )
            except NotFound:
                continue
        return found

    async with members.connect(ctx, clusters) as clients:
        results = await members.each(clients, read)
    rows = [tables.Row(obj, cluster) for cluster, objs in results for obj in objs]
    return rows, {str(r.obj.get("metadata", {}).get("name", "")) for r in rows}


def _sort_key(row: tables.Row) -> tuple[str, str, int, str]:
    meta: Mapping[str, Any] = row.obj.get("metadata") or {}
    return (
        str(meta.get("namespace", "")),
        str(meta.get("name", "")),
        1 if row.cluster else 0,
        row.cluster,
    )


def dump(objects: list[Mapping[str, Any]], output: str, *, single: bool) -> str:
    """-o yaml / json: one object, or a v1 List of them."""
    data: Any = (
        objects[0]
        if single
        else {"apiVersion": "v1", "kind": "List", "items": objects, "metadata": {}}
    )
    if output == "json":
        return json.dumps(data, indent=4)
    return yaml.safe_dump(data, sort_keys=False).rstrip("\n")


async def run(ctx: Context, args: argparse.Namespace) -> int:
    scope: str = args.operation_scope
    clusters = [c for c in args.clusters.split(",") if c]
    failed = False
    found: list[tuple[Kind[Any], list[tables.Row]]] = []
    groups = _groups(args.resources)
    for kind, names in groups:
        control_plane_only = kind.group.endswith("karmada.io")
        if scope == "members" and control_plane_only:
            raise CliError(
                f"{resource(kind)} exist only in the Karmada control plane; "
                "use --operation-scope karmada"
            )
        missing: set[str] = set()
        rows: list[tables.Row] = []
        if scope in ("karmada", "all"):
            rows += await _control_plane(ctx, kind, names, args.selector, missing)
        if scope in ("members", "all") and not control_plane_only:
            member_rows, seen = await _members(ctx, kind, names, args.selector, clusters)
            rows += member_rows
            missing = (set(names) if scope == "members" else missing) - seen
        for name in names:
            if name in missing:
                print(f"error: {Target(kind, name).not_found().message}", file=sys.stderr)
                failed = True
        if rows:
            found.append((kind, sorted(rows, key=_sort_key)))
    if not found:
        if not any(names for _, names in groups):
            namespace = _namespace(ctx, groups[0][0])
            where = f" in {namespace} namespace" if namespace else ""
            print(f"No resources found{where}.", file=sys.stderr)
        return 1 if failed else 0
    if ctx.output in ("yaml", "json"):
        objects = [row.obj for _, rows in found for row in rows]
        single = len(groups) == 1 and len(groups[0][1]) == 1 and len(objects) == 1
        print(dump(objects, ctx.output, single=single))
    else:
        several = len(groups) > 1
        shown = [
            _table(ctx, kind, rows, clusters=scope != "karmada", prefixed=several)
            for kind, rows in found
        ]
        print("\n\n".join(shown))
    return 1 if failed else 0


def _table(
    ctx: Context, kind: Kind[Any], rows: list[tables.Row], *, clusters: bool, prefixed: bool
) -> str:
    table = tables.build(
        kind.group,
        kind.kind,
        rows,
        now=datetime.now(UTC),
        wide=ctx.output == "wide",
        namespaces=ctx.all_namespaces and kind.namespaced is not False,
        clusters=clusters,
        name_prefix=f"{display(kind)}/" if prefixed else "",
    )
    return tables.render(table)
