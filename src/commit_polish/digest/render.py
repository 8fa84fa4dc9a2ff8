"""Write a digest: a decided `Choice` becomes the digest's text in one call, `Renderer.text`.

The text is the file list (a title line, one line per named file, a summary line counting the
files not named by folder), then each shown file's `---`/`+++` header and the kept lines of
its hunks, with a note for each gap. `Renderer.sizes` measures those parts before any choice
is made, and `Renderer.listing` writes the file list alone, whose words the line selection
counts as shown: that is all fit.py and select.py need to know of the wording, so the wording
can change here without touching the ranking.

Every line quotes the diff or names a file; nothing is paraphrased.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from commit_polish.records import FileChange, FileKind, FileStatus

__all__ = ["MAX_LINE", "Choice", "Renderer", "Shown", "Sizes"]

MAX_LINE = 400
"""Longer lines (minified code, data) are shortened in the excerpt."""

Shown = dict[int, dict[int, list[tuple[int, int]]]]
"""Lines to quote: file index -> hunk index -> line ranges kept (end exclusive)."""


@dataclass(frozen=True, slots=True)
class Choice:
    """What a digest shows, as fit.py decided it."""

    named: Sequence[int]
    """The files named in the list, by index, in the diff's order."""
    shown: Shown = field(default_factory=dict)
    """The lines quoted; a file is quoted only when it is named."""


@dataclass(frozen=True, slots=True)
class Sizes:
    """What each part of the text costs, in characters with its line end, before any choice."""

    title: int
    """The first line."""
    entries: list[int]
    """Each file's line in the list."""
    summary: int
    """The summary line when no file is named (its longest form, near enough)."""
    file_headers: list[int]
    """Each file's `---`/`+++` header with the blank line before it."""
    hunk_headers: list[list[int]]
    """Each hunk's `@@` line, per file."""
    hunks: int
    """Every hunk in full, long lines counted uncut: only an estimate of what quoting all
    would take."""


class Renderer:
    """The wording of one diff's digest: the per-file parts computed once, then the text of
    each choice that fit.py tries."""

    def __init__(self, files: Sequence[FileChange]) -> None:
        self._files = list(files)
        self._entries = [_describe(f) for f in self._files]
        self.title = _title(self._files)
        """The first line alone: the smallest text that says anything."""
        self._folders = Counter(_folder(f.path) for f in self._files)

    def sizes(self) -> Sizes:
        """The measures a choice is made from (see `Sizes`)."""
        files = self._files
        return Sizes(
            title=len(self.title) + 1,
            entries=[len(e) + 1 for e in self._entries],
            summary=len(_summary(self._folders, len(files))) + 1,
            file_headers=[len(_file_header(f)) + 2 for f in files],
            hunk_headers=[[len(h.header) + 1 for h in f.hunks] for f in files],
            # A C-level sum keeps a 50 MB diff fast.
            hunks=sum(
                len(h.header) + 1 + sum(map(len, h.lines)) + len(h.lines)
                for f in files
                for h in f.hunks
            ),
        )

    def listing(self, named: Sequence[int]) -> str:
        """The file list alone (title, the `named` files, the summary line): the text that
        the lines to quote are chosen after, since its words are shown already."""
        return "\n".join(self._list(named))

    def text(self, choice: Choice) -> str:
        """The digest: the file list and its summary line, then the quoted hunks per file."""
        out = self._list(choice.named)
        for i in sorted(choice.shown):
            out.append("")
            out.extend(_file(self._files[i], choice.shown[i]))
        return "\n".join(out)

    def _list(self, named: Sequence[int]) -> list[str]:
        out = [self.title, *(self._entries[i] for i in named)]
        unnamed = len(self._files) - len(named)
        if unnamed:
            folders = self._folders - Counter(_folder(self._files[i].path) for i in named)
            out.append(_summary(folders, unnamed))
        return out


_LETTER = {
    FileStatus.ADDED: "A",
    FileStatus.DELETED: "D",
    FileStatus.MODIFIED: "M",
    FileStatus.RENAMED: "R",
}


def _title(files: Sequence[FileChange]) -> str:
    added = sum(f.added for f in files)
    removed = sum(f.removed for f in files)
    noun = "file" if len(files) == 1 else "files"
    return f"{len(files):,} {noun} changed (+{added:,} -{removed:,}):"


def _describe(change: FileChange) -> str:
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


def _folder(path: str) -> str:
    return path.split("/", 1)[0] + "/" if "/" in path else ""


def _summary(folders: Counter[str], unnamed: int) -> str:
    """`... and N more files: n under a/, m under b/, k elsewhere` from folder counts."""
    top = [(name, n) for name, n in folders.most_common(4) if name and n][:3]
    parts = [f"{n:,} under {name}" for name, n in top]
    rest = unnamed - sum(n for _, n in top)
    if parts and rest:
        parts.append(f"{rest:,} elsewhere")
    noun = "file" if unnamed == 1 else "files"
    detail = ": " + ", ".join(parts) if parts else ""
    return f"... and {unnamed:,} more {noun}{detail}"


def _file_header(change: FileChange) -> str:
    created = change.status is FileStatus.ADDED and not change.old_path  # not a copy
    old = "/dev/null" if created else f"a/{change.old_path or change.path}"
    new = "/dev/null" if change.status is FileStatus.DELETED else f"b/{change.path}"
    return f"--- {old}\n+++ {new}"


def _file(change: FileChange, kept: dict[int, list[tuple[int, int]]]) -> list[str]:
    """The file's header and the kept line ranges of its hunks, a note for each gap."""
    out = [_file_header(change)]
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
