"""Entry point of karmadactl."""

from __future__ import annotations

import asyncio
import sys

from karmadactl import cli


def main() -> None:
    sys.exit(asyncio.run(cli.main(sys.argv[1:])))


if __name__ == "__main__":
    main()
