"""Entry point of karmada-membersim."""

from __future__ import annotations

import asyncio

from karmada.machinery import logs
from membersim import app, options


def main() -> None:
    opts = options.parse()
    logs.configure(opts.log_level, component="membersim")
    asyncio.run(app.run(opts))


if __name__ == "__main__":
    main()
