"""Turning every failure into one line a user can act on, and an exit code."""

from __future__ import annotations

from karmada.machinery import errors

__all__ = ["CliError", "describe"]


class CliError(Exception):
    """A user-facing failure: printed as "error: <message>", exit code `code`."""

    def __init__(self, message: str, *, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def describe(error: BaseException, *, server: str = "") -> str:
    """One line for any error a command can meet."""
    if isinstance(error, CliError):
        return error.message
    if isinstance(error, errors.Invalid):
        if error.violations:
            fields = "; ".join(f"{v.field}: {v.description}" for v in error.violations)
            return f"{error.message}: {fields}"
        return error.message
    if isinstance(error, errors.Unavailable):
        return f"cannot reach the Karmada apiserver at {server or '?'}: {error.message}"
    if isinstance(error, errors.ApiError):
        return error.message
    return f"{type(error).__name__}: {error}"
