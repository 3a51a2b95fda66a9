"""Which resources a policy's resourceSelectors match, and how specifically.

Override policies are applied least specific first, so the most specific one
has the last word; specificity is Karmada's implicit priority
(pkg/util/selector.go): a selector naming the resource beats one matching by
labels, which beats one matching every resource of the kind; a policy
without selectors matches everything at the lowest priority.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from karmada.machinery.labels import SelectorError, selector_from_proto
from karmada.policy.v1alpha1 import propagation_policy_pb2 as policy_pb2

__all__ = ["Priority", "selector_priority", "selectors_priority"]


class Priority(enum.IntEnum):
    """Karmada's ImplicitPriority."""

    MISMATCH = 0
    MATCH_ALL = 1
    MATCH_LABEL_SELECTOR = 2
    MATCH_NAME = 3


def selector_priority(
    manifest: Mapping[str, Any], selector: policy_pb2.ResourceSelector
) -> Priority:
    """How `selector` matches `manifest`: by name, by labels, everything, or not at all.

    A name, when set, decides alone (the label selector is ignored); an
    invalid label selector matches nothing.
    """
    metadata = manifest.get("metadata") or {}
    if (
        manifest.get("apiVersion") != selector.api_version
        or manifest.get("kind") != selector.kind
        or (selector.namespace and metadata.get("namespace", "") != selector.namespace)
    ):
        return Priority.MISMATCH
    if selector.name:
        return Priority.MATCH_NAME if metadata.get("name") == selector.name else Priority.MISMATCH
    if not selector.HasField("label_selector"):
        return Priority.MATCH_ALL
    try:
        parsed = selector_from_proto(selector.label_selector)
    except SelectorError:
        return Priority.MISMATCH
    labels = metadata.get("labels") or {}
    return Priority.MATCH_LABEL_SELECTOR if parsed.matches(labels) else Priority.MISMATCH


def selectors_priority(
    manifest: Mapping[str, Any], selectors: Iterable[policy_pb2.ResourceSelector]
) -> Priority:
    """The best priority among `selectors`; MATCH_ALL when there are none."""
    selectors = list(selectors)
    if not selectors:
        return Priority.MATCH_ALL
    return max((selector_priority(manifest, s) for s in selectors), default=Priority.MISMATCH)
