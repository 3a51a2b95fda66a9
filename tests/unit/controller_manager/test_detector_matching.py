"""Which policy a template belongs to: selectors, ranking, claims and preemption."""

from __future__ import annotations

from typing import Any

import pytest

from controller_manager.controllers.detector.claim import Claim, policy_claim, set_claim
from controller_manager.controllers.detector.matching import (
    Specificity,
    decide,
    is_skipped_namespace,
    policy_specificity,
    selected_kinds,
    selector_specificity,
    selector_targets,
    template_targets,
)
from karmada.core.v1 import resource_template_pb2
from karmada.machinery.scheme import (
    CLUSTER_PROPAGATION_POLICY,
    PROPAGATION_POLICY,
    template_kind,
)
from karmada.meta.v1 import meta_pb2
from karmada.names import CPP_PERMANENT_ID_LABEL, PP_PERMANENT_ID_LABEL
from karmada.policy.v1alpha1 import cluster_propagation_policy_pb2 as cpp_pb
from karmada.policy.v1alpha1 import propagation_policy_pb2 as pp_pb

DEPLOYMENT = template_kind("apps/v1", "Deployment")


def deployment(
    name: str = "web", namespace: str = "ns", labels: dict[str, str] | None = None
) -> resource_template_pb2.ResourceTemplate:
    template = DEPLOYMENT.new(name=name, namespace=namespace)
    template.metadata.labels.update(labels or {})
    return template


def selector(**fields: Any) -> pp_pb.ResourceSelector:
    labels = fields.pop("labels", None)
    out = pp_pb.ResourceSelector(**{"api_version": "apps/v1", "kind": "Deployment", **fields})
    if labels is not None:
        out.label_selector.match_labels.update(labels)
    return out


def pp(
    name: str,
    *selectors: pp_pb.ResourceSelector,
    namespace: str = "ns",
    priority: int | None = None,
    preemption: str = "",
) -> pp_pb.PropagationPolicy:
    policy = PROPAGATION_POLICY.new(name=name, namespace=namespace)
    policy.spec.resource_selectors.extend(selectors or [selector()])
    if priority is not None:
        policy.spec.priority = priority
    policy.spec.preemption = preemption
    policy.metadata.labels[PP_PERMANENT_ID_LABEL] = f"id-{name}"
    return policy


def cpp(
    name: str,
    *selectors: pp_pb.ResourceSelector,
    priority: int | None = None,
    preemption: str = "",
) -> cpp_pb.ClusterPropagationPolicy:
    policy = CLUSTER_PROPAGATION_POLICY.new(name=name)
    policy.spec.resource_selectors.extend(selectors or [selector()])
    if priority is not None:
        policy.spec.priority = priority
    policy.spec.preemption = preemption
    policy.metadata.labels[CPP_PERMANENT_ID_LABEL] = f"cid-{name}"
    return policy


@pytest.mark.parametrize(
    ("case", "sel", "template", "expected"),
    [
        ("kind only", selector(), deployment(), Specificity.MATCH_ALL),
        ("other kind", selector(kind="StatefulSet"), deployment(), Specificity.MISMATCH),
        ("other version", selector(api_version="apps/v1beta1"), deployment(), Specificity.MISMATCH),
        ("namespace matches", selector(namespace="ns"), deployment(), Specificity.MATCH_ALL),
        ("other namespace", selector(namespace="other"), deployment(), Specificity.MISMATCH),
        ("name", selector(name="web"), deployment(), Specificity.NAME),
        ("other name", selector(name="api"), deployment(), Specificity.MISMATCH),
        (
            "name wins over a mismatching label selector",
            selector(name="web", labels={"app": "x"}),
            deployment(labels={"app": "web"}),
            Specificity.NAME,
        ),
        (
            "labels",
            selector(labels={"app": "web"}),
            deployment(labels={"app": "web", "tier": "f"}),
            Specificity.LABEL_SELECTOR,
        ),
        (
            "labels mismatch",
            selector(labels={"app": "api"}),
            deployment(labels={"app": "web"}),
            Specificity.MISMATCH,
        ),
        (
            "empty label selector selects everything, as a label match",
            pp_pb.ResourceSelector(
                api_version="apps/v1", kind="Deployment", label_selector=meta_pb2.LabelSelector()
            ),
            deployment(),
            Specificity.LABEL_SELECTOR,
        ),
        (
            "invalid label selector matches nothing",
            pp_pb.ResourceSelector(
                api_version="apps/v1",
                kind="Deployment",
                label_selector=meta_pb2.LabelSelector(
                    match_expressions=[meta_pb2.LabelSelectorRequirement(key="a", operator="Bad")]
                ),
            ),
            deployment(),
            Specificity.MISMATCH,
        ),
    ],
)
def test_selector_specificity(
    case: str,
    sel: pp_pb.ResourceSelector,
    template: resource_template_pb2.ResourceTemplate,
    expected: Specificity,
) -> None:
    assert selector_specificity(template, sel) == expected, case


