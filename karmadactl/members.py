"""Reaching member clusters from the CLI, for `--operation-scope members|all`.

The control plane holds what it takes: each Cluster names its Secret
(`spec.secretRef`), and `karmada.registration.kubeconfig_for` rebuilds the
kubeconfig from the two, so the CLI reads members with the same credentials
the controllers use, through the same `MemberClient`. A member that cannot be
reached (no Secret, pull mode, down) costs one warning line on stderr; the
command goes on with the others, as karmadactl does.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from karmada.cluster.v1alpha1 import cluster_pb2
from karmada.machinery import errors
from karmada.machinery.scheme import CLUSTER
from karmada.machinery.structs import to_dict
from karmada.member import ClientOptions, MemberClient, MemberError, Unreachable
from karmada.registration import SECRET, MemberUnavailable, kubeconfig_for
from karmadactl.context import Context

__all__ = ["connect", "each", "warn"]

T = TypeVar("T")


def warn(message: str) -> None:
    """One warning line on stderr."""
    print(f"warning: {message}", file=sys.stderr)


async def client_for(ctx: Context, cluster: cluster_pb2.Cluster) -> MemberClient:
    """A client of `cluster` built from the credentials the control plane holds.

    Raises:
        MemberUnavailable: no secretRef, or its Secret is missing.
        karmada.member.MemberError: the credentials cannot be used.
    """
    ref = cluster.spec.secret_ref
    if not ref.name:
        raise MemberUnavailable("it has no spec.secretRef (pull mode?)")
    try:
        secret = await ctx.client.get(SECRET, ref.name, ref.namespace)
    except errors.NotFound:
        raise MemberUnavailable(f"its secret {ref.namespace}/{ref.name} is missing") from None
    data = to_dict(secret.body).get("data") or {}
    kubeconfig = kubeconfig_for(cluster, data)
    return await MemberClient.from_kubeconfig(
        cluster.metadata.name, kubeconfig, options=ClientOptions(timeout=ctx.timeout)
    )


@asynccontextmanager
async def connect(ctx: Context, only: Sequence[str] = ()) -> AsyncIterator[list[MemberClient]]:
    """Clients of the joined clusters (of `only`, if given), closed on exit.

    Clusters that cannot be reached are left out with a warning, as are
    names in `only` that are not joined.
    """
    clusters, _ = await ctx.client.list_all(CLUSTER)
    by_name = {c.metadata.name: c for c in clusters}
    for name in only:
        if name not in by_name:
            warn(f"cluster {name} is not joined")
    chosen = [by_name[n] for n in sorted(by_name) if not only or n in only]
    results = await asyncio.gather(*(client_for(ctx, c) for c in chosen), return_exceptions=True)
    clients: list[MemberClient] = []
    for cluster, result in zip(chosen, results, strict=True):
        if isinstance(result, MemberClient):
            clients.append(result)
        elif isinstance(result, (MemberError, MemberUnavailable, errors.ApiError)):
            warn(f"cannot reach cluster {cluster.metadata.name}: {_message(result)}")
        else:
            raise result
    try:
        yield clients
    finally:
        for client in clients:
            await client.close()


def _message(error: BaseException) -> str:
    if isinstance(error, MemberError):
        return error.message
    if isinstance(error, errors.ApiError):
        return error.message
    return str(error)


async def each(
    clients: Sequence[MemberClient], call: Callable[[MemberClient], Awaitable[T]]
) -> list[tuple[str, T]]:
    """`call` on every member at once: (cluster, result) of those that answered.

    A member that fails (unreachable, or the kind is not served there) is
    reported with a warning and left out.
    """
    results: list[Any] = await asyncio.gather(*(call(c) for c in clients), return_exceptions=True)
    out: list[tuple[str, T]] = []
    for client, result in zip(clients, results, strict=True):
        if isinstance(result, Unreachable):
            warn(f"cannot reach cluster {client.cluster}: {result.message}")
        elif isinstance(result, MemberError):
            warn(f"cluster {client.cluster}: {result.message}")
        elif isinstance(result, BaseException):
            raise result
        else:
            out.append((client.cluster, result))
    return out
