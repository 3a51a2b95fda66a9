"""Field rules several kinds share that `karmada.machinery.validation` lacks.

Ports, IP addresses, JSON pointers, duplicates and numeric ranges appear in
policies, bindings and the networking kinds alike. Each kind's module builds
its field paths and calls these, so every kind reports the same problem with
the same Kubernetes wording (``Duplicate value``, ``must be between 1 and
65535, inclusive``, ...).
"""

from __future__ import annotations

import ipaddress
import re

from karmada.machinery import validation as v
from karmada.machinery.validation import FieldViolation

_PORT_NAME_CHARSET = re.compile(r"[-a-z0-9]+")
_PORT_NAME_LETTER = re.compile(r"[a-z]")
_POINTER_BAD_ESCAPE = re.compile(r"~(?![01])")
IANA_SVC_NAME_MAX_LENGTH = 15


def duplicate(path: str, value: str) -> FieldViolation:
    """``Duplicate value: "x"``."""
    return FieldViolation(path, f"Duplicate value: {v.quote(value)}")


def minimum(value: int, bound: int, path: str) -> list[FieldViolation]:
    """Validate ``value >= bound``, worded as apimachinery's range errors."""
    if value < bound:
        return [v.invalid(path, value, f"must be greater than or equal to {bound}")]
    return []


def port_number(value: int, path: str) -> list[FieldViolation]:
    """Validate a TCP/UDP port number: 1 to 65535 (IsValidPortNum)."""
    if not 1 <= value <= 65535:
        return [v.invalid(path, value, "must be between 1 and 65535, inclusive")]
    return []


def port_name(value: str, path: str) -> list[FieldViolation]:
    """Validate an IANA service name used as a port name (IsValidPortName)."""
    messages = []
    if len(value) > IANA_SVC_NAME_MAX_LENGTH:
        messages.append(f"must be no more than {IANA_SVC_NAME_MAX_LENGTH} characters")
    if not _PORT_NAME_CHARSET.fullmatch(value):
        messages.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(value):
        messages.append("must contain at least one letter (a-z)")
    if "--" in value:
        messages.append("must not contain consecutive hyphens")
    if value.startswith("-") or value.endswith("-"):
        messages.append("must not begin or end with a hyphen")
    return [v.invalid(path, value, message) for message in messages]


def ip_address(value: str, path: str) -> list[FieldViolation]:
    """Validate an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return [
            v.invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
        ]
    return []


def json_pointer(value: str, path: str, *, required: bool) -> list[FieldViolation]:
    """Validate an RFC 6901 JSON pointer; empty (the whole document) only if not `required`."""
    if not value:
        return [v.required_value(path)] if required else []
    if not value.startswith("/"):
        return [v.invalid(path, value, 'must be a JSON pointer starting with "/"')]
    if _POINTER_BAD_ESCAPE.search(value):
        return [v.invalid(path, value, "'~' must be followed by '0' or '1'")]
    return []
