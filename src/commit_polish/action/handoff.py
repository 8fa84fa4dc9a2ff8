"""How the message leaves the comment: the commands that put it into the commit, and the
status line that says what applying did (apply.py decides; this is the fixed template)."""

from __future__ import annotations

import shlex

from commit_polish.action import stored
from commit_polish.action.inert import code_block, code_span
from commit_polish.action.marker import Marker
from commit_polish.github.records import PullRequest
from commit_polish.records import SubjectSource, Suggestion

HEADING = "### Suggested squash-commit message"
_STATUS_START = "> [!IMPORTANT]\n> "
"""The status line's block: the only IMPORTANT alert we write, so it can be found again."""


def with_status(body: str, status: str) -> str:
    """One of our comments with its status line replaced (or added): a command's run changes
    only that, and the message it applied stays as shown."""
    heading = f"\n\n{HEADING}\n\n"
    start = body.find(heading)
    if start < 0:
        return body
    start += len(heading)
    rest = body[start:]
    if rest.startswith(_STATUS_START):
        rest = rest.partition("\n\n")[2]
    return body[:start] + status_block(status) + "\n\n" + rest


def status_only(mark: Marker, head_sha: str, status: str) -> str:
    """Our comment before any message was written: the status alone."""
    return f"{mark.line(head_sha)}\n\n{HEADING}\n\n{status_block(status)}\n"


def plain(status: str) -> str:
    """A status line for the log: without its Markdown emphasis and code spans' backticks."""
    return status.replace("**", "").replace("`", "")


def status_summary(status: str) -> str:
    """A command's job summary: its status line alone."""
    return f"{HEADING}\n\n{status_block(status)}\n"


def status_block(status: str) -> str:
    return f"{_STATUS_START}{status}"


def apply_hint(pr: PullRequest, suggestion: Suggestion, command: str, gh: bool) -> str:
    """How to put the message into the commit: the two commands and, with `gh`, `gh`'s own,
    pinned to the head the message was written for. Never beside a trimmed message: it would
    commit what was cut."""
    head = code_span(pr.head_sha[:12])
    text = (
        f"**Put it into the commit** (written for {head}): comment "
        f"{code_span(command + ' apply')} to turn on auto-merge with this message, or "
        f"{code_span(command + ' merge')} to merge now (for users with write access)"
    )
    caution = _CAUTION.get(suggestion.subject_source, "")
    if not gh:
        return f"{text}.{caution}"
    command_line = gh_merge(pr, stored.written(suggestion.message, pr))
    return f"{text}; or run:\n\n{code_block(command_line, 'sh')}{caution}"


# What the evaluation says of a subject that is not the pull request's own as written
# (docs/quality.md, "Whose words the subject is"): read it before applying it.
_CAUTION = {
    SubjectSource.MODEL: "\n\n_The model wrote this subject; commit-polish's evaluation has not "
    "shown such subjects to be as good as GitHub's default, so read it before you apply it._",
    SubjectSource.REFORMATTED: "\n\n_This subject is the pull request's own, put into the "
    "repository's form; on one of commit-polish's two evaluation sets that scored below "
    "GitHub's default, so read it before you apply it._",
    SubjectSource.NOTE: "\n\n_This subject is the changelog entry the pull request adds; "
    "commit-polish's evaluation has not yet measured such subjects against GitHub's default, "
    "so read it before you apply it._",
    SubjectSource.FALLBACK: "\n\n_No model wrote this message: read it before you apply it._",
}


def gh_merge(pr: PullRequest, message: stored.Written) -> str:
    """`gh pr merge` with this message, quoted so that no text in it can end the command: the
    headline in single quotes (shlex), the body in a quoted here-document whose delimiter is
    no line of it."""
    delimiter, lines = "COMMIT_POLISH_BODY", set(message.body.split("\n"))
    while delimiter in lines:
        delimiter += "_"
    command = (
        f"gh pr merge {pr.number} --repo {shlex.quote(pr.repo)} --squash "
        f"--match-head-commit {message.head} \\\n  --subject {shlex.quote(message.headline)}"
    )
    if not message.body:
        return f"{command} --body ''"
    return f"{command} --body-file - <<'{delimiter}'\n{message.body}\n{delimiter}"
