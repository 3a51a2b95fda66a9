"""Deletion propagation through the official client and kubectl: Orphan, Foreground, Background."""

# The generated models type every field Optional; these tests read them directly.
# mypy: disable-error-code="union-attr, index, arg-type, operator"

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client import ApiException

from tests.integration.membersim.conftest import request
from tests.integration.membersim.test_behaviour import deployment, eventually, pods_of, template
from tests.integration.membersim.test_kubectl import kubectl  # noqa: F401  (a fixture)


def gone(read: object) -> bool:
    assert callable(read)
    try:
        read()
    except ApiException as err:
        if err.status == 404:
            return True
        raise
    return False


def running(
    apps: client.AppsV1Api, core: client.CoreV1Api, namespace: str, name: str
) -> tuple[client.V1ReplicaSet, list[client.V1Pod]]:
    """Create a two-replica Deployment; its ReplicaSet and pods once they exist."""
    apps.create_namespaced_deployment(namespace, deployment(name))

    def ready() -> tuple[client.V1ReplicaSet, list[client.V1Pod]] | None:
        sets = apps.list_namespaced_replica_set(namespace).items
        pods = pods_of(core, namespace, name)
        if len(sets) == 1 and len(pods) == 2:
            return sets[0], pods
        return None

    return eventually(ready)


def test_orphan_keeps_replicaset_and_pods(
    apps: client.AppsV1Api, core: client.CoreV1Api, namespace: str
) -> None:
    rs, pods = running(apps, core, namespace, "orphaned")
    assert [r.kind for r in rs.metadata.owner_references] == ["Deployment"]
    apps.delete_namespaced_deployment(
        "orphaned", namespace, body=client.V1DeleteOptions(propagation_policy="Orphan")
    )
    eventually(lambda: gone(lambda: apps.read_namespaced_deployment("orphaned", namespace)))
    kept = apps.read_namespaced_replica_set(rs.metadata.name, namespace)
    assert kept.metadata.uid == rs.metadata.uid
    assert kept.metadata.deletion_timestamp is None
    assert not kept.metadata.owner_references
    left = pods_of(core, namespace, "orphaned")
    assert {p.metadata.uid for p in left} == {p.metadata.uid for p in pods}
    assert all(p.metadata.owner_references[0].uid == rs.metadata.uid for p in left)


def test_orphan_dependents_legacy_flag(
    apps: client.AppsV1Api, core: client.CoreV1Api, namespace: str
) -> None:
    rs, _ = running(apps, core, namespace, "legacy")
    apps.delete_namespaced_deployment(
        "legacy", namespace, body=client.V1DeleteOptions(orphan_dependents=True)
    )
    eventually(lambda: gone(lambda: apps.read_namespaced_deployment("legacy", namespace)))
    assert not apps.read_namespaced_replica_set(
        rs.metadata.name, namespace
    ).metadata.owner_references


def test_foreground_holds_the_owner_until_dependents_are_gone(
    apps: client.AppsV1Api, core: client.CoreV1Api, namespace: str
) -> None:
    rs, pods = running(apps, core, namespace, "fg")
    held = pods[0].metadata.name
    # A finalizer on one pod holds the whole chain while the test looks at it.
    core.patch_namespaced_pod(held, namespace, {"metadata": {"finalizers": ["example.com/hold"]}})
    apps.delete_namespaced_deployment(
        "fg", namespace, body=client.V1DeleteOptions(propagation_policy="Foreground")
    )
    owner = apps.read_namespaced_deployment("fg", namespace)
    assert owner.metadata.deletion_timestamp is not None
    assert "foregroundDeletion" in owner.metadata.finalizers

    def waiting() -> bool:
        live = core.list_namespaced_pod(namespace).items
        return [p.metadata.name for p in live] == [held] and bool(
            live[0].metadata.deletion_timestamp
        )

    eventually(waiting)
    rs_now = apps.read_namespaced_replica_set(rs.metadata.name, namespace)
    assert rs_now.metadata.deletion_timestamp is not None
    assert "foregroundDeletion" in rs_now.metadata.finalizers
    assert apps.read_namespaced_deployment("fg", namespace).metadata.deletion_timestamp

    core.patch_namespaced_pod(held, namespace, {"metadata": {"finalizers": None}})
    eventually(lambda: gone(lambda: apps.read_namespaced_deployment("fg", namespace)))
    assert apps.list_namespaced_replica_set(namespace).items == []
    assert core.list_namespaced_pod(namespace).items == []


