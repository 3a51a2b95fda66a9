"""`karmadactl promote KIND NAME [-n NS] -C CLUSTER`: adopt an object already in a member.

Karmada's promote (pkg/karmadactl/promote): read the object from the member
(reached with the credentials the control plane holds, as the controllers
reach it), strip what the member's apiserver filled in (Karmada's prune:
server metadata, status, a Service's clusterIP, a Job's generated selector,
...), and create in the control plane

* a PropagationPolicy (a ClusterPropagationPolicy for cluster-scoped kinds)
  named as Karmada names it (`policy_name`: ``<name>-<hash of namespace and
  GVK>``), selecting exactly that object and placing it on CLUSTER, with
  ``conflictResolution: Overwrite``;
* the resource template, annotated ``work.karmada.io/conflict-resolution:
  overwrite`` as Karmada does.

The policy goes first, so no broader policy can claim the template in
between. The execution controller then finds the member object and updates
it in place, marking it managed: adopted, not duplicated. ``-o yaml|json``
prints the two objects instead, ``--dry-run`` writes nothing. Prints
``Resource "apps/v1, Resource=deployments"(default/nginx) is promoted
successfully``.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
from typing import Any

import yaml
from google.protobuf.message import Message

from karmada.core.v1 import resource_template_pb2
from karmada.machinery import errors
from karmada.machinery.scheme import (
    CLUSTER_PROPAGATION_POLICY,
    PROPAGATION_POLICY,
    kind_of,
    split_api_version,
    template_kind,
)
from karmada.member import MemberError, NoKindMatch, NotFound, ResourceInfo
from karmada.member.marks import CONFLICT_RESOLUTION_ANNOTATION
from karmada.names import fnv32a, safe_encode
from karmada.templates import to_template
from karmadactl.clusters import member_client, member_failure
from karmadactl.context import Context
from karmadactl.errors import CliError
from karmadactl.kinds import resolve
from karmadactl.objects import to_dict

__all__ = ["HELP", "NAME", "add_arguments", "build_policy", "policy_name", "prune", "run"]

NAME = "promote"
HELP = "Promote a resource from a member cluster to the control plane, with a policy"

OVERWRITE = "Overwrite"
_REVISION_ANNOTATIONS = (
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
)
_JOB_LABELS = (
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
)
_SELECTED_NODE = "volume.kubernetes.io/selected-node"
_SA_UID = "kubernetes.io/service-account.uid"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "kind", metavar="KIND", help="the kind, e.g. deployment, deployment.v1.apps"
    )
    parser.add_argument("name", metavar="NAME", help="the object's name")
    parser.add_argument("-C", "--cluster", default="", help="the member cluster it is in")
    parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")


def gvk_string(api_version: str, kind: str) -> str:
    """schema.GroupVersionKind.String(): "apps/v1, Kind=Deployment", "/v1, Kind=ConfigMap"."""
    group, version = split_api_version(api_version)
    return f"{group}/{version}, Kind={kind}"


def policy_name(namespace: str, name: str, gvk: str) -> str:
    """Karmada's names.GeneratePolicyName: lower("<name>-<SafeEncode(fnv32a(ns+gvk))>")
    with ":" made "." (RBAC names), hashed as hashutil.DeepHashObject prints a string."""
    text = namespace + gvk
    printed = '(string)"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    suffix = safe_encode(str(fnv32a(printed.encode())))
    return f"{name.replace(':', '.')}-{suffix}".lower()


def prune(manifest: dict[str, Any]) -> dict[str, Any]:
    """A copy without what the member's apiserver and controllers filled in (Karmada's
    prune.RemoveIrrelevantFields); metadata beyond name, namespace, labels and
    annotations and the status are left out by `to_template` itself."""
    out = copy.deepcopy(manifest)
    kind = out.get("kind")
    metadata = out.setdefault("metadata", {})
    annotations: dict[str, Any] = metadata.get("annotations") or {}
    spec: dict[str, Any] = out.get("spec") or {}
    if kind == "Deployment":
        for key in _REVISION_ANNOTATIONS:
            annotations.pop(key, None)
    elif kind == "Service" and spec.get("clusterIP") not in (None, "None"):
        spec.pop("clusterIP", None)
        spec.pop("clusterIPs", None)
    elif kind == "Job" and not spec.get("manualSelector"):
        for labels in (
            (spec.get("selector") or {}).get("matchLabels"),
            ((spec.get("template") or {}).get("metadata") or {}).get("labels"),
        ):
            for key in _JOB_LABELS:
                if isinstance(labels, dict):
                    labels.pop(key, None)
    elif kind == "ServiceAccount" and isinstance(out.get("secrets"), list):
        token = f"{metadata.get('name', '')}-token-"
        out["secrets"] = [s for s in out["secrets"] if not str(s.get("name", "")).startswith(token)]
    elif kind == "Secret" and out.get("type") == "kubernetes.io/service-account-token":
        annotations.pop(_SA_UID, None)
        out.pop("data", None)
    elif kind == "PersistentVolumeClaim":
        annotations.pop(_SELECTED_NODE, None)
    if "annotations" in metadata:
        metadata["annotations"] = annotations
    return out


def build_policy(info: ResourceInfo, name: str, namespace: str, cluster: str) -> Message:
    """The (Cluster)PropagationPolicy placing exactly this object on `cluster`, adopting it."""
    policy_kind = PROPAGATION_POLICY if namespace else CLUSTER_PROPAGATION_POLICY
    policy: Any = policy_kind.new(
        name=policy_name(namespace, name, gvk_string(info.api_version, info.kind)),
        namespace=namespace,
    )
    policy.spec.resource_selectors.add(api_version=info.api_version, kind=info.kind, name=name)
    policy.spec.placement.cluster_affinity.cluster_names.append(cluster)
    policy.spec.conflict_resolution = OVERWRITE
    message: Message = policy
    return message


def _template(manifest: dict[str, Any], namespace: str) -> resource_template_pb2.ResourceTemplate:
    template = to_template(prune(manifest))
    template.metadata.namespace = namespace
    annotations = template.metadata.annotations
    if CONFLICT_RESOLUTION_ANNOTATION not in annotations:
        annotations[CONFLICT_RESOLUTION_ANNOTATION] = "overwrite"
    return template


def _print(objects: list[Message], output: str) -> None:
    dicts = [to_dict(obj) for obj in objects]
    if output == "json":
        for item in dicts:
            print(json.dumps(item, indent=4))
    else:
        print("---\n".join(yaml.safe_dump(item, sort_keys=False) for item in dicts), end="")


async def _read(ctx: Context, args: argparse.Namespace) -> tuple[ResourceInfo, dict[str, Any]]:
    """The object in the member, and how the member serves its kind."""
    kind = resolve(args.kind)
    if not kind.template:
        raise CliError(
            f"cannot promote {kind.kind}: only Kubernetes resources (resource templates) can "
            "be promoted, not the control plane's own kinds"
        )
    member = await member_client(ctx, args.cluster)
    try:
        try:
            info = await member.resolve(kind.api_version, kind.kind)
        except NoKindMatch:
            raise CliError(
                f"cluster {args.cluster} does not serve {kind.api_version} {kind.kind}"
            ) from None
        namespace = ctx.namespace if info.namespaced else ""
        obj = await member.get(info.api_version, info.kind, args.name, namespace=namespace)
    except NotFound:
        resource = f"{info.resource}.{info.group}" if info.group else info.resource
        raise CliError(
            f'failed to get resource in cluster({args.cluster}): {resource} "{args.name}" not found'
        ) from None
    except MemberError as error:
        raise member_failure(args.cluster, error) from None
    finally:
        await member.close()
    return info, obj


async def _create(ctx: Context, policy: Any, template: Message) -> None:
    """The policy, then the template; the policy is taken back if the template fails."""
    kind = kind_of(policy)
    meta = policy.metadata
    label = (
        f"{kind.kind}({meta.namespace}/{meta.name})"
        if meta.namespace
        else f"{kind.kind}({meta.name})"
    )
    try:
        await ctx.client.create(policy)
    except errors.AlreadyExists:
        raise CliError(f"the {label} already exist, please edit it to propagate resource") from None
    try:
        await ctx.client.create(template)
    except BaseException:
        with contextlib.suppress(errors.ApiError):
            await ctx.client.delete(kind, meta.name, meta.namespace)
        raise


async def run(ctx: Context, args: argparse.Namespace) -> int:
    if not args.cluster:
        raise CliError("the cluster cannot be empty (-C CLUSTER)")
    info, obj = await _read(ctx, args)
    namespace = str((obj.get("metadata") or {}).get("namespace") or "")
    template = _template(obj, namespace)
    policy = build_policy(info, args.name, namespace, args.cluster)
    if ctx.output in ("yaml", "json"):
        _print([template, policy], ctx.output)
        return 0
    gvr = f'"{info.group}/{info.version}, Resource={info.resource}"'
    where = f"{namespace}/{args.name}" if namespace else args.name
    try:
        await ctx.client.get(template_kind(info.api_version, info.kind), args.name, namespace)
    except errors.NotFound:
        pass
    else:
        print(
            f"Resource {gvr}({where}) already exist in karmada control plane, you can edit "
            "PropagationPolicy and OverridePolicy to propagate it"
        )
        return 0
    if not args.dry_run:
        await _create(ctx, policy, template)
        print(f"Resource {gvr}({where}) is promoted successfully")
    return 0
