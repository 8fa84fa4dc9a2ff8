"""Parse `git diff` output into FileChange records; set apart ignored files.

The only module that imports unidiff. unidiff checks each file entry's structure (a hunk
shorter or longer than its header says raises), while the hunk lines are sliced straight from
the text: building unidiff's per-line objects would cost more time and memory than the parse.
The text is split at `diff --git ` boundaries and parsed one file at a time, which keeps peak
memory low and lets an error name its absolute line number. Each hunk is masked (secrets.py)
as it is sliced, so no record holds a secret from the diff.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator, Sequence

from pathspec import GitIgnoreSpec
from unidiff.constants import RE_HUNK_HEADER
from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from commit_polish.digest import secrets
from commit_polish.digest.kinds import classify, unquote_path
from commit_polish.errors import EmptyDiffError, InputError
from commit_polish.records import FileChange, FileStatus, Hunk

__all__ = ["classify", "drop_ignored", "parse_diff"]

_DEV_NULL = "/dev/null"
_FILE_START = "\ndiff --git "
_PREFIXES = ("a/", "b/", "c/", "i/", "o/", "w/", "1/", "2/")
_QUOTE_MAX = 80
_FROM_LINE_ONE = re.compile(r"@@ -\d+(?:,\d+)? \+1[, ]")
_DIFF_FIX = (
    "pass the unmodified output of `git diff BASE..HEAD` (or a pull request's .diff); "
    "a diff that was edited by hand or cut short cannot be read"
)


def parse_diff(data: str | bytes) -> list[FileChange]:
    """Every file of a `git diff` (or plain unified diff), in the diff's order."""
    text = (_decode(data) if isinstance(data, bytes) else data).removeprefix("\ufeff")
    if not text.strip():
        raise EmptyDiffError(
            "the diff is empty: the range has no changes",
            fix="check the BASE..HEAD range (or the diff file); it must contain changes",
        )
    if _has_crlf_headers(text):
        # A diff saved with CRLF endings throughout: git itself writes LF headers.
        text = text.replace("\r\n", "\n")
    files: list[FileChange] = []
    for first_line, chunk in _split_files(text):
        files.extend(_parse_chunk(chunk, first_line))
    if not files:
        raise _not_a_diff(text)
    return files


def drop_ignored(
    files: Sequence[FileChange], globs: Sequence[str]
) -> tuple[list[FileChange], list[FileChange]]:
    """(kept, ignored): gitignore-style patterns (negation with `!` included) on each path."""
    if not globs:
        return list(files), []
    spec = GitIgnoreSpec.from_lines(globs)
    kept: list[FileChange] = []
    ignored: list[FileChange] = []
    for change in files:
        (ignored if spec.match_file(change.path) else kept).append(change)
    return kept, ignored


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Files in a legacy encoding: keep their text readable line by line rather than
        # mangling the whole diff (or keeping surrogates that no HTTP client can send).
        return "\n".join(_decode_line(line) for line in data.split(b"\n"))


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def _has_crlf_headers(text: str) -> bool:
    first = text.split("\n", 1)[0]
    return first.endswith("\r")


def _split_files(text: str) -> Iterator[tuple[int, str]]:
    """(number of the first line, text) of each file entry; a preamble is its own chunk."""
    line_no, start = 1, 0
    while start < len(text):
        found = text.find(_FILE_START, start)
        end = len(text) if found < 0 else found + 1
        chunk = text[start:end]
        yield line_no, chunk
        line_no += chunk.count("\n")
        start = end


def _parse_chunk(chunk: str, first_line: int) -> list[FileChange]:
    try:
        patch = PatchSet(chunk, metadata_only=True)
    except UnidiffParseError as exc:
        raise _locate_error(chunk, first_line, str(exc)) from None
    if not patch:
        return []
    lines = chunk.split("\n")
    if "\r" in chunk:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    cursor = 0
    changes = []
    for patched in patch:
        hunks, masked, cursor = _slice_hunks(patched, lines, cursor)
        changes.append(_to_record(patched, hunks, masked))
    return changes


def _slice_hunks(
    patched: PatchedFile, lines: list[str], cursor: int
) -> tuple[tuple[Hunk, ...], int, int]:
    """The file's hunks with their secrets masked, how many were, and where the next starts."""
    hunks = []
    masked = 0
    for parsed in patched:
        while not (lines[cursor].startswith("@@") and RE_HUNK_HEADER.match(lines[cursor])):
            cursor += 1
        end = _hunk_end(lines, cursor + 1, parsed.source_length + parsed.added)
        body = lines[cursor + 1 : end]
        if "" in body:  # a blank line is context whose leading space was stripped
            body = [line or " " for line in body]
        header, kept, found = secrets.mask_hunk(lines[cursor], body)
        hunks.append(Hunk(header, kept, parsed.added, parsed.removed))
        masked += found
        cursor = end
    return tuple(hunks), masked, cursor


