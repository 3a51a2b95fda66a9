"""Kubeconfig files, one per simulated cluster, as a real cluster's admin would get.

Each file names the cluster's URL (``https://HOST:PORT/clusters/<name>``),
the simulator's CA and the cluster's bearer token, in the plain forms
(``certificate-authority-data``, ``token``) that the official client,
kubectl and the control plane's member client all read. A file left by an
earlier run lends its token to the next one (`existing_token`), so
credentials handed to a control plane survive a simulator restart.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import yaml


def path_for(directory: Path, name: str) -> Path:
    return directory / f"{name}.kubeconfig"


def render(name: str, server: str, token: str, ca_pem: bytes) -> dict[str, Any]:
    """The kubeconfig document for one cluster; context, cluster and user share its name."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": name,
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode(),
                },
            }
        ],
        "users": [{"name": name, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
        "preferences": {},
    }


def write(directory: Path, name: str, *, server: str, token: str, ca_pem: bytes) -> Path:
    """Write ``<directory>/<name>.kubeconfig`` atomically, mode 0600 (it holds a credential)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = path_for(directory, name)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        yaml.safe_dump(render(name, server, token, ca_pem), out, sort_keys=False)
    tmp.replace(path)
    return path


def existing_token(directory: Path, name: str) -> str | None:
    """The token in a kubeconfig an earlier run wrote for `name`, if readable."""
    try:
        doc = yaml.safe_load(path_for(directory, name).read_text())
        token = doc["users"][0]["user"]["token"]
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return None
    return token if isinstance(token, str) and token else None
