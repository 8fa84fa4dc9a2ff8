"""Which hunks explain a change best: the order in which budget.py offers them room.

Kind first (source, then tests, then docs, then lockfiles, generated, vendored and binary
files), then pure deletions and whitespace-only hunks after the rest of their kind, then a
file's first hunks before its later ones and a small file's before a big one's, so that more
files get represented.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from commit_polish.records import FileChange, FileKind, Hunk

__all__ = ["TIER", "Candidate", "groups", "hunk_cost", "rank", "size"]

TIER = {
    FileKind.SOURCE: 0,
    FileKind.TEST: 1,
    FileKind.DOCS: 2,
    FileKind.LOCKFILE: 3,
    FileKind.GENERATED: 3,
    FileKind.VENDORED: 3,
    FileKind.BINARY: 3,
}
_TIER_STEP, _MINOR = 1000, 100  # score steps: kind tier, then pure deletion or whitespace
_ADDED = re.compile(r"^\+(.*)", re.MULTILINE)
_REMOVED = re.compile(r"^-(.*)", re.MULTILINE)


class Candidate(NamedTuple):
    """One hunk on offer; the lowest score is offered room first (tuples sort in C)."""

    score: float
    file: int
    hunk: int
    cost: int
    """Characters of the hunk as quoted: header and lines with their line ends."""


def size(change: FileChange) -> int:
    return change.added + change.removed


def hunk_cost(hunk: Hunk) -> int:
    return len(hunk.header) + 1 + sum(map(len, hunk.lines)) + len(hunk.lines)


def rank(i: int, change: FileChange, costs: tuple[int, ...]) -> list[Candidate]:
    """The candidates of file number `i`, whose hunk costs are `costs`."""
    tier = TIER[change.kind]
    smallness = min(math.log2(2 + size(change)), 40)
    out = []
    for h, hunk in enumerate(change.hunks):
        minor = hunk.added == 0 or _whitespace_only(hunk)
        # Kind and minor-ness decide the group; the rest (under _MINOR) orders within it.
        score = tier * _TIER_STEP + minor * _MINOR + min(h, 5) * 10 + smallness
        out.append(Candidate(score, i, h, costs[h]))
    return out


def groups(ranked: list[Candidate]) -> list[list[Candidate]]:
    """Sorted candidates cut into groups of one kind tier, minor hunks apart: a group gets
    only the room that the groups before it leave."""
    out: list[list[Candidate]] = []
    last = -1
    for c in ranked:
        group = int(c.score // _MINOR)
        if group != last:
            out.append([])
            last = group
        out[-1].append(c)
    return out


def _whitespace_only(hunk: Hunk) -> bool:
    if not (hunk.added and hunk.removed):
        return False
    # The first removed and added lines, spaces dropped, must start alike: a cheap test that
    # spares nearly every real change the full comparison below.
    old_first = "".join(next(x for x in hunk.lines if x.startswith("-"))[1:].split())
    new_first = "".join(next(x for x in hunk.lines if x.startswith("+"))[1:].split())
    if not (old_first.startswith(new_first) or new_first.startswith(old_first)):
        return False
    # Regexes over the joined hunk run in C: a per-line Python loop costs seconds on 50 MB.
    body = "\n".join(hunk.lines)
    old = "".join(_REMOVED.findall(body))
    new = "".join(_ADDED.findall(body))
    return "".join(old.split()) == "".join(new.split())
