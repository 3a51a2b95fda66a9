"""The few errors a member cluster can give us, typed.

Callers of the member client decide what to do from the *kind* of failure,
not from HTTP codes: a reconcile treats `NotFound` as done, redoes the
read-modify-write on `Conflict`, backs off on `Unreachable`, and reports
`Invalid` / `Forbidden` to the user because retrying will not help. Every
error names the cluster it came from and carries the Kubernetes ``Status``
message verbatim, so a condition on a Work can quote what the member said.

`ConflictError` is different in kind from `Conflict`: it is our own refusal
to take over an object that Karmada does not manage (Karmada's
conflictResolution), not an HTTP 409, and retrying does not clear it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class MemberError(Exception):
    """Base class: something went wrong talking to member cluster `cluster`."""

    def __init__(self, cluster: str, message: str, *, status: int = 0, reason: str = "") -> None:
        super().__init__(f"cluster {cluster}: {message}")
        self.cluster = cluster
        self.message = message
        self.status = status
        self.reason = reason


class NotFound(MemberError):
    """The object (or its kind) does not exist in the member."""


class NoKindMatch(NotFound):
    """The member does not serve this apiVersion/kind (e.g. a CRD is missing)."""


class AlreadyExists(MemberError):
    """Create found the name taken (HTTP 409 AlreadyExists)."""


class Conflict(MemberError):
    """A stale resourceVersion or a failed precondition (HTTP 409): re-read and retry."""


class Expired(MemberError):
    """The resourceVersion is too old to watch from (HTTP 410 Gone): relist."""


class Invalid(MemberError):
    """The member rejected the object (HTTP 400/422); retrying will not help."""


class Forbidden(MemberError):
    """The credentials were refused (HTTP 401/403)."""


class Unreachable(MemberError):
    """No usable answer: connection refused or reset, TLS failure, or HTTP 5xx/429."""


class Timeout(Unreachable):
    """The call did not finish within the client's per-call timeout."""


class ConfigError(MemberError):
    """The kubeconfig or in-cluster configuration cannot be used."""


class ConflictError(MemberError):
    """The object exists in the member but Karmada does not manage it.

    Raised by apply unless conflict resolution is ``Overwrite``; re-applying
    gives the same answer until someone adopts or removes the object.
    """

    def __init__(self, cluster: str, *, kind: str, namespace: str, name: str) -> None:
        where = f"{namespace}/{name}" if namespace else name
        super().__init__(
            cluster,
            f"{kind} {where} already exists in cluster {cluster} and is not managed by "
            "Karmada; set conflictResolution: Overwrite to adopt it",
            status=409,
            reason="NotManagedByKarmada",
        )
        self.kind = kind
        self.namespace = namespace
        self.name = name


def status_message(body: bytes) -> tuple[str, str]:
    """Returns (message, reason) from a Kubernetes ``Status`` body, or the raw text."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        decoded: Any = json.loads(text)
    except ValueError:
        return text[:500], ""
    if isinstance(decoded, Mapping):
        return str(decoded.get("message") or text[:500]), str(decoded.get("reason") or "")
    return text[:500], ""


def from_response(cluster: str, status: int, body: bytes, *, what: str = "") -> MemberError:
    """Maps a non-2xx response to the matching error class."""
    message, reason = status_message(body)
    if not message:
        message = f"HTTP {status}"
    if what:
        message = f"{what}: {message}"
    cls: type[MemberError]
    if status == 404:
        cls = NotFound
    elif status == 409:
        cls = AlreadyExists if reason == "AlreadyExists" else Conflict
    elif status == 410:
        cls = Expired
    elif status in (400, 422):
        cls = Invalid
    elif status in (401, 403):
        cls = Forbidden
    elif status == 504:
        cls = Timeout
    elif status == 429 or status >= 500:
        cls = Unreachable
    else:
        cls = MemberError
    return cls(cluster, message, status=status, reason=reason)
