"""Field validation shared by the apiserver's per-kind validators.

Kubernetes rejects a bad object by listing every invalid field at once, each
with a JSON field path (``spec.placement.clusterAffinity.clusterNames[0]``)
and a message in a fixed vocabulary (``Invalid value: "x": ...``,
``Required value``, ``Unsupported value: ...``). Clients, tools and people
have learned to read those messages, so this module reproduces the rules of
k8s.io/apimachinery's ``util/validation`` (DNS names, qualified names, label
values) and of the metadata checks (labels, annotations) with the same
wording. Each kind's validator in the apiserver only composes these helpers;
the violations end up in the ``BadRequest`` detail of an INVALID_ARGUMENT.

The ``is_*`` functions return bare messages, as apimachinery's ``IsXxx``
functions do; the others take a field path and return `FieldViolation`s, an
empty list meaning the value is valid.
"""

# Aliased so that `annotations` can be this module's annotation-map check.
from __future__ import annotations as _postponed_annotations

import json
import re
from collections.abc import Mapping, Sequence, Sized
from dataclasses import dataclass

DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1035_LABEL_MAX_LENGTH = 63
QUALIFIED_NAME_MAX_LENGTH = 63
LABEL_VALUE_MAX_LENGTH = 63
TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + r"(\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character"
)
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character"
)
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)
_LABEL_VALUE_FMT = "(" + _QUALIFIED_NAME_FMT + ")?"
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character"
)

_DNS1123_LABEL_RE = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL_RE = re.compile(_DNS1035_LABEL_FMT)
_QUALIFIED_NAME_RE = re.compile(_QUALIFIED_NAME_FMT)
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)

# Bad values are echoed in messages, which travel in gRPC trailers; a huge
# invalid value must not blow the trailer size limit.
_MAX_QUOTED_CHARS = 256


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One invalid field: its JSON path and what is wrong with it.

    Attributes:
        field: camelCase path from the object root, e.g. ``metadata.labels``.
        description: Kubernetes-style message, e.g. ``Required value``.
    """

    field: str
    description: str

    def __str__(self) -> str:
        return f"{self.field}: {self.description}"


def join_path(*parts: str | int) -> str:
    """Join field path segments: names with '.', integers as ``[i]`` indexes.

    Empty names are skipped, so a validator can be given an empty prefix:
    ``join_path("", "matchLabels")`` is ``matchLabels`` and
    ``join_path("spec.clusterNames", 0)`` is ``spec.clusterNames[0]``.
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part:
            out = f"{out}.{part}" if out else part
    return out


def quote(value: str) -> str:
    """Render a value inside a message, double-quoted as Go's ``%q`` does."""
    if len(value) > _MAX_QUOTED_CHARS:
        return json.dumps(value[:_MAX_QUOTED_CHARS], ensure_ascii=False) + "..."
    return json.dumps(value, ensure_ascii=False)


def _byte_len(value: str) -> int:
    # Kubernetes limits are in bytes (Go's len), not characters.
    return len(value) if value.isascii() else len(value.encode())


def _max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    # Joining "'a', " pieces with " or " gives apimachinery's "'a',  or 'b', " verbatim.
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


# Constructors for the message vocabulary of k8s.io/apimachinery/pkg/util/validation/field.


def invalid(path: str, value: str | int | Sequence[str], detail: str) -> FieldViolation:
    """``Invalid value: <value>: <detail>``."""
    if isinstance(value, str):
        shown = quote(value)
    elif isinstance(value, int):
        shown = str(value)
    else:
        shown = "[" + ", ".join(quote(item) for item in value) + "]"
    return FieldViolation(path, f"Invalid value: {shown}: {detail}")


def required_value(path: str, detail: str = "") -> FieldViolation:
    """``Required value``, optionally followed by why."""
    return FieldViolation(path, f"Required value: {detail}" if detail else "Required value")


def forbidden(path: str, detail: str) -> FieldViolation:
    """``Forbidden: <detail>``."""
    return FieldViolation(path, f"Forbidden: {detail}")


def not_supported(path: str, value: str, allowed: Sequence[str]) -> FieldViolation:
    """``Unsupported value: "x": supported values: "a", "b"``."""
    description = f"Unsupported value: {quote(value)}"
    if allowed:
        description += ": supported values: " + ", ".join(quote(item) for item in allowed)
    return FieldViolation(path, description)


def too_long(path: str, max_bytes: int) -> FieldViolation:
    """``Too long: may not be more than N bytes``."""
    unit = "byte" if max_bytes == 1 else "bytes"
    return FieldViolation(path, f"Too long: may not be more than {max_bytes} {unit}")


# Bare checks, as apimachinery's IsXxx: a list of messages, empty when valid.


