"""docs/configuration.md from each component's own argparse parser.

Each component builds its parser inside its `parse()` function; calling that
with `ArgumentParser.parse_args` patched to hand the parser back (instead of
parsing) yields exactly the flags, defaults and help the binary has, so the
page cannot drift from the code. Defaults that depend on the machine (the home
directory) or the environment (KARMADA_APISERVER, KARMADA_TOKEN) are shown in
their portable form.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import apiserver.options
import controller_manager.options
import karmadactl.cli
import membersim.options
import scheduler.options

__all__ = ["render"]

_ENV = ("KARMADA_APISERVER", "KARMADA_TOKEN", "KARMADA_SERVER", "KARMADACTL_CONFIG")


class _Captured(Exception):
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        super().__init__("captured")
        self.parser = parser


def capture(parse: Callable[[list[str]], Any]) -> argparse.ArgumentParser:
    """The parser `parse` builds, taken at the moment it would parse."""

    def grab(self: argparse.ArgumentParser, *_: Any, **__: Any) -> Any:
        raise _Captured(self)

    saved = {name: os.environ.pop(name) for name in _ENV if name in os.environ}
    try:
        with mock.patch.object(argparse.ArgumentParser, "parse_args", grab):
            parse([])
    except _Captured as captured:
        return captured.parser
    finally:
        os.environ.update(saved)
    raise RuntimeError(f"{parse!r} did not call parse_args")


def _default(action: argparse.Action) -> str:
    value = action.default
    if value is None or value is argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
        return ""
    if isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction):
        return ""  # a switch: its help says what giving it does
    if isinstance(value, list | tuple) and not value:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], int):
        value = f"{value[0]}:{value[1]}"  # a parsed HOST:PORT
    text = str(value)
    home = str(Path.home())
    if isinstance(value, Path) and text.startswith(home):
        text = "~" + text[len(home) :]
    return f"`{text}`" if text else '`""`'


def _help(action: argparse.Action, parser: argparse.ArgumentParser) -> str:
    text = action.help or ""
    if "%(" in text:
        text = text % {**vars(action), "prog": parser.prog}
    if action.choices and not isinstance(action, argparse._SubParsersAction):
        text = f"{text} (one of: {', '.join(str(c) for c in action.choices)})".strip()
    return text.replace("|", "\\|")


def _flag(action: argparse.Action) -> str:
    flags = ", ".join(f"`{o}`" for o in action.option_strings)
    if action.option_strings and action.nargs != 0 and action.metavar:
        flags += f" {action.metavar}"
    return flags


def _name(action: argparse.Action) -> str:
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    return (metavar or action.dest).upper()


def _table(parser: argparse.ArgumentParser, *, skip: frozenset[str] = frozenset()) -> list[str]:
    rows = ["| flag | default | description |", "|---|---|---|"]
    positional = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        if not action.option_strings:
            positional.append(action)
            continue
        if action.dest in skip:
            continue
        rows.append(f"| {_flag(action)} | {_default(action)} | {_help(action, parser)} |")
    out = []
    if positional:
        out += [f"- `{_name(a)}` (argument): {_help(a, parser)}" for a in positional]
        out.append("")
    return out + (rows if len(rows) > 2 else ["No flags of its own."])


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _components() -> list[tuple[str, str, argparse.ArgumentParser]]:
    return [
        ("karmada-apiserver", "python -m apiserver", capture(apiserver.options.parse)),
        ("karmada-scheduler", "python -m scheduler", capture(scheduler.options.parse)),
        (
            "karmada-controller-manager",
            "python -m controller_manager",
            capture(controller_manager.options.parse),
        ),
        ("karmada-membersim", "python -m membersim", capture(membersim.options.parse)),
        ("karmadactl", "python -m karmadactl", karmadactl.cli.parser()),
    ]


def render() -> str:
    """The whole of docs/configuration.md."""
    out = [
        "# Configuration",
        "",
        "Every flag of every component, generated by `make docs` (`hack/gen_docs.py`) from",
        "the components' own argument parsers; `make lint` fails while this file is stale.",
        "Durations are in seconds. `make run` (`hack/run.py`) starts the components with",
        "their defaults, apart from the addresses it lists on startup.",
        "",
    ]
    for binary, module, parser in _components():
        out += [f"## {binary}", "", f"`{binary}` (or `{module}`): {parser.description}", ""]
        if binary != "karmadactl":
            out += [*_table(parser), ""]
            continue
        out += ["Global flags, accepted before or after the command:", ""]
        out += [*_table(parser), ""]
        globals_ = frozenset(a.dest for a in parser._actions)
        for name, command in _subcommands(parser):
            out += [f"### karmadactl {name}", "", command.description or "", ""]
            out += [*_table(command, skip=globals_), ""]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip() + "\n"
