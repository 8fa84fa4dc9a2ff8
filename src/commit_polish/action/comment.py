"""Render the ONE sticky PR comment, and the job summary from the same parts; pure.

Everything that comes from the pull request or a model (the message, file names, model names)
is attacker text. It only ever goes inside fenced code blocks or inline code spans, where GitHub
renders no HTML, mentions, references or images; only this module's fixed template writes
Markdown or HTML. The marker on the first line lets the GitHub adapter find our comment again
and lets a run for an older head see that a newer one has already answered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from commit_polish.github.records import PullRequest
from commit_polish.records import Suggestion, tried_models

MARKER_PREFIX = "<!-- commit-polish"
_MARKER = re.compile(r"<!-- commit-polish:sticky head=([0-9A-Za-z]{1,64}) -->")
COMMENT_LIMIT = 65_536
"""GitHub's limit for a comment body; we count UTF-16 units, never fewer than characters."""
SUMMARY_LIMIT = 1_000_000
"""UTF-8 bytes; GitHub takes 1 MiB of job summary per step, and the edge may add a note."""
MAX_NAMES = 20
MAX_ATTEMPTS = 20
MAX_SPAN = 200
MAX_SUBJECT = 1_000
TRIMMED = "… (trimmed)"
# Control, format (bidi overrides and isolates, zero-width, tag characters) and lone surrogates:
# invisible in review, they can make text read differently from what it is.
_HIDDEN = frozenset({"Cc", "Cf", "Cs"})
_LINE_BREAKS = re.compile(r"\r\n?|[\x85\u2028\u2029]")
_BACKTICKS = re.compile(r"`+")


def marker(head_sha: str) -> str:
    """The hidden first line of our comment, recording the head it describes."""
    if not re.fullmatch(r"[0-9A-Za-z]{1,64}", head_sha):
        raise ValueError(f"not a commit sha: {head_sha!r}")
    return f"<!-- commit-polish:sticky head={head_sha} -->"


def parse_marker(body: str) -> str | None:
    """The head sha of a comment that STARTS with our marker; a marker quoted in a reply or
    buried in someone's text does not make their comment ours."""
    found = _MARKER.match(body)
    return found.group(1) if found else None


def render(suggestion: Suggestion, pr: PullRequest, *, command: str = "/commit-polish") -> str:
    """The sticky comment: always at most COMMENT_LIMIT long, trimmed rather than rejected."""
    return _fit(_Parts(suggestion, pr, command), COMMENT_LIMIT, _utf16_units)


def summary(suggestion: Suggestion, pr: PullRequest) -> str:
    """The job summary: the comment's content without the marker and the regenerate hint."""
    return _fit(_Parts(suggestion, pr, None), SUMMARY_LIMIT, _utf8_bytes)


def clean(text: str) -> str:
    """`text` with line breaks made `\\n` and hidden characters removed (tabs kept)."""
    text = _LINE_BREAKS.sub("\n", text)
    hidden = {c for c in set(text) if c not in "\n\t" and unicodedata.category(c) in _HIDDEN}
    return text.translate({ord(c): None for c in hidden}) if hidden else text


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


def code_block(text: str) -> str:
    """A fenced block longer than any backtick run in `text`, so no line of it can close it."""
    fence = "`" * max(3, _longest_backticks(text) + 1)
    return f"{fence}text\n{text}\n{fence}"


@dataclass(frozen=True)
class _Parts:
    suggestion: Suggestion
    pr: PullRequest
    command: str | None
    """The regenerate command; None for the job summary, which has no marker either."""


def _fit(parts: _Parts, limit: int, measure: Callable[[str], int]) -> str:
    """Shorten the file lists first, then the description, until the text fits `limit`."""
    message = parts.suggestion.message
    subject = " ".join(clean(message.subject).split())[:MAX_SUBJECT]
    description = clean(message.text[len(message.subject) :].lstrip("\n"))
    for names in (MAX_NAMES, 5, 0):
        text = _compose(parts, subject, description, names=names, trimmed=False)
        if measure(text) <= limit:
            return text
    # The largest prefix of the description that fits; length only grows with the prefix.
    low, high = 0, len(description)
    while low < high:
        mid = (low + high + 1) // 2
        text = _compose(parts, subject, description[:mid], names=0, trimmed=True)
        low, high = (mid, high) if measure(text) <= limit else (low, mid - 1)
    return _compose(parts, subject, description[:low], names=0, trimmed=True)


