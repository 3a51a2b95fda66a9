"""Taint specs as kubectl writes them, and what they do to a cluster's taints.

`karmadactl taint clusters NAME SPEC...` takes kubectl's syntax
(k8s.io/kubectl/pkg/cmd/taint, lifted by Karmada's pkg/karmadactl/taint):
``key=value:Effect`` or ``key:Effect`` adds (or, with ``--overwrite``,
replaces) the taint with that key and effect; ``key:Effect-`` removes it and
``key-`` removes every taint with that key. The rules and the wording of the
errors are kubectl's, so a user's muscle memory and scripts carry over:
keys are qualified names, values label values, effects one of
NoSchedule/PreferNoSchedule/NoExecute, and a command may not both add and
remove the same taint. Pure: the command module does the API calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf import timestamp_pb2

from karmada.core.v1 import types_pb2
from karmada.machinery.validation import is_label_value, is_qualified_name

__all__ = [
    "EFFECTS",
    "MODIFIED",
    "NO_EXECUTE",
    "NO_SCHEDULE",
    "TAINTED",
    "UNTAINTED",
    "TaintChanges",
    "TaintSpec",
    "TaintSpecError",
    "apply_changes",
    "parse_taint",
    "parse_taints",
    "split_arguments",
]

NO_SCHEDULE = "NoSchedule"
NO_EXECUTE = "NoExecute"
EFFECTS = (NO_SCHEDULE, "PreferNoSchedule", NO_EXECUTE)

MODIFIED = "modified"
TAINTED = "tainted"
UNTAINTED = "untainted"


class TaintSpecError(ValueError):
    """A taint argument or change kubectl would refuse; the message is kubectl's."""


@dataclass(frozen=True, slots=True)
class TaintSpec:
    """One taint named on the command line; `effect` is "" only in removals (any effect)."""

    key: str
    value: str = ""
    effect: str = ""

    def __str__(self) -> str:
        """corev1.Taint.ToString: key[=value][:effect]."""
        text = f"{self.key}={self.value}" if self.value else self.key
        return f"{text}:{self.effect}" if self.effect else text

    def matches(self, taint: types_pb2.Taint) -> bool:
        """corev1.Taint.MatchTaint: same key and effect (any effect if ours is empty)."""
        return taint.key == self.key and (not self.effect or taint.effect == self.effect)


@dataclass(frozen=True, slots=True)
class TaintChanges:
    """Taints to add (or replace) and to remove."""

    add: tuple[TaintSpec, ...]
    remove: tuple[TaintSpec, ...]


def split_arguments(arguments: Sequence[str]) -> tuple[list[str], list[str]]:
    """(resource arguments, taint arguments): taints contain "=" or ":" or end in "-",
    and come after every resource."""
    resources: list[str] = []
    taints: list[str] = []
    for argument in arguments:
        is_taint = "=" in argument or ":" in argument or argument.endswith("-")
        if is_taint:
            taints.append(argument)
        elif taints:
            raise TaintSpecError(
                f"all resources must be specified before taint changes: {argument}"
            )
        else:
            resources.append(argument)
    return resources, taints


def parse_taint(text: str) -> TaintSpec:
    """A taint in the form key=value:effect, key:effect or key."""
    parts = text.split(":")
    value = effect = ""
    if len(parts) == 1:
        key = parts[0]
    elif len(parts) == 2:
        effect = parts[1]
        if effect not in EFFECTS:
            raise TaintSpecError(f"invalid taint effect: {effect}, unsupported taint effect")
        key_value = parts[0].split("=")
        if len(key_value) > 2:
            raise TaintSpecError(f"invalid taint spec: {text}")
        key = key_value[0]
        if len(key_value) == 2:
            value = key_value[1]
            if problems := is_label_value(value):
                raise TaintSpecError(f"invalid taint spec: {text}, {'; '.join(problems)}")
    else:
        raise TaintSpecError(f"invalid taint spec: {text}")
    if problems := is_qualified_name(key):
        raise TaintSpecError(f"invalid taint spec: {text}, {'; '.join(problems)}")
    return TaintSpec(key, value, effect)


def parse_taints(specs: Sequence[str]) -> TaintChanges:
    """Every change in `specs`; raises TaintSpecError as kubectl's ParseTaints and Validate."""
    add: list[TaintSpec] = []
    remove: list[TaintSpec] = []
    for spec in specs:
        if spec.endswith("-"):
            parsed = parse_taint(spec[:-1])
            remove.append(TaintSpec(parsed.key, effect=parsed.effect))
            continue
        parsed = parse_taint(spec)
        if not parsed.effect:
            raise TaintSpecError(f"invalid taint spec: {spec}")
        if any(t.key == parsed.key and t.effect == parsed.effect for t in add):
            raise TaintSpecError(
                f"duplicated taints with the same key and effect: {parsed.key}:{parsed.effect}"
            )
        add.append(parsed)
    conflicts = [
        f'{{"{r.key}":"{r.effect}"}}'
        for a in add
        for r in remove
        if a.key == r.key and (not r.effect or a.effect == r.effect)
    ]
    if conflicts:
        raise TaintSpecError(
            "can not both modify and remove the following taint(s) in the same command: "
            + ", ".join(conflicts)
        )
    return TaintChanges(tuple(add), tuple(remove))


def _new_taint(spec: TaintSpec, now: timestamp_pb2.Timestamp) -> types_pb2.Taint:
    taint = types_pb2.Taint(key=spec.key, value=spec.value, effect=spec.effect)
    if spec.effect == NO_EXECUTE:
        taint.time_added.CopyFrom(now)
    return taint


def apply_changes(
    current: Sequence[types_pb2.Taint],
    changes: TaintChanges,
    *,
    cluster: str,
    overwrite: bool,
    now: timestamp_pb2.Timestamp,
) -> tuple[str, list[types_pb2.Taint]]:
    """(operation, new taints): kubectl's reorganizeTaints.

    New taints come first, then the current ones they do not replace. A
    replaced NoExecute taint keeps its timeAdded when its value is unchanged
    (the taint manager counts tolerations from it); new ones are dated `now`.

    Raises:
        TaintSpecError: a taint to add exists and `overwrite` is off, or a
            taint to remove is not there.
    """
    if not overwrite:
        existing = [
            spec.key
            for spec in changes.add
            for taint in current
            if taint.key == spec.key and taint.effect == spec.effect
        ]
        if existing:
            raise TaintSpecError(
                f"cluster {cluster} already has {','.join(existing)} taint(s) with same "
                "effect(s) and --overwrite is false"
            )
    result: list[types_pb2.Taint] = []
    for spec in changes.add:
        taint = _new_taint(spec, now)
        for old in current:
            if spec.matches(old) and old.value == spec.value and old.HasField("time_added"):
                taint.time_added.CopyFrom(old.time_added)
        result.append(taint)
    for old in current:
        if not any(spec.matches(old) for spec in changes.add):
            kept = types_pb2.Taint()
            kept.CopyFrom(old)
            result.append(kept)
    added = len(result) != len(current)
    missing = []
    deleted = False
    for spec in changes.remove:
        remaining = [t for t in result if not spec.matches(t)]
        if len(remaining) == len(result):
            missing.append(f'taint "{spec}" not found')
        else:
            deleted = True
        result = remaining
    if missing:
        raise TaintSpecError(", ".join(missing) if len(missing) == 1 else f"[{', '.join(missing)}]")
    if (added and deleted) or overwrite:
        return MODIFIED, result
    return (TAINTED if added else UNTAINTED), result
