"""Process lifecycle: build the clusters, listen, announce, run until signalled.

Startup order matters to whoever launched the simulator: kubeconfig files
are written only once the port is bound (so the URL in them is final), and
the one-line-per-cluster announcement on stdout comes last, so a reader
that sees a cluster's line can use it at once.

The CA (in ``<kubeconfig-dir>/membersim-pki``) and each cluster's token are
reused from an earlier run in the same directory, so credentials handed to
a control plane keep working after a restart on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import ssl
import sys
import tempfile
from pathlib import Path

from aiohttp import web

from membersim import kubeconfig, pki
from membersim.cluster import SimCluster
from membersim.controllers.manager import Controllers
from membersim.faults import Faults
from membersim.options import Options
from membersim.server import Simulator, build_app, prefix

log = logging.getLogger(__name__)


def build(opts: Options, directory: Path) -> Simulator:
    """Every configured cluster, bootstrapped, reusing tokens found in `directory`."""
    clusters = {}
    for config in opts.clusters:
        token = kubeconfig.existing_token(directory, config.name)
        cluster = SimCluster(config, history_size=opts.watch_history, token=token)
        cluster.bootstrap()
        clusters[config.name] = cluster
    for name in opts.unreachable:
        clusters[name].faults = Faults(unreachable=True)
    for name, seconds in opts.latency:
        current = clusters[name].faults or Faults()
        clusters[name].faults = Faults(
            current.unreachable, seconds, current.error_rate, current.fail_pods
        )
    return Simulator(clusters=clusters, bookmark_interval=opts.bookmark_interval)


def _advertised_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=1024)


async def run(opts: Options) -> None:
    """Serve until SIGINT or SIGTERM.

    Without ``--kubeconfig-dir`` the kubeconfigs go to a temporary directory
    (named in the log) that is removed on exit.
    """
    with contextlib.ExitStack() as cleanup:
        directory = opts.kubeconfig_dir
        if directory is None:
            directory = Path(
                cleanup.enter_context(tempfile.TemporaryDirectory(prefix="membersim-"))
            )
        await _serve(opts, directory)


async def _serve(opts: Options, directory: Path) -> None:
    sim = build(opts, directory)
    if opts.controllers:
        sim.controllers = Controllers(
            list(sim.clusters.values()),
            ready_delay=opts.pod_ready_delay,
            job_duration=opts.job_duration,
        )
        sim.controllers.start()
    host = _advertised_host(opts.bind_host)
    certs = pki.issue(directory / "membersim-pki", [host.strip("[]"), opts.bind_host])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs.cert, certs.key)
    sock = _listen(opts.bind_host, opts.bind_port)
    port = sock.getsockname()[1]
    runner = web.AppRunner(
        build_app(sim),
        handle_signals=False,
        access_log=None,
        handler_cancellation=True,
        shutdown_timeout=5.0,
    )
    await runner.setup()
    await web.SockSite(runner, sock, ssl_context=context).start()
    ca_pem = certs.ca_pem
    for name, cluster in sim.clusters.items():
        url = f"https://{host}:{port}{prefix(name)}"
        kubeconfig.write(directory, name, server=url, token=cluster.token, ca_pem=ca_pem)
        sys.stdout.write(f"{name} {url}\n")
    sys.stdout.flush()
    log.info(
        "Serving simulated clusters",
        extra={"clusters": len(sim.clusters), "port": port, "kubeconfig_dir": str(directory)},
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("Shutting down")
        for cluster in sim.clusters.values():
            cluster.store.close_watchers()
        await runner.cleanup()
        if sim.controllers is not None:
            await sim.controllers.stop()
