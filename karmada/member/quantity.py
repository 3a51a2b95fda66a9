"""Kubernetes resource quantities ("100m", "1Gi", "1.5", "2e3"), exactly.

Cluster resource summaries add up node allocatable and pod requests, and the
scheduler subtracts them; floats would drift ("0.1" + "0.2"), so values are
`fractions.Fraction` and the arithmetic is exact. Parsing and printing
follow k8s.io/apimachinery/pkg/api/resource:

* the grammar ``<sign><number><suffix>``, where the suffix is binary
  (Ki..Ei), decimal (n, u, m, "", k, M, G, T, P, E) or an exponent
  (``e3``, ``E-2``); the suffix decides the format kept for printing;
* precision finer than 1n is rounded up (away from zero), as Kubernetes does;
* the canonical string: zero is "0"; BinarySI prints the largest exact
  power-of-1024 suffix, falling back to DecimalSI below 1024 or for
  fractions; decimal formats print an integer mantissa with an exponent that
  is a multiple of three ("1500m", "1500k", "1M").
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Final


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity."""


class Format(enum.Enum):
    """How a quantity prints; taken from the suffix it was parsed with."""

    DECIMAL_SI = "DecimalSI"
    BINARY_SI = "BinarySI"
    DECIMAL_EXPONENT = "DecimalExponent"


_DECIMAL_SUFFIXES: Final = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_DECIMAL_BY_EXPONENT: Final = {e: s for s, e in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIXES: Final = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_BINARY_BY_POWER: Final = {p: s for s, p in _BINARY_SUFFIXES.items()} | {0: ""}
_NUMBER: Final = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)(.*)", re.ASCII)
_EXPONENT: Final = re.compile(r"[eE]([+-]?\d{1,4})", re.ASCII)
_NANO: Final = 10**9
_MAX_LENGTH: Final = 128


def _round_up_to_nano(value: Fraction) -> Fraction:
    scaled = value * _NANO
    if scaled.denominator == 1:
        return value
    magnitude = math.ceil(abs(scaled))
    return Fraction(magnitude if value > 0 else -magnitude, _NANO)


@dataclass(frozen=True, slots=True)
class Quantity:
    """An exact quantity and the format it prints in."""

    value: Fraction
    format: Format = Format.DECIMAL_SI

    @classmethod
    def parse(cls, text: str) -> Quantity:
        """Parses a quantity string; raises `QuantityError` if it is malformed."""
        if not isinstance(text, str):
            raise QuantityError(f"quantity must be a string, not {type(text).__name__}")
        if not text or len(text) > _MAX_LENGTH:
            raise QuantityError(f"invalid quantity {text!r}")
        match = _NUMBER.fullmatch(text)
        if match is None:
            raise QuantityError(f"invalid quantity {text!r}")
        sign, number, suffix = match.groups()
        value = Fraction(number)
        fmt: Format
        if suffix in _DECIMAL_SUFFIXES:
            value *= Fraction(10) ** _DECIMAL_SUFFIXES[suffix]
            fmt = Format.DECIMAL_SI
        elif suffix in _BINARY_SUFFIXES:
            value *= 1024 ** _BINARY_SUFFIXES[suffix]
            fmt = Format.BINARY_SI
        elif (exponent := _EXPONENT.fullmatch(suffix)) is not None:
            value *= Fraction(10) ** int(exponent.group(1))
            fmt = Format.DECIMAL_EXPONENT
        else:
            raise QuantityError(f"invalid quantity {text!r}: unknown suffix {suffix!r}")
        if sign == "-":
            value = -value
        return cls(_round_up_to_nano(value), fmt)

    def __str__(self) -> str:
        return self.canonical()

    def canonical(self) -> str:
        """The string Kubernetes would print for this quantity."""
        value = _round_up_to_nano(self.value)
        if value == 0:
            return "0"
        sign = "-" if value < 0 else ""
        magnitude = abs(value)
        fmt = self.format
        if fmt is Format.BINARY_SI and (magnitude < 1024 or magnitude.denominator != 1):
            fmt = Format.DECIMAL_SI
        if fmt is Format.BINARY_SI:
            mantissa, power = int(magnitude), 0
            while mantissa % 1024 == 0 and power < 6:
                mantissa //= 1024
                power += 1
            return f"{sign}{mantissa}{_BINARY_BY_POWER[power]}"
        mantissa, exponent = int(magnitude * _NANO), -9
        while mantissa % 10 == 0:
            mantissa //= 10
            exponent += 1
        if remainder := exponent % 3:
            mantissa *= 10**remainder
            exponent -= remainder
        if fmt is Format.DECIMAL_SI and exponent in _DECIMAL_BY_EXPONENT:
            return f"{sign}{mantissa}{_DECIMAL_BY_EXPONENT[exponent]}"
        return f"{sign}{mantissa}" + (f"e{exponent}" if exponent else "")

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(self.value + other.value, self.format)

    def __sub__(self, other: Quantity) -> Quantity:
        return Quantity(self.value - other.value, self.format)

    def milli_value(self) -> int:
        """The value in thousandths, rounded up (Kubernetes' MilliValue)."""
        return math.ceil(self.value * 1000)

    def int_value(self) -> int:
        """The value rounded up to an integer (Kubernetes' Value)."""
        return math.ceil(self.value)


def parse_quantity(text: str) -> Fraction:
    """The exact value of a quantity string."""
    return Quantity.parse(text).value


def format_quantity(value: Fraction | int, fmt: Format = Format.DECIMAL_SI) -> str:
    """The canonical string of `value` printed in `fmt`."""
    return Quantity(Fraction(value), fmt).canonical()
