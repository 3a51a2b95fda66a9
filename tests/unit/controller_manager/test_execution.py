"""The execution controller's pure parts: stale objects, messages, outage and retry clocks."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.controllers.execution.backoff import (
    OUTAGE_MAX,
    OUTAGE_START,
    RETRY_MAX,
    Outages,
    Retries,
)
from controller_manager.controllers.execution.member_ops import (
    Identity,
    applied_message,
    identity_of,
    stale,
)


def manifest(api_version: str, kind: str, name: str, namespace: str = "") -> dict[str, Any]:
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata}


WEB: Identity = ("apps/v1", "Deployment", "apps", "web")
CONFIG: Identity = ("v1", "ConfigMap", "apps", "cfg")
READER: Identity = ("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader")


@pytest.mark.parametrize(
    ("candidates", "manifests", "expected"),
    [
        ([], [], []),
        ([WEB, CONFIG], [manifest("apps/v1", "Deployment", "web", "apps")], [CONFIG]),
        ([WEB], [manifest("apps/v1beta2", "Deployment", "web", "apps")], []),
        ([WEB], [manifest("extensions/v1beta1", "Deployment", "web", "apps")], [WEB]),
        ([WEB], [manifest("apps/v1", "Deployment", "web", "other")], [WEB]),
        (
            [READER],
            [manifest("rbac.authorization.k8s.io/v1", "ClusterRole", "reader", "apps")],
            [],
        ),
        ([("", "ConfigMap", "apps", "x"), ("v1", "ConfigMap", "apps", "")], [], []),
        ([CONFIG, WEB, CONFIG], [], [WEB, CONFIG]),
    ],
)
def test_stale_objects_are_those_no_manifest_wants(
    candidates: list[Identity], manifests: list[dict[str, Any]], expected: list[Identity]
) -> None:
    assert stale(candidates, manifests) == sorted(expected)


@pytest.mark.parametrize(
    ("obj", "identity"),
    [
        (manifest("apps/v1", "Deployment", "web", "apps"), WEB),
        ({"kind": "X", "metadata": None}, ("", "X", "", "")),
    ],
)
def test_identity_of(obj: dict[str, Any], identity: Identity) -> None:
    assert identity_of(obj) == identity


@pytest.mark.parametrize(
    ("succeeded", "total", "failures", "message"),
    [
        (0, 1, ["boom"], "Failed to apply all manifests (0/1): boom"),
        (1, 3, ["a", "b"], "Failed to apply all manifests (1/3): [a, b]"),
    ],
)
def test_applied_message_is_karmadas(
    succeeded: int, total: int, failures: list[str], message: str
) -> None:
    assert applied_message(succeeded, total, failures) == message


def test_outage_window_opens_holds_doubles_and_closes() -> None:
    outages = Outages()
    assert outages.current("m", 0.0) is None
    assert outages.failed("m", "down", 0.0) == OUTAGE_START
    outage = outages.current("m", 1.0)
    assert outage is not None and outage.error == "down"
    # A failure inside the window does not widen it.
    assert outages.failed("m", "still down", 1.0) == OUTAGE_START - 1.0
    assert outages.current("m", OUTAGE_START) is None
    assert outages.current("other", 1.0) is None
    assert outages.failed("m", "down again", 10.0) == 2 * OUTAGE_START
    outages.recovered("m")
    assert outages.current("m", 10.5) is None
    assert outages.failed("m", "down", 20.0) == OUTAGE_START


def test_outage_window_is_capped() -> None:
    outages = Outages()
    now, delay = 0.0, 0.0
    for _ in range(10):
        delay = outages.failed("m", "down", now)
        now += delay
    assert delay == OUTAGE_MAX


def test_retries_double_per_key_up_to_the_cap_and_reset() -> None:
    retries = Retries()
    assert [retries.failed("a") for _ in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert retries.failed("b") == 1.0
    for _ in range(20):
        last = retries.failed("a")
    assert last == RETRY_MAX
    retries.forget("a")
    assert retries.failed("a") == 1.0
