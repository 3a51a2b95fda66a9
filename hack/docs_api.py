"""docs/api.md from the comments in protos/: every service, method, message, field and enum.

The protos are the API's single source of truth and buf lint (COMMENTS)
makes every element carry a comment, so the reference is rendered from
them rather than written twice: protoc (grpcio-tools' bundled one) compiles
protos/ into a descriptor set with source info, and each element's leading
comment becomes its description. Field names are shown as JSON / YAML users
write them (Karmada's camelCase), with the proto name beside them when it
differs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import grpc_tools
from google.protobuf import descriptor_pb2
from grpc_tools import protoc

__all__ = ["render"]

_SCALARS = {
    descriptor_pb2.FieldDescriptorProto.TYPE_DOUBLE: "double",
    descriptor_pb2.FieldDescriptorProto.TYPE_FLOAT: "float",
    descriptor_pb2.FieldDescriptorProto.TYPE_INT64: "int64",
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT64: "uint64",
    descriptor_pb2.FieldDescriptorProto.TYPE_INT32: "int32",
    descriptor_pb2.FieldDescriptorProto.TYPE_FIXED64: "fixed64",
    descriptor_pb2.FieldDescriptorProto.TYPE_FIXED32: "fixed32",
    descriptor_pb2.FieldDescriptorProto.TYPE_BOOL: "bool",
    descriptor_pb2.FieldDescriptorProto.TYPE_STRING: "string",
    descriptor_pb2.FieldDescriptorProto.TYPE_BYTES: "bytes",
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT32: "uint32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SFIXED32: "sfixed32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SFIXED64: "sfixed64",
    descriptor_pb2.FieldDescriptorProto.TYPE_SINT32: "sint32",
    descriptor_pb2.FieldDescriptorProto.TYPE_SINT64: "sint64",
}
_REPEATED = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
# descriptor.proto field numbers: FileDescriptorProto.message_type / enum_type /
# service, DescriptorProto.field / nested_type / enum_type, EnumDescriptorProto.value,
# ServiceDescriptorProto.method.
_MESSAGE, _ENUM, _SERVICE = 4, 5, 6
_FIELD, _NESTED, _NESTED_ENUM, _VALUE, _METHOD = 2, 3, 4, 2, 2


def _descriptors(protos: Path) -> descriptor_pb2.FileDescriptorSet:
    files = sorted(str(p.relative_to(protos)) for p in protos.rglob("*.proto"))
    wkt = Path(grpc_tools.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "api.pb"
        args = ["protoc", f"-I{protos}", f"-I{wkt}", "--include_source_info"]
        if protoc.main([*args, f"--descriptor_set_out={out}", *files]) != 0:
            raise RuntimeError("protoc failed on protos/")
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


class _File:
    """One .proto file with its comments indexed by location path."""

    def __init__(self, proto: descriptor_pb2.FileDescriptorProto) -> None:
        self.proto = proto
        self.comments = {
            tuple(loc.path): loc.leading_comments for loc in proto.source_code_info.location
        }

    def comment(self, path: Sequence[int], *, inline: bool = True) -> str:
        text = self.comments.get(tuple(path), "")
        # "<name>" would be taken for an HTML tag by Markdown renderers.
        lines = [line.strip().replace("<", "&lt;") for line in text.strip().splitlines()]
        if not inline:
            return "\n".join(lines)
        return " ".join(lines).replace("|", "\\|")


def _anchor(full_name: str) -> str:
    return full_name.lstrip(".").replace(".", "-").lower()


def _type(field: descriptor_pb2.FieldDescriptorProto, maps: dict[str, str], ours: set[str]) -> str:
    if field.type_name in maps:
        return maps[field.type_name]
    if field.type_name:
        short = field.type_name.rsplit(".", 1)[-1]
        name = (
            f"[{short}](#{_anchor(field.type_name)})"
            if field.type_name in ours
            else field.type_name.lstrip(".")
        )
    else:
        name = _SCALARS.get(field.type, "?")
    if field.label == _REPEATED:
        return f"repeated {name}"
    if field.proto3_optional:
        return f"optional {name}"
    return name


def _messages(
    messages: Sequence[descriptor_pb2.DescriptorProto], prefix: str, path: tuple[int, ...]
) -> Iterator[tuple[str, tuple[int, ...], descriptor_pb2.DescriptorProto]]:
    for index, message in enumerate(messages):
        if message.options.map_entry:
            continue
        full = f"{prefix}.{message.name}"
        here = (*path, index)
        yield full, here, message
        yield from _messages(message.nested_type, full, (*here, _NESTED))


def _map_types(files: Sequence[descriptor_pb2.FileDescriptorProto]) -> dict[str, str]:
    """Map-entry message name -> "map<key, value>"."""

    def walk(messages: Sequence[descriptor_pb2.DescriptorProto], prefix: str) -> Iterator[str]:
        for message in messages:
            full = f"{prefix}.{message.name}"
            if message.options.map_entry:
                key, value = message.field
                value_type = value.type_name.lstrip(".") or _SCALARS.get(value.type, "?")
                out[full] = f"`map<{_SCALARS.get(key.type, '?')}, {value_type}>`"
            yield from walk(message.nested_type, full)

    out: dict[str, str] = {}
    for proto in files:
        list(walk(proto.message_type, f".{proto.package}"))
    return out


def _render_file(file: _File, maps: dict[str, str], ours: set[str]) -> list[str]:
    proto, out = file.proto, []
    for index, service in enumerate(proto.service):
        full = f"{proto.package}.{service.name}"
        out += [f'<a id="{_anchor(full)}"></a>', f"### {service.name} (service)", ""]
        out += [file.comment((_SERVICE, index), inline=False), ""]
        out += ["| method | request | response | description |", "|---|---|---|---|"]
        for m_index, method in enumerate(service.method):
            request = f"[{method.input_type.rsplit('.', 1)[-1]}](#{_anchor(method.input_type)})"
            response = method.output_type.rsplit(".", 1)[-1]
            if method.output_type in ours:
                response = f"[{response}](#{_anchor(method.output_type)})"
            else:
                response = method.output_type.lstrip(".")
            if method.server_streaming:
                response = f"stream {response}"
            description = file.comment((_SERVICE, index, _METHOD, m_index))
            out.append(f"| `{method.name}` | {request} | {response} | {description} |")
        out.append("")
    for full, path, message in _messages(proto.message_type, proto.package, (_MESSAGE,)):
        out += [f'<a id="{_anchor(full)}"></a>', f"### {full.split('.', 3)[-1]}", ""]
        out += [file.comment(path, inline=False), ""]
        if not message.field:
            out += ["No fields.", ""]
            continue
        out += ["| field | type | description |", "|---|---|---|"]
        for f_index, field in enumerate(message.field):
            name = f"`{field.json_name}`"
            if field.json_name != field.name:
                name += f" (`{field.name}`)"
            description = file.comment((*path, _FIELD, f_index))
            out.append(f"| {name} | {_type(field, maps, ours)} | {description} |")
        out.append("")
    for index, enum in enumerate(proto.enum_type):
        full = f"{proto.package}.{enum.name}"
        out += [f'<a id="{_anchor(full)}"></a>', f"### {enum.name} (enum)", ""]
        out += [file.comment((_ENUM, index), inline=False), ""]
        out += ["| value | number | description |", "|---|---|---|"]
        for v_index, value in enumerate(enum.value):
            description = file.comment((_ENUM, index, _VALUE, v_index))
            out.append(f"| `{value.name}` | {value.number} | {description} |")
        out.append("")
    return out


def render(protos: Path) -> str:
    """The whole of docs/api.md."""
    files = [f for f in _descriptors(protos).file if f.package.startswith("karmada.")]
    maps = _map_types(files)
    ours = {
        f".{full}"
        for proto in files
        for full, _, _ in _messages(proto.message_type, proto.package, (_MESSAGE,))
    }
    ours |= {f".{proto.package}.{enum.name}" for proto in files for enum in proto.enum_type}
    packages = sorted({f.package for f in files})
    out = [
        "# API reference",
        "",
        "Generated by `make docs` (`hack/gen_docs.py`) from the comments in `protos/`;",
        "edit those and regenerate (`make lint` fails while this file is stale).",
        "",
        "Field names are shown as they are written in YAML and JSON (Karmada's camelCase,",
        "the proto3 JSON mapping), with the proto field name in parentheses where it",
        "differs. Every service has the standard methods (Get, List, Create, Update,",
        "UpdateStatus for kinds with a status, Delete, Watch); see the README for their",
        "semantics.",
        "",
        "## Packages",
        "",
        *[f"- [{p}](#{_anchor(p)})" for p in packages],
        "",
    ]
    for package in packages:
        out += [f'<a id="{_anchor(package)}"></a>', f"## {package}", ""]
        for proto in sorted((f for f in files if f.package == package), key=lambda f: f.name):
            out += [f"<!-- {proto.name} -->", ""]
            out += _render_file(_File(proto), maps, ours)
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip() + "\n"
