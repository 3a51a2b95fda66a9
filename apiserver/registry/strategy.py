"""Per-kind validation and defaulting, and the metadata rules every kind shares.

A Strategy is what differs between kinds (as Kubernetes' RESTCreateStrategy /
RESTUpdateStrategy): name format, scope, spec validation, defaulting, and
which field is "the spec" for generation. Each kind's module in this package
builds one; the registry calls it for every write. Validation returns every
problem at once, with camelCase field paths as Kubernetes reports them. A kind
with a Bind custom method (as kube's pods/binding) also gives a Binder: how a
bind request changes the object, which the registry writes like an update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message

from karmada.machinery import validation as v
from karmada.machinery.scheme import Kind
from karmada.machinery.validation import FieldViolation

Validator = Callable[[Message], list[FieldViolation]]
UpdateValidator = Callable[[Message, Message], list[FieldViolation]]
Defaulter = Callable[[Message], None]
NameValidator = Callable[[str, str], list[FieldViolation]]
BindSpec = Callable[[Message, Message], None]
BindStatus = Callable[[Message, Message, timestamp_pb2.Timestamp], None]


def _no_violations(_: Message) -> list[FieldViolation]:
    return []


def _no_defaults(_: Message) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Binder:
    """How a bind request (a kind's Bind custom method) changes an object.

    The registry applies `bind_spec`, bumps metadata.generation if the spec
    changed (as Update does), then applies `bind_status`, so status can
    record the resulting generation; the result is validated as a whole and
    written in one compare-and-swap.

    Attributes:
        validate_request: checks the request's own fields (the registry checks
            name and resource_version).
        bind_spec: applies the request to a copy of the stored object's
            metadata and spec: (object, request).
        bind_status: applies the request to the status: (object, request,
            the server time of the write).
    """

    validate_request: Validator
    bind_spec: BindSpec
    bind_status: BindStatus


@dataclass(frozen=True, slots=True)
class Strategy:
    """How one kind is validated and defaulted.

    Attributes:
        kind: the kind served.
        validate_spec: checks the desired state (everything but metadata/status).
        validate_update: checks what may not change between old and new.
        validate_status_fields: checks a status write.
        defaulter: fills defaults before validation, as Kubernetes' defaulting.
        name_rule: validates metadata.name (DNS-1123 subdomain by default).
        spec_field: the field whose change bumps metadata.generation.
        binder: the kind's Bind custom method, if it has one.
        permanent_id_label: a label the apiserver fills with a fresh uuid on
            create when it is missing and keeps across updates that drop it
            (what Karmada's mutating webhooks do for policies' permanent ids).
    """

    kind: Kind[Message]
    validate_spec: Validator = _no_violations
    validate_update: UpdateValidator | None = None
    validate_status_fields: Validator = _no_violations
    defaulter: Defaulter = _no_defaults
    name_rule: NameValidator = v.dns1123_subdomain
    spec_field: str = "spec"
    binder: Binder | None = None
    permanent_id_label: str = ""

    def default(self, obj: Message) -> None:
        if not obj.api_version:  # type: ignore[attr-defined]
            obj.api_version = self.kind.api_version  # type: ignore[attr-defined]
        if not obj.kind:  # type: ignore[attr-defined]
            obj.kind = self.kind.kind  # type: ignore[attr-defined]
        self.defaulter(obj)

    def validate_scope(self, namespace: str, *, field: str) -> list[FieldViolation]:
        if self.kind.namespaced is True and not namespace:
            return [FieldViolation(field, "Required value: the kind is namespaced")]
        if self.kind.namespaced is False and namespace:
            return [FieldViolation(field, "Forbidden: the kind is cluster-scoped")]
        if namespace:
            return v.dns1123_label(namespace, field)
        return []

    def validate(self, obj: Message, old: Message | None) -> list[FieldViolation]:
        violations = self._validate_type(obj)
        violations += self._validate_metadata(obj)
        violations += self.validate_spec(obj)
        if old is not None and self.validate_update is not None:
            violations += self.validate_update(obj, old)
        return violations

    def validate_status(self, obj: Message) -> list[FieldViolation]:
        return self.validate_status_fields(obj)

    def _validate_type(self, obj: Message) -> list[FieldViolation]:
        out = []
        api_version = obj.api_version  # type: ignore[attr-defined]
        kind = obj.kind  # type: ignore[attr-defined]
        if api_version != self.kind.api_version:
            out.append(
                FieldViolation(
                    "apiVersion",
                    f'Unsupported value: "{api_version}": supported values: '
                    f'"{self.kind.api_version}"',
                )
            )
        if kind != self.kind.kind:
            out.append(
                FieldViolation(
                    "kind", f'Unsupported value: "{kind}": supported values: "{self.kind.kind}"'
                )
            )
        return out

    def _validate_metadata(self, obj: Message) -> list[FieldViolation]:
        meta = obj.metadata  # type: ignore[attr-defined]
        out: list[FieldViolation] = []
        if not meta.name:
            out.append(FieldViolation("metadata.name", "Required value: name is required"))
        else:
            out += self.name_rule(meta.name, "metadata.name")
        out += self.validate_scope(meta.namespace, field="metadata.namespace")
        out += v.labels(meta.labels, "metadata.labels")
        out += v.annotations(meta.annotations, "metadata.annotations")
        for i, finalizer in enumerate(meta.finalizers):
            out += v.qualified_name(finalizer, f"metadata.finalizers[{i}]")
        for i, ref in enumerate(meta.owner_references):
            path = f"metadata.ownerReferences[{i}]"
            for attr, json_name in (
                ("api_version", "apiVersion"),
                ("kind", "kind"),
                ("name", "name"),
                ("uid", "uid"),
            ):
                if not getattr(ref, attr):
                    out.append(FieldViolation(f"{path}.{json_name}", "Required value"))
        return out


def cluster_name(value: str, path: str) -> list[FieldViolation]:
    """Cluster names: DNS-1123 labels short enough for karmada-es-<name>."""
    return v.dns1123_label(value, path, max_len=48)
