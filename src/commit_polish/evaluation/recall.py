"""Keyword recall: how much of what maintainers wrote about a change a prompt lets a model see.

The keywords of a case are the identifier-like words (4+ characters, not stop words) of the
real message that also occur in the diff. Recall is the share of them present in the prompt,
counting only prompt lines that quote the diff: a changed or context line, a hunk header, a
file path (with the `+`/`-`/`@@`, `--- a/` and `(+N -M)` decorations a digest adds). A list of
identifiers made up for the model would score well and read badly, so it counts for nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = ["head", "keywords", "quoted_words", "recall", "words"]

_WORD = re.compile(r"[A-Za-z0-9_]+")
_SHORTENED = re.compile(r"\.\.\. \(\d[\d,]* more characters\)$")
_LISTED = re.compile(
    r"^[AMDRC] (?P<path>.+?)(?: -> (?P<new>.+?))? \((?:binary|\+[\d,]+ -[\d,]+)\)(?: \[[^\]]+\])*$"
)
_HEADER = re.compile(r"^(?:---|\+\+\+) (?:[ab]/)?(?P<path>.+)$")
# English function words and the verbs every message uses: they say nothing about the change.
_STOP_WORDS = """
    about above after again against also always another anything because been before being
    below between both cannot could does doing done down during each either else even every
    from further have having here however into itself just last less like made make makes
    many more most much must need needs never next none only other otherwise ours over same
    should since some still such than that their them then there these they this those
    though through thus under until upon very want were what when where whether which while
    will with within without would your allow allows change changes changed fixes fixed
    instead added adds using used uses update updated updates remove removed removes
    """
STOP = frozenset(_STOP_WORDS.split())


def words(text: str) -> set[str]:
    """Lowercased identifier-like words: 4+ characters with a letter, not stop words."""
    out = set()
    for word in _WORD.findall(text.lower()):
        if len(word) >= 4 and not word.isdigit() and word not in STOP:
            out.add(word)
    return out


def keywords(message: str, diff: str) -> set[str]:
    return words(message) & words(diff)


def quoted_words(prompt: str, diff: str) -> set[str]:
    """The words of `prompt` lines that quote `diff`; every other line is ignored."""
    diff_lines = set(diff.splitlines())
    paths = _paths(diff_lines)
    out: set[str] = set()
    for line in prompt.splitlines():
        if _quotes(line, diff_lines, paths):
            out |= words(line)
    return out


def recall(found: set[str], wanted: set[str]) -> float:
    return len(found & wanted) / len(wanted) if wanted else 1.0


def head(diff: str, budget: int, count: Callable[[str], int]) -> str:
    """The longest run of whole first lines of `diff` that counts at most `budget` tokens."""
    lines = diff.splitlines()
    low, high = 0, len(lines)
    while low < high:  # binary search on the line count: counting is the slow part
        mid = (low + high + 1) // 2
        if count("\n".join(lines[:mid])) <= budget:
            low = mid
        else:
            high = mid - 1
    return "\n".join(lines[:low])


def _paths(diff_lines: Iterable[str]) -> set[str]:
    out = set()
    for line in diff_lines:
        if line.startswith("diff --git "):
            a, _, b = line[len("diff --git ") :].partition(" b/")
            out |= {a.removeprefix("a/"), b}
        elif line.startswith(("rename from ", "rename to ", "copy from ", "copy to ")):
            out.add(line.split(" ", 2)[2])
    return out


def _quotes(line: str, diff_lines: set[str], paths: set[str]) -> bool:
    if line in diff_lines:
        return True
    shortened = _SHORTENED.sub("", line)
    if shortened != line:
        return any(d.startswith(shortened) for d in diff_lines if len(d) > len(shortened))
    header = _HEADER.match(line)
    if header:
        return header["path"] in paths or line.endswith("/dev/null")
    listed = _LISTED.match(line)
    if listed:
        return listed["path"] in paths and (listed["new"] is None or listed["new"] in paths)
    return False
