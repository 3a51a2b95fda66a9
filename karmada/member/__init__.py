"""The member client: the only way the control plane or an agent talks to a member.

Everything that reaches a member cluster goes through `MemberClient`, built on
the official Kubernetes client (``kubernetes.aio``), so the same code works
against the member simulator and a real cluster. Modules:

* `client` — `MemberClient`: apply / get / list / watch / delete and status probes;
* `registry` — `MemberClients`, one client per cluster, rebuilt on new credentials;
* `config` — kubeconfig / in-cluster configuration and `ClientOptions` limits;
* `transport` — bounded, timed HTTP with typed errors (`errors`);
* `discovery` — apiVersion/kind to REST resource, from the member's discovery;
* `marks` — Karmada's ownership labels and annotations;
* `apply` — pure merge of a manifest over the live object (retain rules);
* `health`, `summary`, `quantity` — health probe, API enablements and
  node/resource summaries (the last two pure);
* `watch` — one watch stream, and list-then-watch with relist on expiry.
"""

from __future__ import annotations

from karmada.member.client import DeleteResult, MemberClient, Seen
from karmada.member.config import ClientOptions
from karmada.member.discovery import ResourceInfo
from karmada.member.errors import (
    AlreadyExists,
    ConfigError,
    Conflict,
    ConflictError,
    Expired,
    Forbidden,
    Invalid,
    MemberError,
    NoKindMatch,
    NotFound,
    Timeout,
    Unreachable,
)
from karmada.member.health import ApiEnablements, ClusterHealth
from karmada.member.marks import BindingRef, ConflictResolution, WorkRef
from karmada.member.registry import MemberClients
from karmada.member.summary import ApiEnablement, ApiResource, NodeSummary, ResourceSummary
from karmada.member.watch import LISTED, ObjectList, WatchEvent

__all__ = [
    "LISTED",
    "AlreadyExists",
    "ApiEnablement",
    "ApiEnablements",
    "ApiResource",
    "BindingRef",
    "ClientOptions",
    "ClusterHealth",
    "ConfigError",
    "Conflict",
    "ConflictError",
    "ConflictResolution",
    "DeleteResult",
    "Expired",
    "Forbidden",
    "Invalid",
    "MemberClient",
    "MemberClients",
    "MemberError",
    "NoKindMatch",
    "NodeSummary",
    "NotFound",
    "ObjectList",
    "ResourceInfo",
    "ResourceSummary",
    "Seen",
    "Timeout",
    "Unreachable",
    "WatchEvent",
    "WorkRef",
]