def _compose(parts: _Parts, subject: str, description: str, *, names: int, trimmed: bool) -> str:
    if trimmed:
        description = f"{description.rstrip()}\n{TRIMMED}".lstrip("\n")
    full = f"{subject}\n\n{description}" if description else subject
    blocks = [
        marker(parts.pr.head_sha) if parts.command is not None else "",
        "### Suggested squash-commit message",
        _failure_note(parts.suggestion),
        code_block(full),
        "When you **Squash and merge**, paste this into the commit title field:",
        code_block(subject),
        "and this into the description field:"
        if description
        else "and leave the description field empty.",
        code_block(description) if description else "",
        _trimmed_note() if trimmed else "",
        _details(parts, names),
    ]
    return "\n\n".join(block for block in blocks if block) + "\n"


def _failure_note(suggestion: Suggestion) -> str:
    if suggestion.message.from_model:
        return ""
    tried = _tried(suggestion) or "no model was configured"
    return (
        "> [!WARNING]\n"
        "> **Not written by a model.** Every model failed, so this message was built from the "
        f"diff alone; check it before you merge. Tried: {tried}."
    )


def _tried(suggestion: Suggestion) -> str:
    # Each model once, in the order first asked, with its last outcome: that one tells.
    last = {attempt.model: attempt for attempt in suggestion.attempts}
    return tried_models(
        last.values(), show_model=code_span, show_outcome=lambda o: code_span(o, 40)
    )


def _trimmed_note() -> str:
    return (
        "_The description was trimmed to fit GitHub's size limit; the step's `message` output "
        "holds it in full._"
    )


def _details(parts: _Parts, names: int) -> str:
    suggestion = parts.suggestion
    model = code_span(suggestion.model) if suggestion.model else "none (every model failed)"
    lines = [
        f"- **Model that answered:** {model}",
        # The comment leaves timings out so that a rerun with the same message edits nothing.
        f"- **Models tried:** {_attempts(suggestion, timed=parts.command is None)}",
        f"- **Tokens:** {suggestion.prompt_tokens:,} prompt, "
        f"{suggestion.completion_tokens:,} completion",
        f"- **Cost:** {_money(suggestion.cost_usd)}",
        *_based_on(parts, names),
    ]
    if parts.command is not None:
        lines.append(_regenerate(parts.command))
    return (
        "<details>\n<summary>How this message was made</summary>\n\n"
        + "\n".join(lines)
        + "\n\n</details>"
    )


def _attempts(suggestion: Suggestion, *, timed: bool) -> str:
    attempts = suggestion.attempts
    shown = [
        f"{code_span(a.model)} → {code_span(a.outcome, 40)}"
        + (f" ({a.seconds:.1f} s)" if timed else "")
        for a in attempts[:MAX_ATTEMPTS]
    ]
    if len(attempts) > MAX_ATTEMPTS:
        shown.append(f"and {len(attempts) - MAX_ATTEMPTS:,} more")
    return "; ".join(shown) or "none"


def _money(cost: float | None) -> str:
    if cost is None:
        return "unknown"  # a price we do not know is never shown as a figure
    if 0 < cost < 0.000001:
        return "less than $0.000001"
    return "$" + f"{cost:.6f}".rstrip("0").rstrip(".")


def _based_on(parts: _Parts, names: int) -> list[str]:
    digest = parts.suggestion.digest
    shown = len(digest.included) + len(digest.condensed)
    unlisted = parts.pr.files_unlisted  # never reached the diff, so never in the digest
    total = shown + len(digest.omitted) + unlisted
    lines = [f"- **Based on:** {shown:,} of {total:,} files"]
    groups = (
        ("condensed", digest.condensed),
        ("left out of the prompt", digest.omitted),
        ("listed by GitHub without a diff", parts.pr.files_without_patch),
    )
    for label, paths in groups:
        if paths:
            lines.append(f"  - {label} ({len(paths):,}){_names(paths, names)}")
    if unlisted:
        lines.append(f"  - not listed by GitHub, past its 3,000-file limit ({unlisted:,})")
    return lines


def _names(paths: Sequence[str], limit: int) -> str:
    if limit == 0:
        return ""
    listed = ", ".join(code_span(p) for p in paths[:limit])
    more = f" and {len(paths) - limit:,} more" if len(paths) > limit else ""
    return f": {listed}{more}"


def _regenerate(command: str) -> str:
    return (
        f"- **Regenerate:** comment {code_span(command)}, optionally followed by instructions "
        f"(for example {code_span(command + ' mention the migration')}). Only users with write "
        "access to this repository, or the pull request's author, can use it."
    )


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))
