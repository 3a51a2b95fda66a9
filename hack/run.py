"""`make run`: the whole control plane and three simulated members, with a sample applied.

Starts the apiserver (with an embedded etcd whose data stays in the run
directory), the member-cluster simulator (three clusters in different regions
and sizes, hack/members.yaml), the scheduler and the controller manager;
joins the members in push mode; applies samples/nginx; waits until the
Deployment runs everywhere it was placed; prints where each replica landed,
where every component's metrics and log are, and how to use karmadactl. Then
it runs until Ctrl-C or SIGTERM and stops every process cleanly.

Everything it does is idempotent: a second start reuses the etcd data, the
members' credentials (the simulator keeps their tokens in the run directory)
and the joined Clusters, and re-applies the sample as an update.

Usage: python hack/run.py [--run-dir DIR] [--apiserver-port N ...]; see --help.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from run_demo import Placement, join_members, wait_placement
from run_processes import ROOT, Child, StartupError, Supervisor, check_ports

from karmada.machinery.client import Client
from karmada.member import MemberClient
from karmadactl.errors import CliError
from karmadactl.objects import load_paths
from membersim.options import ClusterConfig, clusters_from_config

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Options:
    run_dir: Path
    members: Path
    sample: Path
    karmadactl_config: Path
    apiserver_port: int
    apiserver_metrics_port: int
    scheduler_metrics_port: int
    controller_manager_metrics_port: int
    membersim_port: int
    timeout: float
    stop_timeout: float

    @property
    def apiserver(self) -> str:
        return f"{HOST}:{self.apiserver_port}"


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="hack/run.py", description="Run the control plane with three simulated members."
    )
    add = parser.add_argument
    add(
        "--run-dir",
        type=Path,
        default=Path(os.environ.get("KARMADA_RUN_DIR") or ROOT / ".run"),
        help="etcd data, member kubeconfigs and logs (env KARMADA_RUN_DIR; default .run)",
    )
    add("--members", type=Path, default=ROOT / "hack" / "members.yaml", help="simulator config")
    add("--sample", type=Path, default=ROOT / "samples" / "nginx", help="YAML file or dir to apply")
    add(
        "--karmadactl-config",
        type=Path,
        default=Path(
            os.environ.get("KARMADACTL_CONFIG") or Path.home() / ".karmada" / "karmadactl.yaml"
        ),
        help="where to write karmadactl's config (env KARMADACTL_CONFIG)",
    )
    add("--apiserver-port", type=int, default=5443)
    add("--apiserver-metrics-port", type=int, default=10350)
    add("--scheduler-metrics-port", type=int, default=10351)
    add("--controller-manager-metrics-port", type=int, default=10357)
    add("--membersim-port", type=int, default=10443, help="the simulated members' HTTPS port")
    add("--timeout", type=float, default=180.0, help="seconds to wait for the sample to run")
    add("--stop-timeout", type=float, default=15.0, help="seconds each process gets to stop")
    args = parser.parse_args(argv)
    return Options(**vars(args))


def shown(path: Path) -> str:
    """`path` relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def children(opts: Options) -> dict[str, Child]:
    py, logs = sys.executable, opts.run_dir / "logs"

    def component(name: str, module: str, port: int) -> Child:
        address = f"{HOST}:{port}"
        argv = [py, "-m", module, f"--apiserver={opts.apiserver}"]
        return Child(
            name, [*argv, f"--metrics-bind-address={address}"], logs / f"{name}.log", address
        )

    apiserver = Child(
        "apiserver",
        [
            py,
            "-m",
            "apiserver",
            f"--bind-address={opts.apiserver}",
            f"--metrics-bind-address={HOST}:{opts.apiserver_metrics_port}",
            f"--data-dir={opts.run_dir / 'etcd'}",
        ],
        logs / "apiserver.log",
        f"{HOST}:{opts.apiserver_metrics_port}",
    )
    membersim = Child(
        "membersim",
        [
            py,
            "-m",
            "membersim",
            f"--config={opts.members}",
            f"--bind-address={HOST}:{opts.membersim_port}",
            f"--kubeconfig-dir={opts.run_dir / 'members'}",
        ],
        logs / "membersim.log",
        announces=True,
    )
    return {
        "apiserver": apiserver,
        "membersim": membersim,
        "scheduler": component("scheduler", "scheduler", opts.scheduler_metrics_port),
        "controller-manager": component(
            "controller-manager", "controller_manager", opts.controller_manager_metrics_port
        ),
    }


