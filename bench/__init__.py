"""Benchmarks of the apiserver against the raw ceilings of its building blocks.

`make bench` (``python -m bench``) starts real etcd and apiserver processes,
measures creates, gets, lists, watch delivery and watch fan-out through the
apiserver, measures the same operations against etcd directly (and a bare
grpc.aio stream server) in the same run, and writes the medians to
bench/results/ and docs/benchmarks.md.
"""
