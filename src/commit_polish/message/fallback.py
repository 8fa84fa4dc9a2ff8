"""The message written without a model, when every model failed: from the PR title unless it
is weak, else the diff's files; deterministic, so a reader knows it was not written for them.
Pure."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from commit_polish.message.anchor import weak_reason
from commit_polish.message.body import co_author_trailers
from commit_polish.message.retype import files_type
from commit_polish.message.style import Style, analyse_history, infer_type
from commit_polish.message.subject import fix_subject
from commit_polish.records import ChangeContext, CommitMessage, FileChange, FileKind, FileStatus

_WIP = re.compile(r"^\s*(?:\[(?:wip|draft)\]|(?:wip|draft)\s*:)\s*", re.IGNORECASE)
_SET_APART = frozenset({FileKind.LOCKFILE, FileKind.GENERATED, FileKind.VENDORED})


def fallback_message(
    files: Sequence[FileChange],
    context: ChangeContext,
    *,
    style: Style | None,
    width: int = 72,
) -> CommitMessage:
    """A deterministic message from the PR title (or the diff) and the list of files."""
    repo = analyse_history(context.history)
    title = _WIP.sub("", context.title).strip()
    if title and weak_reason(title) is None:  # "WIP" or "Update x.py" would say nothing
        subject = fix_subject(title, style=style, repo=repo, width=width)
    else:
        summary = _diff_subject(files)
        # A plain gitmoji subject takes the repository's own emoji where neither the files
        # nor the words decide; a typed one takes `chore`.
        emoji = repo.gitmoji and style is not Style.CONVENTIONAL
        hint = _kind_type(files) or (None if emoji else infer_type(summary, default="chore"))
        subject = fix_subject(summary, style=style, repo=repo, width=width, type_hint=hint)
    return CommitMessage(
        subject=subject,
        body=_file_list(files),
        trailers=co_author_trailers(context.co_authors, ()),
        from_model=False,
    )


def _relevant(files: Sequence[FileChange]) -> list[FileChange]:
    """Files a reader cares about, the most changed first; lockfiles and the like last."""
    return sorted(files, key=lambda f: (f.kind in _SET_APART, -(f.added + f.removed), f.path))


def _diff_subject(files: Sequence[FileChange]) -> str:
    main = [f for f in _relevant(files) if f.kind not in _SET_APART] or _relevant(files)
    if not main:
        return "Update files"
    first = main[0]
    name = posixpath.basename(first.path)
    if len(main) == 1:
        if first.status is FileStatus.RENAMED and first.old_path:
            return f"Rename {posixpath.basename(first.old_path)} to {name}"
        verbs = {FileStatus.ADDED: "Add", FileStatus.DELETED: "Remove"}
        return f"{verbs.get(first.status, 'Update')} {name}"
    statuses = {f.status for f in main}
    verb = {FileStatus.ADDED: "Add", FileStatus.DELETED: "Remove"}.get(statuses.pop(), "Update")
    verb = verb if not statuses else "Update"
    folder = posixpath.commonpath([posixpath.dirname(f.path) for f in main])
    if folder:
        return f"{verb} {len(main)} files in {folder}"
    others = len(main) - 1
    return f"{verb} {name} and {others} other file{'s' if others > 1 else ''}"


def _kind_type(files: Sequence[FileChange]) -> str | None:
    decided = files_type(files)
    if decided:
        return decided
    kinds = {f.kind for f in files}
    if kinds == {FileKind.TEST}:
        return "test"
    if kinds and kinds <= _SET_APART:
        return "chore"
    return None


def _file_list(files: Sequence[FileChange], shown: int = 5) -> str:
    lines = [f"- {_describe(f)}" for f in _relevant(files)[:shown]]
    if len(files) > shown:
        lines.append(f"- and {len(files) - shown} more files")
    return "\n".join(lines)


def _describe(change: FileChange) -> str:
    if change.kind is FileKind.BINARY:
        return f"{change.path} (binary, {change.status.value})"
    stats = " ".join(s for s in (f"+{change.added}", f"-{change.removed}") if s[1:] != "0")
    label = {FileStatus.ADDED: "new", FileStatus.DELETED: "deleted"}.get(change.status)
    if change.status is FileStatus.RENAMED and change.old_path:
        label = f"renamed from {change.old_path}"
    details = ", ".join(part for part in (label, stats) if part)
    return f"{change.path} ({details})" if details else change.path
