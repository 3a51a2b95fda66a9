"""Regenerates the reference pages in docs/ from the code: API, flags, metrics.

`make docs` writes them; `make check-docs` (part of `make lint`) regenerates
them in memory and fails, naming each stale file and showing the diff, when
what is committed differs, so the protos' comments, the argument parsers and
the registered metrics stay the one source of each page.

Usage: python hack/gen_docs.py [--check]
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable
from pathlib import Path

import docs_api
import docs_flags
import docs_metrics

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

PAGES: dict[str, Callable[[], str]] = {
    "api.md": lambda: docs_api.render(ROOT / "protos"),
    "configuration.md": docs_flags.render,
    "metrics.md": docs_metrics.render,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hack/gen_docs.py", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a page is stale")
    args = parser.parse_args(argv)
    stale = []
    for name, render in PAGES.items():
        path = DOCS / name
        fresh = render()
        current = path.read_text() if path.exists() else ""
        if fresh == current:
            continue
        if not args.check:
            path.write_text(fresh)
            print(f"wrote docs/{name}")
            continue
        stale.append(name)
        diff = difflib.unified_diff(
            current.splitlines(keepends=True),
            fresh.splitlines(keepends=True),
            f"docs/{name} (committed)",
            f"docs/{name} (generated)",
            n=1,
        )
        sys.stdout.writelines(list(diff)[:60])
    if stale:
        print(f"stale: {', '.join(f'docs/{n}' for n in stale)}; run `make docs` and commit")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
