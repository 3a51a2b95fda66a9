"""Creates: CreateResourceTemplate (1 KiB ConfigMaps) against raw etcd puts of 1 KiB values.

Raw ceilings are the `Etcd.put` of the apiserver's own etcd client, at 1 and
16 concurrent calls; a raw create-if-absent transaction (the compare the
apiserver's create sends: key absent, namespace present) shows what the
conditional write itself costs, and a bare grpc.aio echo server (1 KiB
requests) shows what one Python unary RPC costs. The apiserver is driven by
one typed Client (one gRPC channel) at 1 and 16 concurrent calls, and by four
Clients at 16.
"""

from __future__ import annotations

from collections.abc import Callable

from apiserver.storage.etcd import Etcd
from apiserver.storage.etcdpb import rpc_pb2
from bench.grpc_ceiling import ECHO, CeilingServer
from bench.load import Operation, closed_loop, warm_up
from bench.objects import ConfigMap, configmap, raw_value
from bench.processes import Stack
from bench.scenario import RunFn, ScenarioResult, Settings, interleave
from bench.stats import Measurement, Sample
from karmada.machinery.client import Client
from karmada.machinery.scheme import NAMESPACE

TARGET_RATIO = 0.5
"""apiserver creates at 16 concurrent should reach half of raw etcd puts at 16."""


def _raw_put(etcd: Etcd, tag: str) -> Operation:
    value = raw_value()

    async def op(worker: int, seq: int) -> None:
        await etcd.put(f"/bench/raw/{tag}/{seq}".encode(), value)

    return op


def _raw_create_txn(etcd: Etcd, tag: str) -> Operation:
    value = raw_value()
    namespace_key = NAMESPACE.key("", "default").encode()
    compare = rpc_pb2.Compare

    async def op(worker: int, seq: int) -> None:
        key = f"/bench/txn/{tag}/{seq}".encode()
        await etcd.txn(
            [
                compare(key=key, target=compare.CREATE, result=compare.EQUAL, create_revision=0),
                compare(
                    key=namespace_key,
                    target=compare.CREATE,
                    result=compare.GREATER,
                    create_revision=0,
                ),
            ],
            [rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key, value=value))],
            [rpc_pb2.RequestOp(request_range=rpc_pb2.RangeRequest(key=key, count_only=True))],
        )

    return op


def _echo(ceiling: CeilingServer) -> Operation:
    call = ceiling.unary(ECHO)
    payload = raw_value()

    async def op(worker: int, seq: int) -> None:
        await call(payload)

    return op


def _api_create(clients: list[Client], tag: str) -> Operation:
    template = configmap("template")

    async def op(worker: int, seq: int) -> None:
        obj = ConfigMap()
        obj.CopyFrom(template)
        obj.metadata.name = f"c-{tag.replace('_', '-')}-{seq}"
        await clients[worker % len(clients)].create(obj)

    return op


async def run(stack: Stack, settings: Settings, progress: Callable[[str], None]) -> ScenarioResult:
    async with CeilingServer() as ceiling:
        return await _run(stack, ceiling, settings, progress)


async def run_fsync(
    stack: Stack, settings: Settings, progress: Callable[[str], None]
) -> ScenarioResult:
    """The same scenario on an etcd that fsyncs, as production etcd does."""
    result = await run(stack, settings, progress)
    result.key = "creates_fsync"
    result.title = "Creates with etcd fsync on (its production setting)"
    return result


async def _run(
    stack: Stack, ceiling: CeilingServer, settings: Settings, progress: Callable[[str], None]
) -> ScenarioResult:
    result = ScenarioResult("creates", "Creates (1 KiB ConfigMaps vs 1 KiB etcd puts)")
    etcd = Etcd([stack.etcd.endpoint])
    one = [Client(stack.address)]
    four = [Client(stack.address) for _ in range(4)]
    pids = {**stack.pids(), "grpc-echo": ceiling.pid}

    def config(
        key: str,
        label: str,
        make: Callable[[str], Operation],
        concurrency: int,
        vs: str = "",
        *,
        unit: str = "creates/s",
    ) -> tuple[Measurement, RunFn]:
        measurement = Measurement(key, label, unit, ceiling=vs)

        async def once(index: int) -> Sample:
            if index == 0:
                await warm_up(
                    make(f"{key}-w"), concurrency=concurrency, calls=settings.warmup_calls
                )
            return await closed_loop(
                make(f"{key}-{index}"),
                concurrency=concurrency,
                duration=settings.duration,
                pids=pids,
            )

        return measurement, once

    configs = [
        config("raw_put_1", "raw etcd put, 1 concurrent", lambda t: _raw_put(etcd, t), 1),
        config("raw_put_16", "raw etcd put, 16 concurrent", lambda t: _raw_put(etcd, t), 16),
        config(
            "raw_txn_16",
            "raw etcd create txn, 16 concurrent",
            lambda t: _raw_create_txn(etcd, t),
            16,
            "raw_put_16",
        ),
        config(
            "echo_1",
            "grpc.aio echo (1 KiB), 1 concurrent",
            lambda t: _echo(ceiling),
            1,
            unit="calls/s",
        ),
        config(
            "echo_16",
            "grpc.aio echo (1 KiB), 16 concurrent",
            lambda t: _echo(ceiling),
            16,
            unit="calls/s",
        ),
        config(
            "api_create_1",
            "apiserver create, 1 concurrent",
            lambda t: _api_create(one, t),
            1,
            "raw_put_1",
        ),
        config(
            "api_create_16",
            "apiserver create, 16 concurrent, 1 channel",
            lambda t: _api_create(one, t),
            16,
            "raw_put_16",
        ),
        config(
            "api_create_16_4ch",
            "apiserver create, 16 concurrent, 4 channels",
            lambda t: _api_create(four, t),
            16,
            "raw_put_16",
        ),
    ]
    try:
        await interleave(configs, runs=settings.runs, progress=progress)
    finally:
        for client in (*one, *four):
            await client.close()
        await etcd.close()
    result.measurements = [m for m, _ in configs]
    ratio = result.ratio(result.get("api_create_16")) or 0.0
    best = max(ratio, result.ratio(result.get("api_create_16_4ch")) or 0.0)
    result.figures["target_ratio"] = TARGET_RATIO
    result.figures["ratio_16"] = ratio
    result.figures["best_ratio_16"] = best
    return result
