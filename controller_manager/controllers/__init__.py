"""One module per controller; each exposes NAME and new(ctx)."""
