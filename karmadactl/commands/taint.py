"""`karmadactl taint clusters NAME... KEY[=VALUE]:EFFECT... [KEY[:EFFECT]-...]`.

Karmada's taint command (pkg/karmadactl/taint), itself kubectl's: add or
replace (``--overwrite``) taints, remove them with a trailing ``-``, on one
or more clusters; prints ``cluster/NAME tainted`` (``untainted`` when only
removing, ``modified`` when both or with ``--overwrite``). Parsing and the
change itself are in `karmadactl.taints`; a bad spec fails before anything
is written. NoExecute taints are dated (``timeAdded``) so the taint
manager counts tolerations from when they appeared; it evicts bindings
whose policies enable failover (``spec.failover.cluster``) and do not
tolerate them.
"""

from __future__ import annotations

import argparse

from karmada.core.v1 import types_pb2
from karmadactl.clusters import edit_taints, get_cluster, now
from karmadactl.context import Context
from karmadactl.errors import CliError
from karmadactl.taints import (
    TaintChanges,
    TaintSpecError,
    apply_changes,
    parse_taints,
    split_arguments,
)

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "taint"
HELP = "Update the taints on one or more clusters (KEY=VALUE:EFFECT adds, KEY:EFFECT- removes)"

_RESOURCE_TYPES = ("cluster", "clusters")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "arguments",
        nargs="*",
        metavar="ARG",
        help="clusters NAME [NAME...] KEY[=VALUE]:EFFECT ... (KEY[:EFFECT]- to remove)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace taints with the same key and effect instead of refusing",
    )


def _parse(arguments: list[str]) -> tuple[list[str], TaintChanges]:
    try:
        resources, specs = split_arguments(arguments)
        if not resources:
            raise CliError("one or more resources must be specified as <resource> <name>")
        if not specs:
            raise CliError("at least one taint update is required")
        changes = parse_taints(specs)
    except TaintSpecError as error:
        raise CliError(str(error)) from None
    if resources[0].lower() not in _RESOURCE_TYPES:
        raise CliError(
            f'invalid resource type {resources[0].lower()}, only ["cluster" "clusters"] '
            "are supported"
        )
    if len(resources) < 2:
        raise CliError("at least one resource name must be specified")
    return resources[1:], changes


async def _taint(ctx: Context, name: str, changes: TaintChanges, *, overwrite: bool) -> str:
    operation = ""

    def edit(taints: list[types_pb2.Taint]) -> list[types_pb2.Taint]:
        nonlocal operation
        try:
            operation, result = apply_changes(
                taints, changes, cluster=name, overwrite=overwrite, now=now()
            )
        except TaintSpecError as error:
            raise CliError(str(error)) from None
        return result

    await edit_taints(ctx, name, edit)
    return operation


async def run(ctx: Context, args: argparse.Namespace) -> int:
    names, changes = _parse(list(args.arguments))
    for name in names:  # every name first: a typo changes nothing
        await get_cluster(ctx, name)
    for name in names:
        operation = await _taint(ctx, name, changes, overwrite=args.overwrite)
        print(f"cluster/{name} {operation}")
    return 0
