"""The error kinds of SPEC §4, each with its exit code.

Library code raises these; the command layer turns them into a message on
stderr (and a JSON object on stdout with --json) and the exit code. Nothing
else may escape to the user as a traceback.
"""

from __future__ import annotations


class GradcliError(Exception):
    """Base of every error gradcli reports to a user."""

    kind = "usage"
    exit_code = 2

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def full_message(self) -> str:
        """The message and, when there is one, the hint, as one paragraph."""
        if self.hint:
            return f"{self.message}\n{self.hint}"
        return self.message

    def to_json(self) -> dict:
        return {"error": {"kind": self.kind, "message": self.full_message()}}


class GradSyntaxError(GradcliError):
    """The program does not parse (an empty program too)."""

    kind = "syntax"


class GradNameError(GradcliError):
    """Unknown function, missing or unknown variable, bad assignment."""

    kind = "name"


class GradValueError(GradcliError):
    """A bad binding value, or bad data in a file."""

    kind = "value"


class GradMathError(GradcliError):
    """The mathematics failed: a domain error, overflow, a non-finite value."""

    kind = "math"
    exit_code = 3


class GradUsageError(GradcliError):
    """A bad option or an unreadable file."""

    kind = "usage"


class CheckFailed(GradcliError):
    """A check the user asked for failed (exit 1)."""

    kind = "check"
    exit_code = 1
