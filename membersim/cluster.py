"""One simulated cluster: its name, credentials, store and registry.

A `SimCluster` is deliberately small: everything shared between clusters
(the resource catalog, type sets, discovery and OpenAPI documents) lives
outside it, so its cost is the objects it holds. It starts like a fresh
kubeadm cluster with nothing deployed: the default namespaces, its nodes,
and the CRDs a Karmada-managed member has (ServiceExport, ServiceImport).
"""

from __future__ import annotations

import copy
import hmac
import secrets

from membersim import crds, nodes
from membersim import typeset as typesets
from membersim.faults import Faults
from membersim.options import ClusterConfig
from membersim.registry import Registry
from membersim.resources import CUSTOMRESOURCEDEFINITIONS, NAMESPACES, NODES
from membersim.store import Store
from membersim.strategy import now

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class SimCluster:
    """A simulated cluster and the bearer token that grants access to it.

    Args:
        config: its name, labels and nodes.
        history_size: events kept for resuming watches.
        token: the bearer token; a random one if not given.
    """

    __slots__ = ("config", "faults", "registry", "store", "token")

    def __init__(
        self, config: ClusterConfig, *, history_size: int = 1000, token: str | None = None
    ) -> None:
        self.config = config
        self.token = token or secrets.token_urlsafe(32)
        self.store = Store(history_size=history_size)
        self.registry = Registry(self.store, typesets.intern(()))
        # Injected faults (`membersim.faults`); None while there are none.
        self.faults: Faults | None = None

    @property
    def name(self) -> str:
        return self.config.name

    def authorized(self, header: str | None) -> bool:
        """Whether an ``Authorization`` header carries this cluster's bearer token."""
        if not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[len("Bearer ") :].strip().encode(), self.token.encode())

    def bootstrap(self) -> None:
        """Create the default namespaces, the default CRDs and the nodes."""
        for name in DEFAULT_NAMESPACES:
            self.registry.create(NAMESPACES, None, {"metadata": {"name": name}})
        for crd in crds.DEFAULT_CRDS:
            self.registry.create(CUSTOMRESOURCEDEFINITIONS, None, copy.deepcopy(crd))
        timestamp = now()
        for index in range(1, self.config.nodes + 1):
            self.registry.create(NODES, None, nodes.node(self.config, index, timestamp=timestamp))
