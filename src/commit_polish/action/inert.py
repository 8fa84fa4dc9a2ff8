"""Untrusted text made inert in Markdown: inside a code span or a fenced block GitHub renders
no HTML, mention, reference or image, and these are built so that no text can close them."""

from __future__ import annotations

import re
from string import hexdigits

from commit_polish.action.visible import clean

MAX_SPAN = 200
_BACKTICKS = re.compile(r"`+")


def code_span(text: str, limit: int = MAX_SPAN) -> str:
    """`text` on one line as inline code that no backtick in it can close early."""
    text = " ".join(clean(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if not text:
        return "` `"
    ticks = "`" * (_longest_backticks(text) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""  # CommonMark strips one each side
    return f"{ticks}{pad}{text}{pad}{ticks}"


def code_block(text: str, language: str = "text") -> str:
    """A fenced block longer than any backtick run in `text`, so no line of it can close it."""
    fence = "`" * max(3, _longest_backticks(text) + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def sha_span(sha: str, otherwise: str) -> str:
    """A commit sha, shortened, as code; `otherwise` when `sha` is not one."""
    return code_span(sha[:12]) if sha and all(c in hexdigits for c in sha) else otherwise
