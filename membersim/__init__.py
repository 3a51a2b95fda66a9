"""karmada-membersim: simulated member clusters speaking the Kubernetes REST API.

No Kubernetes cluster can run where this project is developed and tested, yet
every flow of the control plane ends in member clusters. This package stands
in for them: one process serves many small clusters, each under its own base
URL, well enough that the official ``kubernetes`` client and ``kubectl``
cannot tell it from a real (small) cluster. It is the project's one
stand-in, and it keeps its objects in memory because it simulates
kube-apiserver, not the control plane's etcd.

Layers, bottom up: pure data handling (``routing``, ``fieldselector``,
``mergepatch``, ``jsonpatch``, ``strategicpatch``), the resource catalog and
per-cluster type sets (``resources``, ``typeset``, ``crds``), the versioned
in-memory store with watch history (``store``), Kubernetes object semantics
over it (``registry``), and the HTTP surface (``server``, ``handlers``,
``watch``, ``discovery``, ``openapi``, ``tables``).
"""
