"""Kubernetes `Status` errors, with the codes and reasons clients branch on.

Clients do not read error prose: client-go's ``apierrors.IsNotFound``,
``IsConflict`` and ``IsAlreadyExists`` test the ``reason`` and ``code`` of a
``metav1.Status`` body, and the Python client surfaces ``ApiException.status``.
So every failure in the simulator is one `ApiError` carrying exactly the
reason, code and message wording kube-apiserver would send, built here in one
place rather than improvised at each call site.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ApiError(Exception):
    """A failed request, rendered as a Kubernetes ``Status`` object.

    Attributes:
        code: the HTTP status code.
        reason: the ``metav1.StatusReason`` (``NotFound``, ``Conflict``, ...).
        message: human-readable description.
        details: the ``StatusDetails`` (name, group, kind, causes), if any.
    """

    def __init__(
        self, code: int, reason: str, message: str, *, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> dict[str, Any]:
        """The ``Status`` object sent as the response body (or a watch ERROR event)."""
        out: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            out["details"] = self.details
        return out


def qualified(group: str, plural: str) -> str:
    """``deployments.apps``, or ``pods`` for the core group, as messages print it."""
    return f"{plural}.{group}" if group else plural


def _details(group: str, plural: str, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "kind": plural}
    if group:
        out["group"] = group
    return out


def not_found(group: str, plural: str, name: str) -> ApiError:
    return ApiError(
        404,
        "NotFound",
        f'{qualified(group, plural)} "{name}" not found',
        details=_details(group, plural, name),
    )


def path_not_found(path: str) -> ApiError:
    return ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")


def already_exists(group: str, plural: str, name: str) -> ApiError:
    return ApiError(
        409,
        "AlreadyExists",
        f'{qualified(group, plural)} "{name}" already exists',
        details=_details(group, plural, name),
    )


def conflict(group: str, plural: str, name: str, detail: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified(group, plural)} "{name}": {detail}',
        details=_details(group, plural, name),
    )


def stale(group: str, plural: str, name: str) -> ApiError:
    """The 409 for a write carrying an outdated resourceVersion."""
    return conflict(
        group,
        plural,
        name,
        "the object has been modified; please apply your changes to the latest version "
        "and try again",
    )


def invalid(*, group: str, kind: str, name: str, causes: Sequence[tuple[str, str]]) -> ApiError:
    """A 422 listing every invalid field as ``(field path, message)``."""
    shown = f"{kind}.{group}" if group else kind
    summary = ", ".join(f"{field}: {message}" for field, message in causes)
    return ApiError(
        422,
        "Invalid",
        f'{shown} "{name}" is invalid: {summary}',
        details={
            "name": name,
            "group": group,
            "kind": kind,
            "causes": [
                {"reason": "FieldValueInvalid", "message": message, "field": field}
                for field, message in causes
            ],
        },
    )


def unprocessable(message: str) -> ApiError:
    """A 422 without field causes (a patch that cannot be applied)."""
    return ApiError(422, "Invalid", message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "Unauthorized")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "Forbidden", message)


def method_not_allowed(verb: str, path: str) -> ApiError:
    return ApiError(
        405,
        "MethodNotAllowed",
        f"the server does not allow this method on the requested resource ({verb} {path})",
    )


def unsupported_media_type(content_type: str, detail: str) -> ApiError:
    return ApiError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format ({content_type}): {detail}",
    )


def gone(message: str) -> ApiError:
    """410 Expired: a resourceVersion or continue token older than the history kept."""
    return ApiError(410, "Expired", message)


def too_large_resource_version(requested: int, current: int) -> ApiError:
    """504 for a watch from a version the cluster has not reached (apiserver's wording)."""
    return ApiError(
        504,
        "Timeout",
        f"Too large resource version: {requested}, current: {current}",
        details={
            "causes": [
                {"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}
            ],
            "retryAfterSeconds": 1,
        },
    )


def internal(message: str) -> ApiError:
    return ApiError(500, "InternalError", message)
