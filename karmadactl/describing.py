"""The text layout of `karmadactl describe`, as kubectl describe prints it.

A `Writer` collects lines whose cells are separated by tabs and aligns them
like Go's tabwriter (padding 2): consecutive lines that have a cell in a
column share that column's width, and a line without tabs ends the block —
which is how "Name:  nginx" lines line up while nested tables get their own
widths. The helpers here write the blocks every kind shares: metadata,
conditions, key/value maps, and the "Events" history, which, without an
Events API, is the object's conditions (and those of the objects it owns)
ordered by their last transition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from karmadactl.tables import age, parse_time

__all__ = [
    "History",
    "Writer",
    "conditions",
    "events",
    "get",
    "metadata",
    "selector_text",
]

_PADDING = 2
_MAX_ANNOTATION = 100


def get(obj: Any, path: str, default: Any = None) -> Any:
    """obj["a"]["b"] for path "a.b", else `default`."""
    value = obj
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return default
        value = value[key]
    return value


class Writer:
    """Lines with tab-separated cells, aligned on output."""

    def __init__(self) -> None:
        self._lines: list[str | None] = []  # None: an invisible alignment break

    def line(self, level: int, *cells: Any) -> None:
        """One line at indent `level`; cells after the first are aligned in columns."""
        self._lines.append("  " * level + "\t".join(str(c) for c in cells))

    def field(self, level: int, key: str, value: Any) -> None:
        """`Key:  value`, with "<none>" for empty values."""
        self.line(level, f"{key}:", _text(value))

    def raw(self, level: int, text: str) -> None:
        """A line printed as is (tabs become spaces), ending the current alignment block."""
        self._lines.append("  " * level + text.replace("\t", " "))

    def title(self, level: int, key: str) -> None:
        """A heading ending the current alignment block: `Key:`."""
        self._lines.append("  " * level + f"{key}:")

    def table(self, level: int, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A kubectl-style table with a dashed underline, aligned on its own."""
        self._lines.append(None)
        self.line(level, *header)
        self.line(level, *("-" * len(h) for h in header))
        for row in rows:
            self.line(level, *row)
        self._lines.append(None)

    def render(self) -> str:
        cells = [line.split("\t") if line is not None else [] for line in self._lines]
        widths: list[list[int]] = [[0] * max(len(c) - 1, 0) for c in cells]
        column = 0
        while True:
            runs = _runs([len(c) - 1 > column for c in cells])
            if not runs:
                break
            for start, end in runs:
                width = max(len(cells[i][column]) for i in range(start, end)) + _PADDING
                for i in range(start, end):
                    widths[i][column] = width
            column += 1
        out = []
        for line, line_widths in zip(cells, widths, strict=True):
            if not line:
                continue
            padded = [cell.ljust(w) for cell, w in zip(line, line_widths, strict=False)]
            out.append(("".join(padded) + line[-1]).rstrip())
        return "\n".join(out)


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    runs = []
    start = None
    for index, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            runs.append((start, index))
            start = None
    return runs


def _text(value: Any) -> str:
    if value is None or value in ("", [], {}):
        return "<none>"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def selector_text(selector: Mapping[str, Any] | None) -> str:
    """A label selector as kubectl prints it: "app=web,tier in (a,b)"."""
    if not selector:
        return ""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key", ""), expression.get("operator", "")
        values = ",".join(expression.get("values") or [])
        if operator == "Exists":
            parts.append(key)
        elif operator == "DoesNotExist":
            parts.append(f"!{key}")
        else:
            parts.append(f"{key} {operator.lower()} ({values})")
    return ",".join(parts)


def _map_lines(writer: Writer, key: str, values: Mapping[str, Any], separator: str) -> None:
    if not values:
        writer.field(0, key, None)
        return
    for index, (name, value) in enumerate(sorted(values.items())):
        text = str(value)
        if len(text) > _MAX_ANNOTATION:
            text = text[: _MAX_ANNOTATION - 3] + "..."
        writer.line(0, f"{key}:" if index == 0 else "", f"{name}{separator}{text}")


def metadata(writer: Writer, obj: Mapping[str, Any], now: datetime) -> None:
    """Name, Namespace, Labels, Annotations, Created (and Deleting when it is being deleted)."""
    meta = obj.get("metadata") or {}
    writer.field(0, "Name", meta.get("name"))
    if meta.get("namespace"):
        writer.field(0, "Namespace", meta["namespace"])
    _map_lines(writer, "Labels", meta.get("labels") or {}, "=")
    _map_lines(writer, "Annotations", meta.get("annotations") or {}, ": ")
    created = meta.get("creationTimestamp")
    writer.field(0, "Created", f"{created} ({age(created, now)} ago)" if created else None)
    if meta.get("deletionTimestamp"):
        finalizers = ", ".join(meta.get("finalizers") or []) or "none"
        writer.field(0, "Deleting", f"since {meta['deletionTimestamp']} (finalizers: {finalizers})")


def conditions(writer: Writer, items: Sequence[Mapping[str, Any]], now: datetime) -> None:
    """The Conditions table (Type, Status, Reason, Age, Message)."""
    if not items:
        writer.field(0, "Conditions", None)
        return
    writer.title(0, "Conditions")
    rows = [
        (
            c.get("type", ""),
            c.get("status", ""),
            c.get("reason", "") or "-",
            age(c.get("lastTransitionTime"), now),
            c.get("message", ""),
        )
        for c in items
    ]
    writer.table(1, ("Type", "Status", "Reason", "Age", "Message"), rows)


@dataclass(frozen=True, slots=True)
class History:
    """One condition of one object, as an entry of the Events history."""

    source: str
    condition: Mapping[str, Any]


def events(writer: Writer, history: Sequence[History], now: datetime) -> None:
    """kubectl's Events block from conditions, oldest transition first."""
    if not history:
        writer.field(0, "Events", None)
        return

    def when(entry: History) -> float:
        stamp = parse_time(entry.condition.get("lastTransitionTime"))
        return stamp.timestamp() if stamp else 0.0

    rows = []
    for entry in sorted(history, key=when):
        c = entry.condition
        kind, status = c.get("type", ""), c.get("status", "")
        message = f"{kind}={status}" + (f": {c['message']}" if c.get("message") else "")
        rows.append(
            (
                "Normal" if status == "True" else "Warning",
                c.get("reason", "") or kind,
                age(c.get("lastTransitionTime"), now),
                entry.source,
                message,
            )
        )
    writer.title(0, "Events")
    writer.table(1, ("Type", "Reason", "Age", "From", "Message"), rows)
