"""Fit a diff into a token budget, keeping what explains the change. Pure.

The digest is a file list (every file while names fit, else the most important ones and a
count by folder) and then lines quoted from the diff, chosen by coverage.py: the pieces that
show the most of the change's words not yet shown, per character, source before tests and
docs, lockfiles, generated and vendored files last.

Tokens are counted only on whole candidate texts, never per line: selection works in
characters, and a few rounds correct the characters-per-token ratio until the counted text
fits. The budget is a hard cap; naming files is best effort inside it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from commit_polish import coverage, excerpt, filekinds
from commit_polish.records import DiffDigest, FileChange, FileKind

__all__ = ["fit"]

_CHARS_PER_TOKEN = 4.0  # first guess only; each round corrects it from the real count
_ROUNDS = 6
_GOOD_ENOUGH = 0.95  # stop once the text fills this share of the budget
_NAMES_FIRST = 1200  # characters: below this, naming files comes before any hunk
# The order in which files are named when not all names fit.
_TIER = {
    FileKind.SOURCE: 0,
    FileKind.TEST: 1,
    FileKind.DOCS: 2,
    FileKind.LOCKFILE: 3,
    FileKind.GENERATED: 3,
    FileKind.VENDORED: 3,
    FileKind.BINARY: 3,
}


@dataclass(slots=True)
class _Choice:
    named: list[int]
    shown: coverage.Shown = field(default_factory=dict)
    """file index -> {hunk index: line ranges kept}."""


def fit(files: Sequence[FileChange], budget: int, count_tokens: Callable[[str], int]) -> DiffDigest:
    """The most telling part of `files` whose text counts at most `budget` tokens.

    `included`, `condensed` and `omitted` partition the files; a file without hunks
    (binary, pure rename, mode change) is included when it is named. When not even the
    first line fits, the text is empty.
    """
    plan = _Plan(files)
    chars, fits_at, overflows_at = budget * _CHARS_PER_TOKEN, 0.0, math.inf
    best: tuple[int, _Choice, str] | None = None
    counted: dict[str, int] = {}  # a round may select what an earlier one did
    for _ in range(_ROUNDS):
        choice = plan.select(int(chars))
        text = plan.render(choice)
        if text not in counted:
            counted[text] = count_tokens(text)
        tokens = counted[text]
        if tokens <= budget:
            fits_at = chars
            if best is None or tokens > best[0]:
                best = (tokens, choice, text)
            if plan.complete(choice) or tokens >= budget * _GOOD_ENOUGH:
                break
        else:
            overflows_at = chars
        chars = _next_guess(chars, budget / max(tokens, 1), fits_at, overflows_at)
        if overflows_at - fits_at < 8:
            break
    if best is None:
        best = _smallest(plan, budget, count_tokens)
    tokens, choice, text = best
    return plan.digest(choice, text, tokens, budget)


def _next_guess(chars: float, ratio: float, fits_at: float, overflows_at: float) -> float:
    guess = chars * ratio * (0.97 if ratio >= 1 else 0.93)
    if not fits_at < guess < overflows_at:
        guess = (fits_at + overflows_at) / 2 if overflows_at < math.inf else fits_at * 2
    return guess


def _smallest(
    plan: _Plan, budget: int, count_tokens: Callable[[str], int]
) -> tuple[int, _Choice, str]:
    """The richest of the bare forms (title and summary, title alone, nothing) that fits."""
    empty = _Choice(named=[])
    for text in (plan.render(empty), plan.title, ""):
        tokens = count_tokens(text)
        if tokens <= budget or not text:
            return tokens, empty, text
    raise AssertionError("unreachable: the empty text is always returned")  # pragma: no cover


class _Plan:
    """What every round needs, computed once: file lines, hunk costs, ranks."""

    def __init__(self, files: Sequence[FileChange]) -> None:
        self.files = list(files)
        self.entries = [excerpt.describe(f) for f in self.files]
        self.title = excerpt.title(self.files)
        self.by_importance = sorted(range(len(self.files)), key=self._importance)
        self.hunk_header_cost = [[len(h.header) + 1 for h in f.hunks] for f in self.files]
        self.list_chars = len(self.title) + 1 + sum(len(e) + 1 for e in self.entries)
        # Only decides how much room the file list may take: overlong lines need not count
        # exactly, and a C-level sum keeps a 50 MB diff fast.
        self.hunk_chars = sum(
            len(h.header) + 1 + sum(map(len, h.lines)) + len(h.lines)
            for f in self.files
            for h in f.hunks
        )
        self.folders = Counter(excerpt.folder(f.path) for f in self.files)
        # A file's header, the blank line before it, and a note for hunks not shown.
        self.header_cost = [
            len(excerpt.file_header(f)) + 2 + coverage.NOTE_ROOM for f in self.files
        ]
        self.summary_room = len(excerpt.summary(self.folders, len(self.files))) + 1
        self._pieces: dict[int, list[coverage.Piece]] = {}

    def _importance(self, i: int) -> tuple[int, int, int]:
        change = self.files[i]
        tier = -1 if filekinds.is_change_note(change.path) else _TIER[change.kind]
        return tier, -(change.added + change.removed), i

    def select(self, chars: int) -> _Choice:
        choice = _Choice(named=self._name_files(chars))
        listing = self.render(choice)
        # Pieces are cut only for named files: reading every line of a 10,000-file diff
        # costs more than the parse when only a few files can be named.
        candidates = [p for i in choice.named for p in self._pieces_of(i)]
        picked = coverage.select(
            candidates,
            chars - len(listing) - 1,
            self.header_cost,
            self.hunk_header_cost,
            known=coverage.words(listing),
        )
        choice.shown = picked
        return choice

    def _pieces_of(self, i: int) -> list[coverage.Piece]:
        if i not in self._pieces:
            self._pieces[i] = coverage.pieces(i, self.files[i])
        return self._pieces[i]

    def _name_files(self, chars: int) -> list[int]:
        # Names come before hunks in a small budget; in a big one the list takes at most
        # half, unless the hunks need less.
        room = max(chars // 2, chars - self.hunk_chars, min(chars, _NAMES_FIRST))
        if self.list_chars <= room:
            return list(range(len(self.files)))
        room -= len(self.title) + 1 + self.summary_room
        named = []
        for i in self.by_importance:
            room -= len(self.entries[i]) + 1
            if room < 0:
                break
            named.append(i)
        return sorted(named)

    def complete(self, choice: _Choice) -> bool:
        return len(choice.named) == len(self.files) and all(
            self._whole(i, choice.shown.get(i, {})) for i in range(len(self.files))
        )

    def _whole(self, i: int, kept: dict[int, list[tuple[int, int]]]) -> bool:
        hunks = self.files[i].hunks
        return len(kept) == len(hunks) and all(
            sum(end - start for start, end in ranges) == len(hunks[h].lines)
            and max(map(len, hunks[h].lines), default=0) <= excerpt.MAX_LINE
            for h, ranges in kept.items()
        )

    def render(self, choice: _Choice) -> str:
        out = [self.title, *(self.entries[i] for i in choice.named)]
        unnamed = len(self.files) - len(choice.named)
        if unnamed:
            folders = self.folders - Counter(
                excerpt.folder(self.files[i].path) for i in choice.named
            )
            out.append(excerpt.summary(folders, unnamed))
        for i in sorted(choice.shown):
            out.append("")
            out.extend(excerpt.render_file(self.files[i], choice.shown[i]))
        return "\n".join(out)

    def digest(self, choice: _Choice, text: str, tokens: int, budget: int) -> DiffDigest:
        named = set(choice.named)
        parts: tuple[list[str], list[str], list[str]] = ([], [], [])
        for i, change in enumerate(self.files):
            kept = choice.shown.get(i)
            if kept:
                parts[0 if self._whole(i, kept) else 1].append(change.path)
            else:
                parts[0 if i in named and not change.hunks else 2].append(change.path)
        included, condensed, omitted = (tuple(p) for p in parts)
        return DiffDigest(text, tokens, budget, included, condensed, omitted)
