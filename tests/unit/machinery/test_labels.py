"""Tests for label selectors, against k8s.io/apimachinery/pkg/labels behaviour."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pytest

from karmada.machinery.labels import (
    EVERYTHING,
    Operator,
    Requirement,
    Selector,
    SelectorError,
    parse_selector,
    selector_from_proto,
    selector_from_set,
    validate_label_selector,
)
from karmada.machinery.validation import FieldViolation
from karmada.meta.v1 import meta_pb2

NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
BINARY = "in, notin, =, ==, !=, gt, lt"


def expr(key: str, operator: str, *values: str) -> meta_pb2.LabelSelectorRequirement:
    return meta_pb2.LabelSelectorRequirement(key=key, operator=operator, values=values)


@pytest.mark.parametrize(
    ("text", "key", "operator", "values"),
    [
        ("a=b", "a", Operator.EQUALS, ("b",)),
        ("a==b", "a", Operator.DOUBLE_EQUALS, ("b",)),
        ("a!=b", "a", Operator.NOT_EQUALS, ("b",)),
        ("a in (y,x)", "a", Operator.IN, ("x", "y")),
        ("a notin (x)", "a", Operator.NOT_IN, ("x",)),
        ("a", "a", Operator.EXISTS, ()),
        ("!a", "a", Operator.DOES_NOT_EXIST, ()),
        ("a>1", "a", Operator.GREATER_THAN, ("1",)),
        ("a<10", "a", Operator.LESS_THAN, ("10",)),
        ("karmada.io/cluster=member-1", "karmada.io/cluster", Operator.EQUALS, ("member-1",)),
        # Odd but valid in apimachinery: empty values.
        ("a=", "a", Operator.EQUALS, ("",)),
        ("a!=", "a", Operator.NOT_EQUALS, ("",)),
        ("a in ()", "a", Operator.IN, ("",)),
        ("a notin (,)", "a", Operator.NOT_IN, ("",)),
        ("a in (b,,c)", "a", Operator.IN, ("", "b", "c")),
        ("a in (x,x,x)", "a", Operator.IN, ("x",)),
        # "in" and "notin" are keywords only where an operator is expected.
        ("in in (in,notin)", "in", Operator.IN, ("in", "notin")),
        ("notin=in", "notin", Operator.EQUALS, ("in",)),
        ("!in", "in", Operator.DOES_NOT_EXIST, ()),
    ],
)
def test_parse_each_operator(
    text: str, key: str, operator: Operator, values: tuple[str, ...]
) -> None:
    assert parse_selector(text).requirements == (Requirement(key, operator, values),)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("", ""),
        ("   ", ""),
        ("a", "a"),
        ("  a = b ,\tc\n", "a=b,c"),
        ("b=2,a=1,c=3", "a=1,b=2,c=3"),
        ("z notin (c,b,a),y in (b,a),!x,w", "w,!x,y in (a,b),z notin (a,b,c)"),
        ("a==b,a!=c", "a==b,a!=c"),
        ("x>1,y<5", "x>1,y<5"),
        ("a in ( x )", "a in (x)"),
        ("a in (,)", "a in ()"),
        ("a in (c,,b)", "a in (,b,c)"),
        ("a=", "a="),
        ("!a,a", "!a,a"),
    ],
)
def test_canonical_string(text: str, canonical: str) -> None:
    selector = parse_selector(text)
    assert str(selector) == canonical
    assert parse_selector(canonical) == selector


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (",", "found ',', expected: !, identifier, or 'end of string' (at position 0)"),
        ("=b", "found '=', expected: !, identifier, or 'end of string' (at position 0)"),
        ("a,", "found 'end of string', expected: identifier after ',' (at position 2)"),
        ("a,,b", "found ',', expected: identifier after ',' (at position 2)"),
        ("a b", f"found 'b', expected: {BINARY} (at position 2)"),
        ("a gt 1", f"found 'gt', expected: {BINARY} (at position 2)"),
        ("a=b c", "found 'c', expected: ',' or 'end of string' (at position 4)"),
        ("a==b==c", "found '==', expected: ',' or 'end of string' (at position 4)"),
        ("!a=b", "found '=', expected: ',' or 'end of string' (at position 2)"),
        ("!", "found 'end of string', expected: identifier (at position 1)"),
        ("!!a", "found '!', expected: identifier (at position 1)"),
        ("a=(b)", "found '(', expected: identifier (at position 2)"),
        ("a in x", "found 'x', expected: '(' (at position 5)"),
        ("a in", "found 'end of string', expected: '(' (at position 4)"),
        ("a in (", "found 'end of string', expected: ',', ')' or identifier (at position 6)"),
        ("a in (=)", "found '=', expected: ',', ')' or identifier (at position 6)"),
        ("a in (b c)", "found 'c', expected: ',' or ')' (at position 8)"),
        ("a in (b", "found 'end of string', expected: ',' or ')' (at position 7)"),
        ("a in (b,", "found 'end of string', expected: ',', or identifier (at position 8)"),
        ("a in (b,=)", "found '=', expected: ',', or identifier (at position 8)"),
        ("a in (b)c", "found 'c', expected: ',' or 'end of string' (at position 8)"),
        (
            "a$b=c",
            f'invalid label key "a$b": {NAME_PART_MSG} (at position 0)',
        ),
        (
            "x=1,!-a",
            f'invalid label key "-a": {NAME_PART_MSG} (at position 5)',
        ),
        (
            "/a",
            'invalid label key "/a": prefix part must be non-empty (at position 0)',
        ),
        (
            "a=b$",
            f'invalid label value "b$" for key "a": {LABEL_VALUE_MSG} (at position 2)',
        ),
        (
            "a in (ok, -bad)",
            f'invalid label value "-bad" for key "a": {LABEL_VALUE_MSG} (at position 10)',
        ),
        (
            "a=" + "v" * 64,
            f'invalid label value "{"v" * 64}" for key "a": '
            "must be no more than 63 characters (at position 2)",
        ),
        (
            "x>-1",
            f'invalid label value "-1" for key "x": {LABEL_VALUE_MSG} (at position 2)',
        ),
        (
            "y=1, x > one",
            'invalid requirement "x > one": values[0]: Invalid value: "one": '
            "for 'Gt', 'Lt' operators, the value must be an integer (at position 5)",
        ),
        (
            "x<",
            'invalid requirement "x<": values[0]: Invalid value: "": '
            "for 'Gt', 'Lt' operators, the value must be an integer (at position 0)",
        ),
        (
            "x>99999999999999999999",
            'invalid requirement "x>99999999999999999999": values[0]: Invalid value: '
            "\"99999999999999999999\": for 'Gt', 'Lt' operators, the value must be an integer "
            "(at position 0)",
        ),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        parse_selector(text)
    assert str(caught.value) == message
    assert caught.value.position is not None


LABELS = {"app": "web", "env": "prod", "replicas": "3", "empty": ""}


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ("", {}, True),
        ("", LABELS, True),
        ("app=web", LABELS, True),
        ("app==web", LABELS, True),
        ("app=db", LABELS, False),
        ("missing=web", LABELS, False),
        ("empty=", LABELS, True),
        ("missing=", LABELS, False),
        ("app!=db", LABELS, True),
        ("app!=web", LABELS, False),
        ("missing!=web", LABELS, True),
        ("app in (web,db)", LABELS, True),
        ("app in (db,cache)", LABELS, False),
        ("missing in (web,db)", LABELS, False),
        ("empty in ()", LABELS, True),
        ("app notin (db,cache)", LABELS, True),
        ("app notin (web,db)", LABELS, False),
        ("missing notin (web,db)", LABELS, True),
        ("app notin (web)", LABELS, False),
        ("app", LABELS, True),
        ("empty", LABELS, True),
        ("missing", LABELS, False),
        ("!missing", LABELS, True),
        ("!app", LABELS, False),
        ("!empty", LABELS, False),
        ("replicas>2", LABELS, True),
        ("replicas>3", LABELS, False),
        ("replicas<4", LABELS, True),
        ("replicas<3", LABELS, False),
        ("missing>0", LABELS, False),
        ("missing<0", LABELS, False),
        ("app>0", LABELS, False),
        ("app<0", LABELS, False),
        ("n<0", {"n": "-5"}, True),
        ("n>0", {"n": "+5"}, True),
        ("n>0", {"n": " 5"}, False),
        ("n>0", {"n": "1_0"}, False),
        ("n>0", {"n": "99999999999999999999"}, False),
        ("app=web,env=prod,!legacy,replicas>1", LABELS, True),
        ("app=web,env=dev", LABELS, False),
        ("app in (web),env notin (prod)", LABELS, False),
    ],
)
def test_matches(text: str, labels: Mapping[str, str], expected: bool) -> None:
    selector = parse_selector(text)
    assert selector.matches(labels) is expected
    assert all(req.matches(labels) for req in selector.requirements) is expected
    proto_map = meta_pb2.ObjectMeta(labels=labels).labels
    assert selector.matches(proto_map) is expected
    assert dict(proto_map) == labels  # matching must not insert keys into a message map


def test_everything() -> None:
    assert EVERYTHING.empty
    assert str(EVERYTHING) == ""
    assert EVERYTHING.requirements == ()
    assert EVERYTHING.matches({})
    assert EVERYTHING.matches(LABELS)
    assert parse_selector("") == EVERYTHING
    assert not parse_selector("a").empty


def test_selector_is_immutable_and_compares_by_requirements() -> None:
    selector = parse_selector("b,a=1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        selector.requirements = ()  # type: ignore[misc]
    assert selector == parse_selector("a=1 , b")
    assert hash(selector) == hash(parse_selector("a=1 , b"))
    assert selector != parse_selector("a=1")


def test_add_keeps_requirements_sorted() -> None:
    selector = parse_selector("b=2").add(
        Requirement("c", Operator.EXISTS), Requirement("a", Operator.IN, ("x", "y"))
    )
    assert str(selector) == "a in (x,y),b=2,c"
    assert selector.matches({"a": "y", "b": "2", "c": ""})
    assert not selector.matches({"a": "z", "b": "2", "c": ""})


def test_selector_built_from_unsorted_requirements_is_sorted() -> None:
    selector = Selector((Requirement("z", Operator.EXISTS), Requirement("a", Operator.EXISTS)))
    assert [req.key for req in selector.requirements] == ["a", "z"]


@pytest.mark.parametrize(
    ("key", "operator", "values", "message"),
    [
        (
            "a",
            Operator.IN,
            (),
            "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
        ),
        (
            "a",
            Operator.NOT_IN,
            (),
            "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
        ),
        (
            "a",
            Operator.EQUALS,
            ("x", "y"),
            'values: Invalid value: ["x", "y"]: exact-match compatibility requires one single '
            "value",
        ),
        (
            "a",
            Operator.NOT_EQUALS,
            (),
            "values: Invalid value: []: exact-match compatibility requires one single value",
        ),
        (
            "a",
            Operator.EXISTS,
            ("x",),
            'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
        ),
        (
            "a",
            Operator.GREATER_THAN,
            ("1", "2"),
            "values: Invalid value: [\"1\", \"2\"]: for 'Gt', 'Lt' operators, exactly one value "
            "is required",
        ),
        (
            "a",
            Operator.LESS_THAN,
            ("x",),
            "values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an "
            "integer",
        ),
        ("a b", Operator.EXISTS, (), f'key: Invalid value: "a b": {NAME_PART_MSG}'),
        ("a", Operator.IN, ("-x",), f'values[0]: Invalid value: "-x": {LABEL_VALUE_MSG}'),
    ],
)
def test_requirement_validation(
    key: str, operator: Operator, values: tuple[str, ...], message: str
) -> None:
    with pytest.raises(SelectorError) as caught:
        Requirement(key, operator, values)
    assert str(caught.value) == message
    assert caught.value.position is None


def test_requirement_rejects_unknown_operator() -> None:
    with pytest.raises(SelectorError) as caught:
        Requirement("a", "~=")  # type: ignore[arg-type]
    assert str(caught.value) == (
        'operator: Unsupported value: "~=": supported values: '
        '"in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"'
    )


def test_requirement_accepts_operator_spelling() -> None:
    requirement = Requirement("a", "notin", ("x",))  # type: ignore[arg-type]
    assert requirement.operator is Operator.NOT_IN
    assert str(requirement) == "a notin (x)"


def test_selector_from_set() -> None:
    selector = selector_from_set({"b": "2", "a": "1"})
    assert str(selector) == "a=1,b=2"
    assert selector.matches({"a": "1", "b": "2", "c": "3"})
    assert not selector.matches({"a": "1"})
    assert selector_from_set({}) == EVERYTHING
    with pytest.raises(SelectorError):
        selector_from_set({"a": "not valid"})


@pytest.mark.parametrize(
    ("proto", "canonical"),
    [
        (meta_pb2.LabelSelector(), ""),
        (meta_pb2.LabelSelector(match_labels={"b": "2", "a": "1"}), "a=1,b=2"),
        (meta_pb2.LabelSelector(match_expressions=[expr("a", "In", "y", "x")]), "a in (x,y)"),
        (meta_pb2.LabelSelector(match_expressions=[expr("a", "NotIn", "x")]), "a notin (x)"),
        (meta_pb2.LabelSelector(match_expressions=[expr("a", "Exists")]), "a"),
        (meta_pb2.LabelSelector(match_expressions=[expr("a", "DoesNotExist")]), "!a"),
        (
            meta_pb2.LabelSelector(
                match_labels={"tier": "fe"},
                match_expressions=[expr("env", "In", "prod"), expr("app", "Exists")],
            ),
            "app,env in (prod),tier=fe",
        ),
    ],
)
def test_selector_from_proto(proto: meta_pb2.LabelSelector, canonical: str) -> None:
    assert str(selector_from_proto(proto)) == canonical


def test_empty_proto_selector_matches_everything() -> None:
    selector = selector_from_proto(meta_pb2.LabelSelector())
    assert selector.empty
    assert selector == EVERYTHING
    assert selector.matches({})
    assert selector.matches(LABELS)


@pytest.mark.parametrize(
    ("proto", "labels", "expected"),
    [
        (meta_pb2.LabelSelector(match_labels={"app": "web"}), LABELS, True),
        (meta_pb2.LabelSelector(match_labels={"app": "db"}), LABELS, False),
        (meta_pb2.LabelSelector(match_expressions=[expr("app", "In", "db", "web")]), LABELS, True),
        (meta_pb2.LabelSelector(match_expressions=[expr("x", "NotIn", "web")]), LABELS, True),
        (meta_pb2.LabelSelector(match_expressions=[expr("app", "NotIn", "web")]), LABELS, False),
        (meta_pb2.LabelSelector(match_expressions=[expr("x", "Exists")]), LABELS, False),
        (meta_pb2.LabelSelector(match_expressions=[expr("x", "DoesNotExist")]), LABELS, True),
    ],
)
def test_proto_selector_matches(
    proto: meta_pb2.LabelSelector, labels: Mapping[str, str], expected: bool
) -> None:
    assert selector_from_proto(proto).matches(labels) is expected


@pytest.mark.parametrize(
    ("proto", "message"),
    [
        (
            meta_pb2.LabelSelector(match_expressions=[expr("a", "Gt", "1")]),
            'matchExpressions[0].operator: Unsupported value: "Gt": supported values: '
            '"In", "NotIn", "Exists", "DoesNotExist"',
        ),
        (
            meta_pb2.LabelSelector(match_expressions=[expr("a", "In")]),
            "matchExpressions[0].values: Required value: must be specified when `operator` is "
            "'In' or 'NotIn'",
        ),
        (
            meta_pb2.LabelSelector(match_labels={"ok": "1"}, match_expressions=[expr("a", "")]),
            "matchExpressions[0].operator: Required value",
        ),
        (
            meta_pb2.LabelSelector(match_labels={"app": "-web"}),
            f'matchLabels[app]: Invalid value: "-web": {LABEL_VALUE_MSG}',
        ),
    ],
)
def test_selector_from_proto_errors(proto: meta_pb2.LabelSelector, message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        selector_from_proto(proto)
    assert str(caught.value) == message


PATH = "spec.resourceSelectors[0].labelSelector"


@pytest.mark.parametrize(
    ("proto", "expected"),
    [
        (meta_pb2.LabelSelector(), []),
        (
            meta_pb2.LabelSelector(
                match_labels={"app": "web"},
                match_expressions=[
                    expr("a", "In", "x"),
                    expr("b", "NotIn", "x", "y"),
                    expr("c", "Exists"),
                    expr("d", "DoesNotExist"),
                ],
            ),
            [],
        ),
        (
            meta_pb2.LabelSelector(match_expressions=[expr("a", "Exists"), expr("b", "in", "x")]),
            [
                FieldViolation(
                    f"{PATH}.matchExpressions[1].operator",
                    'Unsupported value: "in": supported values: '
                    '"In", "NotIn", "Exists", "DoesNotExist"',
                )
            ],
        ),
        (
            meta_pb2.LabelSelector(match_expressions=[expr("a", "NotIn")]),
            [
                FieldViolation(
                    f"{PATH}.matchExpressions[0].values",
                    "Required value: must be specified when `operator` is 'In' or 'NotIn'",
                )
            ],
        ),
        (
            meta_pb2.LabelSelector(match_expressions=[expr("a", "DoesNotExist", "x")]),
            [
                FieldViolation(
                    f"{PATH}.matchExpressions[0].values",
                    "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
            ],
        ),
        (
            meta_pb2.LabelSelector(match_expressions=[expr("", "Exists")]),
            [
                FieldViolation(
                    f"{PATH}.matchExpressions[0].key",
                    'Invalid value: "": name part must be non-empty',
                ),
                FieldViolation(
                    f"{PATH}.matchExpressions[0].key", f'Invalid value: "": {NAME_PART_MSG}'
                ),
            ],
        ),
        (
            meta_pb2.LabelSelector(match_expressions=[expr("a", "In", "ok", "not ok")]),
            [
                FieldViolation(
                    f"{PATH}.matchExpressions[0].values[1]",
                    f'Invalid value: "not ok": {LABEL_VALUE_MSG}',
                )
            ],
        ),
        (
            meta_pb2.LabelSelector(match_labels={"bad key": "v"}),
            [FieldViolation(f"{PATH}.matchLabels", f'Invalid value: "bad key": {NAME_PART_MSG}')],
        ),
    ],
)
def test_validate_label_selector(
    proto: meta_pb2.LabelSelector, expected: list[FieldViolation]
) -> None:
    assert validate_label_selector(proto, PATH) == expected
