"""Fault injection: what a simulated cluster is currently made to get wrong.

Set through the admin endpoint (``/admin/clusters/<name>/faults``, see
`membersim.server`) or the ``--unreachable`` and ``--latency`` flags:

* ``unreachable``: every request under the cluster's base URL has its
  connection closed without an answer, so clients (and /readyz probes)
  fail with a connection error;
* ``latencySeconds``: every request waits this long before being served;
* ``errorRate`` (0..1): that fraction of requests answer 500 InternalError;
* ``failPods`` (``{"namespace": ..., "selector": ...}``, the selector a
  label selector string such as ``app=web``, or a ``matchLabels`` mapping):
  matching pods go to phase Failed, not ready, and so do the replacements
  their controllers create, for as long as the fault is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from karmada.machinery.labels import Selector, SelectorError, parse_selector, selector_from_set


class FaultError(ValueError):
    """An invalid faults document."""


@dataclass(frozen=True, slots=True)
class PodFailure:
    namespace: str
    selector: Selector
    text: str

    def matches(self, namespace: str, labels: dict[str, str]) -> bool:
        return (not self.namespace or namespace == self.namespace) and self.selector.matches(labels)


@dataclass(frozen=True, slots=True)
class Faults:
    unreachable: bool = False
    latency_seconds: float = 0.0
    error_rate: float = 0.0
    fail_pods: PodFailure | None = None

    @property
    def empty(self) -> bool:
        return self == Faults()

    def to_json(self) -> dict[str, Any]:
        fail: dict[str, str] | None = None
        if self.fail_pods is not None:
            fail = {"namespace": self.fail_pods.namespace, "selector": self.fail_pods.text}
        return {
            "unreachable": self.unreachable,
            "latencySeconds": self.latency_seconds,
            "errorRate": self.error_rate,
            "failPods": fail,
        }

    def merged(self, doc: Any) -> Faults:
        """These faults with the fields `doc` gives replaced.

        Raises:
            FaultError: a malformed field.
        """
        if not isinstance(doc, dict):
            raise FaultError("the faults document must be a JSON object")
        unknown = set(doc) - {"unreachable", "latencySeconds", "errorRate", "failPods"}
        if unknown:
            raise FaultError(f"unknown fields: {sorted(unknown)}")
        unreachable = doc.get("unreachable", self.unreachable)
        if not isinstance(unreachable, bool):
            raise FaultError("unreachable must be a boolean")
        latency = doc.get("latencySeconds", self.latency_seconds)
        rate = doc.get("errorRate", self.error_rate)
        if not isinstance(latency, int | float) or isinstance(latency, bool) or latency < 0:
            raise FaultError("latencySeconds must be a non-negative number")
        if not isinstance(rate, int | float) or isinstance(rate, bool) or not 0 <= rate <= 1:
            raise FaultError("errorRate must be a number from 0 to 1")
        fail = self.fail_pods
        if "failPods" in doc:
            fail = _pod_failure(doc["failPods"])
        return Faults(unreachable, float(latency), float(rate), fail)


def _pod_failure(raw: Any) -> PodFailure | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise FaultError("failPods must be an object with namespace and selector")
    namespace = raw.get("namespace", "")
    selector = raw.get("selector", "")
    if not isinstance(namespace, str):
        raise FaultError("failPods.namespace must be a string")
    if isinstance(selector, dict):
        labels = selector.get("matchLabels", selector)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            raise FaultError("failPods.selector must map label keys to values")
        text = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        try:
            return PodFailure(namespace, selector_from_set(labels), text)
        except SelectorError as err:
            raise FaultError(f"failPods.selector: {err}") from None
    if not isinstance(selector, str):
        raise FaultError("failPods.selector must be a label selector string or a mapping")
    try:
        return PodFailure(namespace, parse_selector(selector), selector)
    except SelectorError as err:
        raise FaultError(f"failPods.selector: {err}") from None
