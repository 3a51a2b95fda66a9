"""Entry point of `make bench`: ``python -m bench [--runs N] [--duration S] [--only ...]``."""

from __future__ import annotations

import asyncio
import logging

from bench import runner


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    settings, names, write_docs = runner.parse()
    asyncio.run(runner.main(settings, names, write_docs=write_docs))


if __name__ == "__main__":
    main()
