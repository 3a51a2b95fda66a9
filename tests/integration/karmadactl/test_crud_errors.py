"""Every bad input to apply/get/describe/wait/delete: one "error:" line on stderr, exit 1.

Driven through the real `python -m karmadactl` against the session's real
apiserver (no controllers needed: the errors come from the CLI itself or from
the apiserver's validation).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.integration.karmadactl.crud_support import Result, karmadactl
from tests.support.processes import ApiServerProcess

POLICY_WITHOUT_SELECTORS = """\
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: no-selectors
spec:
  placement:
    clusterAffinity:
      clusterNames: [member1]
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  level: debug
"""


def one_error(result: Result) -> str:
    """The single stderr line of a failed command."""
    assert result.code != 0, result
    assert len(result.errors) == 1, result.stderr
    (line,) = result.errors
    assert line.startswith("error: "), line
    return line


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


async def test_bad_yaml_names_the_line(
    apiserver: ApiServerProcess, tmp_path: Path, home: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONFIGMAP + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n")
    result = await karmadactl(apiserver.address, home, "apply", "-f", str(bad))
    assert one_error(result) == (
        f"error: {bad}:11: invalid YAML: while parsing a flow sequence: expected ',' or ']', "
        "but got '<stream end>'"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ("get", "gizmos"),
        ("get", "gizmos/one"),
        ("describe", "gizmos", "one"),
        ("delete", "gizmos", "one"),
        ("wait", "gizmos", "one", "--for=delete"),
    ],
)
async def test_unknown_kind(apiserver: ApiServerProcess, home: Path, args: tuple[str, ...]) -> None:
    result = await karmadactl(apiserver.address, home, *args)
    assert one_error(result) == 'error: the server doesn\'t have a resource type "gizmos"'


async def test_validation_error_names_the_field_and_its_line(
    apiserver: ApiServerProcess, namespace: str, tmp_path: Path, home: Path
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY_WITHOUT_SELECTORS)
    result = await karmadactl(apiserver.address, home, "-n", namespace, "apply", "-f", str(path))
    assert one_error(result) == (
        f"error: {path}:5: PropagationPolicy {namespace}/no-selectors is invalid: "
        "spec.resourceSelectors: Required value: at least one resource selector is required"
    )


async def test_unknown_field_names_the_field_and_its_line(
    apiserver: ApiServerProcess, tmp_path: Path, home: Path
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        POLICY_WITHOUT_SELECTORS.replace("clusterNames:", "clusterNamez:").replace(
            "name: no-selectors", "name: typo"
        )
    )
    result = await karmadactl(apiserver.address, home, "apply", "-f", str(path))
    assert one_error(result) == (
        f'error: {path}:8: PropagationPolicy typo: unknown field "spec.placement.clusterAffinity.clusterNamez"'
    )


async def test_a_bad_document_does_not_stop_the_others(
    apiserver: ApiServerProcess, namespace: str, tmp_path: Path, home: Path
) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text(POLICY_WITHOUT_SELECTORS + "---\n" + CONFIGMAP)
    result = await karmadactl(apiserver.address, home, "-n", namespace, "apply", "-f", str(path))
    assert "is invalid: spec.resourceSelectors" in one_error(result)
    assert result.lines == ["configmap/settings created"]


async def test_unreachable_server_within_the_timeout(home: Path) -> None:
    started = time.monotonic()
    result = await karmadactl("127.0.0.1:1", home, "--timeout", "2s", "get", "clusters")
    elapsed = time.monotonic() - started
    line = one_error(result)
    assert line.startswith("error: cannot reach the Karmada apiserver at 127.0.0.1:1"), line
    assert elapsed < 20, elapsed


async def test_missing_file(apiserver: ApiServerProcess, tmp_path: Path, home: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    for command in ("apply", "delete"):
        result = await karmadactl(apiserver.address, home, command, "-f", str(missing))
        assert one_error(result) == f"error: the path '{missing}' does not exist"


async def test_namespace_in_the_file_conflicts_with_n(
    apiserver: ApiServerProcess, tmp_path: Path, home: Path
) -> None:
    path = tmp_path / "cm.yaml"
    path.write_text(CONFIGMAP.replace("  name: settings", "  name: settings\n  namespace: team-a"))
    result = await karmadactl(apiserver.address, home, "-n", "team-b", "apply", "-f", str(path))
    assert one_error(result) == (
        f'error: {path}:1: the namespace from the provided object "team-a" does not match the '
        'namespace "team-b". You must pass "--namespace=team-a" to perform this operation.'
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("get", "deploy", "nothing"), 'deployments.apps "nothing" not found'),
        (("get", "pp/nothing"), 'propagationpolicies.policy.karmada.io "nothing" not found'),
        (("describe", "cm", "nothing"), 'configmaps "nothing" not found'),
        (("delete", "cluster", "nothing"), 'clusters.cluster.karmada.io "nothing" not found'),
        (
            ("wait", "rb", "nothing", "--for=condition=Scheduled"),
            'resourcebindings.work.karmada.io "nothing" not found',
        ),
    ],
)
async def test_not_found(
    apiserver: ApiServerProcess, home: Path, args: tuple[str, ...], message: str
) -> None:
    result = await karmadactl(apiserver.address, home, *args)
    assert one_error(result) == f"error: {message}"


async def test_wait_times_out(apiserver: ApiServerProcess, home: Path) -> None:
    result = await karmadactl(
        apiserver.address, home, "wait", "ns", "default", "--for=condition=Sunny", "--timeout=1s"
    )
    assert one_error(result) == "error: timed out waiting for the condition on namespace/default"


async def test_bad_condition(apiserver: ApiServerProcess, home: Path) -> None:
    result = await karmadactl(apiserver.address, home, "wait", "ns", "default", "--for=sunny")
    assert one_error(result).startswith("error: unrecognized condition: 'sunny'")


async def test_delete_ignore_not_found(apiserver: ApiServerProcess, home: Path) -> None:
    result = await karmadactl(
        apiserver.address, home, "delete", "cm", "nothing", "--ignore-not-found"
    )
    assert (result.code, result.stdout, result.stderr) == (0, "", "")
