"""Running the real `python -m karmadactl` as a user would, for the apply/get/describe/wait/delete tests.

Each call is a subprocess with its own HOME, so a config file written by
`make run` on the machine cannot leak in, and with a deadline, after which
the process is killed and the test fails.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

__all__ = ["REPO", "Result", "finish", "karmadactl", "start"]


@dataclass(frozen=True, slots=True)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    @property
    def errors(self) -> list[str]:
        return self.stderr.splitlines()


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KARMADA", "KARMADACTL"))}
    env["HOME"] = str(home)
    return env


async def start(
    server: str, home: Path, *args: str, stdin: bool = False
) -> asyncio.subprocess.Process:
    """`karmadactl --server SERVER ARGS...`, started (for commands run alongside others)."""
    home.mkdir(parents=True, exist_ok=True)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "karmadactl",
        "--server",
        server,
        *args,
        stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO,
        env=_environment(home),
    )


async def finish(
    process: asyncio.subprocess.Process, *, stdin: str | None = None, timeout: float = 60.0
) -> Result:
    """Waits for a started command (feeding `stdin`) and returns what it printed."""
    try:
        out, err = await asyncio.wait_for(
            process.communicate(stdin.encode() if stdin is not None else None), timeout
        )
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"karmadactl did not finish within {timeout}s") from None
    assert process.returncode is not None
    return Result(process.returncode, out.decode(), err.decode())


async def karmadactl(
    server: str, home: Path, *args: str, stdin: str | None = None, timeout: float = 60.0
) -> Result:
    """Runs one command to completion."""
    process = await start(server, home, *args, stdin=stdin is not None)
    return await finish(process, stdin=stdin, timeout=timeout)
