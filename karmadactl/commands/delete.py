"""`karmadactl delete -f FILE | KIND NAME... | KIND -l SELECTOR`: delete objects, and wait until gone.

Each deletion prints "deployment.apps/nginx deleted". With `--wait` (the
default) the command then waits until every deleted object is really gone,
i.e. its finalizers have run (a binding cleaning up its Works, a namespace
emptied), up to `--timeout` (default 60s). A missing object is an error line
unless `--ignore-not-found`; the other objects are still deleted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from karmada.machinery import errors
from karmada.machinery.scheme import NAMESPACE
from karmadactl import waiting
from karmadactl.commands.apply import ordered
from karmadactl.context import Context
from karmadactl.errors import CliError
from karmadactl.kinds import resolve
from karmadactl.objects import load_paths
from karmadactl.targets import Target, from_arguments, identity, list_namespace

__all__ = ["HELP", "NAME", "add_arguments", "run"]

NAME = "delete"
HELP = "Delete objects named in YAML files or on the command line"
DEFAULT_WAIT = 60.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "resources", nargs="*", metavar="KIND [NAME...]", help="a kind and names, or KIND/NAME"
    )
    parser.add_argument(
        "-f",
        "--filename",
        action="append",
        default=[],
        metavar="FILE",
        help="delete the objects of a YAML file, a directory, or - (repeatable)",
    )
    parser.add_argument(
        "-R", "--recursive", action="store_true", help="read directories recursively"
    )
    parser.add_argument("-l", "--selector", default="", help="delete the objects with these labels")
    parser.add_argument(
        "--ignore-not-found", action="store_true", help="a missing object is not an error"
    )
    parser.add_argument(
        "--wait",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="wait until the objects are gone (default: true)",
    )


async def _targets(ctx: Context, args: argparse.Namespace) -> list[Target]:
    if args.filename:
        if args.resources:
            raise CliError("use either -f or KIND NAME, not both")
        documents = load_paths(args.filename, recursive=args.recursive)
        targets = [identity(ctx, d) for d in ordered(documents)]
        # Namespaces last: what is inside goes first.
        return [t for t in targets if t.kind is not NAMESPACE] + [
            t for t in targets if t.kind is NAMESPACE
        ]
    if args.selector:
        if len(args.resources) != 1:
            raise CliError("with -l, give only the kind (e.g. delete deployments -l app=web)")
        kind = resolve(args.resources[0])
        items, _ = await ctx.client.list_all(
            kind, namespace=list_namespace(ctx, kind), label_selector=args.selector
        )
        return [Target(kind, i.metadata.name, i.metadata.namespace) for i in items]
    if not args.resources:
        raise CliError("you must give -f FILE, or KIND NAME (e.g. delete deployment nginx)")
    return from_arguments(ctx, args.resources)


async def run(ctx: Context, args: argparse.Namespace) -> int:
    targets = await _targets(ctx, args)
    if not targets:
        print("No resources found", file=sys.stderr)
        return 0
    failed = False
    deleted: list[Target] = []
    for target in targets:
        try:
            await ctx.client.delete(target.kind, target.name, target.namespace)
        except errors.NotFound:
            if not args.ignore_not_found:
                print(f"error: {target.not_found().message}", file=sys.stderr)
                failed = True
            continue
        print(f"{target.ref} deleted", flush=True)
        deleted.append(target)
    if args.wait:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (ctx.timeout if ctx.timeout_given else DEFAULT_WAIT)
        for target in deleted:
            left = max(deadline - loop.time(), 0.001)
            if not await waiting.until(ctx.client, target, _gone, timeout=left):
                print(f"error: timed out waiting for the deletion of {target.ref}", file=sys.stderr)
                failed = True
    return 1 if failed else 0


def _gone(obj: object) -> bool:
    return obj is None
