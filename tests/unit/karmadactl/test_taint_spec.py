"""kubectl's taint syntax and its effect on a cluster's taints (karmadactl.taints)."""

from __future__ import annotations

import re

import pytest
from google.protobuf import timestamp_pb2

from karmada.core.v1 import types_pb2
from karmadactl.taints import (
    MODIFIED,
    TAINTED,
    UNTAINTED,
    TaintChanges,
    TaintSpec,
    TaintSpecError,
    apply_changes,
    parse_taint,
    parse_taints,
    split_arguments,
)

NOW = timestamp_pb2.Timestamp(seconds=1_700_000_000)


def taint(key: str, value: str = "", effect: str = "NoSchedule") -> types_pb2.Taint:
    return types_pb2.Taint(key=key, value=value, effect=effect)


def pairs(taints: list[types_pb2.Taint]) -> list[str]:
    return [str(TaintSpec(t.key, t.value, t.effect)) for t in taints]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dedicated=special-user:NoSchedule", TaintSpec("dedicated", "special-user", "NoSchedule")),
        ("bar:NoExecute", TaintSpec("bar", "", "NoExecute")),
        (
            "example.com/gpu=true:PreferNoSchedule",
            TaintSpec("example.com/gpu", "true", "PreferNoSchedule"),
        ),
        ("dedicated", TaintSpec("dedicated")),
    ],
)
def test_parse_taint(text: str, expected: TaintSpec) -> None:
    assert parse_taint(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a:b:c", "invalid taint spec: a:b:c"),
        ("key=value:Sometimes", "invalid taint effect: Sometimes, unsupported taint effect"),
        ("a=b=c:NoSchedule", "invalid taint spec: a=b=c:NoSchedule"),
        ("-bad-:NoSchedule", "invalid taint spec: -bad-:NoSchedule, name part must consist of"),
        ("key=bad value:NoSchedule", "invalid taint spec: key=bad value:NoSchedule, a valid label"),
    ],
)
def test_parse_taint_rejects_like_kubectl(text: str, message: str) -> None:
    with pytest.raises(TaintSpecError) as caught:
        parse_taint(text)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_parse_taints_splits_additions_and_removals() -> None:
    changes = parse_taints(["a=1:NoSchedule", "b:NoExecute-", "c-"])
    assert changes.add == (TaintSpec("a", "1", "NoSchedule"),)
    assert changes.remove == (TaintSpec("b", "", "NoExecute"), TaintSpec("c"))


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["key=value"], "invalid taint spec: key=value"),
        (
            ["a=1:NoSchedule", "a=2:NoSchedule"],
            "duplicated taints with the same key and effect: a:NoSchedule",
        ),
        (
            ["a=1:NoSchedule", "a-"],
            'can not both modify and remove the following taint(s) in the same command: {"a":""}',
        ),
        (
            ["a=1:NoSchedule", "a:NoSchedule-"],
            'can not both modify and remove the following taint(s) in the same command: {"a":"NoSchedule"}',
        ),
    ],
)
def test_parse_taints_rejects(specs: list[str], message: str) -> None:
    with pytest.raises(TaintSpecError) as caught:
        parse_taints(specs)
    assert str(caught.value).startswith(message)


def test_a_different_effect_is_not_a_conflict() -> None:
    changes = parse_taints(["a=1:NoSchedule", "a:NoExecute-"])
    assert len(changes.add) == 1 and len(changes.remove) == 1


def test_split_arguments() -> None:
    assert split_arguments(["clusters", "m1", "m2", "a=b:NoSchedule", "c-"]) == (
        ["clusters", "m1", "m2"],
        ["a=b:NoSchedule", "c-"],
    )
    with pytest.raises(
        TaintSpecError, match="all resources must be specified before taint changes: m3"
    ):
        split_arguments(["clusters", "m1", "a:NoSchedule", "m3"])


def test_adding_puts_new_taints_first_and_says_tainted() -> None:
    current = [taint("old")]
    operation, result = apply_changes(
        current, parse_taints(["new=v:NoSchedule"]), cluster="m1", overwrite=False, now=NOW
    )
    assert operation == TAINTED
    assert pairs(result) == ["new=v:NoSchedule", "old:NoSchedule"]
    assert not result[0].HasField("time_added")


def test_no_execute_taints_are_dated() -> None:
    _, result = apply_changes(
        [], parse_taints(["gone:NoExecute"]), cluster="m1", overwrite=False, now=NOW
    )
    assert result[0].time_added == NOW


def test_an_existing_taint_needs_overwrite() -> None:
    current = [taint("a", "1")]
    with pytest.raises(
        TaintSpecError,
        match=re.escape(
            "cluster m1 already has a taint(s) with same effect(s) and --overwrite is false"
        ),
    ):
        apply_changes(
            current, parse_taints(["a=2:NoSchedule"]), cluster="m1", overwrite=False, now=NOW
        )
    operation, result = apply_changes(
        current, parse_taints(["a=2:NoSchedule"]), cluster="m1", overwrite=True, now=NOW
    )
    assert operation == MODIFIED
    assert pairs(result) == ["a=2:NoSchedule"]


def test_overwriting_an_unchanged_no_execute_taint_keeps_its_time() -> None:
    old = taint("a", "1", "NoExecute")
    old.time_added.seconds = 5
    _, result = apply_changes(
        [old], parse_taints(["a=1:NoExecute"]), cluster="m1", overwrite=True, now=NOW
    )
    assert result[0].time_added.seconds == 5


def test_removing() -> None:
    current = [taint("a"), taint("a", effect="NoExecute"), taint("b")]
    operation, result = apply_changes(
        current, parse_taints(["a:NoExecute-"]), cluster="m1", overwrite=False, now=NOW
    )
    assert operation == UNTAINTED
    assert pairs(result) == ["a:NoSchedule", "b:NoSchedule"]
    _, result = apply_changes(current, parse_taints(["a-"]), cluster="m1", overwrite=False, now=NOW)
    assert pairs(result) == ["b:NoSchedule"]


def test_adding_and_removing_is_modified() -> None:
    operation, result = apply_changes(
        [taint("a")], parse_taints(["b:NoSchedule", "a-"]), cluster="m1", overwrite=False, now=NOW
    )
    assert operation == MODIFIED
    assert pairs(result) == ["b:NoSchedule"]


def test_removing_a_missing_taint_fails() -> None:
    with pytest.raises(TaintSpecError, match=re.escape('taint "x:NoSchedule" not found')):
        apply_changes(
            [taint("a")], parse_taints(["x:NoSchedule-"]), cluster="m1", overwrite=False, now=NOW
        )
    with pytest.raises(TaintSpecError, match=re.escape('taint "x" not found')):
        apply_changes(
            [], TaintChanges((), (TaintSpec("x"),)), cluster="m1", overwrite=False, now=NOW
        )
