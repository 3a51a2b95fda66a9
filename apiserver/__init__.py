"""karmada-apiserver: the typed gRPC API over etcd."""
