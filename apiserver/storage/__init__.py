"""Storage on etcd: client, compare-and-swap store, watch cache, compaction, embedded etcd."""