def _deleting(policy: pp_pb.PropagationPolicy) -> pp_pb.PropagationPolicy:
    policy.metadata.deletion_timestamp.FromSeconds(1)
    return policy


@pytest.mark.parametrize(
    ("case", "pps", "cpps", "expected"),
    [
        ("nothing matches", [pp("a", selector(kind="Job"))], [], None),
        ("the only match", [pp("a")], [], "PP a"),
        ("higher priority wins", [pp("a", priority=1), pp("b", priority=5)], [], "PP b"),
        (
            "priority beats specificity",
            [pp("a", selector(name="web")), pp("b", priority=1)],
            [],
            "PP b",
        ),
        (
            "name beats labels beats kind",
            [pp("a"), pp("b", selector(labels={"app": "web"})), pp("c", selector(name="web"))],
            [],
            "PP c",
        ),
        (
            "labels beat kind",
            [pp("a"), pp("b", selector(labels={"app": "web"}))],
            [],
            "PP b",
        ),
        ("then the lower name", [pp("zeta"), pp("alpha"), pp("mid")], [], "PP alpha"),
        (
            "best selector of a policy counts",
            [pp("a", selector(kind="Job"), selector(name="web")), pp("b", selector())],
            [],
            "PP a",
        ),
        ("a policy of another namespace never matches", [pp("a", namespace="other")], [], None),
        ("being deleted matches nothing", [_deleting(pp("a"))], [], None),
        ("PP beats CPP", [pp("z")], [cpp("a", priority=100)], "PP z"),
        ("CPP when no PP matches", [pp("a", selector(kind="Job"))], [cpp("c")], "CPP c"),
        ("CPPs rank alike", [], [cpp("a", priority=1), cpp("b", priority=2)], "CPP b"),
    ],
)
def test_unclaimed_template_gets_the_best_policy(
    case: str,
    pps: list[pp_pb.PropagationPolicy],
    cpps: list[cpp_pb.ClusterPropagationPolicy],
    expected: str | None,
) -> None:
    decision = decide(deployment(labels={"app": "web"}), pps, cpps)
    assert _name(decision.policy) == expected, case
    assert decision.preempted is None and decision.released is None


def _name(policy: pp_pb.PropagationPolicy | cpp_pb.ClusterPropagationPolicy | None) -> str | None:
    if policy is None:
        return None
    prefix = "CPP" if isinstance(policy, cpp_pb.ClusterPropagationPolicy) else "PP"
    return f"{prefix} {policy.metadata.name}"


def claimed_by(
    policy: pp_pb.PropagationPolicy | cpp_pb.ClusterPropagationPolicy,
) -> resource_template_pb2.ResourceTemplate:
    template = deployment(labels={"app": "web"})
    label = CPP_PERMANENT_ID_LABEL if isinstance(policy, cpp_pb.ClusterPropagationPolicy) else ""
    permanent_id = policy.metadata.labels[label or PP_PERMANENT_ID_LABEL]
    set_claim(template.metadata, policy_claim(policy, permanent_id))
    return template


CLAIMER = pp("claimer", priority=1)
CLUSTER_CLAIMER = cpp("claimer", priority=1)


@pytest.mark.parametrize(
    ("case", "claimer", "pps", "cpps", "expected", "preempted"),
    [
        ("keeps its policy", CLAIMER, [CLAIMER], [], "PP claimer", False),
        (
            "a better policy without preemption does not take it",
            CLAIMER,
            [CLAIMER, pp("better", selector(name="web"), priority=9)],
            [],
            "PP claimer",
            False,
        ),
        (
            "higher priority with preemption Always takes it",
            CLAIMER,
            [CLAIMER, pp("better", priority=2, preemption="Always")],
            [],
            "PP better",
            True,
        ),
        (
            "equal priority cannot preempt",
            CLAIMER,
            [CLAIMER, pp("aaa", selector(name="web"), priority=1, preemption="Always")],
            [],
            "PP claimer",
            False,
        ),
        (
            "lower priority cannot preempt",
            CLAIMER,
            [CLAIMER, pp("low", priority=0, preemption="Always")],
            [],
            "PP claimer",
            False,
        ),
        (
            "the best preempting policy wins, not the best policy",
            CLAIMER,
            [CLAIMER, pp("top", priority=9), pp("mid", priority=5, preemption="Always")],
            [],
            "PP mid",
            True,
        ),
        (
            "a PP with preemption takes a CPP's template whatever the priorities",
            CLUSTER_CLAIMER,
            [pp("low", priority=-5, preemption="Always")],
            [CLUSTER_CLAIMER],
            "PP low",
            True,
        ),
        (
            "a PP without preemption leaves a CPP's template",
            CLUSTER_CLAIMER,
            [pp("any", priority=50)],
            [CLUSTER_CLAIMER],
            "CPP claimer",
            False,
        ),
        (
            "a CPP preempts a lower CPP",
            CLUSTER_CLAIMER,
            [],
            [CLUSTER_CLAIMER, cpp("higher", priority=3, preemption="Always")],
            "CPP higher",
            True,
        ),
        (
            "a CPP never preempts a PP",
            CLAIMER,
            [CLAIMER],
            [cpp("higher", priority=99, preemption="Always")],
            "PP claimer",
            False,
        ),
    ],
)
def test_claimed_template(
    *,
    case: str,
    claimer: pp_pb.PropagationPolicy | cpp_pb.ClusterPropagationPolicy,
    pps: list[pp_pb.PropagationPolicy],
    cpps: list[cpp_pb.ClusterPropagationPolicy],
    expected: str,
    preempted: bool,
) -> None:
    decision = decide(claimed_by(claimer), pps, cpps)
    assert _name(decision.policy) == expected, case
    assert (decision.preempted is not None) == preempted, case
    assert decision.released is None, case


