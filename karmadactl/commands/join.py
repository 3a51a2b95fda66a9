"""`karmadactl join NAME --cluster-kubeconfig FILE`: register a member cluster in Push mode.

Karmada's join (pkg/karmadactl/join), with its flags: ``--cluster-context``
(default: the kubeconfig's current context), ``--cluster-provider``,
``--cluster-region``, ``--cluster-zones a,b``, plus ``--cluster-labels
k=v,...`` and ``--dry-run``. As Karmada's, it first reaches the member and
reads its identity (the uid of its kube-system namespace, the Cluster's
``spec.id``), so an unreachable member or a cluster already joined under
another name is refused before anything is written; then
`karmada.registration.join_push` writes the Secret and the Cluster, the
same code `make run` and the tests use. Prints
``cluster(NAME) is joined successfully``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery import errors
from karmada.machinery.scheme import CLUSTER
from karmada.machinery.validation import dns1123_label, is_label_value, is_qualified_name
from karmada.member import ClientOptions, MemberClient, MemberError, NotFound
from karmada.registration import JoinError, join_push, kubeconfig_entry
from karmadactl.context import Context
from karmadactl.errors import CliError

__all__ = ["HELP", "NAME", "add_arguments", "parse_labels", "run"]

NAME = "join"
HELP = "Register a cluster to the Karmada control plane in Push mode"

_MAX_NAME = 48  # karmada-es-<name> must still be a valid namespace name


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="CLUSTER_NAME", help="the name the cluster gets")
    add = parser.add_argument
    add("--cluster-kubeconfig", help="path of the cluster's kubeconfig (default $KUBECONFIG)")
    add("--cluster-context", help="context in the kubeconfig (default: its current context)")
    add("--cluster-provider", default="", help="provider of the cluster")
    add("--cluster-region", default="", help="region of the cluster")
    add("--cluster-zones", default="", help="zones of the cluster, comma-separated")
    add("--cluster-labels", default="", help="labels of the Cluster object: k=v,k2=v2")
    add("--dry-run", action="store_true", help="check everything, write nothing")


def parse_labels(text: str) -> dict[str, str]:
    """ "k=v,k2=v2" as a mapping; raises CliError on a bad key or value."""
    labels: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            problems = ["must be key=value"]
        else:
            problems = is_qualified_name(key) or is_label_value(value)
        if problems:
            raise CliError(f"invalid --cluster-labels {item!r}: {'; '.join(problems)}")
        labels[key] = value
    return labels


def _kubeconfig_path(given: str | None) -> Path:
    if given:
        return Path(given)
    env = os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
    return Path(env) if env else Path.home() / ".kube" / "config"


def _load(path: Path) -> dict[str, Any]:
    prefix = "failed to get joining cluster config"
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise CliError(f"{prefix}: kubeconfig {path} does not exist") from None
    except OSError as error:
        raise CliError(f"{prefix}: cannot read {path}: {error.strerror}") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise CliError(f"{prefix}: {where}: {problem}") from None
    if not isinstance(loaded, dict) or not loaded.get("clusters"):
        raise CliError(f"{prefix}: {path} is not a kubeconfig (no clusters)")
    return loaded


async def _member_id(
    name: str, kubeconfig: dict[str, Any], context: str | None, ctx: Context
) -> str:
    """The uid of the member's kube-system namespace (Karmada's cluster ID)."""
    try:
        member = await MemberClient.from_kubeconfig(
            name, kubeconfig, context=context, options=ClientOptions(timeout=ctx.timeout)
        )
    except MemberError as error:
        raise CliError(f"failed to get joining cluster config: {error.message}") from None
    try:
        namespace = await member.get("v1", "Namespace", "kube-system")
    except NotFound:
        return ""
    except MemberError as error:
        raise CliError(f"cannot reach cluster({name}) at {member.host}: {error.message}") from None
    finally:
        await member.close()
    return str((namespace.get("metadata") or {}).get("uid") or "")


async def _check_unique(ctx: Context, name: str, cluster_id: str) -> None:
    try:
        await ctx.client.get(CLUSTER, name)
    except errors.NotFound:
        pass
    else:
        raise CliError(f"cluster {name} already exists")
    if not cluster_id:
        return
    clusters, _ = await ctx.client.list_all(CLUSTER)
    for cluster in clusters:
        if cluster.spec.id == cluster_id:
            raise CliError(
                f"the same cluster has been registered with name {cluster.metadata.name}"
            )


def _with_id(cluster_id: str) -> Callable[[cluster_pb2.Cluster], cluster_pb2.Cluster | None]:
    def mutate(cluster: cluster_pb2.Cluster) -> cluster_pb2.Cluster | None:
        if cluster.spec.id == cluster_id:
            return None
        cluster.spec.id = cluster_id
        return cluster

    return mutate


async def run(ctx: Context, args: argparse.Namespace) -> int:
    name: str = args.name
    if problems := dns1123_label(name, "name", max_len=_MAX_NAME):
        details = ";".join(p.description for p in problems)
        raise CliError(f"invalid cluster name({name}): {details}")
    labels = parse_labels(args.cluster_labels)
    zones = [z.strip() for z in args.cluster_zones.split(",") if z.strip()]
    kubeconfig = _load(_kubeconfig_path(args.cluster_kubeconfig))
    try:
        entry, _ = kubeconfig_entry(kubeconfig, args.cluster_context)
    except JoinError as error:
        raise CliError(f"failed to get joining cluster config: {error}") from None
    if not entry.get("server"):
        raise CliError(
            "failed to get joining cluster config: the kubeconfig's cluster has no server"
        )
    cluster_id = await _member_id(name, kubeconfig, args.cluster_context, ctx)
    await _check_unique(ctx, name, cluster_id)
    if args.dry_run:
        return 0
    try:
        await join_push(
            ctx.client,
            name,
            kubeconfig,
            context=args.cluster_context,
            provider=args.cluster_provider,
            region=args.cluster_region,
            zones=zones,
            labels=labels,
        )
    except errors.AlreadyExists:
        raise CliError(f"cluster {name} already exists") from None
    except JoinError as error:
        raise CliError(f"failed to get joining cluster config: {error}") from None
    if cluster_id:
        await ctx.client.guaranteed_update(CLUSTER, name, mutate=_with_id(cluster_id))
    print(f"cluster({name}) is joined successfully")
    return 0
