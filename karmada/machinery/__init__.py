"""Shared control-plane machinery: API errors, scheme, clients, informers and work queues."""
