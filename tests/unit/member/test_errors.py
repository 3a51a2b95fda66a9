"""Mapping member answers to typed errors."""

from __future__ import annotations

import json

import pytest

from karmada.member import errors
from karmada.member.errors import from_response, status_message


def status(code: int, reason: str, message: str) -> bytes:
    return json.dumps(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "code": code,
            "reason": reason,
            "message": message,
        }
    ).encode()


@pytest.mark.parametrize(
    ("code", "reason", "cls"),
    [
        (404, "NotFound", errors.NotFound),
        (409, "AlreadyExists", errors.AlreadyExists),
        (409, "Conflict", errors.Conflict),
        (410, "Expired", errors.Expired),
        (400, "BadRequest", errors.Invalid),
        (422, "Invalid", errors.Invalid),
        (401, "Unauthorized", errors.Forbidden),
        (403, "Forbidden", errors.Forbidden),
        (429, "TooManyRequests", errors.Unreachable),
        (500, "InternalError", errors.Unreachable),
        (503, "ServiceUnavailable", errors.Unreachable),
        (504, "Timeout", errors.Timeout),
        (418, "Teapot", errors.MemberError),
    ],
)
def test_status_codes(code: int, reason: str, cls: type[errors.MemberError]) -> None:
    error = from_response("m1", code, status(code, reason, "the message"), what="update Pod")
    assert type(error) is cls
    assert error.cluster == "m1"
    assert error.status == code
    assert error.reason == reason
    assert error.message == "update Pod: the message"
    assert str(error) == "cluster m1: update Pod: the message"


def test_non_status_bodies() -> None:
    assert status_message(b"upstream connect error") == ("upstream connect error", "")
    assert status_message(b"[1, 2]") == ("[1, 2]", "")
    assert from_response("m1", 502, b"").message == "HTTP 502"


def test_hierarchy() -> None:
    assert issubclass(errors.Timeout, errors.Unreachable)
    assert issubclass(errors.NoKindMatch, errors.NotFound)
    assert not issubclass(errors.ConflictError, errors.Conflict)
    error = errors.ConflictError("m1", kind="Namespace", namespace="", name="team-a")
    assert "Namespace team-a already exists in cluster m1" in str(error)
