"""One simulator process with two clusters, shared by the membersim integration tests.

Tests isolate themselves with fresh namespace and object names. The watch
history is kept small and bookmarks frequent so that expiry (410) and
bookmarks can be observed quickly.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config, watch

from tests.support.membersim import SimulatorProcess

WATCH_HISTORY = 200


def request(
    api: client.ApiClient,
    method: str,
    path: str,
    *,
    body: Any = None,
    content_type: str = "application/json",
    response_type: str = "object",
) -> Any:
    """A raw call through the official client (its auth and TLS), decoded as `response_type`.

    Raises:
        ApiException: for a non-2xx answer, as the generated methods do.
    """
    params = api.param_serialize(
        method=method,
        resource_path=path,
        header_params={"Content-Type": content_type, "Accept": "application/json"},
        body=body,
        auth_settings=["BearerToken"],
    )
    response = api.call_api(*params)
    response.read()  # type: ignore[no-untyped-call]
    return api.response_deserialize(response, {"2XX": response_type}).data


@contextlib.contextmanager
def api_client(kubeconfig: Path) -> Iterator[client.ApiClient]:
    """The official client configured from a kubeconfig file, as a user would build it."""
    api: client.ApiClient = config.new_client_from_config(config_file=str(kubeconfig))  # type: ignore[no-untyped-call]
    try:
        yield api
    finally:
        api.close()  # type: ignore[no-untyped-call]


class Events:
    """`kubernetes.watch.Watch` with types, for these tests."""

    def __init__(self) -> None:
        self._watch = watch.Watch()  # type: ignore[no-untyped-call]

    def stream(
        self, func: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        events: Iterator[dict[str, Any]] = self._watch.stream(func, *args, **kwargs)  # type: ignore[no-untyped-call]
        return events

    def stop(self) -> None:
        self._watch.stop()  # type: ignore[no-untyped-call]


@pytest.fixture(scope="session")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    process = SimulatorProcess(
        tmp_path_factory.mktemp("membersim"),
        clusters="2",
        controllers=True,
        extra_args=(f"--watch-history={WATCH_HISTORY}", "--watch-bookmark-interval=0.2"),
    )
    process.start()
    yield process
    assert process.stop() == 0


def _api_client(simulator: SimulatorProcess, cluster: str) -> Iterator[client.ApiClient]:
    with api_client(simulator.kubeconfig(cluster)) as api:
        yield api


@pytest.fixture(scope="session")
def member1(simulator: SimulatorProcess) -> Iterator[client.ApiClient]:
    yield from _api_client(simulator, "member1")


@pytest.fixture(scope="session")
def member2(simulator: SimulatorProcess) -> Iterator[client.ApiClient]:
    yield from _api_client(simulator, "member2")


@pytest.fixture
def core(member1: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(member1)


@pytest.fixture
def apps(member1: client.ApiClient) -> client.AppsV1Api:
    return client.AppsV1Api(member1)


@pytest.fixture
def namespace(core: client.CoreV1Api) -> str:
    """A fresh namespace in member1 for one test."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    return name


@pytest.fixture
def kubeconfig(simulator: SimulatorProcess) -> Path:
    return simulator.kubeconfig("member1")
