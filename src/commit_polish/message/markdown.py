"""Markdown a PR author or a model writes, made plain: images dropped, links to their text,
bold to plain words. Pure, and linear in the text however many openers it leaves unclosed."""

from __future__ import annotations

import re

# Images, links and bold text are found in code (`strip_images`, `plain_links`, `unbold`): as
# patterns, each unclosed `![`, `[` or `**` searched the rest of the text again.
_IMAGE = re.compile(r"!\[")
_IMAGE_OR_TAG = re.compile(r"!\[|<img\b", re.IGNORECASE)
_URL = re.compile(r"https?://")
_BOLD = re.compile(r"(?=(\*\*|__)\S)")
_BOLD_END = {"**": r"(?<=\S)\*\*", "__": r"(?<=\S)__"}


class _Next:
    """Where `pattern` next matches at or after a position, asked for positions that only
    grow: each stretch of the text is searched once in all, however many openers ask."""

    def __init__(self, text: str, pattern: str) -> None:
        self._text = text
        self._pattern = re.compile(pattern)
        self._since = len(text) + 1
        self._found = -1

    def __call__(self, start: int) -> int:
        """The first match's start at or after `start`; -1 when there is none."""
        if start < self._since or 0 <= self._found < start:
            match = self._pattern.search(self._text, start)
            self._since, self._found = start, match.start() if match else -1
        return self._found


def strip_images(text: str, *, html: bool = False) -> str:
    r"""`text` without Markdown images, nor `<img>` tags when `html` is set.

    What `!\[[^\]]*\]\([^)]*\)` (with `html`: `...|<img\b[^>]*>`, any case) removed, in
    linear time: that pattern searched the rest of the text from each unclosed opener.
    """
    bracket, paren, angle = _Next(text, r"\]"), _Next(text, r"\)"), _Next(text, ">")
    kept: list[str] = []
    done = 0
    for opener in (_IMAGE_OR_TAG if html else _IMAGE).finditer(text):
        at = opener.start()
        if at < done:
            continue
        if text[at] == "<":
            end = angle(at + 4)
        else:
            close = bracket(at + 2)
            end = paren(close + 2) if close >= 0 and text.startswith("(", close + 1) else -1
        if end >= 0:
            kept.append(text[done:at])
            done = end + 1
    kept.append(text[done:])
    return "".join(kept)


def plain_links(line: str) -> str:
    r"""`[text](https://url)` as `text (https://url)`.

    What `\[([^\]]+)\]\((https?://[^)\s]+)\)` -> `\1 (\2)` did, in linear time.
    """
    bracket, url_end = _Next(line, r"\]"), _Next(line, r"[)\s]")
    kept: list[str] = []
    done = 0
    for opener in re.finditer(r"\[", line):
        at = opener.start()
        close = bracket(at + 1)
        if close < 0:
            break  # no `]` left: no link either
        if at < done or close == at + 1 or not line.startswith("(", close + 1):
            continue
        scheme = _URL.match(line, close + 2)
        end = url_end(scheme.end()) if scheme else -1
        if scheme and end > scheme.end() and line[end] == ")":
            kept += [line[done:at], line[at + 1 : close], " (", line[close + 2 : end], ")"]
            done = end + 1
    kept.append(line[done:])
    return "".join(kept)


def unbold(line: str) -> str:
    r"""`**text**` and `__text__` as `text`.

    What `(\*\*|__)(?=\S)(.+?)(?<=\S)\1` -> `\2` did, in linear time.
    """
    ends = {mark: _Next(line, pattern) for mark, pattern in _BOLD_END.items()}
    newline = _Next(line, "\n")
    kept: list[str] = []
    done = 0
    for opener in _BOLD.finditer(line):
        at = opener.start()
        if at < done:
            continue
        end, stop = ends[opener[1]](at + 3), newline(at + 2)
        if end >= 0 and (stop < 0 or end < stop):
            kept += [line[done:at], line[at + 2 : end]]
            done = end + 2
    kept.append(line[done:])
    return "".join(kept)
