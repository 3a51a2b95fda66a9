"""Global options and the apiserver connection every command shares.

The server comes from `--server`, else `KARMADA_SERVER`, else the config file
(`--config`, `KARMADACTL_CONFIG`, or `~/.karmada/karmadactl.yaml`, which
`make run` writes): a small YAML document with `server`, and optionally
`token` and `caFile`.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from karmada.machinery.client import Client
from karmadactl.errors import CliError

__all__ = ["DEFAULT_CONFIG", "DEFAULT_TIMEOUT", "Context", "add_global_flags", "duration"]

DEFAULT_CONFIG = Path.home() / ".karmada" / "karmadactl.yaml"
DEFAULT_TIMEOUT = 10.0
OUTPUTS = ("table", "wide", "yaml", "json")

_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration(text: str) -> float:
    """Seconds in a kubectl duration: "30s", "1m30s", "500ms", "2h", or a plain number."""
    try:
        value = float(text)
    except ValueError:
        parts = _DURATION.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise argparse.ArgumentTypeError(
                f"invalid duration {text!r} (e.g. 30s, 1m30s, 500ms, 2h)"
            ) from None
        value = sum(float(n) * _UNITS[u] for n, u in parts)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"duration {text!r} must be positive")
    return value


def add_global_flags(parser: argparse.ArgumentParser, *, repeated: bool = False) -> None:
    """The global flags; `repeated` adds them to a subcommand too (kubectl accepts them
    anywhere), without letting the subcommand's defaults hide values given earlier."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if repeated else value

    add = parser.add_argument
    add("--server", default=default(None), help="apiserver host:port (env KARMADA_SERVER)")
    add("--config", type=Path, default=default(None), help="karmadactl config file")
    add("--token", default=default(None), help="bearer token (env KARMADA_TOKEN)")
    add("--ca-file", type=Path, default=default(None), help="CA of the apiserver; implies TLS")
    add("-n", "--namespace", default=default(None), help="namespace (default: default)")
    add(
        "-A", "--all-namespaces", action="store_true", default=default(False), help="all namespaces"
    )
    add("-o", "--output", default=default("table"), choices=OUTPUTS, help="output format")
    add(
        "--timeout",
        type=duration,
        default=default(None),
        help=f"how long to wait: per API call, and for commands that wait (30s, 1m; "
        f"default {DEFAULT_TIMEOUT:g}s per call)",
    )


@dataclass
class Context:
    """What a command runs with."""

    server: str
    token: str = ""
    ca_file: Path | None = None
    namespace: str = "default"
    namespace_given: bool = False
    all_namespaces: bool = False
    output: str = "table"
    timeout: float = DEFAULT_TIMEOUT
    timeout_given: bool = False
    _client: Client | None = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Context:
        config = _config(args.config)
        server = args.server or os.environ.get("KARMADA_SERVER") or config.get("server") or ""
        if not server:
            raise CliError(
                "no apiserver given: use --server, KARMADA_SERVER, or a config file "
                f"({DEFAULT_CONFIG}, written by `make run`)"
            )
        ca = args.ca_file or (Path(config["caFile"]) if config.get("caFile") else None)
        return cls(
            server=str(server),
            token=args.token or os.environ.get("KARMADA_TOKEN") or str(config.get("token") or ""),
            ca_file=ca,
            namespace=args.namespace or "default",
            namespace_given=args.namespace is not None,
            all_namespaces=args.all_namespaces,
            output=args.output,
            timeout=DEFAULT_TIMEOUT if args.timeout is None else args.timeout,
            timeout_given=args.timeout is not None,
        )

    @property
    def client(self) -> Client:
        if self._client is None:
            root = self.ca_file.read_bytes() if self.ca_file else None
            self._client = Client(
                self.server,
                token=self.token,
                root_certificates=root,
                retry_timeout=self.timeout,
                call_timeout=self.timeout,
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


def _config(path: Path | None) -> dict[str, Any]:
    explicit = path or (
        Path(os.environ["KARMADACTL_CONFIG"]) if os.environ.get("KARMADACTL_CONFIG") else None
    )
    candidate = explicit or DEFAULT_CONFIG
    if not candidate.exists():
        if explicit is not None:
            raise CliError(f"config file {candidate} does not exist")
        return {}
    try:
        loaded = yaml.safe_load(candidate.read_text())
    except yaml.YAMLError as error:
        raise CliError(f"config file {candidate} is not valid YAML: {error}") from error
    if not isinstance(loaded, dict):
        raise CliError(f"config file {candidate} must be a YAML mapping")
    return loaded
