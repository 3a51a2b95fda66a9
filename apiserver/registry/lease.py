"""Validation of Leases (coordination.k8s.io/v1).

Leases carry leader election and cluster heartbeats; the holders compare
durations and transition counts to decide who may take a lease over, so
nonsensical numbers must not be stored. The rules are Kubernetes'
ValidateLeaseSpec: a set duration is positive, transitions are not negative,
and a preferred holder needs a strategy. The holder identity is free text.
"""

from __future__ import annotations

from google.protobuf.message import Message

from apiserver.registry.fields import minimum
from apiserver.registry.strategy import Strategy
from karmada.coordination.v1 import lease_pb2
from karmada.machinery import validation as v
from karmada.machinery.scheme import LEASE
from karmada.machinery.validation import FieldViolation


def validate_spec(spec: lease_pb2.LeaseSpec) -> list[FieldViolation]:
    """Validate a LeaseSpec."""
    out: list[FieldViolation] = []
    if spec.HasField("lease_duration_seconds") and spec.lease_duration_seconds <= 0:
        out.append(
            v.invalid(
                "spec.leaseDurationSeconds", spec.lease_duration_seconds, "must be greater than 0"
            )
        )
    if spec.HasField("lease_transitions"):
        out += minimum(spec.lease_transitions, 0, "spec.leaseTransitions")
    if spec.preferred_holder and not spec.strategy:
        out.append(
            v.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined")
        )
    return out


def _validate(obj: Message) -> list[FieldViolation]:
    assert isinstance(obj, lease_pb2.Lease)
    return validate_spec(obj.spec)


STRATEGY = Strategy(kind=LEASE, validate_spec=_validate)  # type: ignore[arg-type]
STRATEGIES = (STRATEGY,)
