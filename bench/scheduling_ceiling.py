"""The apiserver's update ceiling the scheduler is held against: bound bindings, updated.

The scheduler writes each result with one Bind call, spec.clusters and status
in one transaction, so a scheduled binding costs the apiserver one write of a
bound binding. The ceiling is that write at full speed: a pool of bindings of
the benchmark's shape, already bound to 10 clusters (so as large as a
scheduled one), and closed-loop Updates of them, each worker updating its own
bindings from the object its previous update returned (no Get, no conflicts)
with a changed annotation, so every call is a real write. The pool carries
another schedulerName, so the scheduler leaves it alone.
"""

from __future__ import annotations

from bench.load import Operation
from bench.scheduling_objects import OTHER_SCHEDULER, binding, cluster_name, each
from karmada.machinery.client import Client
from karmada.machinery.scheme import NAMESPACE, RESOURCE_BINDING
from karmada.meta.v1 import meta_pb2
from karmada.work.v1alpha2 import resource_binding_pb2 as rb_pb2
from scheduler.triggers import placement_json

POOL = 64
CEILING_NAMESPACE = "bench-ceiling"
SEQ_ANNOTATION = "bench.karmada.io/seq"


async def pool_bindings(client: Client, *, concurrency: int) -> list[rb_pb2.ResourceBinding]:
    """Bindings as large as scheduled ones (bound to 10 clusters) that no scheduler touches."""
    await client.create(NAMESPACE.new(name=CEILING_NAMESPACE))

    async def make(index: int) -> rb_pb2.ResourceBinding:
        name = f"pool-{index:03d}"
        obj = await client.create(binding(CEILING_NAMESPACE, name, scheduler_name=OTHER_SCHEDULER))
        return await client.bind(
            RESOURCE_BINDING,
            name=name,
            namespace=CEILING_NAMESPACE,
            resource_version=obj.metadata.resource_version,
            clusters=[rb_pb2.TargetCluster(name=cluster_name(i), replicas=1) for i in range(10)],
            applied_placement=placement_json(obj.spec.placement),
            condition=meta_pb2.Condition(type="Scheduled", status="True", reason="Success"),
        )

    return await each(make, POOL, concurrency=concurrency)


def update_op(client: Client, pool: list[rb_pb2.ResourceBinding], *, workers: int) -> Operation:
    """Updates a binding the worker owns, from the object its last update returned.

    Worker w owns every `workers`-th binding from w, so run it from `workers` tasks.
    """
    latest = {b.metadata.name: b for b in pool}
    names = sorted(latest)

    async def op(worker: int, seq: int) -> None:
        mine = names[worker::workers]
        name = mine[seq % len(mine)]
        obj = latest[name]
        obj.metadata.annotations[SEQ_ANNOTATION] = str(seq)
        latest[name] = await client.update(obj)

    return op
