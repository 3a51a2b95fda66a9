"""Entry point of karmada-apiserver."""

from __future__ import annotations

import asyncio

from apiserver import app, options
from karmada.machinery import logs


def main() -> None:
    opts = options.parse()
    logs.configure(opts.log_level, component="apiserver")
    asyncio.run(app.run(opts))


if __name__ == "__main__":
    main()
