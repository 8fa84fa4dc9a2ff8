"""Decide what of a diff fits into a token budget, keeping what explains the change. Pure.

Each round of the search makes one candidate digest, in a straight line:

1. name files (here): every file while names fit, else the most important ones; render.py's
   summary line counts the rest by folder;
2. quote lines (select.py): in the room the file list leaves, the pieces that show the most of
   the change's words not yet shown, per character, source before tests and docs, lockfiles,
   generated and vendored files last;
3. write the text (render.py, one call) and count its tokens.

Tokens are counted only on whole candidate texts, never per line: choosing works in
characters (render.py's sizes), and a few rounds correct the characters-per-token ratio until
the counted text fits. The budget is a hard cap; naming files is best effort inside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from commit_polish.digest import kinds, select
from commit_polish.digest.render import MAX_LINE, Choice, Renderer
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


def fit(files: Sequence[FileChange], budget: int, count_tokens: Callable[[str], int]) -> DiffDigest:
    """The most telling part of `files` whose text counts at most `budget` tokens.

    `included`, `condensed` and `omitted` partition the files; a file without hunks
    (binary, pure rename, mode change) is included when it is named. When not even the
    first line fits, the text is empty.
    """
    renderer = Renderer(files)
    chooser = _Chooser(files, renderer)
    chars, fits_at, overflows_at = budget * _CHARS_PER_TOKEN, 0.0, math.inf
    best: tuple[int, Choice, str] | None = None
    counted: dict[str, int] = {}  # a round may choose what an earlier one did
    for _ in range(_ROUNDS):
        choice = chooser.choose(int(chars))
        text = renderer.text(choice)
        if text not in counted:
            counted[text] = count_tokens(text)
        tokens = counted[text]
        if tokens <= budget:
            fits_at = chars
            if best is None or tokens > best[0]:
                best = (tokens, choice, text)
            if _complete(files, choice) or tokens >= budget * _GOOD_ENOUGH:
                break
        else:
            overflows_at = chars
        chars = _next_guess(chars, budget / max(tokens, 1), fits_at, overflows_at)
        if overflows_at - fits_at < 8:
            break
    if best is None:
        best = _smallest(renderer, budget, count_tokens)
    tokens, choice, text = best
    return _digest(files, choice, text, tokens, budget)


def _next_guess(chars: float, ratio: float, fits_at: float, overflows_at: float) -> float:
    guess = chars * ratio * (0.97 if ratio >= 1 else 0.93)
    if not fits_at < guess < overflows_at:
        guess = (fits_at + overflows_at) / 2 if overflows_at < math.inf else fits_at * 2
    return guess


def _smallest(
    renderer: Renderer, budget: int, count_tokens: Callable[[str], int]
) -> tuple[int, Choice, str]:
    """The richest of the bare forms (title and summary, title alone, nothing) that fits."""
    empty = Choice(named=[])
    for text in (renderer.text(empty), renderer.title, ""):
        tokens = count_tokens(text)
        if tokens <= budget or not text:
            return tokens, empty, text
    raise AssertionError("unreachable: the empty text is always returned")  # pragma: no cover


class _Chooser:
    """What every round needs, computed once: the sizes of the text's parts, file ranks, and
    each named file's pieces."""

    def __init__(self, files: Sequence[FileChange], renderer: Renderer) -> None:
        self.files = list(files)
        self.renderer = renderer
        self.sizes = renderer.sizes()
        self.by_importance = sorted(range(len(self.files)), key=self._importance)
        self.list_chars = self.sizes.title + sum(self.sizes.entries)
        self._pieces: dict[int, list[select.Piece]] = {}

    def _importance(self, i: int) -> tuple[int, int, int]:
        change = self.files[i]
        tier = -1 if kinds.is_change_note(change.path) else _TIER[change.kind]
        return tier, -(change.added + change.removed), i

    def choose(self, chars: int) -> Choice:
        """The files to name and the lines to quote in about `chars` characters."""
        named = self._name_files(chars)
        # The list is written first: its words count as shown, its length as spent.
        listing = self.renderer.listing(named)
        # Pieces are cut only for named files: reading every line of a 10,000-file diff
        # costs more than the parse when only a few files can be named.
        candidates = [p for i in named for p in self._pieces_of(i)]
        shown = select.select(
            candidates,
            chars - len(listing) - 1,
            self.sizes.file_headers,
            self.sizes.hunk_headers,
            known=select.words(listing),
        )
        return Choice(named, shown)

    def _pieces_of(self, i: int) -> list[select.Piece]:
        if i not in self._pieces:
            self._pieces[i] = select.pieces(i, self.files[i])
        return self._pieces[i]

    def _name_files(self, chars: int) -> list[int]:
        # Names come before hunks in a small budget; in a big one the list takes at most
        # half, unless the hunks need less (an estimate: overlong lines need not count
        # exactly).
        room = max(chars // 2, chars - self.sizes.hunks, min(chars, _NAMES_FIRST))
        if self.list_chars <= room:
            return list(range(len(self.files)))
        room -= self.sizes.title + self.sizes.summary
        named = []
        for i in self.by_importance:
            room -= self.sizes.entries[i]
            if room < 0:
                break
            named.append(i)
        return sorted(named)


def _complete(files: Sequence[FileChange], choice: Choice) -> bool:
    return len(choice.named) == len(files) and all(
        _whole(change, choice.shown.get(i, {})) for i, change in enumerate(files)
    )


def _whole(change: FileChange, kept: dict[int, list[tuple[int, int]]]) -> bool:
    """Every hunk of `change` is quoted in full, no line shortened."""
    hunks = change.hunks
    return len(kept) == len(hunks) and all(
        sum(end - start for start, end in ranges) == len(hunks[h].lines)
        and max(map(len, hunks[h].lines), default=0) <= MAX_LINE
        for h, ranges in kept.items()
    )


def _digest(
    files: Sequence[FileChange], choice: Choice, text: str, tokens: int, budget: int
) -> DiffDigest:
    named = set(choice.named)
    parts: tuple[list[str], list[str], list[str]] = ([], [], [])
    for i, change in enumerate(files):
        kept = choice.shown.get(i)
        if kept:
            parts[0 if _whole(change, kept) else 1].append(change.path)
        else:
            parts[0 if i in named and not change.hunks else 2].append(change.path)
    included, condensed, omitted = (tuple(p) for p in parts)
    masked = sum(change.masked for change in files)  # counted over every file, shown or not
    return DiffDigest(text, tokens, budget, included, condensed, omitted, masked)
