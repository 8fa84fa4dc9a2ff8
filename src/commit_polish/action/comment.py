"""Render the ONE sticky PR comment, and the job summary from the same parts; pure.

Everything that comes from the pull request or a model (the message, file names, model names)
is attacker text. It is made visible first (visible.py: nothing hidden in it, nothing to read
differently) and only ever goes inside fenced code blocks or inline code spans, where GitHub
renders no HTML, mentions, references or images; only this module's fixed template writes
Markdown or HTML. The marker on the first line lets the GitHub adapter find our comment again
and lets a run for an older head see that a newer one has already answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from commit_polish.action.handoff import HEADING, apply_hint, status_block
from commit_polish.action.inert import MAX_SPAN as MAX_SPAN
from commit_polish.action.inert import code_block as code_block
from commit_polish.action.inert import code_span as code_span
from commit_polish.action.marker import DEFAULT as DEFAULT
from commit_polish.action.marker import DEFAULT_MARKER as DEFAULT_MARKER
from commit_polish.action.marker import MARKER_PREFIX as MARKER_PREFIX
from commit_polish.action.marker import Marker as Marker
from commit_polish.action.marker import marker as marker
from commit_polish.action.marker import parse_marker as parse_marker
from commit_polish.action.visible import clean as clean  # also for the edge's error text
from commit_polish.github.records import PullRequest
from commit_polish.records import SubjectSource, Suggestion, tried_models

COMMENT_LIMIT = 65_536
"""GitHub's limit for a comment body; we count UTF-16 units, never fewer than characters."""
SUMMARY_LIMIT = 1_000_000
"""UTF-8 bytes; GitHub takes 1 MiB of job summary per step, and the edge may add a note."""
MAX_NAMES = 20
MAX_ATTEMPTS = 20
MAX_SUBJECT = 1_000
TRIMMED = "… (trimmed)"
TRIMMED_NOTE = (
    "_The description was trimmed to fit GitHub's size limit; the step's `message` output "
    "holds it in full._"
)


def render(
    suggestion: Suggestion,
    pr: PullRequest,
    *,
    command: str = "/commit-polish",
    mark: Marker = DEFAULT,
    hidden: str = "",
    note: str = "",
    status: str = "",
) -> str:
    """The sticky comment: always at most COMMENT_LIMIT long, trimmed rather than rejected.
    `hidden` (our field lines, each after a "\n": marker.py), `note` and `status` (what
    applying did: apply.py) are the edge's fixed text, never the PR's or a model's."""
    parts = _Parts(suggestion, pr, command, mark, hidden, note, status)
    return _fit(parts, COMMENT_LIMIT, _utf16_units)


def summary(suggestion: Suggestion, pr: PullRequest, *, note: str = "", status: str = "") -> str:
    """The job summary: the comment's content without the marker and the commands."""
    return _fit(_Parts(suggestion, pr, None, note=note, status=status), SUMMARY_LIMIT, _utf8_bytes)


@dataclass(frozen=True)
class _Parts:
    suggestion: Suggestion
    pr: PullRequest
    command: str | None
    """The regenerate command; None for the job summary, which has no marker either."""
    mark: Marker = DEFAULT
    hidden: str = ""
    note: str = ""
    status: str = ""


def _fit(parts: _Parts, limit: int, measure: Callable[[str], int]) -> str:
    """Drop the `gh` command (it repeats the description), then shorten the file lists, then
    the description, until the text fits `limit`."""
    message = parts.suggestion.message
    subject = " ".join(clean(message.subject).split())[:MAX_SUBJECT]
    description = clean(message.text[len(message.subject) :].lstrip("\n"))
    for gh, names in ((True, MAX_NAMES), (False, MAX_NAMES), (False, 5), (False, 0)):
        text = _compose(parts, subject, description, names=names, trimmed=False, gh=gh)
        if measure(text) <= limit:
            return text
    # The largest prefix of the description that fits; length only grows with the prefix.
    low, high = 0, len(description)
    while low < high:
        mid = (low + high + 1) // 2
        text = _compose(parts, subject, description[:mid], names=0, trimmed=True)
        low, high = (mid, high) if measure(text) <= limit else (low, mid - 1)
    return _compose(parts, subject, description[:low], names=0, trimmed=True)


def _compose(
    parts: _Parts, subject: str, description: str, *, names: int, trimmed: bool, gh: bool = False
) -> str:
    if trimmed:
        description = f"{description.rstrip()}\n{TRIMMED}".lstrip("\n")
    full = f"{subject}\n\n{description}" if description else subject
    blocks = [
        parts.mark.line(parts.pr.head_sha) + parts.hidden if parts.command is not None else "",
        HEADING,
        status_block(parts.status) if parts.status else "",
        f"> [!NOTE]\n> {parts.note}" if parts.note else "",
        _failure_note(parts.suggestion),
        code_block(full),
        "When you **Squash and merge**, paste this into the commit title field:",
        code_block(subject),
        "and this into the description field:"
        if description
        else "and leave the description field empty.",
        code_block(description) if description else "",
        TRIMMED_NOTE if trimmed else "",
        apply_hint(parts.pr, parts.suggestion, parts.command, gh) if parts.command else "",
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


def _details(parts: _Parts, names: int) -> str:
    suggestion = parts.suggestion
    model = code_span(suggestion.model) if suggestion.model else "none (every model failed)"
    if suggestion.model is None and suggestion.message.from_model:
        model = "none needed (the pull request's own words already fit)"
    lines = [
        f"- **Model that answered:** {model}",
        *_SUBJECT_FROM.get(suggestion.subject_source, ()),
        # The comment leaves timings out so that a rerun with the same message edits nothing.
        f"- **Models tried:** {_attempts(suggestion, timed=parts.command is None)}",
        f"- **Tokens:** {suggestion.prompt_tokens:,} prompt, "
        f"{suggestion.completion_tokens:,} completion",
        f"- **Cost:** {_money(suggestion.cost_usd)}",
        *_based_on(parts, names),
        *_masked(suggestion.digest.masked),
    ]
    if parts.command is not None:
        lines.append(_regenerate(parts.command))
    return (
        "<details>\n<summary>How this message was made</summary>\n\n"
        + "\n".join(lines)
        + "\n\n</details>"
    )


# Whose words the subject is, when they are not the model's: a reader trusts those more.
_SUBJECT_FROM = {
    SubjectSource.AUTHOR: ("- **Subject:** the pull request's own, kept as written",),
    SubjectSource.REFORMATTED: (
        "- **Subject:** the pull request's own, put into this repository's form",
    ),
    SubjectSource.NOTE: (
        "- **Subject:** the changelog entry this pull request adds, in this repository's form",
    ),
}


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


def _masked(count: int) -> list[str]:
    # Only the count: the secrets were masked as the diff and the PR text were read.
    return [f"- **Secrets masked:** {count:,}"] if count else []


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


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))
