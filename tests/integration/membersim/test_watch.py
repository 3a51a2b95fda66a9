"""Watch through the official client's `kubernetes.watch.Watch`: order, resume, filters, bookmarks, 410."""

# The generated models type every field Optional; these tests read them directly.
# mypy: disable-error-code="union-attr"

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client
from kubernetes.client import ApiException

from tests.integration.membersim.conftest import WATCH_HISTORY, Events


def configmap(name: str, **labels: str) -> client.V1ConfigMap:
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels or None))


def summary(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["type"], e["raw_object"]["metadata"]["name"]) for e in events]


def test_live_events_in_order(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_config_map(namespace, configmap("marker"))
    events: list[dict[str, Any]] = []
    w = Events()
    for event in w.stream(core.list_namespaced_config_map, namespace, timeout_seconds=10):
        events.append(event)
        if event["raw_object"]["metadata"]["name"] == "marker":
            # The initial state has arrived, so the watch is live: write now.
            core.create_namespaced_config_map(namespace, configmap("a"))
            core.patch_namespaced_config_map("a", namespace, {"data": {"k": "v"}})
            core.delete_namespaced_config_map("a", namespace)
        if event["type"] == "DELETED":
            w.stop()
    assert summary(events) == [
        ("ADDED", "marker"),
        ("ADDED", "a"),
        ("MODIFIED", "a"),
        ("DELETED", "a"),
    ]
    assert events[2]["object"].data == {"k": "v"}
    versions = [int(e["raw_object"]["metadata"]["resourceVersion"]) for e in events[1:]]
    assert versions == sorted(versions)


def test_resume_from_list_version(core: client.CoreV1Api, namespace: str) -> None:
    listed = core.list_namespaced_config_map(namespace)
    core.create_namespaced_config_map(namespace, configmap("b"))
    core.patch_namespaced_config_map("b", namespace, {"data": {"x": "1"}})
    core.create_namespaced_config_map(namespace, configmap("c"))
    events = []
    w = Events()
    stream = w.stream(
        core.list_namespaced_config_map,
        namespace,
        resource_version=listed.metadata.resource_version,
        timeout_seconds=10,
    )
    for event in stream:
        events.append(event)
        if len(events) == 3:
            w.stop()
    assert summary(events) == [("ADDED", "b"), ("MODIFIED", "b"), ("ADDED", "c")]


def test_too_old_version_is_gone(core: client.CoreV1Api, namespace: str) -> None:
    start = core.create_namespaced_config_map(
        namespace, configmap("busy")
    ).metadata.resource_version
    for i in range(WATCH_HISTORY + 10):
        core.patch_namespaced_config_map("busy", namespace, {"data": {"i": str(i)}})
    w = Events()
    with pytest.raises(ApiException) as err:
        for _ in w.stream(
            core.list_namespaced_config_map, namespace, resource_version=start, timeout_seconds=5
        ):
            pass
    assert err.value.status == 410


def test_label_selector_transitions(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_config_map(namespace, configmap("unseen"))
    core.create_namespaced_config_map(namespace, configmap("m", app="on"))
    events = []
    w = Events()
    for event in w.stream(
        core.list_namespaced_config_map, namespace, label_selector="app=on", timeout_seconds=10
    ):
        events.append(event)
        if len(events) == 1:
            core.patch_namespaced_config_map("unseen", namespace, {"data": {"x": "1"}})
            core.patch_namespaced_config_map(
                "m", namespace, {"metadata": {"labels": {"app": "off"}}}
            )
            core.patch_namespaced_config_map(
                "m", namespace, {"metadata": {"labels": {"app": "on"}}}
            )
        if len(events) == 3:
            w.stop()
    assert summary(events) == [("ADDED", "m"), ("DELETED", "m"), ("ADDED", "m")]


def test_bookmarks_and_initial_events(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_config_map(namespace, configmap("one"))
    events = []
    w = Events()
    stream = w.stream(
        core.list_namespaced_config_map,
        namespace,
        send_initial_events=True,
        resource_version_match="NotOlderThan",
        allow_watch_bookmarks=True,
        timeout_seconds=10,
    )
    for event in stream:
        events.append(event)
        if len(events) == 3:
            w.stop()
    assert [e["type"] for e in events] == ["ADDED", "BOOKMARK", "BOOKMARK"]
    end = events[1]["raw_object"]["metadata"]
    assert end["annotations"] == {"k8s.io/initial-events-end": "true"}
    # An idle watch gets periodic bookmarks with a version it may resume from.
    assert int(events[2]["raw_object"]["metadata"]["resourceVersion"]) >= int(
        end["resourceVersion"]
    )


def test_watch_one_object_by_name(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_config_map(namespace, configmap("other"))
    core.create_namespaced_config_map(namespace, configmap("target"))
    events = []
    w = Events()
    for event in w.stream(
        core.list_namespaced_config_map,
        namespace,
        field_selector="metadata.name=target",
        timeout_seconds=10,
    ):
        events.append(event)
        if len(events) == 1:
            core.delete_namespaced_config_map("other", namespace)
            core.delete_namespaced_config_map("target", namespace)
        if event["type"] == "DELETED":
            w.stop()
    assert summary(events) == [("ADDED", "target"), ("DELETED", "target")]
