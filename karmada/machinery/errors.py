"""Typed API errors, and their mapping to and from gRPC status.

The apiserver raises these and turns them into a `google.rpc.Status` with an
`ErrorInfo` (reason, domain ``karmada.io``) and, for validation failures, a
`BadRequest` naming every bad field. Clients turn the status back into the
same classes, so both sides share one vocabulary (NotFound, Conflict, ...)
instead of raw gRPC codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from karmada.machinery.validation import FieldViolation

DOMAIN = "karmada.io"


class ApiError(Exception):
    """An error the API returns on purpose; `reason` is AIP-193's ErrorInfo reason."""

    code: ClassVar[grpc.StatusCode] = grpc.StatusCode.UNKNOWN
    default_reason: ClassVar[str] = "UNKNOWN"

    def __init__(
        self,
        message: str,
        *,
        reason: str = "",
        violations: Sequence[FieldViolation] = (),
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.violations = tuple(violations)
        self.metadata = dict(metadata or {})

    def to_status(self) -> grpc.Status:
        """Encodes the error as a gRPC status with rich details."""
        details = [
            _pack(
                error_details_pb2.ErrorInfo(
                    reason=self.reason, domain=DOMAIN, metadata=self.metadata
                )
            )
        ]
        if self.violations:
            details.append(
                _pack(
                    error_details_pb2.BadRequest(
                        field_violations=[
                            error_details_pb2.BadRequest.FieldViolation(
                                field=v.field, description=v.description
                            )
                            for v in self.violations
                        ]
                    )
                )
            )
        status = status_pb2.Status(code=self.code.value[0], message=self.message, details=details)
        return rpc_status.to_status(status)  # type: ignore[no-any-return]


def _pack(message: error_details_pb2.ErrorInfo | error_details_pb2.BadRequest) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


class NotFound(ApiError):
    """The object does not exist."""

    code = grpc.StatusCode.NOT_FOUND
    default_reason = "NOT_FOUND"


class AlreadyExists(ApiError):
    """The name is taken."""

    code = grpc.StatusCode.ALREADY_EXISTS
    default_reason = "ALREADY_EXISTS"


class Conflict(ApiError):
    """A stale resource_version: read the object again and redo the change."""

    code = grpc.StatusCode.ABORTED
    default_reason = "CONFLICT"


class Invalid(ApiError):
    """Validation failed; `violations` names each bad field."""

    code = grpc.StatusCode.INVALID_ARGUMENT
    default_reason = "INVALID"

    def __str__(self) -> str:
        if not self.violations:
            return self.message
        fields = "; ".join(f"{v.field}: {v.description}" for v in self.violations)
        return f"{self.message}: {fields}"


class Expired(ApiError):
    """The resource_version or page token is too old (compacted); relist."""

    code = grpc.StatusCode.OUT_OF_RANGE
    default_reason = "RESOURCE_VERSION_EXPIRED"


class FailedPrecondition(ApiError):
    """The request cannot succeed in the object's current state."""

    code = grpc.StatusCode.FAILED_PRECONDITION
    default_reason = "FAILED_PRECONDITION"


class Unauthenticated(ApiError):
    """No valid bearer token was given."""

    code = grpc.StatusCode.UNAUTHENTICATED
    default_reason = "UNAUTHENTICATED"


class Unavailable(ApiError):
    """The server or its storage cannot answer now; the same call may be retried."""

    code = grpc.StatusCode.UNAVAILABLE
    default_reason = "STORAGE_UNAVAILABLE"


class DeadlineExceeded(ApiError):
    """The call did not finish in time."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED
    default_reason = "DEADLINE_EXCEEDED"


class Internal(ApiError):
    """A server bug; the reply carries no traceback."""

    code = grpc.StatusCode.INTERNAL
    default_reason = "INTERNAL"


_BY_CODE: dict[grpc.StatusCode, type[ApiError]] = {
    cls.code: cls
    for cls in (
        NotFound,
        AlreadyExists,
        Conflict,
        Invalid,
        Expired,
        FailedPrecondition,
        Unauthenticated,
        Unavailable,
        DeadlineExceeded,
        Internal,
    )
}


def from_rpc_error(error: grpc.aio.AioRpcError) -> ApiError:
    """Decodes a failed call into the matching ApiError subclass."""
    cls = _BY_CODE.get(error.code(), ApiError)
    reason = ""
    violations: list[FieldViolation] = []
    metadata: dict[str, str] = {}
    status = _status_of(error)
    if status is not None:
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason = info.reason
                metadata = dict(info.metadata)
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                violations.extend(
                    FieldViolation(field=v.field, description=v.description)
                    for v in bad.field_violations
                )
    result = cls(error.details() or "", reason=reason, violations=violations, metadata=metadata)
    if cls is ApiError:
        result.reason = error.code().name
    return result


def _status_of(error: grpc.aio.AioRpcError) -> status_pb2.Status | None:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None
