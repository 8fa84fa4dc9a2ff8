"""One exception family; each class carries the exit code the edges report.

`ExitCode` is the one table of exit codes: the CLI's `--help` is generated from it and a test
holds the README's table to it.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commit_polish.records import Attempt


class ExitCode(IntEnum):
    """What the process's exit status means; `meaning` is the line the docs show."""

    OK = 0
    INTERNAL = 1
    CONFIG = 2
    INPUT = 3
    ALL_MODELS_FAILED = 4
    GITHUB = 5
    INTERRUPTED = 130

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "a message was printed (also the diff-built one when every model failed)",
    ExitCode.INTERNAL: "internal error: a bug, please report it",
    ExitCode.CONFIG: "bad configuration or flags (the message names the setting and the fix)",
    ExitCode.INPUT: "the diff or git range cannot be read (empty, malformed, unknown ref)",
    ExitCode.ALL_MODELS_FAILED: "every model failed and `--fail-on-error` was given",
    ExitCode.GITHUB: "GitHub refused or failed a request (the Action, with `fail-on-error`)",
    ExitCode.INTERRUPTED: "interrupted",
}


class CommitPolishError(Exception):
    """Base of every error we raise on purpose; `exit_code` is what the CLI returns."""

    exit_code: ExitCode = ExitCode.INTERNAL
    title = "commit-polish failed"

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}\nFix: {self.fix}" if self.fix else self.message


class ConfigError(CommitPolishError):
    """A setting, flag or input is wrong; the message names it, its source and the fix."""

    exit_code = ExitCode.CONFIG
    title = "commit-polish: bad configuration"


class InputError(CommitPolishError):
    """The diff or the git range could not be read or parsed."""

    exit_code = ExitCode.INPUT
    title = "commit-polish: unreadable input"


class EmptyDiffError(InputError):
    title = "commit-polish: empty diff"


class AllModelsFailedError(CommitPolishError):
    """No model gave a usable answer; `attempts` says what each one did."""

    exit_code = ExitCode.ALL_MODELS_FAILED
    title = "commit-polish: every model failed"

    def __init__(
        self, message: str, *, fix: str | None = None, attempts: tuple[Attempt, ...] = ()
    ) -> None:
        super().__init__(message, fix=fix)
        self.attempts = attempts


class GitHubError(CommitPolishError):
    exit_code = ExitCode.GITHUB
    title = "commit-polish: GitHub request failed"


class ServeError(CommitPolishError):
    """The embedded model server could not be found, assembled or started."""

    exit_code = ExitCode.CONFIG
    title = "commit-polish: local model server"
