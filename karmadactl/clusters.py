"""What the cluster commands share: reading a Cluster, changing its taints, reaching the member.

`join`, `unjoin`, `cordon`, `uncordon`, `taint` and `promote` all start from
a Cluster by name, and answer a missing one in kubectl's words
(``clusters.cluster.karmada.io "member9" not found``). Taint edits go through
`guaranteed_update`, so the cluster controller and the status controller,
which write the same object, never lose a user's change or have theirs
lost. A member is reached as the controller manager reaches it: the
Cluster's Secret (`spec.secretRef`) and `karmada.registration.kubeconfig_for`
give the kubeconfig, `MemberClient` does the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from google.protobuf import timestamp_pb2

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.core.v1 import types_pb2
from karmada.machinery import errors
from karmada.machinery.scheme import CLUSTER
from karmada.member import MemberClient, MemberError
from karmada.registration import MemberUnavailable
from karmadactl.context import Context
from karmadactl.errors import CliError
from karmadactl.members import client_for

__all__ = [
    "TaintEdit",
    "edit_taints",
    "get_cluster",
    "member_client",
    "member_failure",
    "not_found",
    "now",
]

TaintEdit = Callable[[list[types_pb2.Taint]], list[types_pb2.Taint] | None]
"""Given the current taints (a copy), the taints to write, or None to leave them."""


def not_found(name: str) -> CliError:
    return CliError(f'{CLUSTER.plural}.{CLUSTER.group} "{name}" not found')


def now() -> timestamp_pb2.Timestamp:
    """Now at second precision, as metav1.Time."""
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    stamp.nanos = 0
    return stamp


async def get_cluster(ctx: Context, name: str) -> cluster_pb2.Cluster:
    try:
        return await ctx.client.get(CLUSTER, name)
    except errors.NotFound:
        raise not_found(name) from None


async def edit_taints(ctx: Context, name: str, edit: TaintEdit) -> bool:
    """Applies `edit` to the cluster's taints until it lands; whether anything was written."""
    written = False

    def mutate(cluster: cluster_pb2.Cluster) -> cluster_pb2.Cluster | None:
        nonlocal written
        taints = edit([_copy(t) for t in cluster.spec.taints])
        written = taints is not None
        if taints is None:
            return None
        del cluster.spec.taints[:]
        cluster.spec.taints.extend(taints)
        return cluster

    try:
        await ctx.client.guaranteed_update(CLUSTER, name, mutate=mutate)
    except errors.NotFound:
        raise not_found(name) from None
    return written


def _copy(taint: types_pb2.Taint) -> types_pb2.Taint:
    out = types_pb2.Taint()
    out.CopyFrom(taint)
    return out


def member_failure(cluster: str, error: MemberError | MemberUnavailable) -> CliError:
    message = error.message if isinstance(error, MemberError) else str(error)
    return CliError(f"cannot reach cluster {cluster}: {message}")


async def member_client(ctx: Context, name: str) -> MemberClient:
    """A client of the joined cluster `name`, with the credentials the control plane holds."""
    try:
        cluster = await ctx.client.get(CLUSTER, name)
    except errors.NotFound:
        raise CliError(f"cluster {name} is not joined") from None
    try:
        return await client_for(ctx, cluster)
    except (MemberError, MemberUnavailable) as error:
        raise member_failure(name, error) from None
