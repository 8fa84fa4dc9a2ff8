"""Rank a diff's lines: which to quote in the room fit.py leaves, the most telling first.

What maintainers write about a change names the files, functions and concepts its hunks
touch, and a long diff repeats them: the same renamed identifier on forty lines, the same
import in ten files. Head truncation spends the budget on the repeats and never reaches the
rest. So the lines of a hunk are cut into short pieces (a run of changed lines, or of context
between them) and the room goes, greedily, to the piece that shows the most words not yet
shown per character, weighed by the kind of file and of line (greedy weighted max coverage).
Room left once every word is shown goes to the pieces nearest those chosen, so that what the
model reads is a diff with gaps, not a scatter of lines. Costs come from render.py's sizes.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from commit_polish.digest.kinds import is_change_note
from commit_polish.digest.render import MAX_LINE, Shown
from commit_polish.records import FileChange, FileKind, FileStatus

__all__ = ["NOTE_ROOM", "Piece", "line_cost", "pieces", "select", "words"]

NOTE_ROOM = 10  # characters for a gap's "..." line
_SHORTENED_ROOM = 30  # characters for a long line's "... (N more characters)"
_PIECE_LINES = 3  # a run of changed lines longer than this is offered in parts
_FATIGUE = 1500  # characters: a file quoted this long has its pieces' value halved
_GONE = 0.4  # the lines of a deleted file: what it was matters less than what replaces it
_NOTE_WEIGHT = 1.5  # a changelog entry says in words what the change is for
# Words of four characters or more: shorter ones are mostly loop variables and keywords.
_WORD = re.compile(r"[a-z_][a-z0-9_]{3,}")
_KIND_WEIGHT = {
    FileKind.SOURCE: 1.0,
    FileKind.DOCS: 0.8,
    FileKind.TEST: 0.6,
    # Noise: quoted only with room to spare once every other file has had its turn.
    FileKind.LOCKFILE: 0.0,
    FileKind.GENERATED: 0.0,
    FileKind.VENDORED: 0.0,
    FileKind.BINARY: 0.0,
}
_LINE_WEIGHT = {"+": 1.0, "-": 0.8, " ": 0.4}
# Keywords of the common languages: showing `return` once more teaches the model nothing.
_COMMON_WORDS = """
    and any assert async await bool break case catch class const continue def default defer
    del elif else elseif end enum err export extends false final for from func function
    import interface int let lambda new nil none not null package pass private protected
    public raise return self static str string struct super switch the this throw true try
    type typeof var void while with yield
    """
_COMMON = frozenset(_COMMON_WORDS.split())


@dataclass(frozen=True, slots=True)
class Piece:
    """Lines `start` to `end` (exclusive) of one hunk, and what showing them is worth."""

    file: int
    hunk: int
    start: int
    end: int
    cost: int
    """Characters of the lines as quoted, line ends included; headers are charged apart."""
    words: dict[str, float]
    """Each word shown, with its weight (kind of file times kind of line)."""
    changed: bool
    """Added or removed lines, not context."""
    weight: float
    """The file's weight: its kind, deleted or not, a change note or not."""

    @property
    def noise(self) -> bool:
        """From a lockfile, generated, vendored or binary file: never weighed."""
        return not self.weight


def words(text: str) -> set[str]:
    """The words that count as shown once `text` is in the prompt."""
    return set(_WORD.findall(text.lower())) - _COMMON


def line_cost(line: str) -> int:
    return min(len(line), MAX_LINE + _SHORTENED_ROOM) + 1


def pieces(i: int, change: FileChange) -> list[Piece]:
    """The pieces of file number `i`, hunk by hunk, in reading order."""
    weight = _KIND_WEIGHT[change.kind] * (_GONE if change.status is FileStatus.DELETED else 1.0)
    if is_change_note(change.path):
        weight = _NOTE_WEIGHT
    out = []
    for h, hunk in enumerate(change.hunks):
        lines = hunk.lines
        start = 0
        while start < len(lines):
            changed = lines[start][:1] in "+-"
            end = start + 1
            while (
                end < len(lines)
                and (lines[end][:1] in "+-") == changed
                and end - start < _PIECE_LINES
            ):
                end += 1
            out.append(_piece(i, h, lines, start, end, weight))
            start = end
    return out


