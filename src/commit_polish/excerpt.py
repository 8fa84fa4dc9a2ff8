"""How a digest writes files and hunks: the file list, its summary line, quoted hunks.

Kept apart from budget.py's selection so that the wording can change without touching
the ranking; every line here quotes the diff or names a file, nothing is paraphrased.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from commit_polish.records import FileChange, FileKind, FileStatus

__all__ = ["MAX_LINE", "describe", "file_header", "folder", "render_file", "summary", "title"]

MAX_LINE = 400
"""Longer lines (minified code, data) are shortened in the excerpt."""

_LETTER = {
    FileStatus.ADDED: "A",
    FileStatus.DELETED: "D",
    FileStatus.MODIFIED: "M",
    FileStatus.RENAMED: "R",
}


def title(files: Sequence[FileChange]) -> str:
    added = sum(f.added for f in files)
    removed = sum(f.removed for f in files)
    noun = "file" if len(files) == 1 else "files"
    return f"{len(files):,} {noun} changed (+{added:,} -{removed:,}):"


def describe(change: FileChange) -> str:
    letter = _LETTER[change.status]
    name = change.path
    if change.old_path:
        letter = "C" if change.status is FileStatus.ADDED else letter
        name = f"{change.old_path} -> {change.path}"
    binary = change.kind is FileKind.BINARY
    parts = [letter, name, "(binary)" if binary else f"(+{change.added:,} -{change.removed:,})"]
    if change.mode_change:
        parts.append(f"[mode {change.mode_change}]")
    if change.kind not in (FileKind.SOURCE, FileKind.BINARY):
        parts.append(f"[{change.kind.value}]")
    return " ".join(parts)


def folder(path: str) -> str:
    return path.split("/", 1)[0] + "/" if "/" in path else ""


def summary(folders: Counter[str], unnamed: int) -> str:
    """`... and N more files: n under a/, m under b/, k elsewhere` from folder counts."""
    top = [(name, n) for name, n in folders.most_common(4) if name and n][:3]
    parts = [f"{n:,} under {name}" for name, n in top]
    rest = unnamed - sum(n for _, n in top)
    if parts and rest:
        parts.append(f"{rest:,} elsewhere")
    noun = "file" if unnamed == 1 else "files"
    detail = ": " + ", ".join(parts) if parts else ""
    return f"... and {unnamed:,} more {noun}{detail}"


def file_header(change: FileChange) -> str:
    created = change.status is FileStatus.ADDED and not change.old_path  # not a copy
    old = "/dev/null" if created else f"a/{change.old_path or change.path}"
    new = "/dev/null" if change.status is FileStatus.DELETED else f"b/{change.path}"
    return f"--- {old}\n+++ {new}"


def render_file(change: FileChange, kept: dict[int, list[tuple[int, int]]]) -> list[str]:
    """The file's header and the kept line ranges of its hunks, a note for each gap."""
    out = [file_header(change)]
    for h in sorted(kept):
        hunk = change.hunks[h]
        out.append(hunk.header)
        at = 0
        for start, end in _merged(kept[h]):
            if start > at:
                out.append(_GAP)
            out.extend(_shorten(line) for line in hunk.lines[start:end])
            at = end
        if at < len(hunk.lines):
            out.append(_GAP)
    missing = len(change.hunks) - len(kept)
    if missing:
        out.append(f"... ({missing:,} more {'hunk' if missing == 1 else 'hunks'} not shown)")
    return out


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


# The hunk header's line numbers already say how much is missing; a count would cost tokens
# on every gap of a digest that has many.
_GAP = "..."


def _shorten(line: str) -> str:
    if len(line) <= MAX_LINE:
        return line
    return f"{line[:MAX_LINE]}... ({len(line) - MAX_LINE:,} more characters)"
