"""Entry point of karmadactl; not implemented yet, so it says so and exits 2."""

from __future__ import annotations

import sys


def main() -> None:
    print("karmadactl: not implemented yet", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
