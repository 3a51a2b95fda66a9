"""What every control-plane component besides the apiserver shares: flags, client, lifecycle.

The scheduler, controller manager and agent all connect to the apiserver with
the same flags, serve /metrics /healthz /readyz, optionally campaign for a
Lease so two replicas can run, and stop cleanly on SIGTERM or SIGINT. `run`
does all of that around a component's body, so each component only builds its
controllers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from karmada.machinery.client import Client
from karmada.machinery.leaderelection import LeaderElector
from karmada.machinery.serve import ObservabilityServer

__all__ = ["CommonOptions", "add_common_flags", "common_options", "run"]

log = logging.getLogger(__name__)

Body = Callable[[Client], Coroutine[Any, Any, None]]
ReadyCheck = Callable[[], list[str]]


@dataclass(frozen=True, slots=True)
class CommonOptions:
    """The flags `add_common_flags` defines, parsed."""

    apiserver: str
    token: str
    ca_file: Path | None
    metrics_bind_address: str
    leader_elect: bool
    leader_elect_lease_duration: float
    leader_elect_renew_deadline: float
    leader_elect_retry_period: float
    leader_elect_resource_namespace: str
    leader_elect_resource_name: str
    log_level: str


def add_common_flags(
    parser: argparse.ArgumentParser, *, metrics_address: str, lease_name: str
) -> None:
    parser.add_argument(
        "--apiserver",
        default=os.environ.get("KARMADA_APISERVER", "127.0.0.1:5443"),
        help="gRPC address of karmada-apiserver (env KARMADA_APISERVER)",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("KARMADA_TOKEN", ""),
        help="bearer token for the apiserver (env KARMADA_TOKEN)",
    )
    parser.add_argument(
        "--ca-file", type=Path, default=None, help="CA bundle of the apiserver; implies TLS"
    )
    parser.add_argument(
        "--metrics-bind-address",
        default=metrics_address,
        help="address serving /metrics, /healthz and /readyz; empty disables",
    )
    parser.add_argument(
        "--leader-elect",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="campaign for a Lease before working, so several replicas can run",
    )
    parser.add_argument("--leader-elect-lease-duration", type=float, default=15.0)
    parser.add_argument("--leader-elect-renew-deadline", type=float, default=10.0)
    parser.add_argument("--leader-elect-retry-period", type=float, default=2.0)
    parser.add_argument("--leader-elect-resource-namespace", default="karmada-system")
    parser.add_argument("--leader-elect-resource-name", default=lease_name)
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )


def common_options(args: argparse.Namespace) -> CommonOptions:
    return CommonOptions(
        apiserver=args.apiserver,
        token=args.token,
        ca_file=args.ca_file,
        metrics_bind_address=args.metrics_bind_address,
        leader_elect=args.leader_elect,
        leader_elect_lease_duration=args.leader_elect_lease_duration,
        leader_elect_renew_deadline=args.leader_elect_renew_deadline,
        leader_elect_retry_period=args.leader_elect_retry_period,
        leader_elect_resource_namespace=args.leader_elect_resource_namespace,
        leader_elect_resource_name=args.leader_elect_resource_name,
        log_level=args.log_level,
    )


def make_client(opts: CommonOptions) -> Client:
    root = opts.ca_file.read_bytes() if opts.ca_file else None
    return Client(opts.apiserver, token=opts.token, root_certificates=root)


async def run(opts: CommonOptions, *, component: str, body: Body, ready: ReadyCheck) -> None:
    """Runs `body` (as leader, if electing) until SIGTERM or SIGINT.

    Losing leadership cancels the body and campaigns again, so a replica that
    was partitioned away rejoins as a standby rather than exiting.
    """
    client = make_client(opts)
    observability: ObservabilityServer | None = None
    if opts.metrics_bind_address:

        async def readiness() -> list[str]:
            return ready()

        observability = ObservabilityServer(opts.metrics_bind_address, readiness=readiness)
        await observability.start()
        print(f"{component} metrics on http://{observability.address}/metrics", flush=True)
    work = asyncio.create_task(_work(opts, client, component, body), name=f"{component}-main")
    stop = asyncio.create_task(_signalled(), name="signals")
    try:
        done, _ = await asyncio.wait({work, stop}, return_when=asyncio.FIRST_COMPLETED)
        if work in done:
            work.result()
        log.info("Shutting down")
    finally:
        for task in (work, stop):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if observability is not None:
            await observability.stop()
        await client.close()
    log.info("Stopped")


async def _work(opts: CommonOptions, client: Client, component: str, body: Body) -> None:
    if not opts.leader_elect:
        await body(client)
        return
    identity = f"{socket.gethostname()}_{uuid.uuid4()}"
    elector = LeaderElector(
        client,
        namespace=opts.leader_elect_resource_namespace,
        name=opts.leader_elect_resource_name,
        identity=identity,
        lease_duration=opts.leader_elect_lease_duration,
        renew_deadline=opts.leader_elect_renew_deadline,
        retry_period=opts.leader_elect_retry_period,
    )
    log.info(
        "Campaigning for leadership",
        extra={"lease": opts.leader_elect_resource_name, "identity": identity},
    )
    while True:
        await elector.run(lambda: body(client))
        log.warning("Leadership ended; campaigning again", extra={"component": component})


async def _signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        sys.stdout.flush()
