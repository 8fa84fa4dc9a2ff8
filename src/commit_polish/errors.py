"""One exception family; each class carries the exit code the edges report.

Exit codes (documented in the README):
  0  success (also when every model failed and the deterministic message was used)
  1  unexpected internal error (a bug: please report it)
  2  usage or configuration error (a setting, a flag, the event file)
  3  input error (the diff or the git range cannot be read)
  4  every model failed and the caller asked for failure (fail-on-error)
  5  GitHub refused or failed a request
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .records import Attempt


class CommitPolishError(Exception):
    """Base of every error we raise on purpose; `exit_code` is what the CLI returns."""

    exit_code = 1
    title = "commit-polish failed"

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}\nFix: {self.fix}" if self.fix else self.message


class ConfigError(CommitPolishError):
    """A setting, flag or input is wrong; the message names it, its source and the fix."""

    exit_code = 2
    title = "commit-polish: bad configuration"


class InputError(CommitPolishError):
    """The diff or the git range could not be read or parsed."""

    exit_code = 3
    title = "commit-polish: unreadable input"


class EmptyDiffError(InputError):
    title = "commit-polish: empty diff"


class AllModelsFailedError(CommitPolishError):
    """No model gave a usable answer; `attempts` says what each one did."""

    exit_code = 4
    title = "commit-polish: every model failed"

    def __init__(
        self, message: str, *, fix: str | None = None, attempts: tuple[Attempt, ...] = ()
    ) -> None:
        super().__init__(message, fix=fix)
        self.attempts = attempts


class GitHubError(CommitPolishError):
    exit_code = 5
    title = "commit-polish: GitHub request failed"


class ServeError(CommitPolishError):
    """The embedded model server could not be found, assembled or started."""

    exit_code = 2
    title = "commit-polish: local model server"