def _piece(i: int, h: int, lines: Sequence[str], start: int, end: int, weight: float) -> Piece:
    words: dict[str, float] = {}
    cost = sum(map(line_cost, lines[start:end]))
    changed = lines[start][:1] in "+-"
    if not weight:  # noise is never weighed, only placed in leftover room
        return Piece(i, h, start, end, cost, words, changed, weight)
    for line in lines[start:end]:
        value = weight * _LINE_WEIGHT.get(line[:1], 0.0)
        for word in _WORD.findall(line[1 : MAX_LINE + 1].lower()):
            if word not in _COMMON and words.get(word, 0.0) < value:
                words[word] = value
    return Piece(i, h, start, end, cost, words, changed, weight)


def select(
    candidates: Iterable[Piece],
    room: int,
    file_headers: Sequence[int],
    hunk_headers: Sequence[Sequence[int]],
    known: Iterable[str] = (),
) -> Shown:
    """Pieces within `room` characters, best value first; `known` words count as shown.

    Opening a file costs its header (`file_headers`, from render's sizes) and a note for
    hunks not shown, opening a hunk its `@@` line (`hunk_headers`); each piece is charged a
    note for the gap it may leave.
    """
    covered = set(known)
    shown: Shown = {}
    chosen: set[tuple[int, int, int]] = set()
    all_pieces = list(candidates)
    left = room

    def cost(p: Piece) -> int:
        extra = NOTE_ROOM
        hunks = shown.get(p.file)
        if hunks is None:
            extra += file_headers[p.file] + NOTE_ROOM + hunk_headers[p.file][p.hunk]
        elif p.hunk not in hunks:
            extra += hunk_headers[p.file][p.hunk]
        return p.cost + extra

    used: Counter[int] = Counter()  # characters shown per file

    def gain(p: Piece) -> float:
        fresh = sum(v for w, v in p.words.items() if w not in covered)
        # A file already quoted at length is worth less: the model should see every file's gist.
        return fresh / (1.0 + used[p.file] / _FATIGUE)

    def take(p: Piece) -> None:
        nonlocal left
        left -= cost(p)
        shown.setdefault(p.file, {}).setdefault(p.hunk, []).append((p.start, p.end))
        chosen.add((p.file, p.hunk, p.start))
        covered.update(p.words)
        used[p.file] += p.cost

    # Lazy greedy: a stored value only falls as words get shown, so a piece whose fresh
    # value still beats the next stored one is the best; costs fall too, but only a little.
    heap = [(-gain(p) / cost(p), n) for n, p in enumerate(all_pieces)]
    heapq.heapify(heap)
    while heap:
        stored, n = heapq.heappop(heap)
        p = all_pieces[n]
        fresh_gain = gain(p)
        if fresh_gain <= 0:
            continue
        fresh = -fresh_gain / cost(p)
        if heap and fresh > heap[0][0] + 1e-12:
            heapq.heappush(heap, (fresh, n))
            continue
        if cost(p) <= left:
            take(p)

    # What is left goes to the changed lines not yet shown, the most telling kind of file
    # first, then to the context that closes the gaps between shown lines; noise last.
    def leftover(p: Piece) -> tuple[bool, bool, bool, float, int, int, int]:
        ranges = shown.get(p.file, {}).get(p.hunk, [])
        touching = any(p.start == end or p.end == start for start, end in ranges)
        return (p.noise, not p.changed, not touching, -p.weight, p.file, p.hunk, p.start)

    rest = sorted((p for p in all_pieces if (p.file, p.hunk, p.start) not in chosen), key=leftover)
    for p in rest:
        need = cost(p) - NOTE_ROOM
        if need <= left:
            take(p)
            left += NOTE_ROOM
    for ranges in (r for hunks in shown.values() for r in hunks.values()):
        ranges.sort()
    return shown
