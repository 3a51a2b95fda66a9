"""Karmada's names for the objects the control plane derives (pkg/util/names/names.go).

Controllers in different processes (controller manager, agent, karmadactl) must
agree on these names, and a user moving from Karmada finds the same ones:
execution namespaces `karmada-es-<cluster>`, bindings `<name>-<kind>`, and Works
`<name>-<hash>` where the hash is fnv32a over the printed `<ns>-<name>-<kind>`,
encoded with apimachinery's SafeEncodeString alphabet.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "APPLIED_CLUSTER_OVERRIDES_ANNOTATION",
    "APPLIED_OVERRIDES_ANNOTATION",
    "APPLIED_PLACEMENT_ANNOTATION",
    "BINDING_FINALIZER",
    "CLUSTER_FINALIZER",
    "CPP_NAME_ANNOTATION",
    "CPP_PERMANENT_ID_LABEL",
    "CRB_FINALIZER",
    "EXECUTION_FINALIZER",
    "EXECUTION_SPACE_PREFIX",
    "NOT_READY_TAINT",
    "PP_NAMESPACE_ANNOTATION",
    "PP_NAME_ANNOTATION",
    "PP_PERMANENT_ID_LABEL",
    "SKIP_AUTO_PROPAGATION_LABEL",
    "TEMPLATE_GENERATION_ANNOTATION",
    "TEMPLATE_UID_ANNOTATION",
    "UNREACHABLE_TAINT",
    "UNSCHEDULABLE_TAINT",
    "binding_name",
    "cluster_of_execution_space",
    "execution_space",
    "fnv32a",
    "safe_encode",
    "work_name",
]

EXECUTION_SPACE_PREFIX: Final = "karmada-es-"

# Claims of a template by its policy (pkg/apis/policy/v1alpha1/well_known_constants.go).
PP_PERMANENT_ID_LABEL: Final = "propagationpolicy.karmada.io/permanent-id"
PP_NAMESPACE_ANNOTATION: Final = "propagationpolicy.karmada.io/namespace"
PP_NAME_ANNOTATION: Final = "propagationpolicy.karmada.io/name"
CPP_PERMANENT_ID_LABEL: Final = "clusterpropagationpolicy.karmada.io/permanent-id"
CPP_NAME_ANNOTATION: Final = "clusterpropagationpolicy.karmada.io/name"

# Binding and Work bookkeeping (the member-facing marks are in karmada.member.marks).
TEMPLATE_UID_ANNOTATION: Final = "resourcetemplate.karmada.io/uid"
TEMPLATE_GENERATION_ANNOTATION: Final = "resourcetemplate.karmada.io/generation"
APPLIED_PLACEMENT_ANNOTATION: Final = "policy.karmada.io/applied-placement"
APPLIED_OVERRIDES_ANNOTATION: Final = "policy.karmada.io/applied-overrides"
APPLIED_CLUSTER_OVERRIDES_ANNOTATION: Final = "policy.karmada.io/applied-cluster-overrides"
SKIP_AUTO_PROPAGATION_LABEL: Final = "namespace.karmada.io/skip-auto-propagation"

# Finalizers (pkg/util/constants.go).
CLUSTER_FINALIZER: Final = "karmada.io/cluster-controller"
EXECUTION_FINALIZER: Final = "karmada.io/execution-controller"
BINDING_FINALIZER: Final = "karmada.io/binding-controller"
CRB_FINALIZER: Final = "karmada.io/cluster-resource-binding-controller"

# Cluster taints the control plane manages.
NOT_READY_TAINT: Final = "cluster.karmada.io/not-ready"
UNREACHABLE_TAINT: Final = "cluster.karmada.io/unreachable"
UNSCHEDULABLE_TAINT: Final = "cluster.karmada.io/unschedulable"
_ALPHANUMS: Final = "bcdfghjklmnpqrstvwxz2456789"


def fnv32a(data: bytes) -> int:
    """The 32-bit FNV-1a hash."""
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def safe_encode(text: str) -> str:
    """apimachinery's rand.SafeEncodeString: each character mapped into a vowel-free alphabet."""
    return "".join(_ALPHANUMS[ord(char) % len(_ALPHANUMS)] for char in text)


def execution_space(cluster: str) -> str:
    return EXECUTION_SPACE_PREFIX + cluster


def cluster_of_execution_space(namespace: str) -> str:
    """The cluster an execution namespace belongs to ("" for other namespaces)."""
    return (
        namespace[len(EXECUTION_SPACE_PREFIX) :]
        if namespace.startswith(EXECUTION_SPACE_PREFIX)
        else ""
    )


def binding_name(name: str, kind: str) -> str:
    """The (Cluster)ResourceBinding of a template: lower("<name>-<kind>"), ":" made "."
    (names such as "system:admin" are valid for RBAC kinds, not for bindings)."""
    return f"{name.replace(':', '.')}-{kind}".lower()


def work_name(kind: str, name: str, namespace: str = "") -> str:
    """The Work carrying one template to one cluster.

    Karmada hashes with hashutil.DeepHashObject, i.e. go-spew's ``%#v`` of the
    string, which prints it as ``(string)"<text>"``.
    """
    text = (f"{namespace}-{name}-{kind}" if namespace else f"{name}-{kind}").lower()
    printed = '(string)"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name}-{safe_encode(str(fnv32a(printed.encode())))}"
