"""Tests for the shared field validators (apimachinery's rules and wording)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sized

import pytest

from karmada.machinery import validation as v
from karmada.machinery.validation import FieldViolation

DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
QUALIFIED_NAME_MSG = (
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
    "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an "
    "optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def invalid(path: str, value: str, detail: str) -> FieldViolation:
    return FieldViolation(path, f'Invalid value: "{value}": {detail}')


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("metadata", "labels"), "metadata.labels"),
        (
            ("spec", "placement", "clusterAffinity", "clusterNames", 0),
            "spec.placement.clusterAffinity.clusterNames[0]",
        ),
        (("", "matchLabels"), "matchLabels"),
        (("spec.resourceSelectors", 2, "labelSelector"), "spec.resourceSelectors[2].labelSelector"),
        (("a", 0, 1), "a[0][1]"),
        ((), ""),
    ],
)
def test_join_path(parts: tuple[str | int, ...], expected: str) -> None:
    assert v.join_path(*parts) == expected


def test_field_violation_is_frozen_and_prints_like_kubernetes() -> None:
    violation = FieldViolation("metadata.name", "Required value")
    assert str(violation) == "metadata.name: Required value"
    with pytest.raises(dataclasses.FrozenInstanceError):
        violation.field = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "max_len", "expected"),
    [
        ("a", 63, []),
        ("my-name", 63, []),
        ("123-abc", 63, []),
        ("a" * 63, 63, []),
        ("", 63, [DNS1123_LABEL_MSG]),
        ("My-Name", 63, [DNS1123_LABEL_MSG]),
        ("-a", 63, [DNS1123_LABEL_MSG]),
        ("a-", 63, [DNS1123_LABEL_MSG]),
        ("a_b", 63, [DNS1123_LABEL_MSG]),
        ("a.b", 63, ["must not contain dots"]),
        ("a" * 64, 63, ["must be no more than 63 characters"]),
        ("a" * 49, 48, ["must be no more than 48 characters"]),
        ("a" * 48, 48, []),
    ],
)
def test_dns1123_label(value: str, max_len: int, expected: list[str]) -> None:
    assert v.dns1123_label(value, "metadata.name", max_len=max_len) == [
        invalid("metadata.name", value, message) for message in expected
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.com", []),
        ("a", []),
        ("a-b.c-d.e", []),
        ("0.0", []),
        ("Example.com", [DNS1123_SUBDOMAIN_MSG]),
        ("a..b", [DNS1123_SUBDOMAIN_MSG]),
        (".a", [DNS1123_SUBDOMAIN_MSG]),
        ("a.", [DNS1123_SUBDOMAIN_MSG]),
        ("a_b", [DNS1123_SUBDOMAIN_MSG]),
        ("", [DNS1123_SUBDOMAIN_MSG]),
        ("a" * 253, []),
        ("a" * 254, ["must be no more than 253 characters"]),
    ],
)
def test_dns1123_subdomain(value: str, expected: list[str]) -> None:
    assert v.dns1123_subdomain(value, "metadata.name") == [
        invalid("metadata.name", value, message) for message in expected
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("my-name", []),
        ("abc-123", []),
        ("a" * 63, []),
        ("1abc", [DNS1035_LABEL_MSG]),
        ("a.b", [DNS1035_LABEL_MSG]),
        ("a-", [DNS1035_LABEL_MSG]),
        ("a" * 64, ["must be no more than 63 characters"]),
    ],
)
def test_dns1035_label(value: str, expected: list[str]) -> None:
    assert v.dns1035_label(value, "metadata.name") == [
        invalid("metadata.name", value, message) for message in expected
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a", []),
        ("MyName", []),
        ("my.name", []),
        ("123-abc", []),
        ("a_b", []),
        ("example.com/MyName", []),
        ("karmada.io/managed-by", []),
        ("a" * 63, []),
        ("x/" + "a" * 63, []),
        ("", ["name part must be non-empty", NAME_PART_MSG]),
        ("-a", [NAME_PART_MSG]),
        ("a b", [NAME_PART_MSG]),
        ("a" * 64, ["name part must be no more than 63 characters"]),
        ("/a", ["prefix part must be non-empty"]),
        ("a/", ["name part must be non-empty", NAME_PART_MSG]),
        ("Example.com/a", [f"prefix part {DNS1123_SUBDOMAIN_MSG}"]),
        ("a/b/c", [QUALIFIED_NAME_MSG]),
    ],
)
def test_qualified_name(value: str, expected: list[str]) -> None:
    assert v.qualified_name(value, "metadata.finalizers[0]") == [
        invalid("metadata.finalizers[0]", value, message) for message in expected
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        ("MyValue", []),
        ("my_value", []),
        ("12345", []),
        ("a.b-c_d", []),
        ("a" * 63, []),
        ("-a", [LABEL_VALUE_MSG]),
        ("a ", [LABEL_VALUE_MSG]),
        ("a/b", [LABEL_VALUE_MSG]),
        ("é", [LABEL_VALUE_MSG]),
        ("a" * 64, ["must be no more than 63 characters"]),
    ],
)
def test_label_value(value: str, expected: list[str]) -> None:
    assert v.label_value(value, "spec.zones[1]") == [
        invalid("spec.zones[1]", value, message) for message in expected
    ]


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ({}, []),
        ({"app": "web", "karmada.io/cluster": "member-1", "empty": ""}, []),
        ({"a$": "x"}, [invalid("metadata.labels", "a$", NAME_PART_MSG)]),
        ({"app": "bad value"}, [invalid("metadata.labels[app]", "bad value", LABEL_VALUE_MSG)]),
        (
            {"-k": "-v"},
            [
                invalid("metadata.labels", "-k", NAME_PART_MSG),
                invalid("metadata.labels[-k]", "-v", LABEL_VALUE_MSG),
            ],
        ),
    ],
)
def test_labels(mapping: Mapping[str, str], expected: list[FieldViolation]) -> None:
    assert v.labels(mapping, "metadata.labels") == expected


TOO_LONG = FieldViolation("metadata.annotations", "Too long: may not be more than 262144 bytes")


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ({}, []),
        ({"note": "any text at all, even -- spaces & ünïcode"}, []),
        ({"Example.COM/Key": ""}, []),
        ({"a b": "x"}, [invalid("metadata.annotations", "a b", NAME_PART_MSG)]),
        ({"a": "x" * (256 * 1024 - 1)}, []),
        ({"a": "x" * (256 * 1024)}, [TOO_LONG]),
        ({"a": "é" * (128 * 1024)}, [TOO_LONG]),
    ],
)
def test_annotations(mapping: Mapping[str, str], expected: list[FieldViolation]) -> None:
    assert v.annotations(mapping, "metadata.annotations") == expected


@pytest.mark.parametrize(
    ("value", "required", "expected"),
    [
        ("Push", True, []),
        ("Pull", False, []),
        ("", False, []),
        ("", True, [FieldViolation("spec.syncMode", "Required value")]),
        (
            "Foo",
            True,
            [
                FieldViolation(
                    "spec.syncMode", 'Unsupported value: "Foo": supported values: "Push", "Pull"'
                )
            ],
        ),
        (
            "push",
            False,
            [
                FieldViolation(
                    "spec.syncMode", 'Unsupported value: "push": supported values: "Push", "Pull"'
                )
            ],
        ),
    ],
)
def test_one_of(value: str, required: bool, expected: list[FieldViolation]) -> None:
    assert v.one_of(value, ["Push", "Pull"], "spec.syncMode", required=required) == expected


@pytest.mark.parametrize(
    ("value", "ok"),
    [("x", True), (["a"], True), ({"k": "v"}, True), ("", False), ([], False), (None, False)],
)
def test_required(value: Sized | None, ok: bool) -> None:
    expected = [] if ok else [FieldViolation("spec.clusterNames", "Required value")]
    assert v.required(value, "spec.clusterNames") == expected


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: v.invalid("a", "x", "bad"), 'Invalid value: "x": bad'),
        (lambda: v.invalid("a", 3, "must be >= 5"), "Invalid value: 3: must be >= 5"),
        (lambda: v.invalid("a", ["x", "y"], "bad"), 'Invalid value: ["x", "y"]: bad'),
        (lambda: v.invalid("a", 'say "hi"', "bad"), 'Invalid value: "say \\"hi\\"": bad'),
        (lambda: v.required_value("a"), "Required value"),
        (lambda: v.required_value("a", "name is required"), "Required value: name is required"),
        (lambda: v.forbidden("a", "may not be set"), "Forbidden: may not be set"),
        (lambda: v.not_supported("a", "x", []), 'Unsupported value: "x"'),
        (lambda: v.too_long("a", 1), "Too long: may not be more than 1 byte"),
    ],
)
def test_message_constructors(make: Callable[[], FieldViolation], expected: str) -> None:
    violation = make()
    assert violation.field == "a"
    assert violation.description == expected


def test_quote_truncates_huge_values() -> None:
    assert v.quote("a" * 300) == '"' + "a" * 256 + '"...'
    assert v.quote("a" * 256) == '"' + "a" * 256 + '"'
