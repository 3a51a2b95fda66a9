"""Connection settings for a member: kubeconfig (file or content) or in-cluster.

The control plane gets a member's kubeconfig as the content of a Secret, an
agent runs inside its member with a service account, and tools use a file;
all three end as a ``kubernetes.aio.client.Configuration`` built by the
official client's own loaders, so contexts, client certificates, tokens,
exec plugins and ``insecure-skip-tls-verify`` behave as in kubectl.

`ClientOptions` are our limits on top: every call has a timeout and each
member a bounded number of calls in flight, so one slow member cannot stall
a controller that serves all of them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from kubernetes.aio.client import Configuration
from kubernetes.aio.config import ConfigException, load_kube_config, load_kube_config_from_dict
from kubernetes.aio.config.incluster_config import load_incluster_config

from karmada.member.errors import ConfigError

Kubeconfig = str | bytes | Mapping[str, Any]


@dataclass(frozen=True)
class ClientOptions:
    """Limits and tunables of a member client.

    Attributes:
        timeout: seconds any one call may take, including the wait for a slot.
        max_in_flight: concurrent calls per member (health probes have their own slot).
        conflict_retries: attempts of apply's read-modify-write on HTTP 409.
        watch_timeout: seconds the member keeps one watch request open.
        page_size: items per page when listing.
        user_agent: sent with every request.
    """

    timeout: float = 10.0
    max_in_flight: int = 8
    conflict_retries: int = 5
    watch_timeout: float = 300.0
    page_size: int = 500
    user_agent: str = "karmada-py-member-client/0.1"

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if self.max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        if self.conflict_retries < 1:
            raise ValueError("conflict_retries must be at least 1")
        if self.watch_timeout < 1:
            raise ValueError("watch_timeout must be at least 1 second")
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")


def _decode(kubeconfig: Kubeconfig, *, cluster: str) -> dict[str, Any]:
    if isinstance(kubeconfig, Mapping):
        return dict(kubeconfig)
    try:
        loaded = yaml.safe_load(kubeconfig)
    except yaml.YAMLError as e:
        raise ConfigError(cluster, f"kubeconfig is not valid YAML: {e}") from None
    if not isinstance(loaded, dict):
        raise ConfigError(cluster, "kubeconfig is not a YAML mapping")
    return loaded


def digest(kubeconfig: Kubeconfig, *, context: str | None = None) -> str:
    """A digest of the credentials, to tell when a member's kubeconfig changed."""
    if isinstance(kubeconfig, Mapping):
        # JSON, not YAML: this runs on every client lookup and YAML dumping is slow.
        data = json.dumps(kubeconfig, sort_keys=True, default=str).encode()
    elif isinstance(kubeconfig, str):
        data = kubeconfig.encode()
    else:
        data = bytes(kubeconfig)
    return hashlib.sha256(data + b"\0" + (context or "").encode()).hexdigest()


async def from_kubeconfig(
    kubeconfig: Kubeconfig, *, context: str | None = None, cluster: str = ""
) -> Configuration:
    """A configuration from kubeconfig content (YAML text, bytes, or a parsed mapping)."""
    configuration = Configuration()
    try:
        await load_kube_config_from_dict(  # type: ignore[no-untyped-call]
            _decode(kubeconfig, cluster=cluster),
            context=context,
            client_configuration=configuration,
        )
    except (ConfigException, KeyError, TypeError, ValueError) as e:
        raise ConfigError(cluster, f"unusable kubeconfig: {e}") from None
    return configuration


async def from_kubeconfig_file(
    path: str | os.PathLike[str], *, context: str | None = None, cluster: str = ""
) -> Configuration:
    """A configuration from a kubeconfig file."""
    configuration = Configuration()
    try:
        await load_kube_config(  # type: ignore[no-untyped-call]
            config_file=os.fspath(path),
            context=context,
            client_configuration=configuration,
            persist_config=False,
        )
    except (ConfigException, OSError, KeyError, TypeError, ValueError) as e:
        raise ConfigError(cluster, f"unusable kubeconfig {os.fspath(path)}: {e}") from None
    return configuration


def in_cluster(*, cluster: str = "") -> Configuration:
    """A configuration from the pod's service account (token re-read as it rotates)."""
    configuration = Configuration()
    try:
        load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    except ConfigException as e:
        raise ConfigError(cluster, f"not running in a cluster: {e}") from None
    return configuration
