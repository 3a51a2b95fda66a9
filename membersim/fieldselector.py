"""Field selectors (``?fieldSelector=metadata.name=x,status.phase!=Running``).

Field selectors are how clients watch one object (kubectl delete --wait and
kubectl wait send ``metadata.name=<name>``) and how kubelets and controllers
narrow lists (``spec.nodeName=``). The grammar is apimachinery's
``fields.ParseSelector``: comma-separated terms ``field=value``,
``field==value`` or ``field!=value``, with ``\\,``, ``\\=`` and ``\\\\``
escapes in values.

kube-apiserver accepts only a per-kind list of fields; the simulator
accepts any dotted path into the object (a missing field reads as ""),
which is a superset. ``metadata.name`` and ``metadata.namespace`` are
matched without decoding the stored object, since they are by far the most
common.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

_NAME: Final = "metadata.name"
_NAMESPACE: Final = "metadata.namespace"


class FieldSelectorError(ValueError):
    """A malformed field selector."""


@dataclass(frozen=True, slots=True)
class Term:
    """One ``field op value`` requirement."""

    field: str
    negated: bool
    value: str


@dataclass(frozen=True, slots=True)
class FieldSelector:
    """An AND of terms; the empty selector matches everything."""

    terms: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def needs_object(self) -> bool:
        """Whether matching needs fields beyond name and namespace."""
        return any(t.field not in (_NAME, _NAMESPACE) for t in self.terms)

    def exact_name(self) -> str | None:
        """The name required by a ``metadata.name=x`` term, if there is one."""
        for term in self.terms:
            if term.field == _NAME and not term.negated:
                return term.value
        return None

    def matches(self, *, name: str, namespace: str, obj: Mapping[str, Any] | None = None) -> bool:
        """Whether the object satisfies every term.

        Args:
            name: the object's name.
            namespace: its namespace ("" for cluster-scoped objects).
            obj: the decoded object; required when `needs_object`.
        """
        for term in self.terms:
            if term.field == _NAME:
                actual = name
            elif term.field == _NAMESPACE:
                actual = namespace
            else:
                actual = lookup(obj or {}, term.field)
            if (actual == term.value) == term.negated:
                return False
        return True

    def __str__(self) -> str:
        return ",".join(
            f"{t.field}{'!=' if t.negated else '='}{_escape(t.value)}" for t in self.terms
        )


EVERYTHING: Final = FieldSelector()


def lookup(obj: Mapping[str, Any], path: str) -> str:
    """The string form of the field at a dotted path, "" when absent.

    Scalars print as Go's field-label conversion does: booleans as
    ``true``/``false``, numbers in decimal.
    """
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return ""
        value = value.get(part)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return ""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _split_terms(text: str) -> list[str]:
    """Split on commas not preceded by an escaping backslash."""
    terms: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == ",":
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    terms.append("".join(current))
    return terms


def _unescape(value: str) -> str:
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            if char in ",=":
                raise FieldSelectorError(
                    f"invalid field selector value {value!r}: unescaped {char!r}"
                )
            out.append(char)
            continue
        following = next(chars, None)
        if following not in ("\\", ",", "="):
            raise FieldSelectorError(f"invalid escape sequence in field selector value {value!r}")
        out.append(following)
    return "".join(out)


def _split_operator(term: str) -> tuple[str, bool, str]:
    """Find the first unescaped operator in a term: ``!=``, ``==`` or ``=``."""
    i = 0
    while i < len(term):
        char = term[i]
        if char == "\\":
            i += 2
            continue
        if term.startswith("!=", i):
            return term[:i], True, term[i + 2 :]
        if term.startswith("==", i):
            return term[:i], False, term[i + 2 :]
        if char == "=":
            return term[:i], False, term[i + 1 :]
        i += 1
    raise FieldSelectorError(f"invalid selector: '{term}'; can't understand '{term}'")


def parse(text: str) -> FieldSelector:
    """Parse a field selector string; "" selects everything.

    Raises:
        FieldSelectorError: the selector is malformed.
    """
    if not text.strip():
        return EVERYTHING
    terms = []
    for raw in _split_terms(text):
        if not raw:
            continue
        field, negated, value = _split_operator(raw)
        if not field:
            raise FieldSelectorError(f"invalid selector: '{text}'; empty field name")
        terms.append(Term(field.strip(), negated, _unescape(value)))
    return FieldSelector(tuple(terms))
