"""Entry point of karmada-scheduler."""

from __future__ import annotations

import asyncio

from karmada.machinery import logs
from scheduler import app, options


def main() -> None:
    opts = options.parse()
    logs.configure(opts.common.log_level, component="scheduler")
    asyncio.run(app.run(opts))


if __name__ == "__main__":
    main()
