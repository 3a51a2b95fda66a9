"""`karmadactl unjoin NAME [--wait 60s]`: remove a member cluster, and what Karmada put there.

Deleting the Cluster starts its orderly exit in the cluster controller
(controller_manager/controllers/cluster.py): every Work in
``karmada-es-<name>`` is deleted, the execution controller's finalizer
removes each Work's objects from the member first, then the execution
namespace goes and last the Cluster. This command deletes the Cluster,
waits for it to be gone (Karmada's ``--wait``, default 60s;
``--wait-timeout`` is accepted too), then deletes its credentials, the
Secret ``karmada-cluster/<name>``. On timeout it says what is left, e.g.
``timed out after 60s: cluster member3 still has 2 Works in
karmada-es-member3``, and keeps the Secret: the controllers still need it
to finish; running unjoin again once the Cluster is gone deletes the Secret
left behind. Prints ``cluster(NAME) is unjoined successfully``.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from google.protobuf.message import Message

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery import errors
from karmada.machinery.scheme import CLUSTER, NAMESPACE, WORK
from karmada.names import execution_space
from karmada.registration import CLUSTER_NAMESPACE, SECRET
from karmadactl.context import Context, duration
from karmadactl.errors import CliError
from karmadactl.targets import Target
from karmadactl.waiting import until

__all__ = ["DEFAULT_WAIT", "HELP", "NAME", "add_arguments", "run"]

NAME = "unjoin"
HELP = "Remove a cluster from the Karmada control plane (its Works and their objects first)"

DEFAULT_WAIT = 60.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="CLUSTER_NAME", help="the cluster to remove")
    parser.add_argument(
        "--wait",
        "--wait-timeout",
        dest="wait",
        type=duration,
        default=DEFAULT_WAIT,
        help=f"how long to wait for the cluster's removal (default {DEFAULT_WAIT:g}s)",
    )


def _gone(obj: Message | None) -> bool:
    return obj is None


async def _leftovers(ctx: Context, name: str) -> str:
    """What keeps the Cluster from going, for the timeout message."""
    space = execution_space(name)
    works, _ = await ctx.client.list_all(WORK, namespace=space)
    if works:
        noun = "Work" if len(works) == 1 else "Works"
        return f"cluster {name} still has {len(works)} {noun} in {space}"
    with contextlib.suppress(errors.NotFound):
        await ctx.client.get(NAMESPACE, space)
        return f"cluster {name} still has its execution namespace {space}"
    try:
        cluster = await ctx.client.get(CLUSTER, name)
    except errors.NotFound:
        return f"cluster {name} was still being removed"
    finalizers = ", ".join(cluster.metadata.finalizers) or "none"
    return f"cluster {name} still exists (finalizers: {finalizers})"


def _seconds(value: float) -> str:
    return f"{value:g}s"


async def run(ctx: Context, args: argparse.Namespace) -> int:
    name: str = args.name
    try:
        cluster: cluster_pb2.Cluster = await ctx.client.get(CLUSTER, name)
    except errors.NotFound:
        # Gone already, maybe after an unjoin that timed out: only its Secret may be left.
        try:
            await ctx.client.delete(SECRET, name, CLUSTER_NAMESPACE)
        except errors.NotFound:
            raise CliError(f"no cluster object {name} found in karmada control plane") from None
        print(f"cluster({name}) is unjoined successfully")
        return 0
    with contextlib.suppress(errors.NotFound):
        await ctx.client.delete(CLUSTER, name)
    if not await until(ctx.client, Target(CLUSTER, name), _gone, timeout=args.wait):
        raise CliError(f"timed out after {_seconds(args.wait)}: {await _leftovers(ctx, name)}")
    ref: Any = cluster.spec.secret_ref
    if ref.name:
        with contextlib.suppress(errors.NotFound):
            await ctx.client.delete(SECRET, ref.name, ref.namespace)
    print(f"cluster({name}) is unjoined successfully")
    return 0
