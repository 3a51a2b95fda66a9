"""Kubernetes object semantics per kind: validation, defaulting, create/update/delete rules."""
