"""The scheduling framework: cluster snapshots, plugin interfaces, the plugin registry and runner."""
