"""Override policies: how a resource template is rewritten for each member cluster.

Pure logic, no I/O: the binding controller hands in the manifest, the target
Cluster and the OverridePolicies / ClusterOverridePolicies it has cached, and
gets back the overridden manifest plus the applied-overrides annotations.
`cluster_matches` is the controller manager's shared cluster-affinity matcher.
"""

from controller_manager.overrides.affinity import cluster_matches
from controller_manager.overrides.jsonpatch import PatchError
from controller_manager.overrides.manager import (
    AnyOverridePolicy,
    AppliedOverrider,
    Overridden,
    OverrideError,
    applied_json,
    apply_overrides,
    matching_overriders,
    overriders_json,
)
from controller_manager.overrides.selectors import Priority, selector_priority, selectors_priority

__all__ = [
    "AnyOverridePolicy",
    "AppliedOverrider",
    "Overridden",
    "OverrideError",
    "PatchError",
    "Priority",
    "applied_json",
    "apply_overrides",
    "cluster_matches",
    "matching_overriders",
    "overriders_json",
    "selector_priority",
    "selectors_priority",
]
