"""Quantity parsing and canonical printing, against k8s.io/apimachinery/pkg/api/resource."""

from __future__ import annotations

from fractions import Fraction

import pytest

from karmada.member.quantity import (
    Format,
    Quantity,
    QuantityError,
    format_quantity,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("text", "value", "fmt", "canonical"),
    [
        ("0", Fraction(0), Format.DECIMAL_SI, "0"),
        ("0m", Fraction(0), Format.DECIMAL_SI, "0"),
        ("-0", Fraction(0), Format.DECIMAL_SI, "0"),
        ("0Gi", Fraction(0), Format.BINARY_SI, "0"),
        ("2", Fraction(2), Format.DECIMAL_SI, "2"),
        ("+2", Fraction(2), Format.DECIMAL_SI, "2"),
        ("100m", Fraction(1, 10), Format.DECIMAL_SI, "100m"),
        ("1000m", Fraction(1), Format.DECIMAL_SI, "1"),
        ("1500m", Fraction(3, 2), Format.DECIMAL_SI, "1500m"),
        ("1.5", Fraction(3, 2), Format.DECIMAL_SI, "1500m"),
        ("0.1", Fraction(1, 10), Format.DECIMAL_SI, "100m"),
        ("0.001", Fraction(1, 1000), Format.DECIMAL_SI, "1m"),
        ("0.0001", Fraction(1, 10000), Format.DECIMAL_SI, "100u"),
        (".5", Fraction(1, 2), Format.DECIMAL_SI, "500m"),
        ("5.", Fraction(5), Format.DECIMAL_SI, "5"),
        ("-100m", Fraction(-1, 10), Format.DECIMAL_SI, "-100m"),
        ("12n", Fraction(12, 10**9), Format.DECIMAL_SI, "12n"),
        ("1000u", Fraction(1, 1000), Format.DECIMAL_SI, "1m"),
        ("1k", Fraction(1000), Format.DECIMAL_SI, "1k"),
        ("1000", Fraction(1000), Format.DECIMAL_SI, "1k"),
        ("1024", Fraction(1024), Format.DECIMAL_SI, "1024"),
        ("1500000", Fraction(1500000), Format.DECIMAL_SI, "1500k"),
        ("1M", Fraction(10**6), Format.DECIMAL_SI, "1M"),
        ("1G", Fraction(10**9), Format.DECIMAL_SI, "1G"),
        ("1E", Fraction(10**18), Format.DECIMAL_SI, "1E"),
        ("1.5E", Fraction(15 * 10**17), Format.DECIMAL_SI, "1500P"),
        ("1Ki", Fraction(1024), Format.BINARY_SI, "1Ki"),
        ("1Gi", Fraction(2**30), Format.BINARY_SI, "1Gi"),
        ("1024Mi", Fraction(2**30), Format.BINARY_SI, "1Gi"),
        ("1.5Gi", Fraction(3 * 2**29), Format.BINARY_SI, "1536Mi"),
        ("1536Mi", Fraction(1536 * 2**20), Format.BINARY_SI, "1536Mi"),
        ("1.5Ki", Fraction(1536), Format.BINARY_SI, "1536"),
        ("0.5Ki", Fraction(512), Format.BINARY_SI, "512"),
        ("1.1Ki", Fraction(56320, 50), Format.BINARY_SI, "1126400m"),
        ("1000Ki", Fraction(1024000), Format.BINARY_SI, "1000Ki"),
        ("1Ei", Fraction(2**60), Format.BINARY_SI, "1Ei"),
        ("2048Ei", Fraction(2**71), Format.BINARY_SI, "2048Ei"),
        ("1e3", Fraction(1000), Format.DECIMAL_EXPONENT, "1e3"),
        ("1E3", Fraction(1000), Format.DECIMAL_EXPONENT, "1e3"),
        ("1.5e3", Fraction(1500), Format.DECIMAL_EXPONENT, "1500"),
        ("1e-3", Fraction(1, 1000), Format.DECIMAL_EXPONENT, "1e-3"),
        ("5e+6", Fraction(5 * 10**6), Format.DECIMAL_EXPONENT, "5e6"),
    ],
)
def test_parse_and_canonical(text: str, value: Fraction, fmt: Format, canonical: str) -> None:
    quantity = Quantity.parse(text)
    assert quantity.value == value
    assert quantity.format is fmt
    assert str(quantity) == canonical
    # The canonical form parses back to the same value and prints the same.
    assert Quantity.parse(canonical).value == value
    assert Quantity(Quantity.parse(canonical).value, fmt).canonical() == canonical


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0.5n", "1n"),  # finer than nano rounds up
        ("1.0000000001", "1000000001n"),
        ("-0.5n", "-1n"),  # away from zero
    ],
)
def test_rounds_up_below_nano(text: str, canonical: str) -> None:
    assert str(Quantity.parse(text)) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "1 ",
        " 1",
        "abc",
        "1.2.3",
        "1Kb",
        "1 Gi",
        "Gi",
        "e3",
        "1e",
        "1e+",
        "--1",
        "1i",
        ".",
        "+",
        "1KI",
        "1gi",
        "0x10",
        "1_000",
        "1e3.5",
        "1" * 200,
    ],
)
def test_invalid(text: str) -> None:
    with pytest.raises(QuantityError):
        Quantity.parse(text)


def test_rejects_non_strings() -> None:
    with pytest.raises(QuantityError):
        Quantity.parse(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (Fraction(3, 2), Format.DECIMAL_SI, "1500m"),
        (4, Format.DECIMAL_SI, "4"),
        (2**30, Format.BINARY_SI, "1Gi"),
        (1500000000, Format.BINARY_SI, "1500000000"),
        (1000, Format.BINARY_SI, "1k"),  # below 1024 prints as DecimalSI
        (0, Format.BINARY_SI, "0"),
        (Fraction(1, 3), Format.DECIMAL_SI, "333333334n"),
        (10**21, Format.DECIMAL_SI, "1e21"),  # beyond E: exponent form
        (10**24, Format.DECIMAL_SI, "1e24"),
    ],
)
def test_format_quantity(value: Fraction | int, fmt: Format, text: str) -> None:
    assert format_quantity(value, fmt) == text


def test_arithmetic_is_exact_and_keeps_the_left_format() -> None:
    total = Quantity.parse("100m") + Quantity.parse("1.9")
    assert str(total) == "2"
    memory = Quantity.parse("1Gi") + Quantity.parse("512Mi")
    assert str(memory) == "1536Mi"
    assert str(Quantity.parse("1Gi") - Quantity.parse("1Gi")) == "0"
    assert parse_quantity("0.1") + parse_quantity("0.2") == parse_quantity("300m")


@pytest.mark.parametrize(
    ("text", "milli", "whole"),
    [("100m", 100, 1), ("0.1m", 1, 1), ("2", 2000, 2), ("1.5", 1500, 2), ("-1.5", -1500, -1)],
)
def test_milli_and_int_values_round_up(text: str, milli: int, whole: int) -> None:
    quantity = Quantity.parse(text)
    assert quantity.milli_value() == milli
    assert quantity.int_value() == whole
