"""JSON merge patch (RFC 7386), ``application/merge-patch+json``.

The simplest patch Kubernetes accepts, and the one kubectl's three-way
apply sends for custom resources: objects merge key by key, ``null``
deletes a key, and anything else (lists included) replaces the target
value wholesale.
"""

from __future__ import annotations

from typing import Any


def apply(target: Any, patch: Any) -> Any:
    """Return `target` with `patch` applied; neither argument is modified."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply(result.get(key), value)
    return result
