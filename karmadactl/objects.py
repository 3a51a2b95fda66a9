"""YAML documents in, API objects out (and back): Karmada's YAML exactly as Karmada writes it.

Karmada kinds (`policy.karmada.io/v1alpha1` PropagationPolicy, ...) map onto
their typed messages through the proto3 JSON mapping, whose names are
Karmada's camelCase fields; any other Kubernetes kind becomes a
ResourceTemplate. Errors name the file and line of the offending document
and, for unknown fields, the field.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import json_format
from google.protobuf.message import Message

from karmada.core.v1 import resource_template_pb2
from karmada.machinery.scheme import Kind, kind_of, lookup
from karmada.templates import to_manifest, to_template
from karmadactl.errors import CliError

__all__ = ["Document", "from_manifest", "load_paths", "parse_documents", "to_dict"]

_EXTENSIONS = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document: its content and where it came from."""

    manifest: dict[str, Any]
    source: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


def _documents_with_lines(text: str, source: str) -> Iterator[Document]:
    loader = yaml.SafeLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            line = node.start_mark.line + 1
            data = loader.construct_document(node)
            if data is None:
                continue
            if not isinstance(data, dict):
                raise CliError(
                    f"{source}:{line}: a document must be a mapping (a Kubernetes object)"
                )
            if data.get("kind", "").endswith("List") and isinstance(data.get("items"), list):
                for item in data["items"]:
                    yield Document(item, source, line)
                continue
            yield Document(data, source, line)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise CliError(f"{where}: invalid YAML: {error.problem or error}") from error
    finally:
        loader.dispose()


def parse_documents(text: str, source: str) -> list[Document]:
    """Every object in a (multi-document) YAML or JSON text."""
    documents = list(_documents_with_lines(text, source))
    for document in documents:
        for field in ("apiVersion", "kind"):
            if not isinstance(document.manifest.get(field), str) or not document.manifest[field]:
                raise CliError(f"{document.where}: {field} is required")
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
        raise CliError(
            f"{document.where}: {manifest['kind']} {manifest['metadata']['name']}: {error}"
        ) from error
    return kind, message


def to_dict(obj: Message) -> dict[str, Any]:
    """An API object as the Kubernetes-style mapping users read (-o yaml/json)."""
    if isinstance(obj, resource_template_pb2.ResourceTemplate):
        manifest = to_manifest(obj)
        metadata = json_format.MessageToDict(obj.metadata)
        manifest["metadata"] = metadata
        if obj.HasField("status") and obj.status.fields:
            manifest["status"] = json_format.MessageToDict(obj.status)
        return manifest
    out = json_format.MessageToDict(obj)
    kind = kind_of(obj)
    out.setdefault("apiVersion", kind.api_version)
    out.setdefault("kind", kind.kind)
    return out
