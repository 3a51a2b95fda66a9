"""`karmadactl apply -f FILE|DIR|-`: create each object, or update it to what the file says.

Idempotent, as kubectl apply: an object that does not exist is created; one
that exists is updated from the server's copy (its resourceVersion, status,
finalizers and owners kept) with the document's spec (typed kinds) or body
(resource templates), and the document's labels and annotations — plus the
marks the control plane itself put there (keys under `*karmada.io/`, such as
a policy's claim), so applying the same file twice changes nothing and says
"unchanged". Namespaces go first, then the rest in the order given. A
document that fails is reported on one line, naming its file, line and the
server's field path; the others are still applied, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TypeVar

from google.protobuf.message import Message

from karmada.machinery import errors
from karmada.machinery.scheme import Kind
from karmadactl.context import Context
from karmadactl.errors import CliError, describe
from karmadactl.objects import Document, load_paths
from karmadactl.targets import Target, from_document

__all__ = ["HELP", "NAME", "add_arguments", "apply_one", "merged", "ordered", "run"]

NAME = "apply"
HELP = "Create or update objects from YAML files (Karmada kinds and any Kubernetes kind)"

M = TypeVar("M", bound=Message)

_ATTEMPTS = 5
_FIXED_FIELDS = ("api_version", "kind", "metadata", "status")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-f",
        "--filename",
        action="append",
        required=True,
        metavar="FILE",
        help="a YAML/JSON file, a directory of them, or - for stdin (repeatable)",
    )
    parser.add_argument(
        "-R", "--recursive", action="store_true", help="read directories recursively"
    )


def ordered(documents: list[Document]) -> list[Document]:
    """Namespaces first, then every other document in the order given."""

    def is_namespace(document: Document) -> bool:
        manifest = document.manifest
        return manifest.get("kind") == "Namespace" and manifest.get("apiVersion") == "v1"

    return [d for d in documents if is_namespace(d)] + [d for d in documents if not is_namespace(d)]


def is_control_plane_key(key: str) -> bool:
    """Whether a label/annotation key belongs to the control plane (prefix *karmada.io)."""
    prefix, slash, _ = key.partition("/")
    return bool(slash) and (prefix == "karmada.io" or prefix.endswith(".karmada.io"))


def _merge_map(current: Any, desired: Any) -> dict[str, str]:
    kept = {k: v for k, v in current.items() if is_control_plane_key(k)}
    return {**kept, **dict(desired.items())}


def merged(kind: Kind[Any], current: M, desired: M) -> M:
    """The server's copy with the document's content; metadata and status stay the server's."""
    out = type(current)()
    out.CopyFrom(current)
    meta: Any = out.metadata  # type: ignore[attr-defined]
    wanted: Any = desired.metadata  # type: ignore[attr-defined]
    labels = _merge_map(meta.labels, wanted.labels)
    annotations = _merge_map(meta.annotations, wanted.annotations)
    meta.labels.clear()
    meta.labels.update(labels)
    meta.annotations.clear()
    meta.annotations.update(annotations)
    content = type(desired)()
    content.CopyFrom(desired)
    for field in out.DESCRIPTOR.fields:
        if field.name in _FIXED_FIELDS:
            content.ClearField(field.name)
        else:
            out.ClearField(field.name)
    out.MergeFrom(content)
    return out


def _same(a: Message, b: Message) -> bool:
    return a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


async def apply_one(ctx: Context, target: Target, desired: Message) -> str:
    """Creates or updates one object: "created", "configured" or "unchanged"."""
    client = ctx.client
    for _ in range(_ATTEMPTS):
        try:
            current: Message = await client.get(target.kind, target.name, target.namespace)
        except errors.NotFound:
            try:
                await client.create(desired)
            except errors.AlreadyExists:
                continue
            return "created"
        wanted = merged(target.kind, current, desired)
        if _same(wanted, current):
            return "unchanged"
        try:
            updated = await client.update(wanted)
        except errors.Conflict:
            continue
        before: Any = current.metadata  # type: ignore[attr-defined]
        after: Any = updated.metadata  # type: ignore[attr-defined]
        return "unchanged" if after.resource_version == before.resource_version else "configured"
    raise CliError(f"{target.label} keeps changing on the server; apply again")


def api_error(document: Document, target: Target, error: errors.ApiError) -> str:
    """One line for a server error on a document: file:line of the first bad field."""
    if isinstance(error, errors.Invalid) and error.violations:
        fields = [(_user_path(target.kind, v.field), v.description) for v in error.violations]
        where = document.where_field(fields[0][0])
        problems = "; ".join(f"{f}: {d}" if f else d for f, d in fields)
        return f"{where}: {target.label} is invalid: {problems}"
    return f"{document.where}: {target.label}: {describe(error)}"


def _user_path(kind: Kind[Any], path: str) -> str:
    """The field as the user wrote it (a template's body fields are top-level)."""
    if kind.template and path.startswith("body."):
        return path[len("body.") :]
    return path


async def run(ctx: Context, args: argparse.Namespace) -> int:
    documents = ordered(load_paths(args.filename, recursive=args.recursive))
    if not documents:
        raise CliError("no objects passed to apply")
    failed = False
    for document in documents:
        try:
            target, desired = from_document(ctx, document)
        except CliError as error:
            print(f"error: {error.message}", file=sys.stderr)
            failed = True
            continue
        try:
            verb = await apply_one(ctx, target, desired)
        except errors.Unavailable:
            raise  # the server is gone: one "cannot reach" line, not one per document
        except errors.ApiError as error:
            print(f"error: {api_error(document, target, error)}", file=sys.stderr)
            failed = True
            continue
        except CliError as error:
            print(f"error: {document.where}: {error.message}", file=sys.stderr)
            failed = True
            continue
        print(f"{target.ref} {verb}", flush=True)
    return 1 if failed else 0
