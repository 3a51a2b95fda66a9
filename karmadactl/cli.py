"""The command line: global flags, one module per command, errors as one line.

Each command module exposes `NAME`, `HELP`, `add_arguments(parser)` and
`async run(ctx, args) -> int`; this module wires them into argparse and turns
any failure into "error: <one line>" on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType
from typing import NoReturn

from karmadactl.context import Context, add_global_flags
from karmadactl.errors import CliError, describe

__all__ = ["COMMANDS", "main"]

COMMANDS = (
    "apply",
    "delete",
    "get",
    "describe",
    "wait",
    "join",
    "unjoin",
    "cordon",
    "uncordon",
    "taint",
    "promote",
)
"""Command modules under karmadactl.commands, in help order."""


def _modules() -> list[ModuleType]:
    out = []
    for name in COMMANDS:
        try:
            out.append(importlib.import_module(f"karmadactl.commands.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"karmadactl.commands.{name}":
                raise
    return out


class _Parser(argparse.ArgumentParser):
    """argparse with kubectl's habit: a usage error is one line and exit 1."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"error: {message} (see '{self.prog} --help')\n")


def parser() -> argparse.ArgumentParser:
    root = _Parser(prog="karmadactl", description="Control a Karmada control plane.")
    add_global_flags(root)
    sub = root.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    for module in _modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        add_global_flags(command, repeated=True)
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return root


async def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    ctx: Context | None = None
    try:
        ctx = Context.from_args(args)
        code: int = await args.handler(ctx, args)
        return code
    except CliError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return error.code
    except Exception as error:  # one line, never a traceback
        print(f"error: {describe(error, server=ctx.server if ctx else '')}", file=sys.stderr)
        return 1
    finally:
        if ctx is not None:
            await ctx.close()
