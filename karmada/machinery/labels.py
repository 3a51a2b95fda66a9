"""Kubernetes label selectors: parsing, matching and printing.

Every List and Watch takes a label selector string, and Karmada's placement
rules (resource selectors, cluster affinity) carry ``meta.v1.LabelSelector``
messages. Clients written against Kubernetes expect the exact behaviour of
k8s.io/apimachinery/pkg/labels, so this module reproduces it rather than
inventing a dialect:

* the same string grammar, including its valid-but-odd corners: ``a=``
  selects an empty value, ``a in ()`` and ``a in (,)`` select ``a=""``, and
  ``in``/``notin`` may be used as keys and values;
* the same key and value rules (qualified names, label values), so a selector
  the apiserver accepts is one kubectl would accept;
* the same answers for absent keys: ``!=`` and ``notin`` match objects
  without the key, ``=``, ``in``, ``>`` and ``<`` don't;
* the same canonical String(): requirements sorted by key, set values sorted.

A Selector is immutable and compiles its requirements into flat tuples once,
because the apiserver's watch cache calls `Selector.matches` for every event
and every watcher.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from karmada.machinery import validation
from karmada.machinery.validation import FieldViolation, join_path
from karmada.meta.v1 import meta_pb2

_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


class SelectorError(ValueError):
    """A selector that is malformed, or names an invalid key, value or operator.

    Attributes:
        message: what is wrong.
        position: offset in the selector string where the problem was found,
            for parsed selectors; None otherwise.
    """

    def __init__(self, message: str, *, position: int | None = None) -> None:
        self.message = message
        self.position = position
        super().__init__(message if position is None else f"{message} (at position {position})")


class Operator(enum.StrEnum):
    """Requirement operators, spelled as apimachinery's ``selection.Operator``."""

    IN = "in"
    NOT_IN = "notin"
    EQUALS = "="
    DOUBLE_EQUALS = "=="
    NOT_EQUALS = "!="
    GREATER_THAN = "gt"
    LESS_THAN = "lt"
    EXISTS = "exists"
    DOES_NOT_EXIST = "!"


_SET_OPERATORS: Final = (Operator.IN, Operator.NOT_IN)
_EXACT_OPERATORS: Final = (Operator.EQUALS, Operator.DOUBLE_EQUALS, Operator.NOT_EQUALS)
_UNARY_OPERATORS: Final = (Operator.EXISTS, Operator.DOES_NOT_EXIST)
_NUMERIC_OPERATORS: Final = (Operator.GREATER_THAN, Operator.LESS_THAN)
_SYMBOL: Final = {
    Operator.EQUALS: "=",
    Operator.DOUBLE_EQUALS: "==",
    Operator.NOT_EQUALS: "!=",
    Operator.GREATER_THAN: ">",
    Operator.LESS_THAN: "<",
}

# metav1.LabelSelectorOperator values, as they appear in LabelSelectorRequirement.operator.
PROTO_OPERATORS: Final = {
    "In": Operator.IN,
    "NotIn": Operator.NOT_IN,
    "Exists": Operator.EXISTS,
    "DoesNotExist": Operator.DOES_NOT_EXIST,
}


def _parse_int64(text: str) -> int | None:
    """Go's strconv.ParseInt(text, 10, 64): optional sign, ASCII digits, no spaces."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    number = int(text)
    return number if _INT64_MIN <= number <= _INT64_MAX else None


def _requirement_problems(key: str, operator: str, values: tuple[str, ...]) -> list[FieldViolation]:
    """apimachinery's NewRequirement checks, with paths relative to the requirement."""
    out = validation.qualified_name(key, "key")
    count = ""
    if operator in _SET_OPERATORS and not values:
        count = "for 'in', 'notin' operators, values set can't be empty"
    elif operator in _EXACT_OPERATORS and len(values) != 1:
        count = "exact-match compatibility requires one single value"
    elif operator in _UNARY_OPERATORS and values:
        count = "values set must be empty for exists and does not exist"
    elif operator in _NUMERIC_OPERATORS and len(values) != 1:
        count = "for 'Gt', 'Lt' operators, exactly one value is required"
    elif operator not in list(Operator):
        out.append(validation.not_supported("operator", operator, list(Operator)))
    if count:
        out.append(validation.invalid("values", values, count))
    if operator in _NUMERIC_OPERATORS:
        integer = "for 'Gt', 'Lt' operators, the value must be an integer"
        out += [
            validation.invalid(f"values[{i}]", value, integer)
            for i, value in enumerate(values)
            if _parse_int64(value) is None
        ]
    for i, value in enumerate(values):
        out += validation.label_value(value, f"values[{i}]")
    return out


