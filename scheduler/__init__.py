"""karmada-scheduler: places every binding on member clusters (filter, score, select, divide)."""
