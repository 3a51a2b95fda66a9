"""--timeout takes kubectl durations; whether it was given changes what waiting commands do."""

from __future__ import annotations

import argparse

import pytest

from karmadactl.context import DEFAULT_TIMEOUT, Context, add_global_flags, duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30", 30.0), ("2.5", 2.5), ("30s", 30.0), ("1m30s", 90.0), ("500ms", 0.5), ("2h", 7200.0)],
)
def test_duration(text: str, seconds: float) -> None:
    assert duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "10x", "1m 30s", "-5s", "0", "s"])
def test_bad_duration(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        duration(text)


def parse(*argv: str) -> Context:
    root = argparse.ArgumentParser()
    add_global_flags(root)
    sub = root.add_subparsers(dest="command")
    command = sub.add_parser("wait")
    add_global_flags(command, repeated=True)
    return Context.from_args(root.parse_args(["--server", "x:1", *argv]))


@pytest.mark.parametrize(
    ("argv", "timeout", "given"),
    [
        (("wait",), DEFAULT_TIMEOUT, False),
        (("--timeout", "5s", "wait"), 5.0, True),
        (("wait", "--timeout", "1m"), 60.0, True),
    ],
)
def test_timeout_given_before_or_after_the_command(
    argv: tuple[str, ...], timeout: float, given: bool
) -> None:
    ctx = parse(*argv)
    assert (ctx.timeout, ctx.timeout_given) == (timeout, given)
