"""Entry point of karmada-controller-manager."""

from __future__ import annotations

import asyncio
import sys

from controller_manager import app, options
from controller_manager.registry import enabled
from karmada.machinery import logs


def main() -> None:
    opts = options.parse()
    try:
        enabled(opts.controllers)
    except ValueError as error:
        print(f"karmada-controller-manager: --controllers: {error}", file=sys.stderr)
        sys.exit(2)
    logs.configure(opts.common.log_level, component="controller-manager")
    asyncio.run(app.run(opts))


if __name__ == "__main__":
    main()