def test_background_deletes_dependents(
    apps: client.AppsV1Api, core: client.CoreV1Api, namespace: str
) -> None:
    running(apps, core, namespace, "bg")
    apps.delete_namespaced_deployment(
        "bg", namespace, body=client.V1DeleteOptions(propagation_policy="Background")
    )
    eventually(
        lambda: (
            not apps.list_namespaced_replica_set(namespace).items
            and not core.list_namespaced_pod(namespace).items
        )
    )


def test_unsupported_policy_is_rejected(apps: client.AppsV1Api, namespace: str) -> None:
    apps.create_namespaced_deployment(namespace, deployment("bad", replicas=0))
    with pytest.raises(ApiException) as err:
        apps.delete_namespaced_deployment(
            "bad", namespace, body=client.V1DeleteOptions(propagation_policy="Sideways")
        )
    assert err.value.status == 422


@pytest.mark.parametrize("cascade", ["orphan", "foreground", "background"])
def test_kubectl_cascade(
    kubectl: object,  # noqa: F811
    apps: client.AppsV1Api,
    core: client.CoreV1Api,
    namespace: str,
    cascade: str,
) -> None:
    run = kubectl
    assert callable(run)
    rs, _ = running(apps, core, namespace, "web")
    out = run("delete", "-n", namespace, "deployment", "web", f"--cascade={cascade}")
    assert out.startswith('deployment.apps "web" deleted')
    eventually(lambda: gone(lambda: apps.read_namespaced_deployment("web", namespace)))
    if cascade == "orphan":
        kept = apps.read_namespaced_replica_set(rs.metadata.name, namespace)
        assert not kept.metadata.owner_references
        assert len(pods_of(core, namespace, "web")) == 2
    else:
        eventually(
            lambda: (
                not apps.list_namespaced_replica_set(namespace).items
                and not core.list_namespaced_pod(namespace).items
            )
        )


def test_policy_as_query_parameter(
    member1: client.ApiClient, apps: client.AppsV1Api, core: client.CoreV1Api, namespace: str
) -> None:
    rs, _ = running(apps, core, namespace, "query")
    path = f"/apis/apps/v1/namespaces/{namespace}/deployments/query?propagationPolicy=Orphan"
    request(member1, "DELETE", path)
    eventually(lambda: gone(lambda: apps.read_namespaced_deployment("query", namespace)))
    assert not apps.read_namespaced_replica_set(
        rs.metadata.name, namespace
    ).metadata.owner_references


def test_job_orphans_its_pods_by_default(
    member1: client.ApiClient, core: client.CoreV1Api, namespace: str
) -> None:
    batch = client.BatchV1Api(member1)
    job_template = template("job")
    job_template.spec.restart_policy = "Never"
    batch.create_namespaced_job(
        namespace,
        client.V1Job(
            metadata=client.V1ObjectMeta(name="job"), spec=client.V1JobSpec(template=job_template)
        ),
    )
    pod = eventually(lambda: next(iter(core.list_namespaced_pod(namespace).items), None))
    batch.delete_namespaced_job("job", namespace)  # no DeleteOptions: batch/v1 orphans
    eventually(lambda: gone(lambda: batch.read_namespaced_job("job", namespace)))
    kept = core.read_namespaced_pod(pod.metadata.name, namespace)
    assert kept.metadata.uid == pod.metadata.uid
    assert not kept.metadata.owner_references
