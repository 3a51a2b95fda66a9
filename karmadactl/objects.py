"""YAML documents in, API objects out (and back): Karmada's YAML exactly as Karmada writes it.

Karmada kinds (`policy.karmada.io/v1alpha1` PropagationPolicy, ...) map onto
their typed messages through the proto3 JSON mapping, whose names are
Karmada's camelCase fields; any other Kubernetes kind becomes a
ResourceTemplate. Errors name the file and line of the offending document
and, for unknown fields, the field.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.scheme import Kind, kind_of, lookup
from karmada.machinery.structs import to_dict as struct_to_dict
from karmada.templates import to_manifest, to_template
from karmadactl.errors import CliError

__all__ = [
    "Document",
    "field_path",
    "from_manifest",
    "load_paths",
    "parse_documents",
    "parse_error",
    "to_dict",
]

_EXTENSIONS = (".yaml", ".yml", ".json")


Path_ = tuple[str | int, ...]
"""A field path inside a document: mapping keys and list indices."""


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document: its content and where it came from.

    `positions` maps each field path (("spec", "resourceSelectors", 0, "kind"))
    to the line of its key, so errors can point at the field, not the document.
    """

    manifest: dict[str, Any]
    source: str
    line: int
    positions: Mapping[Path_, int] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    def line_of(self, path: str) -> int:
        """The line of a field given as "spec.resourceSelectors[0].kind" (the nearest
        enclosing field found; list indices may be left out), else the document's line."""
        parts = field_path(path)
        while parts:
            if parts in self.positions:
                return self.positions[parts]
            names = tuple(p for p in parts if isinstance(p, str))
            for known, line in self.positions.items():
                if tuple(p for p in known if isinstance(p, str)) == names:
                    return line
            parts = parts[:-1]
        return self.line

    def where_field(self, path: str) -> str:
        return f"{self.source}:{self.line_of(path)}"


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_path(path: str) -> Path_:
    """ "spec.resourceSelectors[0].kind" -> ("spec", "resourceSelectors", 0, "kind")."""
    out: list[str | int] = []
    for name, index in _SEGMENT.findall(path):
        out.append(int(index) if index else name)
    return tuple(out)


