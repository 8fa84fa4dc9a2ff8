"""Rebuild a unified diff from GitHub's files API, for pull requests whose diff is too large.

GitHub refuses the diff media type past 300 files or 20,000 lines (406 `too_large`) but still
lists up to 3,000 files, each with its hunks in `patch` (left out for binary and very large
files). The text built here reads like `git diff` output, so `diff.py` parses it like any
other diff. Pure: no I/O, no PyGithub.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_FILES = 3000
"""GitHub lists at most this many files of a pull request; we never page further."""

# The files API does not report file modes: git's regular-file mode is the honest default.
_MODE = "100644"
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


@dataclass(frozen=True, slots=True)
class FileEntry:
    """The parts of one `GET /repos/{owner}/{repo}/pulls/{n}/files` entry that a diff needs."""

    filename: str
    status: str
    """`added`, `removed`, `modified`, `renamed`, `copied`, `changed` or `unchanged`."""
    patch: str | None = None
    previous_filename: str | None = None
    changes: int = 0


def rebuild_diff(entries: Iterable[FileEntry]) -> tuple[str, tuple[str, ...]]:
    """(diff text, paths listed without a patch) in the API's order.

    A file without a patch still gets its `diff --git` header, so it is named among the
    changed files; a pure rename (no changed line) has nothing to show and is not missing."""
    parts: list[str] = []
    missing: list[str] = []
    for entry in entries:
        if entry.patch is None and not _pure_move(entry):
            missing.append(entry.filename)
        parts.append(_file_text(entry))
    return "".join(parts), tuple(missing)


def _file_text(entry: FileEntry) -> str:
    moved = entry.status in ("renamed", "copied") and bool(entry.previous_filename)
    old = entry.previous_filename if moved and entry.previous_filename else entry.filename
    new = entry.filename
    lines = [f"diff --git {_quote('a/' + old)} {_quote('b/' + new)}"]
    if entry.status == "added":
        lines.append(f"new file mode {_MODE}")
    elif entry.status == "removed":
        lines.append(f"deleted file mode {_MODE}")
    elif moved:
        verb = "rename" if entry.status == "renamed" else "copy"
        lines += [f"{verb} from {_quote(old)}", f"{verb} to {_quote(new)}"]
    if entry.patch:
        # GitHub's `patch` starts at the first hunk: git's `---`/`+++` lines come first.
        source = "/dev/null" if entry.status == "added" else _quote("a/" + old)
        target = "/dev/null" if entry.status == "removed" else _quote("b/" + new)
        lines += [f"--- {source}", f"+++ {target}", entry.patch.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _pure_move(entry: FileEntry) -> bool:
    return entry.status in ("renamed", "copied") and entry.changes == 0


def _quote(path: str) -> str:
    """Git's C-style quoting for paths with quotes, backslashes or control characters
    (non-ASCII stays as it is, as with `core.quotePath=false`)."""
    if not any(ch in _ESCAPES or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return path
    body = "".join(
        _ESCAPES.get(ch) or (f"\\{ord(ch):03o}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
        for ch in path
    )
    return f'"{body}"'
