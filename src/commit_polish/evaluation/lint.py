"""The commit-message linters a maintainer's CI may run, over `commit-polish eval`'s messages.

Both are optional, and each runs once per eval over every message:

- commitlint with `@commitlint/config-conventional` (npm, `package.json`), in one node process
  (`commitlint.mjs`): node's start-up (about 0.5 s) is paid once, not per message;
- gitlint's default rules (PyPI `gitlint-core`), in this process through its Python API (its
  command line lints one message per process, 0.2-0.3 s each). Rule B6 (body-is-missing) is
  off: a subject alone is a whole squash message, as GitHub's own default for a PR without a
  description is; a body that is there must still pass the body rules (B1-B5).

A linter that is not installed gives None, which the summary shows as "n/a", never as 0.
An empty message passes neither: commitlint's API would call it valid (its command line
refuses empty input), but there is nothing to merge.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COMMITLINT_SCRIPT = Path(__file__).with_name("commitlint.mjs")
COMMITLINT_PACKAGES = ("@commitlint/lint", "@commitlint/config-conventional")
GITLINT_IGNORE = ("B6",)
_TIMEOUT = 300.0


@dataclass(frozen=True, slots=True)
class Pair:
    """One case's two messages: ours and the maintainers' (the reference)."""

    id: str
    ours: str
    reference: str
    conventional: bool


@dataclass(frozen=True, slots=True)
class Verdicts:
    """Per case id, whether (ours, the maintainers') pass; None where the linter is absent.

    commitlint holds the conventional cases only: it checks the Conventional-Commits form,
    which plain-style repositories do not use."""

    commitlint: Mapping[str, tuple[bool, bool]] | None
    gitlint: Mapping[str, tuple[bool, bool]] | None


ABSENT = Verdicts(commitlint=None, gitlint=None)


def check(pairs: Sequence[Pair]) -> Verdicts:
    """Both linters over every pair, each in one batch."""
    conventional = [pair for pair in pairs if pair.conventional]
    return Verdicts(
        commitlint=_by_id(conventional, commitlint(_messages(conventional))),
        gitlint=_by_id(pairs, gitlint(_messages(pairs))),
    )


def _messages(pairs: Sequence[Pair]) -> list[str]:
    return [pair.ours for pair in pairs] + [pair.reference for pair in pairs]


def _by_id(
    pairs: Sequence[Pair], passed: Sequence[bool] | None
) -> dict[str, tuple[bool, bool]] | None:
    if passed is None:
        return None
    half = len(pairs)
    return {pair.id: (passed[i], passed[half + i]) for i, pair in enumerate(pairs)}


def node_modules_root(starts: Iterable[Path] | None = None) -> Path | None:
    """The first folder, from the working directory up and then from this file up, whose
    `node_modules` holds commitlint's packages."""
    for start in starts if starts is not None else (Path.cwd(), Path(__file__).parent):
        for folder in (start, *start.parents):
            modules = folder / "node_modules"
            if all((modules / name / "package.json").is_file() for name in COMMITLINT_PACKAGES):
                return folder
    return None


def commitlint(
    messages: Sequence[str], *, root: Path | None = None, node: str = "node"
) -> list[bool] | None:
    """Whether each message passes `@commitlint/config-conventional` (errors fail, warnings
    do not, as in commitlint's exit code); None when node or the packages are missing."""
    root = node_modules_root([root] if root is not None else None)
    executable = shutil.which(node)
    if root is None or executable is None or not COMMITLINT_SCRIPT.is_file():
        return None
    sent = [m for m in messages if m.strip()]
    if not sent:
        return [False] * len(messages)
    try:
        done = subprocess.run(  # noqa: S603 - argument list, no shell
            [executable, str(COMMITLINT_SCRIPT)],
            input="".join(json.dumps(m) + "\n" for m in sent),
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=root,
            timeout=_TIMEOUT,
            check=False,
        )
        lines = done.stdout.splitlines()
        if done.returncode != 0 or len(lines) != len(sent):
            raise ValueError(done.stderr.strip()[-500:] or f"{len(lines)} answers")
        valid = iter([bool(json.loads(line)["valid"]) for line in lines])
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired) as exc:
        _warn("commitlint", exc)
        return None
    return [next(valid) if m.strip() else False for m in messages]


def gitlint(messages: Sequence[str]) -> list[bool] | None:
    """Whether each message passes gitlint's default title and body rules, B6 left out;
    None when gitlint is not installed."""
    try:
        config_module = importlib.import_module("gitlint.config")
        git_module = importlib.import_module("gitlint.git")
        lint_module = importlib.import_module("gitlint.lint")
    except ImportError:
        return None
    config = config_module.LintConfig()
    config.set_general_option("ignore", ",".join(GITLINT_IGNORE))
    linter = lint_module.GitLinter(config)
    # One context for every message, its comment character set to git's default: otherwise
    # gitlint asks `git config` once per message, and the answer depends on the machine.
    context = git_module.GitContext()
    context._cache["commentchar"] = "#"

    def passes(message: str) -> bool:
        if not message.strip():
            return False
        parsed = git_module.GitCommitMessage.from_full_message(context, message)
        commit: Any = git_module.GitCommit(context, parsed)
        return not linter.lint(commit)

    try:
        return [passes(message) for message in messages]
    except Exception as exc:  # a linter's bug must not lose the eval's summary
        _warn("gitlint", exc)
        return None


def _warn(linter: str, exc: BaseException) -> None:
    print(f"commit-polish: warning: {linter} failed, shown as n/a: {exc}", file=sys.stderr)
