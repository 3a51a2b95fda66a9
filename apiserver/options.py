"""Command-line flags of karmada-apiserver."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Options:
    """Parsed flags; see `parse` for their meaning and defaults."""

    bind_address: str
    etcd_servers: list[str]
    data_dir: Path
    etcd_binary: str
    etcd_unsafe_no_fsync: bool
    metrics_bind_address: str
    tls_cert_file: Path | None
    tls_private_key_file: Path | None
    token_auth_file: Path | None
    watch_cache_size: int
    watch_bookmark_interval: float
    etcd_compaction_interval: float
    shutdown_grace_period: float
    log_level: str


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="karmada-apiserver",
        description="The Karmada API server: typed gRPC API over etcd, with watches.",
    )
    parser.add_argument("--bind-address", default="127.0.0.1:5443", help="gRPC listen address")
    parser.add_argument(
        "--etcd-servers",
        default="",
        help="comma-separated etcd endpoints (host:port); empty starts an embedded etcd",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path.home() / ".karmada" / "etcd",
        help="data directory of the embedded etcd",
    )
    parser.add_argument("--etcd-binary", default="", help="etcd executable for the embedded etcd")
    parser.add_argument(
        "--etcd-unsafe-no-fsync",
        action="store_true",
        help="embedded etcd skips fsync (tests and demos only: loses data on power loss)",
    )
    parser.add_argument(
        "--metrics-bind-address",
        default="127.0.0.1:10350",
        help="address serving /metrics, /healthz and /readyz; empty disables",
    )
    parser.add_argument("--tls-cert-file", type=Path, default=None, help="serve TLS with this cert")
    parser.add_argument("--tls-private-key-file", type=Path, default=None, help="key of the cert")
    parser.add_argument(
        "--token-auth-file",
        type=Path,
        default=None,
        help="CSV of bearer tokens (token,user,uid[,groups]); requests without one are refused",
    )
    parser.add_argument(
        "--watch-cache-size", type=int, default=10_000, help="events of history kept per kind"
    )
    parser.add_argument(
        "--watch-bookmark-interval",
        type=float,
        default=60.0,
        help="seconds between BOOKMARK events to watches that asked for them",
    )
    parser.add_argument(
        "--etcd-compaction-interval",
        type=float,
        default=300.0,
        help="seconds between etcd compactions; 0 disables",
    )
    parser.add_argument(
        "--shutdown-grace-period",
        type=float,
        default=5.0,
        help="seconds in-flight calls get to finish on SIGTERM",
    )
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    args = parser.parse_args(argv)
    if bool(args.tls_cert_file) != bool(args.tls_private_key_file):
        parser.error("--tls-cert-file and --tls-private-key-file go together")
    if args.watch_cache_size < 1:
        parser.error("--watch-cache-size must be at least 1")
    return Options(
        bind_address=args.bind_address,
        etcd_servers=[s.strip() for s in args.etcd_servers.split(",") if s.strip()],
        data_dir=args.data_dir,
        etcd_binary=args.etcd_binary,
        etcd_unsafe_no_fsync=args.etcd_unsafe_no_fsync,
        metrics_bind_address=args.metrics_bind_address,
        tls_cert_file=args.tls_cert_file,
        tls_private_key_file=args.tls_private_key_file,
        token_auth_file=args.token_auth_file,
        watch_cache_size=args.watch_cache_size,
        watch_bookmark_interval=args.watch_bookmark_interval,
        etcd_compaction_interval=args.etcd_compaction_interval,
        shutdown_grace_period=args.shutdown_grace_period,
        log_level=args.log_level,
    )