def write_karmadactl_config(path: Path, server: str) -> str:
    """Points karmadactl at this control plane; an earlier, different file is kept as .bak."""
    text = yaml.safe_dump({"server": server}, sort_keys=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    note = ""
    if path.exists() and path.read_text() != text:
        path.replace(path.with_name(path.name + ".bak"))
        note = f" (the previous one is now {shown(path.with_name(path.name + '.bak'))})"
    path.write_text(text)
    return note


async def karmadactl_apply(opts: Options) -> None:
    """`karmadactl apply -f SAMPLE`, as a user would; its output goes to ours."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "karmadactl", f"--config={opts.karmadactl_config}"),
        *("apply", "-f", str(opts.sample)),
        cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL,
    )
    try:
        code = await process.wait()
    except asyncio.CancelledError:
        process.kill()
        await process.wait()
        raise
    if code != 0:
        raise StartupError(f"karmadactl apply -f {shown(opts.sample)} failed (see above)")


async def start_processes(
    opts: Options, supervisor: Supervisor, members: list[ClusterConfig]
) -> dict[str, Child]:
    """Every component, started and ready (the apiserver and simulator first, in parallel)."""
    check_ports(
        HOST,
        {
            "apiserver": opts.apiserver_port,
            "apiserver metrics": opts.apiserver_metrics_port,
            "scheduler metrics": opts.scheduler_metrics_port,
            "controller-manager metrics": opts.controller_manager_metrics_port,
            "member simulator": opts.membersim_port,
        },
    )
    procs = children(opts)
    logs = shown(procs["apiserver"].log.parent)
    print(f"starting the control plane in {shown(opts.run_dir)} (logs in {logs})", flush=True)
    apiserver = await supervisor.start(procs["apiserver"])
    membersim = await supervisor.start(procs["membersim"])
    await asyncio.gather(
        apiserver.wait_serving(opts.apiserver, timeout=60),
        membersim.announcements(len(members), timeout=60),
    )
    components = ("scheduler", "controller-manager")
    for name in components:
        await supervisor.start(procs[name])
    await asyncio.gather(*(procs[name].wait_ready(timeout=60) for name in components))
    print(
        f"apiserver, scheduler, controller manager and {len(members)} simulated members are up",
        flush=True,
    )
    return procs


async def bring_up(opts: Options, supervisor: Supervisor, members: list[ClusterConfig]) -> None:
    """Starts everything, joins, applies the sample and prints the report."""
    documents = load_paths([str(opts.sample)])
    procs = await start_processes(opts, supervisor, members)
    placement: Placement | None = None
    async with Client(opts.apiserver, retry_timeout=30.0) as client:
        for line in await join_members(client, members, opts.run_dir / "members"):
            print(line, flush=True)
        note = write_karmadactl_config(opts.karmadactl_config, opts.apiserver)
        await karmadactl_apply(opts)
        deployments = [d.manifest for d in documents if d.manifest["kind"] == "Deployment"]
        if deployments:
            metadata = deployments[0]["metadata"]
            placement = await watch_placement(
                opts, client, members, metadata["name"], metadata.get("namespace", "default")
            )
    report(opts, procs, placement, note)


async def watch_placement(
    opts: Options, client: Client, members: list[ClusterConfig], name: str, namespace: str
) -> Placement:
    print(f"waiting for {namespace}/{name} to run in the members ...", flush=True)
    clients = {
        m.name: await MemberClient.from_kubeconfig_file(
            m.name, opts.run_dir / "members" / f"{m.name}.kubeconfig"
        )
        for m in members
    }
    try:
        return await wait_placement(
            client, clients, name=name, namespace=namespace, timeout=opts.timeout
        )
    finally:
        for member in clients.values():
            await member.close()


def report(opts: Options, procs: dict[str, Child], placement: Placement | None, note: str) -> None:
    out: list[str] = [""]
    if placement is not None:
        out += [placement.summary, ""]
        if placement.rows:
            out += [placement.table(), ""]
        if placement.missing:
            out.append(f"still missing after {opts.timeout:.0f}s:")
            out += [f"  - {line}" for line in placement.missing]
            out.append("")
    for name, child in procs.items():
        where = (
            f"metrics http://{child.metrics}/metrics"
            if child.metrics
            else f"members https://{HOST}:{opts.membersim_port}/clusters/<name>"
        )
        out.append(f"{name:<20}{where}  log {shown(child.log)}")
    karmadactl = Path(sys.executable).with_name("karmadactl")
    command = shown(karmadactl) if karmadactl.exists() else "karmadactl"
    out += [
        "",
        f"karmadactl talks to {opts.apiserver} ({shown(opts.karmadactl_config)}{note}); try:",
        f"  {command} get clusters",
        f"  {command} get deployments --operation-scope all",
        f"  {command} describe deployment {placement.name if placement else 'NAME'}",
        f"member kubeconfigs for kubectl: {shown(opts.run_dir / 'members')}/<name>.kubeconfig",
        "",
        "Ctrl-C stops everything.",
    ]
    print("\n".join(out), flush=True)


async def run(opts: Options) -> int:
    members = list(clusters_from_config(opts.members.read_text()))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    supervisor = Supervisor()
    stopped = asyncio.create_task(stop.wait(), name="signals")
    code = 0
    try:
        startup = asyncio.create_task(bring_up(opts, supervisor, members), name="startup")
        await asyncio.wait({startup, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not startup.done():
            startup.cancel()
            await asyncio.gather(startup, return_exceptions=True)
            return 0
        try:
            startup.result()
        except (StartupError, CliError) as error:
            print(f"error: {error}", file=sys.stderr, flush=True)
            return 1
        except Exception as error:  # an API error while joining or applying
            print(f"error: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
            return 1
        exited = asyncio.create_task(supervisor.first_exit(), name="children")
        await asyncio.wait({exited, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if exited.done():
            child = exited.result()
            print(f"error: {child.failure('exited unexpectedly')}", file=sys.stderr, flush=True)
            code = 1
        else:
            exited.cancel()
            await asyncio.gather(exited, return_exceptions=True)
    finally:
        stopped.cancel()
        print("stopping ...", flush=True)
        await supervisor.stop_all(timeout=opts.stop_timeout)
        print("stopped", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse(argv)))


if __name__ == "__main__":
    sys.exit(main())
