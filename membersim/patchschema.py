"""Strategic merge rules of the built-in kinds, as data.

kube-apiserver reads these rules from struct tags on the Go API types
(``patchStrategy:"merge" patchMergeKey:"name"``). This table reproduces the
tags of the fields that kubectl apply and controllers actually touch on the
kinds the simulator serves; a field missing here merges as in a JSON merge
patch (maps recursively, lists replaced), which is also what the Go types
do for untagged fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final


@dataclass(frozen=True, slots=True)
class Field:
    """The merge rule of one field.

    Attributes:
        merge_key: for a list of objects merged item by item, the key
            identifying an item; None otherwise.
        merge_set: for a list of primitives with the merge strategy
            (merged as a set, like ``finalizers``).
        schema: rules of the fields below this one (of each item, for lists).
    """

    merge_key: str | None = None
    merge_set: bool = False
    schema: Schema = field(default_factory=dict)

    @property
    def merges(self) -> bool:
        """Whether a list value merges rather than replaces."""
        return self.merge_key is not None or self.merge_set


Schema = Mapping[str, Field]

GENERIC: Final[Schema] = {}


def _nested(**fields: Field) -> Field:
    return Field(schema=fields)


def _by(key: str, **fields: Field) -> Field:
    return Field(merge_key=key, schema=fields)


_CONDITIONS: Final = _by("type")

OBJECT_META: Final[Schema] = {
    "finalizers": Field(merge_set=True),
    "ownerReferences": _by("uid"),
}

CONTAINER: Final[Schema] = {
    "ports": _by("containerPort"),
    "env": _by("name"),
    "volumeMounts": _by("mountPath"),
    "volumeDevices": _by("devicePath"),
    "resizePolicy": _by("resourceName"),
}

POD_SPEC: Final[Schema] = {
    "containers": Field(merge_key="name", schema=CONTAINER),
    "initContainers": Field(merge_key="name", schema=CONTAINER),
    "ephemeralContainers": Field(merge_key="name", schema=CONTAINER),
    "volumes": _by("name"),
    "imagePullSecrets": _by("name"),
    "hostAliases": _by("ip"),
    "topologySpreadConstraints": _by("topologyKey"),
    "resourceClaims": _by("name"),
    "schedulingGates": _by("name"),
}

POD_TEMPLATE: Final[Schema] = {
    "metadata": Field(schema=OBJECT_META),
    "spec": Field(schema=POD_SPEC),
}

_STATUS_WITH_CONDITIONS: Final = _nested(conditions=_CONDITIONS)
_META: Final = Field(schema=OBJECT_META)

_WORKLOAD: Final[Schema] = {
    "metadata": _META,
    "spec": _nested(template=Field(schema=POD_TEMPLATE)),
    "status": _STATUS_WITH_CONDITIONS,
}

_BY_KIND: Final[Mapping[str, Schema]] = {
    "Pod": {
        "metadata": _META,
        "spec": Field(schema=POD_SPEC),
        "status": _nested(
            conditions=_CONDITIONS,
            podIPs=_by("ip"),
            hostIPs=_by("ip"),
        ),
    },
    "Deployment": _WORKLOAD,
    "ReplicaSet": _WORKLOAD,
    "StatefulSet": _WORKLOAD,
    "DaemonSet": _WORKLOAD,
    "Job": _WORKLOAD,
    "CronJob": {
        "metadata": _META,
        "spec": _nested(
            jobTemplate=_nested(metadata=_META, spec=_nested(template=Field(schema=POD_TEMPLATE)))
        ),
    },
    "Service": {
        "metadata": _META,
        "spec": _nested(ports=_by("port")),
        "status": _STATUS_WITH_CONDITIONS,
    },
    "Node": {
        "metadata": _META,
        "status": _nested(conditions=_CONDITIONS, addresses=_by("type")),
    },
    "Namespace": {"metadata": _META, "status": _STATUS_WITH_CONDITIONS},
    "PersistentVolumeClaim": {"metadata": _META, "status": _STATUS_WITH_CONDITIONS},
    "ServiceAccount": {"metadata": _META, "secrets": _by("name"), "imagePullSecrets": _by("name")},
    "CustomResourceDefinition": {"metadata": _META, "status": _STATUS_WITH_CONDITIONS},
}

_DEFAULT: Final[Schema] = {"metadata": _META}


def for_kind(kind: str) -> Schema:
    """The merge rules of a built-in kind; kinds without a table merge only metadata specially."""
    return _BY_KIND.get(kind, _DEFAULT)