def is_dns1123_label(value: str, max_len: int = DNS1123_LABEL_MAX_LENGTH) -> list[str]:
    """Check an RFC 1123 label: ``[a-z0-9]([-a-z0-9]*[a-z0-9])?``, at most `max_len`."""
    errors = []
    if _byte_len(value) > max_len:
        errors.append(_max_len_error(max_len))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            errors.append("must not contain dots")
        else:
            errors.append(
                _regex_error(_DNS1123_LABEL_MSG, _DNS1123_LABEL_FMT, "my-name", "123-abc")
            )
    return errors


def is_dns1123_subdomain(value: str) -> list[str]:
    """Check an RFC 1123 subdomain: dot-separated labels, at most 253 characters."""
    errors = []
    if _byte_len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(_max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errors.append(_regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def is_dns1035_label(value: str) -> list[str]:
    """Check an RFC 1035 label: like RFC 1123 but starting with a letter."""
    errors = []
    if _byte_len(value) > DNS1035_LABEL_MAX_LENGTH:
        errors.append(_max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errors.append(_regex_error(_DNS1035_LABEL_MSG, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errors


def is_qualified_name(value: str) -> list[str]:
    """Check a label/annotation key: ``[<DNS-1123 subdomain>/]<name of at most 63>``."""
    errors: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors += [f"prefix part {message}" for message in is_dns1123_subdomain(prefix)]
    else:
        return [
            "a qualified name "
            + _regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errors.append("name part must be non-empty")
    elif _byte_len(name) > QUALIFIED_NAME_MAX_LENGTH:
        errors.append("name part " + _max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _QUALIFIED_NAME_RE.fullmatch(name):
        errors.append(
            "name part "
            + _regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


def is_label_value(value: str) -> list[str]:
    """Check a label value: empty, or a qualified name part of at most 63 characters."""
    errors = []
    if _byte_len(value) > LABEL_VALUE_MAX_LENGTH:
        errors.append(_max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errors.append(
            _regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345")
        )
    return errors


# Field checks: one violation per problem, at `path`.


def dns1123_label(
    value: str, path: str, *, max_len: int = DNS1123_LABEL_MAX_LENGTH
) -> list[FieldViolation]:
    """Validate a DNS-1123 label (namespace names, cluster names with a smaller `max_len`)."""
    return [invalid(path, value, message) for message in is_dns1123_label(value, max_len)]


def dns1123_subdomain(value: str, path: str) -> list[FieldViolation]:
    """Validate a DNS-1123 subdomain (most object names)."""
    return [invalid(path, value, message) for message in is_dns1123_subdomain(value)]


def dns1035_label(value: str, path: str) -> list[FieldViolation]:
    """Validate a DNS-1035 label (names that become DNS names, such as Services)."""
    return [invalid(path, value, message) for message in is_dns1035_label(value)]


def qualified_name(value: str, path: str) -> list[FieldViolation]:
    """Validate a qualified name (label keys, annotation keys, finalizers)."""
    return [invalid(path, value, message) for message in is_qualified_name(value)]


def label_value(value: str, path: str) -> list[FieldViolation]:
    """Validate a label value."""
    return [invalid(path, value, message) for message in is_label_value(value)]


def labels(mapping: Mapping[str, str], path: str) -> list[FieldViolation]:
    """Validate a label map, as Kubernetes' ValidateLabels.

    A bad key is reported at `path` (the key is in the message); a bad value
    at ``path[key]``, so the message names whose value it is.
    """
    out: list[FieldViolation] = []
    for key, value in mapping.items():
        out += qualified_name(key, path)
        out += label_value(value, f"{path}[{key}]")
    return out


def annotations(mapping: Mapping[str, str], path: str) -> list[FieldViolation]:
    """Validate an annotation map, as Kubernetes' ValidateAnnotations.

    Keys are qualified names, compared case-insensitively (an upper-case
    prefix is allowed); keys and values together may hold at most 256 KiB.
    """
    out: list[FieldViolation] = []
    size = 0
    for key, value in mapping.items():
        out += [invalid(path, key, message) for message in is_qualified_name(key.lower())]
        size += _byte_len(key) + _byte_len(value)
    if size > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES:
        out.append(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES))
    return out


def one_of(
    value: str, allowed: Sequence[str], path: str, *, required: bool
) -> list[FieldViolation]:
    """Validate an enum-like string; empty is allowed only when not `required`."""
    if not value:
        return [required_value(path)] if required else []
    if value not in allowed:
        return [not_supported(path, value, allowed)]
    return []


def required(value: Sized | None, path: str) -> list[FieldViolation]:
    """Validate that a string, list or map is set (non-empty).

    Numbers are not accepted: proto3 cannot tell an unset number from zero,
    so such fields need a range check instead.
    """
    if value is None or len(value) == 0:
        return [required_value(path)]
    return []