def _describe(problems: list[FieldViolation]) -> str:
    return "; ".join(str(problem) for problem in problems)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One condition on one label key; validated on construction.

    Raises:
        SelectorError: the key or a value is not a valid label key/value, or
            the number of values doesn't suit the operator.
    """

    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        with contextlib.suppress(ValueError):  # an unknown operator is reported below
            object.__setattr__(self, "operator", Operator(self.operator))
        if problems := _requirement_problems(self.key, self.operator, self.values):
            raise SelectorError(_describe(problems))

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether `labels` satisfy this requirement (absent keys as in apimachinery)."""
        value = labels.get(self.key)
        match self.operator:
            case Operator.IN | Operator.EQUALS | Operator.DOUBLE_EQUALS:
                return value is not None and value in self.values
            case Operator.NOT_IN | Operator.NOT_EQUALS:
                return value is None or value not in self.values
            case Operator.EXISTS:
                return self.key in labels
            case Operator.DOES_NOT_EXIST:
                return self.key not in labels
            case _:
                number = None if value is None else _parse_int64(value)
                if number is None:
                    return False
                bound = int(self.values[0])
                if self.operator is Operator.GREATER_THAN:
                    return number > bound
                return number < bound

    def __str__(self) -> str:
        if self.operator is Operator.EXISTS:
            return self.key
        if self.operator is Operator.DOES_NOT_EXIST:
            return f"!{self.key}"
        shown = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if self.operator in _SET_OPERATORS:
            return f"{self.key} {self.operator.value} ({shown})"
        return f"{self.key}{_SYMBOL[self.operator]}{shown}"


