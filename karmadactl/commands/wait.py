"""`karmadactl wait KIND NAME... --for=condition=X[=V] | --for=delete | --for=create`.

Watches each object until it satisfies the condition: a condition of
`status.conditions` (typed kinds, and resource templates whose status carries
conditions) with status V (default True; both compared case-insensitively,
as kubectl does), its deletion, or its creation. Prints "deployment.apps/nginx
condition met" for each; otherwise "error: timed out waiting for the
condition on ..." and exit 1 after `--timeout` (default 30s).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from karmada.machinery import errors
from karmadactl import waiting
from karmadactl.context import Context
from karmadactl.errors import CliError
from karmadactl.objects import to_dict
from karmadactl.targets import Target, from_arguments

__all__ = ["HELP", "NAME", "Condition", "add_arguments", "parse_for", "run"]

NAME = "wait"
HELP = "Wait for a condition on objects (--for=condition=Ready, --for=delete)"
DEFAULT_WAIT = 30.0


@dataclass(frozen=True, slots=True)
class Condition:
    """What `--for` asks: "condition" (with type and status), "delete" or "create"."""

    what: str
    type: str = ""
    status: str = "True"

    def met(self, obj: Message | None) -> bool:
        if self.what == "delete":
            return obj is None
        if obj is None:
            return False
        if self.what == "create":
            return True
        conditions: Any = (to_dict(obj).get("status") or {}).get("conditions") or []
        for condition in conditions:
            if not isinstance(condition, dict):
                continue
            if str(condition.get("type", "")).lower() == self.type.lower():
                return str(condition.get("status", "")).lower() == self.status.lower()
        return False


def parse_for(text: str) -> Condition:
    """--for: "delete", "create", "condition=Ready" or "condition=Ready=False"."""
    if text in ("delete", "create"):
        return Condition(text)
    what, _, rest = text.partition("=")
    if what == "condition" and rest:
        kind, _, status = rest.partition("=")
        if kind:
            return Condition("condition", kind, status or "True")
    raise CliError(
        f"unrecognized condition: {text!r} (use condition=TYPE[=STATUS], delete or create)"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "resources", nargs="+", metavar="KIND NAME...", help="a kind and names, or KIND/NAME"
    )
    parser.add_argument(
        "--for",
        dest="condition",
        required=True,
        metavar="CONDITION",
        help="condition=TYPE[=STATUS] (e.g. condition=Scheduled), delete, or create",
    )


async def _one(ctx: Context, target: Target, condition: Condition, timeout: float) -> bool:
    if condition.what == "condition":
        try:
            await ctx.client.get(target.kind, target.name, target.namespace)
        except errors.NotFound:
            raise target.not_found() from None
    return await waiting.until(ctx.client, target, condition.met, timeout=timeout)


async def run(ctx: Context, args: argparse.Namespace) -> int:
    condition = parse_for(args.condition)
    targets = from_arguments(ctx, args.resources)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + (ctx.timeout if ctx.timeout_given else DEFAULT_WAIT)
    failed = False
    for target in targets:
        left = max(deadline - loop.time(), 0.001)
        if await _one(ctx, target, condition, left):
            print(f"{target.ref} condition met", flush=True)
        else:
            print(f"error: timed out waiting for the condition on {target.ref}", file=sys.stderr)
            failed = True
    return 1 if failed else 0
