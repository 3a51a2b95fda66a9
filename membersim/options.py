"""Command-line flags and the cluster configuration file of karmada-membersim.

Three ways to say which clusters to simulate: ``--clusters 3`` (member1 to
member3), ``--clusters a,b`` (those names), or ``--config FILE``, a YAML
document giving each cluster its region, zone(s), provider, extra node
labels, node count and node capacity::

    defaults:              # optional; applies to every cluster
      nodes: 3
      capacity: {cpu: "8", memory: 32Gi, pods: "110"}
    clusters:              # a list, or a mapping keyed by cluster name
      - name: member1
        region: eu-west-1
        zones: [eu-west-1a, eu-west-1b]   # or zone: eu-west-1a
        provider: aws
        labels: {tier: gold}
        nodes: 5
        capacity: {cpu: "4", memory: 16Gi, pods: "110"}
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from karmada.machinery import validation


@dataclass(frozen=True, slots=True)
class Capacity:
    """What each simulated node offers, as Kubernetes quantities."""

    cpu: str = "8"
    memory: str = "32Gi"
    pods: str = "110"


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """One simulated cluster.

    Attributes:
        name: the cluster's name, also its URL path segment.
        region: ``topology.kubernetes.io/region`` of its nodes ("" for none).
        zones: ``topology.kubernetes.io/zone`` values, assigned to nodes in turn.
        provider: cloud provider name, used in node providerIDs.
        labels: extra labels on every node.
        nodes: how many nodes to create.
        capacity: each node's capacity and allocatable resources.
    """

    name: str
    region: str = ""
    zones: tuple[str, ...] = ()
    provider: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    nodes: int = 3
    capacity: Capacity = Capacity()


@dataclass(frozen=True, slots=True)
class Options:
    clusters: tuple[ClusterConfig, ...]
    bind_host: str = "127.0.0.1"
    bind_port: int = 0
    kubeconfig_dir: Path | None = None
    watch_history: int = 1000
    bookmark_interval: float = 30.0
    log_level: str = "info"
    controllers: bool = True
    pod_ready_delay: float = 0.5
    job_duration: float = 1.0
    unreachable: tuple[str, ...] = ()
    latency: tuple[tuple[str, float], ...] = ()


class ConfigError(ValueError):
    """An invalid --clusters value or configuration file."""


def _check_name(name: str) -> str:
    if problems := validation.is_dns1123_label(name):
        raise ConfigError(f"invalid cluster name {name!r}: {'; '.join(problems)}")
    return name


def clusters_from_flag(value: str) -> tuple[ClusterConfig, ...]:
    """``3`` -> member1..member3; ``a,b`` -> a and b."""
    value = value.strip()
    if value.isdigit():
        count = int(value)
        if count < 1:
            raise ConfigError("--clusters must be at least 1")
        return tuple(ClusterConfig(f"member{i}") for i in range(1, count + 1))
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise ConfigError("--clusters needs a count or a comma-separated list of names")
    if len(set(names)) != len(names):
        raise ConfigError("--clusters lists a name twice")
    return tuple(ClusterConfig(_check_name(n)) for n in names)


def _capacity(raw: Any, base: Capacity) -> Capacity:
    if raw is None:
        return base
    if not isinstance(raw, Mapping):
        raise ConfigError("capacity must be a mapping of cpu, memory and pods")
    unknown = set(raw) - {"cpu", "memory", "pods"}
    if unknown:
        raise ConfigError(f"unknown capacity keys: {sorted(unknown)}")
    return Capacity(
        cpu=str(raw.get("cpu", base.cpu)),
        memory=str(raw.get("memory", base.memory)),
        pods=str(raw.get("pods", base.pods)),
    )


_CLUSTER_KEYS = {"name", "region", "zone", "zones", "provider", "labels", "nodes", "capacity"}


def _cluster(name: str, raw: Mapping[str, Any], defaults: Mapping[str, Any]) -> ClusterConfig:
    unknown = set(raw) - _CLUSTER_KEYS
    if unknown:
        raise ConfigError(f"cluster {name}: unknown keys {sorted(unknown)}")
    merged = {**defaults, **raw}
    zones = merged.get("zones")
    if zones is None:
        zones = [merged["zone"]] if merged.get("zone") else []
    nodes = merged.get("nodes", 3)
    if not isinstance(nodes, int) or nodes < 0:
        raise ConfigError(f"cluster {name}: nodes must be a non-negative integer")
    labels = merged.get("labels") or {}
    if not isinstance(labels, Mapping):
        raise ConfigError(f"cluster {name}: labels must be a mapping")
    return ClusterConfig(
        name=_check_name(name),
        region=str(merged.get("region", "")),
        zones=tuple(str(z) for z in zones),
        provider=str(merged.get("provider", "")),
        labels={str(k): str(v) for k, v in labels.items()},
        nodes=nodes,
        capacity=_capacity(merged.get("capacity"), _capacity(defaults.get("capacity"), Capacity())),
    )


def clusters_from_config(text: str) -> tuple[ClusterConfig, ...]:
    """Parse the YAML configuration file described in the module docstring."""
    doc = yaml.safe_load(text) or {}
    if not isinstance(doc, Mapping) or "clusters" not in doc:
        raise ConfigError("the configuration needs a 'clusters' list or mapping")
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise ConfigError("'defaults' must be a mapping")
    raw = doc["clusters"]
    entries: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(raw, Mapping):
        entries = [(str(name), body or {}) for name, body in raw.items()]
    elif isinstance(raw, list):
        for item in raw:
            if not isinstance(item, Mapping) or not item.get("name"):
                raise ConfigError("each entry of 'clusters' needs a name")
            entries.append((str(item["name"]), item))
    else:
        raise ConfigError("'clusters' must be a list or a mapping")
    if not entries:
        raise ConfigError("the configuration lists no cluster")
    names = [name for name, _ in entries]
    if len(set(names)) != len(names):
        raise ConfigError("the configuration lists a cluster twice")
    return tuple(_cluster(name, body, defaults) for name, body in entries)


def _bind(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


def _latency(value: str) -> tuple[str, float]:
    name, _, seconds = value.partition("=")
    try:
        delay = float(seconds)
    except ValueError:
        delay = -1.0
    if not name or delay < 0:
        raise argparse.ArgumentTypeError(f"expected NAME=SECONDS, got {value!r}")
    return name, delay


def parse(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="karmada-membersim",
        description="Simulated Kubernetes member clusters, one URL path each, on one port.",
    )
    parser.add_argument("--clusters", help="a count (member1..memberN) or comma-separated names")
    parser.add_argument("--config", type=Path, help="YAML file describing the clusters")
    parser.add_argument(
        "--bind-address",
        type=_bind,
        default=("127.0.0.1", 0),
        help="HOST:PORT to listen on (port 0 picks a free one; default 127.0.0.1:0)",
    )
    parser.add_argument(
        "--kubeconfig-dir",
        type=Path,
        help="write <cluster>.kubeconfig files here (default: a temporary directory removed on exit)",
    )
    parser.add_argument(
        "--watch-history",
        type=int,
        default=1000,
        help="events kept per cluster for watches resuming from a resourceVersion",
    )
    parser.add_argument(
        "--watch-bookmark-interval",
        type=float,
        default=30.0,
        help="seconds between BOOKMARK events on watches that allow them",
    )
    parser.add_argument(
        "--no-controllers",
        dest="controllers",
        action="store_false",
        help="run no simulated controllers (an apiserver without controller-manager, "
        "scheduler or kubelets): objects only change when clients change them",
    )
    parser.add_argument(
        "--pod-ready-delay",
        type=float,
        default=0.5,
        help="seconds from a pod's scheduling to it being Running and Ready",
    )
    parser.add_argument(
        "--job-duration",
        type=float,
        default=1.0,
        help="seconds a Job's pod runs before it succeeds",
    )
    parser.add_argument(
        "--unreachable",
        action="append",
        default=[],
        metavar="NAME",
        help="start with cluster NAME unreachable (repeatable; clear it through the admin endpoint)",
    )
    parser.add_argument(
        "--latency",
        action="append",
        default=[],
        type=_latency,
        metavar="NAME=SECONDS",
        help="delay every request to cluster NAME by SECONDS (repeatable)",
    )
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    try:
        if args.config is not None:
            if args.clusters is not None:
                raise ConfigError("give either --clusters or --config, not both")
            clusters = clusters_from_config(args.config.read_text())
        else:
            clusters = clusters_from_flag(args.clusters or "1")
    except (ConfigError, OSError, yaml.YAMLError) as err:
        parser.error(str(err))
    host, port = args.bind_address
    names = {c.name for c in clusters}
    for name in [*args.unreachable, *(n for n, _ in args.latency)]:
        if name not in names:
            parser.error(f"no simulated cluster is named {name!r}")
    return Options(
        clusters=clusters,
        bind_host=host,
        bind_port=port,
        kubeconfig_dir=args.kubeconfig_dir,
        watch_history=args.watch_history,
        bookmark_interval=args.watch_bookmark_interval,
        log_level=args.log_level,
        controllers=args.controllers,
        pod_ready_delay=args.pod_ready_delay,
        job_duration=args.job_duration,
        unreachable=tuple(args.unreachable),
        latency=tuple(args.latency),
    )