@dataclass(frozen=True, slots=True)
class Selector:
    """An immutable AND of requirements, kept sorted by key as apimachinery does.

    The empty selector (`EVERYTHING`) matches every label set.
    """

    requirements: tuple[Requirement, ...] = ()
    # Requirements compiled by kind, so matches() is a few tight loops.
    _equal: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    _in: tuple[tuple[str, frozenset[str]], ...] = field(init=False, repr=False, compare=False)
    _not_equal: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    _not_in: tuple[tuple[str, frozenset[str]], ...] = field(init=False, repr=False, compare=False)
    _exists: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _absent: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _greater: tuple[tuple[str, int], ...] = field(init=False, repr=False, compare=False)
    _less: tuple[tuple[str, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        requirements = tuple(sorted(self.requirements, key=lambda r: r.key))
        equal: list[tuple[str, str]] = []
        not_equal: list[tuple[str, str]] = []
        in_: list[tuple[str, frozenset[str]]] = []
        not_in: list[tuple[str, frozenset[str]]] = []
        exists: list[str] = []
        absent: list[str] = []
        greater: list[tuple[str, int]] = []
        less: list[tuple[str, int]] = []
        for req in requirements:
            distinct = frozenset(req.values)
            match req.operator:
                case Operator.IN | Operator.EQUALS | Operator.DOUBLE_EQUALS:
                    if len(distinct) == 1:
                        equal.append((req.key, req.values[0]))
                    else:
                        in_.append((req.key, distinct))
                case Operator.NOT_IN | Operator.NOT_EQUALS:
                    if len(distinct) == 1:
                        not_equal.append((req.key, req.values[0]))
                    else:
                        not_in.append((req.key, distinct))
                case Operator.EXISTS:
                    exists.append(req.key)
                case Operator.DOES_NOT_EXIST:
                    absent.append(req.key)
                case Operator.GREATER_THAN:
                    greater.append((req.key, int(req.values[0])))
                case Operator.LESS_THAN:
                    less.append((req.key, int(req.values[0])))
        setattr_ = object.__setattr__
        setattr_(self, "requirements", requirements)
        setattr_(self, "_equal", tuple(equal))
        setattr_(self, "_in", tuple(in_))
        setattr_(self, "_not_equal", tuple(not_equal))
        setattr_(self, "_not_in", tuple(not_in))
        setattr_(self, "_exists", tuple(exists))
        setattr_(self, "_absent", tuple(absent))
        setattr_(self, "_greater", tuple(greater))
        setattr_(self, "_less", tuple(less))

    @property
    def empty(self) -> bool:
        """True if the selector doesn't restrict anything (matches every label set)."""
        return not self.requirements

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether `labels` satisfy every requirement.

        `labels` may be a protobuf map field: it is only read with ``get``
        and ``in``, never indexed (indexing a message map inserts the key).
        """
        if not self.requirements:
            return True
        get = labels.get
        for key, value in self._equal:
            if get(key) != value:
                return False
        for key, values in self._in:
            if get(key) not in values:
                return False
        for key, value in self._not_equal:
            if get(key) == value:
                return False
        for key, values in self._not_in:
            if get(key) in values:
                return False
        for key in self._exists:
            if key not in labels:
                return False
        for key in self._absent:
            if key in labels:
                return False
        for key, bound in self._greater:
            number = _label_int(get(key))
            if number is None or number <= bound:
                return False
        for key, bound in self._less:
            number = _label_int(get(key))
            if number is None or number >= bound:
                return False
        return True

    def add(self, *requirements: Requirement) -> Selector:
        """A new selector with `requirements` ANDed in."""
        return Selector(self.requirements + requirements)

    def __str__(self) -> str:
        return ",".join(str(req) for req in self.requirements)


def _label_int(value: str | None) -> int | None:
    return None if value is None else _parse_int64(value)


EVERYTHING: Final = Selector()


def selector_from_set(labels: Mapping[str, str]) -> Selector:
    """A selector requiring exactly these labels (apimachinery's ValidatedSelectorFromSet).

    Raises:
        SelectorError: a key or value is not a valid label key/value.
    """
    return Selector(tuple(Requirement(k, Operator.EQUALS, (v,)) for k, v in labels.items()))


def selector_from_proto(sel: meta_pb2.LabelSelector) -> Selector:
    """Convert a LabelSelector message, as metav1.LabelSelectorAsSelector.

    An empty message selects everything. Proto3 can't tell an unset message
    field from an empty one; a caller for which "unset" means "nothing" must
    check ``HasField`` itself.

    Raises:
        SelectorError: the message fails `validate_label_selector`; the
            message names every problem with its path.
    """
    if problems := validate_label_selector(sel, ""):
        raise SelectorError(_describe(problems))
    requirements = [
        Requirement(key, Operator.EQUALS, (value,)) for key, value in sel.match_labels.items()
    ]
    requirements += [
        Requirement(expr.key, PROTO_OPERATORS[expr.operator], tuple(expr.values))
        for expr in sel.match_expressions
    ]
    return Selector(tuple(requirements))


def validate_label_selector(sel: meta_pb2.LabelSelector, path: str) -> list[FieldViolation]:
    """Validate a LabelSelector message, as metav1validation.ValidateLabelSelector.

    Paths are JSON names under `path`, e.g.
    ``spec.resourceSelectors[0].labelSelector.matchExpressions[1].operator``.
    """
    out = validation.labels(sel.match_labels, join_path(path, "matchLabels"))
    for i, expr in enumerate(sel.match_expressions):
        at = join_path(path, "matchExpressions", i)
        values_path = join_path(at, "values")
        out += validation.one_of(
            expr.operator, list(PROTO_OPERATORS), join_path(at, "operator"), required=True
        )
        if expr.operator in ("In", "NotIn") and not expr.values:
            out.append(
                validation.required_value(
                    values_path, "must be specified when `operator` is 'In' or 'NotIn'"
                )
            )
        elif expr.operator in ("Exists", "DoesNotExist") and expr.values:
            out.append(
                validation.forbidden(
                    values_path,
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
            )
        out += validation.qualified_name(expr.key, join_path(at, "key"))
        for j, value in enumerate(expr.values):
            out += validation.label_value(value, join_path(values_path, j))
    return out


def parse_selector(text: str) -> Selector:
    """Parse the string form of a selector, as apimachinery's labels.Parse.

    Grammar: comma-separated (ANDed) requirements, each one of ``key``,
    ``!key``, ``key=value``, ``key==value``, ``key!=value``,
    ``key in (v1,v2)``, ``key notin (v1,v2)``, ``key>N`` or ``key<N``.
    Spaces, tabs and newlines between tokens are ignored. An empty string
    selects everything.

    Raises:
        SelectorError: with the offending token and its position.
    """
    return Selector(tuple(_Parser(text).parse()))


# The lexer and recursive-descent parser follow apimachinery's selector.go
# token for token, so that the same strings are accepted and rejected.


class _Kind(enum.Enum):
    END = enum.auto()
    CLOSE = enum.auto()
    COMMA = enum.auto()
    NOT = enum.auto()
    DOUBLE_EQUALS = enum.auto()
    EQUALS = enum.auto()
    GREATER = enum.auto()
    IDENTIFIER = enum.auto()
    IN = enum.auto()
    LESS = enum.auto()
    NOT_EQUALS = enum.auto()
    NOT_IN = enum.auto()
    OPEN = enum.auto()


class _Token(NamedTuple):
    kind: _Kind
    text: str
    position: int


_SYMBOLS: Final = {
    ")": _Kind.CLOSE,
    ",": _Kind.COMMA,
    "!": _Kind.NOT,
    "==": _Kind.DOUBLE_EQUALS,
    "=": _Kind.EQUALS,
    ">": _Kind.GREATER,
    "<": _Kind.LESS,
    "!=": _Kind.NOT_EQUALS,
    "(": _Kind.OPEN,
}
_KEYWORDS: Final = {"in": _Kind.IN, "notin": _Kind.NOT_IN}
_BINARY_NAMES: Final = "in, notin, =, ==, !=, gt, lt"
_SPECIAL: Final = frozenset("=!(),><")
_WHITESPACE: Final = frozenset(" \t\r\n")
_BINARY: Final = {
    _Kind.IN: Operator.IN,
    _Kind.NOT_IN: Operator.NOT_IN,
    _Kind.EQUALS: Operator.EQUALS,
    _Kind.DOUBLE_EQUALS: Operator.DOUBLE_EQUALS,
    _Kind.NOT_EQUALS: Operator.NOT_EQUALS,
    _Kind.GREATER: Operator.GREATER_THAN,
    _Kind.LESS: Operator.LESS_THAN,
}


def _tokenize(text: str) -> list[_Token]:
    tokens = []
    end = len(text)
    i = 0
    while True:
        while i < end and text[i] in _WHITESPACE:
            i += 1
        if i == end:
            tokens.append(_Token(_Kind.END, "", end))
            return tokens
        start = i
        if text[i] in _SPECIAL:
            # Every special character is a token alone; "!=" and "==" are the
            # only longer ones, and the longest match wins.
            symbol = text[i : i + 2] if text[i : i + 2] in _SYMBOLS else text[i]
            tokens.append(_Token(_SYMBOLS[symbol], symbol, start))
            i += len(symbol)
            continue
        while i < end and text[i] not in _SPECIAL and text[i] not in _WHITESPACE:
            i += 1
        word = text[start:i]
        tokens.append(_Token(_KEYWORDS.get(word, _Kind.IDENTIFIER), word, start))


def _found(token: _Token, expected: str) -> SelectorError:
    shown = "'end of string'" if token.kind is _Kind.END else f"'{token.text}'"
    return SelectorError(f"found {shown}, expected: {expected}", position=token.position)


class _Parser:
    """apimachinery's Parser: requirements separated by commas, one token of lookahead."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._tokens = _tokenize(text)
        self._at = 0

    def _peek(self) -> _Token:
        return self._as_value(self._tokens[self._at])

    def _next(self, *, as_operator: bool = False) -> _Token:
        token = self._tokens[self._at]
        self._at += 1
        return token if as_operator else self._as_value(token)

    @staticmethod
    def _as_value(token: _Token) -> _Token:
        # Outside the operator position "in" and "notin" are ordinary words.
        if token.kind in (_Kind.IN, _Kind.NOT_IN):
            return token._replace(kind=_Kind.IDENTIFIER)
        return token

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        token = self._peek()
        if token.kind is _Kind.END:
            return requirements
        if token.kind not in (_Kind.IDENTIFIER, _Kind.NOT):
            raise _found(token, "!, identifier, or 'end of string'")
        while True:
            requirements.append(self._requirement())
            token = self._next()
            if token.kind is _Kind.END:
                return requirements
            if token.kind is not _Kind.COMMA:
                raise _found(token, "',' or 'end of string'")
            after = self._peek()
            if after.kind not in (_Kind.IDENTIFIER, _Kind.NOT):
                raise _found(after, "identifier after ','")

    def _requirement(self) -> Requirement:
        start = self._peek().position
        token = self._next()
        negated = token.kind is _Kind.NOT
        if negated:
            token = self._next()
        if token.kind is not _Kind.IDENTIFIER:
            raise _found(token, "identifier")
        key = token.text
        if problems := validation.is_qualified_name(key):
            raise SelectorError(
                f"invalid label key {validation.quote(key)}: {'; '.join(problems)}",
                position=token.position,
            )
        values: list[tuple[str, int]] = []
        if negated:
            operator = Operator.DOES_NOT_EXIST
        elif self._peek().kind in (_Kind.END, _Kind.COMMA):
            operator = Operator.EXISTS
        else:
            token = self._next(as_operator=True)
            if token.kind not in _BINARY:
                raise _found(token, _BINARY_NAMES)
            operator = _BINARY[token.kind]
            values = self._set() if operator in _SET_OPERATORS else self._exact_value()
        return self._build(key, operator, values, start=start)

    def _set(self) -> list[tuple[str, int]]:
        token = self._next()
        if token.kind is not _Kind.OPEN:
            raise _found(token, "'('")
        token = self._peek()
        if token.kind is _Kind.CLOSE:
            self._next()
            return [("", token.position)]
        if token.kind not in (_Kind.IDENTIFIER, _Kind.COMMA):
            raise _found(token, "',', ')' or identifier")
        values = self._identifiers()
        self._next()  # the ')' that _identifiers() stopped at
        return values

    def _identifiers(self) -> list[tuple[str, int]]:
        """A comma-separated list where empty items are empty values: (a,,b), (,)."""
        values: list[tuple[str, int]] = []
        while True:
            token = self._next()
            if token.kind is _Kind.IDENTIFIER:
                values.append((token.text, token.position))
                after = self._peek()
                if after.kind is _Kind.CLOSE:
                    return values
                if after.kind is not _Kind.COMMA:
                    raise _found(after, "',' or ')'")
            elif token.kind is _Kind.COMMA:
                if not values:
                    values.append(("", token.position))
                after = self._peek()
                if after.kind is _Kind.CLOSE:
                    values.append(("", after.position))
                    return values
                if after.kind is _Kind.COMMA:
                    self._next()
                    values.append(("", after.position))
            else:
                raise _found(token, "',', or identifier")

    def _exact_value(self) -> list[tuple[str, int]]:
        token = self._peek()
        if token.kind in (_Kind.END, _Kind.COMMA):
            return [("", token.position)]
        token = self._next()
        if token.kind is not _Kind.IDENTIFIER:
            raise _found(token, "identifier")
        return [(token.text, token.position)]

    def _build(
        self, key: str, operator: Operator, values: list[tuple[str, int]], *, start: int
    ) -> Requirement:
        # Parsed values are a set, kept sorted (apimachinery's sets.String.List()).
        first_position: dict[str, int] = {}
        for value, position in values:
            first_position.setdefault(value, position)
        distinct = sorted(first_position)
        for value in distinct:
            if problems := validation.is_label_value(value):
                raise SelectorError(
                    f"invalid label value {validation.quote(value)} for key "
                    f"{validation.quote(key)}: {'; '.join(problems)}",
                    position=first_position[value],
                )
        try:
            return Requirement(key, operator, tuple(distinct))
        except SelectorError as err:
            consumed = self._tokens[self._at - 1]
            source = self._text[start : consumed.position + len(consumed.text)]
            raise SelectorError(
                f"invalid requirement {validation.quote(source)}: {err.message}", position=start
            ) from None
