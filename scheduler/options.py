"""Command-line flags of karmada-scheduler."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from karmada.machinery.component import CommonOptions, add_common_flags, common_options

__all__ = ["Options", "parse"]


@dataclass(frozen=True, slots=True)
class Options:
    common: CommonOptions
    workers: int
    plugins: list[str]


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="karmada-scheduler",
        description="Places every ResourceBinding and ClusterResourceBinding on member clusters.",
    )
    add_common_flags(parser, metrics_address="127.0.0.1:10351", lease_name="karmada-scheduler")
    parser.add_argument(
        "--workers", type=int, default=16, help="bindings scheduled concurrently (writes overlap)"
    )
    parser.add_argument(
        "--plugins",
        default="*",
        help='plugins to enable, comma-separated; "*" is every default plugin and "-Name" '
        'disables one (e.g. "*,-ClusterLocality")',
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return Options(
        common=common_options(args),
        workers=args.workers,
        plugins=[p.strip() for p in args.plugins.split(",") if p.strip()],
    )
