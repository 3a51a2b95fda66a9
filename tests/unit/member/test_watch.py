"""The list-then-watch loop: resume, relist on expiry, synthetic deletes, retries.

The loop only needs ``list`` and ``watch``; a scripted source plays the
member's answers so each transition is exercised deterministically.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from karmada.member import watch as watch_module
from karmada.member.errors import Expired, Forbidden, Unreachable
from karmada.member.watch import LISTED, ObjectList, WatchEvent, list_and_watch, object_key

Step = WatchEvent | Exception


def cm(name: str, rv: str, namespace: str = "default") -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": namespace, "resourceVersion": rv}}


def ev(kind: str, obj: dict[str, Any]) -> WatchEvent:
    return WatchEvent(kind, obj, obj["metadata"]["resourceVersion"])


class Scripted:
    """Answers list and watch calls from scripts, recording what was asked."""

    cluster = "m1"

    def __init__(self, lists: list[ObjectList | Exception], watches: list[list[Step]]) -> None:
        self.lists = lists
        self.watches = watches
        self.watched_from: list[str] = []
        self.list_calls = 0

    async def list(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str = "",
        label_selector: str = "",
        field_selector: str = "",
    ) -> ObjectList:
        self.list_calls += 1
        answer = self.lists.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def watch(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str = "",
        label_selector: str = "",
        field_selector: str = "",
        resource_version: str = "",
    ) -> AsyncIterator[WatchEvent]:
        self.watched_from.append(resource_version)
        if not self.watches:
            await asyncio.Event().wait()  # an idle stream; the consumer stops first
        for step in self.watches.pop(0):
            if isinstance(step, Exception):
                raise step
            yield step


async def take(source: Scripted, count: int) -> list[tuple[str, str, str]]:
    """The first `count` events as (type, key, resourceVersion)."""
    events = list_and_watch(source, "v1", "ConfigMap")
    result = []
    try:
        async with asyncio.timeout(5):
            async for event in events:
                result.append((event.type, object_key(event.object), event.resource_version))
                if len(result) == count:
                    break
    finally:
        await events.aclose()
    return result


async def test_list_watch_resume_relist_with_synthetic_delete() -> None:
    source = Scripted(
        lists=[
            ObjectList([cm("a", "1"), cm("b", "2")], "10"),
            ObjectList([cm("a", "11"), cm("c", "13"), cm("d", "9")], "14"),
        ],
        watches=[
            [ev("MODIFIED", cm("a", "11")), WatchEvent("BOOKMARK", cm("", "12"), "12")],
            [Expired("m1", "too old resource version", status=410)],
            [ev("DELETED", cm("a", "15"))],
        ],
    )
    assert await take(source, 9) == [
        ("ADDED", "default/a", "1"),
        ("ADDED", "default/b", "2"),
        (LISTED, "", "10"),
        ("MODIFIED", "default/a", "11"),
        ("DELETED", "default/b", "2"),  # vanished during the gap
        ("ADDED", "default/c", "13"),
        ("ADDED", "default/d", "9"),
        (LISTED, "", "14"),
        ("DELETED", "default/a", "15"),
    ]
    # Resumed from the bookmark after the stream ended, then from the relist.
    assert source.watched_from == ["10", "12", "14"]
    assert source.list_calls == 2


async def test_relist_reports_changes_missed_during_the_gap() -> None:
    source = Scripted(
        lists=[ObjectList([cm("a", "1")], "5"), ObjectList([cm("a", "7")], "8")],
        watches=[[Expired("m1", "gone", status=410)]],
    )
    assert await take(source, 4) == [
        ("ADDED", "default/a", "1"),
        (LISTED, "", "5"),
        ("MODIFIED", "default/a", "7"),
        (LISTED, "", "8"),
    ]


async def test_retries_while_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch_module, "_BACKOFF_START", 0.0)
    source = Scripted(
        lists=[Unreachable("m1", "connection refused"), ObjectList([cm("a", "1")], "3")],
        watches=[[Unreachable("m1", "stream broke")], [ev("MODIFIED", cm("a", "4"))]],
    )
    assert await take(source, 3) == [
        ("ADDED", "default/a", "1"),
        (LISTED, "", "3"),
        ("MODIFIED", "default/a", "4"),
    ]
    assert source.list_calls == 2
    assert source.watched_from == ["3", "3"], "an unreachable member is re-watched, not relisted"


async def test_other_errors_end_the_loop() -> None:
    source = Scripted(lists=[Forbidden("m1", "configmaps is forbidden", status=403)], watches=[])
    with pytest.raises(Forbidden):
        await take(source, 1)
