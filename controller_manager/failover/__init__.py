"""Cluster failover's pure logic: when a binding leaves a tainted cluster, and when its old copy goes.

The taint manager (`controllers/taint_manager.py`) and the graceful eviction
controller (`controllers/graceful_eviction.py`) only read informers and write
bindings; the decisions they act on live here, free of I/O and clocks:
`taints` (NoExecute taints against a placement's tolerations), `tasks`
(graceful eviction tasks: building one, deciding when it ends) and
`ratelimit` (how fast evictions may go).
"""