def _hunk_end(lines: list[str], start: int, wanted: int) -> int:
    """Index after a hunk body of `wanted` lines plus its `\\ No newline` markers."""
    end = start + wanted
    markers = sum(1 for line in lines[start:end] if line.startswith("\\"))
    while markers:
        start, end = end, end + markers
        markers = sum(1 for line in lines[start:end] if line.startswith("\\"))
    while end < len(lines) and lines[end].startswith("\\"):
        end += 1
    return end


def _to_record(patched: PatchedFile, hunks: tuple[Hunk, ...], masked: int) -> FileChange:
    source, target = _path(patched.source_file), _path(patched.target_file)
    moved_from, moved_to, copied = _moves(patched)
    if moved_from is not None and moved_to is not None:
        source, target = moved_from, moved_to
    if source is None:
        status = FileStatus.ADDED
    elif target is None:
        status = FileStatus.DELETED
    elif source != target and not copied:
        status = FileStatus.RENAMED
    else:
        status = FileStatus.ADDED if copied else FileStatus.MODIFIED
    path = target or source or ""
    modes = (patched.source_mode, patched.target_mode)
    mode_change = None
    if source and target and modes[0] and modes[1] and modes[0] != modes[1]:
        mode_change = f"{modes[0]} -> {modes[1]}"
    # A "generated" banner sits in the first lines, so look only when the hunk shows them.
    head = hunks[0].lines[:5] if hunks and _FROM_LINE_ONE.match(hunks[0].header) else ()
    return FileChange(
        path=path,
        status=status,
        kind=classify(path, binary=patched.is_binary_file, head=head),
        added=sum(h.added for h in hunks),
        removed=sum(h.removed for h in hunks),
        hunks=hunks,
        old_path=source if status is FileStatus.RENAMED or copied else None,
        mode_change=mode_change,
        masked=masked,
    )


def _path(raw: str | None) -> str | None:
    if raw is None or raw == _DEV_NULL:
        return None
    path = unquote_path(raw)
    return path[2:] if path.startswith(_PREFIXES) else path


def _moves(patched: PatchedFile) -> tuple[str | None, str | None, bool]:
    """(from, to, is_copy) from git's `rename from/to` or `copy from/to` lines, which name
    the paths without the ambiguity of a `diff --git` line whose paths contain spaces."""
    found: dict[str, str] = {}
    for line in patched.patch_info or ():
        verb, _, rest = line.partition(" ")
        side, _, path = rest.partition(" ")
        if verb in ("rename", "copy") and side in ("from", "to"):
            found[f"{verb} {side}"] = unquote_path(path.rstrip("\n"))
    for verb in ("rename", "copy"):
        old, new = found.get(f"{verb} from"), found.get(f"{verb} to")
        if old is not None and new is not None:
            return old, new, verb == "copy"
    return None, None, False


def _locate_error(chunk: str, first_line: int, reason: str) -> InputError:
    """Re-read a broken file entry line by line to say which line broke, and how."""
    lines = _CountedLines(chunk)
    with contextlib.suppress(UnidiffParseError):
        PatchSet(lines, metadata_only=True)
    reason = reason.split(":", 1)[0]
    number, line = lines.line_no, lines.line
    if "shorter" in reason:
        number, line = lines.hunk_no, lines.hunk_line
        reason = "the hunk has fewer lines than its header says (was the diff cut short?)"
    return InputError(
        f"cannot read the diff at line {first_line + number - 1}: {reason}: {_quote(line)}",
        fix=_DIFF_FIX,
    )


class _CountedLines:
    """The lines of a text, remembering the last line read and the last hunk header."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.line_no, self.line = 0, ""
        self.hunk_no, self.hunk_line = 0, ""

    def __iter__(self) -> Iterator[str]:
        for number, line in enumerate(io.StringIO(self._text), 1):
            self.line_no, self.line = number, line
            if line.startswith("@@"):
                self.hunk_no, self.hunk_line = number, line
            yield line


def _not_a_diff(text: str) -> InputError:
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            return InputError(
                "the input is not a diff: it has no file header ('diff --git' or "
                f"'---'/'+++'); line {number} reads {_quote(line)}",
                fix=_DIFF_FIX,
            )
    raise AssertionError("blank text is caught as an empty diff")  # pragma: no cover


def _quote(line: str) -> str:
    line = line.rstrip("\r\n")
    return repr(line if len(line) <= _QUOTE_MAX else line[: _QUOTE_MAX - 1] + "…")