def _positions(node: yaml.Node, prefix: Path_, out: dict[Path_, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                path = (*prefix, str(key.value))
                out[path] = key.start_mark.line + 1
                _positions(value, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            path = (*prefix, index)
            out[path] = value.start_mark.line + 1
            _positions(value, path, out)


def _rebased(positions: Mapping[Path_, int], prefix: Path_) -> dict[Path_, int]:
    return {p[len(prefix) :]: line for p, line in positions.items() if p[: len(prefix)] == prefix}


def _documents_with_lines(text: str, source: str) -> Iterator[Document]:
    loader = yaml.SafeLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            line = node.start_mark.line + 1
            positions: dict[Path_, int] = {}
            _positions(node, (), positions)
            data = loader.construct_document(node)
            if data is None:
                continue
            if not isinstance(data, dict):
                raise CliError(
                    f"{source}:{line}: a document must be a mapping (a Kubernetes object)"
                )
            if str(data.get("kind", "")).endswith("List") and isinstance(data.get("items"), list):
                for index, item in enumerate(data["items"]):
                    if not isinstance(item, dict):
                        raise CliError(f"{source}:{line}: items[{index}] must be a mapping")
                    item_line = positions.get(("items", index), line)
                    yield Document(item, source, item_line, _rebased(positions, ("items", index)))
                continue
            yield Document(data, source, line, positions)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context_mark is not None and mark is not None and mark.line >= text.count("\n"):
            mark = error.context_mark  # "<stream end>": point at what was left open
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        context = f"{error.context}: " if error.context else ""
        raise CliError(f"{where}: invalid YAML: {context}{error.problem or error}") from error
    finally:
        loader.dispose()


def parse_documents(text: str, source: str) -> list[Document]:
    """Every object in a (multi-document) YAML or JSON text."""
    documents = list(_documents_with_lines(text, source))
    for document in documents:
        for required in ("apiVersion", "kind"):
            value = document.manifest.get(required)
            if not isinstance(value, str) or not value:
                raise CliError(f"{document.where}: {required} is required")
        metadata = document.manifest.get("metadata")
        if not isinstance(metadata, dict) or not metadata.get("name"):
            raise CliError(f"{document.where}: metadata.name is required")
    return documents


def load_paths(paths: list[str], *, recursive: bool = False) -> list[Document]:
    """The documents of each -f argument: a file, a directory of YAML files, or "-" (stdin)."""
    out: list[Document] = []
    for raw in paths:
        if raw == "-":
            out += parse_documents(sys.stdin.read(), "<stdin>")
            continue
        path = Path(raw)
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            files = sorted(p for p in path.glob(pattern) if p.suffix in _EXTENSIONS and p.is_file())
        elif path.exists():
            files = [path]
        else:
            raise CliError(f"the path {raw!r} does not exist")
        for file in files:
            out += parse_documents(file.read_text(), str(file))
    return out


def from_manifest(document: Document) -> tuple[Kind[Any], Message]:
    """The API object a document describes."""
    manifest = document.manifest
    kind = lookup(manifest["apiVersion"], manifest["kind"])
    if kind.template:
        return kind, to_template(manifest)
    message = kind.message()
    try:
        json_format.ParseDict(manifest, message, ignore_unknown_fields=False)
    except json_format.ParseError as error:
        path, problem = parse_error(str(error))
        raise CliError(
            f"{document.where_field(path)}: {manifest['kind']} "
            f"{manifest['metadata']['name']}: {problem}"
        ) from error
    return kind, message


_UNKNOWN = re.compile(r'has no field named "([^"]+)" at "([^"]+)"')
_NESTED = re.compile(r"Failed to parse (\w+) field: ")


def parse_error(text: str) -> tuple[str, str]:
    """json_format's multi-line ParseError as (field path, one-line problem)."""
    first = text.splitlines()[0] if text else text
    if match := _UNKNOWN.search(first):
        at = match.group(2).split(".", 1)
        path = f"{at[1]}.{match.group(1)}" if len(at) == 2 else match.group(1)
        return path, f'unknown field "{path}"'
    names = _NESTED.findall(first)
    rest = _NESTED.sub("", first).rstrip(".").strip()
    path = ".".join(names)
    return path, f"{path}: {rest}" if path else rest


def to_dict(obj: Message) -> dict[str, Any]:
    """An API object as the Kubernetes-style mapping users read (-o yaml/json)."""
    if isinstance(obj, resource_template_pb2.ResourceTemplate):
        manifest = to_manifest(obj)
        metadata = _numbers(obj.metadata, json_format.MessageToDict(obj.metadata))
        manifest["metadata"] = metadata
        if obj.HasField("status") and obj.status.fields:
            manifest["status"] = struct_to_dict(obj.status)
        return manifest
    out = _integral(_numbers(obj, json_format.MessageToDict(obj)))
    kind = kind_of(obj)
    out.setdefault("apiVersion", kind.api_version)
    out.setdefault("kind", kind.kind)
    return {"apiVersion": out.pop("apiVersion"), "kind": out.pop("kind"), **out}


_INT64 = frozenset(
    {
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT64,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED64,
    }
)


def _numbers(message: Message, data: dict[str, Any]) -> dict[str, Any]:
    """64-bit integers as numbers (the proto3 JSON mapping writes them as strings)."""
    for descriptor in message.DESCRIPTOR.fields:
        name = descriptor.json_name
        if name not in data:
            continue
        value = getattr(message, descriptor.name)
        nested = descriptor.message_type
        if descriptor.type in _INT64:
            item = data[name]
            data[name] = [int(v) for v in item] if isinstance(item, list) else int(item)
        elif nested is None or nested.full_name.startswith("google.protobuf."):
            continue
        elif nested.GetOptions().map_entry:
            entry = nested.fields_by_name["value"]
            if entry.message_type is not None:
                for key, sub in value.items():
                    _numbers(sub, data[name][str(key)])
            elif entry.type in _INT64:
                data[name] = {k: int(v) for k, v in data[name].items()}
        elif descriptor.is_repeated:
            for sub, item in zip(value, data[name], strict=True):
                _numbers(sub, item)
        else:
            _numbers(value, data[name])
    return data


def _integral(value: Any) -> Any:
    """JSON numbers as Kubernetes writes them: integral floats (from Structs) as int."""
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
