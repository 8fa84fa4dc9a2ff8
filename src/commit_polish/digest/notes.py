"""The one entry a change adds to its own changelog or change fragment, as a subject.

Projects that keep a changelog have the author say there, in one line, what the change does
for a user, and their maintainers mostly merge that line as the subject: on the evaluation
sets it scores far above a 1.5B model's subject (docs/quality.md, "The change's own
changelog entry"). Only a single new entry of one sentence is taken: several entries, an
edited one, or a paragraph of prose say no one thing the subject could be. Linear in the
lines of the changelog files; the hunks were masked for secrets when they were parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from commit_polish.digest.kinds import is_change_fragment, is_change_note
from commit_polish.records import FileChange, FileStatus

__all__ = ["PROSE_LIMIT", "Entry", "changelog_entry", "changelog_prose"]

_BULLET = re.compile(r"[ \t]*[-*+][ \t]+(\S.*)")  # a nested item counts as one more
_CONTINUED = re.compile(r"[ \t]{2,}(\S.*)")
# What closes an entry without being its words: `(#12)`, `([#12](url))`, `[#12](url)`,
# `(Pull #12)`, `by @user in #12`, and a commit's `(a5ab87d)` or `([a5ab87d](url))`, as
# conventional-changelog writes it (a hash has a digit: `(deadbeef)` may be a word).
_HASH = r"(?=[a-f]{0,39}\d)[0-9a-f]{7,40}"
_REFERENCE = re.compile(
    r"\s*(?:\(\[#\d+\]\([^()\s]*\)\)|\[#\d+\]\([^()\s]*\)|\((?:pull |pr |issue )?#\d+\)"
    rf"|\({_HASH}\)|\(\[{_HASH}\]\([^()\s]*\)\)|by @[\w-]+(?: in #\d+)?)[.,]?$",
    re.IGNORECASE,
)
# conventional-changelog's `**scope:** what it does`: the label is the change's scope.
_LABEL = re.compile(r"\*\*([\w./-]{1,30}):\*\*\s+|\*\*([\w./-]{1,30})\*\*:\s+")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_FRONT_MATTER = "---"
_MAX_REFERENCES = 4
PROSE_LIMIT = 2_000
"""Characters of an entry `changelog_prose` returns at most: the prompt cuts it further."""


class Entry(NamedTuple):
    """A changelog entry's sentence, and the scope its label gave it, if any."""

    text: str
    scope: str | None = None


def changelog_entry(files: Sequence[FileChange]) -> Entry | None:
    """The sentence of the change's only new changelog entry; None when there is not exactly
    one, or it is more than one sentence."""
    entry = _only_entry(files)
    return _sentence(entry) if entry else None


def changelog_prose(files: Sequence[FileChange]) -> str:
    """The change's only new changelog entry as its author wrote it, on one line and at most
    `PROSE_LIMIT` characters; "" when there is not exactly one.

    Where the entry is prose and no subject (`changelog_entry`), it still says what the
    change does in its author's words, which a diff cut to the prompt's budget often cannot
    (a file list is all that fits of a large change): the prompt gives it to the model."""
    entry = _only_entry(files)
    return " ".join(entry[: PROSE_LIMIT * 2].split())[:PROSE_LIMIT] if entry else ""


def _only_entry(files: Sequence[FileChange]) -> str | None:
    entries: list[str] = []
    for change in files:
        if not is_change_note(change.path):
            continue
        found = _fragment(change) if is_change_fragment(change.path) else _bullets(change)
        if found is None:
            return None
        entries.extend(found)
        if len(entries) > 1:
            return None
    return entries[0] if entries else None


def _added(change: FileChange) -> Iterator[str]:
    for hunk in change.hunks:
        yield from (line[1:] for line in hunk.lines if line.startswith("+"))


def _fragment(change: FileChange) -> list[str]:
    """A new fragment's first paragraph after its front matter (changesets name the
    packages there), or each item of a list there; an edited or deleted fragment is not
    this change's entry."""
    if change.status is not FileStatus.ADDED:
        return []
    lines = list(_added(change))
    if lines and lines[0].strip() == _FRONT_MATTER:
        ends = [i for i, line in enumerate(lines[1:], 1) if line.strip() == _FRONT_MATTER]
        lines = lines[ends[0] + 1 :] if ends else []
    items: list[str] = []
    for line in lines:
        if not line.strip():
            if items:
                break
            continue
        bullet = _BULLET.fullmatch(line)
        if bullet or not items:  # each item of a list is an entry of its own
            items.append((bullet.group(1) if bullet else line).strip())
        else:
            items[-1] += " " + line.strip()
    return items


def _bullets(change: FileChange) -> list[str] | None:
    """The list items a changelog file gains, a wrapped item joined up; None when the change
    also removes an item (it rewrites entries, and no new one is its own)."""
    items: list[str] = []
    for hunk in change.hunks:
        open_item = False
        for line in hunk.lines:
            sign, text = line[:1], line[1:]
            if sign == "-" and _BULLET.fullmatch(text):
                return None
            bullet = _BULLET.fullmatch(text) if sign == "+" else None
            continued = _CONTINUED.fullmatch(text) if sign == "+" and open_item else None
            if bullet:
                items.append(bullet.group(1).strip())
            elif continued:
                items[-1] += " " + continued.group(1).strip()
            open_item = bool(bullet or continued)
    return items


def _sentence(entry: str) -> Entry | None:
    text = " ".join(entry.split())
    label = _LABEL.match(text)
    if label is not None:
        text = text[label.end() :]
    text = text.replace("**", "")  # bold is emphasis, not words
    for _ in range(_MAX_REFERENCES):
        text, found = _REFERENCE.subn("", text)
        if not found:
            break
    if "](" in text or "://" in text:
        return None  # a link left in the words: not a line a subject can hold
    end = _SENTENCE_END.search(text)
    if end is not None and text[end.end() :].strip():
        return None  # prose: a second sentence the subject cannot hold
    text = text[: end.start()].strip() if end else text.strip()
    scope = label and (label.group(1) or label.group(2))
    return Entry(text, scope or None) if text else None