def _recreated() -> pp_pb.PropagationPolicy:
    policy = pp("claimer", priority=1)
    policy.metadata.labels[PP_PERMANENT_ID_LABEL] = "a-new-id"
    return policy


@pytest.mark.parametrize(
    ("case", "pps", "expected"),
    [
        ("policy deleted, nothing else", [], None),
        ("policy deleted, another matches", [pp("other")], "PP other"),
        ("policy recreated: a new permanent id is another policy", [_recreated()], "PP claimer"),
        ("policy no longer selects it", [pp("claimer", selector(name="api"))], None),
        ("policy being deleted", [_deleting(pp("claimer", priority=1))], None),
    ],
)
def test_stale_claims_are_released(
    case: str, pps: list[pp_pb.PropagationPolicy], expected: str | None
) -> None:
    decision = decide(claimed_by(CLAIMER), pps, [])
    assert _name(decision.policy) == expected, case
    assert decision.released == Claim(
        cluster=False, namespace="ns", name="claimer", permanent_id="id-claimer"
    )


@pytest.mark.parametrize(
    ("namespace", "skipped"),
    [
        ("default", False),
        ("karmada-system", True),
        ("karmada-cluster", True),
        ("karmada-es-member1", True),
        ("kube-system", True),
        ("kube-public", True),
        ("my-kube-apps", False),
        ("karmada-apps", False),
        ("", False),
    ],
)
def test_skipped_namespaces(namespace: str, skipped: bool) -> None:
    assert is_skipped_namespace(namespace) is skipped


def test_cluster_scoped_templates_only_match_cluster_policies() -> None:
    role = template_kind("rbac.authorization.k8s.io/v1", "ClusterRole").new(name="reader")
    sel = pp_pb.ResourceSelector(api_version="rbac.authorization.k8s.io/v1", kind="ClusterRole")
    decision = decide(role, [pp("a", sel, namespace="")], [cpp("c", sel)])
    assert _name(decision.policy) == "CPP c"


def test_selected_kinds_leave_out_typed_kinds() -> None:
    policy = pp(
        "a",
        selector(),
        pp_pb.ResourceSelector(api_version="v1", kind="ConfigMap", name="x"),
        pp_pb.ResourceSelector(api_version="v1", kind="Namespace"),
        pp_pb.ResourceSelector(api_version="multicluster.x-k8s.io/v1alpha1", kind="ServiceExport"),
    )
    assert selected_kinds(policy) == {("apps/v1", "Deployment"), ("v1", "ConfigMap")}


SELECTORS = [
    selector(),
    selector(name="web"),
    selector(name="api"),
    selector(labels={"app": "web"}),
    selector(namespace="other"),
    selector(api_version="apps/v1beta1"),
    selector(kind="StatefulSet", name="web"),
]


@pytest.mark.parametrize("sel", SELECTORS)
@pytest.mark.parametrize("cluster", [False, True])
@pytest.mark.parametrize(
    "template", [deployment(), deployment(name="api"), deployment(namespace="x")]
)
def test_the_selector_index_finds_every_policy_that_matches(
    sel: pp_pb.ResourceSelector, cluster: bool, template: resource_template_pb2.ResourceTemplate
) -> None:
    policy: pp_pb.PropagationPolicy | cpp_pb.ClusterPropagationPolicy = (
        cpp("c", sel) if cluster else pp("p", sel)
    )
    found = set(selector_targets(policy)) & set(template_targets(template, cluster=cluster))
    if policy_specificity(template, policy) != Specificity.MISMATCH:
        assert found, "a matching policy must be found through the index"


def test_the_selector_index_narrows_by_name_kind_and_namespace() -> None:
    web = deployment()
    targets = set(template_targets(web, cluster=False))
    assert set(selector_targets(pp("p", selector(name="web")))) <= targets
    assert set(selector_targets(pp("p", selector(labels={"app": "x"})))) <= targets
    assert not set(selector_targets(pp("p", selector(name="api")))) & targets
    assert not set(selector_targets(pp("p", selector(kind="StatefulSet")))) & targets
    assert not set(selector_targets(pp("p", namespace="x"))) & targets
    assert set(selector_targets(cpp("c", selector(name="web")))) <= set(
        template_targets(web, cluster=True)
    )
