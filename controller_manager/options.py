"""Command-line flags of karmada-controller-manager."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from karmada.machinery.component import CommonOptions, add_common_flags, common_options

__all__ = ["Options", "parse"]


@dataclass(frozen=True, slots=True)
class Options:
    common: CommonOptions
    controllers: list[str]
    workers: int
    cluster_status_update_frequency: float
    cluster_success_threshold: float
    cluster_failure_threshold: float
    cluster_monitor_period: float
    cluster_monitor_grace_period: float
    cluster_startup_grace_period: float
    graceful_eviction_timeout: float
    member_timeout: float


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="karmada-controller-manager",
        description="Runs Karmada's controllers: detection, binding, execution, status, failover.",
    )
    add_common_flags(
        parser, metrics_address="127.0.0.1:10357", lease_name="karmada-controller-manager"
    )
    parser.add_argument(
        "--controllers",
        default="*",
        help='controllers to run, comma-separated: "*" runs every default controller, "-name" '
        'disables one (e.g. "*,-namespace")',
    )
    parser.add_argument(
        "--workers", type=int, default=16, help="concurrent reconciles per controller"
    )
    parser.add_argument(
        "--cluster-status-update-frequency",
        type=float,
        default=10.0,
        help="seconds between status collections of each push cluster",
    )
    parser.add_argument(
        "--cluster-success-threshold",
        type=float,
        default=30.0,
        help="seconds a cluster must stay healthy before it is reported Ready again",
    )
    parser.add_argument(
        "--cluster-failure-threshold",
        type=float,
        default=30.0,
        help="seconds a cluster must stay unhealthy before it is reported NotReady",
    )
    parser.add_argument(
        "--cluster-monitor-period",
        type=float,
        default=5.0,
        help="seconds between checks of cluster health for taints and failover",
    )
    parser.add_argument(
        "--cluster-monitor-grace-period",
        type=float,
        default=40.0,
        help="seconds a Pull cluster may go without renewing its status or Lease before "
        "it is reported Unknown",
    )
    parser.add_argument(
        "--cluster-startup-grace-period",
        type=float,
        default=60.0,
        help="the same for a Pull cluster that has never reported",
    )
    parser.add_argument(
        "--graceful-eviction-timeout",
        type=float,
        default=600.0,
        help="seconds after which a graceful eviction task is removed even if the "
        "replacement never became healthy",
    )
    parser.add_argument(
        "--member-timeout", type=float, default=10.0, help="seconds per request to a member cluster"
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    for flag in ("cluster_status_update_frequency", "cluster_monitor_period", "member_timeout"):
        if getattr(args, flag) <= 0:
            parser.error(f"--{flag.replace('_', '-')} must be positive")
    return Options(
        common=common_options(args),
        controllers=[c.strip() for c in args.controllers.split(",") if c.strip()],
        workers=args.workers,
        cluster_status_update_frequency=args.cluster_status_update_frequency,
        cluster_success_threshold=args.cluster_success_threshold,
        cluster_failure_threshold=args.cluster_failure_threshold,
        cluster_monitor_period=args.cluster_monitor_period,
        cluster_monitor_grace_period=args.cluster_monitor_grace_period,
        cluster_startup_grace_period=args.cluster_startup_grace_period,
        graceful_eviction_timeout=args.graceful_eviction_timeout,
        member_timeout=args.member_timeout,
    )
