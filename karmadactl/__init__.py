"""karmadactl: what a user types — YAML files in, tables out."""
