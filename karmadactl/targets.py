"""Which objects a command acts on: from YAML documents or from `KIND NAME...` arguments.

Namespaces follow kubectl: a namespaced object without one goes to `-n` (or
"default"); a document naming a namespace other than an explicit `-n` is an
error; cluster-scoped kinds never carry one. Template kinds of unknown scope
(custom resources) are treated as namespaced unless the document says
otherwise, as most are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from karmada.machinery.scheme import Kind, lookup
from karmadactl.context import Context
from karmadactl.errors import CliError
from karmadactl.kinds import display, resolve, resource
from karmadactl.objects import Document, from_manifest

__all__ = ["Target", "from_arguments", "from_document", "identity", "list_namespace"]


@dataclass(frozen=True, slots=True)
class Target:
    """One object: its kind, name and namespace ("" when cluster-scoped)."""

    kind: Kind[Any]
    name: str
    namespace: str = ""

    @property
    def ref(self) -> str:
        """kubectl's "deployment.apps/nginx"."""
        return f"{display(self.kind)}/{self.name}"

    @property
    def label(self) -> str:
        """ "PropagationPolicy default/nginx" for messages."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind.kind} {where}"

    def not_found(self) -> CliError:
        return CliError(f'{resource(self.kind)} "{self.name}" not found')


def list_namespace(ctx: Context, kind: Kind[Any]) -> str:
    """The namespace to list or get `kind` in ("" = all namespaces, or cluster-scoped)."""
    if kind.namespaced is False or ctx.all_namespaces:
        return ""
    return ctx.namespace


def from_arguments(ctx: Context, arguments: list[str]) -> list[Target]:
    """`KIND NAME [NAME...]` or `KIND/NAME [KIND/NAME...]` as targets."""
    if not arguments:
        raise CliError("you must specify the type of resource and a name (e.g. deployment nginx)")
    if "/" in arguments[0]:
        out = []
        for argument in arguments:
            kind_text, _, name = argument.partition("/")
            if not name:
                raise CliError(f"arguments in resource/name form must have a name: {argument!r}")
            kind = resolve(kind_text)
            out.append(Target(kind, name, "" if kind.namespaced is False else ctx.namespace))
        return out
    kind = resolve(arguments[0])
    if len(arguments) < 2:
        raise CliError(f"resource name may not be empty: {arguments[0]} NAME")
    namespace = "" if kind.namespaced is False else ctx.namespace
    return [Target(kind, name, namespace) for name in arguments[1:]]


def identity(ctx: Context, document: Document) -> Target:
    """The object a document names, its namespace settled (the body is not parsed)."""
    manifest = document.manifest
    kind = lookup(manifest["apiVersion"], manifest["kind"])
    written = str((manifest.get("metadata") or {}).get("namespace") or "")
    if kind.namespaced is False:
        namespace = ""
    elif written and ctx.namespace_given and written != ctx.namespace:
        raise CliError(
            f'{document.where}: the namespace from the provided object "{written}" does not '
            f'match the namespace "{ctx.namespace}". You must pass "--namespace={written}" '
            "to perform this operation."
        )
    else:
        namespace = written or ctx.namespace
    return Target(kind, str(manifest["metadata"]["name"]), namespace)


def from_document(ctx: Context, document: Document) -> tuple[Target, Message]:
    """The object a document describes, its namespace settled; raises CliError."""
    target = identity(ctx, document)
    _, message = from_manifest(document)
    meta: Any = message.metadata  # type: ignore[attr-defined]
    meta.namespace = target.namespace
    return target, message
